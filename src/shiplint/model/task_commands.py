"""The commands of the shell scripts, Makefile recipes, nox sessions and pixi tasks a
project has.

Each is read once for every step that runs it (its job, triggers and environment), else
once in a context of its own. Which step runs which script or task is found while the
steps are read (:mod:`shiplint.model.github_steps`, :mod:`shiplint.model.tasks`);
:func:`distinct`, :func:`copies` and :func:`copy_context` make the per-caller copies
(tox envs too, :mod:`shiplint.model.tox_commands`).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from shiplint.lazyre import LazyPattern
from shiplint.model import Arg, Context, Loc, ScriptCall, ShellCommand, Value
from shiplint.model.pixi_manifest import pixi_table, task_definitions
from shiplint.model.shellblocks import commands_from_text, single_var
from shiplint.model.tasks import MAKE_ASSIGN, make_targets_reached, nox_callers
from shiplint.parse.dialects import SCRIPT_KINDS, dialect_of_path

if TYPE_CHECKING:
    from collections.abc import Iterable

    from shiplint.model import ReleaseModel
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.project import Project
    from shiplint.source import SourceFile

_MAKE_VAR = LazyPattern(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_MAKE_WEAK_ASSIGN = LazyPattern(r"^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*\?=")


def shell_scripts(model: ReleaseModel, project: Project) -> None:
    """Read the scripts steps run (``project.script``) and every other shell script."""
    for rel in list(model.script_calls):
        project.script(rel)
    for src in project.of_kind(*SCRIPT_KINDS.values()):
        dialect = dialect_of_path(src.rel) if src.kind != "shell" else "sh"
        calls = distinct(model.script_calls.get(src.rel, []))
        # a copy of the script's commands for each step that runs it (its job, triggers
        # and environment; a step running it twice, once), else one of its own
        for n, call in enumerate(copies(calls)):
            context = copy_context("script", src.rel, call)
            env: dict[str, Value] = call.env if call is not None else {}
            before = len(model.assignments)
            model.commands.extend(
                commands_from_text(model, src, src.text or "", context, env, dialect=dialect)
            )
            if n > 0:
                # the script's literal assignments: recorded with the first copy (once
                # per place, like the index uses they give)
                del model.assignments[before:]


def makefile(model: ReleaseModel, src: SourceFile) -> None:
    text = src.text or ""
    reached = make_targets_reached(model.task_calls, src)
    env: dict[str, Value] = {}
    weak: set[str] = set()  # assigned with `?=`: the caller's environment wins
    target = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.startswith("\t"):
            lead = 1
            while lead < len(body) and body[lead] in "@-+ \t":
                lead += 1
            recipe = _MAKE_VAR.sub(r"${\1}", body[lead:]).replace("$$", "$")
            if len(recipe) == len(body) - lead:
                calls = distinct(c for t in target.split() for c in reached.get(t, []))
                # a copy of the recipe line for each step that runs the target (its
                # job and environment), else one of its own
                for call in copies(calls):
                    context = copy_context("makefile", target, call)
                    cmd_env = env
                    if call is not None:
                        own = {k: v for k, v in env.items() if k not in weak or k not in call.env}
                        cmd_env = {**call.env, **own}
                    model.commands.extend(
                        commands_from_text(
                            model,
                            src,
                            recipe.rstrip("\\"),
                            context,
                            cmd_env,
                            base=offset + lead,
                        )
                    )
        elif body and not body.startswith("#"):
            assign = MAKE_ASSIGN.match(body)
            if assign and ":" not in assign.group(1):
                value = assign.group(2).strip()
                start = offset + body.index(value, len(assign.group(1))) if value else offset
                val = Value(value, Loc(src, start, start + len(value)))
                env[assign.group(1)] = val
                if _MAKE_WEAK_ASSIGN.match(body):
                    weak.add(assign.group(1))
                else:
                    weak.discard(assign.group(1))
                model.assignments.append((assign.group(1), val, Context(origin="makefile")))
            elif ":" in body:
                target = body.split(":", 1)[0].strip()
        offset += len(line)


def noxfile(model: ReleaseModel, src: SourceFile, tree: ast.Module) -> None:
    functions = _outermost_functions(tree)
    callers = {
        name: distinct(calls) for name, calls in nox_callers(model.task_calls, src, tree).items()
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in ("run", "run_always", "run_install", "install"):
            continue
        args: list[Arg] = []
        if method == "install":
            args.append(Arg("pip", "pip", ast_loc(src, node.func)))
            args.append(Arg("install", "install", ast_loc(src, node.func)))
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                args.append(Arg(arg.value, arg.value, ast_loc(src, arg)))
            else:
                args.append(Arg("$ARG", "$ARG", ast_loc(src, arg)))
        if args:
            label = functions.get(id(node), "")
            # a copy for each step that runs this session (its job and environment),
            # else one of its own
            for call in copies(callers.get(label, [])):
                context = copy_context("nox", label, call)
                env: dict[str, Value] = dict(call.env) if call is not None else {}
                model.commands.append(ShellCommand(args=args, source=src, context=context, env=env))


def pixi_tasks(model: ReleaseModel, src: SourceFile, doc: TomlDoc) -> None:
    """The commands of the pixi tasks of a pixi.toml, or of ``[tool.pixi]`` in a
    pyproject.toml (:mod:`shiplint.model.pixi_manifest`): a copy for each step that runs
    the task (its job, its environment under the task's ``env``, and the words after the
    task name appended to its last command, as pixi does), else one of its own."""
    table = pixi_table(src, doc)
    if table is None:
        return
    prefix = ("tool", "pixi") if src.kind == "pyproject" else ()
    for definition in task_definitions(table, prefix):
        value = definition.value
        path = definition.path
        cmd_path = path
        if isinstance(value, dict):
            cmd: Any = value.get("cmd")
            cmd_path = (*path, "cmd")
        else:
            cmd = value
        if not isinstance(cmd, (str, list)):
            continue  # an alias: only dependencies
        task_env = value.get("env") if isinstance(value, dict) else None
        calls = distinct(model.task_calls.get((f"pixi:{src.rel}", " ".join(path)), []))
        for n, call in enumerate(copies(calls)):
            context = copy_context("pixi", path[-1], call)
            env: dict[str, Value] = dict(call.env) if call is not None else {}
            if isinstance(task_env, dict):
                for var, text in task_env.items():
                    if isinstance(text, str):
                        span = doc.string_span((*path, "env", var))
                        val = Value(text, Loc(src, span[0], span[1]) if span else None)
                        ref = single_var(text)
                        env[var] = env[ref] if ref is not None and ref in env else val
                        if n == 0 and val.loc is not None and "$" not in text:
                            model.assignments.append((var, val, context))
            if isinstance(cmd, str):
                commands = _toml_string_commands(model, src, doc, cmd_path, cmd, context, env)
            else:
                args = [
                    Arg(w, w, _toml_loc(src, doc, (*cmd_path, j)))
                    for j, w in enumerate(cmd)
                    if isinstance(w, str)
                ]
                commands = [ShellCommand(args=args, source=src, context=context, env=env)]
            typed = isinstance(value, dict) and value.get("args")
            if commands and call is not None and call.posargs and not typed:
                commands[-1].args.extend(call.posargs)
            model.commands.extend(c for c in commands if c.args)


def _toml_string_commands(
    model: ReleaseModel,
    src: SourceFile,
    doc: TomlDoc,
    path: tuple[str | int, ...],
    text: str,
    context: Context,
    env: dict[str, Value],
) -> list[ShellCommand]:
    """The commands of a TOML string (at ``path``): at their own places when the string
    is written as it reads, else each word at the whole value."""
    span = doc.string_span(path)
    if span is not None and (src.text or "")[span[0] : span[1]] == text:
        return commands_from_text(model, src, text, context, env, base=span[0])
    whole = doc.value_span(path) or (0, 0)

    def to_value(start: int, end: int, hint: int = 0) -> tuple[int, int]:
        return 0, whole[1] - whole[0]

    return commands_from_text(model, src, text, context, env, to_value, base=whole[0])


def _toml_loc(src: SourceFile, doc: TomlDoc, path: tuple[str | int, ...]) -> Loc:
    span = doc.value_span(path)
    return Loc(src, span[0], span[1]) if span else Loc(src, 0, 0)


def distinct(calls: Iterable[ScriptCall]) -> list[ScriptCall]:
    """The calls in order, each step with the same environment and arguments once
    (``make a b`` where ``b`` needs ``a``, a step that runs the task twice)."""
    out: list[ScriptCall] = []
    seen: set[tuple[int, int, int, tuple[tuple[str, str, int], ...], tuple[str, ...] | None]]
    seen = set()
    for call in calls:
        env = tuple(
            sorted(
                (k, v.text, v.loc.start if v.loc is not None else -1) for k, v in call.env.items()
            )
        )
        posargs = tuple(a.text for a in call.posargs) if call.posargs is not None else None
        key = (id(call.caller.step), id(call.caller.job), id(call.caller.gitlab_job), env, posargs)
        if key not in seen:
            seen.add(key)
            out.append(call)
    return out


def copy_context(origin: str, label: str, call: ScriptCall | None) -> Context:
    """The context of one copy of a script's or task's commands: the calling step's job
    and step, or (no caller) the script's or task's own."""
    if call is None:
        return Context(origin=origin, label=label)
    caller = call.caller
    return Context(origin, caller.job, caller.step, label, caller.gitlab_job)


def copies(calls: list[ScriptCall]) -> list[ScriptCall | None]:
    """What a task's commands are read for: each step that runs it, else None (once,
    in the task's own context)."""
    return [*calls] if calls else [None]


def ast_loc(src: SourceFile, node: ast.expr) -> Loc:
    """Where a Python expression node starts in ``src`` (to its end when on one line)."""
    line = node.lineno
    line_text = src.line_text(line)
    # col_offset counts UTF-8 bytes; convert to characters.
    col = len(line_text.encode("utf-8")[: node.col_offset].decode("utf-8", "replace"))
    start = src.line_starts[line - 1] + col if line - 1 < len(src.line_starts) else 0
    end = start
    if node.end_lineno == line and node.end_col_offset is not None:
        end_col = len(line_text.encode("utf-8")[: node.end_col_offset].decode("utf-8", "replace"))
        end = src.line_starts[line - 1] + end_col
    return Loc(src, start, end)


def _outermost_functions(tree: ast.Module) -> dict[int, str]:
    """``id(node)`` → name of the outermost function defining it, for every node inside a
    function (one walk, so a noxfile with many sessions stays linear)."""
    out: dict[int, str] = {}
    todo: list[tuple[ast.AST, str]] = [(tree, "")]
    while todo:
        node, name = todo.pop()
        if not name and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = node.name
        if name:
            out[id(node)] = name
        todo.extend((child, name) for child in ast.iter_child_nodes(node))
    return out
