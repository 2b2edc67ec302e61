"""cmd.exe and PowerShell text (run steps, AppVeyor items, .bat/.ps1 scripts), secure
variables of Travis/AppVeyor and Travis `deploy: provider: pypi` in the model and rules."""

from __future__ import annotations

from pathlib import Path

from shiplint.engine import open_project
from shiplint.model import ReleaseModel, Upload
from shiplint.model.inventory import inventory
from shiplint.parse.cmd_script import parse_cmd
from shiplint.parse.pwsh_script import parse_pwsh
from tests.conftest import AuditFn, hit, pos_of, write_tree


def model_of(tmp_path: Path, files: dict[str, str]) -> ReleaseModel:
    write_tree(tmp_path, files)
    return open_project(str(tmp_path)).model


def uploads_of(model: ReleaseModel, tool: str) -> list[Upload]:
    return [u for u in model.uploads if u.tool == tool]


# --- parsers -------------------------------------------------------------------------------


def test_cmd_words_variables_and_assignments() -> None:
    text = (
        '@echo off\nset "TWINE_USERNAME=__token__"\nset TWINE_PASSWORD=%PYPI_TOKEN%\n'
        'python -m twine upload -p "%PYPI_TOKEN%" dist\\* ^\n  --skip-existing || exit /b 1\n'
        "rem twine upload never\n"
    )
    commands, nodes = parse_cmd(text)
    assert [c.argv for c in commands] == [
        ["echo", "off"],
        [],
        [],
        ["python", "-m", "twine", "upload", "-p", "${PYPI_TOKEN}", "dist\\*", "--skip-existing"],
        ["exit", "1"],
    ]
    assert [(n, w.text) for n, w in commands[1].assigns] == [("TWINE_USERNAME", "__token__")]
    assert [(n, w.text) for n, w in commands[2].assigns] == [("TWINE_PASSWORD", "${PYPI_TOKEN}")]
    word = commands[3].words[5]
    assert text[word.start : word.end] == '"%PYPI_TOKEN%"'
    assert nodes is not None and nodes[-1].joined == "||"


def test_cmd_if_not_empty_is_a_negated_test() -> None:
    text = 'IF NOT "%TOKEN%"=="" (\n  twine upload dist\\*\n) ELSE (\n  echo skip\n)\n'
    _commands, nodes = parse_cmd(text)
    assert nodes is not None
    (node,) = nodes
    assert node.kind == "if" and [b.kind for b in node.branches] == ["if", "else"]
    (cond,) = node.branches[0].cond
    assert cond.negated and cond.cmd is not None
    assert [w.text for w in cond.cmd.words] == ["[", "${TOKEN}", "==", "", "]"]


def test_pwsh_words_env_variables_and_conditions() -> None:
    text = (
        "$env:TWINE_USERNAME = '__token__'\n"
        'if ([string]::IsNullOrEmpty($env:PYPI_TOKEN)) { Write-Host "skip"; exit 0 }\n'
        '& "$env:PYTHON\\python.exe" -m twine upload -p $env:PYPI_TOKEN `\n  dist/*\n'
    )
    commands, nodes = parse_pwsh(text)
    assert commands[0].exported and commands[0].assigns[0][1].text == "__token__"
    assert commands[1].argv == ["[", "-z", "${PYPI_TOKEN}", "]"]
    assert commands[-1].argv == [
        "${PYTHON}\\python.exe",
        *("-m", "twine", "upload", "-p", "${PYPI_TOKEN}", "dist/*"),
    ]
    assert nodes is not None and [n.kind for n in nodes] == ["cmd", "if", "cmd"]


def test_unbalanced_text_gives_commands_without_flow() -> None:
    commands, nodes = parse_pwsh("if ($env:T) {\n  twine upload dist/*\n")
    assert nodes is None
    assert ["twine", "upload", "dist/*"] in [c.argv for c in commands]


# --- the model -----------------------------------------------------------------------------

