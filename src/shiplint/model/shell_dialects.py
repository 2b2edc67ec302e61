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

from typing import TYPE_CHECKING

from shiplint.model.workflows import run_setting
from shiplint.parse.dialects import dialect_of_shell

if TYPE_CHECKING:
    from shiplint.model import Step


def step_dialect(step: Step) -> str:
    """``sh``, ``cmd`` or ``pwsh``: the shell a run step's text is written for."""
    shell = run_setting(step, "shell")
    if shell is not None:
        return dialect_of_shell(shell.value)
    job = step.job
    source = job.workflow.source if job.workflow is not None else None
    if source is None or "windows" not in (source.text or "").lower():
        return "sh"
    from shiplint.gha.runners import WINDOWS, runners, step_may_run_on

    places = [runner for runner in runners(job) if step_may_run_on(runner, step)]
    if places and all(runner.os == WINDOWS for runner in places):
        return "pwsh"
    return "sh"
