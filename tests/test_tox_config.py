"""The static tox readers shared by the release model and SL901 (model/tox_config.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shiplint.model import Arg, Loc, Value
from shiplint.model.tox_config import (
    env_reference,
    ini_disallowed,
    ini_passes,
    run_env_names,
    toml_disallowed,
    toml_passes,
)
from shiplint.parse.ini import IniDoc, parse_ini
from shiplint.source import SourceFile

SRC = SourceFile(Path("tox.ini"), "tox.ini", "", "tox-ini", "")


def words(line: str) -> list[Arg]:
    # `|` separates words (an expression holds spaces)
    return [Arg(w, w, Loc(SRC, 0, 0)) for w in line.split("|") if w]


def ini(text: str) -> IniDoc:
    src = SourceFile(Path("tox.ini"), "tox.ini", "", "tox-ini", textwrap.dedent(text))
    doc, problems = parse_ini(src)
    assert problems == []
    return doc


@pytest.mark.parametrize(
    ("line", "toxenv", "expected"),
    [
        ("-e|release", None, ["release"]),
        ("run|-e|py312,release|--", None, ["py312", "release"]),
        ("--env=release", None, ["release"]),
        ("-erelease", None, ["release"]),
        ("r|--envlist|release", None, ["release"]),
        # TOXENV is the default of -e: an explicit -e wins
        ("-e|docs", "release", ["docs"]),
        ("", "release,upload", ["release", "upload"]),
        ("", None, []),
        ("-e|py${{ matrix.python }}", None, ["py${{ matrix.python }}"]),
    ],
)
def test_run_env_names(line: str, toxenv: str | None, expected: list[str]) -> None:
    env = {} if toxenv is None else {"TOXENV": Value(toxenv, None)}
    assert run_env_names(words(line), env) == expected


def test_ini_env_inherits_from_testenv_and_follows_references() -> None:
    doc = ini(
        """
        [vars]
        tokens = TWINE_PASSWORD
        [testenv]
        passenv =
            HOME  # comment
            {[vars]tokens}
            upload: TWINE_USERNAME
        setenv =
            TWINE_REPOSITORY = pypi
        [testenv:release]
        commands = twine upload dist/*
        [testenv:own]
        pass_env = UV_PUBLISH_TOKEN
        """
    )
    assert ini_passes(doc, "release") == (
        ["HOME", "TWINE_PASSWORD", "TWINE_USERNAME"],
        ["TWINE_REPOSITORY"],
    )
    assert ini_passes(doc, "own") == (["UV_PUBLISH_TOKEN"], ["TWINE_REPOSITORY"])
    assert ini_passes(doc, "(base)")[0] == ["HOME", "TWINE_PASSWORD", "TWINE_USERNAME"]


@pytest.mark.parametrize("base", ["publish", "testenv:publish"])
def test_ini_base_names_a_section_or_an_env(base: str) -> None:
    doc = ini(
        f"""
        [testenv]
        passenv = HOME
        [testenv:publish]
        passenv = TWINE_*
        [testenv:release]
        base = {base}
        commands = twine upload dist/*
        """
    )
    assert ini_passes(doc, "release") == (["TWINE_*"], [])


def test_ini_base_loop_is_bounded() -> None:
    doc = ini(
        """
        [testenv:a]
        base = b
        [testenv:b]
        base = a
        """
    )
    assert ini_passes(doc, "a") == ([], [])


def test_toml_env_and_env_run_base() -> None:
    tox = {
        "env_run_base": {"pass_env": ["HOME"], "set_env": {"A": "1"}},
        "env": {
            "release": {
                "pass_env": ["TWINE_PASSWORD", {"replace": "ref", "of": ["env", "x", "k"]}]
            },
            "x": {"k": ["UV_PUBLISH_TOKEN"]},
            "plain": {},
        },
    }
    assert toml_passes(tox, "release") == (["TWINE_PASSWORD", "UV_PUBLISH_TOKEN"], ["A"])
    assert toml_passes(tox, "plain") == (["HOME"], ["A"])
    assert toml_passes(tox, "(base)") == (["HOME"], ["A"])


def test_disallow_pass_env_of_ini_and_toml_envs() -> None:
    doc = ini(
        """
        [testenv]
        passenv = TWINE_*
        disallow_pass_env = TWINE_PASSWORD
        [testenv:release]
        commands = twine upload dist/*
        [testenv:own]
        disallow_pass_env =
            UV_*
            TWINE_USERNAME
        """
    )
    assert ini_disallowed(doc, "release") == ["TWINE_PASSWORD"]  # from [testenv]
    assert ini_disallowed(doc, "own") == ["UV_*", "TWINE_USERNAME"]
    tox = {
        "env_run_base": {"disallow_pass_env": ["TWINE_PASSWORD"]},
        "env": {"own": {"disallow_pass_env": ["UV_*"]}, "plain": {}},
    }
    assert toml_disallowed(tox, "own") == ["UV_*"]
    assert toml_disallowed(tox, "plain") == ["TWINE_PASSWORD"]
    assert toml_disallowed({}, "plain") == []


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("{env:PYPI_TOKEN}", "PYPI_TOKEN"),
        (" {env:PYPI_TOKEN:} ", "PYPI_TOKEN"),
        ("{env:PYPI_TOKEN:https://x.org/a:b}", "PYPI_TOKEN"),
        ("pypi-{env:PYPI_TOKEN}", None),  # part of a value: not the variable's value
        ("{env:PYPI_TOKEN}{env:OTHER}", None),
        ("{posargs}", None),
        ("$PYPI_TOKEN", None),
    ],
)
def test_env_reference(value: str, name: str | None) -> None:
    assert env_reference(value) == name
