"""TOML with positions: data from ``tomllib``, locations from a one-pass scanner.

``tomllib`` (``tomli`` before Python 3.11) decides what the document means; a small
scanner then walks the text once and records, for every key path, where the key token,
the value text and the ``[table]`` header are.  The scanner only runs on text that
``tomllib`` accepted, so it can be permissive; it never raises (anything unexpected
just leaves the remaining paths without positions).

Paths are tuples of ``str`` (table keys) and ``int`` (array indexes, including the
elements of an array of tables): ``[[tool.uv.index]]`` followed by ``url = "..."``
gives the path ``("tool", "uv", "index", 0, "url")``.  Negative indexes count from the
end of the array, as in Python.

Position conventions (all 1-based line/column in characters, via ``SourceFile.pos``):

* ``key_pos(path)`` is the start of the key token naming ``path[-1]`` where that key
  first appears: ``a.b.c = 1`` gives ``("a",)`` the ``a``, ``("a", "b")`` the ``b``.
  For a table header ``[tool.shiplint]``, ``("tool", "shiplint")`` is the
  ``shiplint`` segment inside the brackets (the *last* segment, not the whole dotted
  name) and ``("tool",)`` the ``tool`` segment (if ``tool`` was not seen before).
  For quoted keys it is the opening quote.  The element ``i`` of an array of tables
  has the last key segment of its own ``[[...]]`` header; other array elements have
  no key position (``None``).
* ``value_pos``/``value_span`` exist for every value written after ``=`` and for
  every array element and inline-table member, including containers (the ``[`` or
  ``{``).  Tables made by ``[headers]`` or implied by dotted keys have none.
  Spans are ``[start, end)`` offsets into ``src.text``; strings include their quotes,
  multi-line strings span all their lines.
* ``table_pos(path)`` is the ``[`` of an explicit ``[a.b]`` / ``[[a.b]]`` header;
  for arrays of tables both ``("a", "b", i)`` (the i-th header) and ``("a", "b")``
  (the first header) have one.  Super-tables that were never given their own header
  (``tool`` in ``[tool.x]``) and inline tables have none.
* ``best_pos(path)`` never fails: value, else key, else header position of ``path``,
  else of its closest ancestor that has one, else ``Pos(1, 1)``.  Use it for
  findings about a key that is missing (reports the enclosing table).
"""

from __future__ import annotations

import contextlib
import re
import sys
from typing import TYPE_CHECKING, Any, TypeVar, Union

from shiplint.lazyre import LazyPattern
from shiplint.parse import ParseProblem
from shiplint.source import Pos

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

if TYPE_CHECKING:
    from shiplint.source import SourceFile

__all__ = ["TomlDoc", "TomlPath", "lookup", "parse_toml"]

TomlPath = tuple[Union[str, int], ...]
_T = TypeVar("_T")

