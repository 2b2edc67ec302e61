"""Parsers that keep exact positions: YAML nodes, TOML locations, INI lines, shell words."""

from __future__ import annotations

from typing import NamedTuple

from shiplint.source import Pos


class ParseProblem(NamedTuple):
    """Why a file (or part of it) could not be parsed, and where."""

    message: str
    pos: Pos | None
