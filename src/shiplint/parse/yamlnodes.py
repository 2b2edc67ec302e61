"""YAML with exact positions.

ruamel.yaml composes the text into a node graph (with its C extension when present,
about ten times faster than the round-trip loader); this module turns that graph into
small position-carrying nodes. YAML 1.2 rules apply, so ``on:`` stays the string
``"on"``. Scalars keep their source text; nothing is constructed into Python objects,
so no tag or constructor ever runs code.

Duplicate keys, merge keys (``<<:``, which GitHub Actions rejects) and over-deep
nesting are recorded as problems on the document rather than raised; aliases share
their anchor's node (the graph is converted once per node, so alias bombs stay small).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any, Union

from shiplint.parse import ParseProblem
from shiplint.source import SourceFile

MAX_DEPTH = 200

_TAG_PREFIX = "tag:yaml.org,2002:"


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

    def get_map(self, key: str) -> YMap | None:
        node = self.get(key)
        return node if isinstance(node, YMap) else None

    def get_seq(self, key: str) -> YSeq | None:
        node = self.get(key)
        return node if isinstance(node, YSeq) else None

    def get_scalar(self, key: str) -> YScalar | None:
        node = self.get(key)
        return node if isinstance(node, YScalar) else None

    def get_str(self, key: str) -> str | None:
        node = self.get(key)
        return node.value if isinstance(node, YScalar) and not node.is_null else None

    def items(self) -> Iterator[tuple[str, YScalar, YNode]]:
        for name, (key, value) in self.entries.items():
            yield name, key, value


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


_local = threading.local()


def _yaml() -> Any:
    loader = getattr(_local, "yaml", None)
    if loader is None:
        from ruamel.yaml import YAML

        loader = YAML(typ="safe", pure=False)
        _local.yaml = loader
    return loader


def _reset_yaml() -> None:
    # After a failed compose the instance state is undefined: start afresh.
    _local.yaml = None


_LINECOL_RE = re.compile(r"line (\d+), column (\d+)")


def parse_yaml(src: SourceFile) -> tuple[YamlDoc | None, ParseProblem | None]:
    """Compose ``src.text``; a syntax error comes back as a positioned problem."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = src.text or ""
    try:
        nodes = list(_yaml().compose_all(text))
    except MarkedYAMLError as exc:
        _reset_yaml()
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        pos = src.pos(mark.index) if mark is not None and mark.index <= len(text) else None
        return None, ParseProblem(f"YAML syntax error: {problem}", pos)
    except YAMLError as exc:  # ReaderError and friends carry no mark
        _reset_yaml()
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, ParseProblem(f"YAML error: {message}", None)
    except RecursionError:
        _reset_yaml()
        return None, ParseProblem("YAML nesting is too deep to analyse", None)
    problems: list[tuple[str, str, int, int]] = []
    root: YNode | None = None
    if nodes:
        root = _Converter(problems).convert(nodes[0])
        if len(nodes) > 1:
            second = nodes[1]
            problems.append(
                (
                    "multi-document",
                    "file holds more than one YAML document; only the first is read",
                    second.start_mark.index,
                    -1,
                )
            )
    return YamlDoc(root, problems), None


class _Converter:
    """Turns ruamel nodes into Y-nodes, once per node (aliases share the result)."""

    def __init__(self, problems: list[tuple[str, str, int, int]]) -> None:
        self.problems = problems
        self.memo: dict[int, YNode] = {}

    def convert(self, node: Any, depth: int = 0) -> YNode:
        done = self.memo.get(id(node))
        if done is not None:
            return done
        start = node.start_mark.index
        end = node.end_mark.index
        if depth > MAX_DEPTH:
            self.problems.append(
                ("too-deep", f"nesting deeper than {MAX_DEPTH} levels is not analysed", start, -1)
            )
            scalar = YScalar("", "null", None, start, end)
            self.memo[id(node)] = scalar
            return scalar
        node_id = node.id
        if node_id == "scalar":
            tag = node.tag
            short = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag
            out: YNode = YScalar(node.value, short, node.style or None, start, end)
            self.memo[id(node)] = out
            return out
        if node_id == "sequence":
            seq = YSeq(start, end)
            self.memo[id(node)] = seq
            seq.items = [self.convert(item, depth + 1) for item in node.value]
            return seq
        mapping = YMap(start, end)
        self.memo[id(node)] = mapping
        merges: list[YNode] = []
        entries = mapping.entries
        for key_node, value_node in node.value:
            value = self.convert(value_node, depth + 1)
            if key_node.id != "scalar":
                continue  # complex keys do not occur in the files we read
            key_start = key_node.start_mark.index
            if key_node.tag == _TAG_PREFIX + "merge":
                self.problems.append(
                    (
                        "merge-key",
                        "merge key `<<:` is not supported by GitHub Actions",
                        key_start,
                        -1,
                    )
                )
                merges.append(value)
                continue
            name = key_node.value
            if name in entries:
                first = entries[name][0]
                self.problems.append(
                    (
                        "duplicate-key",
                        f"duplicate key `{name}`",
                        key_start,
                        first.start,
                    )
                )
                continue
            key = YScalar(name, "str", key_node.style or None, key_start, key_node.end_mark.index)
            entries[name] = (key, value)
        for merged in merges:
            sources = merged.items if isinstance(merged, YSeq) else [merged]
            for source in sources:
                if isinstance(source, YMap):
                    for name, entry in source.entries.items():
                        entries.setdefault(name, entry)
        return mapping


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
