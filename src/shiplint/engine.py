"""Run an audit: discover files → parse → release model → rules → findings (filtered)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from shiplint.config import Config, ConfigError, load_config
from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.project import MAX_FILE_BYTES, Project, read_source
from shiplint.rules import all_rules, by_key, code_of, matching, rules_for
from shiplint.rules.base import dedupe
from shiplint.source import source_in_traceback

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from shiplint.discover import Walk
    from shiplint.rules.base import Rule
    from shiplint.source import SourceFile

_IGNORE_RE = LazyPattern(r"[#;]\s*shiplint:\s*ignore\[([^\]]*)\]")


class Options:
    """What a ``check`` asks for beyond the configuration (the results cache keys every
    attribute, in this order)."""

    def __init__(
        self,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        extend_select: list[str] | None = None,
        fail_on: Severity | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.select = select
        self.ignore: list[str] = [] if ignore is None else ignore
        self.extend_select: list[str] = [] if extend_select is None else extend_select
        self.fail_on = fail_on
        self.today: dt.date = dt.date.today() if today is None else today

    def __repr__(self) -> str:
        return f"Options({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


class RootResult:
    """The findings of one root, with what the report needs to show them."""

    def __init__(
        self,
        root: str,
        project: Project,
        config: Config,
        findings: list[Finding],
        fail_on: Severity,
    ) -> None:
        self.root = root
        self.project = project
        self.config = config
        self.findings = findings
        self.fail_on = fail_on


def open_project(
    root_arg: str, max_bytes: int = MAX_FILE_BYTES, walk: Walk | None = None
) -> Project:
    """Discover and read the files of one PATH (a directory, or a single file).

    YAML in the folders where projects keep workflows for users to copy (kind ``example``)
    is kept as a workflow marked ``example`` when its content is one
    (:func:`~shiplint.discover.workflow_shaped`), and dropped otherwise. YAML in CI
    folders (kinds ``ci`` and ``env-candidate``) whose content is a conda environment
    (:func:`~shiplint.discover.conda_env_shaped`) is read as one (``conda-env``); other
    ``env-candidate`` files are dropped. ``walk`` carries the configuration's
    ``extend-include``/``extend-exclude``."""
    from shiplint.discover import classify_single, discover, workflow_shaped

    path = Path(root_arg)
    if path.is_dir():
        found = discover(path, non_files=True, walk=walk)
        files = []
        for d in found:
            src = read_source(d.path, d.rel, root_arg, d.kind, max_bytes)
            if src.kind == "example":
                if src.text is None or not workflow_shaped(src.text):
                    continue
                src.kind, src.example = "workflow", True
            elif src.kind in _ENV_CANDIDATES:
                src.kind = _content_kind(src)
                if src.kind == "env-candidate":
                    continue
            files.append(src)
        project = Project(root_arg, path, files)
        project.max_file_bytes = max_bytes
        return project
    if path.exists() or path.is_symlink():
        parent = os.path.dirname(root_arg) or "."
        src = read_source(path, path.name, parent, classify_single(path), max_bytes)
        if src.kind == "example":  # named on the command line: a workflow either way
            src.kind = "workflow"
            src.example = src.text is not None and workflow_shaped(src.text)
        elif src.kind in _ENV_CANDIDATES:  # else as before: a CI file, or a workflow
            src.kind = _content_kind(src)
            if src.kind == "env-candidate":
                src.kind = "workflow"
        project = Project(parent, Path(parent), [src])
        project.single_file = True
        project.max_file_bytes = max_bytes
        return project
    raise ConfigError(f"{root_arg}: no such file or directory")


#: kinds of YAML in CI folders that are read as conda environments when they are ones
_ENV_CANDIDATES = frozenset({"ci", "env-candidate"})


def _content_kind(src: SourceFile) -> str:
    """``conda-env`` for a file whose content is a conda environment, else its kind."""
    from shiplint.discover import conda_env_shaped

    if src.text is None or not conda_env_shaped(src.text):
        return src.kind
    return "conda-env"


def selected_codes(config: Config, options: Options) -> set[str]:
    select = options.select if options.select is not None else config.select
    codes = matching(select if select is not None else ["ALL"])
    codes |= matching(config.extend_select + options.extend_select)
    codes -= matching(config.ignore + options.ignore)
    return codes


def configuration(root: Path) -> Config:
    """:func:`load_config`, without parsing pyproject.toml when it cannot configure shiplint.

    With no ``shiplint.toml`` and no ``shiplint`` in pyproject.toml (nor an escape that
    could spell it in a quoted key), ``load_config`` finds no ``[tool.shiplint]`` and
    returns the defaults; the rules parse pyproject.toml anyway, so this saves a second
    parse for every repository that does not configure shiplint. Anything unusual (a
    missing, special or large file) goes to ``load_config``.
    """
    path = root / "pyproject.toml"
    try:
        if os.path.lexists(root / "shiplint.toml"):
            return load_config(root)
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 1024 * 1024:
            return load_config(root)
        with open(path, "rb") as handle:
            data = handle.read(1024 * 1024 + 1)
    except (OSError, ValueError):
        return load_config(root)
    if b"shiplint" in data or b"\\u" in data or b"\\U" in data or b"\\x" in data:
        return load_config(root)
    return Config()


def root_config(root_arg: str) -> Config:
    """The configuration a PATH is audited with (the defaults for a single file)."""
    return configuration(Path(root_arg)) if Path(root_arg).is_dir() else Config()


def open_configured(root_arg: str) -> tuple[Project, Config]:
    """:func:`open_project` with the PATH's configuration (its ``max-file-size`` too)."""
    config = root_config(root_arg)
    walk = None
    if config.extend_include or config.extend_exclude:
        from shiplint.discover import Walk

        walk = Walk(config.extend_include, config.extend_exclude)
    project = open_project(root_arg, config.max_file_size, walk)
    project.config = config
    return project, config


