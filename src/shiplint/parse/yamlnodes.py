"""YAML with exact positions: the node types.

A parsed file (``YamlDoc``) holds small position-carrying nodes: ``YScalar`` (the text as
YAML resolved it, its short tag and span), ``YMap`` and ``YSeq``. YAML 1.2 rules apply, so
``on:`` stays the string ``"on"``; scalars keep their source text and nothing is
constructed into Python objects. Aliases share their anchor's node. ``yamlload.parse_yaml``
reads a file into them (``yamlcompose`` composes the text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from shiplint.source import SourceFile


class YScalar:
    """A scalar: its text as YAML resolved it, the short tag, and its character span."""

    __slots__ = ("end", "start", "style", "tag", "value")

    def __init__(self, value: str, tag: str, style: str | None, start: int, end: int) -> None:
        self.value = value
        self.tag = tag
        self.style = style
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"YScalar({self.value!r})"

    @property
    def is_null(self) -> bool:
        return self.tag == "null"

    def as_bool(self) -> bool | None:
        """YAML 1.2 boolean value, or None when the scalar is not a boolean."""
        if self.tag == "bool":
            return self.value.lower() == "true"
        return None


class YMap:
    """A mapping. ``entries`` maps the key text to ``(key scalar, value node)``;
    the first occurrence of a duplicated key wins (GitHub rejects duplicates anyway)."""

    __slots__ = ("end", "entries", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.entries: dict[str, tuple[YScalar, YNode]] = {}

    def __repr__(self) -> str:
        return f"YMap({list(self.entries)!r})"

    def get(self, key: str) -> YNode | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key(self, key: str) -> YScalar | None:
        entry = self.entries.get(key)
        return entry[0] if entry else None

    # the accessors below are called very often: each does its own dict lookup

    def get_map(self, key: str) -> YMap | None:
        entry = self.entries.get(key)
        return entry[1] if entry is not None and isinstance(entry[1], YMap) else None

    def get_seq(self, key: str) -> YSeq | None:
        entry = self.entries.get(key)
        return entry[1] if entry is not None and isinstance(entry[1], YSeq) else None

    def get_scalar(self, key: str) -> YScalar | None:
        entry = self.entries.get(key)
        return entry[1] if entry is not None and isinstance(entry[1], YScalar) else None

    def get_str(self, key: str) -> str | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        node = entry[1]
        return node.value if isinstance(node, YScalar) and node.tag != "null" else None

    def items(self) -> Iterator[tuple[str, YScalar, YNode]]:
        return iter([(name, key, value) for name, (key, value) in self.entries.items()])


class YSeq:
    """A sequence of nodes."""

    __slots__ = ("end", "items", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.items: list[YNode] = []

    def __repr__(self) -> str:
        return f"YSeq({len(self.items)} items)"


YNode = Union[YScalar, YMap, YSeq]


class YamlDoc:
    """A parsed YAML file: its root node (None for an empty file) and structural problems."""

    __slots__ = ("problems", "root")

    def __init__(self, root: YNode | None, problems: list[tuple[str, str, int, int]]) -> None:
        self.root = root
        #: ``(kind, message, offset, related offset or -1)``; kind is ``duplicate-key``,
        #: ``merge-key``, ``too-deep`` or ``multi-document``.
        self.problems = problems


def trailing_comment(src: SourceFile, node: YNode) -> str | None:
    """The ``# comment`` after ``node`` on its last line (e.g. ``# v1.12.4`` after a SHA pin)."""
    text = src.text or ""
    end = node.end
    line_end = text.find("\n", end)
    rest = text[end:] if line_end == -1 else text[end:line_end]
    hash_at = rest.find("#")
    if hash_at == -1 or rest[:hash_at].strip():
        return None
    return rest[hash_at + 1 :].strip() or None


def walk_scalars(node: YNode | None) -> Iterator[tuple[tuple[str | int, ...], YScalar]]:
    """Every scalar under ``node`` with its key path; each shared node is visited once."""
    if node is None:
        return
    seen: set[int] = set()
    stack: list[tuple[tuple[str | int, ...], YNode]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, YScalar):
            yield path, current
            continue
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, YMap):
            for name, (_, value) in reversed(current.entries.items()):
                stack.append(((*path, name), value))
        else:
            for i in range(len(current.items) - 1, -1, -1):
                stack.append(((*path, i), current.items[i]))
