"""Findings: what a rule reports, with severity ordering and a stable sort key.

No dataclasses here: a second run answered from the results cache imports only the report
path (this module, the configuration, the engine's options), and ``dataclasses`` (with the
``inspect`` it imports) would be a tenth of that run.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, NamedTuple

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


class Edit(NamedTuple):
    """Replace ``text[start:end]`` with ``replacement`` (character offsets)."""

    start: int
    end: int
    replacement: str


class Fix(NamedTuple):
    """A change that resolves a finding; ``safe`` fixes never change behaviour beyond the fix."""

    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


class Finding:
    """One problem a rule reports, where, and how to fix it."""

    __slots__ = (
        "column",
        "extra",
        "fix",
        "help",
        "line",
        "message",
        "name",
        "path",
        "root",
        "rule",
        "severity",
        "source",
    )

    def __init__(
        self,
        rule: str,
        name: str,
        severity: Severity,
        source: SourceFile | None,
        line: int | None,
        column: int | None,
        message: str,
        help: str,
        fix: Fix | None = None,
        root: str = "",
        path: str = "",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.rule = rule
        self.name = name
        self.severity = severity
        self.source = source
        self.line = line
        self.column = column
        self.message = message
        self.help = help
        self.fix = fix
        #: set by the engine for the report: root as given and POSIX path relative to it
        self.root = root
        self.path = path
        self.extra: dict[str, str] = {} if extra is None else extra

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Finding({fields})"

    def sort_key(self) -> tuple[str, str, int, int, str]:
        return (self.root, self.path, self.line or 0, self.column or 0, self.rule)
