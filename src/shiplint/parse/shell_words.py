"""One shell word: its text after quote removal and its exact offsets.

:func:`read_word` scans a word from an offset (quotes, backslash escapes, ANSI-C
``$'...'``, ``$NAME``, ``${...}``, ``$(...)``, backticks and ``${{ ... }}`` kept as written);
:func:`skip_nested` skips nested shell text (substitutions, quotes, comments) to its
closer. :mod:`shiplint.parse.shell` builds commands from these words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from shiplint.lazyre import LazyPattern


class Word(NamedTuple):
    """One shell word.

    ``text`` is the word after quote removal (escapes resolved; ``$VAR``, ``${VAR}``,
    ``$(...)``, backticks and ``${{ ... }}`` kept as written). ``start``/``end`` are
    offsets into the script text (quotes included). ``quoted`` is true when any part
    was quoted or backslash-escaped; an unquoted word's text equals
    ``script[start:end]`` unless it spans a line continuation.
    """

    text: str
    start: int
    end: int
    quoted: bool


# Separators of words; inside ``[[ ... ]]`` only blanks and ``;`` separate words
# (``&&``, ``<``, ``(`` are operators of the conditional expression, kept as words).
META = frozenset(" \t\r\n;&|()<>")
_DB_META = frozenset(" \t\r\n;")
_PLAIN = LazyPattern(r"[^ \t\r\n;&|()<>'\"\\$`]+")
_DB_PLAIN = LazyPattern(r"[^ \t\r\n;'\"\\$`]+")
_DQ_PLAIN = LazyPattern(r'[^"\\$`]+')
_BQ_PLAIN = LazyPattern(r"[^`\\]+")
_CODE_PLAIN = LazyPattern(r"[^(){}'\"\\`$#]+")
ASSIGN = LazyPattern(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")
_ANSI_BODY = LazyPattern(r"[^'\\]*(?:\\.[^'\\]*)*", re.DOTALL)
_ANSI_ESC = LazyPattern(
    r"\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|c.|.)", re.DOTALL
)
_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def _ansi_repl(m: re.Match[str]) -> str:
    s = m.group()
    c = s[1] if len(s) > 1 else ""
    simple = _ANSI_SIMPLE.get(c)
    if simple is not None:
        return simple
    code = -1
    if "0" <= c <= "7":
        code = int(s[1:], 8)
    elif c in "xuU" and len(s) > 2:
        code = int(s[2:], 16)
    elif c == "c" and len(s) > 2:
        code = ord(s[2]) & 0x1F
    if 0 <= code <= 0x10FFFF:
        return chr(code)
    return s


def read_word(text: str, i: int, db: bool) -> tuple[Word, int]:
    """Read one word starting at ``i``; return it and the index where scanning stopped."""
    n = len(text)
    start = i
    buf: list[str] = []
    quoted = False
    end = i
    plain = _DB_PLAIN if db else _PLAIN
    metas = _DB_META if db else META
    if not db:
        m = ASSIGN.match(text, i)
        if m is not None and text.startswith("(", m.end()):
            # array value `A=(x y)`: kept literally
            k = skip_nested(text, m.end() + 1, ")")
            buf.append(text[i:k])
            i = end = k
    while i < n:
        c = text[i]
        if c in metas:
            break
        if c == "'":
            k = text.find("'", i + 1)
            if k < 0:
                k = n
            buf.append(text[i + 1 : k])
            i = min(k + 1, n)
            quoted = True
        elif c == '"':
            i = _dquote(text, i + 1, buf)
            quoted = True
        elif c == "\\":
            if text.startswith("\n", i + 1):
                i += 2
                continue
            if text.startswith("\r\n", i + 1):
                i += 3
                continue
            if i + 1 < n:
                buf.append(text[i + 1])
                i += 2
                quoted = True
            else:
                buf.append("\\")
                i += 1
        elif c == "$":
            i, q = _dollar(text, i, buf, False)
            if q:
                quoted = True
        elif c == "`":
            k = skip_nested(text, i + 1, "`")
            buf.append(text[i:k])
            i = k
        else:
            m = plain.match(text, i)
            if m is None:
                buf.append(c)
                i += 1
            else:
                buf.append(m.group())
                i = m.end()
        end = i
    return Word("".join(buf), start, end, quoted), i


def _dquote(text: str, i: int, buf: list[str]) -> int:
    """Scan a double-quoted string from just after its opening quote."""
    n = len(text)
    while i < n:
        m = _DQ_PLAIN.match(text, i)
        if m is not None:
            buf.append(m.group())
            i = m.end()
            if i >= n:
                break
        c = text[i]
        if c == '"':
            return i + 1
        if c == "\\":
            nx = text[i + 1 : i + 2]
            if nx == "\n":
                i += 2
            elif nx == "\r" and text.startswith("\n", i + 2):
                i += 3
            elif nx and nx in '\\"$`':
                buf.append(nx)
                i += 2
            else:
                buf.append("\\")
                i += 1
        elif c == "$":
            i, _ = _dollar(text, i, buf, True)
        else:  # backquote
            k = skip_nested(text, i + 1, "`")
            buf.append(text[i:k])
            i = k
    return n


def _dollar(text: str, i: int, buf: list[str], in_dq: bool) -> tuple[int, bool]:
    """Scan a ``$`` construct at ``i``; return the next index and whether it quoted."""
    n = len(text)
    j = i + 1
    if j >= n:
        buf.append("$")
        return j, False
    c = text[j]
    if c == "{":
        if text.startswith("{", j + 1):
            # GitHub Actions expression ${{ ... }}: opaque
            k = text.find("}}", j + 2)
            if k >= 0:
                buf.append(text[i : k + 2])
                return k + 2, False
        k = skip_nested(text, j + 1, "}")
        buf.append(text[i:k])
        return k, False
    if c == "(":
        k = skip_nested(text, j + 1, ")")
        buf.append(text[i:k])
        return k, False
    if c == "$":
        # `$$` (the PID, or make's escaped dollar); make's `$$(...)` is kept whole
        k = j + 1
        if k < n and text[k] == "(":
            k = skip_nested(text, k + 1, ")")
        buf.append(text[i:k])
        return k, False
    if not in_dq:
        if c == "'":
            m = _ANSI_BODY.match(text, j + 1)
            if m is None:  # pragma: no cover - the pattern always matches
                return j + 1, True
            buf.append(_ANSI_ESC.sub(_ansi_repl, m.group()))
            return min(m.end() + 1, n), True
        if c == '"':
            return _dquote(text, j + 1, buf), True
    buf.append("$")
    return j, False


def skip_nested(text: str, i: int, closers: str) -> int:
    """Skip nested shell text from ``i`` (just after an opener) to past its closers.

    ``closers`` lists the pending closing characters, innermost last; each is one of
    ``)`` (command substitution / subshell), ``}`` (parameter expansion), ``"`` or
    a backquote. Quotes, escapes and comments are respected. Returns the index
    just past the outermost closer, or the text length when it is unterminated.
    """
    n = len(text)
    stack = list(closers)
    while i < n:
        top = stack[-1]
        if top == '"':
            m = _DQ_PLAIN.match(text, i)
            if m is not None:
                i = m.end()
                continue
            c = text[i]
            if c == '"':
                stack.pop()
            elif c == "\\":
                i += 1
            elif c == "`":
                stack.append("`")
            elif c == "$" and i + 1 < n and text[i + 1] in "({":
                stack.append(")" if text[i + 1] == "(" else "}")
                i += 1
            i += 1
        elif top == "`":
            m = _BQ_PLAIN.match(text, i)
            if m is not None:
                i = m.end()
                continue
            if text[i] == "`":
                stack.pop()
            else:  # backslash
                i += 1
            i += 1
        else:
            m = _CODE_PLAIN.match(text, i)
            if m is not None:
                i = m.end()
                continue
            c = text[i]
            if c == top:
                stack.pop()
            elif c == "(":
                if top == ")":
                    stack.append(")")
            elif c == "{":
                if top == "}":
                    stack.append("}")
            elif c == "'":
                if top == ")":
                    k = text.find("'", i + 1)
                    i = n if k < 0 else k
            elif c == '"':
                stack.append('"')
            elif c == "`":
                stack.append("`")
            elif c == "\\":
                i += 1
            elif c == "$":
                if i + 1 < n and text[i + 1] in "({":
                    stack.append(")" if text[i + 1] == "(" else "}")
                    i += 1
            elif c == "#" and top == ")" and (i == 0 or text[i - 1] in " \t\r\n;(|&"):
                k = text.find("\n", i)
                i = n if k < 0 else k
                continue
            i += 1
        if not stack:
            return min(i, n)
    return n
