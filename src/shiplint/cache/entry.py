"""Results-cache entries: what one holds, how it is validated and how a hit rebuilds the
findings.

An entry holds the root's findings as the reports use them (messages and help already
scrubbed of token shapes, fixes' edits only where SARIF may show them), the spans of
literal credentials as offsets (never the values), the effective fail level, the files
read on demand and the log of every other read (:attr:`Project.reads`). On a hit the
findings are rebuilt on the freshly read files, so the text report's source lines come
out as in the uncached run. Every field is validated; anything odd raises
:class:`Invalid` (a miss).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from shiplint.cache.key import SCHEMA, file_state

if TYPE_CHECKING:
    from shiplint.engine import RootResult
    from shiplint.findings import Finding
    from shiplint.project import Project
    from shiplint.source import SourceFile

Json = Any


class Invalid(Exception):
    """A cache entry that does not have the expected shape."""


def check_str(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid
    return value


def check_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid
    return value


def check_opt_int(value: object) -> int | None:
    return None if value is None else check_int(value)


def check_list(value: object, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise Invalid
    return value


def check_spans(value: object, size: int) -> list[tuple[int, int]]:
    spans = []
    for item in check_list(value):
        pair = check_list(item, 2)
        start, end = check_int(pair[0]), check_int(pair[1])
        if not 0 <= start <= end <= size:
            raise Invalid
        spans.append((start, end))
    return spans


def _detached_source(root: str, rel: str, kind: str, lines: dict[str, str]) -> SourceFile:
    """A stand-in for a source that is not one of the project's files (e.g. the INI text
    inside ``legacy_tox_ini``): only the lines the report shows, already masked."""
    from pathlib import Path

    from shiplint.source import SourceFile

    numbered = {int(k): v for k, v in lines.items()}
    count = max(numbered, default=0)
    text = "\n".join(numbered.get(i, "") for i in range(1, count + 1))
    return SourceFile(Path(root, rel), rel, root, kind, text)


def rebuild(entry: dict[str, Any], project: Project) -> list[Finding]:
    """The findings of ``entry`` on ``project``'s files (secret spans set on them)."""
    from shiplint.findings import Edit, Finding, Fix, Severity

    for rel, spans in check_list(entry["spans"]):
        src = project.by_rel.get(check_str(rel))
        if src is None or src.text is None:
            raise Invalid
        src.secret_spans = check_spans(spans, len(src.text))
    detached: list[SourceFile] = []
    for item in check_list(entry["detached"]):
        rel, kind, lines = check_list(item, 3)
        if not isinstance(lines, dict) or len(lines) > 100_000:
            raise Invalid
        for key, value in lines.items():
            if not key.isdigit() or int(key) < 1 or not isinstance(value, str):
                raise Invalid
        detached.append(_detached_source(project.root, check_str(rel), check_str(kind), lines))
    findings: list[Finding] = []
    for item in check_list(entry["findings"]):
        row = check_list(item, 12)
        rule, name, severity, ref, line, column, message, help_text, fix, extra, root, path = row
        source: SourceFile | None = None
        if ref is not None:
            where, key = check_list(ref, 2)
            if where == "f":
                source = project.by_rel.get(check_str(key))
            elif where == "d" and isinstance(key, int) and 0 <= key < len(detached):
                source = detached[key]
            if source is None:
                raise Invalid
        fix_obj: Fix | None = None
        if fix is not None:
            description, safe, edits = check_list(fix, 3)
            if not isinstance(safe, bool):
                raise Invalid
            edit_objs = []
            for edit in check_list(edits):
                start, end, text = check_list(edit, 3)
                edit_objs.append(Edit(check_int(start), check_int(end), check_str(text)))
            fix_obj = Fix(check_str(description), tuple(edit_objs), safe)
        if not isinstance(extra, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in extra.items()
        ):
            raise Invalid
        finding = Finding(
            check_str(rule),
            check_str(name),
            Severity(check_str(severity)),
            source,
            check_opt_int(line),
            check_opt_int(column),
            check_str(message),
            check_str(help_text),
            fix_obj,
            extra=dict(extra),
        )
        finding.root = check_str(root)
        finding.path = check_str(path)
        findings.append(finding)
    return findings


