"""The GitLab CI model: jobs, their `id_tokens:`, and twine uploads by trusted publishing."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding
from shiplint.model.gitlab_ci import id_token_variable
from tests.conftest import AuditFn, write_tree
from tests.test_model import model_of

GL = ".gitlab-ci.yml"
FindingsFn = Callable[..., list[Finding]]


def body(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# modeled on PyPI's GitLab example (warehouse docs/user/trusted-publishers/using-a-publisher.md)
GOOD = body(
    """
    stages: [build, deploy]

    build-job:
      stage: build
      image: python:3-bookworm
      script:
        - python -m pip install -U build
        - python -m build
      artifacts:
        paths:
          - dist/

    publish-job:
      stage: deploy
      image: python:3-bookworm
      rules:
        - if: $CI_COMMIT_TAG
      id_tokens:
        PYPI_ID_TOKEN:
          aud: pypi
      script:
        - python -m pip install -U twine
        - twine upload dist/*
"""
)


def test_id_token_variable_follows_id() -> None:
    # di/id detect_gitlab: upper-cased, non-alphanumerics to "_", a leading digit too
    assert id_token_variable("pypi") == "PYPI_ID_TOKEN"
    assert id_token_variable("testpypi") == "TESTPYPI_ID_TOKEN"
    assert id_token_variable("http://test.audience") == "HTTP___TEST_AUDIENCE_ID_TOKEN"
    assert id_token_variable("1abc") == "_ABC_ID_TOKEN"


def test_pypi_example_is_trusted_publishing(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({GL: GOOD}, select=["SL3", "SL4", "SL5"]) == []
    (finding,) = audit_findings({GL: GOOD}, select=["SL801"])
    assert "by trusted publishing" in finding.message
    assert 'auth = "trusted-publishing"' in finding.help


def test_map_shows_gitlab_trusted_publishing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shiplint.cli import main

    write_tree(tmp_path, {GL: GOOD})
    main(["map", str(tmp_path)])
    out = capsys.readouterr().out
    assert "twine → pypi" in out and "auth: trusted publishing (OIDC)" in out


def test_no_id_token_no_trusted_publishing(tmp_path: Path) -> None:
    text = GOOD.replace("  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n", "")
    assert text != GOOD
    (upload,) = model_of(tmp_path, {GL: text}).uploads
    assert upload.gitlab_job is not None and upload.gitlab_job.name == "publish-job"
    assert not upload.oidc and upload.credentials == []


def test_upload_in_template_runs_in_the_extending_job(tmp_path: Path) -> None:
    text = body(
        """
        .publish:
          image: python:3.12
          script:
            - python -m twine upload dist/*

        release:
          extends: .publish
          id_tokens:
            PYPI_ID_TOKEN:
              aud: pypi
        """
    )
    (upload,) = model_of(tmp_path, {GL: text}).uploads
    assert upload.gitlab_job is not None and upload.gitlab_job.name == "release"
    assert upload.oidc
    (cred,) = upload.credentials
    assert (cred.via, cred.name, cred.loc.pos.line) == ("oidc", "PYPI_ID_TOKEN", 9)
