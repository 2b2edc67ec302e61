"""The JSON Schema of ``[tool.shiplint]`` (integrations/json_schema.py) against the code it
describes: what ``shiplint check`` accepts, the schema accepts, and what it rejects (a
configuration error, exit 2, or SL816 malformed-deploy-record) the schema rejects, checked
with the validators the schema is for: validate-pyproject (fastjsonschema, through its API,
its plugin entry point and its CLI), jsonschema on the JSON an editor sees (dates as
strings, as taplo reads them) and the real taplo CLI. The few differences JSON Schema cannot
express are listed per example, so a change in either side shows."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validate_pyproject import api, plugins
from validate_pyproject.error_reporting import ValidationError

from shiplint.config import KNOWN_KEYS, ConfigError
from shiplint.deploy.schema import KEYS, REQUIRED
from shiplint.integrations import json_schema
from tests.conftest import run_audit

if TYPE_CHECKING:
    from validate_pyproject.types import Plugin, Schema

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = '[project]\nname = "demo"\nversion = "1.0"\n\n'
# the function the entry point names (it returns a plain dict: shiplint does not import
# validate-pyproject, whose `Schema` type is a NewType of one)
PLUGIN = plugins.PluginWrapper("shiplint", cast("Plugin", json_schema.validate_pyproject_schema))
VALIDATOR = api.Validator(plugins=[PLUGIN])
EDITOR = jsonschema.Draft7Validator(
    json_schema.build_schema("portable"), format_checker=jsonschema.FormatChecker()
)
FAKE_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMAACKlsz"


def code_accepts(text: str) -> bool:
    """``shiplint check`` on a repository with this pyproject.toml: no configuration error
    and no SL816."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pyproject.toml").write_text(PROJECT + text, encoding="utf-8")
        try:
            result = run_audit(Path(tmp), select=["SL816"])
        except ConfigError:
            return False
        return not [f for f in result.findings if f.rule == "SL816"]


def vpp_accepts(text: str) -> bool:
    """validate-pyproject's validator (fastjsonschema) with shiplint's plugin."""
    try:
        VALIDATOR(tomllib.loads(PROJECT + text))
    except ValidationError:
        return False
    except TypeError as exc:
        # validate-pyproject (0.27) rejected the value, then failed to print it: its error
        # details json.dumps the offending value, and a TOML date is not JSON
        if "date is not JSON serializable" not in str(exc):
            raise
        return False
    return True


SHIPPED = api.Validator(
    plugins=[
        plugins.StoredPlugin(
            "shiplint", cast("Schema", json_schema.build_schema("portable")), "file", 1
        )
    ]
)


def shipped_accepts(text: str) -> bool:
    """validate-pyproject (fastjsonschema) with the shipped file, as a schema store gives it
    (``validate-pyproject --store``, ``--tool shiplint=URL``): TOML dates as tomllib reads them."""
    try:
        SHIPPED(tomllib.loads(PROJECT + text))
    except ValidationError:
        return False
    except TypeError as exc:  # (as in vpp_accepts)
        if "date is not JSON serializable" not in str(exc):
            raise
        return False
    return True


def _as_editor_json(value: Any) -> Any:
    """The JSON an editor validates: TOML dates and times become strings (taplo)."""
    if isinstance(value, dict):
        return {k: _as_editor_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_json(v) for v in value]
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def editor_accepts(text: str) -> bool:
    """jsonschema (Draft 7, formats checked) with the shipped editor rendering."""
    table = tomllib.loads(PROJECT + text).get("tool", {}).get("shiplint", {})
    return EDITOR.is_valid(_as_editor_json(table))


RECORD = '[tool.shiplint.deploy.pypi]\nindex = "pypi"\nauth = "token"\n'
VALIDATORS = {
    "validate-pyproject": vpp_accepts,
    "editor": editor_accepts,
    "shipped-file": shipped_accepts,
}

