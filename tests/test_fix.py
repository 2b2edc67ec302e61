"""``check --fix`` / ``--diff`` / ``--unsafe-fixes``: edits on exact spans, nothing else moves."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from shiplint.cli import main
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.fix import plan
from shiplint.source import SourceFile
from tests.conftest import CORPUS, run_audit, write_tree

WF = ".github/workflows/release.yml"
RELEASE = """\
name: Release   # keep this comment
on:
  release: {types: [published]}
jobs:
  pypi:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@master
        with:
          skip_existing: true
          user: __token__
          password: ${{ secrets.PYPI_API_TOKEN }}
"""
NIGHTLY = """\
#!/bin/bash
set -euo pipefail
ANACONDA_ORG="scipy-wheels-nightly"
anaconda --token "$TOKEN" upload --force -u "$ANACONDA_ORG" dist/*.whl
"""


def _repo(tmp_path: Path, crlf: bool = False) -> Path:
    write_tree(tmp_path, {"ci/upload.sh": NIGHTLY})
    text = RELEASE.replace("\n", "\r\n") if crlf else RELEASE
    (tmp_path / ".github/workflows").mkdir(parents=True, exist_ok=True)
    (tmp_path / WF).write_bytes(b"\xef\xbb\xbf" + text.encode())
    return tmp_path


def _fixed_release(crlf: bool = False) -> bytes:
    text = RELEASE.replace("@master", "@release/v1").replace("skip_existing", "skip-existing")
    return b"\xef\xbb\xbf" + (text.replace("\n", "\r\n") if crlf else text).encode()


@pytest.mark.parametrize("crlf", [False, True])
def test_fix_applies_safe_fixes_and_keeps_every_other_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], crlf: bool
) -> None:
    root = _repo(tmp_path, crlf)
    assert main(["check", "--fix", "--ignore", "SL8", str(root)]) == 1  # SL305 etc. remain
    captured = capsys.readouterr()
    assert "Fixed 3 problems." in captured.err
    assert (root / WF).read_bytes() == _fixed_release(crlf)
    assert (root / "ci/upload.sh").read_text() == NIGHTLY.replace(
        '"scipy-wheels-nightly"', '"scientific-python-nightly-wheels"'
    )
    # what is left is reported, and a second run changes nothing
    assert "SL201" not in captured.out and "SL305" in captured.out
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert main(["check", "--fix", "--ignore", "SL8", str(root)]) == 1
    assert "Fixed 0 problems." in capsys.readouterr().err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_diff_shows_fixes_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    before = (root / WF).read_bytes()
    assert main(["check", "--diff", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "--- a/.github/workflows/release.yml\n+++ b/.github/workflows/release.yml\n" in out
    assert "-      - uses: pypa/gh-action-pypi-publish@master\n" in out
    assert "+      - uses: pypa/gh-action-pypi-publish@release/v1\n" in out
    assert '-ANACONDA_ORG="scipy-wheels-nightly"\n' in out
    assert "password" not in out  # the unsafe fix is not offered without --unsafe-fixes
    assert "Would fix 2 problems." in err
    assert (root / WF).read_bytes() == before
    # nothing to fix: exit 0
    clean = tmp_path / "clean"
    write_tree(clean, {"pyproject.toml": '[project]\nname = "x"\n'})
    assert main(["check", "--diff", str(clean)]) == 0


def test_unsafe_fixes_only_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path)
    main(["check", "--fix", "--select", "SL305", str(root)])
    assert "password:" in (root / WF).read_text(encoding="utf-8-sig")
    main(["check", "--fix", "--unsafe-fixes", "--select", "SL305", str(root)])
    text = (root / WF).read_text(encoding="utf-8-sig")
    assert "password:" not in text and "user:" not in text
    assert "skip_existing: true" in text  # other lines untouched
    capsys.readouterr()


def _finding(src: SourceFile, *edits: Edit, safe: bool = True) -> Finding:
    return Finding(
        "SL999", "test", Severity.ERROR, src, 1, 1, "m", "h", Fix("test fix", edits, safe)
    )


def test_fix_that_breaks_parsing_or_meaning_is_dropped(tmp_path: Path) -> None:
    text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      X: 1\n"
    src = SourceFile(tmp_path / "w.yml", "w.yml", str(tmp_path), "workflow", text)
    at_x = text.index("      X")
    broken = _finding(src, Edit(text.index("push"), text.index("push") + 4, "[push"))
    moved = _finding(src, Edit(at_x, at_x + 2, ""))  # X moves out of env: meaning changes
    good = _finding(src, Edit(text.index("ubuntu"), text.index("ubuntu") + 6, "debian"))
    (result,) = plan([broken, moved, good])
    assert result.applied == [good]
    assert [reason for _, reason in result.dropped] == [
        "the fix would change the file's meaning outside the edited text",
        "the fixed file would not parse",
    ]
    assert result.new == text.replace("ubuntu", "debian")


def test_overlapping_fixes_wait_for_the_next_run(tmp_path: Path) -> None:
    text = 'name = "a"\nversion = "1"\n'
    src = SourceFile(tmp_path / "pyproject.toml", "pyproject.toml", "", "pyproject", text)
    first = _finding(src, Edit(7, 10, '"b"'))
    second = _finding(src, Edit(8, 9, "c"))
    (result,) = plan([first, second])
    assert len(result.applied) == 1
    assert result.dropped[0][1] == "overlaps another fix; run --fix again"


REAL = CORPUS / "real-repos"


def _outside_spans_unchanged(old: str, new: str, edits: list[Edit]) -> bool:
    """``new`` is ``old`` with exactly these edits: every byte between them is kept."""
    pos = 0
    out = []
    for edit in sorted(edits, key=lambda e: e.start):
        out.append(old[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(old[pos:])
    return "".join(out) == new


# The real repositories are well kept: bring back mistakes shiplint fixes, in their own files.
_BREAKAGES = (
    (re.compile(r"(pypa/gh-action-pypi-publish@)[^\s#]+"), r"\1master"),
    (re.compile(r"(\s)skip-existing:"), r"\1skip_existing:"),
    (re.compile(r"(\s)packages-dir:"), r"\1packages_dir:"),
    (re.compile(r"scientific-python-nightly-wheels"), "scipy-wheels-nightly"),
    (re.compile(r"https://upload\.pypi\.org/legacy/"), "https://upload.pypi.org/"),
)


def _break(root: Path) -> None:
    for path in [*root.glob(".github/workflows/*.y*ml"), *root.glob("tox.ini")]:
        if path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, replacement in _BREAKAGES:
            text = pattern.sub(replacement, text)
        path.write_text(text, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus is not available")
def test_fix_on_every_real_repo_is_idempotent_and_changes_only_fixed_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed_files = 0
    for repo in sorted(p for p in REAL.iterdir() if p.is_dir()):
        # the library, pass by pass: each pass writes exactly the planned edits
        lib = tmp_path / "lib" / repo.name
        shutil.copytree(repo, lib, symlinks=True)
        _break(lib)
        for _ in range(10):
            items = [i for i in plan(run_audit(lib).findings, unsafe=True) if i.changed]
            if not items:
                break
            for item in items:
                edits = [e for f in item.applied if f.fix for e in f.fix.edits]
                assert _outside_spans_unchanged(item.old, item.new, list(set(edits)))
                assert item.write()
                fixed_files += 1
        # the CLI gives the same files, and a second --fix changes nothing
        cli = tmp_path / "cli" / repo.name
        shutil.copytree(repo, cli, symlinks=True)
        _break(cli)
        main(["check", "--fix", "--unsafe-fixes", str(cli)])
        files = sorted(p.relative_to(cli) for p in cli.rglob("*") if p.is_file())
        after = {rel: (cli / rel).read_bytes() for rel in files}
        assert after == {rel: (lib / rel).read_bytes() for rel in files}, repo.name
        main(["check", "--fix", "--unsafe-fixes", str(cli)])
        assert {rel: (cli / rel).read_bytes() for rel in files} == after, repo.name
    capsys.readouterr()
    assert fixed_files >= 40
