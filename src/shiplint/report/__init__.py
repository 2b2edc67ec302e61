"""Reporters: findings → text for people; JSON, SARIF and GitHub annotations for tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiplint.engine import RootResult

FORMATS = ("text", "json", "sarif", "github")


def summary(results: list[RootResult]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    files = 0
    for result in results:
        files += sum(1 for f in result.project.files)
        for finding in result.findings:
            counts[finding.severity.value] += 1
    return {
        "files": files,
        "roots": len(results),
        **counts,
        "total": counts["error"] + counts["warning"] + counts["info"],
    }