# (id, pyproject text after [project], shiplint accepts it, validators that disagree)
EXAMPLES: list[tuple[str, str, bool, tuple[str, ...]]] = [
    # --- accepted ---------------------------------------------------------------------
    (
        "readme-config",
        '[tool.shiplint]\nselect = ["ALL"]\nignore = "SL101"\nextend-select = []\n'
        'fail-on = " Error "\nexpiry-warning-days = 0\nverification-max-age-days = 400\n'
        'release-docs = "docs/RELEASING.md"\nmax-file-size = "512 KB"\n'
        '[tool.shiplint.per-file-ignores]\n"ci/legacy/*" = ["SL101"]\n"x.yml" = "SL2"\n',
        True,
        (),
    ),
    ("size-bytes", "[tool.shiplint]\nmax-file-size = 1\n", True, ()),
    ("size-mib", '[tool.shiplint]\nmax-file-size = " 10mib "\n', True, ()),
    ("size-no-unit", '[tool.shiplint]\nmax-file-size = "007"\n', True, ()),
    (
        "globs",
        '[tool.shiplint]\nextend-include = ["guide/workflows/*.yml", "./a/", "[ab]/*.yml", '
        "'a\\\\b', \"/./x\"]\n"
        'extend-exclude = ["/examples/legacy/", "*.draft.yml", "..x", "a/..b"]\n',
        True,
        (),
    ),
    (
        "readme-records",
        '[tool.shiplint.deploy.pypi]\nindex = "pypi"\nauth = "trusted-publishing"\n'
        'workflow = "release.yml"\nenvironment = "pypi"\nmaintainers = ["jdoe", "asmith"]\n\n'
        '[tool.shiplint.deploy.nightly]\nindex = "anaconda"\n'
        'channel = "scientific-python-nightly-wheels"\ngroup = "stardust"\nauth = "token"\n'
        'secret = "ANACONDA_ORG_UPLOAD_TOKEN"\naccount = "jdoe"\naccount-kind = "personal"\n'
        'scopes = ["api:read", "api:write", "pypi:upload"]\ntoken-expires = 2027-06-30\n'
        'maintainers = ["jdoe", "asmith"]\nnotes = "renew in June"\n',
        True,
        (),
    ),
    (
        "placeholders",
        '[tool.shiplint.deploy.pypi]\nindex = "TODO: pypi or testpypi"\n'
        'auth = "todo"\nsecret = "TODO"\ntoken-expires = "TODO: the date"\n'
        'scopes = ["TODO", 3]\nmaintainers = ["jdoe", "TODO: a second maintainer"]\n',
        True,
        (),
    ),
    (
        "url-index-and-secret-expression",
        '[tool.shiplint.deploy.private]\nindex = "https://upload.example.org/legacy/"\n'
        'auth = "token"\nsecret = "secrets.PYPI_API_TOKEN"\nmaintainers = []\n'
        "email-verified = 2026-01-31\n",
        True,
        (),
    ),
    (
        "testpypi-trusted",
        '[tool.shiplint.deploy.test]\nindex = "testpypi"\nauth = "trusted-publishing"\n',
        True,
        (),
    ),
    # --- configuration errors (exit 2) ------------------------------------------------
    ("unknown-key", '[tool.shiplint]\nselct = ["SL1"]\n', False, ()),
    ("select-number", "[tool.shiplint]\nselect = 1\n", False, ()),
    ("select-list-of-numbers", "[tool.shiplint]\nselect = [1]\n", False, ()),
    ("fail-on-unknown", '[tool.shiplint]\nfail-on = "fatal"\n', False, ()),
    ("fail-on-number", "[tool.shiplint]\nfail-on = 1\n", False, ()),
    ("days-negative", "[tool.shiplint]\nexpiry-warning-days = -1\n", False, ()),
    ("days-boolean", "[tool.shiplint]\nverification-max-age-days = true\n", False, ()),
    ("days-string", '[tool.shiplint]\nexpiry-warning-days = "30"\n', False, ()),
    # JSON has one number type: 30.0 is an integer to every JSON Schema validator
    ("days-float", "[tool.shiplint]\nexpiry-warning-days = 30.0\n", False, tuple(VALIDATORS)),
    ("size-zero", "[tool.shiplint]\nmax-file-size = 0\n", False, ()),
    ("size-zero-kb", '[tool.shiplint]\nmax-file-size = "0 KB"\n', False, ()),
    ("size-gb", '[tool.shiplint]\nmax-file-size = "1 GB"\n', False, ()),
    ("size-boolean", "[tool.shiplint]\nmax-file-size = true\n", False, ()),
    ("release-docs-absolute", '[tool.shiplint]\nrelease-docs = "/etc/x.md"\n', False, ()),
    ("release-docs-outside", '[tool.shiplint]\nrelease-docs = "../x.md"\n', False, ()),
    ("release-docs-blank", '[tool.shiplint]\nrelease-docs = "  "\n', False, ()),
    ("per-file-ignores-string", '[tool.shiplint]\nper-file-ignores = "x"\n', False, ()),
    ("per-file-ignores-number", '[tool.shiplint.per-file-ignores]\n"a" = [1]\n', False, ()),
    ("glob-string", '[tool.shiplint]\nextend-include = "*.yml"\n', False, ()),
    ("glob-outside", '[tool.shiplint]\nextend-include = ["docs/../../x"]\n', False, ()),
    ("glob-parent", '[tool.shiplint]\nextend-exclude = [" ../ "]\n', False, ()),
    ("glob-empty", '[tool.shiplint]\nextend-include = [""]\n', False, ()),
    ("glob-dot", '[tool.shiplint]\nextend-include = ["./."]\n', False, ()),
    ("glob-root", '[tool.shiplint]\nextend-exclude = ["/"]\n', False, ()),
    ("glob-backslash", '[tool.shiplint]\nextend-include = ["a\\\\/"]\n', False, ()),
    # glob syntax (an unclosed [...] class) is left to shiplint
    (
        "glob-unclosed-class",
        '[tool.shiplint]\nextend-include = ["[ab"]\n',
        False,
        tuple(VALIDATORS),
    ),
    # --- SL816 malformed-deploy-record ------------------------------------------------
    ("deploy-not-a-table", "[tool.shiplint]\ndeploy = 1\n", False, ()),
    ("record-not-a-table", '[tool.shiplint.deploy]\npypi = "pypi"\n', False, ()),
    ("no-auth", '[tool.shiplint.deploy.pypi]\nindex = "pypi"\n', False, ()),
    ("no-index-no-auth", '[tool.shiplint.deploy.pypi]\naccount = "jdoe"\n', False, ()),
    ("unknown-record-key", RECORD + 'indx = "pypi"\n', False, ()),
    ("auth-typo", '[tool.shiplint.deploy.pypi]\nindex = "pypi"\nauth = "tokn"\n', False, ()),
    ("index-typo", '[tool.shiplint.deploy.pypi]\nindex = "pipy"\nauth = "token"\n', False, ()),
    ("index-empty", '[tool.shiplint.deploy.pypi]\nindex = ""\nauth = "token"\n', False, ()),
    ("blank-string", RECORD + 'account = "  "\n', False, ()),
    ("number-for-string", RECORD + "account = 3\n", False, ()),
    ("string-for-list", RECORD + 'scopes = "api:write"\n', False, ()),
    ("blank-list-item", RECORD + 'scopes = [""]\n', False, ()),
    ("number-list-item", RECORD + "maintainers = [1]\n", False, ()),
    ("account-kind", RECORD + 'account-kind = "org"\n', False, ()),
    ("date-number", RECORD + "token-expires = 20270101\n", False, ()),
    ("date-impossible", RECORD + 'token-expires = "2027-02-30"\n', False, ()),
    # an editor sees every TOML date as a string: a quoted date looks the same to it
    ("date-quoted", RECORD + 'email-verified = "2026-05-01"\n', False, ("editor", "shipped-file")),
    # tomllib's datetime and time are no JSON type, like a date: only an editor tells them
    (
        "date-with-time",
        RECORD + "token-expires = 2027-01-01T10:00:00\n",
        False,
        ("validate-pyproject", "shipped-file"),
    ),
    (
        "date-time-of-day",
        RECORD + "token-expires = 10:00:00\n",
        False,
        ("validate-pyproject", "shipped-file"),
    ),
    ("secret-token", RECORD + f'secret = "{FAKE_TOKEN}"\n', False, ()),
    ("secret-github-token", RECORD + 'secret = "ghp_abcdef"\n', False, ()),
    ("secret-long-mixed", RECORD + 'secret = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"\n', False, ()),
    ("secret-with-dash", RECORD + 'secret = "PYPI-TOKEN"\n', False, ()),
    (
        "anaconda-trusted",
        '[tool.shiplint.deploy.nightly]\nindex = "anaconda"\nauth = "trusted-publishing"\n',
        False,
        (),
    ),
    (
        "anaconda-url-trusted",
        '[tool.shiplint.deploy.nightly]\nindex = "https://api.Anaconda.org/upload"\n'
        'auth = "trusted-publishing"\n',
        False,
        (),
    ),
]


