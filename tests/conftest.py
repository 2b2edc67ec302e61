"""Shared test helpers: build a repository from a dict of files and audit it."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Callable

import pytest

from shiplint.engine import Options, RootResult, audit_root
from shiplint.findings import Finding

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"

Hit = tuple[str, str, int, int]  # (rule code, path, line, column)


@pytest.fixture(autouse=True)
def _private_results_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never the user's results cache (cache.py): each test gets an empty one of its own,
    turned off (a test that patches shiplint between two runs would get a stale hit);
    tests/test_cache.py turns it on."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIPLINT_CACHE_DIR", str(tmp_path_factory.mktemp("shiplint-cache")))
        patch.setenv("SHIPLINT_NO_CACHE", "1")
        yield


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_audit(
    root: Path,
    select: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> RootResult:
    options = Options(select=list(select) if select is not None else None)
    if today is not None:
        options.today = today
    return audit_root(str(root), options)


def hits(findings: Iterable[Finding]) -> list[Hit]:
    return [(f.rule, f.path, f.line or 0, f.column or 0) for f in findings]


AuditFn = Callable[..., list[Hit]]


@pytest.fixture
def audit(tmp_path: Path) -> AuditFn:
    """``audit({"path": "text"}, select=["SL101"])`` → sorted ``(rule, path, line, col)``."""

    def run(
        files: dict[str, str],
        select: Iterable[str] | None = None,
        today: dt.date | None = None,
    ) -> list[Hit]:
        write_tree(tmp_path, files)
        return hits(run_audit(tmp_path, select=select, today=today).findings)

    return run


@pytest.fixture
def audit_findings(tmp_path: Path) -> Callable[..., list[Finding]]:
    """Like ``audit`` but returns the Finding objects (messages, help, fixes)."""

    def run(
        files: dict[str, str], select: Iterable[str] | None = None, today: dt.date | None = None
    ) -> list[Finding]:
        write_tree(tmp_path, files)
        return run_audit(tmp_path, select=select, today=today).findings

    return run


def pos_of(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` in dedented ``text``."""
    body = textwrap.dedent(text).lstrip("\n")
    at = -1
    for _ in range(nth):
        at = body.find(needle, at + 1)
        if at == -1:
            raise AssertionError(f"{needle!r} not in fixture text")
    line = body.count("\n", 0, at) + 1
    return line, at - (body.rfind("\n", 0, at) + 1) + 1


def hit(rule: str, path: str, text: str, needle: str, nth: int = 1) -> Hit:
    """The expected finding ``rule`` at ``needle`` in file ``path`` whose content is ``text``."""
    line, col = pos_of(text, needle, nth)
    return (rule, path, line, col)
