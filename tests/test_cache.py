"""The results cache (``shiplint/cache/``): a hit reports exactly what an audit reports.

Every test runs with its own empty cache directory (``SHIPLINT_CACHE_DIR``, set by the
autouse fixture in conftest.py). A run is known to be a hit when it succeeds while
``engine.audit_root`` raises: a hit audits nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

from shiplint import cache, engine
from shiplint.cache import key, location
from shiplint.cli import main
from shiplint.engine import Options, audit_root
from shiplint.findings import Finding, Severity
from shiplint.project import Project
from shiplint.rules.base import Rule
from shiplint.source import SourceFile
from tests.conftest import CORPUS, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REAL_REPOS = CORPUS / "real-repos"
FORMATS = (
    ["--format", "text"],
    ["--format", "json"],
    ["--format", "sarif"],
    ["--format", "github"],
    ["--statistics"],
    ["--statistics", "--format", "json"],
)
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMAACKlsz"

# a workflow whose upload script lies outside the folders discovery walks: read on demand
WORKFLOW = """
    on:
      push:
        tags: ["v*"]
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: bash release/upload.sh
"""
SCRIPT = f"""
    #!/bin/bash
    twine upload -u __token__ -p {TOKEN} dist/*
"""
CLEAN_SCRIPT = """
    #!/bin/bash
    twine upload dist/*
"""
PYPROJECT = """
    [build-system]
    requires = ["setuptools>=77"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "demo"
    version = "1.0"
    readme = "docs/README.md"
    license = "MIT"
"""


@pytest.fixture(autouse=True)
def _cache_on(_private_results_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest.py gives each test an empty cache directory, turned off: on here."""
    monkeypatch.delenv("SHIPLINT_NO_CACHE")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", "-j", "1", *argv])
    out, _err = capsys.readouterr()
    return code, out


def cache_dir() -> Path:
    return Path(os.environ["SHIPLINT_CACHE_DIR"])


def entries() -> list[Path]:
    results = cache_dir() / "results"
    return sorted(results.glob("*.json")) if results.is_dir() else []


def cold_and_warm(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> tuple[tuple[int, str], tuple[int, str], tuple[int, str]]:
    """``--no-cache``, then a run that fills the cache, then one that must hit it."""
    uncached = run(capsys, "--no-cache", *argv)
    first = run(capsys, *argv)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "audit_root", _refuse)
        second = run(capsys, *argv)
    return uncached, first, second


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("audited: the cache missed")


def assert_miss_then_same(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The cached run equals an uncached one (whether it hit or not)."""
    cached = run(capsys, *argv)
    assert cached == run(capsys, "--no-cache", *argv)
    return cached


def is_hit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str) -> bool:
    """Whether ``check argv`` comes from the cache; after a miss, the real run (which fills
    the cache) is made."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "audit_root", _refuse)
        try:
            run(capsys, *argv)
        except AssertionError:
            capsys.readouterr()
            hit = False
        else:
            hit = True
    if not hit:
        run(capsys, *argv)
    return hit


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    return write_tree(root, files)


# --- (1) a hit gives the uncached output, byte for byte ---------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: "-".join(f).strip("-"))
def test_examples_warm_equals_cold(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: list[str]
) -> None:
    roots = [str(EXAMPLES / "broken"), str(EXAMPLES / "fixed")]
    uncached, first, second = cold_and_warm(capsys, monkeypatch, [*fmt, *roots])
    assert uncached == first == second
    assert uncached[0] == 1  # the broken example fails: the comparison saw findings
    assert len(entries()) == 2


def test_single_file_and_fixable_findings_warm_equals_cold(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = str(EXAMPLES / "broken" / ".github" / "workflows" / "release.yml")
    for fmt in (["--format", "text"], ["--format", "sarif"]):
        uncached, first, second = cold_and_warm(capsys, monkeypatch, [*fmt, workflow])
        assert uncached == first == second
    assert "[*]" in run(capsys, str(EXAMPLES / "broken"))[1]  # safe fixes are shown


def test_masked_source_lines_and_secrets_warm_equals_cold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "release/upload.sh": SCRIPT})
    for fmt in FORMATS:
        uncached, first, second = cold_and_warm(capsys, monkeypatch, [*fmt, str(root)])
        assert uncached == first == second
        assert TOKEN not in uncached[1]
    assert "-p ********" in run(capsys, str(root))[1]


def corpus_sample() -> list[Path]:
    if not REAL_REPOS.is_dir():
        return []
    repos = sorted(p for p in REAL_REPOS.iterdir() if p.is_dir())
    return repos[::6]


@pytest.mark.slow
@pytest.mark.skipif(not REAL_REPOS.is_dir(), reason="corpus absent")
@pytest.mark.parametrize("root", corpus_sample(), ids=lambda p: p.name)
def test_corpus_warm_equals_cold(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    for fmt in FORMATS:
        uncached, first, second = cold_and_warm(capsys, monkeypatch, [*fmt, str(root)])
        assert uncached == first == second


@pytest.mark.slow
@pytest.mark.skipif(not REAL_REPOS.is_dir(), reason="corpus absent")
def test_corpus_many_roots_with_workers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    roots = [str(p) for p in sorted(REAL_REPOS.iterdir()) if p.is_dir()]
    uncached = run(capsys, "--no-cache", *roots)
    first = main(["check", "-j", "3", *roots]), capsys.readouterr()[0]
    with monkeypatch.context() as patch:
        patch.setattr(engine, "audit_root", _refuse)
        second = run(capsys, *roots)
    assert uncached == first == second
    assert len(entries()) == len(roots)


def test_hits_and_misses_mix_in_path_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "release/upload.sh": SCRIPT})
    broken = str(EXAMPLES / "broken")
    run(capsys, str(root))  # only this one is cached
    assert run(capsys, broken, str(root)) == run(capsys, "--no-cache", broken, str(root))


# --- (2) anything that changes the findings invalidates ---------------------------------------


def test_changing_a_discovered_file_invalidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "tools/upload.sh": SCRIPT})
    code, out = run(capsys, str(root))
    assert code == 1
    assert is_hit(monkeypatch, capsys, str(root))
    write_tree(root, {"tools/upload.sh": CLEAN_SCRIPT})
    assert not is_hit(monkeypatch, capsys, str(root))
    assert assert_miss_then_same(capsys, str(root)) != (code, out)


def test_same_size_and_mtime_still_invalidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contents are hashed: an edit that keeps the size and the mtime is seen."""
    root = repo(tmp_path, {"tools/upload.sh": SCRIPT, ".github/workflows/release.yml": WORKFLOW})
    script = root / "tools" / "upload.sh"
    before = script.stat()
    run(capsys, str(root))
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("-u __token__ -p", "-p __token__ -u"), encoding="utf-8")
    os.utime(script, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert script.stat().st_size == before.st_size
    assert not is_hit(monkeypatch, capsys, str(root))


def test_adding_and_removing_discovered_files_invalidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW})
    run(capsys, str(root))
    write_tree(root, {"tools/upload.sh": SCRIPT})
    assert not is_hit(monkeypatch, capsys, str(root))
    assert is_hit(monkeypatch, capsys, str(root))
    (root / "tools" / "upload.sh").unlink()  # the first run's files again: its entry is
    assert is_hit(monkeypatch, capsys, str(root))  # good (no rule reads the empty folder)
    assert_miss_then_same(capsys, str(root))
    write_tree(root, {".gitignore": "tools/\n", "tools/upload.sh": SCRIPT})
    assert_miss_then_same(capsys, str(root))


def test_changing_a_script_read_on_demand_invalidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "release/upload.sh": SCRIPT})
    code, out = run(capsys, str(root))
    assert "SL503" in out  # the script was read (release/ is not walked)
    (entry,) = entries()
    on_demand = json.loads(entry.read_text(encoding="utf-8"))["on_demand"]
    assert ["release/upload.sh", "shell"] in [item[:2] for item in on_demand]
    assert is_hit(monkeypatch, capsys, str(root))
    write_tree(root, {"release/upload.sh": CLEAN_SCRIPT})
    assert not is_hit(monkeypatch, capsys, str(root))
    assert assert_miss_then_same(capsys, str(root)) != (code, out)
    (root / "release" / "upload.sh").unlink()  # a file that is gone
    assert not is_hit(monkeypatch, capsys, str(root))
    assert_miss_then_same(capsys, str(root))
    write_tree(root, {"release/upload.sh": SCRIPT})  # a file that was missing appears
    assert not is_hit(monkeypatch, capsys, str(root))
    assert assert_miss_then_same(capsys, str(root)) == (code, out)


def test_files_rules_read_directly_invalidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The readme named in pyproject.toml is not a discovered file: the rules look it up
    with ``os.path`` calls and read it; the recorded accesses catch every change."""
    root = repo(tmp_path, {"pyproject.toml": PYPROJECT})
    assert run(capsys, str(root))[0] == 0  # not a checkout: the readme may be left out
    (root / ".git").mkdir()  # a folder the rules look for, not a discovered file
    assert not is_hit(monkeypatch, capsys, str(root))
    missing = assert_miss_then_same(capsys, str(root))
    assert "does not exist" in missing[1]
    assert is_hit(monkeypatch, capsys, str(root))
    write_tree(root, {"docs/README.md": "# Demo\n"})
    assert not is_hit(monkeypatch, capsys, str(root))
    ok = assert_miss_then_same(capsys, str(root))
    assert ok[0] == 0
    (root / "docs" / "README.md").write_text("  \n", encoding="utf-8")  # now blank
    assert not is_hit(monkeypatch, capsys, str(root))
    blank = assert_miss_then_same(capsys, str(root))
    assert blank[0] == 1
    assert blank != missing


def test_config_select_today_and_fail_on_are_in_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record = textwrap.dedent(
        """
        [tool.shiplint.deploy.pypi]
        index = "pypi"
        auth = "token"
        secret = "PYPI_API_TOKEN"
        account = "someone"
        email-verified = 2026-04-21
        token-expires = 2026-12-01
        maintainers = ["someone", "another"]
        """
    )
    workflow = """
        on:
          push:
            tags: ["v*"]
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{ secrets.PYPI_API_TOKEN }}
    """
    pyproject = '[project]\nname = "demo"\n' + record
    root = str(repo(tmp_path, {"pyproject.toml": pyproject, ".github/workflows/pub.yml": workflow}))
    before = run(capsys, "--today", "2026-11-21", "--select", "SL805,SL806", root)
    assert "SL806" in before[1]
    assert is_hit(monkeypatch, capsys, "--today", "2026-11-21", "--select", "SL805,SL806", root)
    for argv in (
        ["--today", "2026-12-02", "--select", "SL805,SL806"],
        ["--today", "2026-11-21", "--select", "SL805"],
        ["--today", "2026-11-21", "--select", "SL805,SL806", "--fail-on", "error"],
        ["--today", "2026-11-21", "--select", "SL805,SL806", "--ignore", "SL806"],
        ["--today", "2026-11-21", "--extend-select", "SL8", "--select", "SL805"],
    ):
        assert not is_hit(monkeypatch, capsys, *argv, root), argv
        assert_miss_then_same(capsys, *argv, root)
    after = run(capsys, "--today", "2026-12-02", "--select", "SL805,SL806", root)
    assert "SL805" in after[1]
    # the configuration: a warning window that makes the same date silent
    write_tree(Path(root), {"shiplint.toml": "expiry-warning-days = 0\n"})
    assert not is_hit(monkeypatch, capsys, "--today", "2026-11-21", "--select", "SL805,SL806", root)
    quiet = assert_miss_then_same(capsys, "--today", "2026-11-21", "--select", "SL805,SL806", root)
    assert quiet[0] == 0


def test_the_root_as_given_is_in_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "release/upload.sh": SCRIPT})
    run(capsys, str(root))
    monkeypatch.chdir(root)
    assert not is_hit(monkeypatch, capsys, ".")
    assert_miss_then_same(capsys, ".")
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)
    assert_miss_then_same(capsys, str(link))


def test_shiplint_code_and_facts_are_in_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    run(capsys, root)
    assert is_hit(monkeypatch, capsys, root)
    real = key.code_fingerprint
    monkeypatch.setattr(key, "code_fingerprint", lambda d=None: "0" * 64)
    assert not is_hit(monkeypatch, capsys, root)
    monkeypatch.setattr(key, "code_fingerprint", real)
    monkeypatch.setattr(key, "dependency_fingerprint", lambda: "1" * 64)
    assert not is_hit(monkeypatch, capsys, root)


def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shiplint

    package = tmp_path / "pkg" / "shiplint"
    write_tree(package, {"__init__.py": "x = 1\n", "data/facts.toml": "[a]\nb = 1\n"})
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"ignored")
    monkeypatch.setattr(shiplint, "__file__", str(package / "__init__.py"))
    return package


def test_code_fingerprint_follows_the_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = fake_package(tmp_path, monkeypatch)
    memo = tmp_path / "memo"
    memo.mkdir(mode=0o700)
    first = key.code_fingerprint(str(memo))
    assert (memo / "code.json").is_file()
    assert key.code_fingerprint(str(memo)) == first  # from the memo
    facts = package / "data" / "facts.toml"
    info = facts.stat()
    facts.write_text("[a]\nb = 2\n", encoding="utf-8")  # same size ...
    os.utime(facts, ns=(info.st_atime_ns, info.st_mtime_ns))  # ... and mtime
    changed = key.code_fingerprint(str(memo))
    assert changed != first
    facts.write_text("[a]\nb = 1\n", encoding="utf-8")
    assert key.code_fingerprint(str(memo)) == first  # contents, not stat, decide
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"changed")
    assert key.code_fingerprint(str(memo)) == first  # bytecode is not code
    (memo / "code.json").write_text('{"stamp": "x", "content": []}', encoding="utf-8")
    assert key.code_fingerprint(str(memo)) == first  # a bad memo is recomputed


# --- (3) broken, hostile or foreign entries are ignored ---------------------------------------


def only_entry(capsys: pytest.CaptureFixture[str], root: Path) -> Path:
    run(capsys, str(root))
    (entry,) = entries()
    return entry


HOSTILE: list[tuple[str, object]] = [
    ("not-json", b"\x00\xff{{{"),
    ("truncated", None),
    ("empty", b""),
    ("a list", b"[1, 2, 3]"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000),
    ("wrong schema", {"schema": 999}),
    ("wrong key", {"key": "0" * 64}),
    ("findings of the wrong shape", {"findings": [["SL101", 3]]}),
    ("finding on an unknown file", {"findings_source": ["f", "nowhere.yml"]}),
    ("bad severity", {"severity": "fatal"}),
    ("spans outside the text", {"spans": [["release/upload.sh", [[0, 10**9]]]]}),
    ("read of a device", {"reads": [["bytes", ["/dev/zero", 100], "#x"]]}),
    ("read of an unknown kind", {"reads": [["exec", ["/bin/sh"], 1]]}),
    ("read with wrong arguments", {"reads": [["peek", [1, 2, 3, 4], None]]}),
    ("reads of the wrong shape", {"reads": {"peek": 1}}),
    ("files count", {"files": "many"}),
]


@pytest.mark.parametrize(("what", "content"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_entries_are_misses(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    what: str,
    content: object,
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "release/upload.sh": SCRIPT})
    entry = only_entry(capsys, root)
    valid = json.loads(entry.read_text(encoding="utf-8"))
    if content is None:
        data = entry.read_bytes()[: entry.stat().st_size // 2]
    elif isinstance(content, bytes):
        data = content
    else:
        assert isinstance(content, dict)
        changed = dict(valid)
        for key, value in content.items():
            if key == "severity":
                changed["findings"] = [[*f[:2], value, *f[3:]] for f in valid["findings"]]
            elif key == "findings_source":
                changed["findings"] = [[*f[:3], value, *f[4:]] for f in valid["findings"]]
            else:
                changed[key] = value
        data = json.dumps(changed).encode()
    entry.write_bytes(data)
    assert not is_hit(monkeypatch, capsys, str(root))
    assert_miss_then_same(capsys, str(root))


def test_oversized_entry_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW})
    entry = only_entry(capsys, root)
    valid = entry.read_bytes()
    with entry.open("r+b") as handle:  # the valid entry, then (sparse) padding past the cap
        handle.seek(location.MAX_ENTRY_BYTES + 1)
        handle.write(b" ")
    assert entry.read_bytes()[: len(valid)] == valid
    assert not is_hit(monkeypatch, capsys, str(root))


def test_symlinked_entry_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW})
    entry = only_entry(capsys, root)
    elsewhere = tmp_path / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert not is_hit(monkeypatch, capsys, str(root))
    assert entry.is_file() and not entry.is_symlink()  # replaced by a new entry
    assert is_hit(monkeypatch, capsys, str(root))


def test_reads_never_open_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    project = Project(str(tmp_path), tmp_path, [])
    assert project.read_text("fifo") is None  # not opened for reading: no hang
    assert project.peek("fifo", 100).kind == "other"
    assert project.observe("bytes", ["/dev/zero", 100]) is None
    assert project.observe("peek", ["missing", 100]) == ["missing", 0, None]
    assert project.observe("peek", ["a\0b", 100]) == ["error", 0, None]
    assert project.observe("peek", ["../outside", 100]) == ["outside", 0, None]


def test_unusable_cache_dirs_turn_the_cache_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    expected = run(capsys, "--no-cache", root)
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    for directory in (blocker, blocker / "sub", shared):
        monkeypatch.setenv("SHIPLINT_CACHE_DIR", str(directory))
        assert cache.open_cache(Options()) is None
        assert run(capsys, root) == expected
    assert not (shared / "results").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_cache_dirs_are_silent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    expected = run(capsys, "--no-cache", root)
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        monkeypatch.setenv("SHIPLINT_CACHE_DIR", str(readonly / "sub"))
        assert cache.open_cache(Options()) is None
        assert run(capsys, root) == expected
    finally:
        readonly.chmod(0o700)
    assert not (readonly / "sub").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_results_dir_is_silent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    expected = run(capsys, "--no-cache", root)
    results = cache_dir() / "results"
    results.mkdir(mode=0o500, parents=True)
    try:
        assert run(capsys, root) == expected
        assert run(capsys, root) == expected
    finally:
        results.chmod(0o700)
    assert entries() == []


# --- (4) no secret reaches the cache -----------------------------------------------------------


def test_the_cache_never_holds_a_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_no_secret_leaks import FILES, SECRETS, pieces

    root = tmp_path / "leaky"
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for select in ([], ["--select", "SL3,SL5"], ["--select", "SL8"]):
        for fmt in (["--format", "text"], ["--format", "sarif"]):
            cold, first, second = cold_and_warm(capsys, monkeypatch, [*fmt, *select, str(root)])
            assert cold == first == second
        for single in (".pypirc", "Makefile"):
            run(capsys, *select, str(root / single))
    assert len(entries()) == 9  # every root was cached: masking kept them storable
    stored = b"".join(p.read_bytes() for p in cache_dir().rglob("*") if p.is_file())
    text = stored.decode("ascii")
    leaked = [name for name, secret in SECRETS.items() if any(p in text for p in pieces(secret))]
    assert leaked == []


def test_an_entry_that_would_hold_a_secret_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {"release/upload.sh": SCRIPT})
    secret = "sekrit-value-1234"

    class Quoting(Rule):
        code, name, severity = "SL101", "quoting", Severity.ERROR

        def check(self, project: Project) -> Iterable[Finding]:
            src = project.by_rel[".github/workflows/release.yml"]
            start = (src.text or "").index("bash")
            src.secret_spans.append((start, start + 4))
            yield self.at(None, f"quotes {secret} and bash", "help", source=src)

    write_tree(root, {".github/workflows/release.yml": WORKFLOW})
    monkeypatch.setattr(engine, "rules_for", lambda kinds, codes: (Quoting,))
    options = Options(select=["SL101"])
    result = audit_root(str(root), options)
    store = cache.open_cache(options)
    assert store is not None
    assert store.store(str(root), result) is False  # "bash" is a recorded credential
    assert entries() == []


def test_a_token_shaped_path_looked_up_is_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths the rules look up come from command lines: one shaped like a token (never
    recorded as a credential span) keeps the entry out of the cache."""

    class LooksUp(Rule):
        code, name, severity = "SL101", "looks-up", Severity.ERROR

        def check(self, project: Project) -> Iterable[Finding]:
            project.file(f"release/{TOKEN}", "shell")
            return []

    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    monkeypatch.setattr(engine, "rules_for", lambda kinds, codes: (LooksUp,))
    assert run(capsys, "--select", "SL101", root)[0] == 0
    assert entries() == []


# --- (5) turning it off ---------------------------------------------------------------------------


def test_no_cache_flag_and_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    run(capsys, "--no-cache", root)
    assert not cache_dir().joinpath("results").exists()
    monkeypatch.setenv("SHIPLINT_NO_CACHE", "1")
    run(capsys, root)
    assert not cache_dir().joinpath("results").exists()
    monkeypatch.setenv("SHIPLINT_NO_CACHE", "0")
    run(capsys, root)
    assert len(entries()) == 1
    assert not is_hit(monkeypatch, capsys, "--no-cache", root)  # never read either
    monkeypatch.setenv("SHIPLINT_NO_CACHE", "yes")
    assert not is_hit(monkeypatch, capsys, root)


def test_fix_and_diff_never_use_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = EXAMPLES / "broken"
    copy = tmp_path / "broken"
    for path in root.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    run(capsys, str(copy))
    (entry,) = entries()
    assert not is_hit(monkeypatch, capsys, "--diff", str(copy))
    assert not is_hit(monkeypatch, capsys, "--fix", str(copy))
    assert entries() == [entry]  # nothing written by --fix/--diff ...
    assert not is_hit(monkeypatch, capsys, str(copy))  # ... and the fixed files miss
    assert_miss_then_same(capsys, str(copy))


def test_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SHIPLINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert location.cache_dir() == str(tmp_path / "xdg" / "shiplint")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert location.cache_dir() == str(tmp_path / "home" / ".cache" / "shiplint")
    monkeypatch.setenv("SHIPLINT_CACHE_DIR", "rel")
    assert location.cache_dir() == os.path.abspath("rel")


def test_the_suite_never_touches_the_users_cache() -> None:
    directory = Path(os.environ["SHIPLINT_CACHE_DIR"])
    home = Path(os.path.expanduser("~")) / ".cache" / "shiplint"
    assert directory != home
    assert "shiplint-cache" in directory.name


# --- what is written ----------------------------------------------------------------------------


def test_entries_are_private_json_written_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": WORKFLOW, "release/upload.sh": SCRIPT})
    entry = only_entry(capsys, root)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE((cache_dir() / "results").stat().st_mode) == 0o700
    data = json.loads(entry.read_text(encoding="ascii"))
    assert data["schema"] == key.SCHEMA
    assert entry.name == data["key"] + ".json"
    assert [p.name for p in (cache_dir() / "results").iterdir()] == [entry.name]  # no temp file


def test_pruning_keeps_recent_entries_within_the_cap(tmp_path: Path) -> None:
    store = cache.open_cache(Options())
    assert store is not None
    results = Path(store.results)
    now = 2_000_000_000.0
    for i in range(location.MAX_ENTRIES + 20):
        path = results / f"{i:064x}.json"
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (now - i, now - i))  # entry i was used i seconds ago
    old = results / ("f" * 64 + ".json")
    old.write_text("{}", encoding="utf-8")
    os.utime(old, (now - location.MAX_AGE_SECONDS - 1,) * 2)
    stale = results / ".x.json.1.abcd.tmp"
    stale.write_text("", encoding="utf-8")
    os.utime(stale, (now - 7200, now - 7200))
    store.prune(now)
    kept = sorted(p.name for p in results.iterdir())
    assert kept == sorted(f"{i:064x}.json" for i in range(location.MAX_ENTRIES))


def test_a_crashing_rule_is_not_cached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Crashing(Rule):
        code, name, severity = "SL101", "crashing", Severity.ERROR

        def check(self, project: Project) -> Iterable[Finding]:
            raise RuntimeError("boom")

    root = str(repo(tmp_path, {".github/workflows/release.yml": WORKFLOW}))
    monkeypatch.setattr(engine, "rules_for", lambda kinds, codes: (Crashing,))
    _code, out = run(capsys, "--select", "SL101", root)
    assert "SL005" in out
    assert entries() == []


def test_findings_on_a_detached_source_show_the_same_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finding may sit on text that is not one of the files (an INI text embedded in
    TOML): the cache keeps the shown line, masked, and nothing else of that text."""
    root = repo(tmp_path, {"pyproject.toml": '[project]\nname = "demo"\n'})

    class Embedded(Rule):
        code, name, severity = "SL101", "embedded", Severity.WARNING

        def check(self, project: Project) -> Iterable[Finding]:
            host = project.by_rel["pyproject.toml"]
            text = "[testenv]\ncommands = twine upload -p not-a-real-password-9 dist/*\n"
            inner = SourceFile(host.path, host.rel, host.root, "tox-ini", text)
            finding = self.at(None, "embedded upload", "help", source=inner)
            finding.line, finding.column = 2, 12
            yield finding

    monkeypatch.setattr(engine, "rules_for", lambda kinds, codes: (Embedded,))
    uncached, first, second = cold_and_warm(capsys, monkeypatch, ["--select", "SL101", str(root)])
    assert uncached == first == second
    assert "twine upload -p ********" in uncached[1]
    (entry,) = entries()
    stored = entry.read_text(encoding="ascii")
    assert "not-a-real-password" not in stored
    assert "[testenv]" not in stored


def test_today_default_is_part_of_the_options() -> None:
    store = cache.open_cache(Options(today=dt.date(2030, 1, 1)))
    other = cache.open_cache(Options(today=dt.date(2030, 1, 2)))
    assert store is not None and other is not None
    assert store.static != other.static
