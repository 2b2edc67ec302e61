#!/usr/bin/env python3
"""``shiplint`` with the speed-ups of docs/performance.md switched off where a switch exists.

    python benchmarks/compare_zizmor.py \\
        --shiplint "speedups-off=python benchmarks/speedups_off.py" --shiplint after=shiplint

Same rules, same results; only slower: the general YAML path (ruamel's composer and the
node converter), pyproject.toml parsed for the configuration too, one process, and every
root's parse trees kept until the report.
"""

from __future__ import annotations

import sys
from typing import Any

from shiplint import cli, engine
from shiplint.config import load_config
from shiplint.parse import yamlcompose


def main() -> int:
    yamlcompose._API[:] = [None]
    engine.configuration = load_config
    serial = engine.audit

    def audit(paths: list[str], options: Any, *, jobs: int = 1, release: bool = False) -> Any:
        return serial(paths, options, jobs=1, release=False)

    engine.audit = audit
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
