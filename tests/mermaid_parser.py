"""The real Mermaid parser, for tests: the ``mermaid`` npm package run by node (no browser).

``tests/mermaid/package.json`` pins mermaid and jsdom; they are installed with npm into
``.cache/mermaid-node`` at the repository root (ignored by git) the first time a test needs
them, and ``tests/mermaid/parse.mjs`` parses a list of diagrams in one node process. Tests
skip when node or npm is not installed; with them, a failed install is a test error.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent / "mermaid"
CACHE = Path(__file__).parent.parent / ".cache" / "mermaid-node"


def _installed(cache: Path) -> bool:
    """The cache holds exactly the pinned versions."""
    wanted = json.loads((HERE / "package.json").read_text())["dependencies"]
    for name, version in wanted.items():
        meta = cache / "node_modules" / name / "package.json"
        if not meta.is_file() or json.loads(meta.read_text()).get("version") != version:
            return False
    return True


def parser_dir() -> Path:
    """The folder holding parse.mjs and its node_modules (installed on first use)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the Mermaid parser test needs node and npm (not installed)")
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "package.json", CACHE / "package.json")
    shutil.copy(HERE / "parse.mjs", CACHE / "parse.mjs")
    if not _installed(CACHE):
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--silent"],
            cwd=CACHE,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0 or not _installed(CACHE):
            pytest.fail(f"npm install of the Mermaid parser failed:\n{done.stderr[-2000:]}")
    return CACHE


def parse(texts: list[str]) -> list[dict[str, Any]]:
    """Each text parsed by mermaid: ``{"ok": True, "type", "nodes", "edges"}`` (labels as
    shown) or ``{"ok": False, "error"}``."""
    where = parser_dir()
    done = subprocess.run(
        ["node", "parse.mjs"],
        cwd=where,
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results
