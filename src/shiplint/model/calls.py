"""Which repository scripts and tasks the commands of a CI job run.

A command that runs a shell script of the repository (`bash ci/upload.sh`,
`./tools/release.sh`) or a task (a Makefile target, tox env, nox session or pixi task, see
:func:`shiplint.model.tasks.task_keys`) is recorded as a :class:`~shiplint.model.ScriptCall`
of its caller's context and environment: the script's or task's commands are then read
once per caller (:mod:`shiplint.model.task_commands`), so their uploads belong to the job
that runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import ScriptCall
from shiplint.model.tasks import DIR_CHANGERS, normalise, task_keys
from shiplint.parse.dialects import dialect_of_path
from shiplint.pkg.upload_commands import program_name

if TYPE_CHECKING:
    from collections.abc import Iterable

    from shiplint.model import Arg, Context, ReleaseModel, ShellCommand, Value
    from shiplint.project import Project

#: programs that run the script named by their first operand
SCRIPT_RUNNERS = frozenset({"bash", "sh", "zsh", "source", ".", "dash"})
#: how CI systems spell the folder a job starts in (the repository's root)
WORKSPACE_PREFIXES = (
    "$GITHUB_WORKSPACE/",
    "${GITHUB_WORKSPACE}/",
    "$CI_PROJECT_DIR/",
    "${CI_PROJECT_DIR}/",
)


def record_calls(
    model: ReleaseModel,
    project: Project,
    commands: Iterable[ShellCommand],
    env: dict[str, Value],
    workdir: str = "",
    folder: str | None = "",
    caller: Context | None = None,
) -> None:
    """Record the scripts and tasks ``commands`` run (in this order, with the caller's
    environment ``env``): a script path is taken relative to ``workdir`` (the folder the
    commands start in, ``""`` for the root, else ending in ``/``); task runners start in
    ``folder`` (None when unknown), and after a ``cd`` in an unknown one. ``caller``: the
    context the calls are made from, when it is not the commands' own."""
    for cmd in commands:
        args = cmd.args
        head = args[0].text
        if head in DIR_CHANGERS:
            folder = None
        context = caller if caller is not None else cmd.context
        if folder is not None:
            _task_call(model, project, cmd, context, folder, env)
        target = script_operand(args)
        if target is None:
            continue
        text = target.text
        if "\\" in text and dialect_of_path(text) != "sh":
            text = text.replace("\\", "/")  # `.\\ci\\upload.ps1`
        if not text.startswith(WORKSPACE_PREFIXES):
            text = workdir + text.removeprefix("./")
        rel = _workspace_relative(text)
        if "$" in rel:
            continue
        model.script_calls.setdefault(normalise(rel), []).append(
            ScriptCall(caller=context, env={**env, **cmd.env}, loc=target.loc)
        )


def _workspace_relative(path: str) -> str:
    """``path`` without a leading workspace variable (``$CI_PROJECT_DIR/``)."""
    for prefix in WORKSPACE_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def script_operand(args: list[Arg]) -> Arg | None:
    """The script a command runs: the first operand of `bash`/`sh`/`source`..., or the
    command itself when it is a `.sh` file or a `./` path; a Windows script
    (:func:`windows_script`) too."""
    head = args[0].text
    if head in SCRIPT_RUNNERS and len(args) > 1:
        return next((a for a in args[1:] if not a.text.startswith("-")), None)
    if head.endswith(".sh") or head.startswith("./"):
        return args[0]
    return windows_script(args)


#: programs that run the Windows script named by an operand (their options skipped)
_WINDOWS_HOSTS = frozenset({"pwsh", "powershell", "cmd", "call"})
#: their options that take a value
_HOST_VALUE_OPTIONS = frozenset(
    {"-executionpolicy", "-ep", "-command", "-c", "-workingdirectory", "-wd", "-version"}
)


def windows_script(args: list[Arg]) -> Arg | None:
    """The ``.ps1``/``.bat``/``.cmd`` script a command runs: itself (``.\\ci\\upload.ps1``;
    the call operator ``&`` and ``call`` are dropped by the readers), or the operand of
    ``pwsh -File``, ``powershell``, ``cmd /c``."""
    head = program_name(args[0].text).lower()
    if dialect_of_path(head) != "sh":
        return args[0]
    if head not in _WINDOWS_HOSTS:
        return None
    i = 1
    while i < len(args):
        option = args[i].text.lower()
        if option in ("-file", "-f", "/c", "/k"):
            i += 1
        elif option.startswith(("-", "/")):
            i += 2 if option in _HOST_VALUE_OPTIONS else 1
        else:
            return args[i] if dialect_of_path(args[i].text) != "sh" else None
    return None


def _task_call(
    model: ReleaseModel,
    project: Project,
    cmd: ShellCommand,
    context: Context,
    workdir: str,
    env: dict[str, Value],
) -> None:
    """Record a command that runs a Makefile target, a tox env, a nox session or a pixi
    task of a file shiplint read (``workdir``: the folder the command starts in): the
    task's commands run with the caller's job and environment (tox: only what
    ``pass_env`` lets through) and the positional arguments it passes."""
    link = task_keys(project, cmd, workdir, env)
    if link is None:
        return
    call_env = {**env, **cmd.env}
    call = ScriptCall(caller=context, env=call_env, loc=link.word.loc)
    named = call
    if link.posargs is not None:
        named = ScriptCall(context, call_env, link.word.loc, posargs=link.posargs)
    for n, key in enumerate(link.keys):
        model.task_calls.setdefault(key, []).append(named if n < link.named else call)
