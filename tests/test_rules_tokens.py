"""SL501-SL503: organization-level Anaconda tokens, PyPI password authentication and
credentials written into files (which must never be printed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from shiplint.cli import main
from shiplint.findings import Finding
from tests.conftest import AuditFn, hit, write_tree

FindingsFn = Callable[..., "list[Finding]"]

NIGHTLY = "scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
WF = ".github/workflows/release.yml"
# Shaped like a PyPI token (facts: pypi.token-pattern), but made up.
FAKE_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMAACKlsz"

# --- SL501 org-level-token ---------------------------------------------------------------------


def test_org_token_names_for_the_nightly_org(audit: AuditFn) -> None:
    wf = f"""
        on: {{schedule: [{{cron: "0 2 * * 1"}}], push: {{tags: ["v*"]}}}}
        jobs:
          nightly:
            runs-on: ubuntu-latest
            steps:
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.SCIPY_WHEELS_NIGHTLY_ACCESS }}}}
          nightly-cli:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload_wheels.sh
                env:
                  NIGHTLY_TOKEN: ${{{{ secrets.NUMPY_ORG_TOKEN }}}}
    """
    script = """
        #!/bin/bash
        set -euo pipefail
        anaconda -q -t "$NIGHTLY_TOKEN" upload --force -u scientific-python-nightly-wheels wheelhouse/*.whl
    """
    files = {WF: wf, "tools/upload_wheels.sh": script}
    assert audit(files, select=["SL501"]) == [
        hit("SL501", WF, wf, "SCIPY_WHEELS_NIGHTLY_ACCESS"),
        hit("SL501", WF, wf, "NUMPY_ORG_TOKEN"),
    ]


def test_org_tokens_for_a_projects_own_org_are_fine(
    audit: AuditFn, audit_findings: Callable[..., list[Finding]]
) -> None:
    # an org uploading to itself with its own token, and a staging org: not SPEC 4's concern
    # (an upload to the retired staging org is SL101's)
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          conda:
            runs-on: ubuntu-latest
            env:
              ANACONDA_API_TOKEN: ${{ secrets.PYVIZ_ORG_TOKEN }}
            steps:
              - run: anaconda upload --user pyviz dist/*.conda
          staging:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda -t "$TOKEN" upload -u multibuild-wheels-staging wheelhouse/*.whl
                env:
                  TOKEN: ${{ secrets.MULTIBUILD_WHEELS_STAGING_ACCESS }}
          nightly:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda -t "$TOKEN" upload -u scientific-python-nightly-wheels dist/*.whl
                env:
                  TOKEN: ${{ secrets.ANACONDA_ORG_TOKEN }}
    """
    assert audit({WF: wf}, select=["SL501"]) == []
    nightly = wf.replace("ANACONDA_ORG_TOKEN", "SCIPY_WHEELS_NIGHTLY_TOKEN")
    [finding] = audit_findings({WF: nightly}, select=["SL501"])
    assert (finding.line, finding.severity.value) == (20, "warning")


def test_personal_token_names_are_fine(audit: AuditFn) -> None:
    wf = f"""
        on: {{schedule: [{{cron: "0 2 * * 1"}}]}}
        jobs:
          nightly:
            runs-on: ubuntu-latest
            env:
              ANACONDA_ORG_UPLOAD_TOKEN: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
            steps:
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
              - run: anaconda --token "$ANACONDA_ORG_UPLOAD_TOKEN" upload dist/*.whl
              - run: twine upload dist/*
                env: {{TWINE_PASSWORD: "${{{{ secrets.SCIPY_ORG_TOKEN }}}}"}}
    """
    # the last is a PyPI upload: org-level Anaconda tokens are not its concern
    assert audit({WF: wf}, select=["SL501"]) == []


# --- SL502 password-auth -----------------------------------------------------------------------


def _graded(findings: list[Finding]) -> list[tuple[str, str, int, int, str]]:
    return [(f.rule, f.path, f.line or 0, f.column or 0, f.severity.value) for f in findings]


def test_password_auth_in_action_and_clis(audit_findings: FindingsFn) -> None:
    wf = """
        on: {release: {types: [published]}}
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  user: stardust-release-bot
                  password: ${{ secrets.PYPI_PASSWORD }}
              - run: flit publish
                env:
                  FLIT_USERNAME: stardust
                  FLIT_PASSWORD: ${{ secrets.PYPI_PASSWORD }}
              - run: uv publish --username stardust --password "$PYPI_PASSWORD"
              - run: pdm publish --no-build
                env: {PDM_PUBLISH_USERNAME: stardust, PDM_PUBLISH_PASSWORD: "${{ secrets.P }}"}
              - run: twine upload -u "$DEPLOY_USER" -p "$PW" dist/*
                env: {DEPLOY_USER: stardust, PW: "${{ secrets.PYPI_PASSWORD }}"}
    """
    assert _graded(audit_findings({WF: wf}, select=["SL502"])) == [
        (*hit("SL502", WF, wf, "stardust-release-bot"), "error"),
        (*hit("SL502", WF, wf, "stardust", 2), "error"),
        (*hit("SL502", WF, wf, "stardust", 3), "error"),
        (*hit("SL502", WF, wf, "stardust", 4), "error"),
        # a variable set to a user name in the file is as certain as the name itself
        (*hit("SL502", WF, wf, "$DEPLOY_USER"), "error"),
    ]


def test_user_names_shiplint_cannot_read_are_information(audit_findings: FindingsFn) -> None:
    """xarray-contrib/datatree: `user: ${{ secrets.PYPI_USERNAME }}`. The secret may well
    hold `__token__` (projects kept the old secret names when they moved to API tokens):
    the release does not fail as configured, so the finding says what to check."""
    wf = """
        on: {release: {types: [published]}}
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@v1.8.11
                with:
                  user: ${{ secrets.PYPI_USERNAME }}
                  password: ${{ secrets.PYPI_PASSWORD }}
              - run: twine upload -u "${{ secrets.PYPI_USERNAME }}" -p "$PW" dist/*
                env: {PW: "${{ secrets.PYPI_PASSWORD }}"}
              - run: hatch publish --user "$PYPI_USER" --auth "$PYPI_PASSWORD"
              - run: uv publish
                env:
                  UV_PUBLISH_USERNAME: ${{ vars.PYPI_USER }}
                  UV_PUBLISH_PASSWORD: ${{ secrets.PYPI_PASSWORD }}
    """
    tox = """
        [testenv:release]
        passenv = PYPI_*
        setenv =
            TWINE_USERNAME = {env:PYPI_USER}
            TWINE_PASSWORD = {env:PYPI_PASSWORD}
        commands = python -m twine upload dist/*
    """
    pypirc = """
        [pypi]
        username = ${PYPI_USER}
        password = ${PYPI_PASSWORD}
    """
    travis = """
        language: python
        deploy:
          provider: pypi
          user: $PYPI_USER
          password: $PYPI_PASSWORD
    """
    files = {WF: wf, "tox.ini": tox, ".pypirc": pypirc, ".travis.yml": travis}
    findings = audit_findings(files, select=["SL502"])
    assert _graded(findings) == [
        (*hit("SL502", WF, wf, "${{ secrets.PYPI_USERNAME }}"), "info"),
        (*hit("SL502", WF, wf, "${{ secrets.PYPI_USERNAME }}", 2), "info"),
        (*hit("SL502", WF, wf, "$PYPI_USER"), "info"),
        (*hit("SL502", WF, wf, "${{ vars.PYPI_USER }}"), "info"),
        (*hit("SL502", ".pypirc", pypirc, "${PYPI_USER}"), "info"),
        (*hit("SL502", ".travis.yml", travis, "$PYPI_USER"), "info"),
        (*hit("SL502", "tox.ini", tox, "{env:PYPI_USER}"), "info"),
    ]
    action = findings[0]
    assert action.message == (
        "`user:` comes from `PYPI_USERNAME`, which shiplint cannot read: PyPI accepts only "
        "`__token__`"
    )
    assert action.help.startswith("Check that `PYPI_USERNAME` holds `__token__`")


def test_pypirc_and_travis_user_names(audit_findings: FindingsFn) -> None:
    pypirc = """
        [distutils]
        index-servers =
            pypi
            internal

        [pypi]
        username = stardust
        password = ${PYPI_PASSWORD}

        [internal]
        repository = https://nexus.example.com/repository/pypi/
        username = stardust
    """
    travis = """
        language: python
        deploy:
          provider: pypi
          user: "stardust"
          password:
            secure: "c2VjdXJlLWVuY3J5cHRlZC1ibG9i"
          on:
            tags: true
    """
    files = {".pypirc": pypirc, ".travis.yml": travis}
    assert _graded(audit_findings(files, select=["SL502"])) == [
        (*hit("SL502", ".pypirc", pypirc, "stardust"), "error"),
        (*hit("SL502", ".travis.yml", travis, "stardust"), "error"),
    ]


def test_token_user_and_private_indexes_are_fine(audit: AuditFn) -> None:
    wf = """
        on: {release: {types: [published]}}
        env:
          TWINE_USERNAME: __token__
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  user: __token__
                  password: ${{ secrets.PYPI_API_TOKEN }}
              - run: twine upload dist/*
                env: {TWINE_PASSWORD: "${{ secrets.PYPI_API_TOKEN }}"}
              - run: twine upload --repository-url https://nexus.example.com/repository/pypi/ dist/*
                env: {TWINE_USERNAME: deploy, TWINE_PASSWORD: "${{ secrets.NEXUS }}"}
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  repository-url: https://pkgs.example.com/simple/
                  user: deploy
                  password: ${{ secrets.INTERNAL }}
    """
    tox = """
        [testenv:release]
        passenv = TWINE_PASSWORD
        setenv =
            TWINE_USERNAME = {env:TWINE_USERNAME:__token__}
        commands = python -m twine upload dist/*
    """
    assert audit({WF: wf, "tox.ini": tox}, select=["SL502"]) == []


# --- SL503 literal-token -----------------------------------------------------------------------


def test_token_anywhere_and_literal_credentials(audit: AuditFn) -> None:
    wf = f"""
        on: {{push: {{tags: ["v*"]}}}}
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: {FAKE_TOKEN}
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: "not-a-real-token"
              - run: |
                  TOKEN=hunter2hunter2
                  anaconda --token $TOKEN upload dist/*.whl
    """
    makefile = f"""
        release:
        \ttwine upload -u __token__ -p {FAKE_TOKEN} dist/*
        upload-test:
        \ttwine upload -r testpypi --password=correct-horse dist/*
    """
    pypirc = """
        [pypi]
        username = __token__
        password = placeholder-password
    """
    tox = """
        [testenv:release]
        setenv =
            UV_PUBLISH_TOKEN = tox-literal-token
        commands = uv publish
    """
    # a token in a comment of an unrelated file is just as readable
    pyproject = f"""
        [project]
        name = "stardust"
        # upload token: {FAKE_TOKEN}
    """
    files = {
        WF: wf,
        "Makefile": makefile,
        ".pypirc": pypirc,
        "tox.ini": tox,
        "pyproject.toml": pyproject,
    }
    assert audit(files, select=["SL503"]) == sorted(
        [
            hit("SL503", WF, wf, FAKE_TOKEN),
            hit("SL503", WF, wf, "not-a-real-token"),
            hit("SL503", WF, wf, "hunter2hunter2"),
            hit("SL503", "Makefile", makefile, FAKE_TOKEN),
            hit("SL503", "Makefile", makefile, "correct-horse"),
            hit("SL503", ".pypirc", pypirc, "placeholder-password"),
            hit("SL503", "tox.ini", tox, "tox-literal-token"),
            hit("SL503", "pyproject.toml", pyproject, FAKE_TOKEN),
        ],
        key=lambda h: (h[1], h[2], h[3]),
    )


def test_passwords_of_an_index_inside_the_job(audit: AuditFn) -> None:
    # a smoke test against a throwaway devpi: nothing to leak; a real token still is one
    wf = f"""
        on: [push, pull_request]
        jobs:
          smoke:
            runs-on: ubuntu-latest
            services:
              devpi:
                image: muccg/devpi
                ports: ["3141:3141"]
            steps:
              - run: twine upload --repository-url http://localhost:3141/root/dev/ -u root -p abcd1234 dist/*
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  user: root
                  password: abcd1234
                  repository-url: http://127.0.0.1:3141/root/dev/
              - run: uv publish --publish-url http://devpi:3141/root/dev/ -u root -p abcd1234
              - run: twine upload dist/*
                env:
                  TWINE_REPOSITORY_URL: http://localhost:3141/root/dev/
                  TWINE_USERNAME: root
                  TWINE_PASSWORD: abcd1234
              - run: twine upload --repository-url http://localhost:3141/root/dev/ -p {FAKE_TOKEN} dist/*
              - run: twine upload --repository-url https://devpi.example.org/root/dev/ -p abcd1234 dist/*
    """
    pypirc = """
        [distutils]
        index-servers = local
        [local]
        repository = http://localhost:8080
        username = admin
        password = admin
    """
    assert audit({WF: wf, ".pypirc": pypirc}, select=["SL503"]) == [
        hit("SL503", WF, wf, FAKE_TOKEN),
        hit("SL503", WF, wf, "abcd1234", 5),
    ]


def test_references_are_not_literals(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
              - run: uv publish --token "$UV_TOKEN"
                env: {UV_TOKEN: "${{ steps.mint.outputs.token }}"}
              - uses: pypa/gh-action-pypi-publish@release/v1
                with: {password: ""}
    """
    makefile = "release:\n\ttwine upload -u __token__ -p $(PYPI_TOKEN) dist/*\n"
    tox = "[testenv:release]\nsetenv =\n    TWINE_PASSWORD = {env:PYPI_TOKEN}\ncommands = twine upload dist/*\n"
    pypirc = "[pypi]\nusername = __token__\npassword = ${PYPI_TOKEN}\n"
    files = {WF: wf, "Makefile": makefile, "tox.ini": tox, ".pypirc": pypirc}
    assert audit(files, select=["SL503"]) == []


@pytest.mark.parametrize(
    ("fmt", "select"),
    [("text", "ALL"), ("json", "ALL"), ("text", "SL502,SL406")],  # masked even without SL503
)
def test_cli_output_never_contains_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, select: str
) -> None:
    wf = f"""
        on: [push, pull_request]
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload -u stardust -p hunter2-literal dist/* # {FAKE_TOKEN}
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: "{FAKE_TOKEN}"
    """
    pypirc = "[pypi]\nusername = stardust\npassword = pypirc-literal-pw\n"
    write_tree(tmp_path, {WF: wf, ".pypirc": pypirc})
    argv = ["check", "--format", fmt, "--color", "never", "--select", select, str(tmp_path)]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 1
    assert "SL502" in out  # reported on the very lines holding the values
    for value in (FAKE_TOKEN, FAKE_TOKEN[5:], "hunter2-literal", "pypirc-literal-pw"):
        assert value not in out and value not in err
    if fmt == "json":
        rules = {f["rule"] for f in json.loads(out)["findings"]}
        assert {"SL502", "SL503"} <= rules
    else:
        assert "-p ******** dist/*" in out
