"""The documentation examples of a rule: its ``before`` snippet fires it, ``after`` does not."""

from __future__ import annotations

from pathlib import Path

from shiplint.rules.base import Rule
from tests.conftest import AuditFn


def assert_examples(
    audit: AuditFn,
    tmp_path: Path,
    rule: type[Rule],
    extra: dict[str, str] | None = None,
    count: int = 1,
) -> None:
    """Audit ``rule.before`` (with the ``extra`` files beside it): exactly ``count``
    findings, of ``rule``, in the example file; then, in an emptied tree, ``rule.after``:
    none."""
    assert rule.before and rule.after and rule.catalogue
    files = extra or {}
    before = audit({rule.example_file: rule.before, **files}, select=[rule.code])
    assert [h[:2] for h in before] == [(rule.code, rule.example_file)] * count
    for path in tmp_path.rglob("*"):
        if path.is_file():
            path.unlink()
    assert audit({rule.example_file: rule.after, **files}, select=[rule.code]) == []
