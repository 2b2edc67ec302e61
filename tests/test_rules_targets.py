"""SL101-SL103: retired Anaconda orgs, legacy PyPI hosts, upload URLs without /legacy/."""

from __future__ import annotations

from typing import Callable

from shiplint.findings import Finding
from tests.conftest import AuditFn, hit

NIGHTLY_ACTION = "scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"


def test_upload_nightly_action_org_input(audit: AuditFn) -> None:
    wf = f"""
        on:
          schedule: [{{cron: "0 0 * * *"}}]
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: {NIGHTLY_ACTION} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_organization: scipy-wheels-nightly
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
    """
    assert audit({".github/workflows/nightly.yml": wf}, select=["SL101"]) == [
        ("SL101", ".github/workflows/nightly.yml", 10, 49),
    ]
    assert hit("SL101", ".github/workflows/nightly.yml", wf, "scipy-wheels-nightly") == (
        "SL101",
        ".github/workflows/nightly.yml",
        10,
        49,
    )


def test_script_assignment_followed_to_upload(audit: AuditFn) -> None:
    script = """
        #!/bin/bash
        set -euo pipefail
        if [[ "$GITHUB_EVENT_NAME" == "schedule" ]]; then
            ANACONDA_ORG="scipy-wheels-nightly"
            ANACONDA_TOKEN="$SCIKIT_LEARN_NIGHTLY_UPLOAD_TOKEN"
        else
            ANACONDA_ORG="scikit-learn-wheels-staging"
            ANACONDA_TOKEN="$SCIKIT_LEARN_STAGING_UPLOAD_TOKEN"
        fi
        anaconda -t $ANACONDA_TOKEN upload --force -u $ANACONDA_ORG dist/artifact/*
    """
    # reported where the retired org is written, not at the upload that uses it
    assert audit({"build_tools/github/upload_anaconda.sh": script}, select=["SL101"]) == [
        hit("SL101", "build_tools/github/upload_anaconda.sh", script, "scipy-wheels-nightly"),
    ]


def test_index_urls_in_pip_tox_and_conda_env(audit: AuditFn) -> None:
    files = {
        "tox.ini": """
            [testenv:nightly]
            install_command = pip install --pre -i https://pypi.anaconda.org/scipy-wheels-nightly/simple {opts} {packages}
            commands = pytest
        """,
        "environment.yml": """
            name: dev
            dependencies:
              - python=3.12
              - pip
              - pip:
                - --extra-index-url https://pypi.anaconda.org/multibuild-wheels-staging/simple
                - numpy
        """,
        ".github/workflows/test.yml": """
            on: [push]
            env:
              PIP_EXTRA_INDEX_URL: https://pypi.anaconda.org/scipy-wheels-nightly/simple
            jobs:
              t:
                runs-on: ubuntu-latest
                steps:
                  - run: python -m pip install --pre --extra-index-url https://pypi.anaconda.org/scipy-wheels-nightly/simple scipy
        """,
    }
    wf, tox = files[".github/workflows/test.yml"], files["tox.ini"]
    # multibuild-wheels-staging is where numpy & co. still stage releases: not reported
    assert audit(files, select=["SL101"]) == [
        hit("SL101", ".github/workflows/test.yml", wf, "scipy-wheels-nightly"),
        hit("SL101", ".github/workflows/test.yml", wf, "scipy-wheels-nightly", 2),
        hit("SL101", "tox.ini", tox, "scipy-wheels-nightly"),
    ]


def test_frozen_org_is_a_warning_that_says_what_happens(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    # The frozen org still serves its 2023 wheels and may still take uploads
    # (scipy/scipy#18504): nothing fails, the nightlies just do not reach anyone.
    wf = """
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - name: Install latest Matplotlib
                run: pip install --upgrade --pre --index-url https://pypi.anaconda.org/scipy-wheels-nightly/simple --extra-index-url https://pypi.org/simple matplotlib
              - run: anaconda -t "$TOKEN" upload --force -u scipy-wheels-nightly dist/*.whl
    """
    findings = audit_findings({".github/workflows/main.yml": wf}, select=["SL101"])
    assert [(f.line, f.severity.value) for f in findings] == [(7, "warning"), (8, "warning")]
    install, upload = findings
    assert install.message == (
        "packages are installed from the retired Anaconda org `scipy-wheels-nightly`"
    )
    assert "does not test against current nightlies" in install.help
    assert "reach nobody who installs nightlies" in upload.help


def test_new_org_is_clean(audit: AuditFn) -> None:
    wf = f"""
        on: [workflow_dispatch]
        env:
          ANACONDA_ORG: scientific-python-nightly-wheels
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: pip install -i https://pypi.anaconda.org/scientific-python-nightly-wheels/simple numpy
              - uses: {NIGHTLY_ACTION} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
              # comments naming scipy-wheels-nightly are history, not configuration
              - run: echo "we used to upload to scipy-wheels-nightly"
    """
    assert audit({".github/workflows/nightly.yml": wf}, select=["SL1"]) == []


def test_legacy_pypi_hosts(audit: AuditFn) -> None:
    files = {
        ".pypirc": """
            [distutils]
            index-servers = pypi
            [pypi]
            repository = https://pypi.python.org/pypi
            username = __token__
        """,
        "Makefile": """
            release:
            \ttwine upload --repository-url https://testpypi.python.org/pypi dist/*
        """,
    }
    assert audit(files, select=["SL102"]) == [
        hit("SL102", ".pypirc", files[".pypirc"], "https://pypi.python.org/pypi"),
        hit("SL102", "Makefile", files["Makefile"], "https://testpypi.python.org/pypi"),
    ]


def test_installs_from_legacy_hosts_are_not_errors(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    # pypi.python.org still redirects to pypi.org (pypa/setuptools#1340), and pip follows it
    files = {
        "tox.ini": """
            [testenv]
            install_command = python -m pip install -i https://pypi.python.org/simple {opts} {packages}
            commands = pytest
        """,
        ".github/workflows/test.yml": """
            on: [push]
            jobs:
              t:
                runs-on: ubuntu-latest
                steps:
                  - run: pip install --extra-index-url https://testpypi.python.org/simple demo
        """,
    }
    findings = audit_findings(files, select=["SL102"])
    assert [(f.path, f.severity.value) for f in findings] == [
        (".github/workflows/test.yml", "warning"),
        ("tox.ini", "info"),
    ]
    assert "redirect to pypi.org" in findings[1].message
    assert findings[1].fix is not None
    assert findings[1].fix.edits[0].replacement == "https://pypi.org/simple/"


def test_upload_url_without_legacy(audit: AuditFn) -> None:
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  repository-url: https://test.pypi.org/simple/
              - run: uv publish --publish-url https://upload.pypi.org/
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  repository-url: https://test.pypi.org/legacy/
    """
    assert audit({".github/workflows/release.yml": wf}, select=["SL103"]) == [
        hit("SL103", ".github/workflows/release.yml", wf, "https://test.pypi.org/simple/"),
        hit("SL103", ".github/workflows/release.yml", wf, "https://upload.pypi.org/"),
    ]
