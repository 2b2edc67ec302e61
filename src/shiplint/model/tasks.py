"""Task links: what a ``make``, ``tox``, ``nox`` or ``pixi`` command line of a workflow step
runs.

A step that runs ``make release``, ``tox -e release``, ``nox -s release`` or ``pixi run
release`` runs a task of a file shiplint read (a Makefile target, a tox env, a nox
session, a pixi task: :mod:`shiplint.model.pixi_manifest`); the release model gives
the task's commands that step's job and environment. This module holds the pure reading
behind those links, never the model building itself:

- which word of a command line is the task runner (``python -m tox``, ``uvx nox`` ...);
- the folder a ``run:`` step starts in (``working-directory``, ``defaults: run:``), and the
  shell builtins after which it may be another one (``cd``, ``pushd``, ``popd``);
- the options of ``make`` (``-C``, ``-f``, targets; ``-n``/``-q``/``-t`` run no recipe),
  ``tox`` (``-c``; subcommands and options that run no env's commands) and ``nox`` (``-f``,
  ``-s`` sessions; ``-l`` runs none);
- which file each runner reads in a folder (Makefile names; tox's configuration files in
  the order tox 4 tries them);
- the targets a Makefile target needs (prerequisites, followed transitively) and the nox
  session functions a session name runs (parametrized sessions included).

Links are made only where the runner certainly reads the file shiplint read: a command
that may run in another folder or on another file is not linked.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from typing import TYPE_CHECKING, NamedTuple

from shiplint.lazyre import LazyPattern
from shiplint.model.pixi_manifest import (
    manifest_rel,
    pixi_run,
    pixi_table,
    task_definitions,
    tasks_run,
)
from shiplint.model.tox_config import run_env_names
from shiplint.model.workflows import run_setting
from shiplint.pkg.upload_commands import program_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    from shiplint.model import Arg, ScriptCall, ShellCommand, Step, Value
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: programs that run a named task of a file in the repository: a Makefile target, a tox
#: env, a nox session, a pixi task
_TASK_RUNNERS = {"make": "make", "gmake": "make", "tox": "tox", "nox": "nox", "pixi": "pixi"}
#: words that run the next one: ``python -m tox``, ``uvx tox``, ``pipx run nox`` ...
_TASK_WRAPPERS = {"uvx", "pipx", "uv", "hatch", "pdm", "poetry", "sudo", "env", "time"}
_MAKEFILE_NAMES = ("GNUmakefile", "makefile", "Makefile")
_MAKE_OPTIONS_WITH_VALUE = {
    "-C": "dir",
    "--directory": "dir",
    "-f": "file",
    "--file": "file",
    "--makefile": "file",
    "-I": "",
    "--include-dir": "",
    "-o": "",
    "--old-file": "",
    "-W": "",
    "--what-if": "",
    "--new-file": "",
    "--assume-new": "",
    "--assume-old": "",
    "--eval": "",
}
#: short options of ``make`` that take a value (attached, or the next word)
_MAKE_SHORT_WITH_VALUE = {"C": "dir", "f": "file", "I": "", "o": "", "W": "", "E": ""}
#: ``make`` options after which no recipe runs: dry run, question, touch, help, version
#: (``-p`` prints the data base and then runs as usual)
_MAKE_NO_RUN = {
    "-n",
    "--just-print",
    "--dry-run",
    "--recon",
    "-q",
    "--question",
    "-t",
    "--touch",
    "-h",
    "--help",
    "-v",
    "--version",
}
_MAKE_NO_RUN_LETTERS = "nqthv"
#: ``tox`` words after which no env's commands run
_TOX_NO_RUN = {
    "-h",
    "--help",
    "--version",
    "-l",
    "-a",
    "--listenvs",
    "--listenvs-all",
    "--showconfig",
    "-n",
    "--notest",
}
#: tox 4 subcommands that do not run the envs' commands (``exec`` runs another command)
_TOX_NO_RUN_COMMANDS = {
    "list",
    "l",
    "config",
    "c",
    "depends",
    "de",
    "quickstart",
    "q",
    "exec",
    "e",
    "devenv",
    "d",
    "schema",
}
_TOX_OPTIONS_WITH_VALUE = {
    "-e",
    "--env",
    "-m",
    "--labels",
    "-f",
    "--factors",
    "-x",
    "--override",
    "-i",
    "--index-url",
    "--workdir",
    "--root",
    "--installpkg",
    "--hashseed",
    "--result-json",
    "--discover",
    "--runner",
    "-p",
    "--parallel",
}
#: tox 4 reads the first of these (in the folder it starts in) that configures it
_TOX_CONFIG_NAMES = ("tox.ini", "setup.cfg", "pyproject.toml", "tox.toml")
_TOX_CONFIG_KINDS = {"tox-ini", "setup-cfg", "pyproject", "tox-toml"}
_NOX_NO_RUN = {"-l", "--list", "--list-sessions", "-h", "--help", "--version"}
#: what follows a session name in the name of one of its parametrized sessions
_NOX_PARAMETRIZED = LazyPattern(r"(?:-(?:\d[\w.]*|pypy[\w.-]*))?(?:\(.*\))?")
#: shell builtins that change the folder later commands of the block run in
DIR_CHANGERS = {"cd", "pushd", "popd"}
#: a Makefile variable assignment (``NAME = value``, ``:=``, ``::=``, ``:::=``, ``?=``)
MAKE_ASSIGN = LazyPattern(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::{1,3}=|\?=|=)\s*(.*)$")


class TaskLink(NamedTuple):
    """The tasks a command runs (:func:`task_keys`): keys of ``ReleaseModel.task_calls``,
    the task runner's word, the positional arguments it passes (tox's after ``--``,
    pixi's after the task name; None: none) and how many of the keys, from the first,
    receive them (the tasks named; not the pixi tasks they depend on)."""

    keys: list[tuple[str, str]]
    word: Arg
    posargs: tuple[Arg, ...] | None
    named: int


def task_keys(
    project: Project, cmd: ShellCommand, workdir: str, env: Mapping[str, Value]
) -> TaskLink | None:
    """The tasks a command started in folder ``workdir`` certainly runs, as keys of
    ``ReleaseModel.task_calls`` (``("make:Makefile", "release")``, ``("tox:tox.ini",
    "release")``, ``("nox:noxfile.py", "publish")``, ``("pixi:pixi.toml", "tasks
    release")``: the path of the task's table), with the task runner's word; None when it
    runs no task of a file shiplint read (``env``: the step's environment, for
    ``TOXENV``).

    ``make -n``, ``tox -c other.ini``, ``nox -f sub/noxfile.py``, a task file of another
    folder are left alone; ``pixi run PROGRAM`` (no such task) is read as the command it
    runs (``pixi run tox -e release``)."""
    return _task_keys(project, cmd.args, workdir, {**env, **cmd.env})


def _task_keys(
    project: Project, args: list[Arg], workdir: str, env: Mapping[str, Value]
) -> TaskLink | None:
    found = task_runner(args)
    if found is None:
        return None
    kind, i = found
    rest = args[i + 1 :]
    keys: list[tuple[str, str]] = []
    posargs: tuple[Arg, ...] | None = None
    named = 0
    if kind == "make":
        parsed = make_invocation(rest)
        if parsed is None:
            return None
        directory, makefile, targets = parsed
        rel = makefile_rel(project, normalise(f"{workdir}/{directory}"), makefile)
        if rel is None:
            return None
        keys = [(f"make:{rel}", target) for target in targets or [""]]
    elif kind == "tox":
        runs, config = tox_invocation(rest)
        rel = tox_config_rel(project, workdir, config) if runs else None
        if rel is None:
            return None
        names = run_env_names(rest, env)
        keys = [(f"tox:{rel}", name) for name in names if "$" not in name]
        dashes = next((j for j, arg in enumerate(rest) if arg.text == "--"), None)
        if dashes is not None:
            posargs = tuple(rest[dashes + 1 :])
        named = len(keys)
    elif kind == "pixi":
        return _pixi_keys(project, args, i, workdir, env)
    else:
        runs, noxfile, names = nox_invocation(rest)
        rel = normalise(f"{workdir}/{noxfile or 'noxfile.py'}")
        known = project.by_rel.get(rel)
        if not runs or known is None or known.kind != "noxfile":
            return None
        keys = [(f"nox:{rel}", name) for name in names]
    return TaskLink(keys, args[i], posargs, named)


def _pixi_keys(
    project: Project, args: list[Arg], i: int, workdir: str, env: Mapping[str, Value]
) -> TaskLink | None:
    """The pixi tasks ``pixi run NAME`` runs (the named task first, then those it
    depends on), or, when NAME is no task, the tasks of the command it runs."""
    rest = args[i + 1 :]
    run = pixi_run(rest)
    rel = manifest_rel(project, workdir, run.manifest) if run is not None else None
    src = project.by_rel.get(rel) if rel is not None else None
    doc = project.toml(src) if src is not None else None
    table = pixi_table(src, doc) if src is not None and doc is not None else None
    if run is None or table is None:
        # `pixi run tox -e release` where no pixi task is known: the words after `run`
        return _task_keys(project, rest, workdir, env)
    name = rest[run.task_at].text
    prefix = ("tool", "pixi") if src is not None and src.kind == "pyproject" else ()
    definitions = task_definitions(table, prefix)
    found = tasks_run(definitions, table, name, run.environment, run.skip_deps)
    if not found:
        # not a task: a program pixi runs in the environment
        return _task_keys(project, rest[run.task_at :], workdir, env)
    keys = [(f"pixi:{rel}", " ".join(d.path)) for d in found]
    named = sum(1 for d in found if d.path[-1] == name)
    words = tuple(a for a in rest[run.task_at + 1 :] if a.text != "--")
    return TaskLink(keys, args[i], words or None, named)


def tox_config_rel(project: Project, workdir: str, config: str | None) -> str | None:
    """The configuration file tox reads when started in ``workdir`` (``-c``: a file, or
    a folder to look in), when shiplint read it: tox 4 takes the first of tox.ini,
    setup.cfg with ``[tox:tox]``, pyproject.toml with ``[tool.tox]``, tox.toml. None
    when that file is not one shiplint read, or tox would look in a parent folder."""
    by_rel = project.by_rel
    if config is not None:
        rel = normalise(f"{workdir}/{config}")
        known = by_rel.get(rel)
        if known is not None:
            return rel if known.kind in _TOX_CONFIG_KINDS and has_tox(project, known) else None
        directory = rel
    else:
        directory = normalise(workdir)
    if directory.startswith("../"):
        return None
    prefix = directory + "/" if directory else ""
    for name in _TOX_CONFIG_NAMES:
        src = by_rel.get(prefix + name)
        if src is not None and has_tox(project, src):
            return src.rel
    return None


def has_tox(project: Project, src: SourceFile) -> bool:
    """Whether tox takes its configuration from this file (tox.ini and tox.toml always;
    setup.cfg with a ``[tox:tox]`` section; pyproject.toml with ``[tool.tox]``)."""
    if src.kind in ("tox-ini", "tox-toml"):
        return True
    if src.kind == "setup-cfg":
        ini = project.ini(src)
        return ini is not None and "tox:tox" in ini.sections
    if src.kind == "pyproject":
        doc = project.toml(src)
        tool = doc.data.get("tool") if doc is not None else None
        return isinstance(tool, dict) and isinstance(tool.get("tox"), dict)
    return False


def makefile_rel(project: Project, directory: str, makefile: str | None) -> str | None:
    """The Makefile ``make`` reads in ``directory`` (``-f`` or the default names)."""
    prefix = directory + "/" if directory else ""
    if makefile is not None:
        return normalise(prefix + makefile)
    for name in _MAKEFILE_NAMES:
        if prefix + name in project.by_rel:
            return prefix + name
    return None


def task_runner(args: list[Arg]) -> tuple[str, int] | None:
    """``("make"|"tox"|"nox", index of the program word)`` when the command runs one."""
    for i, arg in enumerate(args[:6]):
        kind = _TASK_RUNNERS.get(program_name(arg.text))
        if kind is None:
            continue
        first = program_name(args[0].text)
        if i == 0 or args[i - 1].text in ("-m", "run") or first in _TASK_WRAPPERS:
            return kind, i
        return None
    return None


def task_dir(step: Step) -> str | None:
    """The folder a ``run:`` step starts in, relative to the workspace ("" for its root;
    None when it cannot be known): its ``working-directory``, else the job's or the
    workflow's ``defaults: run:``."""
    setting = run_setting(step, "working-directory")
    if setting is None:
        return ""
    value = setting.value.strip().strip("'\"")
    for prefix in ("${{ github.workspace }}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"):
        if value.startswith(prefix):
            value = "." + value[len(prefix) :]
    if "$" in value or value.startswith(("/", "~", "\\")):
        return None
    rel = normalise(value.replace("\\", "/"))
    return None if rel.startswith("../") else rel


def make_invocation(rest: list[Arg]) -> tuple[str, str | None, list[str]] | None:
    """``make [options] [VAR=value ...] [targets]`` → (directory, makefile, targets);
    None when a target is not known (a variable) or no recipe runs (``-n``, ``-q``,
    ``-t``, ``--help``, ``--version``)."""
    directory = ""
    makefile: str | None = None
    targets: list[str] = []
    i = 0

    def value_of(role: str, value: str) -> None:
        nonlocal directory, makefile
        if role == "dir":
            directory = f"{directory}/{value}" if directory else value
        elif role == "file":
            makefile = value

    while i < len(rest):
        text = rest[i].text
        name, eq, value = text.partition("=")
        following = rest[i + 1].text if i + 1 < len(rest) else ""
        if text in _MAKE_NO_RUN:
            return None
        if text in _MAKE_OPTIONS_WITH_VALUE or (eq and name in _MAKE_OPTIONS_WITH_VALUE):
            if not eq:
                value = following
                i += 1
            value_of(_MAKE_OPTIONS_WITH_VALUE[name if eq else text], value)
        elif text.startswith("-") and not text.startswith("--") and len(text) > 1:
            # a word of short options: `-kn`, `-sj4`, `-Cdocs`, `-j 4`
            for j, letter in enumerate(text[1:], start=1):
                if letter in _MAKE_NO_RUN_LETTERS:
                    return None
                if letter in _MAKE_SHORT_WITH_VALUE:
                    attached = text[j + 1 :]
                    if not attached:
                        attached = following
                        i += 1
                    value_of(_MAKE_SHORT_WITH_VALUE[letter], attached)
                    break
                if letter in "jlO":  # an optional number, attached or the next word
                    if j == len(text) - 1 and following.isdigit():
                        i += 1
                    break
        elif text in ("--jobs", "--load-average", "--max-load") and following.isdigit():
            i += 1
        elif text.startswith("-") or eq:
            pass  # a long flag, or a variable override
        elif "$" in text:
            return None
        else:
            targets.append(text)
        i += 1
    if "$" in directory or (makefile is not None and "$" in makefile):
        return None
    return directory, makefile, targets


def tox_invocation(rest: list[Arg]) -> tuple[bool, str | None]:
    """``(whether the envs' commands run, the -c configuration or None)`` of the words
    after ``tox``: listing, showing the configuration, ``exec`` (another command) or
    ``--notest`` run none; a ``-c`` that holds a variable is not known (no run)."""
    config: str | None = None
    skip = False
    for i, arg in enumerate(rest):
        text = arg.text
        if skip:
            skip = False
            continue
        if text in _TOX_NO_RUN:
            return False, None
        if text in ("-c", "--conf", "--configfile"):
            config = rest[i + 1].text if i + 1 < len(rest) else ""
            skip = True
        elif text.startswith(("--conf=", "--configfile=")):
            config = text.split("=", 1)[1]
        elif text.startswith("-c") and len(text) > 2 and not text.startswith("--"):
            config = text[2:]
        elif text in _TOX_OPTIONS_WITH_VALUE:
            skip = True
        elif not text.startswith("-") and text in _TOX_NO_RUN_COMMANDS:
            return False, None
        elif text == "--":
            break
    if config is not None and (not config or "$" in config):
        return False, None
    return True, config


def nox_invocation(rest: list[Arg]) -> tuple[bool, str | None, list[str]]:
    """``(whether sessions run, the -f noxfile or None, session names)`` of the words
    after ``nox``: the sessions ``-s a b`` (``--session``, ``--sessions``, ``-e``) names.
    Sessions picked by ``-t``/``--tags`` or ``-k``/``--keywords`` are not named (not
    linked); ``-l``, ``--help``, ``--version`` run none."""
    names: list[str] = []
    noxfile: str | None = None
    taking = False
    skip = False
    for i, arg in enumerate(rest):
        text = arg.text
        if skip:
            skip = False
            continue
        if text in _NOX_NO_RUN:
            return False, None, []
        if text in ("-f", "--noxfile"):
            noxfile = rest[i + 1].text if i + 1 < len(rest) else ""
            skip = True
            taking = False
            continue
        if text.startswith("--noxfile="):
            noxfile = text.split("=", 1)[1]
            taking = False
            continue
        if text.startswith("-f") and len(text) > 2:  # -fFILE, as argparse reads it
            noxfile = text[2:]
            taking = False
            continue
        if text in ("-s", "-e", "--session", "--sessions"):
            taking = True
            continue
        if text.startswith(("--session=", "--sessions=")):
            names.append(text.split("=", 1)[1])
            taking = True
            continue
        if text == "--":
            break
        if text.startswith("-"):
            taking = False
            continue
        if taking:
            names.append(text)
    if noxfile is not None and (not noxfile or "$" in noxfile):
        return False, None, []
    return True, noxfile, [n.strip("\"'") for n in names if n and "$" not in n]


def nox_session_runs(called: str, name: str) -> bool:
    """Whether ``nox -s called`` runs session ``name`` (a function name, or the
    ``name=`` of its decorator): the same name, or one of its parametrized sessions
    (``name-3.12``, ``name-pypy3.10``, ``name(django='5.0')``, ``name-3.12(x=1)``)."""
    if called == name:
        return True
    if not called.startswith(name):
        return False
    return _NOX_PARAMETRIZED.fullmatch(called[len(name) :]) is not None


def make_targets_reached(
    task_calls: Mapping[tuple[str, str], list[ScriptCall]], src: SourceFile
) -> dict[str, list[ScriptCall]]:
    """The targets of Makefile ``src`` workflow steps run, directly or as a (transitive)
    prerequisite, with every step that does (``task_calls``: the model's)."""
    calls = [
        (target, call)
        for (kind, target), found in task_calls.items()
        if kind == f"make:{src.rel}"
        for call in found
    ]
    if not calls:
        return {}
    prerequisites: dict[str, list[str]] = {}
    default = ""
    for line in (src.text or "").splitlines():
        if not line or line.startswith(("\t", "#", " ")) or MAKE_ASSIGN.match(line):
            continue
        head, colon, tail = line.partition(":")
        if not colon or tail.startswith("="):
            continue
        names = head.split()
        needs = [p for p in re.split(r"[\s|]+", tail.split(";", 1)[0].lstrip(":")) if p]
        for name in names:
            prerequisites.setdefault(name, []).extend(needs)
            if not default and not name.startswith(".") and "%" not in name:
                default = name
    reached: dict[str, list[ScriptCall]] = {}
    seen: set[tuple[str, int]] = set()
    todo = deque((target or default, call) for target, call in calls)
    while todo:
        target, call = todo.popleft()
        if not target or (target, id(call)) in seen:
            continue
        seen.add((target, id(call)))
        reached.setdefault(target, []).append(call)
        todo.extend((need, call) for need in prerequisites.get(target, []))
    return reached


def nox_callers(
    task_calls: Mapping[tuple[str, str], list[ScriptCall]], src: SourceFile, tree: ast.Module
) -> dict[str, list[ScriptCall]]:
    """Session functions of noxfile ``src`` workflow steps run (``nox -s NAME``), with
    every such step, in order (``task_calls``: the model's; a step may come twice).

    A session is named after its function, or by ``@nox.session(name=...)`` (exactly:
    ``publish-pypi`` does not run ``publish_pypi``); a parametrized one is also run as
    ``NAME-3.12`` or ``NAME(x=1)``.
    """
    calls = [
        (name, found)
        for (kind, name), found in task_calls.items()
        if kind == f"nox:{src.rel}" and found
    ]
    if not calls:
        return {}
    out: dict[str, list[ScriptCall]] = {}
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        name = node.name
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call):
                for kw in deco.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                        name = str(kw.value.value)
        runs = [c for called, found in calls if nox_session_runs(called, name) for c in found]
        if runs:
            out[node.name] = out.get(node.name, []) + runs
    return out


def normalise(rel: str) -> str:
    """A relative path without ``.``, empty parts and ``x/..`` (``"../"`` when it leaves
    the root)."""
    parts: list[str] = []
    for part in rel.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                return "../"
            continue
        parts.append(part)
    return "/".join(parts)
