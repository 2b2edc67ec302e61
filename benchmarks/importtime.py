#!/usr/bin/env python3
"""What a cold ``shiplint check --no-cache`` imports, and what each import costs.

    python benchmarks/importtime.py [--repeat 5] [--top 15] [PATH ...]

Runs ``python -X importtime -m shiplint check --no-cache PATH`` ``--repeat`` times for
each PATH (default: a workflow-only repository made in a temporary folder, holding one
``.github/workflows/release.yml``, and numpy from ``shared/corpus/real-repos``) and prints,
per PATH: the total import time, shiplint's own share (the self time of ``shiplint.*``
modules), and the top modules by self and by cumulative time. Each figure is the median
over the rounds (the machine is shared; one round is noisy). Run it from the repository
with the source first on the path (``PYTHONPATH=src``) to measure the working tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-repos"
WORKFLOW = """\
name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - run: python -m pip install build && python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def parse_importtime(stderr: str) -> tuple[dict[str, int], dict[str, int], int]:
    """Self and cumulative microseconds per module, and the total (top-level sum)."""
    self_us: dict[str, int] = {}
    cumulative: dict[str, int] = {}
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cum, name = line[len("import time:") :].split("|", 2)
        module = name.strip()
        self_us[module] = self_us.get(module, 0) + int(own)
        cumulative[module] = cumulative.get(module, 0) + int(cum)
        if not name.startswith("  "):  # nesting is shown by two spaces a level
            total += int(cum)
    return self_us, cumulative, total


def run_once(path: str) -> tuple[dict[str, int], dict[str, int], int]:
    command = [sys.executable, "-X", "importtime", "-m", "shiplint", "check", "--no-cache", path]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return parse_importtime(done.stderr)


def report(label: str, path: str, repeat: int, top: int) -> None:
    selfs: dict[str, list[int]] = defaultdict(list)
    cums: dict[str, list[int]] = defaultdict(list)
    totals: list[int] = []
    own: list[int] = []
    for _ in range(repeat):
        self_us, cumulative, total = run_once(path)
        totals.append(total)
        own.append(sum(v for k, v in self_us.items() if k.split(".")[0] == "shiplint"))
        for module, value in self_us.items():
            selfs[module].append(value)
        for module, value in cumulative.items():
            cums[module].append(value)
    med_self = {m: statistics.median(v) for m, v in selfs.items()}
    med_cum = {m: statistics.median(v) for m, v in cums.items()}
    print(f"{label}: {path}")
    print(f"  modules imported     {len(selfs):7d}")
    print(f"  total import time    {statistics.median(totals) / 1000:7.1f} ms (median of {repeat})")
    print(f"  shiplint's own       {statistics.median(own) / 1000:7.1f} ms (self time)")
    print(f"  top {top} by self time (ms):")
    for module, value in sorted(med_self.items(), key=lambda item: -item[1])[:top]:
        print(f"    {value / 1000:6.1f}  {module}")
    print(f"  top {top} by cumulative time (ms):")
    for module, value in sorted(med_cum.items(), key=lambda item: -item[1])[:top]:
        print(f"    {value / 1000:6.1f}  {module}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="roots to check (default: see above)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds; medians are shown")
    parser.add_argument("--top", type=int, default=15, help="how many modules to list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, str]] = [(p, p) for p in args.paths]
        if not targets:
            workflows = Path(tmp) / ".github" / "workflows"
            workflows.mkdir(parents=True)
            (workflows / "release.yml").write_text(WORKFLOW, encoding="utf-8")
            targets.append(("workflow-only repository", tmp))
            numpy = CORPUS / "numpy__numpy"
            if numpy.is_dir():
                targets.append(("numpy", os.fspath(numpy)))
        for label, path in targets:
            report(label, path, args.repeat, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