def audit_root(root_arg: str, options: Options) -> RootResult:
    project, config = open_configured(root_arg)
    project.today = options.today
    codes = selected_codes(config, options)
    findings: list[Finding] = []
    kinds = {src.kind for src in project.files}
    for rule_cls in rules_for(kinds, codes):
        if rule_cls.code not in codes:
            continue
        found = run_rule(rule_cls(), project)
        if not rule_cls.on_examples:
            found = [f for f in found if f.source is None or not f.source.example]
        findings.extend(found)
    findings = list(dedupe(findings))
    findings = apply_ignores(project, config, findings, codes)
    for finding in findings:
        finding.root = project.root
        finding.path = finding.source.rel if finding.source else ""
        src = finding.source
        if src is not None and src.example and src.rel not in project.templates:
            mark_example(finding)  # (a Jinja template is no workflow: SL007 says so)
    findings.sort(key=Finding.sort_key)
    fail_on = options.fail_on or config.fail_on or Severity.WARNING
    return RootResult(project.root, project, config, findings, fail_on)


def mark_example(finding: Finding) -> None:
    """Say that a finding is in an example workflow: in its message, and as
    ``extra["example"]`` (the JSON report's ``example`` field, SARIF's properties)."""
    finding.message += " (example workflow)"
    finding.extra["example"] = "workflow"


