"""Findings: what a rule reports, with severity ordering and a stable sort key."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiplint.source import SourceFile


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (character offsets)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a finding; ``safe`` fixes never change behaviour beyond the fix."""

    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass
class Finding:
    rule: str
    name: str
    severity: Severity
    source: SourceFile | None
    line: int | None
    column: int | None
    message: str
    help: str
    fix: Fix | None = None
    #: set by the engine for the report: root as given and POSIX path relative to it
    root: str = ""
    path: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, int, int, str]:
        return (self.root, self.path, self.line or 0, self.column or 0, self.rule)
