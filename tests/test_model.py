"""The release model: uploads, credentials, targets, contexts and indexes from every source."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from packaging.version import Version

from shiplint.engine import open_project
from shiplint.findings import Finding
from shiplint.model import ReleaseModel, Upload
from shiplint.model.inventory import inventory
from tests.conftest import pos_of, write_tree


def model_of(tmp_path: Path, files: dict[str, str]) -> ReleaseModel:
    write_tree(tmp_path, files)
    return open_project(str(tmp_path)).model


def only(uploads: list[Upload], tool: str) -> Upload:
    found = [u for u in uploads if u.tool == tool]
    assert len(found) == 1, [u.tool for u in uploads]
    return found[0]


def test_action_uploads_with_versions_runners_and_credentials(tmp_path: Path) -> None:
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-22.04, windows-latest]
            environment:
              name: pypi
              url: https://pypi.org/p/demo
            permissions:
              id-token: write
            steps:
              - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{ secrets.TEST_PYPI_TOKEN }}
                  repository-url: https://test.pypi.org/legacy/
    """
    model = model_of(tmp_path, {".github/workflows/release.yml": wf})
    first, second = model.uploads
    assert first.version == Version("1.12.4")
    assert first.oidc and [c.via for c in first.credentials] == ["oidc"]
    job = first.job
    assert job is not None
    assert [v.text for v in job.runs_on] == ["ubuntu-22.04", "windows-latest"]
    assert job.runs_on[1].loc is not None
    assert job.runs_on[1].loc.pos == pos_of(wf, "windows-latest")
    assert job.id_token_write
    assert job.environment is not None and job.environment.text == "pypi"
    assert second.version is None and second.ref == "release/v1"
    assert second.index == "testpypi"
    (cred,) = second.credentials
    assert (cred.via, cred.secret, cred.name, cred.literal) == (
        "input",
        "TEST_PYPI_TOKEN",
        "password",
        False,
    )
    assert cred.loc.pos == pos_of(wf, "${{ secrets.TEST_PYPI_TOKEN }}")


def test_script_called_from_step_inherits_job_and_env(tmp_path: Path) -> None:
    wf = """
        on:
          schedule: [{cron: "0 3 * * *"}]
        jobs:
          nightly:
            runs-on: ubuntu-latest
            steps:
              - run: bash ./tools/wheels/upload_wheels.sh
                env:
                  NUMPY_NIGHTLY_UPLOAD_TOKEN: ${{ secrets.NUMPY_NIGHTLY_UPLOAD_TOKEN }}
    """
    script = """
        set -e
        ANACONDA_ORG="scientific-python-nightly-wheels"
        TOKEN="$NUMPY_NIGHTLY_UPLOAD_TOKEN"
        anaconda -q -t ${TOKEN} upload --force -u ${ANACONDA_ORG} ./wheelhouse/*.whl
    """
    model = model_of(
        tmp_path, {".github/workflows/wheels.yml": wf, "tools/wheels/upload_wheels.sh": script}
    )
    upload = only(model.uploads, "anaconda")
    assert upload.context.origin == "script"
    assert upload.job is not None and upload.job.id == "nightly"
    assert upload.job.triggers == ["schedule"]
    assert upload.target is not None and upload.target.text == "scientific-python-nightly-wheels"
    assert upload.target.loc is not None
    assert upload.target.loc.pos == pos_of(script, "scientific-python-nightly-wheels")
    (cred,) = upload.credentials
    assert (cred.via, cred.secret, cred.name) == ("flag", "NUMPY_NIGHTLY_UPLOAD_TOKEN", "-t")


