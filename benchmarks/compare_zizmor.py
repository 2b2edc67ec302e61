#!/usr/bin/env python3
"""Wall time and peak memory of ``shiplint check`` next to zizmor, on the real-repos corpus.

    python benchmarks/compare_zizmor.py [--runs 7] [--corpus DIR] [--out results.md]

Runs, alternately and ``--runs`` times each (after one untimed warm-up of every command):

* (a) every repository of the corpus, passed as one PATH each, and (b) numpy__numpy alone;
* ``zizmor --offline --no-progress --collect=workflows PATH...`` (installed with pip into
  the current environment when missing);
* ``floor``: ``python -c "import _ruamel_yaml, ruamel.yaml, packaging.requirements, tomllib"``,
  the least any run of a Python tool built on these parsers costs;
* ``shiplint check PATH...`` (with its defaults: one worker process per CPU, at most 4),
  for every ``--shiplint`` command given (to compare versions side by side), twice:
  *cold*, with the results cache off (``SHIPLINT_NO_CACHE=1``: every run audits; these
  are the headline rows), and *warm* (``LABEL (warm cache)``, unless ``--no-warm``): with
  a results cache of its own in a temporary folder, which the warm-up run fills, so every
  timed run is a second run on unchanged repositories (the pre-commit common case). A
  version without the cache shows its cold time in both rows.

Each run is one process: wall time with ``time.perf_counter``, CPU time (user + sys, worker
processes included) and peak resident memory from ``os.wait4``'s rusage (``ru_maxrss``: the
largest single process of the tree, not the sum). Medians are reported, with each shiplint
variant's ratio to zizmor measured in the same alternating rounds. The table is printed and,
with ``--out``, written as Markdown.

Child processes run without ``PYTHONDONTWRITEBYTECODE`` so that, as in any normal install,
Python loads cached bytecode instead of compiling shiplint's modules on every run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-repos"


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kib: int
    code: int


@dataclass
class Series:
    scenario: str
    tool: str
    argv: list[str]
    samples: list[Sample] = field(default_factory=list)
    #: environment overrides of this command (the results cache on or off)
    env: dict[str, str] = field(default_factory=dict)

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))


def run_once(argv: list[str], env: dict[str, str]) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode)


def find_zizmor(install: bool) -> str | None:
    here = Path(sys.executable).parent / "zizmor"
    if here.exists():
        return str(here)
    found = shutil.which("zizmor")
    if found or not install:
        return found
    print("zizmor not found: installing it with pip into this environment ...", file=sys.stderr)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "zizmor"], check=False
    )
    if result.returncode != 0:
        return None
    return str(here) if here.exists() else shutil.which("zizmor")


#: the reference row: Python starting and importing the parsers shiplint cannot do without
#: (the YAML C extension, the TOML reader, packaging's requirement parser), reading no file
FLOOR = "floor (python + parser imports)"
FLOOR_CODE = (
    "import _ruamel_yaml, ruamel.yaml, packaging.requirements\n"
    "try:\n    import tomllib\nexcept ImportError:\n    import tomli\n"
)


def shiplint_argv() -> list[str]:
    script = Path(sys.executable).parent / "shiplint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "shiplint"]


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def render(series: list[Series], runs: int, header: list[str]) -> str:
    lines = [*header, ""]
    lines.append(
        "| scenario | tool | wall (s) | CPU (s) | peak RSS (MiB) | wall ratio "
        "| wall ratio of medians | RSS ratio |"
    )
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in series:
        base = next(x for x in series if x.scenario == s.scenario and x.tool == "zizmor")
        wall_ratios = [a.wall / b.wall for a, b in zip(s.samples, base.samples)]
        wall_ratio = statistics.median(wall_ratios)
        rss_ratio = s.median("rss_kib") / base.median("rss_kib")
        of_medians = s.median("wall") / base.median("wall")
        lines.append(
            f"| {s.scenario} | {s.tool} | {s.median('wall'):.3f} | {s.median('cpu'):.3f} "
            f"| {s.median('rss_kib') / 1024:.1f} | {wall_ratio:.2f}x | {of_medians:.2f}x "
            f"| {rss_ratio:.2f}x |"
        )
    lines.append("")
    lines.append(
        f"Medians of {runs} alternating runs. Wall ratio: the median of the per-round ratios "
        "to zizmor (steadier when the machine's load drifts); wall ratio of medians: median "
        "wall time over zizmor's (1.00x = as fast / as big as zizmor). Rows without "
        "`(warm cache)` run with the results cache off (every run audits); `(warm cache)` "
        "rows are second runs on unchanged repositories, answered from the cache. "
        f"`{FLOOR}`: the interpreter starting and importing the parsers shiplint needs, "
        "reading nothing (no Python tool that parses YAML and TOML can be faster)."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="real-repos folder")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown here")
    parser.add_argument(
        "--no-install", action="store_true", help="do not pip-install zizmor when it is missing"
    )
    parser.add_argument(
        "--no-warm", action="store_true", help="only cold runs (no rows with a warm cache)"
    )
    parser.add_argument("--no-floor", action="store_true", help=f"no `{FLOOR}` reference row")
    parser.add_argument(
        "--shiplint",
        action="append",
        metavar="[LABEL=]COMMAND",
        help="how to start shiplint (default: the shiplint script of this environment); "
        "repeat to compare versions, e.g. 'before=env PYTHONPATH=/old/src python -m shiplint'",
    )
    args = parser.parse_args(argv)

    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}: nothing to measure (skipped)")
        return 0
    repos = sorted(str(p) for p in args.corpus.iterdir() if p.is_dir())
    numpy = args.corpus / "numpy__numpy"
    zizmor = find_zizmor(install=not args.no_install)
    if zizmor is None:
        print("zizmor is not available and could not be installed: skipped")
        return 0

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SHIPLINT_NO_CACHE", None)
    env["NO_COLOR"] = "1"
    cache_dir = tempfile.mkdtemp(prefix="shiplint-bench-cache-")  # never the user's cache
    cold_env = {"SHIPLINT_NO_CACHE": "1", "SHIPLINT_CACHE_DIR": cache_dir}
    warm_env = {"SHIPLINT_CACHE_DIR": cache_dir}
    variants: list[tuple[str, list[str]]] = []
    for spec in args.shiplint or [""]:
        label, sep, command = spec.partition("=")
        if not sep or " " in label:
            label, command = "shiplint", spec
        variants.append((label, shlex.split(command) if command else shiplint_argv()))
    scenarios = [(f"all {len(repos)} repos", repos)]
    if numpy.is_dir():
        scenarios.append(("numpy__numpy", [str(numpy)]))
    series: list[Series] = []
    for name, paths in scenarios:
        series.append(
            Series(
                name,
                "zizmor",
                [zizmor, "--offline", "--no-progress", "--collect=workflows", *paths],
            )
        )
        for label, command in variants:
            series.append(Series(name, label, [*command, "check", *paths], env=cold_env))
        if not args.no_floor:
            series.append(Series(name, FLOOR, [sys.executable, "-c", FLOOR_CODE]))
        if not args.no_warm:
            for label, command in variants:
                argv_ = [*command, "check", *paths]
                series.append(Series(name, f"{label} (warm cache)", argv_, env=warm_env))

    for s in series:  # warm-up: bytecode, the OS file cache and the results cache
        first = run_once(s.argv, {**env, **s.env})
        if first.code not in (0, 1) and not (s.tool == "zizmor" and first.code >= 10):
            print(f"warning: {s.tool} exited with {first.code} on {s.scenario}", file=sys.stderr)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for round_no in range(args.runs):
        for s in series:
            s.samples.append(run_once(s.argv, {**env, **s.env}))
        print(f"round {round_no + 1}/{args.runs} done", file=sys.stderr)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    shutil.rmtree(cache_dir, ignore_errors=True)

    header = [
        "## shiplint vs zizmor",
        "",
        f"- {'; '.join(f'{label}: {tool_version(cmd)}' for label, cmd in variants)}; "
        f"{tool_version([zizmor])}; Python {platform.python_version()}",
        f"- machine: {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}; "
        f"load average {load_before:.2f} before, {load_after:.2f} after",
        f"- corpus: {args.corpus} ({len(repos)} repositories)",
    ]
    table = render(series, args.runs, header)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
