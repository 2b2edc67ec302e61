"""The control flow of a shell text: lists, ``if``/``elif``/``else``, ``case``, loops, groups,
functions and ``&&``/``||`` lists.

:func:`shiplint.parse.shell.parse_script` returns the simple commands of a text; this module
reads the reserved words and operators between them and builds a tree of :class:`Node`
objects (:class:`ShellFlow`), so that rules can ask what runs when a test fails, whether a
branch ends the script, or which command's status is the script's.

The reader is deliberately small: it never raises. A text whose structure it cannot
follow (unbalanced ``if``/``fi``, unusual syntax) gives ``nodes = None``, and callers then
stay silent. Heredoc bodies and comments are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.parse.shell import parse_script

if TYPE_CHECKING:
    from shiplint.parse.shell import Command

__all__ = [
    "Ancestry",
    "Branch",
    "Link",
    "Node",
    "ShellFlow",
    "and_or_lists",
    "argv",
    "bodies",
    "chain_to",
    "contains",
    "exit_code",
    "fails",
    "parts",
    "subtree",
    "terminates",
    "walk",
]

_HEREDOC = LazyPattern(r"(?<!<)<<-?[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z_][\w.-]*))")
_GAP_TOKEN = LazyPattern(
    r"(?P<redir>(?:\d+|&)?(?:>&|<&)(?:\d+|-)"
    r"|(?:\d+|&)?(?:>>|>\||<>|&>>|&>|>|<)[ \t]*(?:\"[^\"]*\"|'[^']*'|[^\s;&|()<>]+)?)"
    r"|(?P<op>;;&|;;|;&|&&|\|\||\|&|[;&|()\n])"
    r"|(?P<word>[^\s;&|()<>]+)"
)
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})


class _Unparsed(Exception):
    """The text's structure could not be followed (unbalanced or unusual syntax)."""


@dataclass
class Branch:
    """One branch of an ``if`` (``if``, ``elif``, ``else``) or of a ``case`` (``case``)."""

    kind: str  # if, elif, else, case
    cond: list[Node]
    body: list[Node]
    label: str  # the condition or the case pattern as written


@dataclass
class Node:
    """``cmd`` (a simple command), ``if``, ``case``, ``loop``, ``group`` or ``function``."""

    kind: str
    #: operator joining the node to the previous one in its list: ``;``, ``&&``, ``||``, ``|``
    joined: str = ";"
    negated: bool = False
    cmd: Command | None = None
    branches: list[Branch] = field(default_factory=list)
    head: list[Node] = field(default_factory=list)  # loop condition / header
    body: list[Node] = field(default_factory=list)
    name: str = ""


#: the containers of a node, outermost first: (container, branch index; -1 for a body,
#: -2 for a loop head or a condition)
Ancestry = tuple[tuple[Node, int], ...]
#: one step down to a node: (list, index in it, node owning the list, branch of the list)
Link = tuple[list[Node], int, "Node | None", int]

_Token = tuple[str, str, int, "Command | None"]  # (kind, text, offset, command)


