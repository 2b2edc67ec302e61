"""SL911: upload scripts that skip the upload, with success, when the token is empty."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.rules.upload_token_skip import UploadSkippedWithoutToken
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples
from tests.upload_script_samples import NUMPY_SCRIPT, NUMPY_WORKFLOW, SKLEARN_SCRIPT

FindingsFn = Callable[..., "list[Finding]"]


def test_sl911_numpy_script(audit: AuditFn) -> None:
    files = {
        "tools/wheels/upload_wheels.sh": NUMPY_SCRIPT,
        ".github/workflows/wheels.yml": NUMPY_WORKFLOW,
    }
    path = "tools/wheels/upload_wheels.sh"
    assert audit(files, select=["SL911"]) == [hit("SL911", path, NUMPY_SCRIPT, "${TOKEN} ]]")]


H5PY_RUN = """
    on:
      schedule:
        - cron: "0 4 * * *"
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - env:
              ANACONDA_ORG_UPLOAD_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
            run: |
              ANACONDA_ORG="scientific-python-nightly-wheels"
              if [[ -n "${ANACONDA_ORG_UPLOAD_TOKEN}" ]]; then
                anaconda -t ${ANACONDA_ORG_UPLOAD_TOKEN} upload --force -u ${ANACONDA_ORG} dist/*.whl
              fi
"""


def test_sl911_run_only_when_token_set(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {".github/workflows/nightly.yml": H5PY_RUN}
    path = ".github/workflows/nightly.yml"
    assert audit(files, select=["SL911"]) == [
        hit("SL911", path, H5PY_RUN, '${ANACONDA_ORG_UPLOAD_TOKEN}"')
    ]
    (finding,) = audit_findings(files, select=["SL911"])
    assert "`anaconda upload` is skipped" in finding.message
    # whether it is skipped depends on the secret's value, which shiplint cannot see
    assert finding.severity is Severity.WARNING
    assert "check that the secret is set" in finding.help
    assert "exit 1" in finding.help


def test_sl911_else_branch_that_fails_is_fine(audit: AuditFn) -> None:
    wf = H5PY_RUN.replace(
        "              fi\n",
        '              else\n                echo "::error::no token"; exit 1\n              fi\n',
    )
    assert audit({".github/workflows/nightly.yml": wf}, select=["SL911"]) == []


def test_sl911_exit_zero_before_the_upload(audit: AuditFn) -> None:
    path = "build_tools/github/upload_anaconda.sh"
    files = {path: SKLEARN_SCRIPT}
    assert audit(files, select=["SL911"]) == [
        hit("SL911", path, SKLEARN_SCRIPT, '$ANACONDA_TOKEN" == ""')
    ]
    fails = SKLEARN_SCRIPT.replace("exit 0", "exit 1")
    assert audit({path: fails}, select=["SL911"]) == []


@pytest.mark.parametrize(
    ("script", "needle"),
    [
        ('[ -z "$TOKEN" ] && exit 0\nanaconda -t "$TOKEN" upload x.whl\n', "$TOKEN"),
        ("[[ -n $TOKEN ]] || { echo skip; exit 0; }\nanaconda -t $TOKEN upload x.whl\n", "$TOKEN"),
        ('[ -n "$TOKEN" ] && anaconda -t "$TOKEN" upload x.whl\necho done\n', "$TOKEN"),
        (
            'if [ "x$TWINE_PASSWORD" = "x" ]; then\n  echo "no password"\nelse\n'
            "  twine upload dist/*\nfi\n",
            "$TWINE_PASSWORD",
        ),
        (
            'if test -z "$TOKEN" || test -z "$ORG"; then\n  echo skip\nelse\n'
            '  anaconda -t "$TOKEN" upload -u "$ORG" x.whl\nfi\n',
            "$TOKEN",
        ),
    ],
)
def test_sl911_forms(audit: AuditFn, script: str, needle: str) -> None:
    assert audit({"tools/upload.sh": script}, select=["SL911"]) == [
        hit("SL911", "tools/upload.sh", script, needle)
    ]


@pytest.mark.parametrize(
    "script",
    [
        # the test is about something else
        'if [ -z "$VERSION" ]; then echo skip; else anaconda -t "$TOKEN" upload x.whl; fi\n',
        # a warning, then the upload runs anyway and fails loudly
        'if [ -z "$TOKEN" ]; then echo "warning: no token"; fi\nanaconda -t "$TOKEN" upload x\n',
        # the skip fails
        '[ -z "$TOKEN" ] && { echo "::error::no token"; exit 1; }\nanaconda -t "$TOKEN" upload x\n',
        # mixed tests do not depend on the token alone
        'if [[ -n "$TOKEN" || "$FORCE" == 1 ]]; then anaconda -t "$TOKEN" upload x; fi\n',
        # a heredoc body with shell-looking text
        'cat <<EOF\nif [ -z "$TOKEN" ]; then\nEOF\nanaconda -t "$TOKEN" upload x\n',
    ],
)
def test_sl911_not_a_silent_skip(audit: AuditFn, script: str) -> None:
    assert audit({"tools/upload.sh": "set -e\n" + script}, select=["SL911"]) == []


def test_sl911_secret_fed_variable(audit: AuditFn) -> None:
    wf = """
        on: {schedule: [{cron: "0 0 * * *"}]}
        jobs:
          upload:
            runs-on: ubuntu-latest
            env:
              HAVE_TOKEN: ${{ secrets.ANACONDA_TOKEN }}
            steps:
              - run: |
                  if [ -z "$HAVE_TOKEN" ]; then exit 0; fi
                  anaconda upload --force -u scientific-python-nightly-wheels dist/*.whl
    """
    path = ".github/workflows/n.yml"
    assert audit({path: wf}, select=["SL911"]) == [hit("SL911", path, wf, "$HAVE_TOKEN")]


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, UploadSkippedWithoutToken)
