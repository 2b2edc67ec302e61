"""SL921: releases and tags created with GITHUB_TOKEN, which start no publish workflow."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding
from shiplint.rules.release_triggers import ReleaseWithGithubToken
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples

FindingsFn = Callable[..., "list[Finding]"]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


PUBLISH_ON_RELEASE = """
    on:
      release:
        types: [published]
    jobs:
      pypi:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
          - uses: pypa/gh-action-pypi-publish@release/v1
"""

RELEASE_PLEASE = """
    on:
      push:
        branches: [main]
    permissions:
      contents: write
      pull-requests: write
    jobs:
      release-please:
        runs-on: ubuntu-latest
        steps:
          - uses: googleapis/release-please-action@v4
            with:
              release-type: python
"""


def test_sl921_release_please_and_publish_on_release(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    files = {
        ".github/workflows/release-please.yml": RELEASE_PLEASE,
        ".github/workflows/publish.yml": PUBLISH_ON_RELEASE,
    }
    path = ".github/workflows/release-please.yml"
    assert audit(files, select=["SL921"]) == [
        hit("SL921", path, RELEASE_PLEASE, "googleapis/release-please-action")
    ]
    (finding,) = audit_findings(files, select=["SL921"])
    assert "`.github/workflows/publish.yml` (on: release)" in finding.message


@pytest.mark.parametrize(
    "change",
    [
        # a GitHub App token
        (
            "              release-type: python\n",
            "              release-type: python\n              token: ${{ steps.app.outputs.token }}\n",
        ),
        # a personal access token
        (
            "              release-type: python\n",
            "              release-type: python\n              token: ${{ secrets.RELEASE_PAT }}\n",
        ),
    ],
)
def test_sl921_other_token(audit: AuditFn, change: tuple[str, str]) -> None:
    files = {
        ".github/workflows/release-please.yml": RELEASE_PLEASE.replace(*change),
        ".github/workflows/publish.yml": PUBLISH_ON_RELEASE,
    }
    assert audit(files, select=["SL921"]) == []


def test_sl921_releasing_workflow_publishes_itself(audit: AuditFn) -> None:
    both = (
        RELEASE_PLEASE
        + """
          publish:
            needs: release-please
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
    """
    )
    files = {
        ".github/workflows/release-please.yml": both,
        ".github/workflows/publish.yml": PUBLISH_ON_RELEASE,
    }
    assert audit(files, select=["SL921"]) == []


def test_sl921_dispatches_the_publish_workflow(audit: AuditFn) -> None:
    release = (
        RELEASE_PLEASE
        + """
          - run: gh workflow run publish.yml
            env:
              GH_TOKEN: ${{ github.token }}
    """
    )
    publish = PUBLISH_ON_RELEASE.replace("on:\n", "on:\n      workflow_dispatch:\n")
    files = {
        ".github/workflows/release-please.yml": release,
        ".github/workflows/publish.yml": publish,
    }
    assert audit(files, select=["SL921"]) == []
    run = publish.replace(
        "on:\n",
        "on:\n      workflow_run:\n        workflows: [Release]\n        types: [completed]\n",
    )
    files = {
        ".github/workflows/release-please.yml": "name: Release\n" + dedent(RELEASE_PLEASE),
        ".github/workflows/publish.yml": run,
    }
    assert audit(files, select=["SL921"]) == []


# commitizen style: `cz bump` tags, the tag is pushed with the GitHub App token that
# actions/checkout kept; the release itself is then created with GITHUB_TOKEN
BUMP_THEN_RELEASE = """
    on:
      push:
        branches: [master]
    jobs:
      bump-version:
        runs-on: ubuntu-latest
        permissions:
          contents: write
        steps:
          - uses: actions/create-github-app-token@v2
            id: app-token
            with:
              app-id: ${{ vars.APP_ID }}
              private-key: ${{ secrets.PRIVATE_KEY }}
          - uses: actions/checkout@v4
            with:
              token: ${{ steps.app-token.outputs.token }}
              fetch-depth: 0
          - id: bump-version
            run: |
              cz bump --yes
              git push --follow-tags
              echo "new_version_tag=$(cz version -p --tag)" >> "$GITHUB_OUTPUT"
          - name: Release
            if: steps.bump-version.outputs.new_version_tag != ''
            env:
              GH_TOKEN: ${{ github.token }}
              TAG: ${{ steps.bump-version.outputs.new_version_tag }}
            run: gh release create "$TAG" --generate-notes
