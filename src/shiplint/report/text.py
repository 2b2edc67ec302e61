"""The text report: ``path:line:col: CODE [severity] message``, the source line, a caret, help."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from shiplint.report import summary

if TYPE_CHECKING:
    from shiplint.engine import RootResult
    from shiplint.findings import Finding

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD = "\033[1m"
_DIM = "\033[2m"
_RESET = "\033[0m"


def display_path(finding: Finding) -> str:
    if finding.root in ("", "."):
        return finding.path
    return os.path.join(finding.root, finding.path).replace(os.sep, "/")


def render(results: list[RootResult], colour: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    out: list[str] = []
    for result in results:
        for f in result.findings:
            from shiplint.report.redact import scrub, source_line  # not imported by a clean run

            where = display_path(f)
            if f.line is not None:
                where += f":{f.line}"
                if f.column is not None:
                    where += f":{f.column}"
            sev = f.severity.value
            mark = " [*]" if f.fix is not None and f.fix.safe else ""
            out.append(
                f"{paint(_BOLD, where)}: {paint(_BOLD, f.rule)}{mark} "
                f"{paint(_COLOURS[sev], '[' + sev + ']')} {scrub(f.message)}"
            )
            if f.source is not None and f.line is not None:
                text = source_line(f.source, f.line).replace("\t", " ")
                if text.strip():
                    gutter = f"{f.line:>5} | "
                    out.append(paint(_DIM, gutter) + text)
                    col = max((f.column or 1) - 1, 0)
                    out.append(
                        " " * (len(gutter) + min(col, len(text))) + paint(_COLOURS[sev], "^")
                    )
            for i, line in enumerate(scrub(f.help).splitlines()):
                prefix = "  help: " if i == 0 else "        "
                out.append(prefix + line)
            if f.fix is not None:
                out.append("  fix: " + f.fix.description + ("" if f.fix.safe else " (unsafe)"))
            out.append("")
    counts = summary(results)
    if counts["total"]:
        out.append(
            f"Found {counts['total']} problem{'s' if counts['total'] != 1 else ''} "
            f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) "
            f"in {counts['files']} file{'s' if counts['files'] != 1 else ''}."
        )
        safe = sum(1 for r in results for f in r.findings if f.fix is not None and f.fix.safe)
        unsafe = sum(1 for r in results for f in r.findings if f.fix is not None and not f.fix.safe)
        if safe or unsafe:
            line = f"[*] {safe} fixable with `shiplint check --fix`"
            if unsafe:
                line += f" ({unsafe} more with `--unsafe-fixes`)"
            out.append(line + ".")
    else:
        out.append(f"All checks passed ({counts['files']} files).")
    return "\n".join(out) + "\n"