# --- scanner tokens (compiled once) -------------------------------------------------
_SPACES = re.compile(r"[ \t]*")
# whitespace, newlines and comments between tokens
_GAP = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
# permissive bare key: tomllib already rejected anything invalid
_BARE_KEY = LazyPattern(r"[^ \t\r\n.=\[\]\"'#,{}]+")
# fast paths: `key = ` with a single bare key, and `[a.b.c]` headers of bare keys
_SIMPLE_KEY_EQ = re.compile(r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*")
# ... optionally followed by a one-line basic string (group 2)
_SIMPLE_KEYVAL = re.compile(
    r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:("[^"\\\n]*(?:\\.[^"\\\n]*)*")(?!"))?'
)
_SIMPLE_HEADER = re.compile(r"\[\[?[ \t]*([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)[ \t]*\]")
_BASIC = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"{3,5}')
_ML_LITERAL = LazyPattern(r"'''[\s\S]*?'{3,5}")
# numbers, booleans, dates; a local date-time may use a space instead of "T"
_SCALAR = re.compile(
    r"\d{4}-\d{2}-\d{2}[ Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?"
    r"|[^ \t\r\n,\]}#]+"
)
_ESCAPE = LazyPattern(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))", re.S)
_SIMPLE_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}
# tomllib (< 3.14) puts the location into the message only
_ERR_SUFFIX = LazyPattern(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def _unescape_match(m: re.Match[str]) -> str:
    hex_digits = m.group(1) or m.group(2) or m.group(3)
    if hex_digits:
        try:
            return chr(int(hex_digits, 16))
        except (ValueError, OverflowError):
            return m.group(0)
    return _SIMPLE_ESCAPES.get(m.group(4), m.group(0))


def _unescape(s: str) -> str:
    return _ESCAPE.sub(_unescape_match, s) if "\\" in s else s


class _Locator:
    """One pass over accepted TOML text, filling key/value/table offset maps."""

    __slots__ = ("aot", "keys", "n", "tables", "text", "values")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.keys: dict[TomlPath, int] = {}
        self.values: dict[TomlPath, tuple[int, int]] = {}
        self.tables: dict[TomlPath, int] = {}
        # number of elements seen so far per array-of-tables path
        self.aot: dict[TomlPath, int] = {}

    def run(self) -> None:
        text = self.text
        n = self.n
        gap = _GAP.match
        simple_keyval = _SIMPLE_KEYVAL.match
        keys = self.keys
        values = self.values
        table: TomlPath = ()
        pos = 0
        while True:
            pos = gap(text, pos).end()  # type: ignore[union-attr]  # always matches
            if pos >= n:
                return
            if text[pos] == "[":
                new, table = self._header(pos, text.startswith("[[", pos))
            else:
                m = simple_keyval(text, pos)
                if m is None:
                    new = self._keyval(pos, table)
                else:  # fast path: `key = ...`, often with a plain string
                    path = (*table, m.group(1))
                    keys.setdefault(path, pos)
                    if m.group(2) is None:
                        new = self._value(m.end(), path)
                    else:
                        new = m.end()
                        values.setdefault(path, (m.start(2), new))
            if new <= pos:  # cannot happen on valid TOML; skip the line to make progress
                nl = text.find("\n", pos)
                new = n if nl == -1 else nl + 1
            pos = new

    def _key(self, pos: int) -> tuple[list[tuple[str, int]], int]:
        """A (dotted) key at ``pos``: its segments with their offsets, and the end."""
        text = self.text
        parts: list[tuple[str, int]] = []
        spaces = _SPACES.match
        while True:
            pos = spaces(text, pos).end()  # type: ignore[union-attr]
            c = text[pos : pos + 1]
            if c == '"':
                m = _BASIC.match(text, pos)
                if m is None:
                    break
                name = _unescape(m.group()[1:-1])
            elif c == "'":
                m = _LITERAL.match(text, pos)
                if m is None:
                    break
                name = m.group()[1:-1]
            else:
                m = _BARE_KEY.match(text, pos)
                if m is None:
                    break
                name = m.group()
            parts.append((name, pos))
            pos = spaces(text, m.end()).end()  # type: ignore[union-attr]
            if text.startswith(".", pos):
                pos += 1
                continue
            break
        return parts, pos

    def _header(self, start: int, is_array: bool) -> tuple[int, TomlPath]:
        m = _SIMPLE_HEADER.match(self.text, start)
        if m is not None:
            parts: list[tuple[str, int]] = []
            off = m.start(1)
            for name in m.group(1).split("."):
                parts.append((name, off))
                off += len(name) + 1
            pos = m.end() - 1
        else:
            parts, pos = self._key(start + (2 if is_array else 1))
        keys = self.keys
        tables = self.tables
        aot = self.aot
        path: TomlPath = ()
        last = len(parts) - 1
        for i, (name, off) in enumerate(parts):
            path = (*path, name)
            keys.setdefault(path, off)
            if i < last:
                count = aot.get(path)
                if count is not None:  # a[.]b where a is an array of tables: its last element
                    path = (*path, count - 1)
            elif is_array:
                tables.setdefault(path, start)
                count = aot.get(path, 0)
                aot[path] = count + 1
                path = (*path, count)
                keys[path] = off
                tables[path] = start
            else:
                tables.setdefault(path, start)
        close = "]]" if is_array else "]"
        if self.text.startswith(close, pos):
            pos += len(close)
        return pos, path

    def _keyval(self, pos: int, base: TomlPath) -> int:
        m = _SIMPLE_KEY_EQ.match(self.text, pos)
        if m is not None:
            path = (*base, m.group(1))
            self.keys.setdefault(path, pos)
            return self._value(m.end(), path)
        parts, pos = self._key(pos)
        if not parts:
            return pos
        keys = self.keys
        path = base
        for name, off in parts:
            path = (*path, name)
            keys.setdefault(path, off)
        text = self.text
        if text.startswith("=", pos):
            pos = _SPACES.match(text, pos + 1).end()  # type: ignore[union-attr]
        return self._value(pos, path)

    def _value(self, pos: int, path: TomlPath) -> int:
        text = self.text
        c = text[pos : pos + 1]
        if c == "[":
            end = self._array(pos, path)
        elif c == "{":
            end = self._inline_table(pos, path)
        else:
            if c == '"':
                m = (_ML_BASIC if text.startswith('"""', pos) else _BASIC).match(text, pos)
            elif c == "'":
                m = (_ML_LITERAL if text.startswith("'''", pos) else _LITERAL).match(text, pos)
            else:
                m = _SCALAR.match(text, pos)
            if m is None:
                return pos
            end = m.end()
        self.values.setdefault(path, (pos, end))
        return end

    def _array(self, pos: int, path: TomlPath) -> int:
        text = self.text
        n = self.n
        gap = _GAP.match
        pos += 1
        index = 0
        while True:
            pos = gap(text, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                return n
            c = text[pos]
            if c == "]":
                return pos + 1
            if c == ",":
                pos += 1
                continue
            if c == '"' and not text.startswith('"""', pos):  # fast path: the common case
                m = _BASIC.match(text, pos)
                if m is not None:
                    new = m.end()
                    self.values.setdefault((*path, index), (pos, new))
                    index += 1
                    pos = new
                    continue
            new = self._value(pos, (*path, index))
            index += 1
            pos = new if new > pos else pos + 1

    def _inline_table(self, pos: int, path: TomlPath) -> int:
        text = self.text
        n = self.n
        gap = _GAP.match
        keys = self.keys
        pos += 1
        while True:
            # newlines and comments are TOML 1.1 only; accepting them here is harmless
            pos = gap(text, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                return n
            c = text[pos]
            if c == "}":
                return pos + 1
            if c == ",":
                pos += 1
                continue
            m = _SIMPLE_KEY_EQ.match(text, pos)
            if m is not None:
                member = (*path, m.group(1))
                keys.setdefault(member, pos)
                new = m.end()
            else:
                parts, new = self._key(pos)
                if not parts:
                    pos += 1
                    continue
                member = path
                for name, off in parts:
                    member = (*member, name)
                    keys.setdefault(member, off)
                if text.startswith("=", new):
                    new = _SPACES.match(text, new + 1).end()  # type: ignore[union-attr]
            end = self._value(new, member)
            pos = end if end > pos else pos + 1


def _locate(text: str) -> _Locator:
    loc = _Locator(text)
    # defensive (RecursionError included): keep whatever was found before the trouble
    with contextlib.suppress(Exception):
        loc.run()
    return loc


def _has_negative(path: TomlPath) -> bool:
    return any(type(p) is int and p < 0 for p in path)


def lookup(data: Any, path: TomlPath, default: Any = None) -> Any:
    """``data[p0][p1]...`` for a path of keys and indexes, or ``default`` if absent.

    Stops (returning ``default``) at a missing key, an index out of range, or a
    path element of the wrong type for the container it meets.
    """
    node = data
    for part in path:
        if isinstance(part, str):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        else:
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return default
            node = node[part]
    return node


class TomlDoc:
    """A parsed TOML file: ``data`` as ``tomllib`` returned it, plus positions."""

    __slots__ = ("_keys", "_tables", "_values", "data", "src")

    def __init__(
        self,
        src: SourceFile,
        data: dict[str, Any],
        keys: dict[TomlPath, int],
        values: dict[TomlPath, tuple[int, int]],
        tables: dict[TomlPath, int],
    ) -> None:
        self.src = src
        self.data = data
        self._keys = keys
        self._values = values
        self._tables = tables

    def __repr__(self) -> str:
        return f"TomlDoc({self.src.rel!r})"

    def _find(self, table: dict[TomlPath, _T], path: TomlPath) -> _T | None:
        """``table[path]``, resolving negative indexes against ``data`` when needed."""
        got = table.get(path)
        if got is None and _has_negative(path):
            got = table.get(self._norm(path))
        return got

    def _norm(self, path: TomlPath) -> TomlPath:
        """``path`` with negative indexes made non-negative (resolved against ``data``)."""
        out: list[str | int] = []
        node: Any = self.data
        for part in path:
            if isinstance(part, int) and part < 0 and isinstance(node, list):
                part += len(node)
            out.append(part)
            node = lookup(node, (part,))
        return tuple(out)

    def get(self, path: TomlPath, default: Any = None) -> Any:
        """The value at ``path`` in ``data`` (see :func:`lookup`)."""
        return lookup(self.data, path, default)

    def key_pos(self, path: TomlPath) -> Pos | None:
        """Where the key naming ``path[-1]`` first appears (see module docs)."""
        off = self._find(self._keys, path)
        return None if off is None else self.src.pos(off)

    def value_pos(self, path: TomlPath) -> Pos | None:
        """First character of the value text at ``path`` (quote, ``[``, ``{``, digit ...)."""
        span = self._find(self._values, path)
        return None if span is None else self.src.pos(span[0])

    def value_span(self, path: TomlPath) -> tuple[int, int] | None:
        """``[start, end)`` character offsets of the value text at ``path`` in ``src.text``."""
        return self._find(self._values, path)

    def value_text(self, path: TomlPath) -> str | None:
        """The source text of the value at ``path`` (strings with their quotes)."""
        span = self._find(self._values, path)
        if span is None or self.src.text is None:
            return None
        return self.src.text[span[0] : span[1]]

    def string_span(self, path: TomlPath) -> tuple[int, int] | None:
        """``[start, end)`` offsets of a string value's body, between its delimiters.

        For multi-line strings the newline trimmed after the opening delimiter is
        excluded.  The body is source text: escapes are not decoded, so it equals the
        value only for literal strings and basic strings without backslashes.
        ``None`` when ``path`` has no value or the value is not a string.
        """
        span = self._find(self._values, path)
        text = self.src.text
        if span is None or text is None:
            return None
        start, end = span
        quote = text[start : start + 1]
        if quote not in ('"', "'") or end - start < 2:
            return None
        if text.startswith(quote * 3, start) and end - start >= 6:
            start += 3
            if text.startswith("\n", start):
                start += 1
            elif text.startswith("\r\n", start):
                start += 2
            return start, end - 3
        return start + 1, end - 1

    def table_pos(self, path: TomlPath) -> Pos | None:
        """The ``[`` of the ``[table]`` / ``[[array.of.tables]]`` header for ``path``."""
        off = self._find(self._tables, path)
        return None if off is None else self.src.pos(off)

    def best_pos(self, path: TomlPath) -> Pos:
        """Value, key or header position of ``path`` or, failing that, of its closest
        ancestor that has one; ``Pos(1, 1)`` as the last resort."""
        p = self._norm(path) if _has_negative(path) else path
        while True:
            span = self._values.get(p)
            if span is not None:
                return self.src.pos(span[0])
            off = self._keys.get(p)
            if off is None:
                off = self._tables.get(p)
            if off is not None:
                return self.src.pos(off)
            if not p:
                return Pos(1, 1)
            p = p[:-1]


def _error_problem(src: SourceFile, exc: Exception) -> ParseProblem:
    text = src.text or ""
    msg = getattr(exc, "msg", None)
    lineno = getattr(exc, "lineno", None)
    colno = getattr(exc, "colno", None)
    raw = str(exc)
    m = _ERR_SUFFIX.search(raw)
    if not isinstance(msg, str) or not msg:
        msg = raw[: m.start()] if m else raw
    else:
        tail = _ERR_SUFFIX.search(msg)
        if tail:
            msg = msg[: tail.start()]
    pos: Pos | None = None
    if isinstance(lineno, int) and isinstance(colno, int):
        pos = Pos(lineno, colno)
    elif m is not None:
        if m.group(1):
            pos = Pos(int(m.group(1)), int(m.group(2)))
        else:
            pos = src.pos(len(text))
    return ParseProblem(msg.strip(), pos)


def parse_toml(src: SourceFile) -> tuple[TomlDoc | None, ParseProblem | None]:
    """Parse ``src`` as TOML.

    Returns ``(doc, None)``, or ``(None, problem)`` when the file is unreadable or not
    valid TOML; the problem's position is ``tomllib``'s (1-based, characters), its
    message is tomllib's with the ``(at line …)`` suffix removed (e.g. ``Invalid value``).
    """
    text = src.text
    if text is None:
        return None, ParseProblem(src.error or "file could not be read", src.error_pos)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, _error_problem(src, exc)
    except RecursionError:
        return None, ParseProblem("values are nested too deeply", None)
    loc = _locate(text)
    return TomlDoc(src, data, loc.keys, loc.values, loc.tables), None
