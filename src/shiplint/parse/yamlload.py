"""Reading a YAML file: ``parse_yaml`` composes its text into Y-nodes (``yamlcompose``)
and turns YAML errors into positioned problems.

Duplicate keys, merge keys (``<<:``, which GitHub Actions rejects) and over-deep
nesting are recorded as problems on the document rather than raised; aliases share
their anchor's node (the graph is converted once per node, so alias bombs stay small),
and the audit refuses a document whose aliases would expand it far beyond its text.
"""

from __future__ import annotations

from shiplint.lazyre import LazyPattern
from shiplint.parse import ParseProblem
from shiplint.parse.yamlcompose import compose, reset_composer
from shiplint.parse.yamlnodes import YamlDoc, YMap, YNode, YScalar, YSeq
from shiplint.source import SourceFile


def parse_yaml(
    src: SourceFile, *, refuse_bombs: bool = False
) -> tuple[YamlDoc | None, ParseProblem | None]:
    """Compose ``src.text``; a syntax error comes back as a positioned problem.

    With ``refuse_bombs`` (the audit), a document whose aliases would expand it far beyond
    its text, or that has an alias inside its own anchor, is a problem too (no document):
    rules read an aliased node once per alias.
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = src.text or ""
    try:
        composed = compose(text)
    except MarkedYAMLError as exc:
        reset_composer()
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        pos = src.pos(mark.index) if mark is not None and mark.index <= len(text) else None
        return None, ParseProblem(f"YAML syntax error: {problem}", pos)
    except YAMLError as exc:  # ReaderError and friends carry no mark
        reset_composer()
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, ParseProblem(f"YAML error: {message}", None)
    except RecursionError:
        reset_composer()
        return None, ParseProblem("YAML nesting is too deep to analyse", None)
    root, problems, aliased = composed
    # without an alias the nodes form a tree no larger than the text: nothing to expand
    if refuse_bombs and root is not None and aliased:
        expansion = _alias_problem(src, root)
        if expansion is not None:
            return None, expansion
    return YamlDoc(root, problems), None


#: aliases may make a document this many characters larger than its text (expanded)
ALIAS_EXPANSION_LIMIT = 500_000

_ANCHOR_RE = LazyPattern(r"&([^\s,\[\]{}]+)")
_ALIAS_RE = LazyPattern(r"\*([^\s,\[\]{}]+)")


def _alias_problem(src: SourceFile, root: YNode) -> ParseProblem | None:
    """A problem when aliases make the document infinite or far larger than its text.

    Rules would otherwise read each aliased node once per alias: an alias bomb (aliases of
    aliases, each level multiplying the size) would take hours to check.
    """
    text = src.text or ""
    budget = 2 * len(text) + ALIAS_EXPANSION_LIMIT
    size, cycle = _expanded_size(root, budget)
    if cycle is None and size <= budget:
        return None
    anchors = set(_ANCHOR_RE.findall(text))
    lo, hi = (cycle.start, cycle.end) if cycle is not None else (0, len(text))
    first = next(
        (m.start() for m in _ALIAS_RE.finditer(text, lo, hi) if m.group(1) in anchors), None
    )
    pos = src.pos(first) if first is not None else None
    if cycle is not None:
        return ParseProblem(
            "YAML alias used inside its own anchor: the value would be infinite; "
            "it was not analysed",
            pos,
        )
    return ParseProblem(
        f"YAML aliases expand this file to over {budget:,} characters (an alias bomb); "
        "it was not analysed",
        pos,
    )


def _expanded_size(root: YNode, limit: int) -> tuple[int, YMap | YSeq | None]:
    """The document's size with every alias replaced by a copy of its anchor's node
    (scalar lengths plus one a node), counted once per node without expanding anything.

    Stops early above ``limit``; an alias inside its own anchor gives that anchor's node
    (the expansion never ends).
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[YMap | YSeq, bool]] = []
    if not isinstance(root, YScalar):
        stack.append((root, False))
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = node.items if isinstance(node, YSeq) else [v for _, _, v in node.items()]
        if done:
            total = 1 + sum(
                len(child.value) + 1 if isinstance(child, YScalar) else sizes[id(child)]
                for child in children
            )
            if isinstance(node, YMap):
                total += sum(len(name) + 1 for name in node.entries)
            if total > limit:
                return total, None
            sizes[key] = total
            active.discard(key)
            continue
        if key in sizes:
            continue
        if key in active:
            return limit + 1, node
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if not isinstance(child, YScalar))
    return (len(root.value) + 1 if isinstance(root, YScalar) else sizes[id(root)]), None
