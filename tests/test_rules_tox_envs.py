"""SL901: tox environments run by CI that drop the upload credentials."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.engine import open_project
from shiplint.findings import Finding
from shiplint.rules.tox_envs import ToxUploadDropsCredentials
from tests.conftest import AuditFn, hit, pos_of, write_tree
from tests.rule_examples import assert_examples

FindingsFn = Callable[..., "list[Finding]"]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


RELEASE_WORKFLOW = """
    on:
      push:
        tags: ["v*"]
    jobs:
      release:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: python -m pip install tox
          - run: tox -e release
            env:
              TWINE_USERNAME: __token__
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
"""

# ridgeplot before tpvasconcelos/ridgeplot#27: the release env passes nothing.
TOX_INI = """
    [tox]
    envlist = py3{9,10,11}

    [testenv]
    deps = pytest
    commands = pytest {posargs}

    [testenv:release]
    skip_install = true
    deps =
        build
        twine
    commands =
        python -m build
        python -m twine upload --non-interactive dist/*
"""


def test_sl901_tox_ini_release_env_run_by_ci(audit: AuditFn) -> None:
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", TOX_INI, "twine upload")]


def test_sl901_message_names_the_variables_and_where_to_add_them(
    audit_findings: FindingsFn,
) -> None:
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    (finding,) = audit_findings(files, select=["SL901"])
    assert "tox env `release` runs `twine upload`" in finding.message
    assert "TWINE_PASSWORD" in finding.message
    assert "[testenv:release]\n    pass_env =\n        TWINE_USERNAME" in finding.help
    assert ".github/workflows/release.yml:10" in finding.help


@pytest.mark.parametrize(
    "setting",
    [
        "passenv = TWINE_PASSWORD",
        "pass_env =\n    TWINE_USERNAME\n    TWINE_PASSWORD",
        "passenv = TWINE_*",
        "passenv = CI, TWINE_PASSWORD",
        "setenv =\n    TWINE_PASSWORD = {env:PYPI_API_TOKEN}",
        "passenv =\n    GITHUB_ACTIONS\n    ACTIONS_ID_TOKEN_REQUEST_*",
    ],
)
def test_sl901_credentials_passed(audit: AuditFn, setting: str) -> None:
    tox = TOX_INI.replace(
        "    skip_install = true\n", f"    skip_install = true\n{_indent(setting)}\n"
    )
    files = {"tox.ini": tox, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == []


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def test_sl901_pass_env_inherited_from_testenv_and_referenced(audit: AuditFn) -> None:
    inherited = TOX_INI.replace("    deps = pytest\n", "    deps = pytest\n    passenv = TWINE_*\n")
    files = {"tox.ini": inherited, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == []
    # an env's own pass_env replaces the base one, unless it references it
    own = inherited.replace(
        "    skip_install = true\n", "    skip_install = true\n    passenv = CI\n"
    )
    files["tox.ini"] = own
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", own, "twine upload")]
    ref = inherited.replace(
        "    skip_install = true\n",
        "    skip_install = true\n    passenv =\n        CI\n        {[testenv]passenv}\n",
    )
    files["tox.ini"] = ref
    assert audit(files, select=["SL901"]) == []


def _with_settings(*settings: str) -> str:
    lines = "".join(f"{_indent(setting)}\n" for setting in settings)
    return TOX_INI.replace("    skip_install = true\n", f"    skip_install = true\n{lines}")


def test_sl901_disallow_pass_env_drops_what_pass_env_lets_through(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """tox's `disallow_pass_env` wins over `pass_env`: `TWINE_*` passes TWINE_PASSWORD
    unless it is disallowed."""
    tox = _with_settings("pass_env = TWINE_*", "disallow_pass_env = TWINE_PASSWORD")
    files = {"tox.ini": tox, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", tox, "twine upload")]
    (finding,) = audit_findings(files, select=["SL901"])
    assert "its disallow_pass_env drops TWINE_PASSWORD, which its pass_env lets through" in (
        finding.message
    )
    assert finding.help.startswith("`disallow_pass_env` wins over `pass_env`: remove TWINE_")
    # a glob, and one inherited from [testenv], drop it too
    tox = _with_settings("pass_env = TWINE_*", "disallow_pass_env =\n    CI\n    TWINE_PASS*")
    files["tox.ini"] = tox
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", tox, "twine upload")]
    tox = _with_settings("pass_env = TWINE_*").replace(
        "    deps = pytest\n", "    deps = pytest\n    disallow_pass_env = TWINE_PASSWORD\n"
    )
    files["tox.ini"] = tox
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", tox, "twine upload")]


@pytest.mark.parametrize(
    "disallowed",
    [
        "disallow_pass_env = TWINE_REPOSITORY_URL",
        "disallow_pass_env =\n    CI\n    PYPI_*",
    ],
)
def test_sl901_disallow_pass_env_of_other_names(audit: AuditFn, disallowed: str) -> None:
    tox = _with_settings("pass_env = TWINE_*", disallowed)
    files = {"tox.ini": tox, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == []
    # set_env sets the variable in the env: nothing to drop
    tox = _with_settings(
        "disallow_pass_env = TWINE_PASSWORD",
        "set_env =\n    TWINE_PASSWORD = {env:PYPI_API_TOKEN}",
    )
    files["tox.ini"] = tox
    assert audit(files, select=["SL901"]) == []


def test_sl901_disallow_pass_env_in_tox_toml(audit: AuditFn) -> None:
    own = TOX_TOML.replace(
        "skip_install = true",
        'skip_install = true\npass_env = ["UV_*"]\ndisallow_pass_env = ["UV_PUBLISH_*"]',
    )
    files = {"tox.toml": own, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.toml", own, '"uv"', 2)]
    files["tox.toml"] = own.replace('["UV_PUBLISH_*"]', '["UV_CACHE_DIR"]')
    assert audit(files, select=["SL901"]) == []


def test_sl901_env_not_run_by_ci_is_left_to_the_plugin(audit: AuditFn) -> None:
    # flake8's release env: run by a maintainer with ~/.pypirc, never by CI
    files = {
        "tox.ini": TOX_INI,
        ".github/workflows/test.yml": RELEASE_WORKFLOW.replace("tox -e release", "tox -e py311"),
    }
    assert audit(files, select=["SL901"]) == []


def test_sl901_ci_writes_pypirc_before_running_tox(audit: AuditFn) -> None:
    wf = RELEASE_WORKFLOW.replace(
        "      - run: python -m pip install tox\n",
        "      - run: python -m pip install tox\n"
        '      - run: printf "[pypi]\\nusername = __token__\\npassword = %s\\n" "$T" > ~/.pypirc\n',
    )
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": wf}
    assert audit(files, select=["SL901"]) == []


def test_sl901_matrix_env_and_toxenv(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          tox:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                toxenv: [py312, release]
            steps:
              - run: tox -e ${{ matrix.toxenv }}
    """
    files = {"tox.ini": TOX_INI, ".github/workflows/ci.yml": wf}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", TOX_INI, "twine upload")]
    gitlab = """
        release:
          variables:
            TOXENV: release
          script:
            - tox
    """
    files = {"tox.ini": TOX_INI, ".gitlab-ci.yml": gitlab}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", TOX_INI, "twine upload")]


def test_sl901_setup_cfg(audit: AuditFn) -> None:
    cfg = """
        [metadata]
        name = demo

        [testenv:release]
        commands =
            flit publish
    """
    files = {"setup.cfg": cfg, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [hit("SL901", "setup.cfg", cfg, "flit publish")]


TOX_TOML = """
    env_list = ["py312"]

    [env_run_base]
    deps = ["pytest"]
    commands = [["pytest"]]

    [env.release]
    skip_install = true
    deps = ["build", "uv"]
    commands = [["python", "-m", "build"], ["uv", "publish", "--trusted-publishing", "never"]]
"""


def test_sl901_tox_toml(audit: AuditFn) -> None:
    files = {"tox.toml": TOX_TOML, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.toml", TOX_TOML, '"uv"', 2)]
    inherited = TOX_TOML.replace('deps = ["pytest"]', 'deps = ["pytest"]\npass_env = ["UV_*"]')
    files["tox.toml"] = dedent(inherited)
    assert audit(files, select=["SL901"]) == []
    own = TOX_TOML.replace(
        "skip_install = true", 'skip_install = true\npass_env = ["UV_PUBLISH_TOKEN"]'
    )
    files["tox.toml"] = own
    assert audit(files, select=["SL901"]) == []


def test_sl901_pyproject_tool_tox(audit: AuditFn) -> None:
    pyproject = """
        [project]
        name = "demo"

        [tool.tox.env.release]
        commands = [["hatch", "publish"]]
    """
    files = {"pyproject.toml": pyproject, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [hit("SL901", "pyproject.toml", pyproject, '"hatch"')]
    fixed = pyproject + '        pass_env = ["HATCH_INDEX_USER", "HATCH_INDEX_AUTH"]\n'
    files["pyproject.toml"] = fixed
    assert audit(files, select=["SL901"]) == []


LEGACY = """
    [project]
    name = "demo"

    [tool.tox]
    legacy_tox_ini = '''
    [testenv:release]
    deps = twine
    commands =
        twine upload dist/*
    '''
"""


def test_sl901_legacy_tox_ini(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {"pyproject.toml": LEGACY, ".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert audit(files, select=["SL901"]) == [
        hit("SL901", "pyproject.toml", LEGACY, "twine upload")
    ]
    (finding,) = audit_findings(files, select=["SL901"])
    assert "[testenv:release]\n    pass_env =" in finding.help  # ini style, as in the string
    fixed = LEGACY.replace("deps = twine\n", "deps = twine\n    passenv = TWINE_PASSWORD\n")
    files["pyproject.toml"] = fixed
    assert audit(files, select=["SL901"]) == []


def _legacy_upload_pos(tmp_path: Path, pyproject: str) -> tuple[int, int]:
    write_tree(tmp_path, {"pyproject.toml": pyproject})
    model = open_project(str(tmp_path)).model
    (upload,) = model.uploads
    assert upload.context.origin == "tox"
    assert upload.context.label == "release"
    pos = upload.loc.pos
    return pos.line, pos.col


def test_legacy_tox_ini_positions_in_pyproject(tmp_path: Path) -> None:
    # a literal string: positions map into pyproject.toml exactly
    assert _legacy_upload_pos(tmp_path, LEGACY) == pos_of(LEGACY, "twine upload")
    # a basic string without escapes maps the same way
    basic = LEGACY.replace("'''", '"""')
    assert _legacy_upload_pos(tmp_path, basic) == pos_of(basic, "twine upload")


def test_legacy_tox_ini_with_escapes_points_at_the_key(tmp_path: Path) -> None:
    escaped = LEGACY.replace("'''", '"""').replace("deps = twine", "deps = twine\\n    build")
    assert _legacy_upload_pos(tmp_path, escaped) == pos_of(escaped, "legacy_tox_ini")
    single = """
        [tool.tox]
        legacy_tox_ini = "[testenv:release]\\ncommands = twine upload dist/*\\n"
    """
    assert _legacy_upload_pos(tmp_path, single) == pos_of(single, "legacy_tox_ini")


def test_legacy_tox_ini_set_env_reaches_commands(tmp_path: Path) -> None:
    pyproject = LEGACY.replace(
        "deps = twine\n",
        "deps = twine\n    setenv =\n        TWINE_REPOSITORY_URL = https://test.pypi.org/legacy/\n",
    )
    write_tree(tmp_path, {"pyproject.toml": pyproject})
    model = open_project(str(tmp_path)).model
    (upload,) = model.uploads
    assert upload.index == "testpypi"
    assert upload.target is not None and upload.target.loc is not None
    assert upload.target.loc.pos == pos_of(pyproject, "https://test.pypi.org/legacy/")


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    extra = {".github/workflows/release.yml": RELEASE_WORKFLOW}
    assert_examples(audit, tmp_path, ToxUploadDropsCredentials, extra)


# --- what tox passes by default, and what shiplint cannot see -----------------------------------

UV_TOX_TOML = """
    requires = ["tox>=4.21"]
    env_list = ["py312"]

    [env.release]
    skip_install = true
    deps = ["build"]
    commands = [["python", "-m", "build"], ["uv", "publish"]]
"""

UV_WORKFLOW = """
    on:
      push:
        tags: ["v*"]
    jobs:
      release:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: astral-sh/setup-uv@v6
          - run: {install}
          - run: tox -e release
            env:
              UV_PUBLISH_TOKEN: ${{{{ secrets.PYPI_API_TOKEN }}}}
"""


def test_sl901_uv_publish_with_plain_tox_drops_the_token(audit: AuditFn) -> None:
    # tox 4 passes no UV_* variable by default (tox_env/api.py, checked at 4.67.17)
    files = {
        "tox.toml": UV_TOX_TOML,
        ".github/workflows/release.yml": UV_WORKFLOW.format(install="uv tool install tox"),
    }
    assert audit(files, select=["SL901"]) == [
        hit("SL901", "tox.toml", UV_TOX_TOML, '"uv", "publish"')
    ]


@pytest.mark.parametrize(
    ("tox_toml", "install"),
    [
        # the CI job installs tox-uv next to tox
        (UV_TOX_TOML, "uv tool install tox --with tox-uv"),
        (UV_TOX_TOML, "python -m pip install tox tox-uv"),
        # the configuration requires it
        (UV_TOX_TOML.replace('"tox>=4.21"', '"tox>=4.21", "tox-uv>=1.4"'), "pip install tox"),
    ],
)
def test_sl901_tox_uv_passes_uv_variables_by_default(
    audit: AuditFn, tox_toml: str, install: str
) -> None:
    # tox-uv's runners add UV_* to the default pass_env (tox-uv >= 1.4.0)
    files = {
        "tox.toml": tox_toml,
        ".github/workflows/release.yml": UV_WORKFLOW.format(install=install),
    }
    assert audit(files, select=["SL901"]) == []


def test_sl901_tox_uv_installed_but_the_env_uses_virtualenv(audit: AuditFn) -> None:
    tox_toml = UV_TOX_TOML.replace(
        "skip_install = true", 'skip_install = true\nrunner = "virtualenv"'
    )
    files = {
        "tox.toml": tox_toml,
        ".github/workflows/release.yml": UV_WORKFLOW.format(
            install="python -m pip install tox tox-uv"
        ),
    }
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.toml", tox_toml, '"uv", "publish"')]


def test_sl901_tox_uv_does_not_pass_twine_variables(audit: AuditFn) -> None:
    workflow = RELEASE_WORKFLOW.replace("pip install tox", "pip install tox tox-uv")
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": workflow}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", TOX_INI, "twine upload")]


@pytest.mark.parametrize(
    "run",
    [
        "tox -e release -x testenv:release.pass_env+=TWINE_PASSWORD",
        'tox -e release --override "testenv:release.passenv=TWINE_*"',
        "tox -e release --override=testenv.set_env+=TWINE_PASSWORD={env:PYPI_TOKEN}",
    ],
)
def test_sl901_override_of_pass_env_on_the_command_line_is_not_judged(
    audit: AuditFn, run: str
) -> None:
    workflow = RELEASE_WORKFLOW.replace("- run: tox -e release", f"- run: {run}")
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": workflow}
    assert audit(files, select=["SL901"]) == []


def test_sl901_tox_override_variable_and_unrelated_overrides(audit: AuditFn) -> None:
    passing = RELEASE_WORKFLOW.replace(
        "TWINE_USERNAME: __token__",
        "TWINE_USERNAME: __token__\n              TOX_OVERRIDE: testenv:release.pass_env+=TWINE_*",
    )
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": passing}
    assert audit(files, select=["SL901"]) == []
    # an override of another setting changes nothing about the credentials
    other = RELEASE_WORKFLOW.replace(
        "- run: tox -e release", "- run: tox -e release -x testenv.deps+=wheel"
    )
    files = {"tox.ini": TOX_INI, ".github/workflows/release.yml": other}
    assert audit(files, select=["SL901"]) == [hit("SL901", "tox.ini", TOX_INI, "twine upload")]
