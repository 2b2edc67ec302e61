"""The tox plugin (shiplint.integrations.tox_plugin), run by tox itself.

The in-process tests use tox's own ``tox_project`` fixture from ``tox.pytest``. Its fixtures
are imported into this module rather than enabled with ``pytest_plugins = "tox.pytest"``:
a plugin applies its autouse fixtures to the whole session, and tox's point ``PIP_INDEX_URL``
at a dead port, which would break the other integration tests that install packages. Imported
here they apply to this module only. The plugin itself is loaded the way users get it: from
the ``tox`` entry point of the installed shiplint.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import zipfile
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pytest
from tox.pytest import (  # noqa: F401 - fixtures, active for this module
    _disable_root_tox_py,
    _invalid_index_fake_port,
    check_os_environ_stable,
    disable_pip_pypi_access,
    enable_pip_pypi_access_fixture,
    ensure_logging_framework_not_altered,
    init_fixture,
    no_color,
)

from shiplint.integrations import tox_guard
from tests.conftest import pos_of

if TYPE_CHECKING:
    from pytest_mock import MockerFixture
    from tox.execute.request import ExecuteRequest
    from tox.pytest import ToxProject, ToxProjectCreator, ToxRunOutcome

TODAY = dt.date.today().isoformat()

UNDOCUMENTED = """\
[project]
name = "demo"
version = "0.1"
"""

DOCUMENTED = f"""\
[project]
name = "demo"
version = "0.1"