def run_rule(rule: Rule, project: Project) -> list[Finding]:
    """Run one rule; a crash becomes an internal-error finding and the audit goes on."""
    try:
        return list(rule.check(project))
    except Exception as exc:
        import traceback  # imported here: a cached run imports neither

        from shiplint.report.redact import redact_text

        internal = by_key("SL005")
        assert internal is not None
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        src = getattr(project, "current_source", None) or source_in_traceback(exc.__traceback__)
        detail = redact_text(src, str(exc))[:300]  # the message may quote the input
        finding = internal().at(
            None,
            f"rule {rule.code} ({rule.name}) crashed: {type(exc).__name__}: {detail} [{where}]",
            "This is a bug in shiplint; the other rules still ran. Please report it.",
            source=src,
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
                code = code_of(key)
                if code is None:
                    stale.append(f"{key} (unknown rule)")
                elif code in codes and (rel, line, key) not in used:
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


def audit(
    paths: list[str],
    options: Options,
    *,
    jobs: int = 1,
    release: bool = False,
    progress: Callable[[int, str], None] | None = None,
) -> list[RootResult]:
    """Audit every PATH, in order.

    ``release`` drops each root's parse trees and model once its rules have run (see
    :meth:`Project.release`): the findings and files are all a report needs, and memory
    then stays that of one root. ``jobs`` > 1 audits the roots in that many processes
    (forked, so each starts with everything already imported); the results, and the
    first error in PATH order, are those of the serial run. ``progress`` is called with
    each root's index and PATH as its audit starts (in a worker: in that worker).
    """
    workers = min(jobs, len(paths))
    with _frozen_heap():
        if workers > 1 and _can_fork():
            return _audit_forked(paths, options, workers, progress)
        results = []
        for index, path in enumerate(paths):
            if progress is not None:
                progress(index, path)
            with _root_garbage():
                result = audit_root(path, options)
                if release:
                    result.project.release()
            results.append(result)
        return results


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the objects that exist before the audit (modules, facts) out of the garbage
    collector's passes while it runs (``gc.freeze``): full collections would walk them all
    again and again, and a forked worker would copy every page whose objects it walks."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _root_garbage() -> Iterator[None]:
    """Collect one root's garbage once, after its audit (and release), instead of every 700
    allocations during it.

    An audit allocates hundreds of thousands of small objects that live until its root is
    released: each automatic collection during it walks them again, for nothing (about a
    tenth of the audit's CPU). The threshold is raised for the root's audit (a root that
    allocates far more still triggers collections) and the young generations are collected
    once at the end, when the released trees are gone and only their cycles are left.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 50_000), old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.collect(1)


def _can_fork() -> bool:
    """Forking is safe: Linux, and no other thread (its locks would be copied held)."""
    import threading

    return (
        hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1
    )


def default_jobs() -> int:
    """Worker processes for ``check``: one per available CPU, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _audit_forked(
    paths: list[str],
    options: Options,
    workers: int,
    progress: Callable[[int, str], None] | None = None,
) -> list[RootResult]:
    """Audit ``paths`` in this process and ``workers - 1`` forked children.

    The roots' indexes are queued in a pipe that every process reads (reads of 4 bytes are
    atomic), so a process that finishes a small root takes the next one. A child pickles
    its ``(index, result)`` pairs, projects released, to its own pipe; a root whose audit
    raised in a child, or that a child did not report (it died), is audited here again,
    so errors are raised exactly as a serial run raises them.
    """
    import pickle

    if len(paths) >= 16_000:  # the queue must fit in the pipe buffer
        return audit(paths, options, jobs=1, release=True, progress=progress)
    from shiplint.facts import load

    all_rules()  # import the rule modules and read the facts once, before forking
    with contextlib.suppress(Exception):  # a broken facts file is each rule's crash (SL005)
        load()
    queue_r, queue_w = os.pipe()
    os.write(queue_w, b"".join(i.to_bytes(4, "little") for i in range(len(paths))))
    os.close(queue_w)
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []
    for _ in range(workers - 1):
        result_r, result_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            status = 0
            try:
                os.close(result_r)
                done = _take_roots(queue_r, paths, options, progress)
                payload = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(result_w, "wb") as sink:
                    sink.write(payload)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(result_w)
        children.append((pid, result_r))
    results: dict[int, RootResult | None] = dict(_take_roots(queue_r, paths, options, progress))
    os.close(queue_r)
    for pid, result_r in children:
        with os.fdopen(result_r, "rb") as incoming:
            payload = incoming.read()
        os.waitpid(pid, 0)
        # a child that died mid-way sent nothing usable: its roots are audited below
        with contextlib.suppress(Exception):
            results.update(pickle.loads(payload))
    out: list[RootResult] = []
    for index, path in enumerate(paths):
        result = results.get(index)
        if result is None:
            result = audit_root(path, options)  # raises as the serial run would
            result.project.release()
        out.append(result)
    return out


def _take_roots(
    queue: int,
    paths: list[str],
    options: Options,
    progress: Callable[[int, str], None] | None = None,
) -> list[tuple[int, RootResult | None]]:
    """Audit the roots whose indexes this process reads from ``queue`` (None: it raised)."""
    done: list[tuple[int, RootResult | None]] = []
    while True:
        raw = os.read(queue, 4)
        if len(raw) < 4:
            return done
        index = int.from_bytes(raw, "little")
        if progress is not None:
            progress(index, paths[index])
        with _root_garbage():
            try:
                result: RootResult | None = audit_root(paths[index], options)
            except Exception:
                result = None
            if result is not None:
                result.project.release()
        done.append((index, result))