def test_cli_publishers_and_env_credentials(tmp_path: Path) -> None:
    wf = """
        on: [release]
        jobs:
          up:
            runs-on: ubuntu-latest
            env:
              TWINE_USERNAME: __token__
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
            steps:
              - run: |
                  python -m pip install twine
                  python -m twine upload -r testpypi --skip-existing dist/*
              - run: uv publish
              - run: hatch publish -u __token__ -a "$HATCH_TOKEN"
                env:
                  HATCH_TOKEN: ${{ secrets.HATCH }}
    """
    model = model_of(tmp_path, {".github/workflows/release.yml": wf})
    twine = only(model.uploads, "twine")
    assert twine.index == "testpypi"
    assert twine.loc.pos == pos_of(wf, "twine upload")
    assert sorted((c.name, c.secret, c.username) for c in twine.credentials) == [
        ("TWINE_PASSWORD", "PYPI_API_TOKEN", False),
        ("TWINE_USERNAME", None, True),
    ]
    uv = only(model.uploads, "uv")
    assert uv.oidc
    hatch = only(model.uploads, "hatch")
    assert [(c.name, c.secret) for c in hatch.token_credentials] == [("-a", "HATCH")]


def test_tox_makefile_nox_and_setup_py_uploads(tmp_path: Path) -> None:
    files = {
        "tox.toml": """
            [env.release]
            skip_install = true
            deps = ["twine"]
            commands = [["twine", "upload", "--repository-url", "https://test.pypi.org/legacy/", "dist/*"]]
        """,
        "Makefile": """
            REPO = https://upload.pypi.org/legacy/
            release: dist
            \t@twine upload --repository-url $(REPO) dist/*
            legacy:
            \tpython setup.py sdist upload
        """,
        "noxfile.py": """
            import nox

            @nox.session
            def publish(session):
                session.install("twine")
                session.run("twine", "upload", "dist/*")
        """,
    }
    model = model_of(tmp_path, files)
    by_origin = sorted((u.context.origin, u.tool, u.context.label) for u in model.uploads)
    assert by_origin == [
        ("makefile", "setup.py", "legacy"),
        ("makefile", "twine", "release"),
        ("nox", "twine", "publish"),
        ("tox", "twine", "release"),
    ]
    tox = next(u for u in model.uploads if u.context.origin == "tox")
    assert tox.target is not None and tox.target.text == "https://test.pypi.org/legacy/"
    assert tox.target.loc is not None
    assert tox.target.loc.pos == pos_of(files["tox.toml"], '"https://test.pypi.org/legacy/"')
    make = next(u for u in model.uploads if u.context.origin == "makefile" and u.tool == "twine")
    assert make.target is not None and make.target.text == "https://upload.pypi.org/legacy/"
    nox_upload = next(u for u in model.uploads if u.context.origin == "nox")
    assert nox_upload.loc.pos == pos_of(files["noxfile.py"], '"twine", "upload"')


def test_nox_upload_is_labelled_with_its_session_not_a_nested_helper(tmp_path: Path) -> None:
    files = {
        "noxfile.py": """
            import nox

            def build(session):
                session.run("python", "-m", "build")

            @nox.session
            def release(session):
                def upload():
                    session.run("twine", "upload", "dist/*")
                build(session)
                upload()
        """,
    }
    model = model_of(tmp_path, files)
    labels = {" ".join(c.argv()): c.context.label for c in model.commands}
    assert labels == {"python -m build": "build", "twine upload dist/*": "release"}


def test_cli_upload_to_an_unknown_url_has_that_url_as_index(tmp_path: Path) -> None:
    files = {
        "tox.ini": """
            [testenv:release]
            commands = twine upload --repository-url https://nexus.example.com/pypi/ dist/*
            [testenv:publish]
            commands = uv publish --publish-url https://test.pypi.org/legacy/
        """,
    }
    model = model_of(tmp_path, files)
    assert only(model.uploads, "twine").index == "https://nexus.example.com/pypi/"
    assert only(model.uploads, "uv").index == "testpypi"


def test_indexes_from_pip_env_pyproject_and_conda(tmp_path: Path) -> None:
    files = {
        ".github/workflows/t.yml": """
            on: [push]
            jobs:
              t:
                runs-on: ubuntu-latest
                env:
                  PIP_EXTRA_INDEX_URL: https://pypi.anaconda.org/scientific-python-nightly-wheels/simple
                steps:
                  - run: pip install --index-url=https://example.org/simple pkg
        """,
        "pyproject.toml": """
            [project]
            name = "x"
            [[tool.uv.index]]
            name = "nightly"
            url = "https://pypi.anaconda.org/scientific-python-nightly-wheels/simple"
        """,
    }
    model = model_of(tmp_path, files)
    found = sorted((i.how, i.url.text) for i in model.indexes)
    assert found == [
        ("env", "https://pypi.anaconda.org/scientific-python-nightly-wheels/simple"),
        ("pip-option", "https://example.org/simple"),
        ("pyproject", "https://pypi.anaconda.org/scientific-python-nightly-wheels/simple"),
    ]