@pytest.mark.parametrize(
    ("text", "accepted", "gaps"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES]
)
def test_the_schema_accepts_what_shiplint_accepts_and_rejects_what_it_rejects(
    text: str, accepted: bool, gaps: tuple[str, ...]
) -> None:
    assert code_accepts(text) is accepted
    verdicts = {name: accepts(text) for name, accepts in VALIDATORS.items()}
    assert verdicts == {name: accepted is (name not in gaps) for name in VALIDATORS}


# --- one source of truth --------------------------------------------------------------


@pytest.mark.parametrize("which", ["tool", "pyproject"])
def test_the_shipped_files_are_the_generated_ones(which: str) -> None:
    shipped = resources.files("shiplint").joinpath(json_schema.SCHEMA_FILES[which])
    assert shipped.read_text(encoding="utf-8") == json_schema.schema_text(which)  # type: ignore[arg-type]


def test_the_schema_names_exactly_the_keys_the_code_knows() -> None:
    schema = json_schema.build_schema()
    assert set(schema["properties"]) == KNOWN_KEYS
    record = schema["properties"]["deploy"]["additionalProperties"]
    assert list(record["properties"]) == [key.name for key in KEYS]
    assert record["required"] == list(REQUIRED) == ["index", "auth"]
    assert schema["additionalProperties"] is False and record["additionalProperties"] is False


