#!/usr/bin/env python3
"""Micro-benchmark of shiplint's parse layer on the real-repos corpus.

    python benchmarks/bench_parse.py [--corpus DIR] [--repeat 5] [--general-yaml]

Discovers and reads every root of the corpus once, then times each parser over all the
files of its kinds (best of ``--repeat`` passes, in-process, CPU time): YAML
(``parse/yamlload``), TOML with positions (``parse/tomlpos``), INI (``parse/ini``), Python
syntax trees (``ast.parse``) and shell (``parse/shell.parse_script`` on every workflow
``run:`` block). ``--general-yaml`` adds the general YAML path (ruamel's composer and the
node converter) for comparison with the event composer.

The "... unpickled" rows time loading the same YAML and TOML results with ``pickle``: the
most a cache of parse results on disk could save per kind (docs/performance.md).
"""

from __future__ import annotations

import argparse
import ast
import pickle
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-repos"


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _parse_all(parse: Callable[[Any], Any], items: list[Any]) -> None:
    for item in items:
        parse(item)


def run_blocks(sources: Iterable[Any]) -> list[str]:
    from shiplint.parse.yamlload import parse_yaml
    from shiplint.parse.yamlnodes import YMap, walk_scalars

    blocks: list[str] = []
    for src in sources:
        doc, _ = parse_yaml(src)
        if doc is None or not isinstance(doc.root, YMap):
            continue
        for path, scalar in walk_scalars(doc.root):
            if path and path[-1] == "run":
                blocks.append(scalar.value)
    return blocks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--general-yaml", action="store_true")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}: skipped")
        return 0

    from shiplint.engine import open_project
    from shiplint.parse import yamlcompose, yamlload
    from shiplint.parse.ini import parse_ini
    from shiplint.parse.shell import parse_script
    from shiplint.parse.tomlpos import parse_toml
    from shiplint.project import INI_KINDS, PY_KINDS, TOML_KINDS, YAML_KINDS

    files: list[Any] = []
    for root in sorted(p for p in args.corpus.iterdir() if p.is_dir()):
        files.extend(f for f in open_project(str(root)).files if f.text is not None)
    by_kind: dict[str, list[Any]] = {"yaml": [], "toml": [], "ini": [], "python": []}
    for src in files:
        for name, kinds in (
            ("yaml", YAML_KINDS),
            ("toml", TOML_KINDS),
            ("ini", INI_KINDS),
            ("python", PY_KINDS),
        ):
            if src.kind in kinds:
                by_kind[name].append(src)
    blocks = run_blocks(by_kind["yaml"])

    parsers: dict[str, Callable[[Any], Any]] = {
        "yaml": yamlload.parse_yaml,
        "toml": parse_toml,
        "ini": parse_ini,
        "python": lambda src: ast.parse(src.text),
    }
    rows: list[tuple[str, int, int, float]] = []
    for name, parse in parsers.items():
        sources = by_kind[name]
        size = sum(len(s.text) for s in sources)
        seconds = best_of(args.repeat, partial(_parse_all, parse, sources))
        rows.append((name, len(sources), size, seconds))
    if args.general_yaml:
        saved = yamlcompose._API[:]
        yamlcompose._API[:] = [None]
        try:
            sources = by_kind["yaml"]
            seconds = best_of(args.repeat, lambda: [yamlload.parse_yaml(s) for s in sources])
        finally:
            yamlcompose._API[:] = saved
        rows.append(
            ("yaml (general path)", len(sources), sum(len(s.text) for s in sources), seconds)
        )
    seconds = best_of(args.repeat, lambda: [parse_script(b) for b in blocks])
    rows.append(("shell (run: blocks)", len(blocks), sum(map(len, blocks)), seconds))

    # what a cache of parse results could save at most: loading them with pickle
    for name in ("yaml", "toml"):
        blobs = [pickle.dumps(parsers[name](s)[0], pickle.HIGHEST_PROTOCOL) for s in by_kind[name]]
        seconds = best_of(args.repeat, partial(_parse_all, pickle.loads, blobs))
        rows.append((f"{name} unpickled", len(blobs), sum(map(len, blobs)), seconds))

    print(f"{'parser':<22} {'files':>6} {'chars':>9} {'total ms':>9} {'us/file':>8} {'MB/s':>6}")
    for name, count, size, seconds in rows:
        per = seconds / count * 1e6 if count else 0.0
        rate = size / seconds / 1e6 if seconds else 0.0
        print(f"{name:<22} {count:>6} {size:>9} {seconds * 1e3:>9.1f} {per:>8.0f} {rate:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
