"""SL713: hynek/build-and-inspect-python-package's twine vs. the Metadata-Version the backend
writes (its `twine check` fails the build job)."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.rules.metadata_version.build_check import BuildCheckTooOldForMetadata
from tests.conftest import AuditFn, hit

FindingsFn = Callable[..., "list[Finding]"]
WF = ".github/workflows/ci.yml"
V2_18 = "d44ca7d91762de7a7d5436ddae667c6da6d1c3df"  # v2.18.0 (twine 6.2.0)
V3_0_1 = "2abe76da66d0a6a4a227101f9348ee855797cfa5"  # v3.0.1 (twine 7.0.0)


def pyproject(requires: str, backend: str, project: str = "") -> str:
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "example"\nversion = "1.0"\n{project}'
    )


HATCHLING = pyproject('"hatchling"', "hatchling.build")  # the newest: 1.32+ writes 2.5
HATCHLING_24 = pyproject('"hatchling>=1.27,<1.30"', "hatchling.build")  # writes 2.4
SETUPTOOLS = pyproject('"setuptools>=61"', "setuptools.build_meta")  # 77+ writes 2.4
OLD_SETUPTOOLS = pyproject('"setuptools>=61,<77"', "setuptools.build_meta")  # 2.1/2.2
IMPORT_NAMES = pyproject(
    '"setuptools>=61"', "setuptools.build_meta", 'import-names = ["example"]\n'
)  # PEP 794: 2.5


def build(ref: str, extra: str = "", with_: str = "") -> str:
    return f"""
        on: [push, pull_request]
        jobs:
          build-package:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0
              - uses: hynek/build-and-inspect-python-package@{ref}{extra}{with_}
        """


def test_v2_with_metadata_25(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # `@v2` last moved to v2.18.0, whose twine 6.2.0 rejects hatchling 1.32's 2.5
    wf = build("v2")
    files = {WF: wf, "pyproject.toml": HATCHLING}
    assert audit(files, select=["SL713"]) == [hit("SL713", WF, wf, "v2")]
    (finding,) = audit_findings(files, select=["SL713"])
    assert finding.severity is Severity.ERROR
    assert "v2.18.0" in finding.message and "twine 6.2.0" in finding.message
    assert "cannot read Metadata-Version 2.5" in finding.message
    assert "hatchling 1.32.0 and later" in finding.message
    assert "'2.5' is not a valid metadata version" in finding.help
    assert V3_0_1 in finding.help
    assert finding.fix is not None and not finding.fix.safe
    assert finding.fix.edits[0].replacement == "v3.0.1"


@pytest.mark.parametrize(
    ("ref", "extra"),
    [
        ("v2.18.0", ""),
        ("v2.14", ""),
        (V2_18, "  # v2.18.0"),
        (V2_18, ""),  # the table knows the commit
        ("ab" * 20, "  # v2.15.0"),  # an exact comment on a SHA the table does not know
        ("ab" * 20, "  # v2"),  # some 2.x: none reads 2.5
    ],
)
def test_v2_releases_with_metadata_25(audit: AuditFn, ref: str, extra: str) -> None:
    wf = build(ref, extra)
    got = audit({WF: wf, "pyproject.toml": HATCHLING}, select=["SL713"])
    assert got == [hit("SL713", WF, wf, ref)]


def test_import_names_need_25(audit: AuditFn) -> None:
    wf = build("v2.17.0")
    got = audit({WF: wf, "pyproject.toml": IMPORT_NAMES}, select=["SL713"])
    assert got == [hit("SL713", WF, wf, "v2.17.0")]


@pytest.mark.parametrize(
    ("ref", "extra"),
    [("v3.0.0", ""), ("v3.0.1", ""), (V3_0_1, "  # v3.0.1"), ("main", ""), ("v3.1.0", "")],
)
def test_v3_reads_25(audit: AuditFn, ref: str, extra: str) -> None:
    assert audit({WF: build(ref, extra), "pyproject.toml": HATCHLING}, select=["SL713"]) == []


def test_release_before_2_11_with_metadata_24(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # twine 5.1.1 (pkginfo 1.10) reads up to 2.3; setuptools 77+ writes 2.4
    wf = build("v2.10")
    files = {WF: wf, "pyproject.toml": SETUPTOOLS}
    assert audit(files, select=["SL713"]) == [hit("SL713", WF, wf, "v2.10")]
    (finding,) = audit_findings(files, select=["SL713"])
    assert "twine 5.1.1" in finding.message
    assert "cannot read Metadata-Version 2.4" in finding.message
    assert "supported Metadata-Version: 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, 2.3" in finding.help
    assert "Pin v2.11.0 or later" in finding.help


@pytest.mark.parametrize("ref", ["v2", "v2.11.0", V2_18])
def test_v2_11_and_later_read_24(audit: AuditFn, ref: str) -> None:
    for pyproject_toml in (SETUPTOOLS, HATCHLING_24):
        files = {WF: build(ref), "pyproject.toml": pyproject_toml}
        assert audit(files, select=["SL713"]) == []


def test_old_backend_writes_old_metadata(audit: AuditFn) -> None:
    assert audit({WF: build("v1.5.5"), "pyproject.toml": OLD_SETUPTOOLS}, select=["SL713"]) == []


def test_line_comment_does_not_decide_24(audit: AuditFn) -> None:
    """A SHA the table does not know with `# v2`: some 2.x, which may or may not read 2.4."""
    files = {WF: build("ab" * 20, "  # v2"), "pyproject.toml": SETUPTOOLS}
    assert audit(files, select=["SL713"]) == []


def test_path_builds_another_project(audit: AuditFn) -> None:
    with_ = "\n                with:\n                  path: packages/core"
    files = {WF: build("v2", with_=with_), "pyproject.toml": HATCHLING}
    assert audit(files, select=["SL713"]) == []


def test_path_at_root_is_judged(audit: AuditFn) -> None:
    with_ = "\n                with:\n                  path: ."
    wf = build("v2", with_=with_)
    got = audit({WF: wf, "pyproject.toml": HATCHLING}, select=["SL713"])
    assert got == [hit("SL713", WF, wf, "v2")]


def test_unknown_ref_is_not_guessed(audit: AuditFn) -> None:
    # `@v3` does not exist (no moving v3 tag): that fails at set-up, not at `twine check`
    assert audit({WF: build("v3"), "pyproject.toml": HATCHLING}, select=["SL713"]) == []


def test_no_build_configuration(audit: AuditFn) -> None:
    assert audit({WF: build("v2")}, select=["SL713"]) == []


def test_sl713_examples(audit: AuditFn) -> None:
    rule = BuildCheckTooOldForMetadata
    before = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" + "".join(
        "      " + line + "\n" for line in rule.before.splitlines()
    )
    assert audit({WF: before, "pyproject.toml": HATCHLING}, select=["SL713"])
    after = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" + "".join(
        "      " + line + "\n" for line in rule.after.splitlines()
    )
    assert audit({WF: after, "pyproject.toml": HATCHLING}, select=["SL713"]) == []


@pytest.mark.parametrize(
    ("cap", "severity"),
    [
        # before hatchling 1.32.0 was out (2026-08-11): uv cannot install it
        ('"2026-06-01T00:00:00Z"', None),
        ('"400 days"', None),
        ('"P30W"', None),
        # a week or more after it: the cap changes nothing
        ('"7 days"', Severity.ERROR),
        ('"1 week"', Severity.ERROR),
        ('"P7D"', Severity.ERROR),
        ('"2026-09-01"', Severity.ERROR),
        # within that week, or a form shiplint does not read: may or may not
        ('"2026-08-14"', Severity.WARNING),
        ('"3 hours"', Severity.WARNING),
    ],
)
def test_uv_exclude_newer_against_the_release_date(
    audit_findings: FindingsFn, cap: str, severity: Severity | None
) -> None:
    wf = build("v2")
    files = {WF: wf, "pyproject.toml": HATCHLING + f"\n[tool.uv]\nexclude-newer = {cap}\n"}
    found = audit_findings(files, select=["SL713"], today=dt.date(2026, 12, 6))
    assert [f.severity for f in found] == ([severity] if severity else [])
    if severity is Severity.WARNING:
        assert "exclude-newer" in found[0].help