def report_view(findings: list[Finding], files: int) -> list[Json]:
    """Everything the reports show of the findings (text, JSON, SARIF, GitHub, statistics):
    the cache writes an entry only when its rebuilt findings give the same view."""
    from shiplint.report.redact import scrub, source_line
    from shiplint.report.sarif import fix_object

    rows: list[Json] = []
    for f in findings:
        shown = None
        if f.source is not None and f.line is not None:
            shown = source_line(f.source, f.line)
        fix = None
        if f.fix is not None:
            fix = [f.fix.description, f.fix.safe, fix_object(f, f.fix, {})]
        rows.append(
            [
                f.rule,
                f.name,
                f.severity.value,
                f.root,
                f.path,
                f.line,
                f.column,
                scrub(f.message),
                scrub(f.help),
                fix,
                shown,
                sorted(f.extra.items()),
            ]
        )
    return [files, rows]


def holds_secret(data: bytes, result: RootResult) -> bool:
    """Whether the serialised entry contains a credential recorded in the root's files, or
    anything shaped like a token (paths looked up come from command lines)."""
    from shiplint.report.redact import scrub, secret_texts

    text = data.decode("ascii")
    if scrub(text) != text:
        return True
    sources = {id(src): src for src in result.project.files}
    sources.update((id(f.source), f.source) for f in result.findings if f.source is not None)
    for src in sources.values():
        if not src.secret_spans:
            continue
        for secret in secret_texts(src):
            escaped = json.dumps(secret, ensure_ascii=True)[1:-1]
            if secret in text or escaped in text:
                return True
    return False


def encode(key: str, result: RootResult) -> dict[str, Any] | None:
    """The entry of an uncached audit under ``key``; None when it cannot be cached (a
    rule crashed, or a fix's description holds a token shape)."""
    from shiplint.report.redact import scrub, source_line

    project = result.project
    if any(f.rule == "SL005" for f in result.findings):
        return None  # a crash may not repeat
    on_demand: list[Json] = []
    seen: set[tuple[str, str]] = set()
    for rel, kind, found in project.on_demand:
        if (rel, kind) in seen:
            continue
        seen.add((rel, kind))
        src = project.extra_sources.get(rel) if found else None
        if found and src is None:
            return None
        on_demand.append([rel, kind, file_state(src) if src is not None else None])
    spans = [[src.rel, sorted(set(src.secret_spans))] for src in project.files if src.secret_spans]
    detached: list[Json] = []
    detached_index: dict[int, int] = {}
    findings: list[Json] = []
    for f in result.findings:
        ref: Json = None
        if f.source is not None:
            if project.by_rel.get(f.source.rel) is f.source:
                ref = ["f", f.source.rel]
            else:
                index = detached_index.get(id(f.source))
                if index is None:
                    index = detached_index[id(f.source)] = len(detached)
                    detached.append([f.source.rel, f.source.kind, {}])
                if f.line is not None:
                    detached[index][2][str(f.line)] = source_line(f.source, f.line)
                ref = ["d", index]
        fix: Json = None
        if f.fix is not None:
            from shiplint.report.sarif import fix_object

            shown = fix_object(f, f.fix, {}) is not None
            edits = [[e.start, e.end, e.replacement] for e in f.fix.edits] if shown else []
            if scrub(f.fix.description) != f.fix.description:
                return None
            fix = [f.fix.description, f.fix.safe, edits]
        findings.append(
            [
                f.rule,
                f.name,
                f.severity.value,
                ref,
                f.line,
                f.column,
                scrub(f.message),
                scrub(f.help),
                fix,
                dict(f.extra),
                f.root,
                f.path,
            ]
        )
    return {
        "schema": SCHEMA,
        "key": key,
        "fail_on": result.fail_on.value,
        "files": len(project.files),
        "on_demand": on_demand,
        "reads": project.reads,
        "spans": spans,
        "detached": detached,
        "findings": findings,
    }


def rebuilds(entry: dict[str, Any], result: RootResult) -> bool:
    """Whether the entry, rebuilt as a hit would rebuild it, shows what ``result`` shows."""
    from shiplint.project import Project
    from shiplint.source import SourceFile

    original = result.project
    copies = []
    for src in original.files:
        copy = SourceFile(src.path, src.rel, src.root, src.kind, src.text, src.error)
        copy.error_pos, copy.too_large = src.error_pos, src.too_large
        copy.example = src.example
        copies.append(copy)
    clone = Project(original.root, original.root_path, copies)
    try:
        rebuilt = rebuild(json.loads(json.dumps(entry)), clone)
    except (Invalid, KeyError, ValueError, TypeError):
        return False
    before = report_view(result.findings, len(original.files))
    return report_view(rebuilt, len(clone.files)) == before
