"""SL204: pypa/gh-action-pypi-publish on a macOS or Windows runner (B-3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.gha.runners import MACOS, WINDOWS, runners
from shiplint.gha.scenarios import CERTAIN, Reach, trigger_reach
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import action_uploads, dedupe_key, workflow_job

if TYPE_CHECKING:
    from shiplint.gha.matrix import Leg
    from shiplint.gha.runners import Runner
    from shiplint.model import Step
    from shiplint.project import Project


@register
class PublishActionNonLinux(Rule):
    """pypa/gh-action-pypi-publish runs in a job on a macOS or Windows runner.

    The action runs twine in a Linux container, and GitHub runs containers only on Linux
    runners. Up to v1.11.0 it is a container action, which GitHub refuses at once on any
    other runner: `Container action is only supported on Linux`. Since v1.12.0 (2024-11) it
    is a composite action that pulls a prebuilt image, and its first step stops every other
    runner itself (`if: runner.os != 'Linux'` in its `action.yml`, still so in 2026):
    `This action is only able to run under GNU/Linux environments`. Either way the step
    fails.

    This often happens when the publish step sits in the build job of an OS matrix
    (`runs-on: ${{ matrix.os }}`): the Linux leg uploads, the others fail (or the reverse,
    when the step only runs on one of them).

    shiplint evaluates the job's and the step's `if:` for each runner and each trigger: a
    condition such as `if: runner.os == 'Linux'` (or `matrix.os == 'ubuntu-latest'`) keeps
    the step off the other runners. It is an error when the step certainly runs there; a
    warning when that depends on something shiplint cannot evaluate (a step output, a
    variable); information when `continue-on-error` keeps the run green (the other legs
    still publish).

    Fix: build on every OS, upload the distributions as artifacts, and publish from one
    separate job with `runs-on: ubuntu-latest` that downloads them.
    """

    code = "SL204"
    name = "publish-action-non-linux"
    severity = Severity.ERROR
    summary = "pypa/gh-action-pypi-publish on a macOS/Windows runner (it runs only on Linux)"
    catalogue = ("B-3",)
    before = (
        "build:\n  strategy:\n    matrix:\n      os: [ubuntu-latest, windows-latest]\n"
        "  runs-on: ${{ matrix.os }}\n  steps:\n    - run: python -m build\n"
        "    - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "build:\n  strategy:\n    matrix:\n      os: [ubuntu-latest, windows-latest]\n"
        "  runs-on: ${{ matrix.os }}\n  steps:\n    - run: python -m build\n"
        "    - uses: actions/upload-artifact@v4\n"
        "      with: {name: 'dist-${{ matrix.os }}', path: dist/}\n"
        "publish:\n  needs: build\n  runs-on: ubuntu-latest\n  steps:\n"
        "    - uses: actions/download-artifact@v4\n"
        "      with: {pattern: 'dist-*', path: dist/, merge-multiple: true}\n"
        "    - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for upload, step in action_uploads(project):
            job = workflow_job(upload)
            if job is None or job.workflow is None:
                continue
            for runner in runners(job):
                label = runner.os_label
                if runner.os not in (MACOS, WINDOWS) or label is None or label.loc is None:
                    continue
                if dedupe_key(label.loc) in seen:
                    continue
                got = _reach_on(project, runner, step)
                severity = got.severity(
                    Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
                )
                if severity is None:
                    continue
                seen.add(dedupe_key(label.loc))
                text = label.text.strip()
                via = " (from the job's matrix)" if label is runner.matrix_label else ""
                yield self.at(
                    label.loc,
                    f"`{text}` runner{via}: pypa/gh-action-pypi-publish runs only on Linux",
                    "On this runner the publish step fails: `This action is only able to run "
                    "under GNU/Linux environments` (v1.12.0 and later; before, `Container "
                    "action is only supported on Linux`). Upload the built distributions as "
                    "artifacts and publish them from a separate job with `runs-on: "
                    "ubuntu-latest` (or limit the step with `if: runner.os == 'Linux'`)."
                    + got.doubt(),
                    severity=severity,
                )


def _reach_on(project: Project, runner: Runner, step: Step) -> Reach:
    """Whether ``step`` runs on ``runner`` (on the matrix legs that get it) under some
    trigger of its workflow, and whether its failure there fails the run."""
    job = step.job
    workflow = job.workflow
    if workflow is None:
        return CERTAIN

    def on_runner(leg: Leg) -> bool:
        if runner.matrix_value is None or leg.nodes is None:
            return True
        return all(
            leg.value(tuple(key.split("."))) == runner.matrix_value for key in runner.matrix_keys
        )

    only = on_runner if runner.from_matrix else None
    return trigger_reach(project, workflow, job, step, runner.facts(), only)
