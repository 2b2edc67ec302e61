"""GitHub Actions expressions (``if:`` conditions) evaluated under partial knowledge.

Rules ask questions such as "can this job run on a fork pull request?" or "can this step run
on a Windows runner?". The answer comes from evaluating the job's and step's ``if:`` with
the facts that scenario fixes (``github.event_name``, the shape of ``github.ref``,
``runner.os`` ...) and everything else unknown. Evaluation is three-valued: a condition
only *excludes* a scenario when it is false whatever the unknown values are.

The parser follows GitHub's grammar (literals, context paths, index access, function
calls, ``!``, comparisons, ``&&``, ``||``) and never raises: text it cannot parse counts
as unknown. ``needs.<job>.outputs.<name>`` is followed to the expression that job writes
in its ``outputs:`` (common for "release requested" flags computed once).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Union

from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Workflow

# --- values ------------------------------------------------------------------------------------


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
    """``github.repository`` (unknown text, but never the fork's name)."""


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


# --- parsing -----------------------------------------------------------------------------------

Node = tuple[Any, ...]

_TOKEN = re.compile(
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


_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def condition_expression(raw: str) -> str:
    """The expression of an ``if:`` value (``${{ }}`` removed; embedded ones parenthesised)."""
    text = raw.strip()
    whole = _EXPR.fullmatch(text)
    if whole is not None and "${{" not in whole.group(1):
        return whole.group(1).strip()
    return _EXPR.sub(lambda m: f"({m.group(1).strip()})", text)


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


# --- evaluation --------------------------------------------------------------------------------


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
        if isinstance(a, Foreign):
            return False if isinstance(b, (OwnRepo, str)) and b != "" else None
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
            arg = args[0]
            if isinstance(arg, str):
                try:
                    loaded = json.loads(arg)
                except ValueError:
                    return UNKNOWN
                return _from_json(loaded)
            return arg
        if name in ("success", "always"):
            return True
        if name == "cancelled":
            return False
        return UNKNOWN


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


# --- scenarios over workflows -----------------------------------------------------------------

#: What a scenario fixes: context path → value.
Facts = dict[tuple[str, ...], Value]

PR_TRIGGERS = ("pull_request", "pull_request_target")


def fork_pr_facts(event: str) -> Facts:
    """Facts of a run triggered by a pull request from a fork (``event`` is the trigger)."""
    facts: Facts = {
        ("github", "event_name"): event,
        ("github", "ref_type"): "branch",
        ("github", "event", "pull_request", "head", "repo", "fork"): True,
        ("github", "event", "pull_request", "head", "repo", "full_name"): Foreign(),
        ("github", "repository"): OwnRepo(),
        ("github", "event", "release"): None,
        ("github", "event", "workflow_run"): None,
    }
    if event == "pull_request":
        facts[("github", "ref")] = Shaped("refs/pull/", "/merge", ("tag", "heads"))
        facts[("github", "ref_name")] = Shaped("", "/merge", ("tag",))
    else:
        # pull_request_target runs on the base branch; maintainers merge, forks only open.
        facts[("github", "ref")] = Shaped("refs/heads/", "", ("refs/tags", "refs/pull"))
        facts[("github", "event", "pull_request", "merged")] = False
    return facts


def pr_facts(event: str) -> Facts:
    """Facts of any run triggered by ``event``: a fork pull request for ``pull_request``
    (same-repository ones get an OIDC token), every pull request for
    ``pull_request_target`` (PyPI refuses trusted publishing from it altogether)."""
    facts: Facts = {
        ("github", "event_name"): event,
        ("github", "ref_type"): "branch",
        ("github", "repository"): OwnRepo(),
        ("github", "event", "release"): None,
        ("github", "event", "workflow_run"): None,
    }
    if event == "pull_request":
        facts[("github", "ref")] = Shaped("refs/pull/", "/merge", ("tag", "heads"))
        facts[("github", "ref_name")] = Shaped("", "/merge", ("tag",))
        facts[("github", "event", "pull_request", "head", "repo", "fork")] = True
        facts[("github", "event", "pull_request", "head", "repo", "full_name")] = Foreign()
    else:
        # pull_request_target runs on the base branch, for same-repo and fork PRs alike.
        facts[("github", "ref")] = Shaped("refs/heads/", "", ("refs/tags", "refs/pull"))
    return facts


def workflow_env(workflow: Workflow | None, job: Job | None) -> dict[str, str]:
    """Literal (expression-free) values of workflow and job ``env:``."""
    out: dict[str, str] = {}
    for env in ((workflow.env if workflow else None), (job.env if job else None)):
        if env is None:
            continue
        for name, _key, value in env.items():
            if isinstance(value, YScalar) and not value.is_null and "${{" not in value.value:
                out[name.lower()] = value.value.strip()
    return out


class Scenario:
    """Answers "can this job/step run?" in one workflow under fixed facts."""

    def __init__(self, workflow: Workflow, facts: Facts) -> None:
        self.workflow = workflow
        self.facts = facts
        self._job_memo: dict[str, bool | None] = {}
        self._resolving: set[tuple[str, str]] = set()

    def lookup_for(self, job: Job | None) -> Lookup:
        env = workflow_env(self.workflow, job)

        def lookup(path: tuple[str, ...]) -> Value:
            for size in range(len(path), 0, -1):
                if path[:size] in self.facts:
                    value = self.facts[path[:size]]
                    if size == len(path):
                        return value
                    return None if value is None else UNKNOWN
            if len(path) == 2 and path[0] == "env" and path[1] in env:
                return env[path[1]]
            if len(path) == 4 and path[0] == "needs" and path[2] == "outputs":
                return self._job_output(path[1], path[3])
            return UNKNOWN

        return lookup

    def _job_output(self, job_id: str, name: str) -> Value:
        key = (job_id, name)
        if key in self._resolving:
            return UNKNOWN
        job = _job_by_id(self.workflow, job_id)
        if job is None or job.node is None:
            return UNKNOWN
        outputs = job.node.get_map("outputs")
        scalar = _get_ci(outputs, name) if outputs is not None else None
        if not isinstance(scalar, YScalar) or scalar.is_null:
            return UNKNOWN
        text = scalar.value.strip()
        whole = _EXPR.fullmatch(text)
        if whole is None:
            return UNKNOWN if "${{" in text else text
        node = parse(whole.group(1).strip())
        if node is None:
            return UNKNOWN
        self._resolving.add(key)
        try:
            value = Evaluator(self.lookup_for(job)).eval(node)
        finally:
            self._resolving.discard(key)
        # Outputs are strings: a boolean result becomes "true"/"false" (fromJSON turns it back).
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Unknown):
            return UNKNOWN  # "false" and "" differ once stringified: truthiness is lost
        return value

    def condition(self, scalar: YScalar | None, job: Job | None) -> bool | None:
        """Truthiness of an ``if:`` (True when there is none)."""
        if scalar is None or scalar.is_null:
            return True
        if scalar.tag == "bool":
            return scalar.value.lower() == "true"
        return Evaluator(self.lookup_for(job)).truth(scalar.value)

    def job_can_run(self, job: Job) -> bool:
        """False only when the job is certainly skipped (its ``if:`` or a needed job's)."""
        try:
            return self._job(job.id, set()) is not False
        except RecursionError:  # a `needs:` chain thousands of jobs long
            return True

    def _job(self, job_id: str, visiting: set[str]) -> bool | None:
        if job_id in self._job_memo:
            return self._job_memo[job_id]
        job = _job_by_id(self.workflow, job_id)
        if job is None or job_id in visiting:
            return None
        visiting = visiting | {job_id}
        result = self.condition(job.condition, job)
        if result is not False and not _overrides_status(job.condition):
            for need in job_needs(job):
                if self._job(need, visiting) is False:
                    result = False
                    break
        self._job_memo[job_id] = result
        return result

    def step_can_run(self, step: Step) -> bool:
        """False only when the step's job or its own ``if:`` certainly excludes the scenario."""
        if not self.job_can_run(step.job):
            return False
        return self.condition(step.condition, step.job) is not False


def _overrides_status(condition: YScalar | None) -> bool:
    """Whether an ``if:`` runs the job even when a needed job was skipped."""
    if condition is None:
        return False
    text = condition.value.lower()
    return any(f in text for f in ("always(", "cancelled(", "failure("))


def job_needs(job: Job) -> Iterator[str]:
    """The job ids ``job`` lists under ``needs:`` (a name or a list of names)."""
    if job.node is None:
        return
    needs = job.node.get("needs")
    if isinstance(needs, YScalar) and not needs.is_null:
        yield needs.value
    elif isinstance(needs, YSeq):
        for item in needs.items:
            if isinstance(item, YScalar):
                yield item.value


def _job_by_id(workflow: Workflow, job_id: str) -> Job | None:
    job = workflow.jobs.get(job_id)
    if job is not None:
        return job
    lowered = job_id.lower()
    for other_id, other in workflow.jobs.items():
        if other_id.lower() == lowered:
            return other
    return None


def _get_ci(mapping: YMap, name: str) -> object:
    got = mapping.get(name)
    if got is not None:
        return got
    for key, _k, value in mapping.items():
        if key.lower() == name:
            return value
    return None
