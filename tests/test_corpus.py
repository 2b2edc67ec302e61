"""Robustness sweep over real release configurations (skipped when ../shared is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiplint.cli import main
from tests.conftest import CORPUS

REAL = CORPUS / "real-repos"
PEER = CORPUS / "peer-testdata"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus is not available"),
]


def _check(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--format", "json", "--today", "2026-11-21", *paths])
    out = capsys.readouterr().out
    return code, json.loads(out)["findings"]


def test_every_real_repo_is_checked_without_internal_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    repos = sorted(str(p) for p in REAL.iterdir() if p.is_dir())
    assert len(repos) >= 50
    code, findings = _check(capsys, *repos)
    assert code in (0, 1)
    internal = [f for f in findings if f["rule"] == "SL005"]
    assert internal == []
    for finding in findings:
        assert finding["path"] and not str(finding["path"]).startswith("/")
        assert finding["line"] is None or int(str(finding["line"])) >= 1


def test_every_peer_testdata_workflow_as_single_file(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in PEER.rglob("*") if p.suffix in (".yml", ".yaml"))
    if not files:
        pytest.skip("no peer test data")
    code, findings = _check(capsys, *files)
    assert code in (0, 1)
    assert [f for f in findings if f["rule"] == "SL005"] == []


def test_map_runs_on_every_real_repo(capsys: pytest.CaptureFixture[str]) -> None:
    repos = sorted(str(p) for p in REAL.iterdir() if p.is_dir())
    assert main(["map", "--format", "json", *repos]) == 0
    roots = json.loads(capsys.readouterr().out)["roots"]
    assert len(roots) == len(repos)
    tables = next(r for r in roots if Path(r["root"]).name == "PyTables__PyTables")
    nightly = [u for u in tables["uploads"] if u["tool"] == "upload-nightly-action"]
    assert [(u["target"], u["version"]) for u in nightly] == [
        ("scientific-python-nightly-wheels", "0.6.4")
    ]
    assert nightly[0]["credentials"] == [
        "token from secret ANACONDA_ORG_UPLOAD_TOKEN via input anaconda_nightly_upload_token"
    ]