def test_descriptions_carry_the_key_docs() -> None:
    record = json_schema.build_schema()["properties"]["deploy"]["additionalProperties"]
    assert {name: spec["description"] for name, spec in record["properties"].items()} == {
        key.name: key.doc for key in KEYS
    }
    tool = json_schema.build_schema()["properties"]
    assert all(spec["description"] for spec in tool.values())


@pytest.mark.parametrize(
    "schema",
    [
        json_schema.build_schema("portable"),
        json_schema.build_schema("python"),
        json_schema.pyproject_schema(),
    ],
    ids=["editor", "validate-pyproject", "pyproject-wrapper"],
)
def test_every_rendering_is_a_valid_draft_7_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)


def test_the_renderings_differ_only_in_dates() -> None:
    portable, python = json_schema.build_schema("portable"), json_schema.build_schema("python")
    date = {"not": {"type": ["array", "boolean", "null", "number", "object", "string"]}}
    todo = {"$ref": "#/definitions/placeholder"}
    record = portable["properties"]["deploy"]["additionalProperties"]["properties"]
    assert record["token-expires"]["anyOf"] == [
        {"anyOf": [{"type": "string", "format": "date"}, date]},
        todo,
    ]
    other = python["properties"]["deploy"]["additionalProperties"]["properties"]
    assert other["token-expires"]["anyOf"] == [date, todo]
    for key in KEYS:
        if key.kind == "date":
            record.pop(key.name), other.pop(key.name)
    assert {**portable, "$id": ""} == {**python, "$id": ""}


# --- differential: generated values, one key at a time --------------------------------

