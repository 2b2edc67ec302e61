"""Keep secret values out of every output: mask known credential spans and token shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint import facts

if TYPE_CHECKING:
    from shiplint.source import SourceFile

MASK = "********"


def scrub(text: str) -> str:
    """Replace anything shaped like a PyPI token in free text."""
    if "pypi-" not in text:
        return text
    return facts.load().pypi_token_re.sub("pypi-" + MASK, text)


def source_line(src: SourceFile, line: int) -> str:
    """Line ``line`` of ``src`` with literal credentials masked."""
    text = src.line_text(line)
    if not text:
        return text
    if src.secret_spans:
        start = src.line_starts[line - 1]
        end = start + len(text)
        # right to left, so earlier offsets stay valid while masking
        for s, e in sorted(src.secret_spans, reverse=True):
            if e <= start or s >= end:
                continue
            lo, hi = max(s, start) - start, min(e, end) - start
            text = text[:lo] + MASK + text[hi:]
    return scrub(text)
