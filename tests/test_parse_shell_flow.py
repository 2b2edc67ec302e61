"""The shell control-flow reader (shiplint.parse.shell_flow)."""

from __future__ import annotations

import textwrap

import pytest

from shiplint.parse.shell_flow import (
    Node,
    ShellFlow,
    and_or_lists,
    argv,
    bodies,
    chain_to,
    contains,
    exit_code,
    fails,
    subtree,
    terminates,
    walk,
)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _nodes(text: str) -> list[Node]:
    nodes = ShellFlow(text).nodes
    assert nodes is not None
    return nodes


def test_flow_structure() -> None:
    flow = ShellFlow(
        dedent(
            """
            f() {
              if [ -z "$A" ]; then echo a  # then fi
              elif [ -n "$B" ]; then
                case "$C" in
                  x|y) echo c ;;
                  *) exit 1 ;;
                esac
              else
                for i in 1 2; do echo "$i"; done
              fi
            }
            cat <<'EOF' > out
            fi done esac
            EOF
            [ -n "$T" ] && { upload; } || exit 0
            """
        )
    )
    assert flow.nodes is not None
    function, cat, test, group, exit_ = flow.nodes
    assert function.kind == "function"
    assert function.name == "f"
    (if_,) = function.body
    assert [b.kind for b in if_.branches] == ["if", "elif", "else"]
    case = if_.branches[1].body[0]
    assert [b.label for b in case.branches] == ["x|y", "*"]
    assert if_.branches[2].body[0].kind == "loop"
    assert (cat.kind, test.kind, group.kind) == ("cmd", "cmd", "group")
    assert (group.joined, exit_.joined) == ("&&", "||")


@pytest.mark.parametrize(
    "text",
    [
        "if true; then echo\n",
        "fi\n",
        "case x in\n a) echo ;;\n",
        "while true; do echo\n",
        "{ echo\n",
        "( echo\n",
        "echo )\n",
        "for i in 1 2; echo; done\n",
    ],
)
def test_flow_unbalanced(text: str) -> None:
    assert ShellFlow(text).nodes is None
    assert list(ShellFlow(text).walk()) == []


def test_if_labels_are_the_conditions_as_written() -> None:
    (if_,) = _nodes('if [ "$E" = push ]; then a\nelif test -n "$X"; then b\nelse c\nfi\n')
    assert [b.label for b in if_.branches] == ['[ "$E" = push ]', 'test -n "$X"', "else"]
    assert [argv(n) for b in if_.branches for n in b.body] == [["a"], ["b"], ["c"]]


def test_loops_keep_their_head_and_body() -> None:
    while_, for_ = _nodes(
        'while read -r line; do echo "$line"; done\nfor f in *.whl; do up; done\n'
    )
    assert (while_.kind, for_.kind) == ("loop", "loop")
    assert [argv(n) for n in while_.head] == [["read", "-r", "line"]]
    assert argv(for_.head[0])[:2] == ["for", "f"]
    assert [argv(n) for n in for_.body] == [["up"]]


def test_functions_in_both_spellings() -> None:
    first, second = _nodes("function up { twine upload x; }\nrelease() { up; }\n")
    assert (first.kind, first.name) == ("function", "up")
    assert (second.kind, second.name) == ("function", "release")


def test_negation_pipes_and_lists() -> None:
    a, b, c, d = _nodes("! grep -q x f | cat && echo ok; echo next\n")
    assert (a.negated, a.joined) == (True, ";")
    assert (b.joined, c.joined, d.joined) == ("|", "&&", ";")
    assert list(and_or_lists([a, b, c, d])) == [(0, 3), (3, 4)]


def test_comments_and_heredocs_are_not_structure() -> None:
    nodes = _nodes("# if then\necho 'fi' # done\ncat <<-EOF\n\tif x; then\n\tEOF\necho after\n")
    assert [argv(n)[0] for n in nodes] == ["echo", "cat", "echo"]


def test_walk_gives_ancestors() -> None:
    nodes = _nodes("if a; then\n  for i in x; do b; done\nelse\n  c\nfi\n")
    found = {
        argv(n)[0]: [(holder.kind, index) for holder, index in path]
        for n, path in walk(nodes)
        if n.cmd
    }
    assert found["a"] == [("if", -2)]
    assert found["b"] == [("if", 0), ("loop", -1)]
    assert found["for"] == [("if", 0), ("loop", -2)]
    assert found["c"] == [("if", 1)]


def test_chain_to_and_contains() -> None:
    nodes = _nodes("if a; then\n  b && c\nfi\nd\n")
    if_, d = nodes
    b, c = if_.branches[0].body
    chain = chain_to(nodes, c)
    assert chain is not None
    assert [
        (index, container.kind if container else None, branch)
        for _l, index, container, branch in chain
    ] == [
        (0, None, -1),
        (1, "if", 0),
    ]
    assert chain_to([d], c) is None
    assert contains(nodes, c) and contains([if_], b) and not contains([d], c)
    assert len(list(subtree(nodes))) == 5  # if, a, b, c, d


def test_bodies_lists_every_body() -> None:
    nodes = _nodes("if a; then b; else c; fi\n{ d; }\n")
    assert [[argv(n)[0] for n in body if n.cmd] for body in bodies(nodes)] == [
        [],
        ["b"],
        ["c"],
        ["d"],
    ]


@pytest.mark.parametrize(
    ("text", "fail", "ends"),
    [
        ("echo skip; exit 0\n", False, True),
        ("echo skip; exit\n", False, True),
        ("echo no; exit 1\n", True, True),
        ('exit "$code"\n', True, True),
        ("return 2\n", True, True),
        ("false\n", True, False),
        ("if x; then exit 1; fi\n", True, False),  # a failure below, but not its own exit
        ("echo fine\n", False, False),
    ],
)
def test_fails_and_terminates(text: str, fail: bool, ends: bool) -> None:
    nodes = _nodes(text)
    assert fails(nodes) is fail
    assert terminates(nodes) is ends


def test_exit_code() -> None:
    exit_, ret, other = _nodes("exit 3\nreturn\necho exit\n")
    assert (exit_code(exit_), exit_code(ret), exit_code(other)) == ("3", "", None)


def test_cmd_text_is_the_command_as_written() -> None:
    flow = ShellFlow('X=1 twine upload  "dist/*"\n')
    assert flow.nodes is not None
    assert flow.cmd_text(flow.nodes[0]).endswith('upload  "dist/*"')
