"""The release model of GitHub workflows and composite actions, step by step.

The uploads of the catalogued publishing actions a step uses and reusable workflows a job
calls (:mod:`shiplint.model.publishers`), the commands of ``run:`` blocks, the ``env:``
assignments of workflow, job and step, and the shell scripts and tasks (Makefile targets,
tox envs, nox sessions) those commands run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import Context, Loc, ScriptCall, Value
from shiplint.model.publishers import job_upload, publishers_of, step_upload
from shiplint.model.shellblocks import commands_from_text
from shiplint.model.tasks import DIR_CHANGERS, normalise, task_dir, task_keys
from shiplint.model.textmap import ScalarMap
from shiplint.parse.yamlnodes import YMap, YScalar

if TYPE_CHECKING:
    from shiplint.model import Arg, ReleaseModel, ShellCommand, Step, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile

_SCRIPT_RUNNERS = {"bash", "sh", "zsh", "source", ".", "dash"}


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
    workdir = ""
    if step.node is not None:
        wd = step.node.get_str("working-directory")
        if wd and "${{" not in wd:
            workdir = wd.strip("/") + "/"
    # the folder a task runner starts in; None once it may be another one (a
    # working directory that is an expression, a `cd` earlier in the block)
    folder = task_dir(step)
    for cmd in commands:
        args = cmd.args
        head = args[0].text
        if head in DIR_CHANGERS:
            folder = None
        if folder is not None:
            _task_call(model, project, cmd, folder, env)
        target: Arg | None = None
        if head in _SCRIPT_RUNNERS and len(args) > 1:
            target = next((a for a in args[1:] if not a.text.startswith("-")), None)
        elif head.endswith(".sh") or head.startswith("./"):
            target = args[0]
        if target is None or "$" in target.text:
            continue
        rel = workdir + target.text.removeprefix("./")
        if rel.startswith("$GITHUB_WORKSPACE/"):
            rel = rel[len("$GITHUB_WORKSPACE/") :]
        call_env = dict(cmd.env)
        model.script_calls.setdefault(normalise(rel), []).append(
            ScriptCall(caller=cmd.context, env={**env, **call_env}, loc=target.loc)
        )


def _task_call(
    model: ReleaseModel, project: Project, cmd: ShellCommand, workdir: str, env: dict[str, Value]
) -> None:
    """Record a step that runs a Makefile target, a tox env, a nox session or a pixi task
    of a file shiplint read (``workdir``: the folder the command starts in): the task's
    commands run with the step's job and environment (tox: only what ``pass_env`` lets
    through) and the positional arguments it passes.
    See :func:`shiplint.model.tasks.task_keys`."""
    link = task_keys(project, cmd, workdir, env)
    if link is None:
        return
    call_env = {**env, **cmd.env}
    call = ScriptCall(caller=cmd.context, env=call_env, loc=link.word.loc)
    named = call
    if link.posargs is not None:
        named = ScriptCall(cmd.context, call_env, link.word.loc, posargs=link.posargs)
    for n, key in enumerate(link.keys):
        model.task_calls.setdefault(key, []).append(named if n < link.named else call)


def env_values(src: SourceFile, env: YMap | None) -> dict[str, Value]:
    if env is None:
        return {}
    out = {}
    for name, _key, value in env.items():
        if isinstance(value, YScalar) and not value.is_null:
            out[name] = Value(value.value, Loc(src, value.start, value.end))
    return out
