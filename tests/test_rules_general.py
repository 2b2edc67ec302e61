"""SL002, SL003: repeated YAML keys and merge keys where GitHub reads the file, elsewhere."""

from __future__ import annotations

from typing import Callable

from shiplint.findings import Finding
from tests.conftest import AuditFn, hit

FindingsFn = Callable[..., list[Finding]]

WORKFLOW = """
    on: [push]
    env:
      ANACONDA_ORG: scientific-python-nightly-wheels
    env:
      TOKEN: x
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: python -m build
"""
ENVIRONMENT = """
    name: upload
    channels: [conda-forge]
    dependencies:
      - anaconda-client
    channels: [defaults]
"""
GITLAB = """
    variables:
      ANACONDA_ORG: my-org
    upload:
      script:
        - anaconda upload dist/*.whl
    variables:
      ANACONDA_ORG: other-org
"""


def test_duplicate_keys_by_reader(audit_findings: FindingsFn) -> None:
    files = {
        ".github/workflows/build.yml": WORKFLOW,
        "environment.yml": ENVIRONMENT,
        ".gitlab-ci.yml": GITLAB,
    }
    findings = audit_findings(files, select=["SL002"])
    assert [(f.rule, f.path, f.line, f.column, f.severity.value) for f in findings] == [
        (*hit("SL002", ".github/workflows/build.yml", WORKFLOW, "env:", 2), "error"),
        (*hit("SL002", ".gitlab-ci.yml", GITLAB, "variables:", 2), "warning"),
        (*hit("SL002", "environment.yml", ENVIRONMENT, "channels:", 2), "warning"),
    ]
    github, gitlab, _env = findings
    assert github.message.endswith("(first defined on line 2)")
    assert "most keep the last" in gitlab.help


def test_second_document_by_reader(audit_findings: FindingsFn) -> None:
    # GitLab CI inputs: a `spec:` header document, then the configuration
    gitlab = """
        spec:
          inputs:
            index:
              default: testpypi
        ---
        upload:
          script:
            - twine upload dist/*
    """
    workflow = """
        on: [push]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: python -m build
        ---
        on: [release]
    """
    files = {".gitlab-ci.yml": gitlab, ".github/workflows/build.yml": workflow}
    findings = audit_findings(files, select=["SL001"])
    assert [(f.path, f.line, f.severity.value) for f in findings] == [
        (".github/workflows/build.yml", 8, "error"),
        (".gitlab-ci.yml", 6, "info"),
    ]
    assert "GitLab CI `spec:` header" in findings[1].help


# --- SL003: merge keys -------------------------------------------------------------------------

ANCHORED = """
    on:
      push:
        tags: ["v*"]
    jobs:
      build:
        runs-on: ubuntu-latest
        env: &build-env
          PIP_DISABLE_PIP_VERSION_CHECK: "1"
        steps:
          - run: python -m build
      publish:
        needs: build
        runs-on: ubuntu-latest
        env: *build-env
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_anchors_and_aliases_are_not_merge_keys(audit: AuditFn) -> None:
    # GitHub reads anchors and aliases in workflows (2025-09-18): nothing to report
    assert audit({".github/workflows/release.yml": ANCHORED}, select=["SL003"]) == []


def test_merge_key_in_workflow_and_action(audit_findings: FindingsFn) -> None:
    workflow = ANCHORED.replace(
        "        env: *build-env\n", "        env:\n          <<: *build-env\n          CI: '1'\n"
    )
    action = """
        name: publish
        runs:
          using: composite
          steps:
            - &upload
              run: twine upload dist/*
              shell: bash
            - <<: *upload
              env: {TWINE_REPOSITORY: testpypi}
    """
    gitlab = """
        .upload: &upload
          image: python:3.12
          script: [twine upload dist/*]
        upload:
          <<: *upload
          rules:
            - if: $CI_COMMIT_TAG
    """
    files = {
        ".github/workflows/release.yml": workflow,
        ".github/actions/publish/action.yml": action,
        ".gitlab-ci.yml": gitlab,
    }
    findings = audit_findings(files, select=["SL003"])
    assert [(f.rule, f.path, f.line, f.column, f.severity.value) for f in findings] == [
        (*hit("SL003", ".github/actions/publish/action.yml", action, "<<"), "error"),
        (*hit("SL003", ".github/workflows/release.yml", workflow, "<<"), "error"),
    ]
    assert "does not support `<<:`" in findings[0].help