APPVEYOR = """
    environment:
      TWINE_USERNAME: __token__
      TWINE_PASSWORD:
        secure: QWxhZGRpbjpvcGVuIHNlc2FtZQ==
      matrix:
        - PYTHON: "C:\\\\Python312-x64"
    build_script:
      - "%PYTHON%\\\\python.exe -m build"
    deploy_script:
      - ps: |
          if ($env:APPVEYOR_REPO_TAG -eq "true") {
              & "$env:PYTHON\\python.exe" -m twine upload --skip-existing dist/*
          }
      - IF NOT "%ANACONDA_TOKEN%"=="" anaconda -t %ANACONDA_TOKEN% upload -u my-org dist\\*.whl
"""


def test_appveyor_items_in_their_shells_with_secure_variables(tmp_path: Path) -> None:
    model = model_of(tmp_path, {"appveyor.yml": APPVEYOR})
    (twine,) = uploads_of(model, "twine")
    token = twine.token_credentials[0]
    assert (token.via, token.name, token.secret, token.encrypted) == (
        "env",
        "TWINE_PASSWORD",
        "TWINE_PASSWORD",
        True,
    )
    assert not token.literal
    (anaconda,) = uploads_of(model, "anaconda")
    assert anaconda.target is not None and anaconda.target.text == "my-org"
    assert [(c.via, c.secret) for c in anaconda.credentials] == [("flag", "ANACONDA_TOKEN")]
    assert (anaconda.loc.pos.line, anaconda.loc.pos.col) == pos_of(APPVEYOR, "anaconda -t")
    assert [(s.system, s.name) for s in model.secure_env] == [("appveyor", "TWINE_PASSWORD")]
    shown = str(inventory(open_project(str(tmp_path))))
    assert "secure variable TWINE_PASSWORD" in shown or "TWINE_PASSWORD" in shown


def test_appveyor_linux_image_reads_bare_items_as_posix(tmp_path: Path) -> None:
    text = "image: Ubuntu2204\ndeploy_script:\n  - twine upload -p $PYPI_TOKEN dist/*\n"
    model = model_of(tmp_path, {"appveyor.yml": text})
    (twine,) = uploads_of(model, "twine")
    assert [c.secret for c in twine.credentials] == ["PYPI_TOKEN"]


TRAVIS = """
    language: python
    env:
      global:
        - secure: "c2VjcmV0IG5hbWUgYW5kIHZhbHVl"
    deploy:
      - provider: pages
        skip_cleanup: true
      - provider: pypi
        user: __token__
        password:
          secure: "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        server: https://test.pypi.org/legacy/
        distributions: sdist bdist_wheel
        on:
          tags: true
"""


def test_travis_pypi_deploy_is_an_upload(tmp_path: Path) -> None:
    model = model_of(tmp_path, {".travis.yml": TRAVIS})
    (upload,) = uploads_of(model, "travis-pypi")
    assert (upload.family, upload.index) == ("pypi", "testpypi")
    assert (upload.loc.pos.line, upload.loc.pos.col) == pos_of(TRAVIS, "pypi\n")
    user, password = upload.credentials
    assert user.username and not user.encrypted
    assert password.encrypted and not password.literal and password.name == "password"
    assert [(s.system, s.name) for s in model.secure_env] == [("travis", None)]
    assert "travis-pypi" in str(inventory(open_project(str(tmp_path))))


def test_travis_pypi_deploy_password_from_env(tmp_path: Path) -> None:
    text = "env:\n  - PYPI_PASSWORD=$TOKEN\ndeploy:\n  provider: pypi\n  user: __token__\n"
    model = model_of(tmp_path, {".travis.yml": text})
    (upload,) = uploads_of(model, "travis-pypi")
    assert upload.index == "pypi"
    assert [(c.via, c.name, c.secret) for c in upload.token_credentials] == [
        ("env", "PYPI_PASSWORD", "TOKEN")
    ]


WINDOWS_WORKFLOW = """
    on: push
    jobs:
      wheels:
        runs-on: windows-2022
        steps:
          - run: python -m twine upload -u __token__ -p $env:PYPI_TOKEN dist/*
            env:
              PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
          - run: .\\ci\\upload.ps1
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
"""

UPLOAD_PS1 = """
    $env:TWINE_USERNAME = "__token__"
    python -m twine upload --skip-existing dist/*
"""


