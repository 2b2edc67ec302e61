"""The JSON report (format version 1): a stable contract for other tools."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from shiplint.report import summary
from shiplint.report.redact import scrub

if TYPE_CHECKING:
    from shiplint.engine import RootResult


def render(results: list[RootResult], fail_on: str) -> str:
    findings: list[dict[str, Any]] = []
    for result in results:
        for f in result.findings:
            item: dict[str, Any] = {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity.value,
                "path": f.path,
                "root": f.root,
                "line": f.line,
                "column": f.column,
                "message": scrub(f.message),
                "help": scrub(f.help),
            }
            if f.extra.get("example"):
                item["example"] = True  # in an example workflow (only then present)
            findings.append(item)
    document = {
        "version": 1,
        "findings": findings,
        "summary": {**summary(results), "fail_on": fail_on},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