class ShellFlow:
    """One shell text (a script file or a ``run:`` block) with its structure.

    ``commands`` are the simple commands of :func:`parse_script` (offsets in ``text``);
    ``nodes`` the tree of lists, ``if``s, ``case``s, loops, groups and functions built from
    them, or None when the structure could not be followed. A ``cmd`` or ``pwsh`` text
    (``dialect``) is read by its own reader (:mod:`shiplint.parse.dialects`) into the same
    normal form.
    """

    def __init__(self, text: str, dialect: str = "sh") -> None:
        self.text = text
        self.dialect = dialect
        self.nodes: list[Node] | None
        if dialect != "sh":
            from shiplint.parse.dialects import parse_flow

            self.commands, self.nodes = parse_flow(text, dialect)
            self._tokens = []
            self._i = 0
            return
        self.commands = parse_script(text)
        self._tokens = self._tokenize()
        self._i = 0
        try:
            nodes, stop = self._list(frozenset())
            if stop is not None:
                raise _Unparsed(stop)
            self.nodes = nodes
        except (_Unparsed, RecursionError):
            self.nodes = None

    def cmd_text(self, node: Node) -> str:
        """The text of a simple-command node as written ("" for other nodes)."""
        if node.cmd is None:
            return ""
        return self.text[node.cmd.start : node.cmd.end]

    def walk(self) -> Iterator[tuple[Node, Ancestry]]:
        """Every node with its ancestors (nothing when the structure was not followed)."""
        if self.nodes is not None:
            yield from walk(self.nodes)

    # -- tokens ---------------------------------------------------------------------------------

    def _masked(self) -> str:
        """The text with heredoc bodies blanked (newlines kept)."""
        text = self.text
        lines = text.split("\n")
        out: list[str] = []
        pending: list[tuple[str, bool]] = []
        for line in lines:
            if pending:
                delimiter, strip_tabs = pending[0]
                body = line.lstrip("\t") if strip_tabs else line
                if body == delimiter:
                    pending.pop(0)
                out.append(" " * len(line))
                continue
            out.append(line)
            for match in _HEREDOC.finditer(line):
                if "#" in line[: match.start()]:
                    break
                delimiter = match.group(1) or match.group(2) or match.group(3) or ""
                pending.append((delimiter, match.group(0).startswith("<<-")))
        return "\n".join(out)

    def _tokenize(self) -> list[_Token]:
        masked = self._masked()
        tokens: list[_Token] = []
        prev = 0
        for cmd in self.commands:
            self._gap(masked, prev, cmd.start, tokens)
            tokens.append(("cmd", "", cmd.start, cmd))
            prev = max(prev, cmd.end)
        self._gap(masked, prev, len(masked), tokens)
        return tokens

    @staticmethod
    def _gap(text: str, start: int, end: int, tokens: list[_Token]) -> None:
        i = start
        while i < end:
            c = text[i]
            if c == "#" and (i == start or text[i - 1] in " \t\n;&|()"):
                newline = text.find("\n", i, end)
                i = end if newline == -1 else newline
                continue
            if c in " \t\r\\":
                i += 1
                continue
            match = _GAP_TOKEN.match(text, i, end)
            if match is None:  # pragma: no cover - the pattern matches any non-blank text
                i += 1
                continue
            if match.group("op") is not None:
                tokens.append(("op", match.group("op"), i, None))
            elif match.group("word") is not None:
                tokens.append(("word", match.group("word"), i, None))
            i = match.end()

    # -- parsing --------------------------------------------------------------------------------

    def _peek(self) -> _Token | None:
        return self._tokens[self._i] if self._i < len(self._tokens) else None

    def _next_word(self) -> str | None:
        """The next reserved word, skipping newlines and ``;``."""
        while True:
            token = self._peek()
            if token is None:
                return None
            if token[0] == "op" and token[1] in (";", "\n"):
                self._i += 1
                continue
            return token[1] if token[0] == "word" else None

    def _list(self, stops: frozenset[str]) -> tuple[list[Node], str | None]:
        """Nodes up to one of ``stops`` (consumed and returned) or the end (None)."""
        nodes: list[Node] = []
        joined = ";"
        negated = False
        pending_function = ""
        while True:
            token = self._peek()
            if token is None:
                return nodes, None
            kind, text, _offset, cmd = token
            self._i += 1
            node: Node | None = None
            if kind == "op":
                if text in ("&&", "||", "|", "|&"):
                    joined = "|" if text == "|&" else text
                    continue
                if text in (";", "\n", "&"):
                    joined = ";"
                    continue
                if text in stops:
                    return nodes, text
                if text == "(":
                    body, stop = self._list(frozenset({")"}))
                    if stop != ")":
                        raise _Unparsed("(")
                    node = Node("group", body=body)
                else:
                    raise _Unparsed(text)
            elif kind == "word":
                if text in stops:
                    return nodes, text
                if text == "!":
                    negated = not negated
                    continue
                if text == "if":
                    node = self._if()
                elif text in ("while", "until"):
                    head, stop = self._list(frozenset({"do"}))
                    if stop != "do":
                        raise _Unparsed(text)
                    body, stop = self._list(frozenset({"done"}))
                    if stop != "done":
                        raise _Unparsed(text)
                    node = Node("loop", head=head, body=body)
                elif text == "{":
                    body, stop = self._list(frozenset({"}"}))
                    if stop != "}":
                        raise _Unparsed("{")
                    node = Node("function" if pending_function else "group", body=body)
                    node.name = pending_function
                    pending_function = ""
                elif text in _CLOSERS:
                    raise _Unparsed(text)
                elif text == "function":
                    name = self._peek()
                    if name is not None and name[0] == "word":
                        self._i += 1
                        pending_function = name[1].removesuffix("()") or "function"
                        self._skip_parens()
                    continue
                else:
                    if self._skip_parens():
                        pending_function = text
                    continue  # a case pattern outside a case, a redirection target ...
            else:
                assert cmd is not None
                first = cmd.words[0].text if cmd.words else ""
                if first in ("for", "select") and not cmd.words[0].quoted:
                    if self._next_word() != "do":
                        raise _Unparsed(first)
                    self._i += 1
                    body, stop = self._list(frozenset({"done"}))
                    if stop != "done":
                        raise _Unparsed(first)
                    node = Node("loop", head=[Node("cmd", cmd=cmd)], body=body)
                elif first == "case" and not cmd.words[0].quoted:
                    node = self._case(cmd)
                else:
                    node = Node("cmd", cmd=cmd)
            node.joined = joined
            node.negated = negated
            nodes.append(node)
            joined = ";"
            negated = False

    def _skip_parens(self) -> bool:
        """Consume ``( )`` after a function name."""
        tokens = self._tokens
        i = self._i
        if (
            i + 1 < len(tokens)
            and tokens[i][:2] == ("op", "(")
            and tokens[i + 1][:2] == ("op", ")")
        ):
            self._i += 2
            return True
        return False

    def _if(self) -> Node:
        node = Node("if")
        kind = "if"
        while True:
            start = self._i
            cond, stop = self._list(frozenset({"then"}))
            if stop != "then":
                raise _Unparsed("if")
            label = " ".join(self.cmd_text(c) for c in cond if c.cmd is not None)
            body, stop = self._list(frozenset({"elif", "else", "fi"}))
            node.branches.append(Branch(kind, cond, body, label or str(start)))
            if stop == "elif":
                kind = "elif"
                continue
            if stop == "else":
                body, stop = self._list(frozenset({"fi"}))
                node.branches.append(Branch("else", [], body, "else"))
            if stop != "fi":
                raise _Unparsed("if")
            return node

    def _case(self, head: Command) -> Node:
        node = Node("case", head=[Node("cmd", cmd=head)])
        while True:
            pattern: list[str] = []
            while True:
                token = self._peek()
                if token is None:
                    raise _Unparsed("case")
                self._i += 1
                kind, text = token[0], token[1]
                if kind == "word" and text == "esac" and not pattern:
                    return node
                if kind == "op" and text == ")":
                    break
                if kind == "op" and text in (";", "\n"):
                    continue
                if kind == "op" and text == "(" and not pattern:
                    continue
                pattern.append(text)
            body, stop = self._list(frozenset({";;", ";&", ";;&", "esac"}))
            node.branches.append(Branch("case", [], body, "".join(pattern)))
            if stop == "esac":
                return node
            if stop is None:
                raise _Unparsed("case")


