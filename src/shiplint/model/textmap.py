"""Map offsets in a YAML scalar's value (e.g. a ``run:`` block) back to the file."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.source import SourceFile


class ScalarMap:
    """Offsets in ``scalar.value`` → offsets in the source text.

    Literal blocks (``|``) map line by line exactly. Single-line plain and quoted scalars
    map by a constant shift. Anything else (folded or multi-line flow scalars) is
    located by searching the written text inside the scalar's span.
    """

    __slots__ = ("_exact", "_line_offsets", "_shift", "_value_starts", "scalar", "src", "text")

    def __init__(self, src: SourceFile, scalar: YScalar) -> None:
        self.src = src
        self.scalar = scalar
        self.text = src.text or ""
        self._line_offsets: list[int] | None = None
        #: offsets in ``scalar.value`` where its lines start (literal blocks)
        self._value_starts: list[int] = []
        self._shift: int | None = None
        self._exact = False
        value = scalar.value
        style = scalar.style
        if style == "|":
            self._map_literal_block(value)
        elif "\n" not in value:
            written = self.text[scalar.start : scalar.end]
            if style in ('"', "'"):
                inner = written[1:-1]
                if inner == value:
                    self._shift = scalar.start + 1
            elif written == value:
                self._shift = scalar.start

    def _map_literal_block(self, value: str) -> None:
        text = self.text
        # The block content starts on the line after the `|` indicator.
        first = text.find("\n", self.scalar.start)
        if first == -1:
            return
        starts: list[int] = []
        cursor = first + 1
        lines = value.split("\n")
        at = 0
        for line in lines:
            self._value_starts.append(at)
            at += len(line) + 1
        for line in lines:
            line_end = text.find("\n", cursor)
            if line_end == -1:
                line_end = len(text)
            physical = text[cursor:line_end]
            if line:
                col = physical.find(line)
                if col == -1:
                    return  # not a plain literal layout; fall back to searching
                starts.append(cursor + col)
            else:
                starts.append(cursor)
            cursor = line_end + 1
            if cursor > self.scalar.end + 1:
                break
        self._line_offsets = starts
        self._exact = True

    def to_file(self, start: int, end: int, hint: int = 0) -> tuple[int, int]:
        """File span of the value span ``[start, end)``; search from file offset ``hint``."""
        if self._shift is not None:
            return self._shift + start, self._shift + end
        if self._line_offsets is not None:
            # the line holding ``start``: the number of newlines before it
            line = bisect.bisect_right(self._value_starts, start) - 1
            if line < len(self._line_offsets):
                line_start = self._value_starts[line]
                file_start = self._line_offsets[line] + (start - line_start)
                return file_start, file_start + (end - start)
        needle = self.scalar.value[start:end]
        lo = max(hint, self.scalar.start)
        found = self.text.find(needle, lo, self.scalar.end) if needle else -1
        if found == -1:
            found = self.text.find(needle.split("\n", 1)[0], lo, self.scalar.end) if needle else -1
        if found == -1:
            return self.scalar.start, self.scalar.start
        return found, found + len(needle)
