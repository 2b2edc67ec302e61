"""The syntax of GitHub Actions expressions: ``parse`` turns an expression into a tree.

The parser follows GitHub's grammar (literals, context paths, index access, function
calls, ``!``, comparisons, ``&&``, ``||``) and never raises: text it cannot parse gives
None, which evaluation counts as unknown. Trees are nested tuples (``Node``):
``("lit", value)``, ``("ctx", name)``, ``("get", base, key or None)``, ``("star",)``,
``("not", x)``, ``("and", a, b)``, ``("or", a, b)``, ``("cmp", op, a, b)`` and
``("call", name, args)``; names and keys are lower-cased.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from shiplint.lazyre import LazyPattern

Node = tuple[Any, ...]

_TOKEN = LazyPattern(
    r"""\s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))
    | (?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|\[|\]|,|\.|\*)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


class _ParseError(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise _ParseError(text[pos:])
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (text is not None and tok[1] != text):
            raise _ParseError(text or "end")
        self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in ops

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise _ParseError("trailing text")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.at_op("||"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.equality()
        while self.at_op("&&"):
            self.take()
            node = ("and", node, self.equality())
        return node

    def equality(self) -> Node:
        node = self.comparison()
        while self.at_op("==", "!="):
            op = self.take()[1]
            node = ("cmp", op, node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.unary()
        while self.at_op("<", "<=", ">", ">="):
            op = self.take()[1]
            node = ("cmp", op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at_op("!"):
            self.take()
            return ("not", self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at_op("."):
                self.take()
                tok = self.take()
                if tok[0] == "ident":
                    node = ("get", node, tok[1].lower())
                elif tok[1] == "*":
                    node = ("get", node, "*")
                else:
                    raise _ParseError(tok[1])
            elif self.at_op("["):
                self.take()
                index = self.or_()
                self.take("]")
                if index[0] == "lit" and isinstance(index[1], str):
                    node = ("get", node, index[1].lower())
                elif index == ("star",):
                    node = ("get", node, "*")
                else:
                    node = ("get", node, None)
            else:
                return node

    def primary(self) -> Node:
        tok = self.take()
        kind, text = tok
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "num":
            try:
                return ("lit", float(int(text, 16)) if "x" in text.lower() else float(text))
            except ValueError as exc:  # pragma: no cover - the pattern admits only numbers
                raise _ParseError(text) from exc
        if kind == "op" and text == "(":
            node = self.or_()
            self.take(")")
            return node
        if kind == "op" and text == "*":
            return ("star",)
        if kind == "ident":
            lowered = text.lower()
            if lowered == "true":
                return ("lit", True)
            if lowered == "false":
                return ("lit", False)
            if lowered == "null":
                return ("lit", None)
            if self.at_op("("):
                self.take()
                args: list[Node] = []
                if not self.at_op(")"):
                    args.append(self.or_())
                    while self.at_op(","):
                        self.take()
                        args.append(self.or_())
                self.take(")")
                return ("call", lowered, tuple(args))
            return ("ctx", lowered)
        raise _ParseError(text)


#: ``${{ expression }}`` in YAML text (group 1: the expression)
EXPR = LazyPattern(r"\$\{\{(.*?)\}\}", re.DOTALL)


def condition_expression(raw: str) -> str:
    """The expression of an ``if:`` value (``${{ }}`` removed; embedded ones parenthesised)."""
    text = raw.strip()
    whole = EXPR.fullmatch(text)
    if whole is not None and "${{" not in whole.group(1):
        return whole.group(1).strip()
    return EXPR.sub(lambda m: f"({m.group(1).strip()})", text)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Node | None:
    """The syntax tree of an expression, or None when it does not parse.

    Trees are nested tuples (immutable), so one tree is shared by every caller that parses
    the same text: workflows repeat the same conditions, and several rules ask about each.
    """
    try:
        return _Parser(_tokens(text)).parse()
    except (_ParseError, RecursionError):
        return None
