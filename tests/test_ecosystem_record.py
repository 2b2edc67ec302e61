"""The ecosystem record's own mechanics (no corpus needed): what counts as a difference, how
the rows ready to paste look, and that ``--write`` keeps reviewed reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ecosystem import record

KEY_A: record.Key = ("acme__a", ".github/workflows/release.yml", 12, 9, "SL201", "error")
KEY_B: record.Key = ("acme__b", "pyproject.toml", 3, 1, "SL731", "error")
STALE: record.Key = ("acme__b", "pyproject.toml", 3, 1, "SL731", "info")


def _observed(
    *keys: record.Key, counts: dict[tuple[str, str, str], int] | None = None
) -> record.Observed:
    return record.Observed([(key, f"message for {key[0]}") for key in keys], counts or {})


def test_a_matching_record_is_no_difference() -> None:
    rows = [record.Row(KEY_A, "the fact")]
    difference = record.compare(_observed(KEY_A), rows, {})
    assert difference.empty
    assert difference.report() == ""


def test_new_and_gone_findings_are_rows_ready_to_paste() -> None:
    rows = [record.Row(KEY_A, "the fact")]
    difference = record.compare(_observed(KEY_B), rows, {})
    assert [row.key for row in difference.new] == [KEY_B]
    assert [row.key for row in difference.gone] == [KEY_A]
    report = difference.report()
    assert "acme__b\tpyproject.toml\t3\t1\tSL731\terror\tREVIEW: message for acme__b" in report
    assert "acme__a\t.github/workflows/release.yml\t12\t9\tSL201\terror\tthe fact" in report


def test_a_severity_change_is_a_difference() -> None:
    rows = [record.Row(KEY_A, "the fact")]
    lowered: record.Key = (*KEY_A[:5], "warning")
    difference = record.compare(_observed(lowered), rows, {})
    assert [row.key for row in difference.new] == [lowered]
    assert [row.key for row in difference.gone] == [KEY_A]


def test_two_findings_on_one_spot_need_two_rows() -> None:
    difference = record.compare(_observed(KEY_A, KEY_A), [record.Row(KEY_A, "one")], {})
    assert [row.key for row in difference.new] == [KEY_A]
    assert difference.gone == []


def test_placeholder_reasons_and_count_changes_are_differences() -> None:
    rows = [record.Row(KEY_A, "REVIEW: message")]
    counts = {("acme__a", "SL801", "error"): 2}
    observed = _observed(KEY_A, counts={("acme__a", "SL801", "error"): 3})
    difference = record.compare(observed, rows, counts)
    assert [row.key for row in difference.unreviewed] == [KEY_A]
    assert difference.counts_changed == [(("acme__a", "SL801", "error"), 2, 3)]
    assert "acme__a\tSL801\terror\t2 → 3" in difference.report()


def test_write_keeps_reasons_and_marks_new_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record, "REVIEWED", tmp_path / "reviewed.tsv")
    monkeypatch.setattr(record, "DEPLOY_COUNTS", tmp_path / "deploy-records.tsv")
    observed = _observed(KEY_A, KEY_B, counts={("acme__a", "SL801", "error"): 1})
    record.write(observed, [record.Row(KEY_A, "the fact"), record.Row(STALE, "x")])
    rows = record.read_reviewed(tmp_path / "reviewed.tsv")
    assert [(row.key, row.reason) for row in rows] == [
        (KEY_A, "the fact"),
        (KEY_B, "REVIEW: message for acme__b"),
    ]
    assert record.read_counts(tmp_path / "deploy-records.tsv") == {("acme__a", "SL801", "error"): 1}


def test_a_malformed_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "reviewed.tsv"
    path.write_text("\t".join(record.REVIEWED_HEADER) + "\nacme__a\tx.yml\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reviewed.tsv:2: expected 7"):
        record.read_reviewed(path)