def test_pypirc_entries(tmp_path: Path) -> None:
    model = model_of(
        tmp_path,
        {
            ".pypirc": """
        [distutils]
        index-servers =
            pypi
        [pypi]
        username = __token__
        password = ${PYPI_TOKEN}
    """
        },
    )
    (entry,) = model.pypirc
    assert entry.section == "pypi"
    assert entry.username is not None and entry.username.text == "__token__"
    assert entry.password is not None and entry.password.text == "${PYPI_TOKEN}"


# --- tasks a workflow step runs: Makefile targets, tox envs, nox sessions -----------------------

TASKS_WF = """
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        env:
          TWINE_USERNAME: __token__
        steps:
          - run: make -C . release
            env:
              TWINE_PASSWORD: ${{ secrets.MAKE_TOKEN }}
          - run: python -m tox -e lint,release
            env:
              TWINE_PASSWORD: ${{ secrets.TOX_TOKEN }}
          - run: uvx nox --session publish
            env:
              TWINE_PASSWORD: ${{ secrets.NOX_TOKEN }}
"""


def _secrets(upload: Upload) -> list[tuple[str | None, str | None]]:
    return [(c.name, c.secret) for c in upload.token_credentials]


def test_makefile_target_run_by_a_step_gets_its_job_and_env(tmp_path: Path) -> None:
    makefile = """
        TWINE_PASSWORD ?= from-the-makefile
        .PHONY: release upload
        release: upload
        upload: dist
        \ttwine upload dist/*
        local:
        \ttwine upload -r testpypi dist/*
    """
    model = model_of(tmp_path, {".github/workflows/release.yml": TASKS_WF, "Makefile": makefile})
    upload, local = sorted(model.uploads, key=lambda u: u.loc.start)
    # `upload` is a prerequisite of the target the step runs
    assert (upload.context.origin, upload.context.label) == ("makefile", "upload")
    assert upload.job is not None and upload.job.id == "publish"
    assert upload.step is not None and upload.step.index == 0
    # `?=` does not override the step's variable
    assert _secrets(upload) == [("TWINE_PASSWORD", "MAKE_TOKEN")]
    (cred,) = upload.token_credentials
    assert cred.loc.source.rel == ".github/workflows/release.yml"
    assert cred.loc.pos == pos_of(TASKS_WF, "${{ secrets.MAKE_TOKEN }}")
    # a target nothing runs keeps the Makefile's own context
    assert local.job is None and _secrets(local) == [("TWINE_PASSWORD", None)]


def test_default_make_target_and_makefile_option(tmp_path: Path) -> None:
    """`make` reads GNUmakefile before Makefile and runs the first target; `-f` names one."""
    gnu = """
        all:
        \ttwine upload dist/*
        other:
        \ttwine upload -r testpypi dist/*
    """
    plain = """
        all:
        \tflit publish
    """
    files = {"GNUmakefile": gnu, "Makefile": plain}
    wf = TASKS_WF.replace("make -C . release", "make")
    model = model_of(tmp_path, {".github/workflows/release.yml": wf, **files})
    run = sorted((u.source.rel, u.tool, u.job is not None) for u in model.uploads)
    assert run == [
        ("GNUmakefile", "twine", False),
        ("GNUmakefile", "twine", True),
        ("Makefile", "flit", False),
    ]
    wf = TASKS_WF.replace("make -C . release", "make -f Makefile")
    model = model_of(tmp_path, {".github/workflows/release.yml": wf, **files})
    run = sorted((u.source.rel, u.tool, u.job is not None) for u in model.uploads)
    assert run == [
        ("GNUmakefile", "twine", False),
        ("GNUmakefile", "twine", False),
        ("Makefile", "flit", True),
    ]


