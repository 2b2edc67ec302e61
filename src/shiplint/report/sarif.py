"""SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``).

One run; ``tool.driver.rules`` lists every rule of the registry, so ``ruleIndex`` is stable
across selections. Result locations are URIs relative to the current directory, with
``uriBaseId`` ``%SRCROOT%`` naming that directory (``run.originalUriBaseIds``): GitHub reads
relative URIs against the repository root, which is the working directory of a workflow
step, so run ``shiplint check`` from the repository root — with one PATH or several. A file
outside the current directory gets an absolute ``file://`` URI. Findings about a whole file
point at its line 1. Messages, help and fixes go through the same redaction as the other
reports, and a fix whose new text would contain a literal credential is left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiplint import __version__
from shiplint.report.locations import absolute_path, cwd_path, is_inside_cwd, uri_reference
from shiplint.report.redact import scrub
from shiplint.rules import all_rules

if TYPE_CHECKING:
    from shiplint.engine import RootResult
    from shiplint.findings import Finding, Fix
    from shiplint.source import SourceFile

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/shiplint/shiplint"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

JsonObject = dict[str, Any]


def rule_descriptors() -> list[JsonObject]:
    out: list[JsonObject] = []
    for rule in all_rules():
        doc = scrub(rule.doc())
        out.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": scrub(rule.summary)},
                "fullDescription": {"text": doc, "markdown": doc},
                "help": {"text": doc, "markdown": doc},
                "helpUri": rule.url(),
                "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
            }
        )
    return out


def artifact_location(finding: Finding) -> JsonObject | None:
    rel = cwd_path(finding)
    if rel is None:
        return None
    if is_inside_cwd(rel):
        return {"uri": uri_reference(rel), "uriBaseId": SRCROOT}
    path = absolute_path(finding)
    assert path is not None
    return {"uri": path.as_uri()}


def _secret_texts(src: SourceFile) -> list[str]:
    text = src.text or ""
    return [text[s:e] for s, e in src.secret_spans if e > s]


def fix_object(finding: Finding, fix: Fix, location: JsonObject) -> JsonObject | None:
    """The fix as SARIF replacements (line/column regions), or ``None`` when it cannot be shown."""
    src = finding.source
    if src is None or src.text is None or not fix.edits:
        return None
    secrets = _secret_texts(src)
    replacements: list[JsonObject] = []
    for edit in fix.edits:
        if any(secret in edit.replacement for secret in secrets):
            return None
        if scrub(edit.replacement) != edit.replacement:
            return None
        start, end = src.pos(edit.start), src.pos(edit.end)
        replacements.append(
            {
                "deletedRegion": {
                    "startLine": start.line,
                    "startColumn": start.col,
                    "endLine": end.line,
                    "endColumn": end.col,
                },
                "insertedContent": {"text": edit.replacement},
            }
        )
    return {
        "description": {"text": scrub(fix.description) + ("" if fix.safe else " (unsafe)")},
        "artifactChanges": [{"artifactLocation": dict(location), "replacements": replacements}],
    }


def result_object(finding: Finding, rule_index: dict[str, int]) -> JsonObject:
    text = scrub(finding.message)
    help_text = scrub(finding.help).strip()
    if help_text:
        text += "\n\n" + help_text
    result: JsonObject = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    result["level"] = LEVELS[finding.severity.value]
    result["message"] = {"text": text}
    location = artifact_location(finding)
    if location is not None:
        region: JsonObject = {"startLine": finding.line or 1}
        if finding.line is not None and finding.column is not None:
            region["startColumn"] = finding.column
        result["locations"] = [
            {"physicalLocation": {"artifactLocation": location, "region": region}}
        ]
        if finding.fix is not None:
            fix = fix_object(finding, finding.fix, location)
            if fix is not None:
                result["fixes"] = [fix]
    if finding.extra.get("example"):
        result["properties"] = {"example": True}  # in an example workflow
    return result


def document(results: list[RootResult]) -> JsonObject:
    rules = rule_descriptors()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    run: JsonObject = {
        "tool": {
            "driver": {
                "name": "shiplint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [result_object(f, index) for result in results for f in result.findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(results: list[RootResult]) -> str:
    return json.dumps(document(results), indent=2, ensure_ascii=False) + "\n"
