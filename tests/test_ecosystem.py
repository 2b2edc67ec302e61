"""The ecosystem check: every error and warning shiplint reports on the 193 real projects of
``../shared/corpus/real-repos`` is in the reviewed record with the fact that makes it true
(see tests/ecosystem/record.py and docs/precision.md). Skipped when ../shared is absent."""

from __future__ import annotations

import pytest

from tests.ecosystem import record

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not record.CORPUS.is_dir(), reason="../shared/corpus is not available"),
]


def test_every_error_and_warning_on_the_corpus_is_reviewed() -> None:
    observed = record.observe()
    difference = record.compare(observed, record.read_reviewed(), record.read_counts())
    assert difference.empty, (
        "the ecosystem record differs (regenerate candidates with "
        "`python -m tests.ecosystem.record`):\n" + difference.report()
    )


def test_the_record_is_sorted_and_has_no_duplicate_rows() -> None:
    rows = record.read_reviewed()
    keys = [row.key for row in rows]
    assert keys == sorted(keys)
    assert all(row.reason and not row.reason.startswith(record.PLACEHOLDER) for row in rows)