_TEXT = st.text(alphabet=" \t./\\*?!ab0129KkMmBbTODo-_:", max_size=10) | st.sampled_from(
    [
        "pypi",
        "testpypi",
        "anaconda",
        "https://x.org/",
        "TODO",
        "error",
        "Info",
        "token",
        "trusted-publishing",
        "personal",
        "../a",
        "./",
        "ALL",
        "10 MB",
        "ghp_x",
        "secrets.A",
    ]
)
_VALUE = st.recursive(
    _TEXT
    | st.integers(-2, 10**7)
    | st.booleans()
    | st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=4,
)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)  # a TOML basic string


def _has_date(value: Any) -> bool:
    return isinstance(value, dt.date) or (
        isinstance(value, list) and any(_has_date(v) for v in value)
    )


_CONFIG_KEYS = sorted(KNOWN_KEYS - {"deploy", "per-file-ignores"})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(_CONFIG_KEYS + [f"deploy.{k.name}" for k in KEYS]),
    value=_VALUE,
)
def test_generated_values_get_the_same_verdict(key: str, value: Any) -> None:
    if key.startswith("deploy."):
        name = key.split(".", 1)[1]
        body = {"index": "pypi", "auth": "token", name: value}
        text = "[tool.shiplint.deploy.x]\n" + "".join(
            f"{k} = {_toml(v)}\n" for k, v in body.items()
        )
    else:
        text = f"[tool.shiplint]\n{key} = {_toml(value)}\n"
    assert vpp_accepts(text) is code_accepts(text), text
    date_key = key.startswith("deploy.") and key.split(".", 1)[1] in {
        k.name for k in KEYS if k.kind == "date"
    }
    # an editor sees every TOML date as a string (so a quoted date as a date)
    if not date_key and not _has_date(value):
        assert editor_accepts(text) is code_accepts(text), text


# --- the real tools ---------------------------------------------------------------------


def test_validate_pyproject_finds_the_plugin_by_its_entry_point() -> None:
    found = [p for p in plugins.list_from_entry_points() if p.tool == "shiplint"]
    assert [str(p) for p in found] == [
        "shiplint.integrations.json_schema.validate_pyproject_schema"
    ]
    assert found[0].schema == json_schema.build_schema("python")
    assert found[0].help_text.startswith("shiplint's [tool.shiplint] table")


def _validate_pyproject(root: Path, text: str) -> subprocess.CompletedProcess[str]:
    (root / "pyproject.toml").write_text(PROJECT + text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "validate_pyproject", "pyproject.toml"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_validate_pyproject_cli_accepts_a_good_record(tmp_path: Path) -> None:
    run = _validate_pyproject(tmp_path, EXAMPLES[5][1])
    assert (run.returncode, run.stdout) == (0, "Valid file: pyproject.toml\n"), run.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            RECORD + 'indx = "pypi"\n',
            "`tool.shiplint.deploy.pypi` must not contain {'indx'} properties",
        ),
        (
            '[tool.shiplint.deploy.pypi]\nindex = "pypi"\n',
            "`tool.shiplint.deploy.pypi` must contain ['auth'] properties",
        ),
        (
            RECORD.replace('"token"', '"tokn"'),
            "`tool.shiplint.deploy.pypi.auth` cannot be validated by any definition:\n\n"
            "    - {type: string, one of: ['trusted-publishing', 'token']}",
        ),
        (
            RECORD + 'token-expires = "2027-01-01"\n',
            "`tool.shiplint.deploy.pypi.token-expires` cannot be validated by any definition",
        ),
        (
            '[tool.shiplint]\nselct = ["SL1"]\n',
            "`tool.shiplint` must not contain {'selct'} properties",
        ),
    ],
    ids=["unknown-key", "missing-auth", "auth-typo", "quoted-date", "config-typo"],
)
def test_validate_pyproject_cli_rejects_a_malformed_table(
    tmp_path: Path, text: str, message: str
) -> None:
    run = _validate_pyproject(tmp_path, text)
    assert (run.returncode, run.stdout) == (1, "Invalid file: pyproject.toml\n")
    assert run.stderr.startswith(f"[ERROR] {message}"), run.stderr


