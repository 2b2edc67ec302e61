"""Composing YAML text into Y-nodes (``yamlnodes``): the first document, its problems,
and whether it holds aliases.

ruamel.yaml parses the text (with its C extension when present, about ten times faster
than the round-trip loader). With the C extension, the event composer builds Y-nodes
straight from the parser's events; otherwise (and for the rare texts the event composer
hands back) ruamel composes a node graph that ``_Converter`` turns into Y-nodes. Both
give the same nodes, tags, positions, problems and errors. No tag or constructor ever
runs code.
"""

from __future__ import annotations

import threading
from typing import Any

from shiplint.parse.yamlnodes import YMap, YNode, YScalar, YSeq

MAX_DEPTH = 200

_TAG_PREFIX = "tag:yaml.org,2002:"

_local = threading.local()


def _yaml() -> Any:
    loader = getattr(_local, "yaml", None)
    if loader is None:
        from ruamel.yaml import YAML

        loader = YAML(typ="safe", pure=False)
        _local.yaml = loader
    return loader


def reset_composer() -> None:
    # After a failed compose the instance state is undefined: start afresh.
    _local.yaml = None


_Problems = list[tuple[str, str, int, int]]


def compose(text: str) -> tuple[YNode | None, _Problems, bool]:
    """The first document of ``text`` as Y-nodes, its problems, and whether the text may
    hold aliases; raises ruamel's YAML errors."""
    composed = _compose_events(text) if _events_api() is not None else None
    if composed is None:
        composed = _compose_ruamel(text)
    return composed


def _compose_ruamel(text: str) -> tuple[YNode | None, _Problems, bool]:
    """The general path: ruamel composes node graphs, :class:`_Converter` turns the first
    into Y-nodes. Used without the C extension and for the rare texts the event composer
    hands back (anchors inside complex keys or inside over-deep subtrees)."""
    nodes = list(_yaml().compose_all(text))
    problems: _Problems = []
    root: YNode | None = None
    if nodes:
        root = _Converter(problems).convert(nodes[0])
        if len(nodes) > 1:
            problems.append(_multi_document(nodes[1].start_mark.index))
    return root, problems, "*" in text


def _multi_document(offset: int) -> tuple[str, str, int, int]:
    message = "file holds more than one YAML document; only the first is read"
    return ("multi-document", message, offset, -1)


# --- the event composer ---------------------------------------------------------------
#
# The C extension's own composer calls back into Python for every node (the resolver,
# ruamel's Node and Tag classes), which costs about five times the parse itself. Reading
# the C parser's events and building Y-nodes directly gives the same nodes, tags,
# positions, problems and errors (tests/test_parse_yaml.py compares both paths), in one
# pass without recursion. YAML 1.2 implicit tags come from ruamel's own resolver table:
# the C parser path of ruamel always resolves with 1.2 rules, ``%YAML 1.1`` or not.


class _Fallback(Exception):
    """The text needs the general path (see :func:`_compose_ruamel`)."""


_API: list[Any] = []


def _events_api() -> Any:
    """``(CParser, event classes, resolver table)``, or None without the C extension."""
    if not _API:
        try:
            from _ruamel_yaml import CParser  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # pragma: no cover - PyPy, or the extension did not build
            _API.append(None)
            return None
        from ruamel.yaml import events
        from ruamel.yaml.resolver import implicit_resolvers

        table: dict[str, list[tuple[str, str, Any]]] = {}
        for versions, tag, regexp, first in implicit_resolvers:
            if (1, 2) in versions:
                short = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag
                for ch in first:
                    table.setdefault(ch, []).append((tag, short, regexp.lazy_self()))
        classes = (
            events.ScalarEvent,
            events.AliasEvent,
            events.MappingStartEvent,
            events.MappingEndEvent,
            events.SequenceStartEvent,
            events.SequenceEndEvent,
            events.DocumentEndEvent,
            events.StreamEndEvent,
        )
        _API.append((CParser, classes, table))
    return _API[0]


_explicit_tags: dict[str, tuple[str, str]] = {}


def _explicit_tag(raw: str) -> tuple[str, str]:
    """``(full tag, short tag)`` of an explicit tag, decoded as ruamel's ``Tag`` does."""
    known = _explicit_tags.get(raw)
    if known is None:
        from ruamel.yaml.tag import Tag

        full = str(Tag(suffix=raw))
        short = full[len(_TAG_PREFIX) :] if full.startswith(_TAG_PREFIX) else full
        known = _explicit_tags[raw] = (full, short)
    return known


def _composer_error(context: str | None, context_mark: Any, problem: str, mark: Any) -> Exception:
    from ruamel.yaml.composer import ComposerError

    return ComposerError(context, context_mark, problem, mark)


_COMPLEX = ("", "", None, -1, -1)  # key info of a key that is not a scalar
_MERGE_TAG = _TAG_PREFIX + "merge"


