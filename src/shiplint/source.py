"""Source files and positions: one decoded text per file, offsets mapped to 1-based line/column."""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import NamedTuple


class Pos(NamedTuple):
    """A 1-based line and column in a source file."""

    line: int
    col: int


class SourceFile:
    """One file of a repository, read once; all parsers and rules share it.

    ``rel`` is the POSIX path relative to the audited root, ``kind`` the discovery
    classification (``workflow``, ``action``, ``ci``, ``shell``, ``pyproject`` ...).
    ``text`` is ``None`` when the file could not be read or decoded; ``error`` then says why.
    """

    __slots__ = (
        "_line_starts",
        "error",
        "error_pos",
        "kind",
        "path",
        "rel",
        "root",
        "secret_spans",
        "text",
    )

    def __init__(
        self,
        path: Path,
        rel: str,
        root: str,
        kind: str,
        text: str | None,
        error: str | None = None,
        error_pos: Pos | None = None,
    ) -> None:
        self.path = path
        self.rel = rel
        self.root = root
        self.kind = kind
        self.text = text
        self.error = error
        self.error_pos = error_pos
        self._line_starts: list[int] | None = None
        #: character spans holding literal credentials: never shown in any output
        self.secret_spans: list[tuple[int, int]] = []

    def __repr__(self) -> str:
        return f"SourceFile({self.rel!r}, kind={self.kind!r})"

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            text = self.text or ""
            starts = [0]
            find = text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def pos(self, index: int) -> Pos:
        """1-based position of character offset ``index``."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, index) - 1
        return Pos(line + 1, index - starts[line] + 1)

    def index(self, pos: Pos) -> int:
        """Character offset of a 1-based position (clamped to the text)."""
        starts = self.line_starts
        line = min(max(pos.line, 1), len(starts)) - 1
        return starts[line] + pos.col - 1

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its newline ('' when out of range)."""
        starts = self.line_starts
        if not self.text or line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end].rstrip("\r")


def decode(data: bytes) -> tuple[str | None, str | None, int]:
    """Decode file bytes as UTF-8 (BOM allowed).

    Returns ``(text, error, bad_offset)``; on failure ``text`` is ``None`` and
    ``bad_offset`` is the byte offset of the first undecodable byte.
    """
    if b"\x00" in data:
        return None, "file contains NUL bytes; it is not a text file", data.index(b"\x00")
    try:
        return data.decode("utf-8-sig"), None, 0
    except UnicodeDecodeError as exc:
        return None, f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})", exc.start
