"""Which shell reads each run step of a workflow or composite action.

A GitHub ``run:`` step runs in its ``shell:`` (its own, else the job's or the workflow's
``defaults: run: shell:``); without one, in PowerShell (``pwsh``, else Windows PowerShell)
on Windows runners and ``bash -e``/``sh -e`` elsewhere (actions/runner
``src/Runner.Worker/Handlers/ScriptHandler.cs`` at v2.336.0). A run step whose every
possible runner is Windows (:func:`shiplint.gha.runners.runners`, a matrix leg left out
when the step's ``if:`` excludes it) is read as PowerShell; one that may run on Linux or
macOS too stays POSIX shell. Script files are read by their extension
(:func:`shiplint.parse.dialects.dialect_of_path`); the Windows scripts a step runs are
linked to it like the POSIX ones (:func:`shiplint.model.calls.script_operand`).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from shiplint.model.workflows import run_setting
from shiplint.parse.dialects import dialect_of_shell

if TYPE_CHECKING:
    from shiplint.gha.runners import Runner
    from shiplint.model import Job, Step


def step_dialect(step: Step) -> str:
    """``sh``, ``cmd`` or ``pwsh``: the shell a run step's text is written for."""
    shell = run_setting(step, "shell")
    if shell is not None:
        return dialect_of_shell(shell.value)
    oses = _job_oses(step.job)
    if oses is None:
        return "sh"
    if all(os == _WINDOWS for os, _runner in oses):
        return "pwsh"
    if step.condition is None or not any(os == _WINDOWS for os, _runner in oses):
        return "sh"  # a job's own `if:` cannot tell matrix legs apart
    from shiplint.gha.runners import step_may_run_on

    places = [os for os, runner in oses if step_may_run_on(runner, step)]
    return "pwsh" if places and all(os == _WINDOWS for os in places) else "sh"


_WINDOWS = "Windows"
#: the runners of each job, while the job lives (a weak key: a cache that held the jobs
#: would keep every audited repository's model alive in a many-root run)
_RUNNERS: weakref.WeakKeyDictionary[Job, list[tuple[str | None, Runner]] | None] = (
    weakref.WeakKeyDictionary()
)


def _job_oses(job: Job) -> list[tuple[str | None, Runner]] | None:
    """The OS of each runner ``job`` may run on (None when no label may name Windows)."""
    if job in _RUNNERS:
        return _RUNNERS[job]
    texts = [value.text.lower() for value in job.runs_on]
    oses: list[tuple[str | None, Runner]] | None = None
    if any("windows" in text for text in texts) or (
        any("${{" in text for text in texts) and "windows" in _job_text(job)
    ):
        # (a label from an expression names Windows only through a value written in the
        # job, its matrix: a job whose text never says "windows" runs on no known Windows)
        from shiplint.gha.runners import runners

        oses = [(runner.os, runner) for runner in runners(job)]
    _RUNNERS[job] = oses
    return oses


def _job_text(job: Job) -> str:
    """The job's own text, lower case (empty when it has no node)."""
    src = job.workflow.source if job.workflow is not None else None
    if src is None or src.text is None or job.node is None:
        return ""
    return src.text[job.node.start : job.node.end].lower()