"""
PUBLISH_ON_TAG = """
    on:
      push:
        tags: ["v*"]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/checkout@v4
          - run: uv build
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_sl921_tag_pushed_with_another_token_before_the_release(audit: AuditFn) -> None:
    bump = ".github/workflows/bumpversion.yml"
    files = {bump: BUMP_THEN_RELEASE, ".github/workflows/pythonpublish.yml": PUBLISH_ON_TAG}
    assert audit(files, select=["SL921"]) == []
    # a publish workflow waiting for the release event still never starts
    files[".github/workflows/pythonpublish.yml"] = PUBLISH_ON_RELEASE
    assert audit(files, select=["SL921"]) == [
        hit("SL921", bump, BUMP_THEN_RELEASE, "gh release create")
    ]
    # the tag pushed with the credentials of a plain checkout (GITHUB_TOKEN) starts nothing
    plain = BUMP_THEN_RELEASE.replace(
        "              token: ${{ steps.app-token.outputs.token }}\n", ""
    )
    files = {bump: plain, ".github/workflows/pythonpublish.yml": PUBLISH_ON_TAG}
    assert audit(files, select=["SL921"]) == [
        hit("SL921", bump, plain, "git push"),
        hit("SL921", bump, plain, "gh release create"),
    ]


GIT_TAG_RELEASE = """
    on:
      workflow_dispatch:
        inputs:
          version:
            required: true
    permissions:
      contents: write
    jobs:
      tag:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: |
              git tag "v${{ inputs.version }}"
              git push origin "v${{ inputs.version }}"
          - run: gh release create "v$VERSION" --draft
            env:
              GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
              VERSION: ${{ inputs.version }}
"""

PUBLISH_ON_TAG = """
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - run: uv build
          - run: uv publish
"""


def test_sl921_tag_pushed_with_checkout_credentials(audit: AuditFn) -> None:
    files = {
        ".github/workflows/tag.yml": GIT_TAG_RELEASE,
        ".github/workflows/publish.yml": PUBLISH_ON_TAG,
    }
    path = ".github/workflows/tag.yml"
    # the draft release is published later by a person: only the tag push is reported
    assert audit(files, select=["SL921"]) == [hit("SL921", path, GIT_TAG_RELEASE, "git push")]
    pat = GIT_TAG_RELEASE.replace(
        "          - uses: actions/checkout@v4\n",
        "          - uses: actions/checkout@v4\n            with:\n"
        "              token: ${{ secrets.RELEASE_TOKEN }}\n",
    )
    files[".github/workflows/tag.yml"] = pat
    assert audit(files, select=["SL921"]) == []
    # a release-triggered publisher does not run for a bare tag push with any token
    files = {
        ".github/workflows/tag.yml": GIT_TAG_RELEASE,
        ".github/workflows/publish.yml": PUBLISH_ON_RELEASE,
    }
    assert audit(files, select=["SL921"]) == []


def test_sl921_same_tag_push_starts_both_workflows(audit: AuditFn) -> None:
    release = """
        on:
          push:
            tags: ["v*"]
        permissions:
          contents: write
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: softprops/action-gh-release@v2
    """
    publish_on_both = PUBLISH_ON_TAG.replace(
        "on:\n", "on:\n      release:\n        types: [published]\n"
    )
    files = {
        ".github/workflows/gh-release.yml": release,
        ".github/workflows/publish.yml": publish_on_both,
    }
    assert audit(files, select=["SL921"]) == []  # the maintainer's tag push starts it
    files[".github/workflows/publish.yml"] = PUBLISH_ON_RELEASE
    assert audit(files, select=["SL921"]) == [
        hit("SL921", ".github/workflows/gh-release.yml", release, "softprops")
    ]


def test_sl921_branch_push_is_not_a_tag(audit: AuditFn) -> None:
    wf = GIT_TAG_RELEASE.replace(
        'git push origin "v${{ inputs.version }}"',
        'git push origin "release/${{ inputs.version }}"',
    )
    files = {".github/workflows/tag.yml": wf, ".github/workflows/publish.yml": PUBLISH_ON_TAG}
    assert audit(files, select=["SL921"]) == []


def test_sl921_publish_job_not_run_for_tags(audit: AuditFn) -> None:
    publish = PUBLISH_ON_TAG.replace(
        "        runs-on: ubuntu-latest\n",
        "        if: github.event_name == 'workflow_dispatch'\n        runs-on: ubuntu-latest\n",
        1,
    )
    files = {".github/workflows/tag.yml": GIT_TAG_RELEASE, ".github/workflows/publish.yml": publish}
    assert audit(files, select=["SL921"]) == []


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    extra = {".github/workflows/publish.yml": PUBLISH_ON_RELEASE}
    assert_examples(audit, tmp_path, ReleaseWithGithubToken, extra)
