"""Progress of a many-root ``check``/``map`` on standard error: on a terminal (a real
pseudo-terminal here) and for the text format only; nothing when piped or for other formats."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

import shiplint
from tests.conftest import write_tree

SRC = Path(shiplint.__file__).resolve().parent.parent
ERASE = "\r\x1b[K"
WORKFLOW = """
    on: release
    jobs:
      pypi:
        runs-on: ubuntu-latest
        steps:
          - run: twine upload dist/*
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


def _shiplint(argv: list[str], cwd: Path, *, tty: bool) -> tuple[str, str]:
    """Run the command line with stdout piped and stderr a pseudo-terminal (``tty``) or a
    pipe; returns (stdout, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "shiplint", *argv]
    if not tty:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
        )
        return done.stdout, done.stderr
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=slave,
        )  # fmt: skip
        os.close(slave)
        out, _ = proc.communicate(timeout=120)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    return out.decode(), b"".join(chunks).decode()


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    for name in ("alpha", "beta", "gamma"):
        write_tree(tmp_path / name, {".github/workflows/release.yml": WORKFLOW})
    return tmp_path


SERIAL = f"{ERASE}[1/3] alpha{ERASE}[2/3] beta{ERASE}[3/3] gamma{ERASE}"


@pytest.mark.parametrize("command", [["check", "--no-cache", "-j", "1"], ["map"]])
def test_progress_on_a_terminal(roots: Path, command: list[str]) -> None:
    out, err = _shiplint([*command, "alpha", "beta", "gamma"], roots, tty=True)
    assert err == SERIAL
    assert "alpha" in out and "gamma" in out and "\x1b" not in out


def test_progress_from_workers(roots: Path) -> None:
    _, err = _shiplint(
        ["check", "--no-cache", "-j", "3", "alpha", "beta", "gamma"], roots, tty=True
    )
    lines = err.split(ERASE)
    assert lines[0] == "" and lines[-1] == ""
    assert sorted(lines[1:-1]) == ["[1/3] alpha", "[2/3] beta", "[3/3] gamma"]


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--no-cache", "--format", "json", "alpha", "beta", "gamma"],
        ["check", "--no-cache", "--format", "sarif", "alpha", "beta", "gamma"],
        ["map", "--format", "json", "alpha", "beta", "gamma"],
        ["map", "--format", "mermaid", "alpha", "beta", "gamma"],
        ["check", "--no-cache", "alpha"],  # one root
        ["map", "alpha"],
    ],
)
def test_no_progress_for_other_formats_or_one_root(roots: Path, argv: list[str]) -> None:
    assert _shiplint(argv, roots, tty=True)[1] == ""


@pytest.mark.parametrize("command", [["check", "--no-cache"], ["map"]])
def test_no_progress_when_piped(roots: Path, command: list[str]) -> None:
    assert _shiplint([*command, "alpha", "beta", "gamma"], roots, tty=False)[1] == ""
