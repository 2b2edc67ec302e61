"""Apply the fixes findings carry: edits on exact spans, everything else byte-identical.

For each file, fixes are applied one at a time from the end of the file backwards (so
earlier offsets stay valid); a fix overlapping one already taken waits for the next run.
After each fix the file is parsed again and the fix is dropped when the file no longer
parses, gains a structural problem (a duplicate key, for instance), or means something
else outside the edited spans: for YAML and TOML every key and value that the fix did not
touch must still be there, at the same path, with the same value.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiplint.project import INI_KINDS, TOML_KINDS, YAML_KINDS
from shiplint.source import SourceFile

if TYPE_CHECKING:
    from collections.abc import Iterable

    from shiplint.findings import Edit, Finding

_EDITED = "\x00edited"


@dataclass
class FileFix:
    source: SourceFile
    new: str
    applied: list[Finding] = field(default_factory=list)
    dropped: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def old(self) -> str:
        return self.source.text or ""

    @property
    def changed(self) -> bool:
        return self.new != self.old

    def diff(self) -> str:
        return unified_diff(self.old, self.new, self.source.rel)

    def write(self) -> bool:
        """Write the fixed text, keeping a byte-order mark; False if the file changed meanwhile."""
        path = self.source.path
        data = path.read_bytes()
        bom = data.startswith(b"\xef\xbb\xbf")
        if data.decode("utf-8-sig", errors="replace") != self.old:
            return False
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + self.new.encode("utf-8"))
        return True


def unified_diff(old: str, new: str, rel: str) -> str:
    """``git diff``-style text of a change to ``rel`` (every line newline-terminated)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{rel}",
        tofile=f"b/{rel}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def plan(findings: Iterable[Finding], unsafe: bool = False) -> list[FileFix]:
    """What ``--fix`` would change, file by file (nothing is written)."""
    by_file: dict[int, tuple[SourceFile, list[Finding]]] = {}
    for finding in findings:
        fix = finding.fix
        src = finding.source
        if fix is None or src is None or src.text is None or not fix.edits:
            continue
        if not fix.safe and not unsafe:
            continue
        by_file.setdefault(id(src), (src, []))[1].append(finding)
    out: list[FileFix] = []
    for src, items in by_file.values():
        result = _fix_file(src, items)
        if result.applied or result.dropped:
            out.append(result)
    return out


def _fix_file(src: SourceFile, findings: list[Finding]) -> FileFix:
    old = src.text or ""
    result = FileFix(src, old)
    baseline = _meaning(src.kind, old, [])
    # later fixes first: applying them leaves the offsets of earlier ones valid
    findings = sorted(findings, key=lambda f: -min(e.start for e in f.fix.edits))  # type: ignore[union-attr]
    taken: list[tuple[int, int]] = []
    accepted: list[Edit] = []
    seen: set[tuple[tuple[int, int, str], ...]] = set()
    for finding in findings:
        assert finding.fix is not None
        edits = tuple(sorted(finding.fix.edits, key=lambda e: e.start))
        signature = tuple((e.start, e.end, e.replacement) for e in edits)
        if signature in seen:  # the same fix reported by two findings
            result.applied.append(finding)
            continue
        if any(_overlaps(e.start, e.end, a, b) for e in edits for a, b in taken):
            result.dropped.append((finding, "overlaps another fix; run --fix again"))
            continue
        candidate = accepted + list(edits)
        text = _apply(old, candidate)
        reason: str | None = None
        if src.kind in YAML_KINDS or src.kind in TOML_KINDS:
            if baseline is None:
                reason = "the file does not parse"
            else:
                reason = _changed_meaning(src, text, candidate)
        elif src.kind in INI_KINDS and _ini_problems(text) > _ini_problems(old):
            reason = "the fixed file would not parse"
        if reason is not None:
            result.dropped.append((finding, reason))
            continue
        seen.add(signature)
        accepted = candidate
        taken.extend((e.start, e.end) for e in edits)
        result.applied.append(finding)
        result.new = text
    return result


def _overlaps(start: int, end: int, a: int, b: int) -> bool:
    if start == end or a == b:  # insertions conflict only at the same point or inside
        return a <= start <= b and a <= end <= b if a != b else start <= a <= end
    return start < b and a < end


def _apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def _new_ranges(edits: list[Edit]) -> list[tuple[int, int]]:
    """Where each edit's replacement sits in the edited text."""
    ranges = []
    shift = 0
    for edit in sorted(edits, key=lambda e: e.start):
        start = edit.start + shift
        ranges.append((start, start + len(edit.replacement)))
        shift += len(edit.replacement) - (edit.end - edit.start)
    return ranges


def _ini_problems(text: str) -> int:
    from shiplint.parse.ini import parse_ini

    return len(parse_ini(SourceFile(Path(), "", "", "setup-cfg", text))[1])


def _changed_meaning(src: SourceFile, text: str, edits: list[Edit]) -> str | None:
    old_ranges = [(e.start, e.end) for e in edits]
    before = _meaning(src.kind, src.text or "", old_ranges)
    after = _meaning(src.kind, text, _new_ranges(edits))
    if after is None:
        return "the fixed file would not parse"
    if before is None or before != after:
        return "the fix would change the file's meaning outside the edited text"
    return None


def _meaning(kind: str, text: str, edited: list[tuple[int, int]]) -> Counter[Any] | None:
    """Every key path and value of the document, ignoring what lies in ``edited``."""
    if kind in YAML_KINDS:
        return _yaml_meaning(text, edited)
    if kind in TOML_KINDS:
        return _toml_meaning(text, edited)
    return None


def _touches(start: int, end: int, edited: list[tuple[int, int]]) -> bool:
    return any(start <= b and a <= end for a, b in edited)


def _yaml_meaning(text: str, edited: list[tuple[int, int]]) -> Counter[Any] | None:
    from shiplint.parse.yamlload import parse_yaml
    from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

    src = SourceFile(Path(), "", "", "workflow", text)
    doc, problem = parse_yaml(src)
    if doc is None or problem is not None:
        return None
    facts: Counter[Any] = Counter()
    facts[("problems", tuple(sorted(kind for kind, *_ in doc.problems)))] += 1
    stack: list[tuple[tuple[str, ...], Any]] = [((), doc.root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, YScalar):
            if not _touches(node.start, node.end, edited):
                facts[(path, node.tag, node.value)] += 1
        elif isinstance(node, YMap):
            if not node.entries and not _touches(node.start, node.end, edited):
                facts[(path, "map")] += 1
            for name, key, value in node.items():
                part = _EDITED if _touches(key.start, key.end, edited) else name
                stack.append(((*path, part), value))
        elif isinstance(node, YSeq):
            if not node.items and not _touches(node.start, node.end, edited):
                facts[(path, "seq")] += 1
            for item in node.items:
                stack.append(((*path, "[]"), item))
    return facts


def _toml_meaning(text: str, edited: list[tuple[int, int]]) -> Counter[Any] | None:
    from shiplint.parse.tomlpos import parse_toml

    src = SourceFile(Path(), "", "", "pyproject", text)
    doc, problem = parse_toml(src)
    if doc is None or problem is not None:
        return None
    facts: Counter[Any] = Counter()
    stack: list[tuple[tuple[Any, ...], Any]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append(((*path, key), item))
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                stack.append(((*path, i), item))
            continue
        span = doc.value_span(path)
        if span is not None and _touches(span[0], span[1], edited):
            continue
        facts[(path, repr(value))] += 1
    return facts
