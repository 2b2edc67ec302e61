"""SL913: upload destinations chosen by a shell if/case."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.rules.upload_target_branch import UploadTargetByShellCondition
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples
from tests.upload_script_samples import NUMPY_SCRIPT, NUMPY_WORKFLOW, SKLEARN_SCRIPT

FindingsFn = Callable[..., "list[Finding]"]


def test_sl913_if_else_org(audit: AuditFn, audit_findings: FindingsFn) -> None:
    path = "build_tools/github/upload_anaconda.sh"
    assert audit({path: SKLEARN_SCRIPT}, select=["SL913"]) == [
        hit("SL913", path, SKLEARN_SCRIPT, "anaconda -t")
    ]
    (finding,) = audit_findings({path: SKLEARN_SCRIPT}, select=["SL913"])
    assert '`scientific-python-nightly-wheels` when `[ "$GITHUB_EVENT_NAME" == "schedule" ]`' in (
        finding.message
    )
    assert "`scikit-learn-wheels-staging` otherwise" in finding.message
    # a correct test picks the right org: what to check, not a failure
    assert finding.severity is Severity.INFO
    assert "check the test for every event that uploads" in finding.help


# scikit-learn before scikit-learn/scikit-learn#27831: `||` inside `[ ]` splits the test
SKLEARN_BROKEN = SKLEARN_SCRIPT.replace(
    '[ "$GITHUB_EVENT_NAME" == "schedule" ]',
    '[ "$GITHUB_EVENT_NAME" == "schedule" || "$CIRRUS_CRON" == "nightly" ]',
)


def test_sl913_unclosed_bracket_test_is_an_error(audit_findings: FindingsFn) -> None:
    path = "build_tools/github/upload_anaconda.sh"
    (finding,) = audit_findings({path: SKLEARN_BROKEN}, select=["SL913"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL913", path, SKLEARN_BROKEN, "anaconda -t"
    )
    assert finding.severity is Severity.ERROR
    assert "that branch is never taken" in finding.message
    assert "scikit-learn/scikit-learn#27831" in finding.help


def test_sl913_unclosed_bracket_next_to_another_command_is_a_warning(
    audit_findings: FindingsFn,
) -> None:
    script = SKLEARN_SCRIPT.replace(
        '[ "$GITHUB_EVENT_NAME" == "schedule" ]',
        '[ "$GITHUB_EVENT_NAME" == "schedule" || test -n "$FORCE_NIGHTLY"',
    )
    (finding,) = audit_findings({"tools/u.sh": script}, select=["SL913"])
    assert finding.severity is Severity.WARNING
    assert "depends only on the rest of the condition" in finding.message


def test_sl913_closed_brackets_joined_by_or_are_info(audit_findings: FindingsFn) -> None:
    script = SKLEARN_SCRIPT.replace(
        '[ "$GITHUB_EVENT_NAME" == "schedule" ]',
        '[ "$GITHUB_EVENT_NAME" == "schedule" ] || [ "$CIRRUS_CRON" == "nightly" ]',
    )
    (finding,) = audit_findings({"tools/u.sh": script}, select=["SL913"])
    assert finding.severity is Severity.INFO


def test_sl913_numpy_functions(audit: AuditFn) -> None:
    files = {
        "tools/wheels/upload_wheels.sh": NUMPY_SCRIPT,
        ".github/workflows/wheels.yml": NUMPY_WORKFLOW,
    }
    path = "tools/wheels/upload_wheels.sh"
    assert audit(files, select=["SL913"]) == [hit("SL913", path, NUMPY_SCRIPT, "anaconda -q")]


def test_sl913_default_then_override(audit: AuditFn) -> None:
    script = (
        'ORG=project-staging\nif [ "$EVENT" = schedule ]; then ORG=scientific-python-nightly-wheels; fi\n'
        'anaconda -t "$T" upload -u "$ORG" x.whl\n'
    )
    assert audit({"tools/u.sh": script}, select=["SL913"]) == [
        hit("SL913", "tools/u.sh", script, "anaconda")
    ]


@pytest.mark.parametrize(
    "script",
    [
        # exhaustive case with a failing fall-through
        'case "$EVENT" in\n  schedule) ORG=scientific-python-nightly-wheels ;;\n'
        '  push) ORG=staging ;;\n  *) echo "unexpected $EVENT"; exit 1 ;;\nesac\n'
        'anaconda -t "$T" upload -u "$ORG" x.whl\n',
        # if/elif with a failing else
        'if [ "$E" = schedule ]; then ORG=a\nelif [ "$E" = push ]; then ORG=b\n'
        'else exit 1\nfi\nanaconda -t "$T" upload -u "$ORG" x.whl\n',
        # one value only
        'if [ "$E" = schedule ]; then ORG=a; else ORG=a; fi\nanaconda -t "$T" upload -u "$ORG" x\n',
        # not conditional
        'ORG=a\nORG=b\nanaconda -t "$T" upload -u "$ORG" x.whl\n',
    ],
)
def test_sl913_accepted(audit: AuditFn, script: str) -> None:
    assert audit({"tools/u.sh": "set -e\n" + script}, select=["SL913"]) == []


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, UploadTargetByShellCondition)
