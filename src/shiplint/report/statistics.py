"""``--statistics``: how many findings each rule produced, most frequent first (as in ruff)."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiplint.engine import RootResult


def counts(results: list[RootResult]) -> list[tuple[int, str, str]]:
    """``(count, code, name)`` per rule with findings: count descending, then code."""
    counter: Counter[tuple[str, str]] = Counter(
        (f.rule, f.name) for result in results for f in result.findings
    )
    rows = [(n, code, name) for (code, name), n in counter.items()]
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def render_text(results: list[RootResult]) -> str:
    rows = counts(results)
    if not rows:
        return ""
    count_width = max(len(str(n)) for n, _, _ in rows)
    code_width = max(len(code) for _, code, _ in rows)
    return "".join(f"{n:>{count_width}}  {code:<{code_width}}  {name}\n" for n, code, name in rows)


def render_json(results: list[RootResult]) -> str:
    rows = [{"code": code, "name": name, "count": n} for n, code, name in counts(results)]
    return json.dumps(rows, indent=2) + "\n"
