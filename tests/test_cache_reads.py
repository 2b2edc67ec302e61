"""The results cache keys exactly what the rules read (``Project``, the one door for reads).

For each way a rule reads the disk besides the discovered files (a file named by setup.py,
``poetry.toml``, the default license globs, a folder tested with ``is_dir``, a ``.git``
above the root), a cached run records the read in its entry, and a change to what that
read sees afterwards is a miss whose report equals an uncached run. Real files in
``tmp_path``, real runs of the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from shiplint.cli import main
from shiplint.engine import Options, audit_root
from shiplint.project import Project
from tests.conftest import write_tree
from tests.test_cache import EXAMPLES, assert_miss_then_same, entries, is_hit, run

SRC = Path(__file__).resolve().parents[1] / "src" / "shiplint"


@pytest.fixture(autouse=True)
def _cache_on(_private_results_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest.py gives each test an empty cache directory, turned off: on here."""
    monkeypatch.delenv("SHIPLINT_NO_CACHE")


def recorded(kind: str) -> list[list[Any]]:
    """The reads of ``kind`` in the cache's entries."""
    found: list[list[Any]] = []
    for entry in entries():
        data = json.loads(entry.read_text(encoding="ascii"))
        found.extend(read for read in data["reads"] if read[0] == kind)
    return found


