"""Rules about the files themselves: unreadable or malformed input, and shiplint's own comments."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.project import Project
    from shiplint.source import SourceFile


@register
class ParseError(Rule):
    """A release configuration file could not be read or parsed.

    A file that cannot be parsed is one shiplint cannot check, and usually one that CI or
    the packaging tools will reject as well (GitHub refuses a workflow with a YAML error;
    pip and build backends refuse a broken `pyproject.toml`). The finding points at the
    place the parser stopped. Other files are still checked.

    A YAML file that parses but cannot be read in full is reported too: nesting deeper
    than 200 levels (a generated or hostile file; what lies below is not checked) and a
    second document after `---` (GitHub reads one document per file; only the first is
    checked). In files GitHub does not read, a second document is only a note: GitLab CI,
    for one, puts a `spec:` header document before the configuration.

    Fix the syntax at the reported position. Files that are not text (NUL bytes, invalid
    UTF-8), unreadable files and directories named like configuration files are reported
    the same way and skipped (files over the size limit are `SL006 file-too-large`).
    """

    code = "SL001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "A release configuration file cannot be read or parsed"
    before = "on:\n  push:\n    tags: ['v*'\n"
    after = "on:\n  push:\n    tags: ['v*']\n"

    def check(self, project: Project) -> Iterator[Finding]:
        project.parse_all()
        _read_scripts(project)
        for src in project.files:
            if src.too_large is not None:
                continue  # SL006
            if src.error is not None:
                finding = self.at(
                    None, src.error, "Fix or remove the file; it was skipped.", source=src
                )
                if src.error_pos is not None:
                    finding.line, finding.column = src.error_pos
                yield finding
                continue
            problem = project.problems.get(src.rel)
            if problem is not None:
                finding = self.at(
                    None,
                    problem.message,
                    "Fix the syntax here; the rest of this file was not checked.",
                    source=src,
                )
                if problem.pos is not None:
                    finding.line, finding.column = problem.pos
                yield finding
            if src.kind in _YAML_KINDS:
                yield from _unread_yaml(self, project, src)
            if src.kind in ("setup-cfg", "tox-ini", "pypirc") and src.text is not None:
                for ini_problem in project.ini_problems(src):
                    finding = self.at(
                        None,
                        ini_problem.message,
                        "Fix this line; configparser-based tools reject the file.",
                        source=src,
                    )
                    if ini_problem.pos is not None:
                        finding.line, finding.column = ini_problem.pos
                    yield finding


@register
class TemplateNotRead(Rule):
    """A YAML file is a Jinja template; shiplint did not read it.

    conda-build recipes (`ci/recipe/meta.yaml`, `conda.recipe/meta.yaml`) and other
    Jinja-templated files are YAML only once rendered: `{% set version = "1.0" %}` is a
    syntax error for a YAML parser and `version: {{ version }}` a nested mapping. Nothing is
    wrong with them, and shiplint does not render templates, so such a file is skipped and
    this note says so: whatever it configures is not checked.

    A file counts as a template when it holds a Jinja statement (`{% set %}`, `{% if %}`
    ...) or comment, or a `{{ ... }}` expression where a YAML value begins; GitHub's and
    Azure Pipelines' `${{ ... }}` expressions are not Jinja. Only files that no CI system
    reads as they are get this treatment: those in CI template folders (`ci/`, `.ci/`,
    `continuous_integration/`, `tools/ci/`, `azure*/`), and a file named on the command line
    that matches no known location. A Jinja tag in a workflow, `.travis.yml` or
    `.gitlab-ci.yml` is a YAML error there too (`SL001`).

    Nothing to fix. To silence the note for a folder, use `per-file-ignores`.
    """

    code = "SL007"
    name = "template-not-read"
    severity = Severity.INFO
    summary = "A Jinja-templated YAML file (e.g. a conda-build recipe) was not read"

    def check(self, project: Project) -> Iterator[Finding]:
        project.parse_all()
        for src in project.files:
            offset = project.templates.get(src.rel)
            if offset is None or src.text is None:
                continue
            yield self.at(
                Loc(src, offset, offset),
                "a Jinja template, not YAML: not read",
                "shiplint does not render templates (a conda-build recipe, for instance), so "
                "what this file configures is not checked.",
            )


@register
class FileTooLarge(Rule):
    """A release configuration file is larger than the size limit, so it was not checked.

    Workflows, `pyproject.toml`, `tox.ini` and the other files shiplint reads are a few
    kilobytes; a file of megabytes is generated or vendored data, or a hostile file meant
    to stall a pre-commit hook. shiplint skips files over the limit (5 MB by default)
    without reading them, and says so here instead of passing silently.

    Move generated files out of the folders shiplint reads (or `.gitignore` them), or raise
    the limit in `[tool.shiplint]`: `max-file-size = "20 MB"` (a number of bytes, or a
    size in KB or MB).
    """

    code = "SL006"
    name = "file-too-large"
    severity = Severity.WARNING
    summary = "A release configuration file is over the size limit and was not checked"

    def check(self, project: Project) -> Iterator[Finding]:
        _read_scripts(project)
        for src in project.files:
            if src.too_large is not None and src.error is not None:
                finding = self.at(
                    None,
                    src.error,
                    "Shrink or move the file, or raise `max-file-size` in [tool.shiplint].",
                    source=src,
                )
                finding.line, finding.column = 1, 1
                yield finding


@register
class DuplicateKey(Rule):
    """A YAML mapping defines the same key twice.

    GitHub rejects the workflow (`'env' is already defined`), while other YAML readers
    silently keep one of the values (most keep the last), so what you read is not what
    runs. shiplint reads the first value.

    In GitHub workflow and action files this is an error: the file does not load. In other
    CI files and conda environment files it is a warning: whether the reader refuses the
    file or picks a value depends on the tool.

    Merge the two entries into one key.
    """

    code = "SL002"
    name = "yaml-duplicate-key"
    severity = Severity.ERROR
    summary = "A YAML mapping repeats a key"
    before = "env:\n  ORG: scientific-python-nightly-wheels\nenv:\n  TOKEN: x\n"
    after = "env:\n  ORG: scientific-python-nightly-wheels\n  TOKEN: x\n"

    def check(self, project: Project) -> Iterator[Finding]:
        yield from _yaml_problems(
            self,
            project,
            "duplicate-key",
            "Keep one definition of this key; merge their contents.",
            elsewhere=(
                Severity.WARNING,
                "GitHub would refuse this file; other tools refuse it too or keep one of the "
                "values (most keep the last, shiplint read the first). Keep one definition of "
                "this key; merge their contents.",
            ),
        )


@register
class MergeKey(Rule):
    """A workflow uses the YAML merge key `<<:`.

    GitHub Actions reads anchors and aliases in workflows since 2025-09-18 (github.com;
    GitHub's changelog "Actions: YAML anchors and non-public workflow templates"), but not
    merge keys, and GitHub said so when it shipped them (actions/runner#1182, 2025-08-04).
    Its parser (actions/runner `src/Sdk/WorkflowParser`, 2026) gives `<<` no meaning: it
    stays an ordinary key, which no workflow keyword accepts (`Unexpected value '<<'` in a
    job or step, `A mapping was not expected` under `env:`), so the workflow is invalid and
    nothing in it runs. In an action's `action.yml` the runner refuses even the anchor
    (`Anchors are not currently supported`). actionlint 1.7.10 and later report merge keys
    too. Other CI systems (GitLab CI, for one) resolve merge keys; only GitHub workflow and
    action files are reported.

    Repeat the keys explicitly, or alias a whole value (`env: *common-env`).
    """

    code = "SL003"
    name = "yaml-merge-key"
    severity = Severity.ERROR
    summary = "A GitHub workflow uses the YAML merge key `<<:`"
    before = "jobs:\n  build:\n    <<: *defaults\n    steps: []\n"
    after = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n"

    def check(self, project: Project) -> Iterator[Finding]:
        yield from _yaml_problems(
            self,
            project,
            "merge-key",
            "Write the merged keys out; GitHub Actions does not support `<<:`.",
            kinds=("workflow", "action"),
        )


@register
class UnusedIgnore(Rule):
    """A `# shiplint: ignore[...]` comment suppresses nothing.

    Ignores outlive the problems they hid; a stale one hides the next real problem on that
    line. The finding names the codes that matched nothing (unknown codes are reported too).

    Delete the comment, or the codes in it that no longer apply.
    """

    code = "SL004"
    name = "unused-ignore"
    severity = Severity.WARNING
    summary = "An inline ignore comment suppresses nothing"
    before = "- uses: pypa/gh-action-pypi-publish@release/v1  # shiplint: ignore[SL201]\n"
    after = "- uses: pypa/gh-action-pypi-publish@release/v1\n"

    def check(self, project: Project) -> Iterator[Finding]:
        return iter(())  # produced by the engine after all other rules ran


@register
class InternalError(Rule):
    """shiplint itself failed while checking a file with one rule.

    The other rules still ran and their findings are reported. Please report the problem
    with the file that triggered it (the message names the rule and the exception).
    """

    code = "SL005"
    name = "internal-error"
    severity = Severity.ERROR
    summary = "A rule crashed on a file (a bug in shiplint)"

    def check(self, project: Project) -> Iterator[Finding]:
        return iter(())  # produced by the engine


_YAML_KINDS = ("workflow", "action", "ci", "conda-env")
#: files GitHub reads, which it refuses on any YAML problem
_GITHUB_KINDS = ("workflow", "action")

#: YAML problems that leave part of a valid file unread, and what to do about them
_UNREAD_HELP = {
    "too-deep": "Flatten the structure; nothing below this level was checked.",
    "multi-document": "Keep one document per file (CI systems read one); "
    "the documents after the first were not checked.",
}


def _unread_yaml(rule: Rule, project: Project, src: SourceFile) -> Iterator[Finding]:
    """Parts of a YAML file that parsed but were not read: nesting deeper than the limit
    (reported once per file, at the first place) and documents after the first."""
    doc = project.yaml(src)
    if doc is None:
        return
    seen: set[str] = set()
    for kind, message, offset, _related in doc.problems:
        if kind in _UNREAD_HELP and kind not in seen:
            seen.add(kind)
            if kind == "multi-document" and src.kind not in _GITHUB_KINDS:
                # GitLab CI puts a `spec:` header document before the configuration; other
                # tools read several documents too. Only what shiplint skipped is certain.
                yield rule.at(
                    Loc(src, offset, offset),
                    message,
                    "Only the first document was checked: what the others configure (the "
                    "configuration after a GitLab CI `spec:` header, for instance) is not.",
                    severity=Severity.INFO,
                )
                continue
            yield rule.at(Loc(src, offset, offset), message, _UNREAD_HELP[kind])


def _read_scripts(project: Project) -> None:
    """Build the model, which reads the scripts workflows run (``bash release/up.sh``) that
    discovery did not list, so that their read errors are reported too."""
    with contextlib.suppress(Exception):  # a model crash is reported by the rules using it
        project.model  # noqa: B018


def _yaml_problems(
    rule: Rule,
    project: Project,
    kind: str,
    help_text: str,
    kinds: tuple[str, ...] = _YAML_KINDS,
    elsewhere: tuple[Severity, str] | None = None,
) -> Iterator[Finding]:
    """The ``kind`` problems of the YAML files; ``elsewhere``: the severity and help for
    files GitHub does not read."""
    for src in project.of_kind(*kinds):
        doc = project.yaml(src)
        if doc is None:
            continue
        severity, text = None, help_text
        if elsewhere is not None and src.kind not in _GITHUB_KINDS:
            severity, text = elsewhere
        for problem_kind, message, offset, related in doc.problems:
            if problem_kind == kind:
                if related >= 0:
                    message += f" (first defined on line {src.pos(related).line})"
                yield rule.at(Loc(src, offset, offset), message, text, severity=severity)
