"""SL902: poetry publish to an unconfigured repository, or with a misnamed token."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding
from shiplint.rules.poetry_repositories import PoetryRepositoryNotConfigured
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples

FindingsFn = Callable[..., "list[Finding]"]


def _poetry_wf(run: str, env: str = "") -> str:
    wf = f"""
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: {run}
    """
    if env:
        wf = (
            wf.rstrip(" ")
            + "                env:\n"
            + "".join(f"                  {line}\n" for line in env.splitlines())
        )
    return wf


def test_sl902_repository_not_configured(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = _poetry_wf(
        "poetry publish --build -r testpypi",
        "POETRY_PYPI_TOKEN_TESTPYPI: ${{ secrets.TEST_PYPI_TOKEN }}",
    )
    files = {".github/workflows/publish.yml": wf}
    path = ".github/workflows/publish.yml"
    assert audit(files, select=["SL902"]) == [hit("SL902", path, wf, "testpypi")]
    (finding,) = audit_findings(files, select=["SL902"])
    assert "Repository testpypi is not defined" in finding.message
    assert "POETRY_REPOSITORIES_TESTPYPI_URL" in finding.help


def test_sl902_explicit_pypi_repository_must_be_configured_too(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    # publisher.py looks every -r NAME up in the configuration; only a publish without -r
    # goes to PyPI by itself (measured with poetry 2.5.1: "Repository pypi is not defined")
    path = ".github/workflows/publish.yml"
    wf = _poetry_wf("poetry publish -r pypi", "POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_TOKEN }}")
    assert audit({path: wf}, select=["SL902"]) == [hit("SL902", path, wf, "pypi\n")]
    (finding,) = audit_findings({path: wf}, select=["SL902"])
    assert "Repository pypi is not defined" in finding.message
    assert "drop `-r pypi`" in finding.help
    configured = _poetry_wf(
        "poetry publish -r pypi",
        "POETRY_REPOSITORIES_PYPI_URL: https://upload.pypi.org/legacy/\n"
        "POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_TOKEN }}",
    )
    assert audit({path: configured}, select=["SL902"]) == []


def test_sl902_dotted_repository_name_has_no_variable(audit: AuditFn) -> None:
    # poetry reads POETRY_REPOSITORIES_TEST.PYPI_URL for `-r test.pypi`: `.` is not `_`
    path = ".github/workflows/publish.yml"
    wf = _poetry_wf(
        "poetry publish -r test.pypi",
        "POETRY_REPOSITORIES_TEST_PYPI_URL: https://test.pypi.org/legacy/\n"
        "POETRY_PYPI_TOKEN_TEST_PYPI: ${{ secrets.T }}",
    )
    assert audit({path: wf}, select=["SL902"]) == [hit("SL902", path, wf, "test.pypi")]


def test_sl902_source_is_not_a_publish_repository(audit_findings: FindingsFn) -> None:
    pyproject = """
        [tool.poetry]
        name = "demo"

        [[tool.poetry.source]]
        name = "internal"
        url = "https://pypi.example.org/simple/"
        priority = "supplemental"
    """
    wf = _poetry_wf("poetry publish --repository=internal")
    files = {".github/workflows/publish.yml": wf, "pyproject.toml": pyproject}
    (finding,) = audit_findings(files, select=["SL902"])
    assert "only where poetry installs from" in finding.help


@pytest.mark.parametrize(
    ("run", "env"),
    [
        (
            "poetry publish -r testpypi",
            "POETRY_REPOSITORIES_TESTPYPI_URL: https://test.pypi.org/legacy/\n"
            "POETRY_PYPI_TOKEN_TESTPYPI: ${{ secrets.T }}",
        ),
        (
            "|\n                  poetry config repositories.test-pypi https://test.pypi.org/legacy/\n"
            '                  poetry config pypi-token.test-pypi "$T"\n'
            "                  poetry publish -r test-pypi",
            "T: ${{ secrets.T }}",
        ),
        (
            "poetry publish -r test-pypi",
            "POETRY_REPOSITORIES_TEST_PYPI_URL: https://test.pypi.org/legacy/\n"
            "POETRY_HTTP_BASIC_TEST_PYPI_PASSWORD: ${{ secrets.T }}\n"
            "POETRY_HTTP_BASIC_TEST_PYPI_USERNAME: __token__",
        ),
        ("poetry publish --build", "POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_TOKEN }}"),
        ('poetry publish -u __token__ -p "$T"', "POETRY_PYPI_TOKEN_TESTPYPI: x"),
        ("poetry publish -r $REPO", ""),
    ],
)
def test_sl902_configured(audit: AuditFn, run: str, env: str) -> None:
    files = {".github/workflows/publish.yml": _poetry_wf(run, env)}
    assert audit(files, select=["SL902"]) == []


def test_sl902_repository_in_poetry_toml(audit: AuditFn) -> None:
    files = {
        ".github/workflows/publish.yml": _poetry_wf(
            "poetry publish -r internal", "POETRY_PYPI_TOKEN_INTERNAL: ${{ secrets.T }}"
        ),
        "poetry.toml": '[repositories.internal]\nurl = "https://pypi.example.org/legacy/"\n',
    }
    assert audit(files, select=["SL902"]) == []


def test_sl902_token_for_another_repository(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = _poetry_wf("poetry publish --build", "POETRY_PYPI_TOKEN_TESTPYPI: ${{ secrets.T }}")
    files = {".github/workflows/publish.yml": wf}
    path = ".github/workflows/publish.yml"
    assert audit(files, select=["SL902"]) == [hit("SL902", path, wf, "poetry publish")]
    (finding,) = audit_findings(files, select=["SL902"])
    assert "POETRY_PYPI_TOKEN_PYPI" in finding.message
    assert "POETRY_PYPI_TOKEN_TESTPYPI" in finding.message
    # `poetry config pypi-token.X` for the wrong repository
    wf2 = _poetry_wf(
        '|\n                  poetry config pypi-token.testpypi "$T"\n'
        "                  poetry publish"
    )
    files = {".github/workflows/publish.yml": wf2}
    assert audit(files, select=["SL902"]) == [hit("SL902", path, wf2, "poetry publish")]


def test_sl902_pypirc_is_not_read_by_poetry(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  cat > ~/.pypirc <<EOF
                  [pypi]
                  username = __token__
                  password = $PYPI_TOKEN
                  EOF
                env:
                  PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
              - run: poetry publish --build
    """
    files = {".github/workflows/publish.yml": wf}
    path = ".github/workflows/publish.yml"
    assert audit(files, select=["SL902"]) == [hit("SL902", path, wf, "poetry publish")]
    (finding,) = audit_findings(files, select=["SL902"])
    assert "does not read .pypirc" in finding.message
    # without any .pypirc, a bare `poetry publish` may use stored credentials: not reported
    files = {".github/workflows/publish.yml": _poetry_wf("poetry publish --build")}
    assert audit(files, select=["SL902"]) == []


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, PoetryRepositoryNotConfigured)
