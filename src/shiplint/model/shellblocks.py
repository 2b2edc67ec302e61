"""Shell text (run steps, scripts, tox/Makefile commands) → ShellCommand objects.

Variables are followed within one block: ``ORG="x"`` … ``-u ${ORG}`` expands to ``x`` and
remembers where ``x`` was written. The environment of the step, job and workflow (and of a
calling step, for scripts) seeds the variables; ``${{ env.X }}`` is resolved the same way.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Callable

from shiplint.lazyre import LazyPattern
from shiplint.model import Arg, Loc, ShellCommand, Value
from shiplint.parse.dialects import parse_commands
from shiplint.parse.shell_expand import expand

if TYPE_CHECKING:
    from shiplint.model import Context, ReleaseModel
    from shiplint.parse.shell import Command
    from shiplint.source import SourceFile

ToFile = Callable[[int, int, int], "tuple[int, int]"]

ENV_EXPR = LazyPattern(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECRET_EXPR = LazyPattern(
    r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])"
)
_VARS_EXPR = LazyPattern(r"\bvars\.([A-Za-z_][A-Za-z0-9_]*)")
#: a full 40-hex commit SHA, as used to pin actions
SHA_RE = LazyPattern(r"^[0-9a-fA-F]{40}$")
#: variable names that carry an Anaconda org / user / channel
ORG_VAR_RE = LazyPattern(r"ORG|USER|CHANNEL|OWNER|ORGANI[SZ]ATION", re.IGNORECASE)
_SINGLE_VAR = LazyPattern(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


def identity(start: int, end: int, hint: int = 0) -> tuple[int, int]:
    return start, end


def secret_names(text: str) -> list[str]:
    """Names in ``${{ secrets.X }}`` / ``secrets['X']`` expressions within ``text``."""
    return [a or b for a, b in _SECRET_EXPR.findall(text)]


def vars_names(text: str) -> list[str]:
    return _VARS_EXPR.findall(text)


def single_var(text: str) -> str | None:
    """``X`` when ``text`` is exactly ``$X`` or ``${X}``."""
    match = _SINGLE_VAR.match(text)
    return (match.group(1) or match.group(2)) if match else None


def commands_from_text(
    model: ReleaseModel,
    src: SourceFile,
    text: str,
    context: Context,
    env: dict[str, Value],
    to_file: ToFile = identity,
    base: int = 0,
    dialect: str | None = None,
) -> list[ShellCommand]:
    """Tokenize ``text`` (whose offset 0 is ``base`` after ``to_file``) into commands,
    read as ``dialect`` (``sh``, ``cmd`` or ``pwsh``: :mod:`shiplint.parse.dialects`;
    Windows variable names are matched without regard to case). Without one, a workflow
    or composite-action step's ``run:`` is read in the shell the step runs
    (:func:`shiplint.model.shell_dialects.step_dialect`), any other text as POSIX shell."""
    if dialect is None:
        dialect = "sh"
        step = context.step
        if step is not None and context.origin in ("workflow", "action"):
            from shiplint.model.shell_dialects import step_dialect

            dialect = step_dialect(step)
    variables: dict[str, Value] = dict(env)
    out: list[ShellCommand] = []
    hint = 0
    fold = dialect != "sh"

    def lookup(name: str) -> str | None:
        got = variables.get(name)
        if got is None and fold:
            upper = name.upper()
            got = next((v for k, v in variables.items() if k.upper() == upper), None)
        return got.text if got is not None else None

    def value_of(raw: str) -> str:
        if "${{" in raw:
            raw = ENV_EXPR.sub(lambda m: lookup(m.group(1)) or m.group(0), raw)
        if "$" in raw:
            return expand(raw, lookup)
        return raw

    source_text = src.text or ""
    text_end = len(source_text)

    def loc_of(start: int, end: int, unquoted: str) -> Loc:
        """Where a word (or value) was written; a span written in quotes whose inside is
        the unquoted text is narrowed to the inside."""
        nonlocal hint
        file_start, file_end = to_file(start, end, hint)
        hint = file_end
        file_start += base
        file_end += base
        stop = file_end if file_end < text_end else text_end
        if (
            stop - file_start >= 2
            and (quote := source_text[file_start]) in "\"'"
            and source_text[stop - 1] == quote
            and source_text[file_start + 1 : stop - 1] == unquoted
        ):
            return Loc(src, file_start + 1, file_end - 1)
        return Loc(src, file_start, file_end)

    #: the environment of commands without assignments of their own, shared until
    #: ``variables`` changes (no consumer mutates a command's env)
    shared_env: dict[str, Value] | None = None
    for cmd in _parsed(text, dialect):
        assigned: dict[str, Value] = {}
        for name, word in cmd.assigns:
            value = Value(value_of(word.text), loc_of(word.start, word.end, word.text))
            origin = _origin(word.text, variables)
            assigned[name] = origin if origin is not None and origin.text == value.text else value
            if "$" not in word.text and "${{" not in word.text and word.text:
                model.assignments.append((name, value, context))
        if not cmd.words:
            if assigned:
                variables.update(assigned)
                shared_env = None
            continue
        args: list[Arg] = []
        for word in cmd.words:
            raw = word.text
            loc = loc_of(word.start, word.end, raw)
            if "$" in raw:
                args.append(Arg(value_of(raw), raw, loc, _origin(raw, variables)))
            else:  # nothing to expand, no variable it comes from
                args.append(Arg(raw, raw, loc))
        if assigned:
            command_env = {**variables, **assigned}
        else:
            if shared_env is None:
                shared_env = dict(variables)
            command_env = shared_env
        out.append(ShellCommand(args=args, source=src, context=context, env=command_env))
    return out


@functools.lru_cache(maxsize=512)
def _parsed(text: str, dialect: str) -> tuple[Command, ...]:
    """:func:`~shiplint.parse.dialects.parse_commands`, once per text: a tox env or make
    target is read once for each step that runs it, and many steps share their text (the
    commands are only read)."""
    return tuple(parse_commands(text, dialect))


def _origin(raw: str, variables: dict[str, Value]) -> Value | None:
    if "$" not in raw:  # both forms below start with a `$`
        return None
    name = single_var(raw.strip('"'))
    if name is None:
        match = ENV_EXPR.fullmatch(raw.strip())
        name = match.group(1) if match else None
    return variables.get(name) if name else None