def test_windows_run_steps_and_ps1_scripts(tmp_path: Path) -> None:
    model = model_of(
        tmp_path,
        {".github/workflows/release.yml": WINDOWS_WORKFLOW, "ci/upload.ps1": UPLOAD_PS1},
    )
    by_file = {(u.source.rel, u.loc.pos.line): u for u in uploads_of(model, "twine")}
    step = by_file[(".github/workflows/release.yml", 6)]
    assert [(c.via, c.secret) for c in step.token_credentials] == [("flag", "PYPI_TOKEN")]
    script = by_file[("ci/upload.ps1", 2)]
    assert script.job is not None and script.job.id == "wheels"
    assert [(c.via, c.name, c.secret) for c in script.credentials] == [
        ("env", "TWINE_USERNAME", None),
        ("env", "TWINE_PASSWORD", "PYPI_API_TOKEN"),
    ]


def test_linux_runner_keeps_posix_shell(tmp_path: Path) -> None:
    wf = WINDOWS_WORKFLOW.replace("windows-2022", "ubuntu-latest")
    model = model_of(tmp_path, {".github/workflows/release.yml": wf})
    (upload,) = uploads_of(model, "twine")
    # `$env:PYPI_TOKEN` is no variable in bash: the token is not read from the secret
    assert [c.secret for c in upload.token_credentials] != ["PYPI_TOKEN"]


# --- rules ---------------------------------------------------------------------------------

GUARDED_BAT = """
    @echo off
    IF "%TWINE_PASSWORD%"=="" (
        echo No token, skipping upload
        exit /b 0
    )
    python -m twine upload dist\\*
"""


def test_sl911_cmd_guard(audit: AuditFn) -> None:
    path = "ci/upload.bat"
    assert audit({path: GUARDED_BAT}, select=["SL911"]) == [
        hit("SL911", path, GUARDED_BAT, "%TWINE_PASSWORD%")
    ]


def test_sl911_cmd_guard_that_fails_is_quiet(audit: AuditFn) -> None:
    text = GUARDED_BAT.replace("exit /b 0", "exit /b 1")
    assert audit({"ci/upload.bat": text}, select=["SL911"]) == []


GUARDED_PS1 = """
    if ($env:TWINE_PASSWORD) {
        python -m twine upload dist/*
    }
"""


def test_sl911_pwsh_guard(audit: AuditFn) -> None:
    path = "ci/upload.ps1"
    assert audit({path: GUARDED_PS1}, select=["SL911"]) == [
        hit("SL911", path, GUARDED_PS1, "$env:TWINE_PASSWORD")
    ]
    with_else = GUARDED_PS1.rstrip() + ' else { throw "no token" }\n'
    assert audit({path: with_else}, select=["SL911"]) == []


PWSH_STEPS = """
    on: push
    jobs:
      wheels:
        runs-on: windows-latest
        steps:
          - run: |
              python -m twine upload dist/*
              python tools/notify.py
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


def test_sl912_pwsh_block_upload_not_last(audit: AuditFn) -> None:
    path = ".github/workflows/release.yml"
    assert audit({path: PWSH_STEPS}, select=["SL912"]) == [
        hit("SL912", path, PWSH_STEPS, "twine upload")
    ]


def test_sl912_pwsh_block_checked_or_last(audit: AuditFn) -> None:
    path = ".github/workflows/release.yml"
    checked = PWSH_STEPS.replace(
        "dist/*\n", "dist/*\n          if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\n"
    )
    assert audit({path: checked}, select=["SL912"]) == []
    # cmdlets after the upload leave $LASTEXITCODE, which GitHub's wrapper exits with
    last = PWSH_STEPS.replace("python tools/notify.py", 'Write-Host "uploaded"')
    assert audit({path: last}, select=["SL912"]) == []
    strict = PWSH_STEPS.replace(
        "- run: |\n", "- run: |\n          $PSNativeCommandUseErrorActionPreference = $true\n"
    )
    assert audit({path: strict}, select=["SL912"]) == []


CMD_STEP = """
    on: push
    jobs:
      wheels:
        runs-on: windows-latest
        defaults:
          run:
            shell: cmd
        steps:
          - run: |
              twine upload dist\\*
              python tools\\notify.py
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


