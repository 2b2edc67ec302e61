"""The bundled examples: the broken configuration shows real findings, its fixed twin none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiplint.cli import main


def _check(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--format", "json", "--today", "2026-11-21", *paths])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_examples_broken_and_fixed(capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    code, findings = _check(capsys, str(examples / "fixed"))
    assert (code, findings) == (0, [])
    code, findings = _check(capsys, str(examples / "broken"))
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("SL406", ".github/workflows/release.yml", 21),
        ("SL801", ".github/workflows/release.yml", 21),
        ("SL201", ".github/workflows/release.yml", 21),
        ("SL502", ".github/workflows/release.yml", 23),
        ("SL305", ".github/workflows/release.yml", 24),
        ("SL605", ".github/workflows/wheels.yml", 37),
        ("SL101", ".github/workflows/wheels.yml", 40),
        ("SL809", ".github/workflows/wheels.yml", 41),
        ("SL802", "pyproject.toml", 13),
        ("SL803", "pyproject.toml", 19),
        ("SL805", "pyproject.toml", 20),
        ("SL911", "tools/upload_wheels.sh", 7),
        ("SL801", "tools/upload_wheels.sh", 8),
        ("SL601", "tools/upload_wheels.sh", 8),
        ("SL606", "tools/upload_wheels.sh", 8),
        ("SL101", "tox.ini", 9),
        ("SL801", "tox.ini", 15),
        ("SL103", "tox.ini", 15),
    ]
