"""SL202 (tag list), SL208 (tag-object pin), SL209 (unknown ref), SL210 (misspelt action name):
refs and names of the actions in the facts that do not exist."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.gha import refs as gha_refs
from shiplint.rules.action_pins import ActionNameTypo, ActionUnknownRef, distance
from shiplint.rules.publish_action.refs import PypiPublishTagObjectPin
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples

WF = ".github/workflows/release.yml"
FindingsFn = Callable[..., list[Finding]]

V1_14_0_TAG = "6733eb7d741f0b11ec6a39b58540dab7590f9b7d"
V1_14_0 = "cef221092ed1bacb1cc03d23a2d87d1d172e277b"
V1_14_2_TAG = "a892a5a61159132606e93a2fa6f4358831b04d26"
V1_8_14_TAG = "68e62d4871ad9d14a9d55f114e6ac71f0b408ec0"
NIGHTLY_0_6_4 = "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"


def workflow(*uses: str) -> str:
    steps = "".join(
        f"              - uses: {u}\n"
        "                with:\n"
        "                  artifacts_path: dist\n"
        "                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_TOKEN }}\n"
        if "upload-nightly" in u
        else f"              - uses: {u}\n"
        for u in uses
    )
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


def at_ref(rule: str, text: str, ref: str) -> tuple[str, str, int, int]:
    """The finding ``rule`` at the ref after ``@`` (a ref such as ``latest`` also occurs in
    ``ubuntu-latest``)."""
    name, path, line, column = hit(rule, WF, text, "@" + ref)
    return (name, path, line, column + 1)


def fixed_text(finding: Finding) -> str:
    assert finding.fix is not None and finding.source is not None
    text = finding.source.text or ""
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


# --- the resolver ------------------------------------------------------------------------------


def test_resolver_kinds_with_tag_lists() -> None:
    pypi = gha_refs.pypi_publish()
    nightly = gha_refs.upload_nightly()
    kinds = {
        ref: gha_refs.ref_kind(ref, pypi)
        for ref in ("latest", "v1.14.2", "v1.0.0a0", "v1.5.3", "v1.0.0", "v1.15.0", "1.14.2")
    }
    assert kinds == {
        "latest": gha_refs.UNKNOWN,
        "v1.14.2": gha_refs.TAG,
        "v1.0.0a0": gha_refs.TAG,
        "v1.5.3": gha_refs.UNKNOWN,  # the list is complete up to v1.8.14
        "v1.0.0": gha_refs.UNKNOWN,
        "v1.15.0": gha_refs.TAG,  # newer than the facts: may exist
        "1.14.2": gha_refs.UNKNOWN,
    }
    assert gha_refs.ref_kind("pre-commit-ci-update-config", pypi) == gha_refs.BRANCH
    release = gha_refs.resolve(V1_14_0_TAG, "v1.14.0", pypi)
    assert (release.kind, str(release.version)) == (gha_refs.TAG_OBJECT, "1.14.0")
    assert not release.mismatch and release.pinned_version == release.version
    assert release.provenance() == " (tag object 6733eb7)"
    assert gha_refs.ref_kind(V1_14_0, pypi) == gha_refs.SHA
    assert [
        gha_refs.ref_kind(r, nightly)
        for r in ("0.6.4", "v0.6.4", "0.6", "0.5.1", "0.7.0", "keep-alive")
    ] == [
        gha_refs.TAG,
        gha_refs.UNKNOWN,
        gha_refs.UNKNOWN,
        gha_refs.UNKNOWN,
        gha_refs.TAG,
        gha_refs.BRANCH,
    ]


def test_artifact_actions_keep_their_major_tags() -> None:
    spec = gha_refs.artifact_action(False)
    assert gha_refs.ref_kind("v4", spec) == gha_refs.TAG
    assert gha_refs.ref_kind("v9.9.9", spec) == gha_refs.TAG


# --- SL202: release tags that do not exist -------------------------------------------------------


def test_sl202_unknown_release_tags(audit: AuditFn) -> None:
    for ref in ("latest", "v1.5.3", "1.14.2"):
        wf = workflow(f"pypa/gh-action-pypi-publish@{ref}")
        assert audit({WF: wf}, select=["SL202"]) == [at_ref("SL202", wf, ref)], ref


def test_sl202_newer_or_known_tags_are_accepted(audit: AuditFn) -> None:
    for ref in ("v1.15.0", "v1.14.2", "v1.8.14", "v1.0.0a0", "pre-commit-ci-update-config"):
        assert (
            audit({WF: workflow(f"pypa/gh-action-pypi-publish@{ref}")}, select=["SL202"]) == []
        ), ref


# --- SL208: annotated tag object SHA -------------------------------------------------------------


def test_sl208_tag_object_pin(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = workflow(f"pypa/gh-action-pypi-publish@{V1_14_0_TAG} # v1.14.0")
    assert audit({WF: wf}, select=["SL202", "SL207", "SL208"]) == [
        hit("SL208", WF, wf, V1_14_0_TAG)
    ]
    (finding,) = audit_findings({WF: wf}, select=["SL208"])
    assert finding.severity is Severity.ERROR
    assert "tag object of v1.14.0" in finding.message and "manifest unknown" in finding.message
    assert V1_14_0 in finding.help
    fixed = fixed_text(finding)
    assert f"@{V1_14_0} # v1.14.0\n" in fixed
    assert audit({WF: fixed}, select=["SL208"]) == []


def test_sl208_newest_release_and_composite_action(audit: AuditFn) -> None:
    action = f"""
        runs:
          using: composite
          steps:
            - uses: "pypa/gh-action-pypi-publish@{V1_14_2_TAG}"
    """
    assert audit({"action.yml": action}, select=["SL208"]) == [
        hit("SL208", "action.yml", action, V1_14_2_TAG)
    ]


def test_sl208_not_for_commits_or_releases_that_build_their_dockerfile(audit: AuditFn) -> None:
    for ref in (V1_14_0, V1_8_14_TAG, "v1.14.0", "0123456789abcdef0123456789abcdef01234567"):
        assert (
            audit({WF: workflow(f"pypa/gh-action-pypi-publish@{ref}")}, select=["SL208"]) == []
        ), ref


# --- SL209: refs of other known actions ----------------------------------------------------------


def test_sl209_upload_nightly_refs_that_do_not_exist(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    for ref in ("latest", "v0.6.4", "0.6", "0.5.1", "e76cfec"):
        wf = workflow(f"scientific-python/upload-nightly-action@{ref}")
        # SL605 (not pinned) stays silent: the ref does not exist at all
        assert audit({WF: wf}, select=["SL209", "SL605"]) == [at_ref("SL209", wf, ref)], ref
    (finding,) = audit_findings(
        {WF: workflow("scientific-python/upload-nightly-action@latest")}, select=["SL209"]
    )
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "`@latest` does not exist in scientific-python/upload-nightly-action: no such tag or branch"
    )
    assert f"upload-nightly-action@{NIGHTLY_0_6_4} # 0.6.4" in finding.help


def test_sl209_refs_that_exist_or_may(audit: AuditFn) -> None:
    for ref in ("0.6.4", "0.1.0", "main", "keep-alive", "0.7.0", NIGHTLY_0_6_4, "${{ env.REF }}"):
        wf = workflow(f"scientific-python/upload-nightly-action@{ref}")
        assert audit({WF: wf}, select=["SL209"]) == [], ref
    # pypa/gh-action-pypi-publish has SL202; artifact actions have no complete tag list
    wf = workflow("pypa/gh-action-pypi-publish@latest", "actions/upload-artifact@latest")
    assert audit({WF: wf}, select=["SL209"]) == []


def test_sl209_missing_ref(audit: AuditFn) -> None:
    wf = workflow("scientific-python/upload-nightly-action")
    assert audit({WF: wf}, select=["SL209"]) == [
        hit("SL209", WF, wf, "scientific-python/upload-nightly-action")
    ]


# --- SL210: misspelt action names ---------------------------------------------------------------


def test_distance() -> None:
    assert distance("gh-action-pypi-publish", "gh-action-pypi-publisher", 2) == 2
    assert distance("upload-artifact", "upload-artifacts", 2) == 1
    assert distance("gh-actoin-pypi-publish", "gh-action-pypi-publish", 2) == 1  # a swap
    assert distance("upload-pages-artifact", "upload-artifact", 2) == 3


@pytest.mark.parametrize(
    ("written", "known"),
    [
        ("pypa/gh-action-pypi-publisher@release/v1", "pypa/gh-action-pypi-publish"),
        ("scientific-python/upload-nightly-wheel@main", "scientific-python/upload-nightly-action"),
        ("actions/upload-artifacts@v4", "actions/upload-artifact"),
        ("Actions/Download-Artifacts@v4", "actions/download-artifact"),
    ],
)
def test_sl210_misspelt_names(
    written: str, known: str, audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = workflow(written)
    name = written.split("@")[0]
    assert audit({WF: wf}, select=["SL210"]) == [hit("SL210", WF, wf, name)]
    (finding,) = audit_findings({WF: wf}, select=["SL210"])
    assert finding.severity is Severity.ERROR
    assert finding.message == f"`{name}` does not exist: did you mean `{known}`?"
    assert f"{known}@" in fixed_text(finding)


def test_sl210_existing_and_other_owners_names(audit: AuditFn) -> None:
    wf = workflow(
        "pypa/gh-action-pypi-publish@release/v1",
        "pypa/gh-action-pip-audit@v1.1.0",
        "actions/upload-pages-artifact@v3",
        "actions/upload-release-asset@v1",
        "coactions/upload-artifact@v4",
        "actions/upload-artifact/merge@v4",
        "actions/checkout@v4",
        "./.github/actions/upload-artifacts",
        "docker://pypa/gh-action-pypi-publisher:latest",
    )
    assert audit({WF: wf}, select=["SL210"]) == []


@pytest.mark.parametrize("rule", [PypiPublishTagObjectPin, ActionUnknownRef, ActionNameTypo])
def test_documentation_examples(rule: type, audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, rule)
