"""The commands and ``set_env`` assignments of tox envs: tox.ini, the ``[tox:...]`` /
``[testenv...]`` sections of setup.cfg, tox.toml, ``[tool.tox]`` of pyproject.toml and its
``legacy_tox_ini`` string (:func:`legacy_tox_ini`, also read by the tox rules).

An env's commands are read once for every step that runs it, with what ``pass_env`` lets
through of that step's environment and the positional arguments it passes (``tox -e
release -- upload dist/*`` for ``{posargs}``), else once in a context of their own (the
``{posargs:DEFAULT}`` default).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shiplint.lazyre import LazyPattern
from shiplint.model import Arg, Loc, ShellCommand, Value
from shiplint.model.shellblocks import commands_from_text, identity
from shiplint.model.task_commands import copies, copy_context, distinct
from shiplint.model.tox_config import (
    env_reference,
    ini_disallowed,
    ini_passes,
    toml_disallowed,
    toml_passes,
)
from shiplint.parse.ini import parse_ini
from shiplint.pkg.tool_credentials import PassedEnv
from shiplint.source import SourceFile

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel, ScriptCall
    from shiplint.model.shellblocks import ToFile
    from shiplint.parse.ini import IniDoc
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.source import Pos


def tox_ini(
    model: ReleaseModel, src: SourceFile, ini: IniDoc, legacy: LegacyToxIni | None = None
) -> None:
    where = legacy.index if legacy is not None else src.index
    # a legacy_tox_ini string with escapes: every position is that of its key
    at_key = legacy.key if legacy is not None and legacy.body_start is None else None
    to_file = _spans_to(at_key) if at_key is not None else identity
    for name, section in ini.sections.items():
        if src.kind == "setup-cfg" and not name.startswith(("testenv", "tox:")):
            continue
        if not name.startswith("testenv") and name not in ("tox", "tox:tox"):
            continue
        env_name = name.split(":", 1)[1] if ":" in name else "(base)"
        calls = distinct(model.task_calls.get((f"tox:{src.rel}", env_name), []))
        passed = PassedEnv(*ini_passes(ini, env_name), ini_disallowed(ini, env_name))
        # a copy of the env's commands for each step that runs it (its job, and what
        # tox lets through), else one of their own
        for call in copies(calls):
            context = copy_context("tox", env_name, call)
            env: dict[str, Value] = {}
            if call is not None:
                env = {k: v for k, v in call.env.items() if passed(k)}
            for key in ("setenv", "set_env"):
                value = section.get(key)
                if value is None:
                    continue
                for line in value.lines:
                    var, eq, rest = line.text.partition("=")
                    if eq:
                        offset = where(line.pos) + len(var) + 1
                        stripped = rest.strip()
                        offset += len(rest) - len(rest.lstrip())
                        loc = at_key or Loc(src, offset, offset + len(stripped))
                        val = Value(stripped, loc)
                        env[var.strip()] = _from_tox_environ(env_reference(stripped), call, val)
                        model.assignments.append((var.strip(), val, context))
            for key in ("commands_pre", "commands", "commands_post", "install_command", "deps"):
                value = section.get(key)
                if value is None:
                    continue
                for line in value.lines:
                    text = line.text
                    if key == "deps" and not text.startswith("-"):
                        continue
                    if key == "deps":
                        text = "pip install " + text
                        base = where(line.pos) - len("pip install ")
                    else:
                        base = where(line.pos)
                    text = text.rstrip("\\")
                    line_to_file = to_file
                    if key != "deps":
                        text, substituted = with_posargs(text, call.posargs if call else None)
                        if at_key is None:
                            line_to_file = substituted
                    if at_key is not None:
                        base = at_key.start
                    model.commands.extend(
                        commands_from_text(model, src, text, context, env, line_to_file, base=base)
                    )


def tox_toml(model: ReleaseModel, src: SourceFile, doc: TomlDoc) -> None:
    """The tox envs of a tox.toml, or of ``[tool.tox]`` in a pyproject.toml (its
    ``legacy_tox_ini`` when it has one, which tox reads rather than the tables)."""
    data = doc.data
    prefix: tuple[str, ...] = ()
    tox: Any = data
    linked = True  # a step's `tox` run reads these envs
    if src.kind == "pyproject":
        tox = data.get("tool", {}).get("tox") if isinstance(data.get("tool"), dict) else None
        prefix = ("tool", "tox")
        legacy = legacy_tox_ini(src, doc)
        if legacy is not None:
            tox_ini(model, src, legacy.ini, legacy)
            # tox reads legacy_tox_ini rather than the TOML tables beside it
            linked = False
    if isinstance(tox, dict):
        envs: list[tuple[str, tuple[str, ...], Any]] = []
        if isinstance(tox.get("env_run_base"), dict):
            envs.append(("(base)", (*prefix, "env_run_base"), tox["env_run_base"]))
        if isinstance(tox.get("env"), dict):
            for name, conf in tox["env"].items():
                envs.append((name, (*prefix, "env", name), conf))
        for name, path, conf in envs:
            if isinstance(conf, dict):
                _tox_toml_env(model, src, doc, name, path, conf, tox, linked)


def _tox_toml_env(
    model: ReleaseModel,
    src: SourceFile,
    doc: TomlDoc,
    name: str,
    path: tuple[str, ...],
    conf: dict[str, Any],
    tox: dict[str, Any],
    linked: bool = True,
) -> None:
    set_env = conf.get("set_env")
    calls = model.task_calls.get((f"tox:{src.rel}", name), []) if linked else []
    passed = PassedEnv(*toml_passes(tox, name), toml_disallowed(tox, name))
    # a copy of the env's commands for each step that runs it (its job, and what tox
    # lets through), else one of their own
    for call in copies(distinct(calls)):
        context = copy_context("tox", name, call)
        env: dict[str, Value] = {}
        if call is not None:
            env = {k: v for k, v in call.env.items() if passed(k)}
        if isinstance(set_env, dict):
            for var, val in set_env.items():
                if isinstance(val, str):
                    span = doc.string_span((*path, "set_env", var))
                    loc = Loc(src, span[0], span[1]) if span else None
                    written = Value(val, loc)
                    env[var] = _from_tox_environ(env_reference(val), call, written)
                    if loc is not None:
                        model.assignments.append((var, written, context))
                elif call is not None and isinstance(val, dict):
                    # {replace = "env", name = "X"}: X of the environment tox runs in
                    ref = val.get("name") if val.get("replace") == "env" else None
                    if isinstance(ref, str) and ref in call.env:
                        env[var] = call.env[ref]
        for key in ("commands_pre", "commands", "commands_post"):
            commands = conf.get(key)
            if not isinstance(commands, list):
                continue
            for i, argv in enumerate(commands):
                posargs = call.posargs if call is not None else None
                if _is_posargs(argv):
                    # the whole command: the positional arguments, else the default
                    span = doc.value_span((*path, key, i))
                    loc = Loc(src, span[0], span[1]) if span else Loc(src, 0, 0)
                    argv = _posargs_words(argv, posargs, loc)
                if not isinstance(argv, list):
                    continue
                args: list[Arg] = []
                for j, word in enumerate(argv):
                    if isinstance(word, Arg):
                        args.append(word)
                        continue
                    span = doc.value_span((*path, key, i, j))
                    loc = Loc(src, span[0], span[1]) if span else Loc(src, 0, 0)
                    if _is_posargs(word):
                        args.extend(_posargs_words(word, posargs, loc))
                    elif isinstance(word, str):
                        if "{posargs" in word:  # one word: the arguments, shell-quoted
                            word, _ = with_posargs(word, posargs)
                        args.append(Arg(text=word, raw=word, loc=loc))
                if args:
                    model.commands.append(
                        ShellCommand(args=args, source=src, context=context, env=dict(env))
                    )


@dataclass(frozen=True)
class LegacyToxIni:
    """``legacy_tox_ini`` of ``[tool.tox]`` in a pyproject.toml, read as a tox.ini.

    ``text`` is the string as a file of its own (``ini`` positions are in it);
    ``body_start`` is where that text begins in pyproject.toml when it is written there
    verbatim (a literal string, or a basic one without escapes), else None and every
    position is that of the ``legacy_tox_ini`` key (``key``).
    """

    ini: IniDoc
    text: SourceFile
    body_start: int | None
    key: Loc

    def index(self, pos: Pos) -> int:
        """Offset in pyproject.toml of position ``pos`` of the string."""
        if self.body_start is None:
            return self.key.start
        return self.body_start + self.text.index(pos)


def legacy_tox_ini(src: SourceFile, doc: TomlDoc) -> LegacyToxIni | None:
    """The ``[tool.tox] legacy_tox_ini`` string of a pyproject.toml, parsed (None: absent)."""
    path = ("tool", "tox", "legacy_tox_ini")
    value = doc.get(path)
    if not isinstance(value, str):
        return None
    inner = SourceFile(src.path, src.rel, src.root, "tox-ini", value)
    ini, _problems = parse_ini(inner)
    span = doc.string_span(path)
    body_start = None
    if span is not None and (src.text or "")[span[0] : span[1]] == value:
        body_start = span[0]
    key_pos = doc.key_pos(path)
    key_start = src.index(key_pos) if key_pos is not None else 0
    key = Loc(src, key_start, key_start + len("legacy_tox_ini"))
    return LegacyToxIni(ini, inner, body_start, key)


#: ``{posargs}``, ``{posargs:DEFAULT}`` or ``[]`` in a tox.ini value (``\\{`` is literal)
_POSARGS = LazyPattern(r"(?<!\\)\{posargs(?::((?:[^{}]|\{[^{}]*\})*))?\}|(?<!\\)\[\]")


def with_posargs(text: str, posargs: tuple[Arg, ...] | None) -> tuple[str, ToFile]:
    """``text`` with tox 4's positional-argument substitutions made, and the map from
    its offsets back to ``text``'s (a word from a substitution sits on the whole
    ``{posargs...}``). With arguments (``tox ... -- ARGS``, even none) they replace it,
    each shell-quoted; without, the default after ``:`` (none for ``{posargs}`` and
    ``[]``). Source: tox-dev/tox 4.58.0 ``src/tox/config/loader/replacer.py``
    (``replace_pos_args``), ``src/tox/config/cli/parse.py`` (``--``),
    ``docs/reference/config.rst`` ("Substitutions for positional arguments")."""
    if "posargs" not in text and "[]" not in text:
        return text, identity
    quoted = " ".join(shlex.quote(a.text) for a in posargs) if posargs is not None else None
    # (start in the new text, start in the old one, old end when substituted, else -1)
    pieces: list[str] = []
    segments: list[tuple[int, int, int]] = []
    new = old = 0
    for m in _POSARGS.finditer(text):
        pieces.append(text[old : m.start()])
        segments.append((new, old, -1))
        new += m.start() - old
        replacement = quoted if quoted is not None else (m.group(1) or "")
        pieces.append(replacement)
        segments.append((new, m.start(), m.end()))
        new += len(replacement)
        old = m.end()
    pieces.append(text[old:])
    segments.append((new, old, -1))

    def to_file(start: int, end: int, hint: int = 0) -> tuple[int, int]:
        def back(at: int, is_end: bool) -> int:
            for seg_new, seg_old, seg_end in reversed(segments):
                if at > seg_new or (at == seg_new and not is_end):
                    if seg_end < 0:
                        return seg_old + at - seg_new
                    return seg_end if is_end else seg_old
            return at

        return back(start, False), back(end, True)

    return "".join(pieces), to_file


def _is_posargs(value: object) -> bool:
    return isinstance(value, dict) and value.get("replace") == "posargs"


def _posargs_words(value: Any, posargs: tuple[Arg, ...] | None, loc: Loc) -> list[Any]:
    """The words a TOML ``{replace = "posargs", default = [...]}`` gives: the positional
    arguments, else its default (tox 4.58.0 ``src/tox/config/loader/toml/_replace.py``)."""
    if posargs is not None:
        return list(posargs)
    default = value.get("default", [])
    if not isinstance(default, list):
        return []
    return [Arg(w, w, loc) for w in default if isinstance(w, str)]


def _from_tox_environ(name: str | None, call: ScriptCall | None, written: Value) -> Value:
    """A ``set_env`` value: ``{env:NAME}`` is NAME of the environment tox was started in
    (the calling step's, whatever ``pass_env`` says), else the value as written."""
    if name is not None and call is not None:
        got = call.env.get(name)
        if got is not None:
            return got
    return written


def _spans_to(loc: Loc) -> ToFile:
    """A ``to_file`` mapping every span of a text to ``loc`` (given ``base=loc.start``)."""
    span = (0, loc.end - loc.start)

    def to_file(start: int, end: int, hint: int = 0) -> tuple[int, int]:
        return span

    return to_file
