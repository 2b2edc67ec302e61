#!/usr/bin/env python3
"""Where a cold ``shiplint check`` spends its CPU: imports, then per phase and per rule.

    python benchmarks/phases.py [--repeat 5] [PATH ...]

Audits the PATHs (default: every repository of ``shared/corpus/real-repos``) in this one
process, phase by phase as the engine does (discovery and reading, parsing, the release
model, each rule, then releasing the root and collecting its garbage, with the engine's
garbage-collector settings), and prints the best of ``--repeat`` rounds in CPU
milliseconds (the machine is shared: CPU time is steadier than wall time). Imports are
timed once, first, as a fresh process pays them. Complements ``compare_zizmor.py``
(whole-process wall time against zizmor) and ``bench_parse.py`` (the parsers alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-repos"
YAML_KINDS = ("workflow", "action", "ci", "conda-env")
TOML_KINDS = ("pyproject", "tox-toml", "shiplint-toml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="roots to audit (default: the corpus)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best is shown")
    parser.add_argument("--top", type=int, default=12, help="how many rules to list")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(str(p) for p in CORPUS.iterdir() if p.is_dir())
    if not paths:
        print(f"nothing to audit (no PATH, no corpus at {CORPUS})")
        return 0

    started = time.process_time()
    from shiplint.engine import _frozen_heap, _root_garbage, open_configured, run_rule
    from shiplint.rules import all_rules

    rules = all_rules()
    imports = time.process_time() - started

    best: dict[str, float] = {}
    best_rules: dict[str, float] = {}
    with _frozen_heap():  # garbage collection as the engine runs it (see engine.py)
        for round_no in range(args.repeat):
            phases: dict[str, float] = defaultdict(float)
            per_rule: dict[str, float] = defaultdict(float)
            for root in paths:
                with _root_garbage():
                    t0 = time.process_time()
                    project, _config = open_configured(root)
                    project.today = dt.date.today()
                    t1 = time.process_time()
                    for src in project.files:
                        if src.kind in YAML_KINDS:
                            project.yaml(src)
                        elif src.kind in TOML_KINDS:
                            project.toml(src)
                    t2 = time.process_time()
                    project.model  # noqa: B018 - builds the release model
                    t3 = time.process_time()
                    for rule in rules:
                        before = time.process_time()
                        run_rule(rule(), project)
                        per_rule[rule.code] += time.process_time() - before
                    t4 = time.process_time()
                    project.release()
                t5 = time.process_time()
                phases["discover + read"] += t1 - t0
                phases["parse YAML + TOML"] += t2 - t1
                phases["release model"] += t3 - t2
                phases["rules"] += t4 - t3
                phases["release + collect"] += t5 - t4
            total = sum(phases.values())
            if round_no == 0 or total < sum(best.values()):
                best, best_rules = phases, per_rule

    print(f"{len(paths)} roots, best of {args.repeat} rounds, CPU ms")
    print(f"  {'imports (once)':<20} {imports * 1000:7.1f}")
    for name, seconds in best.items():
        print(f"  {name:<20} {seconds * 1000:7.1f}")
    print(f"  {'total (audit)':<20} {sum(best.values()) * 1000:7.1f}")
    slowest = sorted(best_rules.items(), key=lambda item: -item[1])[: args.top]
    top = ", ".join(f"{code} {s * 1000:.1f}" for code, s in slowest)
    print(f"  slowest rules: {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
