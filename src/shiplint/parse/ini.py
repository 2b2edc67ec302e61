"""INI files (tox.ini, setup.cfg, .pypirc) with line numbers, read the way configparser does.

The rules are those of ``configparser.ConfigParser(interpolation=None)`` with its
defaults, which is how tox, setuptools and twine read these files:

* a line whose stripped text starts with ``#`` or ``;`` is a comment, wherever it is
  (also inside a multi-line value, where it is skipped); there are no inline comments,
  so ``key = a # b`` has the value ``a # b``;
* ``[name]`` (the stripped line matched by ``\\[(.+)\\]``) starts a section; the name is
  taken as written (case-sensitive, not stripped);
* ``key = value`` or ``key: value`` (the first ``=`` or ``:``) sets an option; key
  lookups are case-insensitive, since configparser lower-cases option names;
* a line indented deeper than the line of the current option continues its value, even
  when it looks like a section header or an option;
* empty lines inside a value are kept (``empty_lines_in_values=True``); the joined value
  is right-stripped, so trailing empty lines vanish.

``IniValue.value`` is exactly what configparser returns (without interpolation, and
without the ``[DEFAULT]`` section merged into other sections: ``[DEFAULT]`` is kept as
an ordinary section named ``DEFAULT``).  Tox-level processing (``#`` comments at the end
of a line, ``\\`` line joining, substitutions) is left to callers: ``IniValue.lines``
keeps every non-empty, non-comment physical line with its position for that.

Where configparser would raise (no section header, duplicate section or option, a line
that is neither a section, an option nor a continuation) this parser records a
``ParseProblem`` and carries on: a duplicate section is merged into the first one, a
duplicate option replaces the earlier one, lines before the first section are ignored.
Lines are split on ``\\n`` only (a ``\\r`` before it is stripped with the rest of the
trailing whitespace), so positions agree with ``SourceFile.pos``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from shiplint.lazyre import LazyPattern
from shiplint.parse import ParseProblem
from shiplint.source import Pos

if TYPE_CHECKING:
    from shiplint.source import SourceFile

__all__ = ["IniDoc", "IniLine", "IniSection", "IniValue", "parse_ini"]

# configparser.RawConfigParser.SECTCRE / OPTCRE (delimiters "=" and ":"), compiled once
_SECTCRE = LazyPattern(r"\[(?P<header>.+)\]")
_OPTCRE = LazyPattern(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$")
_NONSPACE = LazyPattern(r"\S")
_COMMENT_PREFIXES = ("#", ";")
_DEFAULT_SECTION = "DEFAULT"


class IniLine(NamedTuple):
    """One physical line of a value, stripped, and the position of its first character."""

    text: str
    pos: Pos


class IniValue:
    """One option: ``key`` as written, its position, the configparser value and its lines."""

    __slots__ = ("key", "key_pos", "lines", "section", "value")

    def __init__(self, section: str, key: str, key_pos: Pos) -> None:
        self.section = section
        self.key = key
        self.key_pos = key_pos
        #: what configparser returns: the stripped lines joined with "\n", right-stripped;
        #: the first line is empty for ``key =`` followed by indented lines
        self.value = ""
        #: non-empty, non-comment physical lines of the value (the first one included
        #: when it is not empty), each stripped, in order
        self.lines: list[IniLine] = []

    def __repr__(self) -> str:
        return f"IniValue({self.key!r}, {self.value!r}, key_pos={tuple(self.key_pos)})"

    @property
    def value_pos(self) -> Pos:
        """Position of the first value line, or of the key when the value is empty."""
        return self.lines[0].pos if self.lines else self.key_pos


class IniSection:
    """A ``[section]``: its name as written, the position of the name, and its options."""

    __slots__ = ("_lower", "name", "pos", "values")

    def __init__(self, name: str, pos: Pos) -> None:
        self.name = name
        self.pos = pos
        #: options by key as written, in file order
        self.values: dict[str, IniValue] = {}
        self._lower: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"IniSection({self.name!r}, {list(self.values)!r})"

    def get(self, key: str) -> IniValue | None:
        """The option named ``key``, compared case-insensitively like configparser."""
        written = self._lower.get(key.lower())
        return None if written is None else self.values[written]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lower

    def _set(self, value: IniValue) -> IniValue | None:
        """Add ``value``; return the option it replaces (same key ignoring case), if any."""
        lower = value.key.lower()
        old_key = self._lower.get(lower)
        old = None
        if old_key is not None:
            old = self.values.pop(old_key)
        self._lower[lower] = value.key
        self.values[value.key] = value
        return old


class IniDoc:
    """A parsed INI file: its sections by name (case-sensitive, as configparser)."""

    __slots__ = ("sections",)

    def __init__(self, sections: dict[str, IniSection] | None = None) -> None:
        self.sections: dict[str, IniSection] = {} if sections is None else sections

    def __repr__(self) -> str:
        return f"IniDoc({list(self.sections)!r})"

    def get(self, section: str, key: str) -> IniValue | None:
        """The option ``key`` (case-insensitive) of ``section`` (exact name), if any."""
        sect = self.sections.get(section)
        return None if sect is None else sect.get(key)


def _finish(value: IniValue, parts: list[str]) -> None:
    value.value = "\n".join(parts).rstrip()


def parse_ini(src: SourceFile) -> tuple[IniDoc, list[ParseProblem]]:
    """Parse ``src`` as configparser would; never raises.

    Returns the document and the problems found (empty when configparser would have
    read the file without error).  An unreadable file gives an empty document and one
    problem.
    """
    doc = IniDoc()
    problems: list[ParseProblem] = []
    text = src.text
    if text is None:
        problems.append(ParseProblem(src.error or "file could not be read", src.error_pos))
        return doc, problems

    sections = doc.sections
    cursect: IniSection | None = None
    # option currently collecting continuation lines, and its raw value lines
    cur: IniValue | None = None
    cur_parts: list[str] = []
    indent_level = 0
    missing_header_reported = False
    lineno = 0
    for line in text.split("\n"):
        lineno += 1
        stripped = line.strip()
        if not stripped:
            # configparser keeps empty lines inside values (only when not a comment)
            if cur is not None:
                cur_parts.append("")
            continue
        if stripped.startswith(_COMMENT_PREFIXES):
            continue
        m = _NONSPACE.search(line)
        cur_indent = m.start() if m else 0
        col = cur_indent + 1
        if cursect is not None and cur is not None and cur_indent > indent_level:
            cur_parts.append(stripped)
            cur.lines.append(IniLine(stripped, Pos(lineno, col)))
            continue
        indent_level = cur_indent
        mo = _SECTCRE.match(stripped)
        if mo is not None:
            if cur is not None:
                _finish(cur, cur_parts)
                cur = None
            name = mo.group("header")
            pos = Pos(lineno, col + 1)
            existing = sections.get(name)
            if existing is not None:
                if name != _DEFAULT_SECTION:  # configparser never complains about it
                    problems.append(
                        ParseProblem(
                            f"section [{name}] is defined twice"
                            f" (first at line {existing.pos.line})",
                            pos,
                        )
                    )
                cursect = existing
            else:
                cursect = IniSection(name, pos)
                sections[name] = cursect
            continue
        if cursect is None:
            if not missing_header_reported:
                missing_header_reported = True
                problems.append(
                    ParseProblem(
                        "text before the first [section] header (configparser rejects this file)",
                        Pos(lineno, col),
                    )
                )
            continue
        mo = _OPTCRE.match(stripped)
        if mo is None:
            # configparser records the error and keeps the current option
            problems.append(
                ParseProblem(
                    f"line is neither a [section] header nor a `key = value` option: {stripped!r}",
                    Pos(lineno, col),
                )
            )
            continue
        if cur is not None:
            _finish(cur, cur_parts)
            cur = None
        key = mo.group("option").rstrip()
        if not key:
            problems.append(ParseProblem("option without a name before the `=`", Pos(lineno, col)))
            continue
        value = IniValue(cursect.name, key, Pos(lineno, col))
        first = mo.group("value").strip()
        cur_parts = [first]
        if first:
            value.lines.append(IniLine(first, Pos(lineno, col + mo.start("value"))))
        old = cursect._set(value)
        if old is not None:
            problems.append(
                ParseProblem(
                    f"option {key!r} is set twice in section [{cursect.name}]"
                    f" (first at line {old.key_pos.line})",
                    value.key_pos,
                )
            )
        cur = value
    if cur is not None:
        _finish(cur, cur_parts)
    return doc, problems
