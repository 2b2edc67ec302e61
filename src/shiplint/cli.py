"""Command line: ``shiplint check|explain|rules|map|init|docs``. ``main(argv) -> int``.

Exit codes: 0 nothing at or above the fail level, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    import datetime as dt

    from shiplint.engine import RootResult
    from shiplint.report.progress import Progress

from shiplint import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
MAX_FIX_PASSES = 10


def _csv(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _date(text: str) -> dt.date:
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _jobs(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive number of processes: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from shiplint.report import FORMATS

    parser = argparse.ArgumentParser(
        prog="shiplint",
        description="Stop broken or unsafe Python package releases at commit time.",
    )
    parser.add_argument("--version", action="version", version=f"shiplint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="audit release configuration (default: current dir)")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="repository roots or single files (default: .)"
    )
    check.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=FORMATS,
        default="text",
        help="output format (default: text)",
    )
    check.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="only these rules (codes or names, prefix match, comma-separated)",
    )
    check.add_argument(
        "--extend-select",
        action="append",
        metavar="CODES",
        help="add rules to the configured selection",
    )
    check.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        help="skip these rules (codes or names, prefix match)",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that fails the run (default: warning)",
    )
    check.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="date for dated checks (default: today)"
    )
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument(
        "--fix", action="store_true", help="apply safe fixes (edits on exact spans), then report"
    )
    check.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; write nothing"
    )
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix/--diff: also apply unsafe fixes"
    )

    check.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        metavar="N",
        help="audit the PATHs in N processes (default: one per CPU, at most 4; 1: no workers)",
    )
    check.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings of each rule instead of the findings",
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="audit every PATH, without reading or writing the results cache",
    )
    check.add_argument(
        "--output",
        "--output-file",
        dest="output",
        metavar="FILE",
        help="write the report to FILE instead of standard output",
    )

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("rule", metavar="CODE|NAME")

    rules = sub.add_parser("rules", help="list all rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    init = sub.add_parser("init", help="add deploy-record skeletons for every undocumented upload")
    init.add_argument("path", nargs="?", default=".", metavar="PATH")
    init.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")

    docs = sub.add_parser("docs", help="render the deploy record into the release docs")
    docs.add_argument("path", nargs="?", default=".", metavar="PATH")
    docs.add_argument("--file", metavar="FILE", help="docs file (default: release-docs setting)")
    docs.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    docs.add_argument(
        "--check", action="store_true", help="exit 1 if the section is out of date, write nothing"
    )
    docs.add_argument(
        "--diagram",
        action="store_true",
        help="also add the release-flow diagram (Mermaid); once added, `docs` keeps it current",
    )

    map_ = sub.add_parser("map", help="print what is published where, how and when")
    map_.add_argument("paths", nargs="*", metavar="PATH")
    map_.add_argument(
        "--format",
        choices=("text", "json", "mermaid"),
        default="text",
        help="text, JSON, or a Mermaid flowchart per root (default: text)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # what argparse prints and does for --version, without importing it
        sys.stdout.write(f"shiplint {__version__}\n")
        raise SystemExit(EXIT_OK)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "explain":
            return _explain(args.rule)
        if args.command == "rules":
            return _rules(args.format)
        if args.command in ("init", "docs"):
            return _write(args)
        return _map(args)
    except BrokenPipeError:  # pragma: no cover - e.g. `shiplint rules | head`
        return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    import datetime as dt

    from shiplint.config import ConfigError
    from shiplint.engine import Options, audit, default_jobs
    from shiplint.findings import Severity

    options = Options(
        select=_csv(args.select) if args.select else None,
        ignore=_csv(args.ignore),
        extend_select=_csv(args.extend_select),
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
        today=args.today or dt.date.today(),
    )
    paths = args.paths or ["."]
    cache = None
    if not (args.fix or args.diff or args.no_cache):  # fixes write: never from the cache
        from shiplint.cache import open_cache

        cache = open_cache(options)
    cached = [cache.lookup(p) for p in paths] if cache is not None else [None] * len(paths)
    # a cached root passed this check when it was stored (the selectors are in its key)
    unknown = _unknown_selectors(options) if None in cached else []
    if unknown:
        print(f"shiplint: unknown rule code or name: {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    text_format = args.format == "text"
    progress = None
    try:
        if args.fix or args.diff:
            progress = _progress(len(paths), text_format)
            results = audit(paths, options, progress=progress)
        else:  # only the report follows: workers, and no parse trees kept per root
            missing = [p for p, hit in zip(paths, cached) if hit is None]
            progress = _progress(len(missing), text_format)
            jobs = args.jobs or default_jobs()
            fresh = iter(audit(missing, options, jobs=jobs, release=True, progress=progress))
            results = []
            for path, hit in zip(paths, cached):
                if hit is None:
                    hit = next(fresh)
                    if cache is not None:
                        cache.store(path, hit)
                results.append(hit)
            if cache is not None and cache.stored:
                cache.prune()
        if progress is not None:
            progress.done()
        if args.diff:
            fixed = _fix(results, diff=True, unsafe=args.unsafe_fixes)
            print(f"Would fix {fixed} problem{'s' * (fixed != 1)}.", file=sys.stderr)
            return EXIT_FINDINGS if fixed else EXIT_OK
        if args.fix:
            # a fix can reveal another (a new ref makes an input check apply): repeat until
            # nothing changes, as ruff does, so that a second --fix run changes nothing
            total = 0
            for _ in range(MAX_FIX_PASSES):
                fixed = _fix(results, diff=False, unsafe=args.unsafe_fixes)
                if not fixed:
                    break
                total += fixed
                results = audit(args.paths or ["."], options)  # report what is left
            print(f"Fixed {total} problem{'s' * (total != 1)}.", file=sys.stderr)
    except ConfigError as exc:
        if progress is not None:
            progress.done()
        print(f"shiplint: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failing = any(f.severity.rank >= r.fail_on.rank for r in results for f in r.findings)
    fail_on = results[0].fail_on.value if results else "warning"
    report = _report(args, results, fail_on)
    if args.output:
        try:
            _write_report(args.output, report)
        except OSError as exc:
            print(f"shiplint: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(report)
    return EXIT_FINDINGS if failing else EXIT_OK


def _progress(total: int, text_format: bool) -> Progress | None:
    """The progress line of a many-root audit on a terminal (one root: nothing imported)."""
    if total < 2:
        return None
    from shiplint.report.progress import for_run

    return for_run(total, text_format)


def _report(args: argparse.Namespace, results: list[RootResult], fail_on: str) -> str:
    """The report in the requested format (or the per-rule counts with ``--statistics``)."""
    if args.statistics:
        from shiplint.report import statistics

        if args.format == "json":
            return statistics.render_json(results)
        return statistics.render_text(results)
    if args.format == "json":
        from shiplint.report import json_

        return json_.render(results, fail_on)
    if args.format == "sarif":
        from shiplint.report import sarif

        return sarif.render(results)
    if args.format == "github":
        from shiplint.report import github

        return github.render(results)
    from shiplint.report import text

    colour = args.color == "always" or (
        args.color == "auto"
        and not args.output
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
    )
    return text.render(results, colour=colour)


def _write_report(path: str, report: str) -> None:
    """``--output``: write the report (UTF-8), creating missing parent directories."""
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(report)


def _fix(results: list[RootResult], *, diff: bool, unsafe: bool) -> int:
    """Apply (or, with ``diff``, print) the fixes; returns how many findings they fix."""
    from shiplint.fix import plan
    from shiplint.report.redact import redact_text

    fixes = plan((f for r in results for f in r.findings), unsafe=unsafe)
    count = 0
    for item in fixes:
        for finding, reason in item.dropped:
            print(
                f"shiplint: fix skipped: {item.source.root}/{item.source.rel}:{finding.line}: "
                f"{finding.rule}: {reason}",
                file=sys.stderr,
            )
        if not item.changed:
            continue
        if diff:  # the diff's context lines may hold a literal credential: masked
            sys.stdout.write(redact_text(item.source, item.diff()))
        elif not item.write():
            print(f"shiplint: {item.source.rel} changed while fixing; not written", file=sys.stderr)
            continue
        count += len(item.applied)
    return count


def _unknown_selectors(options: object) -> list[str]:
    from shiplint.rules import matching

    keys = (
        (getattr(options, "select", None) or [])
        + getattr(options, "ignore", [])
        + getattr(options, "extend_select", [])
    )
    return [k for k in keys if k.upper() != "ALL" and not matching([k])]


def _explain(key: str) -> int:
    from shiplint.docs import explain
    from shiplint.rules import by_key

    rule = by_key(key)
    if rule is None:
        print(f"shiplint: no rule {key!r}; see `shiplint rules`", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(explain(rule))
    return EXIT_OK


def _rules(fmt: str) -> int:
    from shiplint.docs import rules_json, rules_markdown, rules_text

    render = {"text": rules_text, "json": rules_json, "markdown": rules_markdown}[fmt]
    sys.stdout.write(render())
    return EXIT_OK


def _map(args: argparse.Namespace) -> int:
    from shiplint.config import ConfigError
    from shiplint.deploy.flow import render_projects as render_mermaid
    from shiplint.engine import open_configured
    from shiplint.report.mapview import render_json, render_text
    from shiplint.report.redact import scrub

    paths = args.paths or ["."]
    progress = _progress(len(paths), args.format == "text")
    try:
        projects = [open_configured(p)[0] for p in paths]
    except ConfigError as exc:
        print(f"shiplint: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if progress is not None:  # the models are built here, so that progress shows them
        for index, project in enumerate(projects):
            progress(index, paths[index])
            project.model  # noqa: B018 - built (and kept) for the report
        progress.done()
    render = {"json": render_json, "mermaid": render_mermaid}.get(args.format, render_text)
    sys.stdout.write(scrub(render(projects)))  # upload URLs may carry a password
    return EXIT_OK


def _write(args: argparse.Namespace) -> int:
    """``init`` and ``docs``: plan the change, then show it or write it."""
    from shiplint.config import ConfigError
    from shiplint.deploy.write import WriteError, plan_docs, plan_init
    from shiplint.engine import open_configured
    from shiplint.report.redact import redact_text

    if not os.path.isdir(args.path):
        print(f"shiplint {args.command}: {args.path}: not a directory", file=sys.stderr)
        return EXIT_USAGE
    try:
        project, config = open_configured(args.path)
        if args.command == "init":
            change = plan_init(project)
        else:
            change = plan_docs(project, args.file or config.release_docs, args.diagram)
    except (ConfigError, WriteError) as exc:
        print(f"shiplint {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not change.changed:
        what = (
            change.unchanged_reason or "every upload has a deploy record"
            if args.command == "init"
            else f"the {_generated(change)} of {change.rel} {_is(change)} up to date"
        )
        print(f"shiplint {args.command}: nothing to do: {what}")
        return EXIT_OK
    if getattr(args, "check", False):
        print(
            f"shiplint docs: the {_generated(change)} of {change.rel} {_is(change)} out of date; "
            "run `shiplint docs`",
            file=sys.stderr,
        )
        sys.stdout.write(redact_text(None, change.diff()))
        return EXIT_FINDINGS
    if args.dry_run:
        sys.stdout.write(redact_text(None, change.diff()))
        return EXIT_OK
    try:
        change.write()
    except OSError as exc:
        print(
            f"shiplint {args.command}: cannot write {change.rel}: {exc.strerror}", file=sys.stderr
        )
        return EXIT_USAGE
    if args.command == "init":
        names = ", ".join(change.added)
        print(
            f"shiplint init: added {len(change.added)} deploy record"
            f"{'s' * (len(change.added) != 1)} to {change.rel}: {names}\n"
            "Fill in the TODO values, then run `shiplint check` (and `shiplint docs`)."
        )
    else:
        print(f"shiplint docs: wrote the {_generated(change)} of {change.rel}")
    return EXIT_OK


def _generated(change: object) -> str:
    """What ``shiplint docs`` generates in the file: the section, and the diagram."""
    if "release flow" in getattr(change, "added", ()):
        return "deploy-account section and release-flow diagram"
    return "deploy-account section"


def _is(change: object) -> str:
    return "are" if "release flow" in getattr(change, "added", ()) else "is"
