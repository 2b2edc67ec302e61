"""Shell variable expansion in word texts: :func:`expand` substitutes ``$NAME``,
``${NAME}`` and ``${NAME:-default}`` using a lookup (callers follow simple assignments);
:func:`variable_refs` lists the variable names a word refers to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern

if TYPE_CHECKING:
    from collections.abc import Callable

_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = LazyPattern(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?\Z", re.DOTALL)
_REF = LazyPattern(r"\$(?:\$|\{\{|\{[#!]?([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
_UNQUOTE = LazyPattern(r"'([^']*)'|\"((?:[^\"\\]|\\.)*)\"|\\(.)", re.DOTALL)
_DQ_ESCAPE = LazyPattern(r"\\([\\\"$`])")
_MAX_DEPTH = 16


def _brace_close(text: str, i: int) -> int:
    """Index of the ``}`` closing a ``${`` whose body starts at ``i`` (-1 if none)."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _unquote_repl(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group(1)
    if m.group(2) is not None:
        return _DQ_ESCAPE.sub(r"\1", m.group(2))
    return m.group(3)


#: an expansion may make a word at most this many characters longer than its text: values
#: that would grow it further stay unexpanded (``A="$B$B"; B="$A$A" ...`` doubles each time)
MAX_EXPANSION_GROWTH = 65_536


def _expand(text: str, lookup: Callable[[str], str | None], depth: int) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    room = MAX_EXPANSION_GROWTH  # what substituted values may still add
    while True:
        j = text.find("$", i)
        if j < 0 or j + 1 >= n:
            out.append(text[i:])
            break
        out.append(text[i:j])
        c = text[j + 1]
        if c == "$":
            out.append("$$")
            i = j + 2
            continue
        if c == "{":
            if text.startswith("{", j + 2):
                k = text.find("}}", j + 3)
                if k >= 0:
                    out.append(text[j : k + 2])
                    i = k + 2
                    continue
            k = _brace_close(text, j + 2)
            if k < 0:
                out.append(text[j:])
                break
            repl: str | None = None
            m = _PARAM.match(text, j + 2, k)
            if m is not None:
                name, op, word = m.groups()
                value = lookup(name)
                if value is not None:
                    if op is None or op in ("-", "=", "?", ":?"):
                        repl = value
                    elif op in (":-", ":="):
                        repl = value or _default(word, lookup, depth)
                    elif op == ":+":
                        repl = _default(word, lookup, depth) if value else ""
                    elif op == "+":
                        repl = _default(word, lookup, depth)
            written = text[j : k + 1]
            if repl is None or len(repl) - len(written) > room:
                out.append(written)
            else:
                out.append(repl)
                room -= len(repl) - len(written)
            i = k + 1
            continue
        m = _NAME.match(text, j + 1)
        if m is None:
            out.append("$")
            i = j + 1
            continue
        value = lookup(m.group())
        written = text[j : m.end()]
        if value is None or len(value) - len(written) > room:
            out.append(written)
        else:
            out.append(value)
            room -= len(value) - len(written)
        i = m.end()
    return "".join(out)


def _default(word: str, lookup: Callable[[str], str | None], depth: int) -> str:
    word = _UNQUOTE.sub(_unquote_repl, word)
    if depth >= _MAX_DEPTH:
        return word
    return _expand(word, lookup, depth + 1)


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """Substitute ``$NAME``, ``${NAME}`` and ``${NAME:-default}`` (also ``-``, ``:=``, ``=``,
    ``:+``, ``+``, ``:?``, ``?``) in a word text using ``lookup``.

    A name for which ``lookup`` returns ``None`` is unknown and left as written (with its
    whole ``${...}``, default included); return ``""`` for a name known to be empty or
    unset. ``$$``, ``$(...)``, ``${{ ... }}``, special parameters and other expansions
    (``${#A}``, ``${A%x}`` ...) are left as written, and so are values that would make the
    result more than :data:`MAX_EXPANSION_GROWTH` characters longer than ``text``.
    """
    return _expand(text, lookup, 0)


def variable_refs(text: str) -> list[str]:
    """Names referenced by ``$NAME`` / ``${NAME...}`` in a word text, in order, unique.

    ``$$`` and GitHub expressions ``${{ ... }}`` are not references.
    """
    seen: dict[str, None] = {}
    for m in _REF.finditer(text):
        name = m.group(1) or m.group(2)
        if name:
            seen.setdefault(name, None)
    return list(seen)