def cached_then_miss(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> None:
    """After a change: the run misses, and its report is the uncached one."""
    assert not is_hit(monkeypatch, capsys, *argv)
    assert_miss_then_same(capsys, *argv)
    assert is_hit(monkeypatch, capsys, *argv)  # the new state is cached in turn


SETUP_PY = """
    from setuptools import setup
    setup(name="demo", version="1.0", long_description=open("README.md").read())
"""


def test_a_file_named_by_setup_py(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", {"setup.py": SETUP_PY})
    (root / ".git").mkdir()
    missing = run(capsys, str(root))
    assert "README.md" in missing[1] and "does not exist" in missing[1]
    assert any(read[1][0] == "README.md" for read in recorded("peek"))
    assert is_hit(monkeypatch, capsys, str(root))
    write_tree(root, {"README.md": "# Demo\n"})  # a file that did not exist appears
    cached_then_miss(monkeypatch, capsys, str(root))
    assert run(capsys, str(root)) != missing
    (root / "README.md").write_text(" \n\n", encoding="utf-8")  # now blank
    cached_then_miss(monkeypatch, capsys, str(root))
    (root / "README.md").unlink()
    (root / "README.md").mkdir()  # a folder in its place
    cached_then_miss(monkeypatch, capsys, str(root))


def test_a_git_folder_above_the_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = '[project]\nname = "demo"\nversion = "1.0"\nreadme = "docs/README.md"\n'
    root = write_tree(tmp_path / "outer" / "repo", {"pyproject.toml": pyproject})
    outside = run(capsys, str(root))  # not a checkout: the readme may be left out
    assert "does not exist" not in outside[1]
    assert recorded("upwards") == [["upwards", [".git"], None]]
    assert is_hit(monkeypatch, capsys, str(root))
    (tmp_path / "outer" / ".git").mkdir()  # outside the root, recorded all the same
    cached_then_miss(monkeypatch, capsys, str(root))
    assert "does not exist" in run(capsys, str(root))[1]


POETRY_WORKFLOW = """
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: poetry publish -r internal
            env:
              POETRY_PYPI_TOKEN_INTERNAL: ${{ secrets.T }}
"""


def test_poetry_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", {".github/workflows/publish.yml": POETRY_WORKFLOW})
    argv = ["--select", "SL902", str(root)]
    assert "SL902" in run(capsys, *argv)[1]  # the repository is configured nowhere
    assert recorded("bytes") == [["bytes", ["poetry.toml", 64 * 1024 * 1024], None]]
    assert is_hit(monkeypatch, capsys, *argv)
    write_tree(root, {"poetry.toml": '[repositories.internal]\nurl = "https://x.example/"\n'})
    cached_then_miss(monkeypatch, capsys, *argv)
    assert "All checks passed" in run(capsys, *argv)[1]
    write_tree(root, {"poetry.toml": '[repositories.other]\nurl = "https://x.example/"\n'})
    cached_then_miss(monkeypatch, capsys, *argv)
    assert "SL902" in run(capsys, *argv)[1]


def test_license_files_found_by_glob(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = """
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "demo"
        version = "1.0"
    """
    root = write_tree(tmp_path / "repo", {"pyproject.toml": pyproject})
    run(capsys, str(root))
    assert recorded("glob") != []
    assert all(read[2] == [] for read in recorded("glob"))
    assert is_hit(monkeypatch, capsys, str(root))
    write_tree(root, {"LICENSE": "MIT\n"})  # the glob matches a new file
    cached_then_miss(monkeypatch, capsys, str(root))
    assert any(read[2] == ["LICENSE"] for read in recorded("glob"))
    (root / "LICENSE").write_text("BSD\n", encoding="utf-8")  # only its name is read
    assert is_hit(monkeypatch, capsys, str(root))
    (root / "LICENSE").rename(root / "COPYING")
    cached_then_miss(monkeypatch, capsys, str(root))


DEV_UPLOAD = """
    on:
      push:
        branches: [main]
        tags: ['v*']
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: actions/setup-python@v5
          - run: |
              python -m pip install build
              python -m build plugin
          - uses: actions/upload-artifact@v4
            with: {name: dist, path: dist}
      testpypi:
        needs: build
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with: {name: dist, path: dist}
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              repository-url: https://test.pypi.org/legacy/
"""
HATCH_VCS = """
    [build-system]
    requires = ["hatchling", "hatch-vcs"]
    build-backend = "hatchling.build"

    [project]
    name = "example"
    dynamic = ["version"]

    [tool.hatch.version]
    source = "vcs"
"""


def test_a_folder_tested_with_is_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {".github/workflows/release.yml": DEV_UPLOAD, "pyproject.toml": HATCH_VCS}
    root = write_tree(tmp_path / "repo", files)
    argv = ["--select", "SL721", str(root)]
    assert "SL721" in run(capsys, *argv)[1]  # `plugin` is no folder: the root is built
    assert ["is_dir", ["plugin"], False] in recorded("is_dir")
    assert is_hit(monkeypatch, capsys, *argv)
    (root / "plugin").mkdir()  # a folder that appears (empty: discovery finds nothing)
    cached_then_miss(monkeypatch, capsys, *argv)
    assert "All checks passed" in run(capsys, *argv)[1]  # another project is built


def test_reads_are_recorded_relative_to_the_root(tmp_path: Path) -> None:
    write_tree(tmp_path, {"LICENSE.txt": "x\n", "docs/a.md": "", "sub/b": "text\n"})
    project = Project(str(tmp_path), tmp_path, [])
    assert project.glob(("LICEN[CS]E*", "NOTICE*")) == ["LICENSE.txt"]
    assert project.is_dir("docs") and not project.is_dir("docs/a.md")
    assert project.read_text("sub/b") == "text\n"
    assert project.peek("docs/a.md", 10) == ("file", 0, b"")
    assert project.peek("docs", 10).kind == "dir"
    assert project.peek("../x", 10).kind == "outside"
    assert [read[:2] for read in project.reads] == [
        ["glob", [["LICEN[CS]E*", "NOTICE*"]]],
        ["is_dir", ["docs"]],
        ["is_dir", ["docs/a.md"]],
        ["bytes", ["sub/b", 64 * 1024 * 1024]],
        ["peek", ["docs/a.md", 10]],
        ["peek", ["docs", 10]],
        ["peek", ["../x", 10]],
    ]
    assert "text" not in json.dumps(project.reads)  # contents are kept as hashes
    for kind, args, seen in project.reads:
        assert project.observe(kind, args) == seen


def test_the_cache_patches_nothing_and_hooks_no_audit_events() -> None:
    sources = [*sorted((SRC / "cache").glob("*.py")), SRC / "project.py", SRC / "engine.py"]
    assert not (SRC / "cache.py").exists()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for banned in ("addaudithook", "setattr(os", "os.stat =", "_NormalAccessor"):
            assert banned not in text, (path.name, banned)
    for path in sorted((SRC / "cache").glob("*.py")):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 650, path.name


# run in a child process: an audit hook cannot be removed once added
_WATCH = textwrap.dedent(
    """
    import os, sys
    from shiplint import engine
    from shiplint.engine import Options

    OWN = os.path.dirname(engine.__file__) + os.sep
    DOORS = {
        os.path.join(OWN, "project.py"),
        os.path.join(OWN, "discover", "__init__.py"),
        os.path.join(OWN, "discover", "gitignore.py"),
    }
    active = False
    bypass = []

    def hook(event, args):
        if not active or event not in ("open", "os.listdir", "os.scandir"):
            return
        path = args[0]
        if not isinstance(path, (str, bytes, os.PathLike)) or str(path).startswith(OWN):
            return  # a descriptor, or shiplint's own code and data
        frame = sys._getframe(1)
        if frame.f_code.co_filename.startswith("<frozen"):
            return  # the import system
        while frame is not None:
            if frame.f_code.co_filename in DOORS:
                return
            frame = frame.f_back
        bypass.append((event, str(path)))

    sys.addaudithook(hook)
    real_run_rule = engine.run_rule

    def run_rule(rule, project):
        global active
        active = True
        try:
            return real_run_rule(rule, project)
        finally:
            active = False

    engine.run_rule = run_rule
    for root in sys.argv[1:]:
        engine.audit_root(root, Options())
    print(bypass)
    """
)


TOX_IN_PYPROJECT = {
    "pyproject.toml": (
        '[project]\nname = "demo"\nversion = "1.0"\n\n'
        '[tool.tox]\nenv_list = ["release"]\n\n'
        '[tool.tox.env.release]\nskip_install = true\ndeps = ["twine"]\n'
        'commands = [["twine", "upload", "dist/*"]]\n'
    ),
    ".github/workflows/release.yml": (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: pipx run tox -e release\n        env:\n"
        "          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
    ),
}


def test_tox_credentials_fix_is_written_for_the_file_style(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tox", TOX_IN_PYPROJECT)
    result = audit_root(str(root), Options(select=["SL901"]))
    assert [(f.rule, f.source.rel if f.source else "", f.line) for f in result.findings] == [
        ("SL901", "pyproject.toml", 11)
    ]
    assert "[tool.tox.env.release]" in result.findings[0].help


def test_rules_read_the_disk_only_through_project(tmp_path: Path) -> None:
    """Every ``open`` and folder listing made while the rules run comes from Project
    (or discovery, which Project.file uses for files read on demand)."""
    files = {
        "setup.py": SETUP_PY,
        ".github/workflows/publish.yml": POETRY_WORKFLOW,
        ".github/workflows/release.yml": DEV_UPLOAD,
        "pyproject.toml": HATCH_VCS,
        "poetry.toml": '[repositories.other]\nurl = "https://x.example/"\n',
        "LICENSE": "MIT\n",
        "README.md": "# Demo\n",
    }
    root = write_tree(tmp_path / "repo", files)
    (root / ".git").mkdir()
    # SL901's fix names the tox configuration's style, which a pyproject.toml's text decides
    tox_root = write_tree(tmp_path / "tox", TOX_IN_PYPROJECT)
    roots = [str(root), str(tox_root), str(EXAMPLES / "broken"), str(EXAMPLES / "fixed")]
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    done = subprocess.run(
        [sys.executable, "-c", _WATCH, *roots],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_warm_run_equals_the_cold_one_with_every_read_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "setup.py": SETUP_PY,
        ".github/workflows/publish.yml": POETRY_WORKFLOW,
        ".github/workflows/release.yml": DEV_UPLOAD,
        "pyproject.toml": HATCH_VCS.replace("[project]", '[project]\nreadme = "docs/README.md"'),
        "LICENSE": "MIT\n",
    }
    root = write_tree(tmp_path / "repo", files)
    cold = run(capsys, "--no-cache", str(root))
    assert main(["check", "-j", "1", str(root)]) == cold[0]
    capsys.readouterr()
    kinds = {kind for kind in ("peek", "bytes", "glob", "is_dir", "upwards") if recorded(kind)}
    assert kinds == {"peek", "bytes", "glob", "is_dir", "upwards"}
    assert is_hit(monkeypatch, capsys, str(root))
    assert run(capsys, str(root)) == cold
