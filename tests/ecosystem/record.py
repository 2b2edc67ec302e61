"""Run shiplint over ``../shared/corpus/real-repos`` and compare with the reviewed record.

The record has two files next to this module:

* ``reviewed.tsv``: one row per error or warning shiplint reports on the corpus, outside
  the deploy-record rules: ``repo``, ``path``, ``line``, ``column``, ``rule``, ``severity``
  and ``reason``, the fact that makes the finding true (checked in the file and, where an
  outside fact matters, at its source).
* ``deploy-records.tsv``: the deploy-record rules (SL801, SL802), which fire on every upload
  of a repository without a record, counted per repository: ``repo``, ``rule``,
  ``severity``, ``count``.

Info findings are not recorded. ``python -m tests.ecosystem.record`` prints the rows of
findings the record lacks and of recorded findings that are gone (``--write`` rewrites both
files: reasons of rows that stay are kept, new rows get a ``REVIEW:`` reason that the test
refuses until someone replaces it with the fact).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REVIEWED = HERE / "reviewed.tsv"
DEPLOY_COUNTS = HERE / "deploy-records.tsv"
#: the corpus, found relative to this repository (``../shared`` beside its root)
CORPUS = HERE.parents[2] / "shared" / "corpus" / "real-repos"
#: the date the dated checks are run with, so that the record does not age
TODAY = dt.date(2026, 12, 6)
#: rules that fire on every upload of a repository without a deploy record
COUNTED = ("SL801", "SL802")
PLACEHOLDER = "REVIEW:"

REVIEWED_HEADER = ("repo", "path", "line", "column", "rule", "severity", "reason")
COUNTS_HEADER = ("repo", "rule", "severity", "count")

Key = tuple[str, str, int, int, str, str]  # repo, path, line, column, rule, severity


@dataclass(frozen=True)
class Row:
    key: Key
    reason: str

    def tsv(self) -> str:
        repo, path, line, column, rule, severity = self.key
        reason = " ".join(self.reason.split())
        return "\t".join((repo, path, str(line), str(column), rule, severity, reason))


@dataclass(frozen=True)
class Observed:
    """The corpus run: reviewable findings (with their message) and per-repo counts."""

    findings: list[tuple[Key, str]]
    counts: dict[tuple[str, str, str], int]


def corpus_roots(corpus: Path = CORPUS) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_dir())


def observe(corpus: Path = CORPUS) -> Observed:
    """Audit every corpus repository (no results cache) and sort what it reports."""
    os.environ["SHIPLINT_NO_CACHE"] = "1"
    from shiplint.engine import Options, audit_root
    from shiplint.findings import Severity

    found: list[tuple[Key, str]] = []
    counts: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for root in corpus_roots(corpus):
        result = audit_root(str(root), Options(today=TODAY))
        for finding in result.findings:
            if finding.severity is Severity.INFO:
                continue
            severity = finding.severity.value
            if finding.rule in COUNTED:
                counts[(root.name, finding.rule, severity)] += 1
                continue
            key = (
                root.name,
                finding.path,
                finding.line or 0,
                finding.column or 0,
                finding.rule,
                severity,
            )
            found.append((key, finding.message))
    found.sort()
    return Observed(found, dict(counts))


def read_reviewed(path: Path = REVIEWED) -> list[Row]:
    rows = []
    for number, line in enumerate(_lines(path), start=2):
        cells = line.split("\t")
        if len(cells) != len(REVIEWED_HEADER):
            raise ValueError(f"{path.name}:{number}: expected 7 tab-separated cells: {line!r}")
        repo, rel, lineno, column, rule, severity, reason = cells
        rows.append(Row((repo, rel, int(lineno), int(column), rule, severity), reason))
    return rows


def read_counts(path: Path = DEPLOY_COUNTS) -> dict[tuple[str, str, str], int]:
    counts = {}
    for number, line in enumerate(_lines(path), start=2):
        cells = line.split("\t")
        if len(cells) != len(COUNTS_HEADER):
            raise ValueError(f"{path.name}:{number}: expected 4 tab-separated cells: {line!r}")
        repo, rule, severity, count = cells
        counts[(repo, rule, severity)] = int(count)
    return counts


def _lines(path: Path) -> Iterator[str]:
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if line.strip():
            yield line


@dataclass(frozen=True)
class Difference:
    new: list[Row]  # reported, not recorded
    gone: list[Row]  # recorded, no longer reported
    unreviewed: list[Row]  # recorded with a placeholder reason
    counts_changed: list[tuple[tuple[str, str, str], int, int]]  # key, recorded, observed

    @property
    def empty(self) -> bool:
        return not (self.new or self.gone or self.unreviewed or self.counts_changed)

    def report(self) -> str:
        out = []
        if self.new:
            out.append(f"{len(self.new)} error/warning findings are not in {REVIEWED.name}")
            out.append("(check each one; add the row with the fact that makes it true, or fix")
            out.append("the rule):")
            out.extend(row.tsv() for row in self.new)
        if self.gone:
            out.append(f"{len(self.gone)} recorded findings are no longer reported (remove the")
            out.append("rows once the change is understood):")
            out.extend(row.tsv() for row in self.gone)
        if self.unreviewed:
            out.append(f"{len(self.unreviewed)} rows still have a {PLACEHOLDER} reason:")
            out.extend(row.tsv() for row in self.unreviewed)
        if self.counts_changed:
            out.append(f"deploy-record counts differ from {DEPLOY_COUNTS.name} (recorded → now):")
            for (repo, rule, severity), old, now in self.counts_changed:
                out.append(f"{repo}\t{rule}\t{severity}\t{old} → {now}")
        return "\n".join(out)


def compare(
    observed: Observed,
    reviewed: Iterable[Row],
    counts: dict[tuple[str, str, str], int],
) -> Difference:
    """Multiset difference of keys: a line may hold two findings of one rule."""
    recorded: dict[Key, list[Row]] = collections.defaultdict(list)
    rows = list(reviewed)
    for row in rows:
        recorded[row.key].append(row)
    new = []
    for key, message in observed.findings:
        if recorded.get(key):
            recorded[key].pop(0)
        else:
            new.append(Row(key, f"{PLACEHOLDER} {message}"))
    gone = [row for left in recorded.values() for row in left]
    unreviewed = [row for row in rows if row.reason.startswith(PLACEHOLDER) or not row.reason]
    changed = [
        (key, counts.get(key, 0), observed.counts.get(key, 0))
        for key in sorted(set(counts) | set(observed.counts))
        if counts.get(key, 0) != observed.counts.get(key, 0)
    ]
    return Difference(new, sorted(gone, key=lambda r: r.key), unreviewed, changed)


def write(observed: Observed, reviewed: Iterable[Row]) -> None:
    """Rewrite both files for ``observed``: kept rows keep their reasons."""
    by_key: dict[Key, list[Row]] = collections.defaultdict(list)
    for row in reviewed:
        by_key[row.key].append(row)
    rows = []
    for key, message in observed.findings:
        kept = by_key.get(key)
        rows.append(kept.pop(0) if kept else Row(key, f"{PLACEHOLDER} {message}"))
    lines = ["\t".join(REVIEWED_HEADER), *(row.tsv() for row in rows)]
    REVIEWED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    count_lines = ["\t".join(COUNTS_HEADER)]
    for (repo, rule, severity), count in sorted(observed.counts.items()):
        count_lines.append(f"{repo}\t{rule}\t{severity}\t{count}")
    DEPLOY_COUNTS.write_text("\n".join(count_lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ecosystem.record", description=__doc__)
    parser.add_argument(
        "--write",
        action="store_true",
        help="rewrite reviewed.tsv and deploy-records.tsv for the current findings",
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    observed = observe()
    reviewed = read_reviewed()
    if args.write:
        write(observed, reviewed)
        reviewed = read_reviewed()
    difference = compare(observed, reviewed, read_counts())
    if difference.empty:
        print(
            f"the record matches: {len(observed.findings)} findings, "
            f"{sum(observed.counts.values())} deploy-record findings counted"
        )
        return 0
    print(difference.report())
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