def test_tox_env_run_by_a_step_gets_only_what_pass_env_lets_through(tmp_path: Path) -> None:
    tox = """
        [testenv]
        passenv = TWINE_*

        [testenv:release]
        commands = twine upload dist/*

        [testenv:closed]
        passenv = HOME
        commands = twine upload -r testpypi dist/*
    """
    wf = TASKS_WF.replace("-e lint,release", "-e lint,release,closed")
    model = model_of(tmp_path, {".github/workflows/release.yml": wf, "tox.ini": tox})
    release, closed = sorted(model.uploads, key=lambda u: u.loc.start)
    # inherited from [testenv]
    assert (release.context.label, release.job is not None) == ("release", True)
    assert _secrets(release) == [("TWINE_PASSWORD", "TOX_TOKEN")]
    # run by the step, but tox drops the token
    assert closed.job is not None and _secrets(closed) == []


def test_tox_toml_env_pass_env(tmp_path: Path) -> None:
    toml = """
        [env_run_base]
        pass_env = ["TWINE_PASSWORD"]

        [env.release]
        commands = [["twine", "upload", "dist/*"]]
    """
    model = model_of(tmp_path, {".github/workflows/release.yml": TASKS_WF, "tox.toml": toml})
    (upload,) = model.uploads
    assert upload.job is not None and _secrets(upload) == [("TWINE_PASSWORD", "TOX_TOKEN")]


def test_nox_session_run_by_a_step_gets_its_job_and_env(tmp_path: Path) -> None:
    noxfile = """
        import nox

        @nox.session(python="3.12")
        def publish(session):
            session.run("twine", "upload", "dist/*")

        @nox.session
        def other(session):
            session.run("twine", "upload", "-r", "testpypi", "dist/*")
    """
    model = model_of(tmp_path, {".github/workflows/release.yml": TASKS_WF, "noxfile.py": noxfile})
    publish, other = sorted(model.uploads, key=lambda u: u.loc.start)
    assert publish.job is not None and _secrets(publish) == [("TWINE_PASSWORD", "NOX_TOKEN")]
    assert other.job is None and _secrets(other) == []