# --- walking the tree ----------------------------------------------------------------------------


def walk(nodes: list[Node], path: Ancestry = ()) -> Iterator[tuple[Node, Ancestry]]:
    """Every node of ``nodes`` and below, depth first, with its ancestors."""
    for node in nodes:
        yield node, path
        for sub in node.head:
            yield from walk([sub], (*path, (node, -2)))
        for index, branch in enumerate(node.branches):
            yield from walk(branch.cond, (*path, (node, -2)))
            yield from walk(branch.body, (*path, (node, index)))
        yield from walk(node.body, (*path, (node, -1)))


def subtree(nodes: list[Node]) -> Iterator[Node]:
    """Every node of ``nodes`` and below."""
    for node, _path in walk(nodes):
        yield node


def parts(node: Node) -> Iterator[tuple[list[Node], int]]:
    """The lists inside a node: loop heads and conditions (-2), bodies (-1), branches."""
    yield node.head, -2
    yield node.body, -1
    for index, branch in enumerate(node.branches):
        yield branch.cond, -2
        yield branch.body, index


def chain_to(
    nodes: list[Node], target: Node, container: Node | None = None, branch: int = -1
) -> list[Link] | None:
    """The links from the top of ``nodes`` down to ``target`` (None: not below ``nodes``)."""
    for i, node in enumerate(nodes):
        link = (nodes, i, container, branch)
        if node is target:
            return [link]
        for body, index in parts(node):
            below = chain_to(body, target, node, index)
            if below is not None:
                return [link, *below]
    return None


def bodies(nodes: list[Node]) -> Iterator[list[Node]]:
    """Every list of nodes: the top level and each branch, loop and group body."""
    yield nodes
    for node in subtree(nodes):
        for branch in node.branches:
            yield branch.body
        if node.body:
            yield node.body


def and_or_lists(body: list[Node]) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of each ``&&``/``||`` list of a body (pipelines stay inside)."""
    start = 0
    for i, node in enumerate(body):
        if node.joined == ";" and i > start:
            yield start, i
            start = i
    if body:
        yield start, len(body)


# --- what a list does ----------------------------------------------------------------------------


def argv(node: Node) -> list[str]:
    """The words of a simple-command node ([] for other nodes)."""
    return [w.text for w in node.cmd.words] if node.cmd is not None else []


def exit_code(node: Node) -> str | None:
    """The argument of ``exit``/``return`` ("" when none), None for other nodes."""
    words = argv(node)
    if words and words[0] in ("exit", "return"):
        return words[1] if len(words) > 1 else ""
    return None


def fails(nodes: list[Node]) -> bool:
    """Whether some path through ``nodes`` ends in a failure: ``exit``/``return`` with a
    status other than 0 (or a variable one), or ``false``."""
    for node in subtree(nodes):
        code = exit_code(node)
        if code is not None and code not in ("", "0"):
            return True
        if argv(node)[:1] == ["false"]:
            return True
    return False


def terminates(nodes: list[Node]) -> bool:
    """Whether the list ends the script or function: an ``exit``/``return`` of its own."""
    return any(exit_code(node) is not None for node in nodes)


def contains(nodes: list[Node], target: Node) -> bool:
    """Whether ``target`` is one of ``nodes`` or below them."""
    return any(node is target for node in subtree(nodes))
