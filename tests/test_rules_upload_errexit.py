"""SL912: uploads in scripts and run blocks without errexit."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding
from shiplint.rules.upload_errexit import UploadWithoutErrexit
from tests.conftest import AuditFn, hit
from tests.rule_examples import assert_examples
from tests.upload_script_samples import NUMPY_SCRIPT, NUMPY_WORKFLOW

FindingsFn = Callable[..., "list[Finding]"]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


LOOP_SCRIPT = """
    #!/bin/bash
    for whl in wheelhouse/*.whl; do
        anaconda -t "$TOKEN" upload --force -u scientific-python-nightly-wheels "$whl"
    done
    echo "uploaded"
"""


def test_sl912_script_without_set_e(audit: AuditFn, audit_findings: FindingsFn) -> None:
    path = "tools/upload.sh"
    assert audit({path: LOOP_SCRIPT}, select=["SL912"]) == [
        hit("SL912", path, LOOP_SCRIPT, "anaconda")
    ]
    (finding,) = audit_findings({path: LOOP_SCRIPT}, select=["SL912"])
    assert finding.fix is not None and not finding.fix.safe
    (edit,) = finding.fix.edits
    body = dedent(LOOP_SCRIPT)
    assert body[: edit.start] + edit.replacement + body[edit.end :] == body.replace(
        "#!/bin/bash\n", "#!/bin/bash\nset -e\n"
    )


@pytest.mark.parametrize(
    "change",
    [
        ("#!/bin/bash\n", "#!/bin/bash\nset -euo pipefail\n"),
        ("#!/bin/bash\n", "#!/bin/bash\nset -o errexit\n"),
        ("#!/bin/bash\n", "#!/bin/bash -e\n"),
        ("#!/bin/bash\n", "#!/usr/bin/env bash\nset -ex\n"),
        ('echo "uploaded"\n', ""),  # the loop's status is the script's
        ('"$whl"\n', '"$whl" || exit 1\n'),
    ],
)
def test_sl912_errexit_or_status_kept(audit: AuditFn, change: tuple[str, str]) -> None:
    script = dedent(LOOP_SCRIPT).replace(*change)
    if change[1] == "":  # the loop is last, but a failure inside a loop is still lost
        assert audit({"tools/upload.sh": script}, select=["SL912"]) != []
        return
    assert audit({"tools/upload.sh": script}, select=["SL912"]) == []


def test_sl912_last_command_or_set_plus_e(audit: AuditFn) -> None:
    last = 'set -e\nset +e\nanaconda -t "$T" upload x.whl\n'
    assert audit({"tools/u.sh": last}, select=["SL912"]) == []  # its status is the script's
    turned_off = 'set -e\nset +e\nanaconda -t "$T" upload x.whl\necho done\n'
    assert audit({"tools/u.sh": turned_off}, select=["SL912"]) == [
        hit("SL912", "tools/u.sh", turned_off, "anaconda")
    ]
    in_if = 'if [ -f x.whl ]; then\n  anaconda -t "$T" upload x.whl\nfi\n'
    assert audit({"tools/u.sh": in_if}, select=["SL912"]) == []


def test_sl912_script_run_with_bash_ignores_shebang(audit: AuditFn) -> None:
    script = dedent(LOOP_SCRIPT).replace("#!/bin/bash\n", "#!/bin/bash -e\n")
    wf = """
        on: {schedule: [{cron: "0 0 * * *"}]}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
    """
    files = {"tools/upload.sh": script, ".github/workflows/n.yml": wf}
    assert audit(files, select=["SL912"]) == [hit("SL912", "tools/upload.sh", script, "anaconda")]
    files[".github/workflows/n.yml"] = wf.replace("bash tools/upload.sh", "./tools/upload.sh")
    assert audit(files, select=["SL912"]) == []
    files[".github/workflows/n.yml"] = wf.replace("bash tools/upload.sh", "bash -e tools/upload.sh")
    assert audit(files, select=["SL912"]) == []


def test_sl912_sourced_script_inherits_the_step_shell(audit: AuditFn) -> None:
    files = {
        "tools/wheels/upload_wheels.sh": NUMPY_SCRIPT,
        ".github/workflows/wheels.yml": NUMPY_WORKFLOW,
    }
    assert audit(files, select=["SL912"]) == []  # default shell: bash -e
    login = NUMPY_WORKFLOW.replace(
        "          - name: Upload wheels\n",
        "          - name: Upload wheels\n            shell: bash -l {0}\n",
    )
    files[".github/workflows/wheels.yml"] = login
    path = "tools/wheels/upload_wheels.sh"
    assert audit(files, select=["SL912"]) == [hit("SL912", path, NUMPY_SCRIPT, "anaconda")]


RUN_LOGIN_SHELL = """
    on: {schedule: [{cron: "0 0 * * *"}]}
    jobs:
      upload:
        runs-on: ubuntu-latest
        defaults:
          run:
            shell: bash -l {0}
        steps:
          - run: |
              anaconda -t "$T" upload --force -u scientific-python-nightly-wheels dist/*.whl
              echo "done"
"""


def test_sl912_run_block_with_custom_shell(audit: AuditFn, audit_findings: FindingsFn) -> None:
    path = ".github/workflows/n.yml"
    assert audit({path: RUN_LOGIN_SHELL}, select=["SL912"]) == [
        hit("SL912", path, RUN_LOGIN_SHELL, "anaconda")
    ]
    (finding,) = audit_findings({path: RUN_LOGIN_SHELL}, select=["SL912"])
    assert finding.fix is not None
    (edit,) = finding.fix.edits
    body = dedent(RUN_LOGIN_SHELL)
    assert body[: edit.start] + edit.replacement + body[edit.end :] == body.replace(
        "bash -l {0}", "bash -el {0}"
    )
    # the `bash`/`sh` keywords run with -e (actions/runner ScriptHandlerHelpers.cs);
    # PowerShell blocks are not checked
    for shell in ("bash -el {0}", "bash", "sh", "bash --login -eo pipefail {0}", "pwsh"):
        wf = RUN_LOGIN_SHELL.replace("bash -l {0}", shell)
        assert audit({path: wf}, select=["SL912"]) == [], shell
    # a custom shell runs as written: `bash {0}` and `sh {0}` have no errexit
    for shell in ("bash {0}", "sh {0}", "/usr/bin/bash --noprofile --norc {0}"):
        wf = RUN_LOGIN_SHELL.replace("bash -l {0}", shell)
        assert audit({path: wf}, select=["SL912"]) == [hit("SL912", path, wf, "anaconda")], shell
    default = RUN_LOGIN_SHELL.replace(
        "        defaults:\n          run:\n            shell: bash -l {0}\n", ""
    )
    assert audit({path: default}, select=["SL912"]) == []


def test_examples(audit: AuditFn, tmp_path: Path) -> None:
    assert_examples(audit, tmp_path, UploadWithoutErrexit)
