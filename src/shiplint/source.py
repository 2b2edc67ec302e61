"""Source files and positions: one decoded text per file, offsets mapped to 1-based line/column."""

from __future__ import annotations

import bisect
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from types import TracebackType

#: files larger than this are skipped (``max-file-size`` in the configuration changes it)
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024


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
        "example",
        "kind",
        "path",
        "rel",
        "root",
        "secret_spans",
        "text",
        "too_large",
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
        #: the file's size in bytes when it was skipped for exceeding the size limit
        self.too_large: int | None = None
        #: a workflow kept for users to copy (``examples/``, ``docs/examples/`` ...), not one
        #: this repository runs: see :func:`shiplint.engine.open_project`
        self.example = False

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


def format_size(size: int) -> str:
    """``5 MB``, ``1.5 MB``, ``300 KB``, ``12 bytes`` (1 KB = 1024 bytes)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} byte" + "s" * (size != 1)


def printable_path(rel: str) -> str:
    """``rel`` with bytes that are not UTF-8 (kept by the OS as surrogates) shown as U+FFFD.

    Such a name cannot be written to a UTF-8 report (SARIF crashed on it); the file is
    still read from its real path.
    """
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return rel


def read_file(
    path: Path, rel: str, root: str, kind: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> SourceFile:
    """Read and decode one file; problems become ``SourceFile.error``, never exceptions.

    Only regular files are read (a directory, FIFO or device named like a configuration
    file is reported, never opened for reading), and never more than ``max_bytes + 1``
    bytes of them, so a file that grows while it is read cannot exhaust memory.
    """
    max_bytes = min(max_bytes, sys.maxsize - 1)
    rel = printable_path(rel)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            return SourceFile(path, rel, root, kind, None, "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            return SourceFile(path, rel, root, kind, None, "is not a regular file; skipped")
        data = b""
        if st.st_size <= max_bytes:
            with open(path, "rb") as handle:
                # read() allocates what it is asked for: ask for the size, then (if the
                # file grew meanwhile) for the rest up to one byte over the limit
                want = st.st_size + 1
                data = handle.read(want)
                if len(data) == want:
                    data += handle.read(max(max_bytes + 1 - want, 0))
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return SourceFile(path, rel, root, kind, None, f"cannot read file: {reason}")
    size = max(st.st_size, len(data))
    if size > max_bytes:
        src = SourceFile(
            path,
            rel,
            root,
            kind,
            None,
            f"file is {format_size(size)} ({size} bytes), larger than the "
            f"{format_size(max_bytes)} limit (`max-file-size`); it was not checked",
        )
        src.too_large = size
        return src
    text, error, bad = decode(data)
    if text is None:
        line = data.count(b"\n", 0, bad) + 1
        line_start = data.rfind(b"\n", 0, bad) + 1
        if line_start == 0 and data.startswith(b"\xef\xbb\xbf"):
            line_start = 3  # a byte-order mark is not a column
        # the column counts characters, like every other position
        col = len(data[line_start:bad].decode("utf-8", "replace")) + 1
        return SourceFile(path, rel, root, kind, None, error, Pos(line, col))
    return SourceFile(path, rel, root, kind, text)


def source_in_traceback(tb: TracebackType | None) -> SourceFile | None:
    """The file a crashed rule was working on, for its internal-error report.

    The innermost frame with a local that is a :class:`SourceFile`, or holds one as its
    ``source``/``src`` or ``loc.source`` (a ``Loc``, ``Upload``, ``Workflow`` ...), names it.
    """
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in list(frame.f_locals.values()):
            found = _source_of(value)
            if found is not None:
                return found
    return None


def _source_of(value: object) -> SourceFile | None:
    if isinstance(value, SourceFile):
        return value
    try:
        for attr in ("source", "src"):
            held = getattr(value, attr, None)
            if isinstance(held, SourceFile):
                return held
        held = getattr(getattr(value, "loc", None), "source", None)
    except Exception:  # an odd object's property: not a source
        return None
    return held if isinstance(held, SourceFile) else None