def _taplo(root: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    (root / name).write_text(text, encoding="utf-8")
    taplo = shutil.which("taplo")
    assert taplo is not None
    return subprocess.run(
        [taplo, "lint", "--no-auto-config", "--colors", "never", name],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("taplo") is None, reason="the taplo CLI is not installed")
def test_taplo_checks_shiplint_toml_and_pyproject_with_the_shipped_schemas(
    tmp_path: Path,
) -> None:
    data = resources.files("shiplint") / "data"
    tool = data / "tool-shiplint.schema.json"
    wrapper = data / "pyproject-shiplint.schema.json"
    good = (
        '[deploy.pypi]\nindex = "pypi"\nauth = "token"\nsecret = "PYPI_API_TOKEN"\n'
        'account = "jdoe"\nemail-verified = 2026-05-01\nmaintainers = ["jdoe", "asmith"]\n'
    )
    assert _taplo(tmp_path, "shiplint.toml", f"#:schema {tool}\n{good}").returncode == 0
    bad = good.replace('"token"', '"tokn"').replace("2026-05-01", "2026-05-01T10:00:00")
    run = _taplo(tmp_path, "shiplint.toml", f"#:schema {tool}\n{bad}")
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: \"tokn\" is not valid under any of the schemas listed in the 'anyOf' keyword",
        'error: "2026-05-01T10:00:00" is not valid under any of the schemas listed in the '
        "'anyOf' keyword",
    ]
    assert "shiplint.toml:4:8" in run.stderr and "shiplint.toml:7:18" in run.stderr
    pyproject = f"#:schema {wrapper}\n{PROJECT}" + good.replace(
        "[deploy.", "[tool.shiplint.deploy."
    )
    assert _taplo(tmp_path, "pyproject.toml", pyproject).returncode == 0
    run = _taplo(tmp_path, "pyproject.toml", pyproject.replace("account =", "acount ="))
    assert run.returncode == 1
    assert "Additional properties are not allowed ('acount' was unexpected)" in run.stderr


@pytest.mark.slow
def test_a_validate_pyproject_pre_commit_hook_with_shiplint_refuses_a_malformed_record(
    tmp_path: Path,
) -> None:
    """validate-pyproject's hook as its manifest defines it (language python, entry
    validate-pyproject, files pyproject.toml), in a local repository because the test has no
    clone of validate-pyproject, with shiplint from a git copy of this tree as an
    additional dependency: pip installs both, and the hook runs on each commit."""
    from tests.test_pre_commit_hook import commit, git, git_env, make_hook_repo, ok, pre_commit

    env = git_env(tmp_path)
    make_hook_repo(tmp_path / "shiplint", env)
    project = tmp_path / "stardust"
    project.mkdir()
    ok(git("init", "-q", cwd=project, env=env))
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: validate-pyproject\n"
        "        name: Validate pyproject.toml\n"
        "        language: python\n"
        "        entry: validate-pyproject\n"
        "        files: pyproject.toml\n"
        f'        additional_dependencies: ["validate-pyproject", "{tmp_path / "shiplint"}"]\n',
        encoding="utf-8",
    )
    (project / "pyproject.toml").write_text(PROJECT + RECORD, encoding="utf-8")
    ok(pre_commit("install", cwd=project, env=env))
    ok(pre_commit("install-hooks", cwd=project, env=env, timeout=600))
    out = ok(commit(project, env, "Start"))
    assert re.search(r"^Validate pyproject\.toml\.+Passed$", out, re.MULTILINE), out

    (project / "pyproject.toml").write_text(
        PROJECT + RECORD + 'acount = "jdoe"\n', encoding="utf-8"
    )
    result = commit(project, env, "Name the account")
    assert result.returncode == 1, result.stdout
    assert re.search(r"^Validate pyproject\.toml\.+Failed$", result.stdout, re.MULTILINE)
    assert "[ERROR] `tool.shiplint.deploy.pypi` must not contain {'acount'} properties" in (
        result.stdout
    )