[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
account = "demo-bot"
email-verified = {TODAY}
maintainers = ["jdoe", "asmith"]
"""

# a record for an index nothing uploads to any more: SL814, a warning
STALE = f"""\
[tool.shiplint]
fail-on = "error"

[tool.shiplint.deploy.old]
index = "testpypi"
auth = "token"
account = "demo-bot"
email-verified = {TODAY}
maintainers = ["jdoe", "asmith"]

"""

RELEASE_INI = """\
[testenv:hello]
skip_install = true
commands = python -c 'print("hello")'

[testenv:release]
skip_install = true
pass_env = TWINE_*
commands = twine upload dist/*
"""


def tox_ini(**overrides: str) -> str:
    """RELEASE_INI with extra lines at the end of the named env sections."""
    text = RELEASE_INI
    for env, extra in overrides.items():
        header = f"[testenv:{env}]\n"
        text = text.replace(header, header + extra + "\n")
    return text


@pytest.fixture
def project(
    tox_project: ToxProjectCreator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., ToxProject]:
    """A tox project; HOME is an empty folder (no ~/.pypirc) and commands are not run for
    real: each one is answered with exit code 0 and recorded in ``ran``."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))

    patched: list[bool] = []

    def make(files: dict[str, str]) -> ToxProject:
        created = tox_project(files)
        if not patched:  # the patch is on tox's class: once per test
            created.patch_execute(_record)
            patched.append(True)
        return created

    return make


ran: list[str] = []


def _record(request: ExecuteRequest) -> int:
    # only the env's own commands: on CI tox also lists the installed packages
    # (``pip freeze``), which is not what these tests are about
    if request.run_id.startswith("commands["):
        ran.append(request.shell_cmd)
    return 0


@pytest.fixture(autouse=True)
def _clear_ran() -> None:
    ran.clear()


def commands_ran(result: ToxRunOutcome, env: str) -> bool:
    return f"{env}: commands[0]>" in result.out


def test_plugin_is_registered_under_the_tox_entry_point_group() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="tox")}
    assert found.get("shiplint") == "shiplint.integrations.tox_plugin"


def _imports_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_shiplint_never_needs_tox_and_the_plugin_loads_no_engine() -> None:
    without = _imports_after(
        "import shiplint, shiplint.cli, shiplint.engine, shiplint.integrations.tox_guard, "
        "shiplint.pkg.tool_credentials"
    )
    assert not {m for m in without if m == "tox" or m.startswith("tox.")}
    plugin = _imports_after("import shiplint.integrations.tox_plugin")
    assert "tox.plugin" in plugin
    assert not {"shiplint.engine", "shiplint.model", "shiplint.integrations.tox_guard"} & plugin


def test_upload_env_with_a_broken_release_config_fails_before_its_commands(
    project: Callable[..., ToxProject],
) -> None:
    result = project({"tox.ini": RELEASE_INI, "pyproject.toml": UNDOCUMENTED}).run("-e", "release")
    result.assert_failed(code=1)
    line, col = pos_of(RELEASE_INI, "twine upload")
    assert "release: failed with shiplint stopped tox env `release` before its commands ran" in (
        result.out
    )
    assert f"tox.ini:{line}:{col}: SL801 [error] twine upload to PyPI" in result.out
    assert "[tool.shiplint.deploy.pypi]" in result.out  # the guidance: the record to add
    assert "tox --no-shiplint" in result.out
    assert "let no credentials through" not in result.out  # pass_env = TWINE_* is right
    assert not commands_ran(result, "release")
    assert not any("twine" in cmd for cmd in ran)
    assert "release: FAIL code 1" in result.out


def test_env_without_uploads_is_not_audited(
    project: Callable[..., ToxProject], mocker: MockerFixture
) -> None:
    judge = mocker.spy(tox_guard, "judge")
    result = project({"tox.ini": RELEASE_INI, "pyproject.toml": UNDOCUMENTED}).run("-e", "hello")
    result.assert_success()
    assert commands_ran(result, "hello")
    assert "shiplint" not in result.out
    assert judge.call_count == 0


def test_shiplint_false_turns_the_guard_off(
    project: Callable[..., ToxProject], mocker: MockerFixture
) -> None:
    judge = mocker.spy(tox_guard, "judge")
    files = {"tox.ini": tox_ini(release="shiplint = false"), "pyproject.toml": UNDOCUMENTED}
    result = project(files).run("-e", "release")
    result.assert_success()
    assert commands_ran(result, "release")
    assert ran == ["twine upload 'dist/*'"]
    assert judge.call_count == 0


def test_shiplint_true_forces_the_guard_on_an_env_without_uploads(
    project: Callable[..., ToxProject],
) -> None:
    ini = tox_ini(hello="shiplint = true")
    result = project({"tox.ini": ini, "pyproject.toml": UNDOCUMENTED}).run("-e", "hello")
    result.assert_failed(code=1)
    line, col = pos_of(ini, "twine upload")
    assert "hello: failed with shiplint stopped tox env `hello`" in result.out
    assert f"tox.ini:{line}:{col}: SL801 [error]" in result.out
    assert "passes it no credentials" not in result.out
    assert not commands_ran(result, "hello")


def test_shiplint_true_on_a_clean_project_lets_the_env_run(
    project: Callable[..., ToxProject],
) -> None:
    ini = tox_ini(hello="shiplint = true")
    result = project({"tox.ini": ini, "pyproject.toml": DOCUMENTED}).run("-e", "hello")
    result.assert_success()
    assert commands_ran(result, "hello")


def test_no_shiplint_flag_skips_the_guard_for_one_run(
    project: Callable[..., ToxProject],
) -> None:
    created = project({"tox.ini": RELEASE_INI, "pyproject.toml": UNDOCUMENTED})
    result = created.run("-e", "release", "--no-shiplint")
    result.assert_success()
    assert ran == ["twine upload 'dist/*'"]
    assert "shiplint" not in result.out
    again = created.run("r", "-e", "release")  # the next run is guarded again
    again.assert_failed(code=1)
    assert "SL801" in again.out


def test_documented_upload_env_with_credentials_runs(
    project: Callable[..., ToxProject],
) -> None:
    result = project({"tox.ini": RELEASE_INI, "pyproject.toml": DOCUMENTED}).run("-e", "release")
    result.assert_success()
    assert ran == ["twine upload 'dist/*'"]
    assert "shiplint" not in result.out


def test_findings_below_the_configured_fail_level_are_shown_but_do_not_stop_the_env(
    project: Callable[..., ToxProject],
) -> None:
    pyproject = DOCUMENTED.replace(
        "[tool.shiplint.deploy.pypi]", STALE + "[tool.shiplint.deploy.pypi]"
    )
    line, col = pos_of(pyproject, "[tool.shiplint.deploy.old]")
    result = project({"tox.ini": RELEASE_INI, "pyproject.toml": pyproject}).run("-e", "release")
    result.assert_success()
    assert "shiplint (below the fail level):" in result.out
    assert f"pyproject.toml:{line}:{col}: SL814 [warning]" in result.out
    assert ran == ["twine upload 'dist/*'"]
    # the default fail level is warning: the same project is stopped without the setting
    pyproject = pyproject.replace('fail-on = "error"\n', "")
    again = project({"tox.ini": RELEASE_INI, "pyproject.toml": pyproject}).run("-e", "release")
    again.assert_failed(code=1)
    assert "SL814 [warning]" in again.out


def test_upload_env_without_credentials_in_pass_env_fails_with_the_line_to_add(
    project: Callable[..., ToxProject],
) -> None:
    ini = RELEASE_INI.replace("pass_env = TWINE_*\n", "pass_env = CI\n")
    result = project({"tox.ini": ini, "pyproject.toml": DOCUMENTED}).run("-e", "release")
    result.assert_failed(code=1)
    assert "SL8" not in result.out  # the record is fine: only the env is at fault
    assert (
        "tox env `release` runs `twine upload` but its pass_env and set_env let no "
        "credentials through (an API token needs TWINE_PASSWORD; trusted publishing from "
        "GitHub Actions needs GITHUB_ACTIONS, ACTIONS_ID_TOKEN_REQUEST_URL, "
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN)."
    ) in result.out
    snippet = (
        "    [testenv:release]\n    pass_env =\n        TWINE_USERNAME\n        TWINE_PASSWORD\n"
    )
    assert "add to tox.ini:\n\n" + snippet in result.out
    assert not commands_ran(result, "release")


def test_missing_credentials_in_tox_toml_get_a_toml_line(
    project: Callable[..., ToxProject],
) -> None:
    toml = textwrap.dedent(
        """\
        [env.publish]
        skip_install = true
        commands = [["uv", "publish", "--trusted-publishing", "never"]]
        """
    )
    result = project({"tox.toml": toml, "pyproject.toml": DOCUMENTED}).run("-e", "publish")
    result.assert_failed(code=1)
    assert "runs `uv publish` but its pass_env and set_env let no credentials through" in (
        result.out
    )
    assert 'add to tox.toml:\n\n    [env.publish]\n    pass_env = ["UV_PUBLISH_TOKEN"]\n' in (
        result.out
    )
    assert "trusted publishing" not in result.out  # turned off on the command line
    fixed = toml.replace(
        "skip_install", 'set_env = { UV_PUBLISH_TOKEN = "{env:PYPI_TOKEN:}" }\nskip_install'
    )
    ok = project({"tox.toml": fixed, "pyproject.toml": DOCUMENTED}).run("-e", "publish")
    ok.assert_success()
    assert ran == ["uv publish --trusted-publishing never"]


# --- end to end: the real tox, twine from the package index ------------------------------

E2E_INI = """\
[testenv:release]
deps = twine
skip_install = true
commands = python -m twine upload --non-interactive --repository-url http://127.0.0.1:9/legacy/ dist/*
"""

# a closed local port: twine tries to connect, nothing leaves the machine
E2E_RECORD = f"""
[tool.shiplint.deploy.local]
index = "http://127.0.0.1:9/legacy/"
auth = "token"
account = "demo-bot"
email-verified = {TODAY}
maintainers = ["jdoe", "asmith"]
"""


def _wheel(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as whl:
        info = "demo-0.1.dist-info"
        whl.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 0.1\n")
        whl.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        whl.writestr(f"{info}/RECORD", "")


@pytest.mark.slow
@pytest.mark.usefixtures("enable_pip_pypi_access")
def test_real_tox_blocks_a_broken_release_and_runs_the_fixed_one(tmp_path: Path) -> None:
    prj = tmp_path / "demo"
    prj.mkdir()
    (prj / "pyproject.toml").write_text(UNDOCUMENTED, encoding="utf-8")
    (prj / "tox.ini").write_text(E2E_INI, encoding="utf-8")
    _wheel(prj / "dist" / "demo-0.1-py3-none-any.whl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOX_")}
    env.update(TWINE_USERNAME="__token__", TWINE_PASSWORD="not-a-real-token")

    def tox() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tox", "-e", "release"],
            cwd=prj,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    broken = tox()
    out = broken.stdout + broken.stderr
    assert broken.returncode == 1, out
    line, col = pos_of(E2E_INI, "twine upload")
    assert f"tox.ini:{line}:{col}: SL801 [error]" in out
    assert "runs `twine upload` but its pass_env and set_env let no credentials" in out
    assert "commands[0]>" not in out and "Uploading distributions" not in out
    assert not (prj / ".tox" / "release" / "bin" / "twine").exists()  # not even installed

    with (prj / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write(E2E_RECORD)
    (prj / "tox.ini").write_text(
        E2E_INI.replace("skip_install", "pass_env = TWINE_USERNAME, TWINE_PASSWORD\nskip_install"),
        encoding="utf-8",
    )
    fixed = tox()
    out = fixed.stdout + fixed.stderr
    assert "shiplint" not in out
    assert "Uploading distributions to http://127.0.0.1:9/legacy/" in out
    assert "Connection refused" in out or "ConnectionError" in out
    assert fixed.returncode == 1, out  # twine's failure, not shiplint's
    assert "release: exit 1" in out and "python -m twine upload" in out
