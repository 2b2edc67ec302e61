"""GitHub Actions expression values and their evaluation under partial knowledge.

Values are GitHub's (strings, numbers as floats, booleans, null, arrays, objects) plus
what is known only in part: ``Unknown`` (maybe with a known truthiness: ``x || true``),
``Shaped`` text (``refs/pull/…/merge``), the ``Foreign`` head repository of a fork pull
request and ``OwnRepo``. ``Evaluator`` evaluates a tree from ``expr_parse`` with a
``Lookup`` answering context paths; evaluation is three-valued: ``truth`` is None when
the unknown values decide it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Union

from shiplint.gha.expr_parse import EXPR, Node, condition_expression, parse
from shiplint.lazyre import LazyPattern


@dataclass(frozen=True)
class Unknown:
    """A value we cannot know; ``truthy`` is known sometimes (``x || true``)."""

    truthy: bool | None = None


@dataclass(frozen=True)
class Shaped:
    """A non-empty string known only by its shape: ``prefix`` + something + ``suffix``.

    ``never`` lists substrings it cannot contain (a pull request ref never holds ``tags``).
    """

    prefix: str = ""
    suffix: str = ""
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class Foreign:
    """The head repository of a fork pull request: never equal to ``github.repository``."""


@dataclass(frozen=True)
class OwnRepo:
    """``github.repository`` (``owner``: ``github.repository_owner``): unknown text, never
    the fork's name, and taken to be the repository the workflow is written for, where
    releases happen: a test against a literal ``'owner/name'`` (``'owner'``) holds, as it
    does for every run of that repository, fork pull requests included."""

    owner: bool = False


Value = Union[str, float, bool, None, list[Any], dict[str, Any], Unknown, Shaped, Foreign, OwnRepo]
UNKNOWN = Unknown()

Lookup = Callable[[tuple[str, ...]], Value]


def truthy(value: Value) -> bool | None:
    """GitHub's truthiness; None when it cannot be known."""
    if isinstance(value, Unknown):
        return value.truthy
    if isinstance(value, (Shaped, Foreign, OwnRepo, list, dict)):
        return True
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def as_text(value: Value) -> str | None:
    """A value as GitHub writes it into text (``true``, ``3.1``, ``""`` for null; None when
    unknown)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _path(node: Node) -> tuple[str, ...] | None:
    """``github.event.pull_request`` → ("github", "event", "pull_request")."""
    if node[0] == "ctx":
        return (node[1],)
    if node[0] == "get":
        base = _path(node[1])
        if base is None or node[2] is None:
            return None
        return (*base, node[2])
    return None


def _number(value: Value) -> float:
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        if stripped == "":
            return 0.0
        try:
            return (
                float(int(stripped, 16)) if stripped.lower().startswith("0x") else float(stripped)
            )
        except ValueError:
            return math.nan
    return math.nan


def _equal(a: Value, b: Value) -> bool | None:
    """GitHub's loose, case-insensitive ``==``; None when unknown."""
    if isinstance(a, (Unknown, Shaped, Foreign, OwnRepo)) or isinstance(
        b, (Unknown, Shaped, Foreign, OwnRepo)
    ):
        if isinstance(b, (Shaped, Foreign)) and not isinstance(a, (Shaped, Foreign)):
            a, b = b, a
        if isinstance(b, OwnRepo) and not isinstance(a, (Shaped, Foreign)):
            a, b = b, a
        if isinstance(a, Foreign):
            return False if isinstance(b, (OwnRepo, str)) and b != "" else None
        if isinstance(a, OwnRepo):
            return _own_repo_equal(a, b)
        if isinstance(a, Shaped) and isinstance(b, str):
            return None if _could_be(a, b) else False
        return None
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return a is b
    if type(a) is type(b):
        if isinstance(a, str) and isinstance(b, str):
            return a.lower() == b.lower()
        return a == b
    x, y = _number(a), _number(b)
    return x == y