def test_sl912_cmd_block(audit: AuditFn) -> None:
    path = ".github/workflows/release.yml"
    assert audit({path: CMD_STEP}, select=["SL912"]) == [
        hit("SL912", path, CMD_STEP, "twine upload")
    ]
    handled = CMD_STEP.replace("dist\\*\n", "dist\\* || exit /b 1\n")
    assert audit({path: handled}, select=["SL912"]) == []


MATRIX = """
    on: push
    jobs:
      wheels:
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
        runs-on: ${{ matrix.os }}
        steps:
          - run: twine upload -p $env:TOKEN dist/*
          - if: runner.os == 'Windows'
            run: twine upload -p $env:TOKEN dist/*
          - if: runner.os == 'Windows'
            shell: bash
            run: twine upload -p $env:TOKEN dist/*
          - run: pwsh -File ci/upload.ps1
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
        env:
          TOKEN: ${{ secrets.PYPI_TOKEN }}
"""


def test_step_shell_from_matrix_legs_and_shell_setting(tmp_path: Path) -> None:
    model = model_of(
        tmp_path, {".github/workflows/release.yml": MATRIX, "ci/upload.ps1": UPLOAD_PS1}
    )
    uploads = sorted(uploads_of(model, "twine"), key=lambda u: (u.source.rel, u.loc.start))
    secrets = [[c.secret for c in u.token_credentials] for u in uploads]
    # the matrix step may run on Linux (bash: `$env:TOKEN` is no variable there), the one
    # kept to Windows runs in pwsh, the one with `shell: bash` in bash; the script is
    # PowerShell whatever runs it
    assert [u.source.rel for u in uploads] == [".github/workflows/release.yml"] * 3 + [
        "ci/upload.ps1"
    ]
    assert secrets[1] == ["PYPI_TOKEN"]
    assert secrets[0] != ["PYPI_TOKEN"] and secrets[2] != ["PYPI_TOKEN"]
    assert secrets[3] == ["PYPI_API_TOKEN"]


def test_cmd_step_calls_a_batch_file(tmp_path: Path) -> None:
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: windows-latest
            steps:
              - shell: cmd
                run: call ci\\appveyor\\publish.bat
                env:
                  PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
    """
    bat = """
        @echo off
        setlocal
        set TWINE_USERNAME=__token__
        set TWINE_PASSWORD=%PYPI_TOKEN%
        python -m twine upload --skip-existing dist\\*
    """
    model = model_of(
        tmp_path, {".github/workflows/release.yml": wf, "ci/appveyor/publish.bat": bat}
    )
    (upload,) = uploads_of(model, "twine")
    assert upload.source.rel == "ci/appveyor/publish.bat"
    assert upload.job is not None and upload.job.id == "publish"
    assert [(c.name, c.secret) for c in upload.token_credentials] == [
        ("TWINE_PASSWORD", "PYPI_TOKEN")
    ]


def test_parsers_never_raise_on_odd_text() -> None:
    odd = [
        "",
        "(",
        ")",
        'if ("',
        "IF NOT",
        "for %%f in (",
        "^",
        "$env:",
        "@'\nunclosed",
        "if ($x) { ",
        "} else {",
        "& ",
        "set",
        "set =",
        '"unterminated',
        "`",
        "function { }",
        "try { } catch [",
        "exit /b",
        "echo %",
    ]
    for text in odd:
        for parse in (parse_cmd, parse_pwsh):
            commands, _nodes = parse(text)
            assert all(c.start <= c.end for c in commands)


def test_sl912_ps1_upload_checked_with_lastexitcode(audit: AuditFn) -> None:
    text = """
        python -m build
        python -m twine upload --skip-existing dist\\*
        if ($LASTEXITCODE) { throw "twine upload failed" }
        python tools\\smoke_test.py
    """
    path = "tools/release.ps1"
    assert audit({path: text}, select=["SL912"]) == []
    unchecked = text.replace('        if ($LASTEXITCODE) { throw "twine upload failed" }\n', "")
    assert audit({path: unchecked}, select=["SL912"]) == [
        hit("SL912", path, unchecked, "twine upload")
    ]


APPVEYOR_GUARDS = """
    environment:
      TWINE_USERNAME: __token__
      TWINE_PASSWORD:
        secure: QWxhZGRpbjpvcGVuIHNlc2FtZQ==
    deploy_script:
      - IF NOT "%TWINE_PASSWORD%"=="" twine upload --skip-existing dist\\*.whl
      - ps: if ($env:APPVEYOR_REPO_TAG -eq "true") { twine upload --skip-existing dist\\*.tar.gz }
