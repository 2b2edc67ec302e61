"""SL801-SL817: the deploy-account record (who owns each upload credential), its state
(placeholders, expiry, email verification, scopes) and its drift from the workflows."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.cli import main
from shiplint.findings import Finding
from tests.conftest import AuditFn, hit, pos_of, run_audit, write_tree

FindingsFn = Callable[..., list[Finding]]

TODAY = dt.date(2026, 11, 21)
PY = "pyproject.toml"
SHIPLINT = "shiplint.toml"
DOCS = "RELEASING.md"
DEPLOY = ".github/workflows/deploy.yml"
RELEASE = ".github/workflows/release.yml"
NIGHTLIES = ".github/workflows/nightlies.yml"
NIGHTLY = "scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
# Shaped like a PyPI token, but made up.
FAKE_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMAACKlsz"

# --- the workflows -----------------------------------------------------------------------------

# PyLoad's deploy.yml before it moved to trusted publishing (catalogue 0.1).
TOKEN_WF = """
on:
  workflow_run:
    workflows: [Build]
    branches: [main]
    types: [completed]
jobs:
  pypi:
    runs-on: ubuntu-latest
    steps:
      - uses: dawidd6/action-download-artifact@v6
        with:
          name: dist
          path: dist
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          user: __token__
          password: ${{ secrets.PYPI_API_TOKEN }}
"""

# PyLoad's publish job after the move to a trusted publisher.
TRUSTED_WF = """
on:
  release:
    types: [published]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run build
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: pypi
      url: https://pypi.org/p/pyload-ng
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: dist
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

# h5py's nightly upload (catalogue 0.2).
NIGHTLY_WF = f"""
on:
  schedule:
    - cron: "0 2 * * 1"
  workflow_dispatch:
jobs:
  upload:
    runs-on: ubuntu-latest
    if: github.repository_owner == 'h5py' && github.event_name == 'schedule'
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: cibw-wheels-*
          merge-multiple: true
          path: dist
      - uses: {NIGHTLY} # 0.6.4
        with:
          artifacts_path: dist
          anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
"""

# --- the records -------------------------------------------------------------------------------

PROJECT = """
[project]
name = "pyload-ng"
"""

PYPI_TOKEN = """
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
secret = "PYPI_API_TOKEN"
account = "vuolter"
email-verified = 2026-04-21
maintainers = ["vuolter", "GammaC0de"]
"""

PYPI_TRUSTED = """
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "trusted-publishing"
workflow = "release.yml"
environment = "pypi"
maintainers = ["vuolter", "GammaC0de"]
"""

NIGHTLY_REC = """
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scientific-python-nightly-wheels"
group = "h5py"
auth = "token"
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
account = "takluyver"
account-kind = "personal"
scopes = ["api:read", "api:write", "pypi:upload"]
token-expires = 2027-05-14
maintainers = ["takluyver", "tacaswell"]
"""


def pyproject(*records: str, name: str = "pyload-ng") -> str:
    """A pyproject.toml with ``[project].name`` and the given record tables."""
    head = PROJECT.replace("pyload-ng", name)
    return "".join([head, *records])


def body(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fixed_text(finding: Finding) -> str:
    assert finding.fix is not None and finding.source is not None
    text = finding.source.text or ""
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def no_token_value(findings: list[Finding]) -> None:
    for finding in findings:
        assert FAKE_TOKEN not in finding.message
        assert FAKE_TOKEN not in finding.help


# --- correct twins: nothing to report ----------------------------------------------------------


@pytest.mark.parametrize(
    ("files"),
    [
        pytest.param({DEPLOY: TOKEN_WF, PY: pyproject(PYPI_TOKEN)}, id="pypi-token"),
        pytest.param({RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED)}, id="trusted"),
        pytest.param(
            {NIGHTLIES: NIGHTLY_WF, PY: pyproject(NIGHTLY_REC, name="h5py")}, id="nightly"
        ),
        pytest.param(
            {
                RELEASE: TRUSTED_WF,
                NIGHTLIES: NIGHTLY_WF,
                PY: pyproject(PYPI_TRUSTED, NIGHTLY_REC),
            },
            id="trusted-and-nightly",
        ),
    ],
)
def test_complete_records_give_nothing(audit: AuditFn, files: dict[str, str]) -> None:
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_no_uploads_no_records_nothing(audit: AuditFn) -> None:
    ci = """
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run build
"""
    assert audit({".github/workflows/ci.yml": ci, PY: PROJECT}, select=["SL8"], today=TODAY) == []


# --- SL801 undocumented-deploy-account ---------------------------------------------------------