TWO_STEPS_WF = """
    on:
      push:
        tags: ["v*"]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: RUN
            env:
              TWINE_PASSWORD: ${{ secrets.TEST_TOKEN }}
      release:
        runs-on: ubuntu-latest
        steps:
          - run: RUN && RUN
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


def _runs(model: ReleaseModel) -> list[tuple[str, str | None, list[tuple[str | None, str | None]]]]:
    return sorted(
        (u.context.label, u.job.id if u.job else None, _secrets(u)) for u in model.uploads
    )


def test_each_step_running_a_makefile_target_gets_its_own_copy(tmp_path: Path) -> None:
    makefile = """
        release: upload
        upload:
        \ttwine upload dist/*
        other:
        \ttwine upload -r testpypi dist/*
    """
    wf = TWO_STEPS_WF.replace("RUN", "make release upload")
    model = model_of(tmp_path, {".github/workflows/release.yml": wf, "Makefile": makefile})
    # one copy per step (a step naming the target twice, or through a prerequisite, once);
    # the target no step runs keeps its own context
    assert _runs(model) == [
        ("other", None, []),
        ("upload", "release", [("TWINE_PASSWORD", "PYPI_TOKEN")]),
        ("upload", "test", [("TWINE_PASSWORD", "TEST_TOKEN")]),
    ]
    upload = next(u for u in model.uploads if u.job is not None and u.job.id == "test")
    assert upload.step is not None and upload.step.job is upload.job
    (cred,) = upload.token_credentials
    assert cred.loc.pos == pos_of(wf, "${{ secrets.TEST_TOKEN }}")


def test_each_step_running_a_tox_env_or_nox_session_gets_its_own_copy(tmp_path: Path) -> None:
    tox = """
        [testenv:release]
        passenv = TWINE_*
        commands = twine upload dist/*
    """
    noxfile = """
        import nox

        @nox.session
        def release(session):
            session.run("twine", "upload", "dist/*")
    """
    for run, files in (
        ("tox -e release", {"tox.ini": tox}),
        ("nox -s release", {"noxfile.py": noxfile}),
    ):
        wf = TWO_STEPS_WF.replace("RUN", run)
        root = tmp_path / run.split()[0]
        model = model_of(root, {".github/workflows/release.yml": wf, **files})
        assert _runs(model) == [
            ("release", "release", [("TWINE_PASSWORD", "PYPI_TOKEN")]),
            ("release", "test", [("TWINE_PASSWORD", "TEST_TOKEN")]),
        ], run


def test_tox_reads_the_first_configuration_of_its_folder(tmp_path: Path) -> None:
    """tox 4 reads tox.ini, else setup.cfg with [tox:tox], else pyproject.toml with
    [tool.tox], else tox.toml: a step's `tox -e` runs the env of that file only."""
    ini = "[testenv:release]\npassenv = TWINE_*\ncommands = twine upload dist/*\n"
    cfg_tox = "[tox:tox]\n\n" + ini
    toml = '[env.release]\npass_env = ["TWINE_*"]\ncommands = [["twine", "upload", "dist/*"]]\n'
    pyproject = '[tool.tox.env.release]\npass_env = ["TWINE_*"]\n'
    pyproject += 'commands = [["twine", "upload", "dist/*"]]\n'
    wf = TASKS_WF
    cases = [
        ({"tox.ini": ini, "tox.toml": toml}, "tox.ini"),
        ({"setup.cfg": cfg_tox, "tox.toml": toml}, "setup.cfg"),
        # setup.cfg without [tox:tox] is not a tox configuration
        ({"setup.cfg": ini, "tox.toml": toml}, "tox.toml"),
        ({"pyproject.toml": pyproject, "tox.toml": toml}, "pyproject.toml"),
    ]
    for i, (files, linked) in enumerate(cases):
        model = model_of(tmp_path / str(i), {".github/workflows/release.yml": wf, **files})
        run = sorted((u.source.rel, u.job is not None) for u in model.uploads)
        assert run == sorted((rel, rel == linked) for rel in files), files


def test_legacy_tox_ini_is_read_rather_than_the_toml_tables_beside_it(tmp_path: Path) -> None:
    pyproject = (
        '[tool.tox]\nlegacy_tox_ini = """\n[testenv:release]\npassenv = TWINE_*\n'
        'commands = twine upload dist/*\n"""\n\n[tool.tox.env.release]\n'
        'pass_env = ["TWINE_*"]\ncommands = [["flit", "publish"]]\n'
    )
    files = {".github/workflows/release.yml": TASKS_WF, "pyproject.toml": pyproject}
    model = model_of(tmp_path, files)
    run = sorted((u.tool, u.job is not None) for u in model.uploads)
    assert run == [("flit", False), ("twine", True)]


def test_task_calls_are_keyed_by_the_file_they_run(tmp_path: Path) -> None:
    files = {
        ".github/workflows/release.yml": TASKS_WF,
        "Makefile": "release:\n\ttrue\n",
        "tox.ini": "[testenv:release]\ncommands = true\n",
        "noxfile.py": "import nox\n",
    }
    model = model_of(tmp_path, files)
    assert sorted(model.task_calls) == [
        ("make:Makefile", "release"),
        ("nox:noxfile.py", "publish"),
        ("tox:tox.ini", "lint"),
        ("tox:tox.ini", "release"),
    ]
    # no file to run: no call
    model = model_of(tmp_path / "empty", {".github/workflows/release.yml": TASKS_WF})
    assert model.task_calls == {}


# --- scripts run by several steps -----------------------------------------------------------

UPLOAD_SCRIPT = """
    #!/bin/bash
    set -e
    PIP_INDEX_URL=https://mirror.example.org/simple
    twine upload dist/*
"""


def test_each_step_running_a_script_gets_its_own_copy(tmp_path: Path) -> None:
    """A script two jobs run uploads with each job's secret (it had the first job's
    only); the step that runs it twice gives one copy."""
    wf = TWO_STEPS_WF.replace("RUN", "bash tools/upload.sh")
    files = {".github/workflows/release.yml": wf, "tools/upload.sh": UPLOAD_SCRIPT}
    model = model_of(tmp_path, files)
    assert _runs(model) == [
        ("tools/upload.sh", "release", [("TWINE_PASSWORD", "PYPI_TOKEN")]),
        ("tools/upload.sh", "test", [("TWINE_PASSWORD", "TEST_TOKEN")]),
    ]
    assert len(model.script_calls["tools/upload.sh"]) == 3
    for upload in model.uploads:
        assert upload.step is not None and upload.step.job is upload.job
        assert upload.loc.pos == pos_of(UPLOAD_SCRIPT, "twine")
        # the calls this copy runs for: its own step's (twice for the release step)
        calls = model.callers_of("tools/upload.sh", upload.context)
        assert calls and all(call.caller.step is upload.step for call in calls)
        (cred,) = upload.token_credentials
        secret = (
            "TEST_TOKEN" if upload.job is not None and upload.job.id == "test" else "PYPI_TOKEN"
        )
        assert cred.loc.pos == pos_of(wf, f"${{{{ secrets.{secret} }}}}")
    # the script's own assignments are recorded once, not once per copy
    mirror = [v.text for n, v, _ in model.assignments if n == "PIP_INDEX_URL"]
    assert mirror == ["https://mirror.example.org/simple"]
    assert [i.url.text for i in model.indexes] == ["https://mirror.example.org/simple"]


def test_map_lists_the_upload_of_each_step_running_a_script(tmp_path: Path) -> None:
    wf = TWO_STEPS_WF.replace("RUN", "bash tools/upload.sh")
    write_tree(tmp_path, {".github/workflows/release.yml": wf, "tools/upload.sh": UPLOAD_SCRIPT})
    rows = inventory(open_project(str(tmp_path)))["uploads"]
    line, col = pos_of(UPLOAD_SCRIPT, "twine")
    where = f"tools/upload.sh:{line}:{col}"
    assert sorted((r["location"], r["job"], r["credentials"]) for r in rows) == [
        (where, "release", ["token from secret PYPI_TOKEN via env TWINE_PASSWORD"]),
        (where, "test", ["token from secret TEST_TOKEN via env TWINE_PASSWORD"]),
    ]


def test_script_no_step_runs_keeps_one_copy_of_its_own(tmp_path: Path) -> None:
    model = model_of(tmp_path, {"tools/upload.sh": UPLOAD_SCRIPT})
    (upload,) = model.uploads
    assert (upload.context.origin, upload.context.label, upload.job) == (
        "script",
        "tools/upload.sh",
        None,
    )
    assert model.callers_of("tools/upload.sh", upload.context) == []


def test_script_run_twice_by_one_step_with_other_variables_gets_two_copies(
    tmp_path: Path,
) -> None:
    """`TWINE_REPOSITORY_URL=... bash x.sh && bash x.sh`: two runs with different
    environments, as for Makefile targets and tox envs."""
    wf = TWO_STEPS_WF.replace(
        "RUN && RUN",
        "TWINE_REPOSITORY_URL=https://test.pypi.org/legacy/ bash tools/upload.sh "
        "&& bash tools/upload.sh",
    ).replace("RUN", "true")
    model = model_of(
        tmp_path, {".github/workflows/release.yml": wf, "tools/upload.sh": UPLOAD_SCRIPT}
    )
    assert sorted((u.job.id if u.job else None, u.index) for u in model.uploads) == [
        ("release", "pypi"),
        ("release", "testpypi"),
    ]


def test_rules_on_a_script_two_workflows_run_report_once_for_the_step_that_has_the_problem(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    """The release job is fine; the branch-push/pull-request job that runs the same script
    uploads to TestPyPI from fork pull requests with a static version. Those problems are
    the second caller's (they were missed: the script had the first caller's job only);
    rules reporting on the script line report once, about the copy that has the problem."""
    release = """
        on:
          push:
            tags: ["v*"]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
                env:
                  TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
    """
    testing = """
        on:
          push:
            branches: [main]
          pull_request:
        jobs:
          test-upload:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
                env:
                  TWINE_REPOSITORY_URL: https://test.pypi.org/legacy/
                  TWINE_PASSWORD: ${{ secrets.TEST_PYPI_TOKEN }}
    """
    script = "#!/bin/bash\ntwine upload dist/*\necho uploaded\n"
    files = {
        ".github/workflows/release.yml": release,
        ".github/workflows/test-upload.yml": testing,
        "tools/upload.sh": script,
        "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n',
    }
    found = audit_findings(files, select=["SL306", "SL406", "SL723", "SL912"])
    line, col = pos_of(script, "twine")
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        (rule, "tools/upload.sh", line, col) for rule in ("SL306", "SL406", "SL723", "SL912")
    ]
    messages = {f.rule: f.message for f in found}
    assert "upload to TestPyPI runs on a push to `main`" in messages["SL723"]
    # the first copy (the release job's) is the one SL306 describes
    assert "to PyPI with a long-lived token (secret `PYPI_TOKEN`)" in messages["SL306"]
    # the testing job runs on tags only: what is left is true of both jobs
    files[".github/workflows/test-upload.yml"] = testing.replace(
        "branches: [main]", 'tags: ["v*"]'
    ).replace("\n          pull_request:", "")
    found = audit_findings(files, select=["SL306", "SL406", "SL723", "SL912"])
    assert [f.rule for f in found] == ["SL306", "SL912"]


def test_self_repository_references_name_local_workflows(tmp_path: Path) -> None:
    """`uses: $/...` is this repository's file at the running commit (GitHub changelog
    2026-07-30), like `./...`; `owner/repo/...@ref` is another repository's."""
    from shiplint.model.workflows import callers, local_callee, local_uses_path

    callee = "on: {workflow_call: {}}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n"
    caller = (
        "on: push\njobs:\n"
        "  self:\n    uses: $/.github/workflows/called.yml\n"
        "  dot:\n    uses: ./.github/workflows/called.yml\n"
        "  remote:\n    uses: acme/tools/.github/workflows/called.yml@v1\n"
    )
    write_tree(
        tmp_path,
        {".github/workflows/called.yml": callee, ".github/workflows/caller.yml": caller},
    )
    model = open_project(str(tmp_path)).model
    (called,) = [w for w in model.workflows if w.source.rel.endswith("called.yml")]
    assert local_uses_path(" $/.github/actions/x ") == ".github/actions/x"
    assert local_uses_path("acme/tools/.github/workflows/called.yml@v1") is None
    assert local_callee(model, "$/.github/workflows/called.yml") is called
    assert [job.id for job in callers(model, called)] == ["self", "dot"]


def test_binstar_is_the_anaconda_client_cli(tmp_path: Path) -> None:
    """anaconda-client still installs `binstar` and `conda-server` for the same CLI as
    `anaconda` (holoviz/param uploads with `binstar --token ... upload`)."""
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          conda:
            runs-on: ubuntu-latest
            steps:
              - run: binstar --token ${{ secrets.CONDA_UPLOAD_TOKEN }} upload --user pyviz dist/*.conda
              - run: conda-server upload -u pyviz dist/*.conda
                env: {BINSTAR_API_TOKEN: "${{ secrets.CONDA_UPLOAD_TOKEN }}"}
              - run: binstar --version
    """
    model = model_of(tmp_path, {".github/workflows/release.yml": wf})
    uploads = [u for u in model.uploads if u.tool == "anaconda"]
    assert [u.loc.pos for u in uploads] == [
        pos_of(wf, "binstar --token"),
        pos_of(wf, "conda-server upload"),
    ]
    assert [(u.target.text if u.target else None) for u in uploads] == ["pyviz", "pyviz"]
    assert [[c.secret for c in u.token_credentials] for u in uploads] == [
        ["CONDA_UPLOAD_TOKEN"],
        ["CONDA_UPLOAD_TOKEN"],
    ]
