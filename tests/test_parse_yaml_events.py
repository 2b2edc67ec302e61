"""The event composer (fast path) builds exactly what ruamel's composer + converter build.

Every case is parsed twice, once through the C parser's events and once through the
general path, and the two results (node graphs with sharing, tags, styles, spans,
problems, errors) must be identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiplint.parse import yamlcompose
from shiplint.parse.yamlload import parse_yaml
from shiplint.parse.yamlnodes import YNode, YScalar, YSeq
from shiplint.source import SourceFile

from .conftest import CORPUS

pytestmark = pytest.mark.skipif(
    yamlcompose._events_api() is None, reason="needs the ruamel.yaml.clib C extension"
)


def _dump(node: YNode | None) -> Any:
    seen: dict[int, int] = {}

    def rec(n: YNode) -> Any:
        if id(n) in seen:
            return ("ref", seen[id(n)])
        seen[id(n)] = len(seen)
        if isinstance(n, YScalar):
            return ("scalar", n.value, n.tag, n.style, n.start, n.end)
        if isinstance(n, YSeq):
            return ("seq", n.start, n.end, [rec(i) for i in n.items])
        return (
            "map",
            n.start,
            n.end,
            [
                (name, key.value, key.tag, key.style, key.start, key.end, rec(value))
                for name, key, value in n.items()
            ],
        )

    return None if node is None else rec(node)


def _parse(text: str) -> Any:
    doc, problem = parse_yaml(SourceFile(Path("x.yml"), "x.yml", ".", "workflow", text))
    return problem, doc and _dump(doc.root), doc and doc.problems


def _both(text: str) -> tuple[Any, Any]:
    fast = _parse(text)
    saved = yamlcompose._API[:]
    yamlcompose._API[:] = [None]  # no C events: the general path
    try:
        general = _parse(text)
    finally:
        yamlcompose._API[:] = saved
    return fast, general


CASES = [
    "",
    "# only a comment\n",
    "---\n...\n",
    "---\n---\n",
    "a: &x 1\nb: &x 2\n",
    "a: *y\n",
    "a: 1\n---\nb: *x\n",
    "a: 1\n---\nb: &x 1\nc: &x 2\n",
    "--- &r [1]\n--- [*r]\n",
    "%YAML 1.1\n---\na: yes\n",
    'a: !!str 1\nb: !foo 2\nc: ! 3\nd: !!int "4"\ne: !<tag:x%41y> q\nf: !!merge x\n',
    "a: ~\nb: null\nc:\nd: ''\ne: .inf\nf: 0x1F\ng: 2001-01-01\nh: =\ni: 1_0\nj: -.5e+3\nk: On\n",
    "a: &x [1]\nb: *x\n---\nc: &x 2\n",
    "? [a]\n: 1\n&k x: 2\ny: *k\n",
    "a: &x [1, *x]\n",
    "&a {x: {<<: *a}, y: 2}\n",
    "&s [ {a: 1}, {<<: *s} ]\n",
    "x: &m {a: 1}\ny: {<<: [*m, {b: 2}], a: 3, c: 4}\n",
    "&k a: 1\nb: *k\n*k : 2\n",
    "? &c [1]\n: 2\nd: *c\n",
    "? [*u]\n: 1\n",
    "a: &q 1\n? [*q]\n: 2\n",
    "<<: {a: 1}\n<<: {b: 2}\n",
    "a: 1\na: 2\n",
    "a: [\n",
    "a: b\x07\n",
    "- &a x\n- *a\n- &b [*a]\n",
    "\"q\": 1\n'r': 2\n? |\n  s\n: 3\n",
    "[1, 2]: x\n{a: b}: y\n",
    "a: &x\nb: *x\n",
    "✨: 🚀\nb: é\n",
    "\ufeffa: 1\n",
    "k: &a !!map {x: 1}\nl: *a\n",
    "? !!merge <<\n: {x: 1}\n",
    '"<<": {x: 1}\n',
    "a: " + "[" * 300 + "]" * 300 + "\n",
    "a: &z [[[1]]]\nb: [[[*z]]]\n",
    "a: [[&z [1]]]\nb: *z\n",
    "&k a: [[[[*k]]]]\n",
    "x: [[[[&k a]]]]\n",
    "&k a: 1\nb: [[[[*k]]]]\nc: *k\n",
    "&k a: 1\nb: [[[[ {*k : 2} ]]]]\n",
    "a: &y [[[[ [1] ]]]]\nb: *y\n",
    "a: [[[[ &y 1 ]]]]\n",
]


@pytest.mark.parametrize("max_depth", [200, 0, 1, 3])
def test_fast_and_general_paths_agree(max_depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlcompose, "MAX_DEPTH", max_depth)
    for text in CASES:
        fast, general = _both(text)
        assert fast == general, text


@pytest.mark.slow
def test_deep_nesting_does_not_crash() -> None:
    # ruamel's C composer recurses in C for every level and overflows the C stack at about
    # 50 000 levels; the event composer does not recurse (libyaml itself is quadratic here)
    depth = 60_000
    doc, problem = parse_yaml(
        SourceFile(Path("x.yml"), "x.yml", ".", "workflow", "[" * depth + "]" * depth)
    )
    assert problem is None and doc is not None
    assert [kind for kind, *_ in doc.problems] == ["too-deep"]


def _corpus_yaml() -> Iterator[Path]:
    for pattern in ("**/*.yml", "**/*.yaml"):
        for path in sorted(CORPUS.glob(pattern)):
            if path.is_file():
                yield path


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
def test_corpus_files_agree() -> None:
    count = 0
    for path in _corpus_yaml():
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        fast, general = _both(text)
        assert fast == general, path
        count += 1
    assert count > 100


# --- generated YAML: anchors, aliases, tags, merges, complex keys, several documents ---

_plain = st.sampled_from(
    [
        "a",
        "on",
        "true",
        "False",
        "yes",
        "~",
        "null",
        "",
        "1",
        "0o17",
        "0x_1",
        "1.5",
        ".nan",
        "<<",
        "2001-02-03",
        "=",
        "v1.2.3",
        "${{ x }}",
        "é",
    ]
)


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    value = draw(_plain)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    tag = draw(st.sampled_from(["", "", "", "!!str ", "! ", "!!int ", "!x ", "!!merge "]))
    if style == "single":
        return f"{tag}'{value}'"
    if style == "double":
        return f'{tag}"{value}"'
    return f"{tag}{value}" if value or tag else "''"


@st.composite
def _node(draw: st.DrawFn, depth: int = 0) -> str:
    anchor = draw(st.sampled_from(["", "", "", "&a ", "&b ", "&c "]))
    kind = draw(st.sampled_from(["scalar", "alias", "seq", "map"] if depth < 4 else ["scalar"]))
    if kind == "alias":
        return draw(st.sampled_from(["*a", "*b", "*c"]))
    if kind == "scalar":
        return anchor + draw(_scalar())
    if kind == "seq":
        items = draw(st.lists(_node(depth + 1), max_size=3))
        return anchor + "[" + ", ".join(items) + "]"
    pairs = draw(st.lists(st.tuples(_key(depth + 1), _node(depth + 1)), max_size=3))
    return anchor + "{" + ", ".join(f"? {k} : {v}" for k, v in pairs) + "}"


@st.composite
def _key(draw: st.DrawFn, depth: int) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(_node(depth))
    anchor = draw(st.sampled_from(["", "", "&a ", "&k "]))
    return anchor + draw(st.sampled_from(["a", "b", "<<", "'<<'", "*a", "*k", "c"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(_node(), min_size=1, max_size=3),
    max_depth=st.sampled_from([200, 1, 2]),
)
def test_generated_yaml_agrees(docs: list[str], max_depth: int) -> None:
    text = "".join(f"--- {doc}\n" for doc in docs)
    saved = yamlcompose.MAX_DEPTH
    yamlcompose.MAX_DEPTH = max_depth
    try:
        fast, general = _both(text)
    finally:
        yamlcompose.MAX_DEPTH = saved
    assert fast == general, text


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_mutated_workflows_agree(data: st.DataObject) -> None:
    base = (
        "name: ci\non:\n  push:\n    tags: ['v*']\njobs:\n  b: &job\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          echo hi\n"
        "  c:\n    <<: *job\n    if: ${{ github.event_name == 'push' }}\n"
    )
    at = data.draw(st.integers(0, len(base)))
    cut = data.draw(st.integers(0, 5))
    insert = data.draw(
        st.sampled_from(["", ":", "- ", "[", "]", "{", "&", "*job", "\n", "'", "? "])
    )
    text = base[:at] + insert + base[at + cut :]
    fast, general = _both(text)
    assert fast == general, text
