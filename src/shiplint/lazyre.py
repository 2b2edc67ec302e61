"""``LazyPattern``: a regular expression compiled the first time it is used.

Most of shiplint's patterns serve one rule or one file kind, and a typical audit uses few of
them; compiling them all at import cost a cold start milliseconds before the first file was
read. A ``LazyPattern`` holds the pattern text and compiles it on the first call of one of
its methods, which it then binds to the compiled pattern's own methods: later calls cost
what ``re.Pattern`` calls cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

_METHODS = ("findall", "finditer", "fullmatch", "match", "search", "split", "sub", "subn")


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled on first use (see the module docstring)."""

    findall: Callable[..., list[Any]]
    finditer: Callable[..., Iterator[re.Match[str]]]
    fullmatch: Callable[..., re.Match[str] | None]
    match: Callable[..., re.Match[str] | None]
    search: Callable[..., re.Match[str] | None]
    split: Callable[..., list[str | Any]]
    sub: Callable[..., str]
    subn: Callable[..., tuple[str, int]]

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        # Reached only while the methods are not yet bound on the instance.
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"
