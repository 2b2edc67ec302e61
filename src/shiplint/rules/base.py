"""The Rule base class: code, kebab-case name, severity, docs and a ``check`` method."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from shiplint.findings import Finding, Fix, Severity

if TYPE_CHECKING:
    from shiplint.model import Loc
    from shiplint.project import Project
    from shiplint.source import SourceFile

DOCS_URL = "https://github.com/shiplint/shiplint/blob/main/docs/rules.md"


class Rule:
    """Subclasses set the class attributes and implement :meth:`check`.

    The class docstring is the rule's documentation (Markdown): why the configuration
    fails, then how to fix it. ``before``/``after`` hold a failing and a fixed snippet.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    #: ids of the failure catalogue entries this rule covers (e.g. ``("E-1",)``)
    catalogue: ClassVar[tuple[str, ...]] = ()
    before: ClassVar[str] = ""
    after: ClassVar[str] = ""
    #: file name the before/after snippets belong to (sets the code-block language)
    example_file: ClassVar[str] = ".github/workflows/release.yml"
    #: whether the rule reports on example workflows (``examples/``, ``docs/examples/``: see
    #: :mod:`shiplint.discover`). False for rules whose finding rests on facts of this
    #: repository that a workflow copied into another one does not carry: its deploy
    #: record, its package metadata and build backend, its own tox/poetry configuration.
    on_examples: ClassVar[bool] = True

    def check(self, project: Project) -> Iterable[Finding]:
        raise NotImplementedError  # pragma: no cover - every registered rule overrides it

    @classmethod
    def doc(cls) -> str:
        import inspect  # documentation only: not loaded by an audit

        return inspect.cleandoc(cls.__doc__ or cls.summary)

    @classmethod
    def url(cls) -> str:
        return f"{DOCS_URL}#{cls.code.lower()}-{cls.name}"

    def at(
        self,
        loc: Loc | None,
        message: str,
        help: str,
        *,
        source: SourceFile | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding at ``loc`` (or at the top of ``source`` when there is no location)."""
        line = col = None
        src = source
        if loc is not None:
            src = loc.source
            pos = loc.pos
            line, col = pos.line, pos.col
        return Finding(
            rule=self.code,
            name=self.name,
            severity=severity or self.severity,
            source=src,
            line=line,
            column=col,
            message=message,
            help=help,
            fix=fix,
        )


def dedupe(findings: Iterable[Finding]) -> Iterator[Finding]:
    """Drop repeats of the same rule at the same place (shared YAML anchors, re-used scripts)."""
    seen: set[tuple[str, str, int | None, int | None]] = set()
    for finding in findings:
        key = (
            finding.rule,
            finding.source.rel if finding.source else "",
            finding.line,
            finding.column,
        )
        if key not in seen:
            seen.add(key)
            yield finding
