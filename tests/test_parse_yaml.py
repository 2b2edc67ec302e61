"""YAML composition with positions: keys, values, YAML 1.2, duplicates, merges, aliases, errors."""

from __future__ import annotations

import time
from pathlib import Path

from shiplint.parse.yamlload import parse_yaml
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq, trailing_comment
from shiplint.source import Pos, SourceFile


def src_of(text: str, rel: str = ".github/workflows/x.yml") -> SourceFile:
    return SourceFile(Path(rel), rel, ".", "workflow", text)


def test_positions_of_keys_and_values() -> None:
    text = "name: ci\non:\n  push:\n    tags: ['v*']\njobs:\n  b:\n    runs-on: ubuntu-latest\n"
    src = src_of(text)
    doc, problem = parse_yaml(src)
    assert problem is None and doc is not None
    root = doc.root
    assert isinstance(root, YMap)
    on_key = root.key("on")
    assert on_key is not None and on_key.value == "on"  # YAML 1.2: not the boolean True
    assert src.pos(on_key.start) == Pos(2, 1)
    jobs = root.get_map("jobs")
    assert jobs is not None
    job = jobs.get_map("b")
    assert job is not None
    runner = job.get_scalar("runs-on")
    assert runner is not None
    assert src.pos(runner.start) == Pos(7, 14)
    tags = root.get_map("on").get_map("push").get_seq("tags")  # type: ignore[union-attr]
    assert isinstance(tags, YSeq)
    assert isinstance(tags.items[0], YScalar)
    assert src.pos(tags.items[0].start) == Pos(4, 12)


def test_scalar_tags_keep_source_text() -> None:
    doc, _ = parse_yaml(src_of("a: 3.10\nb: yes\nc: true\nd: 010\n"))
    assert doc is not None and isinstance(doc.root, YMap)
    values = {k: v for k, _, v in doc.root.items()}
    assert isinstance(values["a"], YScalar) and values["a"].value == "3.10"
    assert values["a"].tag == "float"
    assert isinstance(values["b"], YScalar) and values["b"].tag == "str"  # 1.2: yes is a string
    assert isinstance(values["c"], YScalar) and values["c"].as_bool() is True


def test_non_ascii_positions_are_in_characters() -> None:
    src = src_of("name: 'wheels ✨ 🚀'\nenv:\n  ORG: x\n")
    doc, _ = parse_yaml(src)
    assert doc is not None and isinstance(doc.root, YMap)
    env = doc.root.get_map("env")
    assert env is not None
    org = env.get_scalar("ORG")
    assert org is not None and src.pos(org.start) == Pos(3, 8)


def test_duplicate_and_merge_keys_are_problems_not_errors() -> None:
    src = src_of("env:\n  A: 1\nenv:\n  B: 2\nx: &d {runs-on: ubuntu-latest}\ny:\n  <<: *d\n")
    doc, problem = parse_yaml(src)
    assert problem is None and doc is not None
    kinds = [(kind, src.pos(offset), related) for kind, _, offset, related in doc.problems]
    assert kinds == [("duplicate-key", Pos(3, 1), 0), ("merge-key", Pos(7, 3), -1)]
    assert isinstance(doc.root, YMap)
    env = doc.root.get_map("env")
    assert env is not None and env.get_str("A") == "1"  # first definition wins
    merged = doc.root.get_map("y")
    assert merged is not None and merged.get_str("runs-on") == "ubuntu-latest"


def test_syntax_error_position() -> None:
    src = src_of("on: [push]\njobs:\n  a:\n    steps: [\n")
    doc, problem = parse_yaml(src)
    assert doc is None and problem is not None
    assert problem.pos == Pos(5, 1)
    assert problem.message.startswith("YAML syntax error")


def test_control_characters_are_an_error_without_traceback() -> None:
    doc, problem = parse_yaml(src_of("a: b\x07\n"))
    assert doc is None and problem is not None
    assert "control characters" in problem.message


def test_alias_bomb_is_bounded() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.perf_counter()
    doc, problem = parse_yaml(src_of("\n".join(lines) + "\n"))
    assert time.perf_counter() - start < 1.0
    assert problem is None and doc is not None
    assert isinstance(doc.root, YMap) and len(doc.root.entries) == 12


def test_recursive_alias_does_not_loop() -> None:
    doc, problem = parse_yaml(src_of("a: &x [1, *x]\n"))
    assert problem is None and doc is not None


def test_deep_nesting_is_cut_off() -> None:
    depth = 400
    text = "a: " + "[" * depth + "]" * depth + "\n"
    doc, problem = parse_yaml(src_of(text))
    if doc is not None:
        assert any(kind == "too-deep" for kind, *_ in doc.problems)
    else:
        assert problem is not None


def test_multiple_documents_read_first() -> None:
    doc, problem = parse_yaml(src_of("a: 1\n---\nb: 2\n"))
    assert problem is None and doc is not None
    assert [k for k, *_ in doc.problems] == ["multi-document"]


def test_trailing_comment_of_sha_pin() -> None:
    text = (
        "steps:\n"
        "  - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n"
        "  - uses: actions/checkout@v4\n"
    )
    src = src_of(text)
    doc, _ = parse_yaml(src)
    assert doc is not None and isinstance(doc.root, YMap)
    steps = doc.root.get_seq("steps")
    assert steps is not None
    first, second = steps.items
    assert isinstance(first, YMap) and isinstance(second, YMap)
    uses1, uses2 = first.get_scalar("uses"), second.get_scalar("uses")
    assert uses1 is not None and uses2 is not None
    assert trailing_comment(src, uses1) == "v1.12.4"
    assert trailing_comment(src, uses2) is None


def test_empty_file() -> None:
    doc, problem = parse_yaml(src_of(""))
    assert problem is None and doc is not None and doc.root is None
