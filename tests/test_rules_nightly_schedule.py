"""SL914: nightly uploads less often than the nightly index keeps them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding
from shiplint.rules.nightly_schedule import NightlyCadence
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples

FindingsFn = Callable[..., "list[Finding]"]

PINNED = "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"  # upload-nightly-action 0.6.4


NIGHTLY = f"""
    name: Nightly
    on:
      workflow_dispatch:
      schedule:
        - cron: "0 3 1 */2 *"
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - uses: scientific-python/upload-nightly-action@{PINNED} # 0.6.4
            with:
              artifacts_path: dist
              anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
"""


def test_sl914_cron_too_rare(audit: AuditFn, audit_findings: FindingsFn) -> None:
    path = ".github/workflows/nightly.yml"
    assert audit({path: NIGHTLY}, select=["SL914"]) == [hit("SL914", path, NIGHTLY, "0 3 1")]
    (finding,) = audit_findings({path: NIGHTLY}, select=["SL914"])
    assert "62 days apart" in finding.message
    assert "30 days" in finding.message


@pytest.mark.parametrize("cron", ["0 3 * * *", "0 3 * * 1", "0 3 1,15 * *", "0 0 */20 * *"])
def test_sl914_cron_often_enough(audit: AuditFn, cron: str) -> None:
    wf = NIGHTLY.replace("0 3 1 */2 *", cron)
    assert audit({".github/workflows/nightly.yml": wf}, select=["SL914"]) == []


def test_sl914_no_schedule(audit: AuditFn, audit_findings: FindingsFn) -> None:
    path = ".github/workflows/nightly.yml"
    manual = NIGHTLY.replace('      schedule:\n        - cron: "0 3 1 */2 *"\n', "")
    assert audit({path: manual}, select=["SL914"]) == [hit("SL914", path, manual, "on:")]
    (finding,) = audit_findings({path: manual}, select=["SL914"])
    assert finding.severity.value == "warning"
    # sympy: nightlies on every push to master, no schedule — information only
    push = manual.replace("  workflow_dispatch:\n", "  push:\n        branches: [master]\n")
    (finding,) = audit_findings({path: push}, select=["SL914"])
    assert finding.severity.value == "info"


def test_sl914_schedule_that_does_not_reach_the_upload(audit: AuditFn) -> None:
    wf = NIGHTLY.replace("0 3 1 */2 *", "0 3 * * *").replace(
        "          - uses: scientific",
        "          - if: github.event_name == 'workflow_dispatch'\n            uses: scientific",
    )
    path = ".github/workflows/nightly.yml"
    assert audit({path: wf}, select=["SL914"]) == [hit("SL914", path, wf, "schedule:")]


def test_sl914_script_and_reusable_workflow(audit: AuditFn) -> None:
    script = (
        'set -e\nanaconda -t "$T" upload --force -u scientific-python-nightly-wheels dist/*.whl\n'
    )
    reusable = """
        on:
          workflow_call:
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
    """
    caller = """
        on:
          schedule:
            - cron: "0 0 1 1 *"
        jobs:
          nightly:
            uses: ./.github/workflows/upload.yml
            secrets: inherit
    """
    files = {
        "tools/upload.sh": script,
        ".github/workflows/upload.yml": reusable,
        ".github/workflows/caller.yml": caller,
    }
    assert audit(files, select=["SL914"]) == [
        hit("SL914", ".github/workflows/caller.yml", caller, "0 0 1 1 *")
    ]
    files[".github/workflows/caller.yml"] = caller.replace("0 0 1 1 *", "0 0 * * 0")
    assert audit(files, select=["SL914"]) == []


def test_sl914_other_orgs_are_not_nightlies(audit: AuditFn) -> None:
    wf = """
        on: [workflow_dispatch]
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda -t "$T" upload -u my-project-staging dist/*.whl
    """
    assert audit({".github/workflows/x.yml": wf}, select=["SL914"]) == []


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, NightlyCadence)
