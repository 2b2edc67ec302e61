"""Progress of a many-root audit: ``[12/193] owner__repo`` on standard error.

Shown only when standard error is a terminal, the report is text, and there are at least
two roots to audit: the line is rewritten in place (carriage return and erase-to-end-of-line)
and erased when the audit is done, so nothing of it stays in the terminal or reaches a pipe
or a file. Forked workers write their own lines (the number is the root's place in the
queue, which they take in order).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

_ERASE = "\r\x1b[K"


class Progress:
    """Writes the progress line for the root at ``index`` (from 0) of ``total``."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream

    def __call__(self, index: int, path: str) -> None:
        name = os.path.basename(os.path.normpath(os.path.abspath(path))) or path
        self.stream.write(f"{_ERASE}[{index + 1}/{self.total}] {name}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write(_ERASE)
        self.stream.flush()


def for_run(total: int, text_format: bool, stream: TextIO | None = None) -> Progress | None:
    """A :class:`Progress` when it should be shown, else None."""
    stream = sys.stderr if stream is None else stream
    if total < 2 or not text_format:
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or fake stream
        return None
    return Progress(total, stream)
