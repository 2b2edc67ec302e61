"""GitHub Actions annotations: one ``::error``/``::warning``/``::notice`` command a finding.

``::error file=PATH,line=L,col=C,title=CODE name::message`` — GitHub shows it on the file
and line in the run summary and in pull-request diffs. ``PATH`` is relative to the current
directory, which in a workflow step is the repository root (see :mod:`.locations`). The
message is followed by the help after a blank line (GitHub renders the newlines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.report.locations import cwd_path
from shiplint.report.redact import scrub

if TYPE_CHECKING:
    from shiplint.engine import RootResult
    from shiplint.findings import Finding

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message the way GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=`` ...): data escapes plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props: list[tuple[str, str]] = []
    path = cwd_path(finding)
    if path is not None:
        props.append(("file", path))
        if finding.line is not None:
            props.append(("line", str(finding.line)))
            if finding.column is not None:
                props.append(("col", str(finding.column)))
    props.append(("title", f"{finding.rule} {finding.name}"))
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    body = scrub(finding.message)
    help_text = scrub(finding.help).strip()
    if help_text:
        body += "\n\n" + help_text
    return f"::{COMMANDS[finding.severity.value]} {head}::{escape_data(body)}"


def render(results: list[RootResult]) -> str:
    lines = [annotation(f) for result in results for f in result.findings]
    return "".join(line + "\n" for line in lines)
