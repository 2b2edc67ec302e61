"""Build front-end command lines (pkg/build_frontends.py), shared by SL703 and SL721."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiplint.model import Arg, Loc
from shiplint.pkg.build_frontends import (
    BUILD,
    SDIST,
    WHEEL,
    BuildOutputs,
    Invocation,
    build_invocation,
    build_outputs,
    builds_root,
)
from shiplint.source import SourceFile

SRC = SourceFile(Path("build.sh"), "build.sh", "", "shell", "")


def args(line: str) -> list[Arg]:
    return [Arg(w, w, Loc(SRC, 0, 0)) for w in line.split()]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("python -m build", Invocation(BUILD, [])),
        (
            "python3 -m build --sdist --outdir out .",
            Invocation(BUILD, ["--sdist", "--outdir", "out", "."]),
        ),
        ("pipx run build --wheel", Invocation(BUILD, ["--wheel"])),
        ("uvx build -o dist", Invocation(BUILD, ["-o", "dist"])),
        ("/usr/bin/pyproject-build -w", Invocation(BUILD, ["-w"])),
        ("uv build --package core", Invocation("uv", ["--package", "core"])),
        ("hatch build -t wheel", Invocation("hatch", ["-t", "wheel"])),
        ("poetry build", Invocation("poetry", [])),
        ("cibuildwheel --output-dir wh", Invocation("cibuildwheel", ["--output-dir", "wh"])),
        ("maturin sdist -o dist", Invocation("maturin", ["-o", "dist"])),
        ("pip wheel -w wheels .", Invocation("pip", ["-w", "wheels", "."])),
        ("pip3 wheel --no-deps .", Invocation("pip", ["--no-deps", "."])),
        ("python setup.py sdist bdist_wheel", Invocation("setup.py", [])),
    ],
)
def test_build_invocation_recognises_front_ends(line: str, expected: Invocation) -> None:
    assert build_invocation(args(line)) == expected


@pytest.mark.parametrize(
    "line",
    [
        "build",  # a `build` program, not pypa/build run through Python
        "uv run pytest",
        "hatch env create",
        "cibuildwheel --print-build-identifiers",
        "maturin develop",
        "pip install .",
        "python setup.py test",
        "make dist",
        "",
    ],
)
def test_build_invocation_of_other_commands_is_none(line: str) -> None:
    assert build_invocation(args(line)) is None


def test_build_outputs_defaults_to_both_kinds_in_dist() -> None:
    assert build_outputs([]) == BuildOutputs("dist", frozenset({SDIST, WHEEL}), ())


@pytest.mark.parametrize(
    ("words", "outdir", "kinds"),
    [
        (["--outdir", "out"], "out", {SDIST, WHEEL}),
        (["--outdir=out", "--sdist"], "out", {SDIST}),
        (["-o", "a", "-ob"], "b", {SDIST, WHEEL}),  # the last outdir wins
        (["-w", "-n", "-x", "-q"], "dist", {WHEEL}),
        (["-C", "key=value", "-Cother=1", "--installer", "uv", "-s"], "dist", {SDIST}),
        (["--config-setting=k=v", "--wheel"], "dist", {WHEEL}),
    ],
)
def test_build_outputs_reads_outdir_and_kinds(
    words: list[str], outdir: str, kinds: set[str]
) -> None:
    got = build_outputs(words)
    assert got is not None
    assert (got.outdir, got.kinds) == (outdir, frozenset(kinds))


def test_build_outputs_lists_source_arguments() -> None:
    got = build_outputs([".", "--wheel", "sub/pkg"])
    assert got is not None
    assert got.sources == (".", "sub/pkg")


@pytest.mark.parametrize("words", [["--outdir"], ["--unknown-flag"], ["-v", "--pre"]])
def test_build_outputs_of_unknown_or_incomplete_options_is_none(words: list[str]) -> None:
    assert build_outputs(words) is None


def never(word: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("words", "at_root"),
    [
        ([], True),
        (["--outdir", "sub/dir"], True),  # an option's value is not a source directory
        (["-w", "wheels", "."], True),
        (["--manifest-path", "Cargo.toml"], True),
        (["-m", "./Cargo.toml"], True),
        (["--manifest-path=./Cargo.toml"], True),
        (["--package", "core"], False),
        (["--all-packages"], False),
        (["--manifest-path=crates/py/Cargo.toml"], False),
    ],
)
def test_builds_root_reads_project_options(words: list[str], at_root: bool) -> None:
    assert builds_root(words, never) is at_root


def test_builds_root_asks_about_positional_arguments() -> None:
    asked: list[str] = []

    def names_subdir(word: str) -> bool:
        asked.append(word)
        return word == "pkg"

    assert builds_root(["--outdir", "out", "."], names_subdir) is True
    assert builds_root(["pkg"], names_subdir) is False
    assert asked == [".", "pkg"]
