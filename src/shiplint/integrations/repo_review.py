"""The repo-review plugin: shiplint's rules as checks of repo-review, in a family ``shiplint``.

repo-review (https://repo-review.readthedocs.io) loads plugins from three entry points, all
in this module; it is never imported here (a plugin needs only the entry points):

* fixture ``shiplint_audit`` (:func:`shiplint_audit`): one ``shiplint check`` of the
  repository root, with its ``[tool.shiplint]`` configuration and fail level. repo-review
  computes a fixture once per repository and hands the value to every check, so the
  engine runs once however many checks read it. The value is plain data (:class:`Audit`):
  repo-review deep-copies the fixtures and compares them after every check.
* checks (:func:`repo_review_checks`): one check per rule, named by its code (``SL101``,
  so ``--select SL``/``--ignore SL`` take them all), described by the rule's summary and
  linked to its documentation. A check fails with the rule's findings at or above the fail
  level (``fail-on``, default ``warning``): location, message, help and fix, in Markdown.
  Listed are the rules that ran on this repository (their families read files it has, and
  the configuration selects them) and can fail at that level: an ``info`` rule is listed
  only under ``fail-on = "info"``, or when one of its findings is raised to the fail level;
  the rules of CI systems the repository does not use are not listed at all. Nothing is
  ever skipped. ``repo-review --list-all`` lists every rule.
* family ``shiplint`` (:func:`repo_review_families`).

A configuration ``shiplint check`` refuses (exit 2) is the one failing check ``SL000``.
The repository root is audited, not ``--package-dir``: the workflows that release a
package live at the root. A root that is no local folder (``repo-review gh:org/repo``
reads GitHub through repo-review's ``GHPath``) has the files discovery would read copied
into a temporary folder first (scripts a workflow runs from other folders, and
``extend-include`` files, are then not read); when that fails the family's description
says why and no check is listed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from shiplint.findings import Finding
    from shiplint.rules.base import Rule

FAMILY = "shiplint"
#: the check that fails when shiplint cannot read its configuration (no rule has this code)
CONFIG_CHECK = "SL000"
CONFIG_URL = "https://github.com/shiplint/shiplint#configuration"
HOME_URL = "https://github.com/shiplint/shiplint"


class Failure(NamedTuple):
    """One finding at or above the fail level, as the check shows it (secrets masked)."""

    where: str  # ``path:line:column``, ``path``, or empty for the repository as a whole
    message: str
    help: str
    fix: str  # what the fix does and how to apply it, or empty


class Audit(NamedTuple):
    """The outcome of one audit, as the checks and the family read it."""

    listed: tuple[str, ...]  # codes of the checks to list, in order
    failures: dict[str, tuple[Failure, ...]]  # by rule code
    fail_on: str = "warning"
    config_error: str = ""  # why shiplint refused the configuration
    not_audited: str = ""  # why the root was not audited


def shiplint_audit(root: Any, list_all: bool) -> Audit:
    """Fixture: audit the repository root once (see the module docstring)."""
    if list_all:
        from shiplint.rules.index import RULES

        codes = (CONFIG_CHECK, *(code for code, _name, _family in RULES))
        return Audit(listed=codes, failures={})
    if isinstance(root, os.PathLike):
        return _audit(os.fspath(root))
    import tempfile

    with tempfile.TemporaryDirectory(prefix="shiplint-repo-review-") as folder:
        try:
            _copy_release_files(root, Path(folder))
        except (OSError, ValueError) as exc:  # a remote root that cannot be read
            return Audit(listed=(), failures={}, not_audited=f"{type(exc).__name__}: {exc}")
        return _audit(folder)


def _copy_release_files(root: Any, target: Path) -> None:
    """Copy the files discovery would read (and the ``.gitignore`` files it honours) from
    a Traversable that is no local folder (``repo-review gh:org/repo``: repo-review's
    ``GHPath``) into ``target``, walking only the folders discovery walks."""
    from shiplint.discover import Walk

    walk = Walk()
    pending: list[tuple[Any, str, bool]] = [(root, "", False)]
    while pending:
        folder, rel, whole = pending.pop()
        for entry in folder.iterdir():
            name = str(entry.name)
            if name in ("", ".", "..") or "/" in name or "\\" in name:
                continue
            child = f"{rel}/{name}" if rel else name
            if entry.is_dir():
                walks, child_whole = walk.walks(rel, child, name, whole)
                if walks:
                    pending.append((entry, child, child_whole))
            elif entry.is_file() and (name == ".gitignore" or walk.kind(child, name)):
                path = target.joinpath(*child.split("/"))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(entry.read_bytes())


def _audit(root_arg: str) -> Audit:
    """``shiplint check`` of the folder ``root_arg``, as the checks read it."""
    from shiplint.config import ConfigError
    from shiplint.engine import Options, audit_root, selected_codes
    from shiplint.rules import rules_for

    options = Options()
    try:
        result = audit_root(root_arg, options)
    except ConfigError as exc:
        from shiplint.report.redact import scrub

        return Audit(listed=(CONFIG_CHECK,), failures={}, config_error=scrub(str(exc)))
    fail_rank = result.fail_on.rank
    failures: dict[str, list[Failure]] = {}
    for finding in result.findings:
        if finding.severity.rank >= fail_rank:
            failures.setdefault(finding.rule, []).append(_failure(finding))
    codes = selected_codes(result.config, options)
    kinds = {src.kind for src in result.project.files}
    ran = {
        rule.code
        for rule in rules_for(kinds, codes)
        if rule.code in codes and rule.severity.rank >= fail_rank
    }
    return Audit(
        listed=tuple(sorted(ran | failures.keys())),
        failures={code: tuple(found) for code, found in failures.items()},
        fail_on=result.fail_on.value,
    )


def _failure(finding: Finding) -> Failure:
    from shiplint.report.redact import scrub

    where = finding.path
    if where and finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    fix = ""
    if finding.fix is not None:
        command = "shiplint check --fix" + ("" if finding.fix.safe else " --unsafe-fixes")
        fix = f"{finding.fix.description} (`{command}`)"
    return Failure(where, scrub(finding.message), scrub(finding.help), scrub(fix))


class RuleCheck:
    """The repo-review check of one shiplint rule."""

    family = FAMILY

    def __init__(self, rule: type[Rule]) -> None:
        self.code = rule.code
        # repo-review formats the description and the URL with str.format
        self.__doc__ = _format_safe(rule.summary)
        self.url = _format_safe(rule.url())

    def check(self, shiplint_audit: Audit) -> str:
        """The findings of the rule at or above the fail level (empty: the check passes)."""
        return failure_text(shiplint_audit.failures.get(self.code, ()))


class ConfigCheck:
    """shiplint can read its configuration"""

    family = FAMILY
    url = CONFIG_URL

    def check(self, shiplint_audit: Audit) -> str:
        """The configuration error, as ``shiplint check`` reports it (exit 2)."""
        error = shiplint_audit.config_error
        return f"shiplint: configuration error: {markdown_text(error)}" if error else ""


def repo_review_checks(shiplint_audit: Audit) -> dict[str, RuleCheck | ConfigCheck]:
    """Entry point ``repo_review.checks``: the checks listed for this repository."""
    from shiplint.rules import by_key

    checks: dict[str, RuleCheck | ConfigCheck] = {}
    for code in shiplint_audit.listed:
        if code == CONFIG_CHECK:
            checks[code] = ConfigCheck()
            continue
        rule = by_key(code)
        if rule is not None:
            checks[code] = RuleCheck(rule)
    return checks


def repo_review_families(shiplint_audit: Audit) -> dict[str, dict[str, object]]:
    """Entry point ``repo_review.families``: the family ``shiplint``, after the general ones."""
    from shiplint import __version__

    description = (
        f"Release configuration checked by [shiplint]({HOME_URL}) {__version__}: "
        "workflows, CI files and scripts that build and upload, and the deploy-account "
        f"record. A check fails with the rule's findings at level `{shiplint_audit.fail_on}` "
        "or above; `shiplint check` shows them with their source lines."
    )
    if shiplint_audit.not_audited:
        description = f"Not audited: {shiplint_audit.not_audited}"
    return {FAMILY: {"name": "shiplint", "order": 100, "description": description}}


def failure_text(failures: tuple[Failure, ...]) -> str:
    """The Markdown a failing check shows: a list item a finding (location and message),
    with its help (unless the previous item had the same) and fix."""
    items: list[str] = []
    previous_help = None
    for failure in failures:
        head = markdown_text(failure.message)
        if failure.where:
            head = f"{code_span(failure.where)}: {head}"
        lines = [f"- {head}"]
        if failure.help and failure.help != previous_help:
            lines += ["", *("  " + line if line else "" for line in help_markdown(failure.help))]
        if failure.fix:
            lines += ["", f"  Fix: {markdown_text(failure.fix)}"]
        previous_help = failure.help
        items.append("\n".join(lines))
    return "\n".join(items)


def help_markdown(help_text: str) -> list[str]:
    """A finding's help as Markdown lines: its text escaped, and its indented lines (a
    snippet to paste, such as a deploy-record table) as a fenced code block."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            fence = "`" * max(3, _longest_backtick_run("\n".join(block)) + 1)
            out.extend(["", fence, *block, fence, ""])
            block.clear()

    for line in help_text.splitlines():
        if line.startswith("    ") and (block or out):
            block.append(line[4:])
            continue
        flush()
        out.append(markdown_text(line))
    flush()
    while out and not out[-1]:
        out.pop()
    return out


#: characters that Markdown may read as markup (or HTML) outside code spans
_MARKUP = frozenset("\\*_[]<>&#|~")


def markdown_text(text: str) -> str:
    """Plain text with code spans (```x```) as Markdown: the code spans kept, every
    markup character outside them escaped (a message quotes repository content, which
    must not become links or HTML). Unbalanced backticks are escaped too."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: no code spans
        return _escape(text)
    return "`".join(part if i % 2 else _escape(part) for i, part in enumerate(parts))


def code_span(text: str) -> str:
    """``text`` as one Markdown code span, whatever backticks it holds."""
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if "`" in text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _MARKUP or c == "`" else c for c in text)


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def _format_safe(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
