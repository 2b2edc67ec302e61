"""Robustness: malformed, odd and hostile files become findings, never tracebacks.

Every malformed file is a positioned SL001 finding and the other files are still checked;
a rule that crashes is an SL005 finding naming the rule and the file; files over the size
limit are SL006; alias bombs, expansion bombs and deep nesting finish quickly and small.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shiplint.cli import main
from shiplint.config import Config, ConfigError, load_config
from shiplint.engine import Options, audit_root
from shiplint.findings import Finding
from shiplint.parse.shell_expand import MAX_EXPANSION_GROWTH, expand
from shiplint.report.redact import MASK
from shiplint.rules.publish_action.refs import PypiPublishUnknownRef
from shiplint.source import DEFAULT_MAX_FILE_BYTES, SourceFile, read_file
from tests.conftest import CORPUS, hits, write_tree

GOOD_PATH = ".github/workflows/good.yml"
# a valid workflow with a known finding (SL202 at the `v1` ref): it must survive bad neighbours
GOOD = """\
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@v1
"""
GOOD_HIT = ("SL202", GOOD_PATH, 10, 43)


def audit_dir(root: Path, **options: object) -> list[Finding]:
    return audit_root(str(root), Options(**options)).findings  # type: ignore[arg-type]


def write_bytes(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def no_crash(findings: list[Finding]) -> None:
    assert [f.message for f in findings if f.rule == "SL005"] == []


# --- malformed files: positioned SL001, the run goes on ----------------------------------------

MALFORMED = [
    pytest.param(
        ".github/workflows/bad.yml",
        b"on:\n  push:\n    tags: ['v*'\njobs: {}\n",
        "SL001",
        (4, 1),
        "YAML syntax error",
        id="yaml-syntax",
    ),
    pytest.param(
        ".github/workflows/bad.yml",
        b"on: push\non: pull_request\njobs: {}\n",
        "SL002",
        (2, 1),
        "duplicate key `on`",
        id="yaml-duplicate-key",
    ),
    pytest.param(
        "pyproject.toml",
        b'[project]\nname = "x"\nversion = 1.0.0\n',
        "SL001",
        (3, 14),
        "Expected newline or end of document after a statement",
        id="toml-syntax",
    ),
    pytest.param(
        "pyproject.toml",
        b'[project]\nname = "x"\nname = "y"\n',
        "SL001",
        (3, 11),
        "Cannot overwrite a value",
        id="toml-duplicate-key",
    ),
    pytest.param(
        "tox.toml",
        b"[env.release\n",
        "SL001",
        (1, 13),
        "Expected ']'",
        id="tox-toml-syntax",
    ),
    pytest.param(
        "tox.ini",
        b"commands = twine upload dist/*\n[testenv]\n",
        "SL001",
        (1, 1),
        "text before the first [section] header",
        id="ini-no-section",
    ),
    pytest.param(
        ".pypirc",
        b"[pypi]\nusername = __token__\n[pypi]\n",
        "SL001",
        (3, 2),
        "section [pypi] is defined twice (first at line 1)",
        id="ini-duplicate-section",
    ),
    pytest.param(
        ".github/workflows/bad.yml",
        "on: push\nname: \u00e9t\u00e9 ".encode() + b"\xff\n",
        "SL001",
        (2, 11),
        "not valid UTF-8",
        id="invalid-utf8-column-in-characters",
    ),
    pytest.param(
        "pyproject.toml",
        b"\xef\xbb\xbf\xc3(\n",
        "SL001",
        (1, 1),
        "not valid UTF-8",
        id="invalid-utf8-after-bom",
    ),
    pytest.param(
        "tox.ini",
        b"[tox]\nenv_list = a\x00b\n",
        "SL001",
        (2, 13),
        "NUL bytes",
        id="nul-bytes",
    ),
    pytest.param(
        "setup.py",
        b"from setuptools import setup\nsetup(name='x',\n",
        "SL001",
        (2, 6),
        "Python syntax error",
        id="python-syntax",
    ),
    pytest.param(
        "Makefile",
        b"release:\n\t\xfe twine upload dist/*\n",
        "SL001",
        (2, 2),
        "not valid UTF-8",
        id="makefile-not-utf8",
    ),
]


@pytest.mark.parametrize(("rel", "data", "rule", "pos", "message"), MALFORMED)
def test_malformed_file_is_a_positioned_finding_and_the_run_goes_on(
    tmp_path: Path, rel: str, data: bytes, rule: str, pos: tuple[int, int], message: str
) -> None:
    write_bytes(tmp_path, {rel: data, GOOD_PATH: GOOD.encode()})
    findings = audit_dir(tmp_path)
    no_crash(findings)
    found = [f for f in findings if f.rule == rule and f.path == rel]
    assert [(f.line, f.column) for f in found] == [pos], [f.message for f in found]
    assert message in found[0].message
    assert GOOD_HIT in hits(findings)


def test_malformed_files_through_the_cli_exit_1_without_traceback(tmp_path: Path) -> None:
    for param in MALFORMED:
        rel, data = param.values[0], param.values[1]
        assert isinstance(rel, str) and isinstance(data, bytes) and param.id is not None
        write_bytes(tmp_path / str(param.id), {rel: data})
    roots = sorted(str(p) for p in tmp_path.iterdir())
    assert len(roots) == len(MALFORMED)
    proc = subprocess.run(
        [sys.executable, "-m", "shiplint", "check", *roots],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr == ""


@pytest.mark.parametrize(
    "rel",
    [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "tox.ini",
        "tox.toml",
        ".pypirc",
        "Makefile",
        "noxfile.py",
        ".github/workflows/x.yml",
        ".github/workflows/y.yaml",
        ".github/actions/pub/action.yml",
        "scripts/release.sh",
        "ci/azure.yml",
        "environment.yml",
    ],
)
def test_directory_named_like_a_file_is_reported(tmp_path: Path, rel: str) -> None:
    write_tree(tmp_path, {GOOD_PATH: GOOD})
    (tmp_path / rel).mkdir(parents=True)
    (tmp_path / rel / "inner.txt").write_text("x")
    findings = audit_dir(tmp_path)
    no_crash(findings)
    found = [(f.rule, f.path, f.line, f.message) for f in findings if f.path == rel]
    assert found == [("SL001", rel, None, "is a directory, not a file")]
    assert GOOD_HIT in hits(findings)


def test_symlink_to_a_directory_named_like_a_file_is_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, {GOOD_PATH: GOOD, "ci/real/x.txt": "x"})
    (tmp_path / "tox.ini").symlink_to(tmp_path / "ci" / "real")
    findings = audit_dir(tmp_path)
    assert [(f.rule, f.message) for f in findings if f.path == "tox.ini"] == [
        ("SL001", "is a directory, not a file")
    ]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {GOOD_PATH: GOOD, "tox.ini": "[tox]\n"})
    real_open = open

    def deny(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith("tox.ini"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("shiplint.source.open", deny, raising=False)
    findings = audit_dir(tmp_path)
    no_crash(findings)
    assert [(f.rule, f.message) for f in findings if f.path == "tox.ini"] == [
        ("SL001", "cannot read file: Permission denied")
    ]
    assert GOOD_HIT in hits(findings)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file_by_permissions(tmp_path: Path) -> None:
    write_tree(tmp_path, {GOOD_PATH: GOOD, "pyproject.toml": "[project]\n"})
    (tmp_path / "pyproject.toml").chmod(0)
    try:
        findings = audit_dir(tmp_path)
    finally:
        (tmp_path / "pyproject.toml").chmod(0o644)
    assert [(f.rule, f.message) for f in findings if f.path == "pyproject.toml"] == [
        ("SL001", "cannot read file: Permission denied")
    ]
    assert GOOD_HIT in hits(findings)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_named_like_a_file_is_reported_not_read(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: it must never be opened."""
    write_tree(tmp_path, {GOOD_PATH: GOOD})
    os.mkfifo(tmp_path / "pyproject.toml")
    os.mkfifo(tmp_path / "lone.yml")
    proc = subprocess.run(
        [sys.executable, "-m", "shiplint", "check", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and '"is not a regular file; skipped"' in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "shiplint", "check", str(tmp_path / "lone.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "lone.yml: SL001 [error] is not a regular file" in proc.stdout


def test_file_that_grows_while_read_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stat() said small, the file is big: never more than the limit plus one byte is read."""
    path = tmp_path / "tox.ini"
    path.write_bytes(b"[tox]\n" + b"#" * 5000)
    real_stat = os.stat

    def small(target: object, *args: object, **kwargs: object) -> os.stat_result:
        st = real_stat(target, *args, **kwargs)  # type: ignore[arg-type]
        if str(target) == str(path):
            return os.stat_result((st.st_mode, *st[1:6], 10, *st[7:10]))
        return st

    monkeypatch.setattr(os, "stat", small)
    src = read_file(path, "tox.ini", str(tmp_path), "tox-ini", max_bytes=1000)
    monkeypatch.undo()
    assert src.text is None and src.too_large == 1001
    assert src.error is not None and "1001 bytes" in src.error


# --- the size limit: SL006, configurable -------------------------------------------------------


def big_workflow(size: int) -> bytes:
    head = GOOD.encode()
    return head + b"#" * (size - len(head) - 1) + b"\n"


def test_file_over_the_size_limit_is_sl006_and_not_read(tmp_path: Path) -> None:
    data = big_workflow(DEFAULT_MAX_FILE_BYTES + 1)
    write_bytes(tmp_path, {".github/workflows/big.yml": data, GOOD_PATH: GOOD.encode()})
    findings = audit_dir(tmp_path)
    big = [f for f in findings if f.path == ".github/workflows/big.yml"]
    assert [(f.rule, f.line, f.column) for f in big] == [("SL006", 1, 1)]
    assert big[0].message == (
        "file is 5 MB (5242881 bytes), larger than the 5 MB limit (`max-file-size`); "
        "it was not checked"
    )
    assert big[0].source is not None and big[0].source.text is None
    assert GOOD_HIT in hits(findings)
    # exactly at the limit: read and checked like any file
    write_bytes(tmp_path, {".github/workflows/big.yml": big_workflow(DEFAULT_MAX_FILE_BYTES)})
    findings = audit_dir(tmp_path)
    assert ("SL202", ".github/workflows/big.yml", 10, 43) in hits(findings)
    assert "SL006" not in {f.rule for f in findings}


@pytest.mark.skipif(os.name != "posix", reason="needs sparse files")
def test_huge_sparse_file_is_skipped_quickly(tmp_path: Path) -> None:
    write_tree(tmp_path, {GOOD_PATH: GOOD})
    with open(tmp_path / "setup.py", "wb") as handle:
        handle.truncate(8 * 1024**3)  # 8 GB, sparse: reading it would exhaust memory
    started = time.monotonic()
    findings = audit_dir(tmp_path)
    assert time.monotonic() - started < 30
    assert [(f.rule, f.message) for f in findings if f.path == "setup.py"] == [
        (
            "SL006",
            "file is 8192 MB (8589934592 bytes), larger than the 5 MB limit "
            "(`max-file-size`); it was not checked",
        )
    ]


@pytest.mark.parametrize(
    ("setting", "limit"),
    [("100", 100), ('"100"', 100), ('"2 KB"', 2048), ('"6MB"', 6 * 1024**2), ('"1 MiB"', 1024**2)],
)
def test_max_file_size_setting(tmp_path: Path, setting: str, limit: int) -> None:
    write_tree(tmp_path, {"pyproject.toml": f"[tool.shiplint]\nmax-file-size = {setting}\n"})
    assert load_config(tmp_path).max_file_size == limit


def test_max_file_size_changes_what_is_skipped(tmp_path: Path) -> None:
    big = big_workflow(DEFAULT_MAX_FILE_BYTES + 10)
    write_bytes(tmp_path, {GOOD_PATH: big, "shiplint.toml": b'max-file-size = "6 MB"\n'})
    findings = audit_dir(tmp_path)
    assert GOOD_HIT in hits(findings)
    assert "SL006" not in {f.rule for f in findings}
    write_bytes(tmp_path, {GOOD_PATH: GOOD.encode(), "shiplint.toml": b"max-file-size = 100\n"})
    findings = audit_dir(tmp_path)
    assert [(f.rule, f.message) for f in findings if f.path == GOOD_PATH] == [
        (
            "SL006",
            f"file is {len(GOOD)} bytes ({len(GOOD)} bytes), larger than the 100 bytes limit "
            "(`max-file-size`); it was not checked",
        )
    ]


def test_max_file_size_applies_to_scripts_read_on_demand(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "shiplint.toml": "max-file-size = 300\n",
            ".github/workflows/r.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - run: bash release/upload.sh\n",
            "release/upload.sh": "#" * 400 + "\ntwine upload dist/*\n",
        },
    )
    findings = audit_dir(tmp_path)
    no_crash(findings)
    assert [f.rule for f in findings if f.path == "release/upload.sh"] == ["SL006"]


UPLOAD_WORKFLOW = """\
on: {push: {tags: ["v*"]}}
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - run: twine upload dist/*
        env:
          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


@pytest.mark.parametrize(("limit", "seen"), [("1 KB", False), ("6 MB", True)])
def test_map_init_and_docs_read_with_the_configured_size_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit: str, seen: bool
) -> None:
    # a workflow just over the default limit: seen only when the setting raises the limit
    padded = UPLOAD_WORKFLOW.encode() + b"#" * DEFAULT_MAX_FILE_BYTES + b"\n"
    write_bytes(
        tmp_path,
        {
            ".github/workflows/release.yml": padded,
            "shiplint.toml": f'max-file-size = "{limit}"\n'.encode(),
        },
    )
    assert main(["map", "--format", "json", str(tmp_path)]) == 0
    (root,) = json.loads(capsys.readouterr().out)["roots"]
    assert [u["location"] for u in root["uploads"]] == (
        [".github/workflows/release.yml:6:14"] if seen else []
    )
    assert main(["init", "--dry-run", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ('secret = "PYPI_TOKEN"' in out) is seen
    assert ("nothing to do" in out) is not seen


@pytest.mark.parametrize("setting", ["0", "-5", '"lots"', "true", '"5 GB"', "1.5", "[1]"])
def test_invalid_max_file_size_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str
) -> None:
    write_tree(tmp_path, {"shiplint.toml": f"max-file-size = {setting}\n"})
    with pytest.raises(ConfigError, match="max-file-size must be a positive number of bytes"):
        load_config(tmp_path)
    assert main(["check", str(tmp_path)]) == 2
    assert "max-file-size" in capsys.readouterr().err


def test_config_files_that_cannot_be_used_are_skipped(tmp_path: Path) -> None:
    """Config is read like discovery reads files: never through links leaving the root,
    never from a file over the default limit, never from a FIFO."""
    outside = tmp_path / "outside"
    write_tree(outside, {"pyproject.toml": "[tool.shiplint]\nignore = ['SL202']\n"})
    root = tmp_path / "root"
    write_tree(root, {GOOD_PATH: GOOD})
    (root / "pyproject.toml").symlink_to(outside / "pyproject.toml")
    assert load_config(root) == Config()
    assert GOOD_HIT in hits(audit_dir(root))
    (root / "pyproject.toml").unlink()
    (root / "pyproject.toml").write_bytes(
        b"[tool.shiplint]\nignore = ['SL202']\n" + b"#" * DEFAULT_MAX_FILE_BYTES
    )
    assert load_config(root) == Config()
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "shiplint.toml")
        assert load_config(root) == Config()  # would block if opened


# --- deep nesting and bombs: bounded time and memory -------------------------------------------


def timed_audit(root: Path) -> tuple[list[Finding], float]:
    started = time.monotonic()
    findings = audit_dir(root)
    return findings, time.monotonic() - started


DEEP = [
    pytest.param(
        "pyproject.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n", "SL001", id="toml-array"
    ),
    pytest.param(
        "pyproject.toml",
        "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n",
        "SL001",
        id="toml-table",
    ),
    pytest.param(
        "tox.toml", "[env.a]\nx = " + "[" * 5000 + "]" * 5000 + "\n", "SL001", id="tox-toml"
    ),
    pytest.param(
        ".github/workflows/deep.yml", "a: " + "[" * 5000 + "]" * 5000 + "\n", None, id="yaml-flow"
    ),
    pytest.param(
        ".github/workflows/deep.yml",
        "".join(" " * i + "k:\n" for i in range(3000)),
        "SL001",
        id="yaml-block",
    ),
    pytest.param(
        ".github/workflows/deep.yml",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: "
        + "".join("- " * 2000)
        + "x\n",
        None,
        id="yaml-block-sequence",
    ),
    pytest.param("setup.py", "x = " + "(" * 5000 + ")" * 5000 + "\n", "SL001", id="python-parens"),
    pytest.param("setup.py", "x = 1" + " + 1" * 100_000 + "\n", "SL001", id="python-binop"),
    pytest.param("noxfile.py", "x = " + "-" * 100_000 + "1\n", "SL001", id="python-unary"),
    pytest.param(
        "noxfile.py",
        "".join("    " * i + "if x:\n" for i in range(99)) + "    " * 99 + "pass\n",
        None,
        id="python-blocks",
    ),
    pytest.param(
        "tox.ini",
        "[testenv]\ncommands = " + "{" * 5000 + "}" * 5000 + "\nset_env = X=" + "{env:A:" * 5000,
        None,
        id="ini-substitutions",
    ),
    pytest.param(
        "scripts/deep.sh",
        "$(" * 5000 + "twine upload" + ")" * 5000 + "\n" + "{ " * 5000 + "} " * 5000 + "\n",
        None,
        id="shell-nesting",
    ),
]


@pytest.mark.parametrize(("rel", "text", "rule"), DEEP)
def test_deep_nesting_is_bounded(tmp_path: Path, rel: str, text: str, rule: str | None) -> None:
    write_tree(tmp_path, {GOOD_PATH: GOOD})
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).write_text(text)
    findings, seconds = timed_audit(tmp_path)
    no_crash(findings)
    assert seconds < 30
    if rule is not None:
        assert rule in [f.rule for f in findings if f.path == rel]
    assert GOOD_HIT in hits(findings)


def test_yaml_nested_too_deep_is_reported_once_at_the_cut(tmp_path: Path) -> None:
    lines = ["on: push", "jobs:", "  a:", "    runs-on: x", "    env:"]
    lines += ["      " + " " * i + "k:" for i in range(300)]
    lines += ["  b:", "    runs-on: x", "    env:"]
    lines += ["      " + " " * i + "k:" for i in range(300)]
    write_tree(tmp_path, {".github/workflows/deep.yml": "\n".join(lines) + "\n"})
    found = [f for f in audit_dir(tmp_path) if f.rule == "SL001"]
    # 200 collections are open at the 198th `k:` (the document's root, the values of jobs,
    # a and env, and those of the 196 `k:` before it): its value, the mapping that starts
    # at the next key (line 6 + 198), is the first one not analysed
    assert hits(found) == [("SL001", ".github/workflows/deep.yml", 6 + 198, 7 + 198)]
    assert "deeper than 200 levels" in found[0].message


def test_second_yaml_document_is_reported_and_a_single_one_is_not(tmp_path: Path) -> None:
    workflow = "on: push\njobs: {}\n"
    write_tree(
        tmp_path,
        {
            ".github/workflows/two.yml": workflow + "---\n" + workflow + "---\n" + workflow,
            ".github/workflows/one.yml": "---\n" + workflow + "...\n",
        },
    )
    found = [f for f in audit_dir(tmp_path) if f.rule == "SL001"]
    assert hits(found) == [("SL001", ".github/workflows/two.yml", 4, 1)]
    assert "more than one YAML document" in found[0].message


def test_deeply_nested_pyproject_is_no_config_crash(tmp_path: Path) -> None:
    """tomllib raises RecursionError, not TOMLDecodeError: the config loader used to crash."""
    write_tree(tmp_path, {"pyproject.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n"})
    assert load_config(tmp_path) == Config()
    write_tree(tmp_path, {"shiplint.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n"})
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def billion_laughs(levels: int = 9) -> str:
    out = "x-lol: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels):
        out += f"x-l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n"
    return out


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    text = billion_laughs() + "on: *l8\njobs:\n  a:\n    runs-on: *l8\n    steps: *l8\n"
    write_tree(tmp_path, {".github/workflows/lol.yml": text, GOOD_PATH: GOOD})
    findings, seconds = timed_audit(tmp_path)
    assert seconds < 30
    bomb = [f for f in findings if f.path == ".github/workflows/lol.yml"]
    assert [(f.rule, f.line, f.column) for f in bomb] == [("SL001", 2, 12)]
    assert "YAML aliases expand this file to over" in bomb[0].message
    assert GOOD_HIT in hits(findings)


def test_alias_amplified_script_is_refused_quickly(tmp_path: Path) -> None:
    """1000 aliases of a step running 1000 uploads: a 67 KB file took 8 minutes to check."""
    script = "".join(f"          twine upload -p $TOKEN{i} dist/*\n" for i in range(1000))
    text = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - &s\n"
        "        run: |\n" + script + "      - *s\n" * 1000
    )
    write_tree(tmp_path, {".github/workflows/amp.yml": text})
    findings, seconds = timed_audit(tmp_path)
    assert seconds < 30
    assert [(f.rule, f.line, f.column) for f in findings] == [("SL001", 1008, 9)]


def test_alias_inside_its_own_anchor(tmp_path: Path) -> None:
    text = (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - &step\n        env: *step\n        run: echo\n"
    )
    write_tree(tmp_path, {".github/workflows/loop.yml": text})
    findings = audit_dir(tmp_path)
    assert [(f.rule, f.line, f.column, f.message) for f in findings] == [
        (
            "SL001",
            7,
            14,
            "YAML alias used inside its own anchor: the value would be infinite; "
            "it was not analysed",
        )
    ]


def test_ordinary_anchors_are_analysed(tmp_path: Path) -> None:
    text = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - &checkout\n        uses: actions/checkout@v4\n"
        "  publish:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n"
        "    steps:\n      - *checkout\n      - uses: pypa/gh-action-pypi-publish@v1\n"
    )
    write_tree(tmp_path, {".github/workflows/ok.yml": text})
    findings = audit_dir(tmp_path)
    # `@v1` does not exist (SL202); it is no release at all, so not "1.0.0 predating OIDC";
    # the publish job has no `environment:` (SL307, information)
    assert {f.rule for f in findings} == {"SL202", "SL307", "SL801"}
    assert ("SL202", ".github/workflows/ok.yml", 14, 43) in hits(findings)


def test_shell_variable_bomb_is_bounded() -> None:
    """A0=x; A1="$A0 $A0"; ... A59: each expansion doubles. It ran out of memory (24 GB)."""
    values: dict[str, str] = {"A0": "x"}
    for i in range(1, 60):
        values[f"A{i}"] = expand(f"$A{i - 1} ${{A{i - 1}}}", values.get)
    assert len(values["A59"]) <= MAX_EXPANSION_GROWTH + 20
    assert expand("$A59$A59", values.get).count("$A59") == 1  # what does not fit stays as written


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        (
            "scripts/bomb.sh",
            "A0=x\n"
            + "".join(f'A{i}="$A{i - 1} $A{i - 1}"\n' for i in range(1, 60))
            + "twine upload -p $A59 dist/*\nexport B=${A59:-$A59$A59}\n",
        ),
        (
            ".github/workflows/bomb.yml",
            "on: push\nenv:\n  A0: x\n"
            + "".join(
                f"  A{i}: ${{{{ env.A{i - 1} }}}}${{{{ env.A{i - 1} }}}}\n" for i in range(1, 60)
            )
            + "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          B=$A59$A59\n"
            "          twine upload -p $B dist/*\n",
        ),
        (
            "Makefile",
            "A0 = x\n"
            + "".join(f"A{i} = $(A{i - 1}) $(A{i - 1})\n" for i in range(1, 60))
            + "release:\n\ttwine upload -p $(A59) dist/*\n",
        ),
        (
            "tox.ini",
            "[testenv]\nset_env =\n    A0 = x\n"
            + "".join(f"    A{i} = {{env:A{i - 1}}}{{env:A{i - 1}}}\n" for i in range(1, 60))
            + "commands = twine upload -p {env:A59} dist/*\n",
        ),
        (
            "tox.ini",
            "[b0]\nx = twine upload dist/*\n"
            + "".join(f"[b{i}]\nx = {{[b{i - 1}]x}} {{[b{i - 1}]x}}\n" for i in range(1, 60))
            + "[testenv]\ncommands = {[b59]x}\n",
        ),
    ],
    ids=["shell", "workflow-env", "makefile", "tox-set-env", "tox-references"],
)
def test_expansion_bombs_are_bounded(tmp_path: Path, rel: str, text: str) -> None:
    write_tree(
        tmp_path,
        {
            rel: text,
            ".github/workflows/call.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - run: bash scripts/bomb.sh\n      - run: make release\n"
            "      - run: tox -e py\n",
        },
    )
    findings, seconds = timed_audit(tmp_path)
    no_crash(findings)
    assert seconds < 30


@pytest.mark.parametrize(
    "condition",
    [
        " && ".join(["github.event_name == 'pull_request'"] * 5000),
        "${{ github" + "['a']" * 5000 + " }}",
        "${{ " + "!" * 5000 + "true }}",
    ],
    ids=["long-and-chain", "deep-index", "many-nots"],
)
def test_huge_expressions_do_not_crash_reachability(tmp_path: Path, condition: str) -> None:
    """The evaluator recursed once per `&&`: RecursionError crashed SL302."""
    text = (
        "on: pull_request\njobs:\n  a:\n    runs-on: x\n    permissions:\n      id-token: write\n"
        f"    if: {condition}\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        f"        if: {condition}\n"
    )
    write_tree(tmp_path, {".github/workflows/pr.yml": text})
    findings = audit_dir(tmp_path)
    no_crash(findings)
    assert "SL302" in [f.rule for f in findings]  # unknown reachability: reported


def test_long_needs_chain_does_not_crash_reachability(tmp_path: Path) -> None:
    jobs = "".join(
        f"  j{i}:\n    runs-on: x\n    needs: [j{i - 1}]\n"
        f"    if: github.event_name == 'pull_request'\n    steps: [{{run: echo}}]\n"
        for i in range(1, 3000)
    )
    text = (
        "on: pull_request\njobs:\n  j0:\n    runs-on: x\n    steps: [{run: echo}]\n"
        + jobs
        + "  pub:\n    runs-on: x\n    needs: [j2999]\n    permissions:\n      id-token: write\n"
        "    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    write_tree(tmp_path, {".github/workflows/chain.yml": text})
    findings = audit_dir(tmp_path)
    no_crash(findings)
    assert "SL302" in [f.rule for f in findings]


# --- symlinks ----------------------------------------------------------------------------------


def test_symlink_loops_and_links_leaving_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(
        outside,
        {
            "pyproject.toml": "[project]\nname = 'not valid!'\nversion = '1'\n",
            "wf/leak.yml": GOOD,
            "secret.sh": "twine upload -p pypi-hunter2 dist/*\n",
        },
    )
    root = tmp_path / "root"
    write_tree(root, {GOOD_PATH: GOOD, "ci/a/x.yml": "a: 1\n"})
    (root / "pyproject.toml").symlink_to(outside / "pyproject.toml")
    (root / ".github" / "workflows" / "leak.yml").symlink_to(outside / "wf" / "leak.yml")
    (root / "scripts").symlink_to(outside)
    (root / "ci" / "a" / "loop").symlink_to(root / "ci")
    (root / "ci" / "self").symlink_to(root / "ci" / "self")
    (root / "tox.ini").symlink_to(root / "tox.ini")  # ELOOP
    (root / "setup.cfg").symlink_to(root / "missing.cfg")  # broken
    (root / "tools").symlink_to(root)  # the root itself, through a walked folder
    findings, seconds = timed_audit(root)
    assert seconds < 30
    no_crash(findings)
    assert GOOD_HIT in hits(findings)
    assert {f.source.rel for f in findings if f.source is not None} == {GOOD_PATH}


def test_workflow_running_a_script_through_a_link_leaving_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"up.sh": "twine upload -u __token__ -p hunter2 dist/*\n"})
    root = tmp_path / "root"
    write_tree(
        root,
        {
            ".github/workflows/r.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - run: bash release/up.sh\n      - run: bash ../outside/up.sh\n"
        },
    )
    (root / "release").symlink_to(outside)
    findings = audit_dir(root)
    no_crash(findings)
    assert all(f.path == ".github/workflows/r.yml" for f in findings)


# --- a rule that crashes: SL005 names the rule and the file; the others still run --------------


def crashing_check(self: object, project: object) -> object:
    for src in project.of_kind("workflow"):  # type: ignore[attr-defined]
        if "pypa" in (src.text or ""):
            raise ValueError(f"cannot handle {src.text.split()[-1]} (password=hunter2)")
    return iter(())


def test_rule_crash_is_an_internal_error_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(PypiPublishUnknownRef, "check", crashing_check)
    write_tree(
        tmp_path,
        {GOOD_PATH: GOOD, ".github/workflows/other.yml": "on: push\njobs: {}\nenv: {on: x}\n"},
    )
    findings = audit_dir(tmp_path)
    internal = [f for f in findings if f.rule == "SL005"]
    assert [(f.path, f.line) for f in internal] == [(GOOD_PATH, None)]
    message = internal[0].message
    assert message.startswith(
        "rule SL202 (pypi-publish-unknown-ref) crashed: ValueError: cannot handle "
        "pypa/gh-action-pypi-publish@v1 (password=" + MASK
    )
    assert "hunter2" not in message
    assert "test_robustness.py:" in message
    assert {f.rule for f in findings} >= {"SL005", "SL801"}  # the other rules ran
    assert main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "SL005 [error] rule SL202 (pypi-publish-unknown-ref) crashed" in captured.out


def test_rule_crash_without_a_file_at_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def check(self: object, project: object) -> object:
        raise KeyError("x")

    monkeypatch.setattr(PypiPublishUnknownRef, "check", check)
    write_tree(tmp_path, {GOOD_PATH: GOOD})
    internal = [f for f in audit_dir(tmp_path) if f.rule == "SL005"]
    assert [(f.path, f.source) for f in internal] == [("", None)]


def test_source_file_pickles_with_its_size_marker(tmp_path: Path) -> None:
    """Parallel audits send results between processes."""
    import pickle

    (tmp_path / "x.yml").write_bytes(b"a" * 20)
    src = read_file(tmp_path / "x.yml", "x.yml", str(tmp_path), "workflow", max_bytes=10)
    copy = pickle.loads(pickle.dumps(src))
    assert isinstance(copy, SourceFile) and copy.too_large == 20 and copy.error == src.error


# --- the peer test data inside a repository (tests/test_corpus.py audits each file alone) ------

PEER = CORPUS / "peer-testdata"


@pytest.mark.slow
@pytest.mark.skipif(not PEER.is_dir(), reason="../shared/corpus is not available")
def test_peer_testdata_as_workflows_actions_and_ci_files_of_one_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Single files skip the repository-level rules: here every odd or invalid workflow of
    actionlint's and zizmor's test data is a workflow, a composite action and a CI template
    of one repository, so that callers, callees and cross-file rules meet them too."""
    files = sorted(p for p in PEER.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    assert len(files) > 600
    for i, path in enumerate(files):
        data = path.read_bytes()
        write_bytes(
            tmp_path,
            {
                f".github/workflows/{i:04d}-{path.name}": data,
                f".github/actions/a{i}/action.yml": data,
                f"ci/c{i}.yml": data,
            },
        )
    code = main(["check", "--format", "json", "--today", "2026-11-21", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert [f["message"] for f in report["findings"] if f["rule"] == "SL005"] == []
    assert all(not f["path"].startswith(("/", "..")) for f in report["findings"])


def test_parse_yaml_refuses_bombs_only_for_the_audit() -> None:
    from shiplint.parse.yamlload import parse_yaml

    src = SourceFile(Path("w.yml"), "w.yml", ".", "workflow", billion_laughs(12))
    doc, problem = parse_yaml(src)
    assert doc is not None and problem is None  # the parser shares aliased nodes
    doc, problem = parse_yaml(src, refuse_bombs=True)
    assert doc is None and problem is not None and problem.pos == (2, 12)
    small = SourceFile(Path("w.yml"), "w.yml", ".", "workflow", billion_laughs(3))
    assert parse_yaml(small, refuse_bombs=True)[1] is None  # 9 x 9 x 9 scalars: fine


def test_unreadable_script_read_on_demand_is_reported(tmp_path: Path) -> None:
    """Scripts outside the walked folders are read when a workflow runs them."""
    write_bytes(
        tmp_path,
        {
            ".github/workflows/r.yml": b"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            b"      - run: bash release/upload.sh\n",
            "release/upload.sh": b"#!/bin/sh\ntwine upload \xff dist/*\n",
        },
    )
    findings = audit_dir(tmp_path)
    assert [(f.rule, f.line, f.column) for f in findings if f.path == "release/upload.sh"] == [
        ("SL001", 2, 14)
    ]


def test_file_name_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The OS hands such names over with surrogates, which no UTF-8 report can hold."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    try:
        with open(os.fsencode(workflows) + b"/\xffrelease.yml", "wb") as handle:
            handle.write(GOOD.encode())
    except OSError:  # pragma: no cover - file systems that insist on UTF-8 names
        pytest.skip("the file system refuses names that are not UTF-8")
    for fmt in ("text", "json", "sarif", "github"):
        assert main(["check", "--format", fmt, str(tmp_path)]) == 1
        out = capsys.readouterr().out
        assert "\ufffdrelease.yml" in out or "\\ufffdrelease.yml" in out, fmt
        out.encode("utf-8")
        if fmt in ("json", "sarif"):
            json.loads(out)