"""


def test_sl911_appveyor_items(audit: AuditFn) -> None:
    # the cmd item skips the upload with success when the secure variable is empty (a
    # fork's pull request); the ps item tests the tag, not the token
    assert audit({"appveyor.yml": APPVEYOR_GUARDS}, select=["SL911", "SL912"]) == [
        hit("SL911", "appveyor.yml", APPVEYOR_GUARDS, "%TWINE_PASSWORD%")
    ]


def test_ps1_invoke_expression_and_env_drive_in_any_case(tmp_path: Path) -> None:
    text = """
        If ($Env:APPVEYOR_REPO_TAG -eq "true") {
            Invoke-Expression "twine upload -u __token__ -p $env:PYPI_PASS dist/*.whl"
        }
        & "${Env:PYTHON}\\python.exe" -m twine upload -p ${ENV:PYPI_PASS} dist/*.tar.gz
    """
    model = model_of(tmp_path, {"ci/appveyor/deploy.ps1": text})
    uploads = sorted(uploads_of(model, "twine"), key=lambda u: u.loc.start)
    assert [(u.loc.pos.line, u.loc.pos.col) for u in uploads] == [
        pos_of(text, "twine upload -u"),
        pos_of(text, "twine upload -p"),
    ]
    assert [[c.secret for c in u.token_credentials] for u in uploads] == [
        ["PYPI_PASS"],
        ["PYPI_PASS"],
    ]


def test_travis_pypi_deploy_needs_a_deploy_record(audit: AuditFn) -> None:
    files = {".travis.yml": TRAVIS, "pyproject.toml": '[project]\nname = "demo"\n'}
    assert audit(files, select=["SL801"]) == [hit("SL801", ".travis.yml", TRAVIS, "pypi\n")]


def test_no_audited_job_outlives_its_audit(tmp_path: Path) -> None:
    """Caches keyed by model objects must not keep a root's model alive: a many-root run
    would hold every repository's parsed files (it once grew by 16 MiB on the corpus)."""
    import gc

    from shiplint.model import shell_dialects
    from tests.conftest import run_audit

    wf = """
        on: push
        jobs:
          win:
            runs-on: windows-latest
            steps:
              - run: twine upload dist/*
    """
    write_tree(tmp_path, {".github/workflows/release.yml": wf})
    run_audit(tmp_path)
    gc.collect()
    assert len(shell_dialects._RUNNERS) == 0


AZURE = """
    jobs:
      - job: wheels_windows
        pool:
          vmImage: windows-2022
        steps:
          - script: python -m twine upload -u __token__ -p %PYPI_TOKEN% dist/*
      - job: sdist
        pool:
          vmImage: ubuntu-latest
        steps:
          - script: python -m twine upload -u __token__ -p $PYPI_TOKEN dist/*
"""


def test_azure_script_steps_run_in_cmd_on_windows_agents(tmp_path: Path, audit: AuditFn) -> None:
    """Azure Pipelines runs `script:` in cmd.exe on Windows agents and in Bash elsewhere."""
    write_tree(tmp_path, {"azure-pipelines.yml": AZURE})
    uploads = open_project(str(tmp_path)).model.uploads
    # the token is the variable PYPI_TOKEN in both shells, never a value written out
    assert [[(c.name, c.secret, c.literal) for c in u.token_credentials] for u in uploads] == [
        [("-p", "PYPI_TOKEN", False)],
        [("-p", "PYPI_TOKEN", False)],
    ]
    # read as Bash, `%PYPI_TOKEN%` would be a password written in the file
    assert audit({"azure-pipelines.yml": AZURE}, select=["SL503"]) == []
