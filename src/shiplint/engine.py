"""Run an audit: discover files → parse → release model → rules → findings (filtered)."""

from __future__ import annotations

import datetime as dt
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shiplint.config import Config, ConfigError, load_config
from shiplint.findings import Finding, Severity
from shiplint.project import Project, read_source
from shiplint.rules import all_rules, by_key, matching
from shiplint.rules.base import dedupe

if TYPE_CHECKING:
    from shiplint.rules.base import Rule
    from shiplint.source import SourceFile

_IGNORE_RE = re.compile(r"[#;]\s*shiplint:\s*ignore\[([^\]]*)\]")


@dataclass
class Options:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    fail_on: Severity | None = None
    today: dt.date = field(default_factory=dt.date.today)


@dataclass
class RootResult:
    root: str
    project: Project
    config: Config
    findings: list[Finding]
    fail_on: Severity


def open_project(root_arg: str) -> Project:
    """Discover and read the files of one PATH (a directory, or a single file)."""
    from shiplint.discover import classify_single, discover

    path = Path(root_arg)
    if path.is_dir():
        files = [read_source(d.path, d.rel, root_arg, d.kind) for d in discover(path)]
        return Project(root_arg, path, files)
    if path.exists() or path.is_symlink():
        parent = os.path.dirname(root_arg) or "."
        src = read_source(path, path.name, parent, classify_single(path))
        project = Project(parent, Path(parent), [src])
        project.single_file = True
        return project
    raise ConfigError(f"{root_arg}: no such file or directory")


def selected_codes(config: Config, options: Options) -> set[str]:
    select = options.select if options.select is not None else config.select
    codes = matching(select if select is not None else ["ALL"])
    codes |= matching(config.extend_select + options.extend_select)
    codes -= matching(config.ignore + options.ignore)
    return codes


def audit_root(root_arg: str, options: Options) -> RootResult:
    project = open_project(root_arg)
    config = load_config(project.root_path) if Path(root_arg).is_dir() else Config()
    project.today = options.today
    project.config = config
    codes = selected_codes(config, options)
    findings: list[Finding] = []
    for rule_cls in all_rules():
        if rule_cls.code not in codes:
            continue
        findings.extend(run_rule(rule_cls(), project))
    findings = list(dedupe(findings))
    findings = apply_ignores(project, config, findings, codes)
    for finding in findings:
        finding.root = project.root
        finding.path = finding.source.rel if finding.source else ""
    findings.sort(key=Finding.sort_key)
    fail_on = options.fail_on or config.fail_on or Severity.WARNING
    return RootResult(project.root, project, config, findings, fail_on)


def run_rule(rule: Rule, project: Project) -> list[Finding]:
    """Run one rule; a crash becomes an internal-error finding and the audit goes on."""
    try:
        return list(rule.check(project))
    except Exception as exc:
        internal = by_key("SL005")
        assert internal is not None
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        finding = internal().at(
            None,
            f"rule {rule.code} ({rule.name}) crashed: {type(exc).__name__}: {exc} [{where}]",
            "This is a bug in shiplint; the other rules still ran. Please report it.",
            source=getattr(project, "current_source", None),
        )
        return [finding]


def apply_ignores(
    project: Project, config: Config, findings: list[Finding], codes: set[str]
) -> list[Finding]:
    """Drop findings silenced by per-file ignores or ``# shiplint: ignore[...]`` comments,
    and report comments that silence nothing (for selected rules)."""
    comments: dict[str, dict[int, tuple[list[str], int]]] = {}
    for src in project.files:
        if src.text is not None and "shiplint:" in src.text:
            comments[src.rel] = _ignore_comments(src)
    used: set[tuple[str, int, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        where = finding.source
        if where is not None:
            per_file = matching(config.ignored_for(where.rel)) if config.per_file_ignores else set()
            if finding.rule in per_file:
                continue
            if finding.line is not None and where.rel in comments:
                entry = comments[where.rel].get(finding.line)
                if entry is not None:
                    hit = [k for k in entry[0] if k.upper() == finding.rule or k == finding.name]
                    if hit:
                        used.update((where.rel, finding.line, k) for k in hit)
                        continue
        kept.append(finding)
    unused_rule = by_key("SL004")
    if unused_rule is None or unused_rule.code not in codes:
        return kept
    for rel, lines in comments.items():
        src = project.by_rel[rel]
        for line, (keys, col) in lines.items():
            stale = []
            for key in keys:
                rule = by_key(key)
                if rule is None:
                    stale.append(f"{key} (unknown rule)")
                elif rule.code in codes and (rel, line, key) not in used:
                    stale.append(key)
            if stale:
                finding = unused_rule().at(
                    None,
                    f"ignore comment suppresses nothing: {', '.join(stale)}",
                    "Remove the stale codes (or the whole comment).",
                    source=src,
                )
                finding.line, finding.column = line, col
                kept.append(finding)
    return kept


def _ignore_comments(src: SourceFile) -> dict[int, tuple[list[str], int]]:
    found: dict[int, tuple[list[str], int]] = {}
    text = src.text or ""
    for match in _IGNORE_RE.finditer(text):
        pos = src.pos(match.start())
        keys = [k.strip() for k in match.group(1).split(",") if k.strip()]
        found[pos.line] = (keys, pos.col)
    return found


def audit(paths: list[str], options: Options) -> list[RootResult]:
    return [audit_root(p, options) for p in paths]