_REPO_NAME = LazyPattern(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_OWNER_NAME = LazyPattern(r"[A-Za-z0-9_.-]+")


def _own_repo_equal(repo: OwnRepo, other: Value) -> bool | None:
    if isinstance(other, OwnRepo):
        return other.owner == repo.owner or None
    if other is None or isinstance(other, (bool, float)):
        return False  # a name is text that is no number: never equal to null, bools, numbers
    if not isinstance(other, str):
        return None
    if other == "":
        return False
    shape = _OWNER_NAME if repo.owner else _REPO_NAME
    return True if shape.fullmatch(other.strip()) else None


def _could_be(shape: Shaped, text: str) -> bool:
    lowered = text.lower()
    if not lowered.startswith(shape.prefix.lower()) or not lowered.endswith(shape.suffix.lower()):
        return False
    if len(lowered) <= len(shape.prefix) + len(shape.suffix):
        return False
    return not any(n in lowered for n in shape.never)


def _affix(value: Value, lit: Value, at_end: bool) -> Value:
    """``startsWith(value, lit)`` (or ``endsWith`` when ``at_end``), case-insensitive; a
    Shaped value is known to match when its fixed prefix (suffix) already does."""
    if not isinstance(lit, str):
        return UNKNOWN
    needle = lit.lower()

    def has(text: str, part: str) -> bool:
        return text.endswith(part) if at_end else text.startswith(part)

    if isinstance(value, str):
        return has(value.lower(), needle)
    if isinstance(value, Shaped):
        fixed = (value.suffix if at_end else value.prefix).lower()
        if has(fixed, needle):
            return True
        if has(needle, fixed) and not any(n in needle for n in value.never):
            return UNKNOWN
        return False
    return UNKNOWN


def _contains(haystack: Value, needle: Value) -> Value:
    if isinstance(haystack, list):
        if isinstance(needle, (Unknown, Shaped, Foreign, OwnRepo)):
            results = [_equal(item, needle) for item in haystack]
            if any(r is True for r in results):
                return True
            return False if all(r is False for r in results) else UNKNOWN
        return any(_equal(item, needle) is True for item in haystack)
    if not isinstance(needle, str):
        return UNKNOWN
    lowered = needle.lower()
    if isinstance(haystack, str):
        return lowered in haystack.lower()
    if isinstance(haystack, Shaped):
        if lowered in haystack.prefix.lower() or lowered in haystack.suffix.lower():
            return True
        if any(n in lowered for n in haystack.never):
            return False
    return UNKNOWN


class Evaluator:
    """Evaluates parsed expressions with ``lookup`` answering context paths."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    def truth(self, raw: str) -> bool | None:
        """Truthiness of an ``if:`` value (None: may or may not hold)."""
        node = parse(condition_expression(raw))
        if node is None:
            return None
        try:
            return truthy(self.eval(node))
        except RecursionError:  # thousands of chained `&&`, `[...]` or needs outputs
            return None

    def eval(self, node: Node) -> Value:
        kind = node[0]
        if kind == "lit":
            value: Value = node[1]
            return value
        if kind in ("ctx", "get"):
            path = _path(node)
            if path is None or "*" in path:
                return UNKNOWN
            return self.lookup(path)
        if kind == "not":
            inner = truthy(self.eval(node[1]))
            return UNKNOWN if inner is None else not inner
        if kind == "and":
            left = self.eval(node[1])
            lt = truthy(left)
            if lt is False:
                return left
            right = self.eval(node[2])
            if lt is True:
                return right
            return Unknown(False) if truthy(right) is False else UNKNOWN
        if kind == "or":
            left = self.eval(node[1])
            lt = truthy(left)
            if lt is True:
                return left
            right = self.eval(node[2])
            if lt is False:
                return right
            return Unknown(True) if truthy(right) is True else UNKNOWN
        if kind == "cmp":
            return self._compare(node[1], self.eval(node[2]), self.eval(node[3]))
        if kind == "call":
            return self._call(node[1], [self.eval(arg) for arg in node[2]])
        return UNKNOWN

    @staticmethod
    def _compare(op: str, a: Value, b: Value) -> Value:
        if op in ("==", "!="):
            eq = _equal(a, b)
            if eq is None:
                return UNKNOWN
            return eq if op == "==" else not eq
        if any(isinstance(v, (Unknown, Shaped, Foreign, OwnRepo, list, dict)) for v in (a, b)):
            return UNKNOWN
        x, y = _number(a), _number(b)
        if isinstance(a, str) and isinstance(b, str):
            sa, sb = a.lower(), b.lower()
            return {"<": sa < sb, "<=": sa <= sb, ">": sa > sb, ">=": sa >= sb}[op]
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]

    @staticmethod
    def _call(name: str, args: list[Value]) -> Value:
        if name == "startswith" and len(args) == 2:
            return _affix(args[0], args[1], at_end=False)
        if name == "endswith" and len(args) == 2:
            return _affix(args[0], args[1], at_end=True)
        if name == "contains" and len(args) == 2:
            return _contains(args[0], args[1])
        if name == "fromjson" and len(args) == 1:
            import json  # rare in conditions: not loaded before

            arg = args[0]
            if isinstance(arg, str):
                try:
                    loaded = json.loads(arg)
                except ValueError:
                    return UNKNOWN
                return _from_json(loaded)
            return arg
        if name == "format" and args:
            texts = [as_text(arg) for arg in args]
            if any(text is None for text in texts):
                return UNKNOWN
            return _format(texts[0] or "", [text or "" for text in texts[1:]])
        if name in ("success", "always"):
            return True
        if name == "cancelled":
            return False
        return UNKNOWN


_FORMAT_ITEM = LazyPattern(r"\{\{|\}\}|\{(\d+)\}")


def _format(template: str, args: list[str]) -> str:
    """``format(template, args...)``: ``{N}`` replaced by argument N (kept when there is
    none), ``{{`` and ``}}`` unescaped."""

    def sub(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        index = int(match.group(1))
        return args[index] if index < len(args) else text

    return _FORMAT_ITEM.sub(sub, template)


def _from_json(value: object) -> Value:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k).lower(): _from_json(v) for k, v in value.items()}
    return UNKNOWN


# --- text ------------------------------------------------------------------------------------

#: the node kinds text evaluation answers, besides ``format()`` calls
_TEXT_KINDS = frozenset({"lit", "ctx", "get", "star", "or"})
_INDEX = LazyPattern(r"\[\s*(\d+)\s*\]")


class TextEvaluator(Evaluator):
    """Evaluates expressions written into text (artifact names and paths) where every
    value is text: the texts ``false`` and ``0`` are false, as the YAML ``false`` and ``0``
    they usually stand for (a matrix value reaches the lookup as text).

    It answers literals, context paths, ``||`` and ``format()``; any other operator or
    function gives an unknown value.
    """

    def eval(self, node: Node) -> Value:
        kind = node[0]
        if kind not in _TEXT_KINDS and (kind != "call" or node[1] != "format"):
            return UNKNOWN
        value = super().eval(node)
        if isinstance(value, str):
            if value == "false":
                return False
            if value == "0":
                return 0.0
        return value


def eval_text(text: str, lookup: Lookup) -> str | None:
    """``text`` with its ``${{ }}`` expressions evaluated (``TextEvaluator``); None when one
    cannot be. A numeric index (``matrix.include[0]``) looks up the key ``#0``."""
    out: list[str] = []
    pos = 0
    evaluator = TextEvaluator(lookup)
    for match in EXPR.finditer(text):
        out.append(text[pos : match.start()])
        node = parse(_INDEX.sub(r"['#\1']", match.group(1).strip()))
        if node is None:
            return None
        value = as_text(evaluator.eval(node))
        if value is None:
            return None
        out.append(value)
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)
