"""SL207: a SHA pin's version comment names another release than the commit."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from shiplint.findings import Finding, Severity
from shiplint.rules.action_pins import ActionPinCommentMismatch
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples

WF = ".github/workflows/release.yml"
FindingsFn = Callable[..., list[Finding]]

V1_14_0 = "cef221092ed1bacb1cc03d23a2d87d1d172e277b"


def workflow(*uses: str) -> str:
    steps = "".join(f"              - uses: {u}\n" for u in uses)
    return (
        """
        on:
          push:
            tags: ['v*']
        jobs:
          publish:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
"""
        + steps
    )


def fixed_text(finding: Finding) -> str:
    assert finding.fix is not None and finding.source is not None
    text = finding.source.text or ""
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def test_exact_comment_of_another_release(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = workflow(f"pypa/gh-action-pypi-publish@{V1_14_0} # v1.14.2")
    assert audit({WF: wf}, select=["SL207"]) == [hit("SL207", WF, wf, "v1.14.2")]
    (finding,) = audit_findings({WF: wf}, select=["SL207"])
    assert finding.severity is Severity.INFO
    assert finding.message == (
        "the comment says v1.14.2, but cef2210 is the commit of pypa/gh-action-pypi-publish v1.14.0"
    )
    assert finding.fix is not None and finding.fix.safe
    fixed = fixed_text(finding)
    assert f"@{V1_14_0} # v1.14.0\n" in fixed
    assert audit({WF: fixed}, select=["SL207"]) == []


def test_line_comment_of_another_major(audit_findings: FindingsFn) -> None:
    # conda/conda-build: upload-artifact's v7.0.1 commit with a stale `# v4` line comment
    wf = workflow("actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a  # v4")
    (finding,) = audit_findings({WF: wf}, select=["SL207"])
    assert "the comment says v4, but 043fb46 is the commit of actions/upload-artifact v7.0.1" in (
        finding.message
    )
    assert "  # v7\n" in fixed_text(finding)


def test_comments_that_agree_or_tell_nothing(audit: AuditFn) -> None:
    for uses in (
        f"pypa/gh-action-pypi-publish@{V1_14_0} # v1.14.0",
        f"pypa/gh-action-pypi-publish@{V1_14_0}  # 1.14.0",
        f"pypa/gh-action-pypi-publish@{V1_14_0} # release/v1",  # the line it is on
        f"pypa/gh-action-pypi-publish@{V1_14_0} # pinned by renovate",
        f"pypa/gh-action-pypi-publish@{V1_14_0}",
        "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8",
        "scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4",
        # a SHA shiplint does not know: the comment is all there is
        "pypa/gh-action-pypi-publish@0123456789abcdef0123456789abcdef01234567 # v1.14.2",
        # other actions have no table of release commits
        "actions/checkout@0123456789abcdef0123456789abcdef01234567 # v1.0.0",
        "pypa/gh-action-pypi-publish@v1.14.0 # v1.14.2",  # a tag is what it says
    ):
        assert audit({WF: workflow(uses)}, select=["SL207"]) == [], uses


def test_upload_nightly_and_composite_actions(audit: AuditFn) -> None:
    action = """
        runs:
          using: composite
          steps:
            - uses: scientific-python/upload-nightly-action@b36e8c0c10dbcfd2e05bf95f17ef8c14fd708dbf # 0.6.4
              with:
                artifacts_path: dist
    """
    assert audit({"action.yml": action}, select=["SL207"]) == [
        hit("SL207", "action.yml", action, "0.6.4")
    ]


def test_documentation_examples(audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, ActionPinCommentMismatch)