def _compose_events(text: str) -> tuple[YNode | None, _Problems, bool] | None:
    """Compose the first document from the C parser's events; None: use the general path."""
    cparser, classes, table = _events_api()
    parser = cparser(text)
    try:
        return _EventComposer(parser.get_event, classes, table).stream()
    except _Fallback:
        return None
    finally:
        parser.dispose()


class _EventComposer:
    """Builds Y-nodes from parse events exactly as ``_Converter`` does from ruamel nodes.

    ``anchors`` maps an anchor to ``[converted node or None, scalar info or None]``; the
    scalar info ``(value, full tag, style, start, end)`` is what a key needs (a key alias
    takes the anchored scalar's text and span). An anchored key is converted only when an
    alias uses it as a value, at that alias's depth, like the converter's memo does.
    """

    def __init__(self, get: Any, classes: tuple[Any, ...], table: dict[str, Any]) -> None:
        self.get = get
        (
            self.scalar_event,
            self.alias_event,
            self.map_start,
            self.map_end,
            self.seq_start,
            self.seq_end,
            self.doc_end,
            self.stream_end,
        ) = classes
        self.table = table
        self.problems: _Problems = []
        #: the first document holds an alias (its nodes may be shared)
        self.aliased = False

    def stream(self) -> tuple[YNode | None, _Problems, bool]:
        get = self.get
        get()  # STREAM-START
        root: YNode | None = None
        documents = 0
        while True:
            event = get()
            if event.__class__ is self.stream_end:
                return root, self.problems, self.aliased
            # DOCUMENT-START
            if documents == 0:
                root = self.document()
            else:
                start = self.check_document()
                if documents == 1:
                    self.problems.append(_multi_document(start))
            documents += 1

    def anchor(self, anchors: dict[str, Any], event: Any) -> None:
        if event.anchor in anchors:
            first = anchors[event.anchor][2]
            raise _composer_error(
                "found duplicate anchor; first occurrence",
                first,
                "second occurrence",
                event.start_mark,
            )

    def document(self) -> YNode:
        """Compose one document (its events up to DOCUMENT-END) into Y-nodes.

        One loop over the events with an explicit stack of open collections; each frame is
        ``[node, pending key info (mapping) or items (sequence), merges (mapping) or None]``.
        A finished value goes to the open collection: a mapping converts the value before it
        looks at the key (duplicate and merge keys are reported after the value's problems,
        as the converter does); a sequence gets its items when it ends.
        """
        get = self.get
        problems = self.problems
        scalar_event, alias_event = self.scalar_event, self.alias_event
        map_start, map_end, seq_start = self.map_start, self.map_end, self.seq_start
        table_get = self.table.get
        str_tag = _STR_TAG
        max_depth = MAX_DEPTH
        #: anchor -> [node or None, key info or None, start mark]
        anchors: dict[str, list[Any]] = {}
        stack: list[list[Any]] = []
        frame: list[Any] | None = None  # stack[-1]
        in_map = False  # frame is a mapping
        node: Any
        while True:
            event = get()
            cls = event.__class__
            if cls is scalar_event:
                tag = event.ctag
                if tag is None or tag == "!":
                    full, short = str_tag
                    if event.implicit[0]:
                        value = event.value
                        for tag_full, tag_short, regexp in table_get(value[:1], ()):
                            if regexp.match(value):
                                full, short = tag_full, tag_short
                                break
                else:
                    full, short = _explicit_tag(tag)
                anchor = event.anchor
                if anchor is not None:
                    self.anchor(anchors, event)
                start = event.start_mark.index
                end = event.end_mark.index
                style = event.style or None
                if in_map and frame[1] is None:  # type: ignore[index]
                    info = (event.value, full, style, start, end)
                    frame[1] = info  # type: ignore[index]
                    if anchor is not None:
                        anchors[anchor] = [None, info, event.start_mark]
                    continue
                if len(stack) > max_depth:
                    node = self.too_deep(start, end)
                else:
                    node = YScalar(event.value, short, style, start, end)
                if anchor is not None:
                    info = (event.value, full, style, start, end)
                    anchors[anchor] = [node, info, event.start_mark]
            elif cls is map_end:
                node = stack.pop()[0]
                node.end = event.end_mark.index
                for merged in frame[2]:  # type: ignore[index]
                    sources = merged.items if isinstance(merged, YSeq) else [merged]
                    for source in sources:
                        if isinstance(source, YMap):
                            for name, pair in source.entries.items():
                                node.entries.setdefault(name, pair)
                frame = stack[-1] if stack else None
                in_map = frame is not None and frame[2] is not None
            elif cls is alias_event:
                entry = anchors.get(event.anchor)
                if entry is None:
                    raise _composer_error(None, None, "found undefined alias", event.start_mark)
                self.aliased = True
                if in_map and frame[1] is None:  # type: ignore[index]
                    frame[1] = entry[1] or _COMPLEX  # type: ignore[index]
                    continue
                node = entry[0]
                if node is None:  # an anchored key, first used as a value
                    value, full, style, start, end = entry[1]
                    if len(stack) > max_depth:
                        node = self.too_deep(start, end)
                    else:
                        short = full[len(_TAG_PREFIX) :] if full.startswith(_TAG_PREFIX) else full
                        node = YScalar(value, short, style, start, end)
                    entry[0] = node
            elif cls is map_start or cls is seq_start:
                anchor = event.anchor
                if anchor is not None:
                    self.anchor(anchors, event)
                if in_map and frame[1] is None:  # type: ignore[index]
                    # a complex key: its value is still converted, the key is not
                    self.skip(anchors, event)
                    frame[1] = _COMPLEX  # type: ignore[index]
                    continue
                start = event.start_mark.index
                if len(stack) > max_depth:
                    if anchor is not None:
                        anchors[anchor] = [None, None, event.start_mark]
                    end = self.skip(anchors, event, own_anchor_ok=True)
                    node = self.too_deep(start, end)
                    if anchor is not None:
                        anchors[anchor][0] = node
                else:
                    if cls is map_start:
                        node = YMap(start, start)
                        frame = [node, None, []]
                        in_map = True
                    else:
                        node = YSeq(start, start)
                        frame = [node, [], None]
                        in_map = False
                    stack.append(frame)
                    if anchor is not None:
                        anchors[anchor] = [node, None, event.start_mark]
                    continue
            else:  # SEQUENCE-END
                popped = stack.pop()
                node = popped[0]
                node.end = event.end_mark.index
                node.items = popped[1]
                frame = stack[-1] if stack else None
                in_map = frame is not None and frame[2] is not None
            # a finished value: add it to the open collection
            if frame is None:
                get()  # DOCUMENT-END
                return node  # type: ignore[no-any-return]
            if not in_map:
                frame[1].append(node)
                continue
            key = frame[1]
            frame[1] = None
            if key is _COMPLEX:
                continue
            name, full, style, key_start, key_end = key
            if full == _MERGE_TAG:
                problems.append(
                    (
                        "merge-key",
                        "merge key `<<:` is not supported by GitHub Actions",
                        key_start,
                        -1,
                    )
                )
                frame[2].append(node)
                continue
            entries = frame[0].entries
            if name in entries:
                first = entries[name][0]
                problems.append(
                    ("duplicate-key", f"duplicate key `{name}`", key_start, first.start)
                )
                continue
            entries[name] = (YScalar(name, "str", style, key_start, key_end), node)

    def too_deep(self, start: int, end: int) -> YScalar:
        message = f"nesting deeper than {MAX_DEPTH} levels is not analysed"
        self.problems.append(("too-deep", message, start, -1))
        return YScalar("", "null", None, start, end)

    def skip(self, anchors: dict[str, list[Any]], event: Any, own_anchor_ok: bool = False) -> int:
        """Consume the events of a collection that is not converted; returns its end.

        An anchor inside could be converted later through an alias (at that alias's
        depth): that rare case goes to the general path.
        """
        if event.anchor is not None and not own_anchor_ok:
            raise _Fallback
        if event.__class__ is self.scalar_event:
            return int(event.end_mark.index)
        get = self.get
        opening = (self.map_start, self.seq_start)
        closing = (self.map_end, self.seq_end)
        level = 1
        while True:
            event = get()
            cls = event.__class__
            if cls in closing:
                level -= 1
                if level == 0:
                    return int(event.end_mark.index)
                continue
            if cls is self.alias_event:
                if event.anchor not in anchors:
                    raise _composer_error(None, None, "found undefined alias", event.start_mark)
                self.aliased = True
                continue
            if event.anchor is not None:
                raise _Fallback
            if cls in opening:
                level += 1

    def check_document(self) -> int:
        """Read a later document only for its errors; returns its root's start offset."""
        get = self.get
        anchors: dict[str, Any] = {}
        start = -1
        while True:
            event = get()
            cls = event.__class__
            if cls is self.doc_end:
                return start
            if cls in (self.map_end, self.seq_end):
                continue
            if start == -1:
                start = event.start_mark.index
            if cls is self.alias_event:
                if event.anchor not in anchors:
                    raise _composer_error(None, None, "found undefined alias", event.start_mark)
            elif event.anchor is not None:
                if event.anchor in anchors:
                    raise _composer_error(
                        "found duplicate anchor; first occurrence",
                        anchors[event.anchor],
                        "second occurrence",
                        event.start_mark,
                    )
                anchors[event.anchor] = event.start_mark


_STR_TAG = (_TAG_PREFIX + "str", "str")


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