def test_sl801_token_upload_without_record(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {DEPLOY: TOKEN_WF, PY: PROJECT}
    assert audit(files, select=["SL801"], today=TODAY) == [
        hit("SL801", DEPLOY, TOKEN_WF, "pypa/gh-action-pypi-publish"),
    ]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "PyPI" in finding.message and "`PYPI_API_TOKEN`" in finding.message
    assert "Add this table to pyproject.toml" in finding.help
    assert "fill in `account`, `email-verified`, `maintainers`" in finding.help
    assert "    [tool.shiplint.deploy.pypi]\n" in finding.help
    assert '    secret = "PYPI_API_TOKEN"\n' in finding.help
    assert '    account = "TODO: the PyPI user that owns the token"' in finding.help


def test_sl801_trusted_publishing_skeleton(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {RELEASE: TRUSTED_WF, PY: PROJECT}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", RELEASE, TRUSTED_WF, "pypa/gh-action-pypi-publish"),
    ]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "by trusted publishing" in finding.message
    assert '    auth = "trusted-publishing"\n' in finding.help
    assert '    workflow = "release.yml"\n' in finding.help
    assert '    environment = "pypi"\n' in finding.help
    assert "secret =" not in finding.help


def test_sl801_nightly_skeleton(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {NIGHTLIES: NIGHTLY_WF, PY: pyproject(name="h5py")}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", NIGHTLIES, NIGHTLY_WF, "scientific-python/upload-nightly-action"),
    ]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "channel `scientific-python-nightly-wheels`" in finding.message
    assert "`ANACONDA_ORG_UPLOAD_TOKEN`" in finding.message
    assert "    [tool.shiplint.deploy.scientific-python-nightly-wheels]\n" in finding.help
    assert '    index = "anaconda"\n' in finding.help
    assert '    secret = "ANACONDA_ORG_UPLOAD_TOKEN"\n' in finding.help
    for key in ("group", "account", "account-kind", "scopes", "token-expires"):
        assert f"`{key}`" in finding.help


TOX = """
[tox]
envlist = py312

[testenv:release]
skip_install = true
deps =
    build
    twine
passenv = TWINE_PASSWORD
commands =
    python -m build
    twine upload --repository testpypi dist/*
"""

MAKEFILE = """
.PHONY: release
release:
\tpython -m build
\ttwine upload dist/*
"""

UPLOAD_SH = """
#!/bin/bash
set -euo pipefail
python -m build
python -m twine upload -u __token__ -p "$PYPI_TOKEN" dist/*
"""

SCRIPT_WF = """
on:
  push:
    tags: ["v*"]
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: bash tools/upload.sh
        env:
          PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
"""

SCRIPT_RECORD = """
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
secret = "PYPI_TOKEN"
account = "vuolter"
email-verified = 2026-04-21
maintainers = ["vuolter", "GammaC0de"]
"""

TESTPYPI_TOKEN = """
[tool.shiplint.deploy.testpypi]
index = "testpypi"
auth = "token"
account = "vuolter"
email-verified = 2026-04-21
maintainers = ["vuolter", "GammaC0de"]
"""


def test_sl801_cli_uploads_in_tox_makefile_and_script(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    files = {
        "tox.ini": TOX,
        "Makefile": MAKEFILE,
        "tools/upload.sh": UPLOAD_SH,
        RELEASE: SCRIPT_WF,
        PY: PROJECT,
    }
    assert audit(files, select=["SL801"], today=TODAY) == [
        hit("SL801", "Makefile", MAKEFILE, "twine upload"),
        hit("SL801", "tools/upload.sh", UPLOAD_SH, "twine upload"),
        hit("SL801", "tox.ini", TOX, "twine upload"),
    ]
    by_path = {f.path: f for f in audit_findings(files, select=["SL801"], today=TODAY)}
    assert "`PYPI_TOKEN`" in by_path["tools/upload.sh"].message
    assert "TestPyPI" in by_path["tox.ini"].message
    assert "    [tool.shiplint.deploy.testpypi]\n" in by_path["tox.ini"].help
    # the Makefile and the script both upload to PyPI: one table documents both
    assert "    [tool.shiplint.deploy.pypi]\n" in by_path["Makefile"].help


def test_sl801_cli_uploads_documented(audit: AuditFn) -> None:
    files = {
        "tox.ini": TOX,
        "Makefile": MAKEFILE,
        "tools/upload.sh": UPLOAD_SH,
        RELEASE: SCRIPT_WF,
        PY: pyproject(SCRIPT_RECORD, TESTPYPI_TOKEN),
    }
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl801_pypi_record_does_not_cover_testpypi(audit: AuditFn) -> None:
    wf = TOKEN_WF + (
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n"
        "          repository-url: https://test.pypi.org/legacy/\n"
        "          password: ${{ secrets.TEST_PYPI_API_TOKEN }}\n"
    )
    assert audit({DEPLOY: wf, PY: pyproject(PYPI_TOKEN)}, select=["SL8"], today=TODAY) == [
        hit("SL801", DEPLOY, wf, "pypa/gh-action-pypi-publish", nth=2),
    ]
    testpypi = TESTPYPI_TOKEN.replace(
        'auth = "token"\n', 'auth = "token"\nsecret = "TEST_PYPI_API_TOKEN"\n'
    )
    assert (
        audit({DEPLOY: wf, PY: pyproject(PYPI_TOKEN, testpypi)}, select=["SL8"], today=TODAY) == []
    )


def test_sl801_records_in_shiplint_toml(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {DEPLOY: TOKEN_WF, PY: PROJECT, SHIPLINT: 'fail-on = "error"\n'}
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "Add this table to shiplint.toml" in finding.help
    assert "    [deploy.pypi]\n" in finding.help
    record = PYPI_TOKEN.replace("[tool.shiplint.deploy.pypi]", "[deploy.pypi]")
    files[SHIPLINT] = 'fail-on = "error"\n' + record
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl801_never_prints_a_literal_token(audit: AuditFn, audit_findings: FindingsFn) -> None:
    makefile = f"""
release:
\tpython -m build
\ttwine upload -u __token__ -p {FAKE_TOKEN} dist/*
"""
    files = {"Makefile": makefile, PY: PROJECT}
    assert audit(files, select=["SL801"], today=TODAY) == [
        hit("SL801", "Makefile", makefile, "twine upload"),
    ]
    findings = audit_findings(files, select=["SL8"], today=TODAY)
    assert findings
    no_token_value(findings)


# --- matching several records ------------------------------------------------------------------

TWO_PROJECTS_WF = """
on:
  push:
    tags: ["v*"]
jobs:
  pypi:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          packages-dir: core/dist
          password: ${{ secrets.PYPI_TOKEN_CORE }}
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          packages-dir: plugin/dist
          password: ${{ secrets.PYPI_TOKEN_PLUGIN }}
"""


def two_records(plugin_secret: str = "PYPI_TOKEN_PLUGIN") -> str:
    core = (
        PYPI_TOKEN.replace(".pypi]", ".core]")
        .replace("PYPI_API_TOKEN", "PYPI_TOKEN_CORE")
        .replace('index = "pypi"\n', 'index = "pypi"\nproject = "demo-core"\n')
        .replace('"vuolter"', '"alice"')
    )
    plugin = (
        PYPI_TOKEN.replace(".pypi]", ".plugin]")
        .replace("PYPI_API_TOKEN", plugin_secret)
        .replace('index = "pypi"\n', 'index = "pypi"\nproject = "demo-plugin"\n')
        .replace('"vuolter"', '"bob"')
    )
    return pyproject(core, plugin, name="demo-core")


def test_two_pypi_records_disambiguated_by_secret(audit: AuditFn) -> None:
    files = {DEPLOY: TWO_PROJECTS_WF, PY: two_records()}
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_two_pypi_records_with_project_scopes(audit: AuditFn) -> None:
    # each upload is paired with the record of its own secret: the scopes agree
    text = two_records()
    text = text.replace(
        'email-verified = 2026-04-21\nmaintainers = ["alice"',
        'email-verified = 2026-04-21\nscopes = ["project:demo-core"]\nmaintainers = ["alice"',
    ).replace(
        'email-verified = 2026-04-21\nmaintainers = ["bob"',
        'email-verified = 2026-04-21\nscopes = ["project:demo-core"]\nmaintainers = ["bob"',
    )
    assert audit({DEPLOY: TWO_PROJECTS_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL804", PY, text, '"project:demo-core"', nth=2),
    ]


def test_pypi_and_testpypi_records(audit: AuditFn) -> None:
    wf = """
on:
  push:
    tags: ["v*"]
jobs:
  testpypi:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          repository-url: https://test.pypi.org/legacy/
          password: ${{ secrets.TEST_PYPI_API_TOKEN }}
  pypi:
    needs: testpypi
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""
    testpypi = TESTPYPI_TOKEN.replace(
        'auth = "token"\n', 'auth = "token"\nsecret = "TEST_PYPI_API_TOKEN"\n'
    )
    # records in the other order than the workflow: matching is by index, not position
    assert (
        audit({DEPLOY: wf, PY: pyproject(testpypi, PYPI_TOKEN)}, select=["SL8"], today=TODAY) == []
    )
    # the TestPyPI record documents the secret the PyPI job uses: drift, not a match
    swapped = testpypi.replace("TEST_PYPI_API_TOKEN", "PYPI_API_TOKEN")
    assert audit({DEPLOY: wf, PY: pyproject(swapped, PYPI_TOKEN)}, select=["SL8"], today=TODAY) == [
        hit("SL809", DEPLOY, wf, "${{ secrets.TEST_PYPI_API_TOKEN }}"),
    ]


# --- SL802 incomplete-deploy-record ------------------------------------------------------------

SKELETON = """
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
secret = "PYPI_API_TOKEN"
account = "TODO: the PyPI user that owns the token"
email-verified = "TODO: date the account's primary email was last seen verified, YYYY-MM-DD"
maintainers = ["TODO: two or more people who can regenerate the credential"]
"""


def test_sl802_placeholders_reported_at_the_value(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    text = pyproject(SKELETON)
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, '"TODO: the PyPI user'),
        hit("SL802", PY, text, '"TODO: date the account'),
        hit("SL802", PY, text, '["TODO: two or more'),
    ]
    messages = [f.message for f in audit_findings(files, select=["SL802"], today=TODAY)]
    assert messages == [
        "`account` in deploy record `pypi` is still a placeholder",
        "`email-verified` in deploy record `pypi` is still a placeholder",
        "`maintainers` in deploy record `pypi` is still a placeholder",
    ]


def test_sl802_init_skeleton_round_trip(audit: AuditFn, audit_findings: FindingsFn) -> None:
    """The table SL801 proposes, pasted as is, keeps failing on its placeholders only."""
    (finding,) = audit_findings({DEPLOY: TOKEN_WF, PY: PROJECT}, select=["SL801"], today=TODAY)
    table = finding.help.split(":\n", 1)[1]
    text = PROJECT + "\n" + textwrap.dedent(table) + "\n"
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, '"TODO: the PyPI user'),
        hit("SL802", PY, text, '"TODO: date the account'),
        hit("SL802", PY, text, '["TODO: two or more'),
    ]


@pytest.mark.parametrize("value", ['"TODO"', '"todo: ask vuolter"', '"  TODO fill in"'])
def test_sl802_placeholder_forms(audit: AuditFn, value: str) -> None:
    text = pyproject(PYPI_TOKEN.replace('"vuolter"', value, 1))
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, value),
    ]


def test_sl802_names_starting_with_todo_are_not_placeholders(audit: AuditFn) -> None:
    """A real project and account that happen to start with "todo"."""
    rec = PYPI_TOKEN.replace(
        'index = "pypi"\n', 'index = "pypi"\nproject = "todoist-api-python"\n'
    ).replace('"vuolter"', '"todoist-bot"')
    text = pyproject(rec, name="todoist-api-python")
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == []


def test_sl802_pypi_token_record_without_account(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    text = pyproject(PYPI_TOKEN.replace('account = "vuolter"\n', ""))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.pypi]"),
    ]
    (finding,) = audit_findings(files, select=["SL802"], today=TODAY)
    assert "`account`" in finding.message and "PyPI token" in finding.message


def test_sl802_pypi_token_record_without_email_verified(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    text = pyproject(PYPI_TOKEN.replace("email-verified = 2026-04-21\n", ""))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.pypi]"),
    ]
    (finding,) = audit_findings(files, select=["SL802"], today=TODAY)
    assert "`email-verified`" in finding.message
    assert "verified primary email" in finding.help


def test_sl802_nightly_record_without_group(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(NIGHTLY_REC.replace('group = "h5py"\n', ""), name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.nightly]"),
    ]
    (finding,) = audit_findings(files, select=["SL802"], today=TODAY)
    assert "`group`" in finding.message
    assert "User is not authorized" in finding.help


def test_sl802_trusted_record_without_workflow(audit: AuditFn) -> None:
    text = pyproject(PYPI_TRUSTED.replace('workflow = "release.yml"\n', ""))
    assert audit({RELEASE: TRUSTED_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.pypi]"),
    ]


def test_sl802_lists_every_missing_key(audit: AuditFn, audit_findings: FindingsFn) -> None:
    """Several missing keys of one record are all named (one finding at the header)."""
    rec = NIGHTLY_REC.replace('group = "h5py"\n', "").replace('account = "takluyver"\n', "")
    text = pyproject(rec.replace("token-expires = 2027-05-14\n", ""), name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.nightly]"),
    ]
    (finding,) = audit_findings(files, select=["SL802"], today=TODAY)
    assert finding.message == (
        "deploy record `nightly` (anaconda.org token) has no `account`, `group`, `token-expires`"
    )
    for why in ("token settings", "User is not authorized", "Authentication token has expired"):
        assert why in finding.help


def test_sl802_invalid_value_is_not_also_missing(audit: AuditFn) -> None:
    text = pyproject(PYPI_TOKEN.replace("2026-04-21", '"2026-04-21"'))
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL816", PY, text, '"2026-04-21"'),
    ]


# --- SL803 organization-deploy-token -----------------------------------------------------------


def test_sl803_organization_token(audit: AuditFn, audit_findings: FindingsFn) -> None:
    rec = NIGHTLY_REC.replace('"personal"', '"organization"').replace(
        '"takluyver"', '"scientific-python-nightly-wheels"', 1
    )
    text = pyproject(rec, name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL803", PY, text, '"organization"'),
    ]
    (finding,) = audit_findings(files, select=["SL803"], today=TODAY)
    assert "deploy record `nightly`" in finding.message
    assert "organization-level" in finding.message
    assert "SPEC 4" in finding.help and "api:write" in finding.help


def test_sl803_personal_token(audit: AuditFn) -> None:
    files = {NIGHTLIES: NIGHTLY_WF, PY: pyproject(NIGHTLY_REC, name="h5py")}
    assert audit(files, select=["SL803"], today=TODAY) == []


def test_sl803_pypi_organization_account(audit: AuditFn) -> None:
    # PyPI organizations own projects, and their members' tokens upload: not SPEC 4's concern
    rec = PYPI_TOKEN.replace(
        'account = "vuolter"\n', 'account = "pyload"\naccount-kind = "organization"\n'
    )
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(rec)}, select=["SL803"], today=TODAY) == []


# --- SL804 deploy-token-scope ------------------------------------------------------------------


def test_sl804_anaconda_token_without_write_scopes(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    text = pyproject(
        NIGHTLY_REC.replace('["api:read", "api:write", "pypi:upload"]', '["api:read"]'),
        name="h5py",
    )
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL804", PY, text, '["api:read"]'),
    ]
    (finding,) = audit_findings(files, select=["SL804"], today=TODAY)
    assert "api:write" in finding.message and "pypi:upload" in finding.message
    assert "api:read" not in finding.message.split("lacks scope", 1)[1]


def test_sl804_pypi_token_scoped_to_another_project(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    rec = PYPI_TOKEN.replace(
        'maintainers = ["vuolter"', 'scopes = ["project:pyload"]\nmaintainers = ["vuolter"'
    )
    text = pyproject(rec)
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL804", PY, text, '"project:pyload"'),
    ]
    (finding,) = audit_findings(files, select=["SL804"], today=TODAY)
    assert "`pyload`" in finding.message and "`pyload-ng`" in finding.message


@pytest.mark.parametrize(
    "scopes",
    ['["project:pyload-ng"]', '["project:PyLoad_NG"]', '["account"]'],
)
def test_sl804_matching_pypi_scopes(audit: AuditFn, scopes: str) -> None:
    rec = PYPI_TOKEN.replace(
        'maintainers = ["vuolter"', f'scopes = {scopes}\nmaintainers = ["vuolter"'
    )
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(rec)}, select=["SL8"], today=TODAY) == []


def test_sl804_record_project_overrides_project_name(audit: AuditFn) -> None:
    rec = PYPI_TOKEN.replace(
        'maintainers = ["vuolter"',
        'project = "pyload"\nscopes = ["project:pyload"]\nmaintainers = ["vuolter"',
    )
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(rec)}, select=["SL804"], today=TODAY) == []


# --- SL805 deploy-token-expired / SL806 deploy-token-expires-soon -------------------------------


def nightly_expiring(date: str) -> str:
    return pyproject(NIGHTLY_REC.replace("2027-05-14", date), name="h5py")


@pytest.mark.parametrize(
    ("date", "rule", "words"),
    [
        ("2026-05-14", "SL805", "the token expired on 2026-05-14"),
        ("2026-11-20", "SL805", "the token expired on 2026-11-20"),
        ("2026-11-21", "SL805", "the token expired today"),
        ("2026-11-22", "SL806", "the token expires in 1 day (2026-11-22)"),
        ("2026-12-21", "SL806", "the token expires in 30 days (2026-12-21)"),
    ],
)
def test_sl805_sl806_expiry(
    audit: AuditFn, audit_findings: FindingsFn, date: str, rule: str, words: str
) -> None:
    text = nightly_expiring(date)
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit(rule, PY, text, date)]
    (finding,) = audit_findings(files, select=[rule], today=TODAY)
    assert finding.message == f"deploy record `nightly`: {words}"
    if rule == "SL805":
        assert "secret `ANACONDA_ORG_UPLOAD_TOKEN`" in finding.help


def test_sl806_31_days_left_is_fine(audit: AuditFn) -> None:
    files = {NIGHTLIES: NIGHTLY_WF, PY: nightly_expiring("2026-12-22")}
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl806_expiry_warning_days_setting(audit: AuditFn) -> None:
    text = nightly_expiring("2027-01-15")  # 55 days left
    assert audit({NIGHTLIES: NIGHTLY_WF, PY: text}, select=["SL8"], today=TODAY) == []
    text = "[tool.shiplint]\nexpiry-warning-days = 60\n" + text
    assert audit({NIGHTLIES: NIGHTLY_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL806", PY, text, "2027-01-15"),
    ]


def test_sl806_no_warning_window(audit: AuditFn) -> None:
    text = "[tool.shiplint]\nexpiry-warning-days = 0\n" + nightly_expiring("2026-11-22")
    assert audit({NIGHTLIES: NIGHTLY_WF, PY: text}, select=["SL8"], today=TODAY) == []
    text = text.replace("2026-11-22", "2026-11-21")
    assert audit({NIGHTLIES: NIGHTLY_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL805", PY, text, "2026-11-21"),
    ]


def test_sl805_expired_pypi_token(audit: AuditFn) -> None:
    rec = PYPI_TOKEN.replace(
        'maintainers = ["vuolter"', 'token-expires = 2026-10-01\nmaintainers = ["vuolter"'
    )
    text = pyproject(rec)
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL805", PY, text, "2026-10-01"),
    ]


# --- SL807 email-verification-stale / SL808 deploy-date-in-future ------------------------------


def verified_on(date: str) -> str:
    return pyproject(PYPI_TOKEN.replace("2026-04-21", date))


def test_sl807_366_days_is_stale(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = verified_on("2025-11-20")
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL807", PY, text, "2025-11-20")]
    (finding,) = audit_findings(files, select=["SL807"], today=TODAY)
    assert finding.message == (
        "deploy record `pypi`: `vuolter`'s email was last seen verified 366 days ago"
    )
    assert "email-verified = 2026-11-21" in finding.help


def test_sl807_365_days_is_fine(audit: AuditFn) -> None:
    files = {DEPLOY: TOKEN_WF, PY: verified_on("2025-11-21")}
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl807_verification_max_age_days_setting(audit: AuditFn) -> None:
    text = "[tool.shiplint]\nverification-max-age-days = 90\n" + verified_on("2026-08-01")
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL807", PY, text, "2026-08-01"),
    ]
    text = text.replace("2026-08-01", "2026-08-23")  # 90 days ago
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == []


def test_sl808_verification_date_in_future(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = verified_on("2062-04-21")
    files = {DEPLOY: TOKEN_WF, PY: text}
    # in the future: not also "stale"
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL808", PY, text, "2062-04-21")]
    (finding,) = audit_findings(files, select=["SL808"], today=TODAY)
    assert "2062-04-21" in finding.message and "2026-11-21" in finding.help


def test_sl808_verified_today_is_fine(audit: AuditFn) -> None:
    assert (
        audit({DEPLOY: TOKEN_WF, PY: verified_on("2026-11-21")}, select=["SL8"], today=TODAY) == []
    )


def test_sl808_future_expiry_is_fine(audit: AuditFn) -> None:
    # token-expires is meant to be in the future
    files = {NIGHTLIES: NIGHTLY_WF, PY: nightly_expiring("2062-04-21")}
    assert audit(files, select=["SL8"], today=TODAY) == []


# --- SL809 deploy-secret-mismatch --------------------------------------------------------------


def test_sl809_action_password_secret(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = TOKEN_WF.replace("secrets.PYPI_API_TOKEN", "secrets.PYPI_TOKEN")
    files = {DEPLOY: wf, PY: pyproject(PYPI_TOKEN)}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", DEPLOY, wf, "${{ secrets.PYPI_TOKEN }}"),
    ]
    (finding,) = audit_findings(files, select=["SL809"], today=TODAY)
    assert "`PYPI_TOKEN`" in finding.message and "`PYPI_API_TOKEN`" in finding.message


def test_sl809_nightly_token_secret(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = NIGHTLY_WF.replace("ANACONDA_ORG_UPLOAD_TOKEN", "UPLOAD_TOKEN")
    files = {NIGHTLIES: wf, PY: pyproject(NIGHTLY_REC, name="h5py")}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", NIGHTLIES, wf, "${{ secrets.UPLOAD_TOKEN }}"),
    ]
    (finding,) = audit_findings(files, select=["SL809"], today=TODAY)
    assert "`UPLOAD_TOKEN`" in finding.message
    assert "`ANACONDA_ORG_UPLOAD_TOKEN`" in finding.message


def test_sl809_script_reads_the_step_secret(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {"tools/upload.sh": UPLOAD_SH, RELEASE: SCRIPT_WF, PY: pyproject(PYPI_TOKEN)}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", "tools/upload.sh", UPLOAD_SH, "$PYPI_TOKEN"),
    ]
    (finding,) = audit_findings(files, select=["SL809"], today=TODAY)
    assert "`PYPI_TOKEN`" in finding.message and "`PYPI_API_TOKEN`" in finding.message
    files[PY] = pyproject(SCRIPT_RECORD)
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl809_record_without_secret(audit: AuditFn) -> None:
    rec = PYPI_TOKEN.replace('secret = "PYPI_API_TOKEN"\n', "")
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(rec)}, select=["SL809"], today=TODAY) == []


def test_sl809_upload_without_secret(audit: AuditFn) -> None:
    # twine reads TWINE_PASSWORD from the environment of whoever runs `make release`
    assert (
        audit({"Makefile": MAKEFILE, PY: pyproject(PYPI_TOKEN)}, select=["SL8"], today=TODAY) == []
    )


def test_sl809_literal_token_is_never_printed(audit_findings: FindingsFn) -> None:
    wf = TOKEN_WF.replace("${{ secrets.PYPI_API_TOKEN }}", FAKE_TOKEN)
    findings = audit_findings({DEPLOY: wf, PY: pyproject(PYPI_TOKEN)}, select=["SL8"], today=TODAY)
    assert not [f for f in findings if f.rule == "SL809"]
    no_token_value(findings)


# --- SL810 deploy-auth-mismatch ----------------------------------------------------------------

# PyLoad between 2024-10-08 and 2024-10-26: trusted publisher set up, password kept (T-6).
TRUSTED_WITH_PASSWORD = TRUSTED_WF + (
    "        with:\n          user: __token__\n          password: ${{ secrets.PYPI_API_TOKEN }}\n"
)


def test_sl810_password_with_trusted_record(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {RELEASE: TRUSTED_WITH_PASSWORD, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL810"], today=TODAY) == [
        hit("SL810", RELEASE, TRUSTED_WITH_PASSWORD, "${{ secrets.PYPI_API_TOKEN }}"),
    ]
    (finding,) = audit_findings(files, select=["SL810"], today=TODAY)
    assert "`PYPI_API_TOKEN`" in finding.message and "trusted publishing" in finding.message


def test_sl810_password_with_trusted_record_reported_once(audit: AuditFn) -> None:
    """The workflow file does publish (with a token): SL810 says so; SL811 stays quiet."""
    files = {RELEASE: TRUSTED_WITH_PASSWORD, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL810", RELEASE, TRUSTED_WITH_PASSWORD, "${{ secrets.PYPI_API_TOKEN }}"),
    ]


def test_sl810_literal_password_never_printed(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = TRUSTED_WITH_PASSWORD.replace("${{ secrets.PYPI_API_TOKEN }}", FAKE_TOKEN)
    files = {RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL810"], today=TODAY) == [hit("SL810", RELEASE, wf, FAKE_TOKEN)]
    findings = audit_findings(files, select=["SL8"], today=TODAY)
    no_token_value(findings)


def test_sl810_trusted_upload_with_token_record(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TOKEN)}
    assert audit(files, select=["SL810"], today=TODAY) == [
        hit("SL810", RELEASE, TRUSTED_WF, "pypa/gh-action-pypi-publish"),
    ]
    (finding,) = audit_findings(files, select=["SL810"], today=TODAY)
    assert 'auth = "token"' in finding.message


def test_sl810_agreeing_trusted(audit: AuditFn) -> None:
    assert (
        audit({RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED)}, select=["SL810"], today=TODAY)
        == []
    )


def test_sl810_agreeing_token(audit: AuditFn) -> None:
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(PYPI_TOKEN)}, select=["SL810"], today=TODAY) == []


# --- SL811 deploy-workflow-mismatch ------------------------------------------------------------


def test_sl811_workflow_file_missing(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(PYPI_TRUSTED.replace('"release.yml"', '"publish.yml"'))
    files = {RELEASE: TRUSTED_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL811", PY, text, '"publish.yml"')]
    (finding,) = audit_findings(files, select=["SL811"], today=TODAY)
    assert "`publish.yml` does not exist" in finding.message
    assert ".github/workflows/publish.yml" in finding.help


def test_sl811_workflow_that_does_not_publish(audit: AuditFn, audit_findings: FindingsFn) -> None:
    ci = """
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run build
"""
    text = pyproject(PYPI_TRUSTED.replace('"release.yml"', '"ci.yml"'))
    files = {RELEASE: TRUSTED_WF, ".github/workflows/ci.yml": ci, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL811", PY, text, '"ci.yml"')]
    (finding,) = audit_findings(files, select=["SL811"], today=TODAY)
    assert "`ci.yml` does not publish to PyPI" in finding.message
    assert "release.yml" in finding.message


def test_sl811_path_in_record_uses_the_file_name(audit: AuditFn) -> None:
    text = pyproject(PYPI_TRUSTED.replace('"release.yml"', '".github/workflows/release.yml"'))
    assert audit({RELEASE: TRUSTED_WF, PY: text}, select=["SL8"], today=TODAY) == []


CALLER_WF = """
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run build
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist
  publish:
    needs: build
    uses: ./.github/workflows/publish.yml
    permissions:
      id-token: write
"""

REUSABLE_WF = """
on:
  workflow_call:
jobs:
  pypi:
    runs-on: ubuntu-latest
    environment:
      name: pypi
      url: https://pypi.org/p/pyload-ng
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: dist
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_sl811_reusable_publishing_workflow_is_the_publisher(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """PyPI looks the publisher up by the file in the token's `job_workflow_ref`, which
    GitHub sets to the reusable workflow that contains the job (warehouse
    oidc/models/github.py, lookup_by_claims): the record names publish.yml."""
    reusable = PYPI_TRUSTED.replace('"release.yml"', '"publish.yml"')
    files = {
        RELEASE: CALLER_WF,
        ".github/workflows/publish.yml": REUSABLE_WF,
        PY: pyproject(reusable),
    }
    assert audit(files, select=["SL8"], today=TODAY) == []
    # the caller is not what PyPI checks: a publisher registered for it fails
    text = pyproject(PYPI_TRUSTED)
    files[PY] = text
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL811", PY, text, '"release.yml"')]
    (finding,) = audit_findings(files, select=["SL811"], today=TODAY)
    assert finding.message == (
        "deploy record `pypi`: `release.yml` does not publish to PyPI (the "
        "trusted-publishing upload is in publish.yml)"
    )


def test_sl811_token_record_names_no_workflow_check(audit: AuditFn) -> None:
    # `workflow` only matters for trusted publishing
    rec = PYPI_TOKEN.replace(
        'secret = "PYPI_API_TOKEN"\n', 'secret = "PYPI_API_TOKEN"\nworkflow = "gone.yml"\n'
    )
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(rec)}, select=["SL811"], today=TODAY) == []


# --- SL812 deploy-environment-mismatch ---------------------------------------------------------


def test_sl812_job_without_environment(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = TRUSTED_WF.replace(
        "    environment:\n      name: pypi\n      url: https://pypi.org/p/pyload-ng\n", ""
    )
    files = {RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL812", RELEASE, wf, "publish:")]
    (finding,) = audit_findings(files, select=["SL812"], today=TODAY)
    assert "`publish`" in finding.message and "`pypi`" in finding.message
    assert "environment: pypi" in finding.help


def test_sl812_job_in_another_environment(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = TRUSTED_WF.replace("      name: pypi\n", "      name: release\n")
    files = {RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL812", RELEASE, wf, "release\n")]
    (finding,) = audit_findings(files, select=["SL812"], today=TODAY)
    assert "`release`" in finding.message and "`pypi`" in finding.message


def test_sl812_scalar_environment(audit: AuditFn) -> None:
    wf = TRUSTED_WF.replace(
        "    environment:\n      name: pypi\n      url: https://pypi.org/p/pyload-ng\n",
        "    environment: release\n",
    )
    assert audit({RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}, select=["SL8"], today=TODAY) == [
        hit("SL812", RELEASE, wf, "release\n"),
    ]
    fixed = wf.replace("environment: release", "environment: pypi")
    assert audit({RELEASE: fixed, PY: pyproject(PYPI_TRUSTED)}, select=["SL8"], today=TODAY) == []


def test_sl812_record_without_environment_or_expression(audit: AuditFn) -> None:
    rec = PYPI_TRUSTED.replace('environment = "pypi"\n', "")
    assert audit({RELEASE: TRUSTED_WF, PY: pyproject(rec)}, select=["SL8"], today=TODAY) == []
    wf = TRUSTED_WF.replace("      name: pypi\n", "      name: ${{ inputs.environment }}\n")
    assert audit({RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}, select=["SL812"], today=TODAY) == []


# --- SL813 environment-url-project-mismatch ----------------------------------------------------


def test_sl813_url_names_another_project(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = TRUSTED_WF.replace("https://pypi.org/p/pyload-ng", "https://pypi.org/project/Other/")
    files = {RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL813", RELEASE, wf, "https://pypi.org/project/Other/"),
    ]
    (finding,) = audit_findings(files, select=["SL813"], today=TODAY)
    assert "`Other`" in finding.message and "`pyload-ng`" in finding.message
    assert fixed_text(finding) == body(wf).replace("/project/Other/", "/project/pyload-ng/")
    assert (
        audit(
            {RELEASE: fixed_text(finding), PY: pyproject(PYPI_TRUSTED)}, select=["SL8"], today=TODAY
        )
        == []
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://pypi.org/p/pyload-ng",
        "https://pypi.org/project/PyLoad_NG/",
        "https://pypi.org/p/${{ github.event.repository.name }}",
        "https://github.com/pyload/pyload/releases",
    ],
)
def test_sl813_matching_or_unknown_urls(audit: AuditFn, url: str) -> None:
    wf = TRUSTED_WF.replace("https://pypi.org/p/pyload-ng", url)
    assert audit({RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}, select=["SL813"], today=TODAY) == []


def test_sl813_record_project_wins(audit: AuditFn) -> None:
    wf = TRUSTED_WF.replace("pyload-ng", "pyload")
    rec = PYPI_TRUSTED.replace('index = "pypi"\n', 'index = "pypi"\nproject = "pyload"\n')
    assert audit({RELEASE: wf, PY: pyproject(rec)}, select=["SL813"], today=TODAY) == []
    assert audit({RELEASE: wf, PY: pyproject(PYPI_TRUSTED)}, select=["SL813"], today=TODAY) == [
        hit("SL813", RELEASE, wf, "https://pypi.org/p/pyload"),
    ]


def test_sl813_without_record_compares_the_metadata_of_the_built_project(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = """
        on: {release: {types: [published]}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: python -m build
              - uses: actions/upload-artifact@v4
                with: {name: dist, path: dist}
          publish:
            needs: build
            runs-on: ubuntu-latest
            environment:
              name: pypi
              url: https://pypi.org/p/template-project
            permissions:
              id-token: write
            steps:
              - uses: actions/download-artifact@v4
                with: {name: dist, path: dist}
              - uses: pypa/gh-action-pypi-publish@release/v1
    """
    meta = '[project]\nname = "Real_Project"\nversion = "1.0"\n'
    files = {RELEASE: wf, PY: meta}
    assert audit(files, select=["SL813"], today=TODAY) == [
        hit("SL813", RELEASE, wf, "https://pypi.org/p/template-project"),
    ]
    (finding,) = audit_findings(files, select=["SL813"], today=TODAY)
    assert "`template-project`" in finding.message and "`Real_Project`" in finding.message
    # setup.cfg names the project the same way (normalised)
    cfg = "[metadata]\nname = template.project\n"
    setuptools = '[build-system]\nbuild-backend = "setuptools.build_meta"\n'
    files = {RELEASE: wf, PY: setuptools, "setup.cfg": cfg}
    assert audit(files, select=["SL813"], today=TODAY) == []
    # a monorepo member built from a sub-directory: the root metadata says nothing
    sub = wf.replace("python -m build", "python -m build packages/template-project")
    assert audit({RELEASE: sub, PY: meta}, select=["SL813"], today=TODAY) == []
    # a script rewrites the metadata before the build (one repository, two projects)
    edited = wf.replace(
        "      - run: python -m build\n",
        "      - run: python .github/workflows/docutils_setup.py pyproject.toml\n"
        "      - run: python -m build\n",
    )
    assert audit({RELEASE: edited, PY: meta}, select=["SL813"], today=TODAY) == []
    # no build feeding the job (artifacts of another workflow): not certain
    alone = wf.replace("    needs: build\n", "")
    alone = alone.replace("      - run: python -m build\n", "")
    assert audit({RELEASE: alone, PY: meta}, select=["SL813"], today=TODAY) == []
    # a name computed in setup.py is not known
    setup = "from setuptools import setup\nsetup(name=NAME)\n"
    files = {RELEASE: wf, PY: setuptools, "setup.cfg": "[metadata]\n", "setup.py": setup}
    assert audit(files, select=["SL813"], today=TODAY) == []


# --- SL814 stale-deploy-record -----------------------------------------------------------------


def test_sl814_record_without_upload(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(PYPI_TOKEN, TESTPYPI_TOKEN)
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL814", PY, text, "[tool.shiplint.deploy.testpypi]"),
    ]
    (finding,) = audit_findings(files, select=["SL814"], today=TODAY)
    assert finding.message == "deploy record `testpypi` (TestPyPI) matches no upload"


STAGING_REC = """
[tool.shiplint.deploy.staging]
index = "anaconda"
channel = "multibuild-wheels-staging"
group = "h5py"
auth = "token"
secret = "MULTIBUILD_WHEELS_STAGING_ACCESS"
account = "takluyver"
account-kind = "personal"
scopes = ["api:read", "api:write", "pypi:upload"]
token-expires = 2027-05-14
maintainers = ["takluyver", "tacaswell"]
"""


def test_sl814_anaconda_channel_no_longer_uploaded(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """Tag builds used to go to a staging org; only the nightly upload is left."""
    text = pyproject(NIGHTLY_REC, STAGING_REC, name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL814", PY, text, "[tool.shiplint.deploy.staging]"),
    ]
    (stale,) = audit_findings(files, select=["SL814"], today=TODAY)
    assert stale.message == (
        "deploy record `staging` (anaconda.org channel `multibuild-wheels-staging`) "
        "matches no upload"
    )


def test_sl814_anaconda_channel_moved_is_drift_not_stale(audit: AuditFn) -> None:
    """h5py: the record (same secret) still names the old org; the upload goes to the new one.
    That is one record that drifted, not an undocumented upload plus a stale record."""
    rec = NIGHTLY_REC.replace("scientific-python-nightly-wheels", "scipy-wheels-nightly")
    files = {NIGHTLIES: NIGHTLY_WF, PY: pyproject(rec, name="h5py")}
    assert audit(files, select=["SL801", "SL814"], today=TODAY) == []


def test_sl814_record_without_index_is_malformed_not_stale(audit: AuditFn) -> None:
    text = pyproject(PYPI_TOKEN, TESTPYPI_TOKEN.replace('index = "testpypi"\n', ""))
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL814", "SL816"], today=TODAY) == [
        hit("SL816", PY, text, "[tool.shiplint.deploy.testpypi]"),
    ]


# --- SL815 deploy-bus-factor -------------------------------------------------------------------


def test_sl815_one_maintainer(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(PYPI_TOKEN.replace('["vuolter", "GammaC0de"]', '["vuolter"]'))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL815", PY, text, '["vuolter"]')]
    (finding,) = audit_findings(files, select=["SL815"], today=TODAY)
    assert finding.message == "deploy record `pypi` names 1 maintainer"


def test_sl815_same_person_twice(audit: AuditFn) -> None:
    text = pyproject(PYPI_TOKEN.replace('["vuolter", "GammaC0de"]', '["vuolter", "Vuolter "]'))
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL815"], today=TODAY) == [
        hit("SL815", PY, text, '["vuolter", "Vuolter "]'),
    ]


def test_sl815_no_maintainers_key(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(PYPI_TOKEN.replace('maintainers = ["vuolter", "GammaC0de"]\n', ""))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL815", PY, text, "[tool.shiplint.deploy.pypi]"),
    ]
    (finding,) = audit_findings(files, select=["SL815"], today=TODAY)
    assert finding.message == "deploy record `pypi` names no maintainers"


def test_sl815_two_maintainers_or_placeholder(audit: AuditFn) -> None:
    assert audit({DEPLOY: TOKEN_WF, PY: pyproject(PYPI_TOKEN)}, select=["SL815"], today=TODAY) == []
    # a placeholder is SL802's to report
    text = pyproject(PYPI_TOKEN.replace('["vuolter", "GammaC0de"]', '["TODO: two people"]'))
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL815"], today=TODAY) == []


# --- SL816 malformed-deploy-record -------------------------------------------------------------


def test_sl816_quoted_date(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(NIGHTLY_REC.replace("2027-05-14", '"2027-05-14"'), name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL816", PY, text, '"2027-05-14"')]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert "`token-expires`" in finding.message
    assert "token-expires = 2027-05-14" in finding.message


def test_sl816_unknown_key_with_suggestion(audit: AuditFn, audit_findings: FindingsFn) -> None:
    rec = NIGHTLY_REC.replace("token-expires = ", "token-expiry = ")
    text = pyproject(rec, name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    # the misspelt key does not count: the expiry is also missing (SL802)
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.nightly]"),
        hit("SL816", PY, text, "token-expiry"),
    ]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert finding.message == "unknown key `token-expiry` in deploy record `nightly`"
    assert "Did you mean `token-expires`?" in finding.help


def test_sl816_unknown_key_without_close_match(audit_findings: FindingsFn) -> None:
    text = pyproject(PYPI_TOKEN.replace("maintainers", "owners"))
    findings = audit_findings({DEPLOY: TOKEN_WF, PY: text}, select=["SL816"], today=TODAY)
    (finding,) = findings
    assert "`owners`" in finding.message and "Did you mean" not in finding.help


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        (
            'account = "vuolter"',
            "account = 4451",
            "4451",
            "expected a non-empty string, got a number",
        ),
        ('account = "vuolter"', 'account = ""', '""', "got an empty string"),
        ('["vuolter", "GammaC0de"]', "[1, 2]", "[1, 2]", "expected a list of strings, got a list"),
        ('["vuolter", "GammaC0de"]', '"GammaC0de"', '"GammaC0de"', "expected a list of strings"),
        (
            "email-verified = 2026-04-21",
            "email-verified = 2026-04-21T09:30:00",
            "2026-04-21T09:30:00",
            "expected a date without a time of day",
        ),
        ("email-verified = 2026-04-21", "email-verified = 20260421", "20260421", "got a number"),
        ('auth = "token"', 'auth = "oidc"', '"oidc"', 'expected "trusted-publishing" or "token"'),
        ('index = "pypi"', 'index = "pypy"', '"pypy"', "an upload URL"),
    ],
)
def test_sl816_wrong_types(
    audit: AuditFn,
    audit_findings: FindingsFn,
    old: str,
    new: str,
    needle: str,
    words: str,
) -> None:
    text = pyproject(PYPI_TOKEN.replace(old, new))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL816"], today=TODAY) == [hit("SL816", PY, text, needle)]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    key = new.split(" = ", 1)[0] if " = " in new else "maintainers"
    assert f"`{key}` in deploy record `pypi`" in finding.message
    assert words in finding.message
    # the invalid value reads as absent, and is not reported again as missing
    assert audit(files, select=["SL802", "SL815"], today=TODAY) == []


def test_sl816_missing_index_and_auth(audit: AuditFn, audit_findings: FindingsFn) -> None:
    rec = PYPI_TOKEN.replace('index = "pypi"\n', "").replace('auth = "token"\n', "")
    text = pyproject(rec)
    files = {DEPLOY: TOKEN_WF, PY: text}
    # without an index the upload matches no record: SL801 proposes the table
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", DEPLOY, TOKEN_WF, "pypa/gh-action-pypi-publish"),
        hit("SL816", PY, text, "[tool.shiplint.deploy.pypi]"),
    ]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert finding.message == "deploy record `pypi` has no `index` and no `auth`"
    assert 'index = "pypi"' in finding.help and 'auth = "token"' in finding.help


def test_sl816_record_not_a_table(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject('\n[tool.shiplint.deploy]\npypi = "PYPI_API_TOKEN"\n')
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL816"], today=TODAY) == [hit("SL816", PY, text, "pypi =")]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert finding.message == "deploy record `pypi` must be a table, not a string"


def test_sl816_anaconda_trusted_publishing(audit: AuditFn, audit_findings: FindingsFn) -> None:
    rec = NIGHTLY_REC.replace('auth = "token"', 'auth = "trusted-publishing"')
    text = pyproject(rec, name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    assert hit("SL816", PY, text, '"trusted-publishing"') in audit(
        files, select=["SL816"], today=TODAY
    )
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert "anaconda.org has no trusted publishing" in finding.message


def test_sl816_pyproject_records_shadowed_by_shiplint_toml(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    text = pyproject(PYPI_TOKEN)
    files = {DEPLOY: TOKEN_WF, PY: text, SHIPLINT: 'fail-on = "error"\n'}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", DEPLOY, TOKEN_WF, "pypa/gh-action-pypi-publish"),
        hit("SL816", PY, text, "deploy.pypi]"),
    ]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert "shiplint.toml exists" in finding.message
    assert "[deploy.<name>]" in finding.help


def test_sl816_shiplint_toml_records(audit: AuditFn) -> None:
    record = PYPI_TOKEN.replace("[tool.shiplint.deploy.pypi]", "[deploy.pypi]")
    bad = record.replace("2026-04-21", '"2026-04-21"')
    files = {DEPLOY: TOKEN_WF, PY: PROJECT, SHIPLINT: bad}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL816", SHIPLINT, bad, '"2026-04-21"'),
    ]
    files[SHIPLINT] = record
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl816_deploy_not_a_table(audit: AuditFn) -> None:
    text = pyproject('\n[tool.shiplint]\ndeploy = "RELEASING.md"\n')
    assert hit("SL816", PY, text, "deploy =") in audit(
        {DEPLOY: TOKEN_WF, PY: text}, select=["SL816"], today=TODAY
    )


# --- SL817 release-docs-out-of-date ------------------------------------------------------------

START = "<!-- shiplint-deploy: start (generated by `shiplint docs` from the deploy record) -->"
END = "<!-- shiplint-deploy: end -->"

TRUSTED_SECTION = """### pypi

| | |
| --- | --- |
| Index | `pypi` |
| Project | pyload-ng |
| Auth | trusted-publishing |
| Workflow | `release.yml` |
| Environment | `pypi` |
| Maintainers | vuolter, GammaC0de |
"""


def releasing(section: str) -> str:
    return (
        "# Releasing\n\n1. Bump the version and tag it.\n\n## Deploy accounts\n\n"
        f"{START}\n{section}{END}\n\n## After the release\n\nAnnounce it.\n"
    )


def test_sl817_up_to_date_section(audit: AuditFn) -> None:
    files = {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED), DOCS: releasing(TRUSTED_SECTION)}
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl817_stale_section(audit: AuditFn, audit_findings: FindingsFn) -> None:
    stale = TRUSTED_SECTION.replace("vuolter, GammaC0de", "someone-who-left")
    docs = releasing(stale)
    files = {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED), DOCS: docs}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL817", DOCS, docs, START)]
    (finding,) = audit_findings(files, select=["SL817"], today=TODAY)
    assert "RELEASING.md" in finding.message
    # the fix rewrites the text between the markers, and only that
    assert fixed_text(finding) == releasing(TRUSTED_SECTION)
    files[DOCS] = fixed_text(finding)
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl817_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    stale = releasing(TRUSTED_SECTION.replace("vuolter, GammaC0de", "someone-who-left"))
    write_tree(tmp_path, {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED)})
    (tmp_path / DOCS).write_bytes(stale.replace("\n", "\r\n").encode())
    (finding,) = run_audit(tmp_path, select=["SL817"], today=TODAY).findings
    assert fixed_text(finding) == releasing(TRUSTED_SECTION).replace("\n", "\r\n")


def test_sl817_record_changed_after_docs(audit: AuditFn) -> None:
    docs = releasing(TRUSTED_SECTION)
    rec = PYPI_TRUSTED.replace('"GammaC0de"]', '"GammaC0de", "jmbowman"]')
    files = {RELEASE: TRUSTED_WF, PY: pyproject(rec), DOCS: docs}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL817", DOCS, docs, START)]


def test_sl817_line_endings_and_trailing_blanks_do_not_matter(audit: AuditFn) -> None:
    docs = releasing(TRUSTED_SECTION.replace("\n", "  \n") + "\n")
    files = {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED), DOCS: docs}
    assert audit(files, select=["SL817"], today=TODAY) == []


@pytest.mark.parametrize(
    ("docs", "needle", "words"),
    [
        (f"# Releasing\n\n{START}\n### pypi\n", "<!--", "no end marker"),
        (f"# Releasing\n\n### pypi\n{END}\n", "<!--", "an end marker without a start marker"),
        # reported at the first marker, the stray end marker
        (f"# Releasing\n\n{END}\n### pypi\n{START}\n", END, "no end marker"),
    ],
)
def test_sl817_broken_markers(
    audit: AuditFn, audit_findings: FindingsFn, docs: str, needle: str, words: str
) -> None:
    files = {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED), DOCS: docs}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL817", DOCS, docs, needle)]
    (finding,) = audit_findings(files, select=["SL817"], today=TODAY)
    assert "markers are broken" in finding.message and words in finding.message
    assert finding.fix is None


def test_sl817_no_markers(audit: AuditFn) -> None:
    files = {
        RELEASE: TRUSTED_WF,
        PY: pyproject(PYPI_TRUSTED),
        DOCS: "# Releasing\n\n1. Bump the version.\n2. Tag it: `git tag v1.2.3`.\n",
    }
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl817_no_docs_file(audit: AuditFn) -> None:
    files = {RELEASE: TRUSTED_WF, PY: pyproject(PYPI_TRUSTED)}
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl817_release_docs_setting(audit: AuditFn) -> None:
    stale = releasing(TRUSTED_SECTION.replace("GammaC0de", "nobody"))
    text = '[tool.shiplint]\nrelease-docs = "docs/releasing.md"\n' + pyproject(PYPI_TRUSTED)
    files = {RELEASE: TRUSTED_WF, PY: text, "docs/releasing.md": stale, DOCS: stale}
    # only the configured file is checked
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL817", "docs/releasing.md", stale, START),
    ]


def test_sl817_no_records_yet(audit: AuditFn, audit_findings: FindingsFn) -> None:
    docs = releasing("### pypi\n")
    files = {PY: PROJECT, DOCS: docs}
    (finding,) = audit_findings(files, select=["SL817"], today=TODAY)
    assert "shiplint init" in fixed_text(finding)
    files[DOCS] = fixed_text(finding)
    assert audit(files, select=["SL8"], today=TODAY) == []


# --- single-file audits ------------------------------------------------------------------------


def test_single_file_audit_has_no_deploy_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wf = TRUSTED_WITH_PASSWORD.replace("https://pypi.org/p/pyload-ng", "https://pypi.org/p/other")
    files = {
        RELEASE: wf,
        PY: pyproject(PYPI_TRUSTED.replace('"release.yml"', '"gone.yml"')),
        DOCS: releasing("stale\n"),
    }
    write_tree(tmp_path, files)
    # the whole repository has deploy findings ...
    code = main(["check", "--format", "json", "--today", "2026-11-21", str(tmp_path)])
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert code == 1 and {"SL810", "SL811", "SL813", "SL817"} <= rules
    # ... a single file has no record to compare with: no SL8xx at all
    main(["check", "--format", "json", "--today", "2026-11-21", str(tmp_path / RELEASE)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in findings if f["rule"].startswith("SL8")]
    # the same for the file the records live in
    main(["check", "--format", "json", "--today", "2026-11-21", str(tmp_path / PY)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in findings if f["rule"].startswith("SL8")]


# --- fixes from the audit of the deploy record --------------------------------------------------

PUBLISH = ".github/workflows/publish.yml"


def test_sl801_reusable_workflow_skeleton_names_the_reusable_workflow(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """PyPI matches the trusted publisher on the file that contains the publishing job
    (astral-sh/ruff: publish-pypi.yml, called by release.yml), however many workflows
    call it."""
    nightly = CALLER_WF.replace('push:\n    tags: ["v*"]', 'schedule:\n    - cron: "0 3 * * *"')
    files = {
        ".github/workflows/a-nightly.yml": nightly,
        RELEASE: CALLER_WF,
        PUBLISH: REUSABLE_WF,
        PY: PROJECT,
    }
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", PUBLISH, REUSABLE_WF, "pypa/gh-action-pypi-publish"),
    ]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert '    workflow = "publish.yml"\n' in finding.help
    assert "release.yml" not in finding.help and "a-nightly.yml" not in finding.help
    assert (
        "publish.yml is a reusable workflow: PyPI matches the file that contains the publishing job"
    ) in finding.help
    # the record the finding shows is what SL811 accepts
    record = PYPI_TRUSTED.replace('"release.yml"', '"publish.yml"')
    assert audit({**files, PY: pyproject(record)}, select=["SL8"], today=TODAY) == []


def test_sl818_second_channel_with_the_same_secret_is_undocumented(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """A record that documents one channel does not also take another channel's upload."""
    wf = NIGHTLY_WF + (
        f"      - uses: {NIGHTLY}\n"
        "        with:\n"
        "          artifacts_path: dist\n"
        "          anaconda_nightly_upload_organization: h5py-staging\n"
        "          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    text = pyproject(NIGHTLY_REC, name="h5py")
    files = {NIGHTLIES: wf, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", NIGHTLIES, wf, "scientific-python/upload-nightly-action", nth=2),
    ]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "channel `h5py-staging`" in finding.message
    assert "    [tool.shiplint.deploy.h5py-staging]\n" in finding.help
    staging = NIGHTLY_REC.replace("[tool.shiplint.deploy.nightly]", "[tool.shiplint.deploy.st]")
    staging = staging.replace('"scientific-python-nightly-wheels"', '"h5py-staging"')
    files[PY] = pyproject(NIGHTLY_REC, staging, name="h5py")
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl818_channel_drift_still_pairs_a_record_nothing_else_matches(audit: AuditFn) -> None:
    rec = NIGHTLY_REC.replace("scientific-python-nightly-wheels", "scipy-wheels-nightly")
    files = {NIGHTLIES: NIGHTLY_WF, PY: pyproject(rec, name="h5py")}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL818", NIGHTLIES, NIGHTLY_WF, "scientific-python/upload-nightly-action"),
    ]


def test_anaconda_org_url_index_is_an_anaconda_record(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    rec = NIGHTLY_REC.replace('index = "anaconda"', 'index = "https://api.anaconda.org"')
    no_group = rec.replace('group = "h5py"\n', "")
    text = pyproject(no_group, name="h5py")
    files = {NIGHTLIES: NIGHTLY_WF, PY: text}
    # held to the anaconda.org keys (`group`), not PyPI's (`email-verified`), and it
    # documents the nightly upload (no SL801, no SL814)
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.nightly]"),
    ]
    (finding,) = audit_findings(files, select=["SL802"], today=TODAY)
    assert finding.message == "deploy record `nightly` (anaconda.org token) has no `group`"
    files[PY] = pyproject(rec, name="h5py")
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl817_not_reported_when_the_records_cannot_be_read(audit: AuditFn) -> None:
    docs = releasing(TRUSTED_SECTION.replace("vuolter, GammaC0de", "someone-who-left"))
    text = pyproject(PYPI_TRUSTED) + "[broken\n"
    files = {RELEASE: TRUSTED_WF, PY: text, DOCS: docs}
    line, _ = pos_of(text, "[broken")
    assert audit(files, select=["SL0", "SL8"], today=TODAY) == [("SL001", PY, line, 8)]
    files[PY] = pyproject(PYPI_TRUSTED)
    assert audit(files, select=["SL0", "SL8"], today=TODAY) == [hit("SL817", DOCS, docs, START)]


def test_sl813_project_named_in_the_record_and_another_in_the_url(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """The record names its project; the URL another one: one drift, not an undocumented
    upload plus a stale record plus a workflow that "does not publish"."""
    wf = TRUSTED_WF.replace("https://pypi.org/p/pyload-ng", "https://pypi.org/p/other-project")
    rec = PYPI_TRUSTED.replace('index = "pypi"\n', 'index = "pypi"\nproject = "pyload-ng"\n')
    files = {RELEASE: wf, PY: pyproject(rec)}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL813", RELEASE, wf, "https://")]
    (finding,) = audit_findings(files, select=["SL813"], today=TODAY)
    assert "`other-project`" in finding.message and "`pyload-ng`" in finding.message
    files[RELEASE] = TRUSTED_WF
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl813_monorepo_record_does_not_take_a_third_project(audit: AuditFn) -> None:
    """Records for projects a and b each document their upload; project c has none."""
    wf = TRUSTED_WF + (
        "  publish-c:\n"
        "    runs-on: ubuntu-latest\n"
        "    environment:\n"
        "      name: pypi\n"
        "      url: https://pypi.org/p/proj-c\n"
        "    permissions:\n"
        "      id-token: write\n"
        "    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    rec = PYPI_TRUSTED.replace('index = "pypi"\n', 'index = "pypi"\nproject = "pyload-ng"\n')
    files = {RELEASE: wf, PY: pyproject(rec)}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL801", RELEASE, wf, "pypa/gh-action-pypi-publish", nth=2),
    ]


MAKE_WF = """
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make release
        env:
          TWINE_PASSWORD: ${{ secrets.MAKE_TOKEN }}
"""

MAKE_RELEASE = """
release: dist upload

dist:
\tpython -m build

upload:
\ttwine upload dist/*
"""


def _token_record(secret: str) -> str:
    return PYPI_TOKEN.replace('"PYPI_API_TOKEN"', f'"{secret}"')


def test_sl809_makefile_target_run_by_a_workflow_gets_the_step_secret(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    """`make release` runs `upload` (a prerequisite) with the step's TWINE_PASSWORD."""
    files = {RELEASE: MAKE_WF, "Makefile": MAKE_RELEASE, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, MAKE_WF, "${{ secrets.MAKE_TOKEN }}"),
    ]
    (finding,) = audit_findings(files, select=["SL809"], today=TODAY)
    assert finding.message == "uses secret `MAKE_TOKEN`, but deploy record `pypi` names `OTHER`"
    files[PY] = pyproject(_token_record("MAKE_TOKEN"))
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl801_makefile_skeleton_names_the_step_secret(audit_findings: FindingsFn) -> None:
    files = {RELEASE: MAKE_WF, "Makefile": MAKE_RELEASE, PY: PROJECT}
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert (finding.path, finding.line) == ("Makefile", 7)
    assert "`MAKE_TOKEN`" in finding.message
    assert '    secret = "MAKE_TOKEN"\n' in finding.help


def test_makefile_target_no_workflow_runs_has_no_step_secret(audit: AuditFn) -> None:
    wf = MAKE_WF.replace("make release", "make docs")
    files = {RELEASE: wf, "Makefile": MAKE_RELEASE, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == []


TOX_WF = MAKE_WF.replace("make release", "tox -e release").replace("MAKE_TOKEN", "TOX_TOKEN")
TOX_RELEASE = """
[testenv:release]
skip_install = true
deps = twine
pass_env = TWINE_*
commands = twine upload dist/*
"""


def test_sl809_tox_env_run_by_a_workflow_gets_the_secret_it_passes(audit: AuditFn) -> None:
    files = {RELEASE: TOX_WF, "tox.ini": TOX_RELEASE, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, TOX_WF, "${{ secrets.TOX_TOKEN }}"),
    ]
    files[PY] = pyproject(_token_record("TOX_TOKEN"))
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_tox_env_without_pass_env_does_not_get_the_secret(audit: AuditFn) -> None:
    """tox drops what pass_env does not name: the token never reaches twine (SL901)."""
    tox = TOX_RELEASE.replace("pass_env = TWINE_*\n", "")
    files = {RELEASE: TOX_WF, "tox.ini": tox, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == []


def test_sl809_nox_session_run_by_a_workflow_gets_the_step_secret(audit: AuditFn) -> None:
    wf = MAKE_WF.replace("make release", "nox -s publish").replace("MAKE_TOKEN", "NOX_TOKEN")
    noxfile = (
        "import nox\n\n\n@nox.session(name='publish')\ndef upload(session):\n"
        "    session.run('twine', 'upload', 'dist/*')\n"
    )
    files = {RELEASE: wf, "noxfile.py": noxfile, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, wf, "${{ secrets.NOX_TOKEN }}"),
    ]
    files[PY] = pyproject(_token_record("NOX_TOKEN"))
    assert audit(files, select=["SL8"], today=TODAY) == []


PRIVATE_WF = TOKEN_WF.replace(
    "          user: __token__\n",
    "          repository-url: https://pkgs.example.com/simple/\n",
)
PRIVATE_REC = """
[tool.shiplint.deploy.private]
index = "https://pkgs.example.com/simple/"
auth = "token"
secret = "PYPI_API_TOKEN"
account = "release-bot"
maintainers = ["vuolter", "GammaC0de"]
"""


def test_sl802_private_index_needs_no_email_verification(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    files = {DEPLOY: PRIVATE_WF, PY: pyproject(PRIVATE_REC)}
    assert audit(files, select=["SL8"], today=TODAY) == []
    # the account is still needed; PyPI's email rule is not quoted
    text = pyproject(PRIVATE_REC.replace('account = "release-bot"\n', ""))
    files[PY] = text
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL802", PY, text, "[tool.shiplint.deploy.private]"),
    ]
    (finding,) = audit_findings(files, select=["SL802"], today=TODAY)
    assert finding.message == (
        "deploy record `private` (https://pkgs.example.com/simple token) has no `account`"
    )
    assert "PyPI" not in finding.help


def test_sl807_only_for_pypi_accounts(audit: AuditFn) -> None:
    old = PRIVATE_REC + "email-verified = 2020-01-01\n"
    files = {DEPLOY: PRIVATE_WF, PY: pyproject(old)}
    assert audit(files, select=["SL8"], today=TODAY) == []
    text = pyproject(PYPI_TOKEN.replace("2026-04-21", "2020-01-01"))
    assert audit({DEPLOY: TOKEN_WF, PY: text}, select=["SL8"], today=TODAY) == [
        hit("SL807", PY, text, "2020-01-01"),
    ]


def test_sl801_private_index_skeleton(audit_findings: FindingsFn) -> None:
    (finding,) = audit_findings({DEPLOY: PRIVATE_WF, PY: PROJECT}, select=["SL801"], today=TODAY)
    assert '    index = "https://pkgs.example.com/simple"\n' in finding.help
    assert '    account = "TODO: the account on the index that owns the token"\n' in finding.help
    assert "email-verified" not in finding.help
    assert "PyPI user" not in finding.help


def test_sl816_quoted_date_that_does_not_exist(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject(PYPI_TOKEN.replace("2026-04-21", '"2024-13-45"'))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL816", PY, text, '"2024-13-45"')]
    (finding,) = audit_findings(files, select=["SL816"], today=TODAY)
    assert '"2024-13-45" is not a real date' in finding.message
    assert "email-verified = 2024-05-01" in finding.message
    # the unquoted advice is only given for real dates (unquoted, this one is a TOML error)
    assert "email-verified = 2024-13-45" not in finding.message + finding.help


def test_sl801_inline_deploy_table_advice(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = (
        PROJECT + "\n[tool.shiplint]\n"
        'deploy = {testpypi = {index = "testpypi", auth = "token", account = "a", '
        'email-verified = 2026-04-21, maintainers = ["a", "b"]}}\n'
    )
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL801"], today=TODAY) == [
        hit("SL801", DEPLOY, TOKEN_WF, "pypa/gh-action-pypi-publish"),
    ]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "[tool.shiplint.deploy.pypi]" not in finding.help
    assert "`tool.shiplint.deploy` is an inline table (line 5)" in finding.help
    (entry,) = [line.strip() for line in finding.help.splitlines() if "pypi = {" in line]
    # following the advice documents the upload
    files[PY] = text.replace("}}\n", "}, " + entry + "}\n")
    assert audit(files, select=["SL801"], today=TODAY) == []


def test_sl801_dotted_deploy_keys_keep_the_table_advice(audit_findings: FindingsFn) -> None:
    text = PROJECT + '\n[tool.shiplint]\ndeploy.testpypi.index = "testpypi"\n'
    (finding,) = audit_findings({DEPLOY: TOKEN_WF, PY: text}, select=["SL801"], today=TODAY)
    assert "    [tool.shiplint.deploy.pypi]\n" in finding.help


def test_sl816_token_written_as_secret_is_reported_and_never_shown(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    text = pyproject(PYPI_TOKEN.replace('"PYPI_API_TOKEN"', f'"{FAKE_TOKEN}"'))
    files = {DEPLOY: TOKEN_WF, PY: text}
    assert audit(files, select=["SL816"], today=TODAY) == [hit("SL816", PY, text, f'"{FAKE_TOKEN}')]
    findings = audit_findings(files, select=["SL8"], today=TODAY)
    assert "SL809" not in {f.rule for f in findings}  # the value is not quoted back
    no_token_value(findings)


def test_sl802_placeholder_help_is_sentences(audit_findings: FindingsFn) -> None:
    findings = audit_findings({DEPLOY: TOKEN_WF, PY: pyproject(SKELETON)}, select=["SL802"])
    account = next(f for f in findings if "`account`" in f.message)
    assert account.help.startswith("Replace the TODO value with the real one. The account ")


def test_sl811_trusted_upload_in_a_makefile_or_script_a_workflow_runs(audit: AuditFn) -> None:
    """`make release` / `bash tools/up.sh` running `uv publish` publish from the workflow."""
    wf = TRUSTED_WF.replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "      - run: make release\n      - run: bash tools/up.sh\n",
    )
    files = {
        RELEASE: wf,
        "Makefile": "release:\n\tuv publish\n",
        "tools/up.sh": "uv publish\n",
        PY: pyproject(PYPI_TRUSTED),
    }
    assert audit(files, select=["SL8"], today=TODAY) == []
    rec = PYPI_TRUSTED.replace('"release.yml"', '"ci.yml"')
    text = pyproject(rec)
    files = {**files, ".github/workflows/ci.yml": CALLER_WF, PY: text}
    assert audit(files, select=["SL811"], today=TODAY) == [hit("SL811", PY, text, '"ci.yml"')]


# --- tasks run by several steps, and runs that do not reach the task file ------------------------

TWO_JOBS_WF = """
on:
  push:
    tags: ["v*"]
jobs:
  test-upload:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: RUN
        env:
          TWINE_REPOSITORY_URL: https://test.pypi.org/legacy/
          TWINE_PASSWORD: ${{ secrets.TEST_PYPI_TOKEN }}
  upload:
    needs: test-upload
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: RUN
        env:
          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""
NOX_UPLOAD = """
import nox


@nox.session
def upload(session):
    session.run("twine", "upload", "dist/*")
"""
#: (command, task file or script, its text, where its upload is)
TASK_FILES = {
    "script": (
        "bash tools/upload.sh",
        "tools/upload.sh",
        "#!/bin/bash\nset -euo pipefail\ntwine upload dist/*\n",
        "twine",
    ),
    "make": ("make upload", "Makefile", "upload:\n\ttwine upload dist/*\n", "twine"),
    "tox": (
        "tox -e upload",
        "tox.ini",
        "[testenv:upload]\npass_env = TWINE_*\ncommands = twine upload dist/*\n",
        "twine",
    ),
    "nox": ("nox -s upload", "noxfile.py", NOX_UPLOAD, '"twine"'),
}


def _testpypi_record(secret: str) -> str:
    return TESTPYPI_TOKEN.replace('auth = "token"\n', f'auth = "token"\nsecret = "{secret}"\n')


@pytest.mark.parametrize("runner", sorted(TASK_FILES))
def test_task_run_by_two_jobs_uploads_with_each_jobs_secret(audit: AuditFn, runner: str) -> None:
    """Each step that runs the task uploads with its own secret and index (it was the first
    step's only, so the PyPI record matched nothing: a false SL814)."""
    command, path, text, _ = TASK_FILES[runner]
    wf = TWO_JOBS_WF.replace("RUN", command)
    records = pyproject(_token_record("PYPI_TOKEN"), _testpypi_record("TEST_PYPI_TOKEN"))
    files = {RELEASE: wf, path: text, PY: records}
    assert audit(files, select=["SL8"], today=TODAY) == []
    # both steps' secrets drift, each reported at its own step
    files[PY] = pyproject(_token_record("OTHER"), _testpypi_record("TEST_OTHER"))
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, wf, "${{ secrets.TEST_PYPI_TOKEN }}"),
        hit("SL809", RELEASE, wf, "${{ secrets.PYPI_TOKEN }}"),
    ]


@pytest.mark.parametrize("runner", sorted(TASK_FILES))
def test_second_step_with_an_undocumented_token_is_reported_once(
    audit: AuditFn, audit_findings: FindingsFn, runner: str
) -> None:
    command, path, text, needle = TASK_FILES[runner]
    wf = TWO_JOBS_WF.replace("RUN", command).replace("secrets.PYPI_TOKEN", "secrets.WRONG_TOKEN")
    files = {RELEASE: wf, path: text, PY: pyproject(_testpypi_record("TEST_PYPI_TOKEN"))}
    assert audit(files, select=["SL8"], today=TODAY) == [hit("SL801", path, text, needle)]
    (finding,) = audit_findings(files, select=["SL801"], today=TODAY)
    assert "`WRONG_TOKEN`" in finding.message


@pytest.mark.parametrize("runner", ["make", "script"])
def test_two_undocumented_steps_of_one_recipe_line_give_one_finding(
    audit: AuditFn, runner: str
) -> None:
    """Both copies of the recipe (or script) line are undocumented: one SL801 at the line
    (dedupe)."""
    command, path, text, needle = TASK_FILES[runner]
    wf = TWO_JOBS_WF.replace("RUN", command)
    files = {RELEASE: wf, path: text, PY: PROJECT}
    assert audit(files, select=["SL801"], today=TODAY) == [hit("SL801", path, text, needle)]


MOVED_WF = MAKE_WF.replace("make release", "RUN")


@pytest.mark.parametrize(
    ("run", "task_files"),
    [
        ("cd docs && make release", {"Makefile": MAKE_RELEASE}),
        ("cd docs; make release", {"Makefile": MAKE_RELEASE}),
        ("pushd docs && make release", {"Makefile": MAKE_RELEASE}),
        ("(cd docs && make release)", {"Makefile": MAKE_RELEASE}),
        ("tox -c sub/tox.ini -e release", {"tox.ini": TOX_RELEASE}),
        ("tox --conf=sub -e release", {"tox.ini": TOX_RELEASE}),
        (
            "nox -f sub/noxfile.py -s release",
            {"noxfile.py": NOX_UPLOAD.replace("upload(", "release(")},
        ),
        (
            "nox --noxfile=$NOXFILE -s release",
            {"noxfile.py": NOX_UPLOAD.replace("upload(", "release(")},
        ),
        (
            "nox -fsub/noxfile.py -s release",
            {"noxfile.py": NOX_UPLOAD.replace("upload(", "release(")},
        ),
    ],
)
def test_task_run_elsewhere_is_not_linked(
    audit: AuditFn, run: str, task_files: dict[str, str]
) -> None:
    """The command may read another file than the one shiplint read: no step secret."""
    wf = MOVED_WF.replace("RUN", run)
    files = {RELEASE: wf, **task_files, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == []


@pytest.mark.parametrize(
    ("run", "task_files"),
    [
        ("make -C . release", {"Makefile": MAKE_RELEASE}),
        ("(make release)", {"Makefile": MAKE_RELEASE}),
        ("tox -c tox.ini -e release", {"tox.ini": TOX_RELEASE}),
        ("tox --conf . -e release", {"tox.ini": TOX_RELEASE}),
        (
            "nox --noxfile noxfile.py -s release",
            {"noxfile.py": NOX_UPLOAD.replace("upload(", "release(")},
        ),
    ],
)
def test_task_run_on_the_file_shiplint_read_is_linked(
    audit: AuditFn, run: str, task_files: dict[str, str]
) -> None:
    wf = MOVED_WF.replace("RUN", run)
    files = {RELEASE: wf, **task_files, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, wf, "${{ secrets.MAKE_TOKEN }}"),
    ]


@pytest.mark.parametrize("runner", ["tox -e release", "nox -s release", "make release"])
@pytest.mark.parametrize(
    ("where", "linked"),
    [
        ("step", False),
        ("job-defaults", False),
        ("workflow-defaults", False),
        ("dot", True),
        ("expression", False),
    ],
)
def test_working_directory_of_the_step(
    audit: AuditFn, runner: str, where: str, linked: bool
) -> None:
    """tox, nox and make read the files of the folder they start in: a step's (or its
    defaults') `working-directory` of another folder is not the one shiplint read."""
    wf = MAKE_WF.replace("make release", runner)
    if where == "step":
        wf = wf.replace("        env:\n", "        working-directory: sub\n        env:\n")
    elif where == "dot":
        wf = wf.replace("        env:\n", "        working-directory: ./\n        env:\n")
    elif where == "expression":
        wf = wf.replace(
            "        env:\n", "        working-directory: ${{ matrix.dir }}\n        env:\n"
        )
    elif where == "job-defaults":
        wf = wf.replace(
            "    steps:\n",
            "    defaults:\n      run:\n        working-directory: sub\n    steps:\n",
        )
    else:
        wf = wf.replace("jobs:\n", "defaults:\n  run:\n    working-directory: sub\njobs:\n")
    files = {
        RELEASE: wf,
        "Makefile": MAKE_RELEASE,
        "tox.ini": TOX_RELEASE,
        "noxfile.py": NOX_UPLOAD.replace("upload(", "release("),
        PY: pyproject(_token_record("OTHER")),
    }
    expected = [hit("SL809", RELEASE, wf, "${{ secrets.MAKE_TOKEN }}")] if linked else []
    assert audit(files, select=["SL809"], today=TODAY) == expected


@pytest.mark.parametrize(
    ("run", "linked"),
    [
        ("make -n release", False),
        ("make --dry-run release", False),
        ("make --just-print release", False),
        ("make --recon release", False),
        ("make -q release || echo needs a rebuild", False),
        ("make --question release", False),
        ("make -kn release", False),
        ("make -t release", False),
        ("make --help", False),
        ("make -h", False),
        ("make --version", False),
        ("time make -n release", False),
        # -p prints the data base, then runs as usual (GNU make manual, "Options Summary")
        ("make -p release", True),
        ("make -j 4 release", True),
        ("make -sj4 release", True),
        ("make --jobs 4 release", True),
        ("make -Otarget release", True),
    ],
)
def test_make_options_that_run_no_recipe(audit: AuditFn, run: str, linked: bool) -> None:
    wf = MAKE_WF.replace("make release", run)
    files = {RELEASE: wf, "Makefile": MAKE_RELEASE, PY: pyproject(_token_record("OTHER"))}
    expected = [hit("SL809", RELEASE, wf, "${{ secrets.MAKE_TOKEN }}")] if linked else []
    assert audit(files, select=["SL8"], today=TODAY) == expected


@pytest.mark.parametrize(
    ("run", "linked"),
    [
        ("tox -e release --notest", False),
        ("tox list -e release", False),
        ("tox exec -e release -- python -V", False),
        ("tox config -e release", False),
        ("tox -e release -- --verbose list", True),
        ("tox r -e release", True),
    ],
)
def test_tox_commands_that_run_no_env_commands(audit: AuditFn, run: str, linked: bool) -> None:
    wf = MAKE_WF.replace("make release", run)
    files = {RELEASE: wf, "tox.ini": TOX_RELEASE, PY: pyproject(_token_record("OTHER"))}
    expected = [hit("SL809", RELEASE, wf, "${{ secrets.MAKE_TOKEN }}")] if linked else []
    assert audit(files, select=["SL8"], today=TODAY) == expected


NOX_NAMES = """
import nox


@nox.session(python=["3.11", "3.12"])
def publish_pypi(session):
    session.run("twine", "upload", "dist/*")


@nox.session(name="publish-test")
def upload_test(session):
    session.run("twine", "upload", "dist/*")
"""


@pytest.mark.parametrize(
    ("run", "linked"),
    [
        ("nox -s publish-pypi", None),  # not `publish_pypi`: nox compares names exactly
        ("nox -s publish_test", None),  # nor the function of `name="publish-test"`
        ("nox -s publish_pypi", "publish_pypi"),
        ("nox -s publish_pypi-3.12", "publish_pypi"),
        ("nox --session=publish-test", "upload_test"),
        ("nox -s 'publish_pypi(python=3.12'", None),  # no such session
        ("nox -t release", None),  # sessions picked by tag or keyword are not linked
        ("nox -k publish", None),
        ("nox -l -s publish_pypi", None),
    ],
)
def test_nox_session_names_match_exactly(audit: AuditFn, run: str, linked: str | None) -> None:
    wf = MAKE_WF.replace("make release", run)
    files = {RELEASE: wf, "noxfile.py": NOX_NAMES, PY: pyproject(_token_record("OTHER"))}
    found = audit(files, select=["SL809"], today=TODAY)
    expected = [hit("SL809", RELEASE, wf, "${{ secrets.MAKE_TOKEN }}")] if linked else []
    assert found == expected


TOX_ENV_REF = """
[testenv:release]
set_env =
    TWINE_USERNAME = __token__
    TWINE_PASSWORD = {env:PYPI_TOKEN}
commands = twine upload dist/*
"""


def test_tox_set_env_from_the_environment_tox_runs_in(audit: AuditFn) -> None:
    """`{env:PYPI_TOKEN}` is read from tox's own environment (the step's), whatever
    `pass_env` says: the credential is the step's secret."""
    wf = MAKE_WF.replace("make release", "tox -e release").replace(
        "TWINE_PASSWORD: ${{ secrets.MAKE_TOKEN }}", "PYPI_TOKEN: ${{ secrets.STEP_TOKEN }}"
    )
    files = {RELEASE: wf, "tox.ini": TOX_ENV_REF, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, wf, "${{ secrets.STEP_TOKEN }}"),
    ]
    files[PY] = pyproject(_token_record("STEP_TOKEN"))
    assert audit(files, select=["SL8"], today=TODAY) == []


@pytest.mark.parametrize(
    "value", ['"{env:PYPI_TOKEN}"', '{ replace = "env", name = "PYPI_TOKEN", default = "" }']
)
def test_tox_toml_set_env_from_the_environment(audit: AuditFn, value: str) -> None:
    wf = MAKE_WF.replace("make release", "tox -e release").replace(
        "TWINE_PASSWORD: ${{ secrets.MAKE_TOKEN }}", "PYPI_TOKEN: ${{ secrets.STEP_TOKEN }}"
    )
    toml = (
        "[env.release]\n"
        f'set_env = {{ TWINE_USERNAME = "__token__", TWINE_PASSWORD = {value} }}\n'
        'commands = [["twine", "upload", "dist/*"]]\n'
    )
    files = {RELEASE: wf, "tox.toml": toml, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, wf, "${{ secrets.STEP_TOKEN }}"),
    ]


def test_tox_disallow_pass_env_keeps_the_secret_out(audit: AuditFn) -> None:
    tox = TOX_RELEASE.replace(
        "pass_env = TWINE_*\n", "pass_env = TWINE_*\ndisallow_pass_env = TWINE_PASS*\n"
    )
    files = {RELEASE: TOX_WF, "tox.ini": tox, PY: pyproject(_token_record("OTHER"))}
    assert audit(files, select=["SL8"], today=TODAY) == []
    # the same env without it passes the secret (test_sl809_tox_env_run_by_a_workflow_...)
    files["tox.ini"] = TOX_RELEASE
    assert audit(files, select=["SL8"], today=TODAY) == [
        hit("SL809", RELEASE, TOX_WF, "${{ secrets.TOX_TOKEN }}"),
    ]


# --- one record for the trusted uploads of several workflows -------------------------------------

DISPATCH_WF = TRUSTED_WF.replace("release:\n    types: [published]", "workflow_dispatch:")
TAGS_WF = TRUSTED_WF.replace("release:\n    types: [published]", 'push:\n    tags: ["v*"]')


def test_sl801_several_publishing_workflows_prefer_release_and_ask_to_register_each(
    audit_findings: FindingsFn,
) -> None:
    files = {
        ".github/workflows/a-manual.yml": DISPATCH_WF,
        ".github/workflows/z-release.yml": TRUSTED_WF,
        PY: PROJECT,
    }
    findings = audit_findings(files, select=["SL801"], today=TODAY)
    assert len(findings) == 2
    for finding in findings:
        # `release` before `workflow_dispatch`, whatever the file names
        assert '    workflow = "z-release.yml"\n' in finding.help
        assert (
            "z-release.yml chosen for `workflow` (it runs on `release`); a-manual.yml also "
            "runs the upload. PyPI checks the workflow file that contains the publishing job, "
            "so each of them must be registered as a trusted publisher of the project on PyPI: "
            "z-release.yml, a-manual.yml."
        ) in finding.help


def test_sl801_several_release_workflows_are_chosen_by_name(audit_findings: FindingsFn) -> None:
    files = {
        ".github/workflows/b-release.yml": TRUSTED_WF,
        ".github/workflows/a-release.yml": TRUSTED_WF,
        ".github/workflows/tags.yml": TAGS_WF,
        PY: PROJECT,
    }
    finding = audit_findings(files, select=["SL801"], today=TODAY)[0]
    assert '    workflow = "a-release.yml"\n' in finding.help
    assert (
        "a-release.yml chosen for `workflow` (it runs on `release`, as b-release.yml does; "
        "first by name); b-release.yml, tags.yml also run the upload."
    ) in finding.help


def test_push_of_branches_only_is_not_a_release_workflow(audit_findings: FindingsFn) -> None:
    branches = TRUSTED_WF.replace("release:\n    types: [published]", "push:\n    branches: [main]")
    files = {
        ".github/workflows/a-main.yml": branches,
        ".github/workflows/b-manual.yml": DISPATCH_WF,
        PY: PROJECT,
    }
    finding = audit_findings(files, select=["SL801"], today=TODAY)[0]
    assert '    workflow = "b-manual.yml"\n' in finding.help
    assert "(it runs on `workflow_dispatch`); a-main.yml also runs the upload" in finding.help


def test_sl801_a_dry_run_uploads_nothing_and_needs_no_record(audit: AuditFn) -> None:
    """PyO3/maturin: `uv publish --dry-run` on branches, `uv publish` on tags. Only the
    real upload needs a record; the dry run checks the files and uploads nothing."""
    wf = """
on: {push: {branches: [main], tags: ["v*"]}}
jobs:
  release:
    runs-on: ubuntu-latest
    environment: pypi
    permissions: {id-token: write}
    steps:
      - name: Publish (dry run)
        if: ${{ !startsWith(github.ref, 'refs/tags/') }}
        run: uv publish --dry-run '*'
      - name: Publish
        if: startsWith(github.ref, 'refs/tags/')
        run: uv publish '*'
      - run: poetry publish --dry-run
"""
    assert audit({RELEASE: wf, PY: PROJECT}, select=["SL801"], today=TODAY) == [
        hit("SL801", RELEASE, wf, "uv publish '*'"),
    ]
