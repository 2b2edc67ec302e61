"""The release model of GitHub workflows and composite actions, step by step.

The uploads of the catalogued publishing actions a step uses and reusable workflows a job
calls (:mod:`shiplint.model.publishers`), the commands of ``run:`` blocks, the ``env:``
assignments of workflow, job and step, and the shell scripts and tasks (Makefile targets,
tox envs, nox sessions) those commands run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import Context, Loc, Value
from shiplint.model.calls import record_calls
from shiplint.model.publishers import job_upload, publishers_of, step_upload
from shiplint.model.shellblocks import commands_from_text
from shiplint.model.tasks import task_dir
from shiplint.model.textmap import ScalarMap
from shiplint.parse.yamlnodes import YMap, YScalar

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel, ShellCommand, Step, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile


def github_steps(
    model: ReleaseModel, project: Project, workflow: Workflow, origin: str = "workflow"
) -> None:
    """Read every step of a workflow (or, ``origin="action"``, a composite action)."""
    src = workflow.source
    base_env = env_values(src, workflow.env)
    for job in workflow.jobs.values():
        if job.uses is not None:
            for pub in publishers_of(job.uses.text):
                job_upload(model, src, job, pub)
        job_env = {**base_env, **env_values(src, job.env)}
        for step in job.steps:
            context = Context(origin=origin, job=job, step=step, label=job.id)
            env = {**job_env, **env_values(src, step.env)}
            for name, value in env_values(src, step.env).items():
                model.assignments.append((name, value, context))
            if step.uses is not None:
                for pub in publishers_of(step.uses.value):
                    step_upload(model, project, src, step, context, env, pub)
            if step.run is not None and not step.run.is_null:
                scalar_map = ScalarMap(src, step.run)
                commands = commands_from_text(
                    model, src, step.run.value, context, env, scalar_map.to_file
                )
                model.commands.extend(commands)
                if not src.example:  # an example's `make release` is its user's Makefile
                    _script_calls(model, project, commands, step, env)
        for name, value in env_values(src, job.env).items():
            model.assignments.append((name, value, Context(origin=origin, job=job, label=job.id)))
    for name, value in base_env.items():
        model.assignments.append((name, value, Context(origin=origin)))


def _script_calls(
    model: ReleaseModel,
    project: Project,
    commands: list[ShellCommand],
    step: Step,
    env: dict[str, Value],
) -> None:
    """Record the scripts and tasks a ``run:`` step's commands run
    (:func:`shiplint.model.calls.record_calls`): script paths from the step's
    ``working-directory``, task runners from :func:`~shiplint.model.tasks.task_dir`."""
    workdir = ""
    if step.node is not None:
        wd = step.node.get_str("working-directory")
        if wd and "${{" not in wd:
            workdir = wd.strip("/") + "/"
    record_calls(model, project, commands, env, workdir, task_dir(step))


def env_values(src: SourceFile, env: YMap | None) -> dict[str, Value]:
    if env is None:
        return {}
    out = {}
    for name, _key, value in env.items():
        if isinstance(value, YScalar) and not value.is_null:
            out[name] = Value(value.value, Loc(src, value.start, value.end))
    return out
