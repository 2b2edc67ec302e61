"""``if:`` conditions as one matrix leg of one job sees them, in one instance of its workflow.

``gha.conditions.Scenario`` answers from event facts (``github.event_name``, the shape of
``github.ref`` ...). ``LegScenario`` adds what one leg of one job fixes for that job's own
steps, and what one call fixes for a local reusable workflow:

* ``matrix.*``, with the leg's values as YAML typed them (``true`` is a boolean, ``3.10``
  the number 3.1); a key the leg lacks is null; a matrix that cannot be enumerated leaves
  them unknown. ``strategy.job-index`` and ``strategy.job-total`` too;
* ``runner.os``/``runner.arch`` of the leg follow (``Scenario`` reads them from the
  runner ``gha.runners`` gives the leg's ``runs-on``);
* ``inputs.*`` of a reusable workflow called by a job of the same repository: the value the
  calling job passes under ``with:``, evaluated in the caller's own leg, else the input's
  ``default:``, else the empty value of its ``type`` (``false``, ``0``, ``""``). Each calling
  job (and each leg of it) runs the callee once, with its own inputs.

The job-level ``if:`` of a matrix job cannot read ``matrix`` or ``runner``, so leg values are
only given to the job's steps. ``after_success`` evaluates a condition as if every earlier
step had succeeded (``failure()`` false), which tells steps that only run after a failure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from shiplint.gha.conditions import Scenario
from shiplint.gha.expr_eval import (
    UNKNOWN,
    Evaluator,
    Foreign,
    Lookup,
    OwnRepo,
    Shaped,
    Unknown,
    Value,
    as_text,
)
from shiplint.gha.expr_parse import parse
from shiplint.gha.matrix import ci_get
from shiplint.gha.runners import Named, describe, runs_on_texts
from shiplint.lazyre import LazyPattern
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.gha.conditions import Facts
    from shiplint.gha.matrix import Leg
    from shiplint.model import Job, Workflow
    from shiplint.parse.yamlnodes import YNode

_UNSET = object()

#: ``inputs.<name>`` of a workflow instance as an expression value
InputsFn = Callable[[str], Value]

_EXPR = LazyPattern(r"\$\{\{(.*?)\}\}", re.DOTALL)
_FAILURE = LazyPattern(r"\bfailure\s*\(\s*\)", re.IGNORECASE)


def yaml_value(node: YNode | None, depth: int = 0) -> Value:
    """A YAML value as an expression sees it (maps with lower-cased keys); text holding an
    expression is unknown."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        if node.tag == "null":
            return None
        if node.tag == "bool":
            return node.value.lower() == "true"
        if node.tag in ("int", "float"):
            try:
                return float(int(node.value, 0)) if node.tag == "int" else float(node.value)
            except ValueError:
                return node.value
        return UNKNOWN if "${{" in node.value else node.value
    if depth > 8:
        return UNKNOWN
    if isinstance(node, YMap):
        return {key.lower(): yaml_value(value, depth + 1) for key, _k, value in node.items()}
    assert isinstance(node, YSeq)
    return [yaml_value(item, depth + 1) for item in node.items]


def _evaluate(expression: str, lookup: Lookup) -> Value:
    node = parse(expression.strip())
    if node is None:
        return UNKNOWN
    try:
        return Evaluator(lookup).eval(node)
    except RecursionError:
        return UNKNOWN


def text_value(text: str, lookup: Lookup) -> Value:
    """A value written in YAML text: one ``${{ }}`` is that expression's value; text with
    expressions inside is a string (unknown when one of them is)."""
    whole = _EXPR.fullmatch(text.strip())
    if whole is not None and "${{" not in whole.group(1):
        return _evaluate(whole.group(1), lookup)
    parts: list[str] = []
    pos = 0
    for match in _EXPR.finditer(text):
        parts.append(text[pos : match.start()])
        got = as_text(_evaluate(match.group(1), lookup))
        if got is None:
            return UNKNOWN
        parts.append(got)
        pos = match.end()
    parts.append(text[pos:])
    return "".join(parts)


def node_value(node: YNode | None, lookup: Lookup) -> Value:
    """The value of a ``with:`` or ``default:`` entry."""
    if isinstance(node, YScalar) and node.tag == "str":
        return text_value(node.value, lookup)
    if isinstance(node, YScalar):
        return yaml_value(node)
    return UNKNOWN if node is not None else None


def _typed(value: Value, kind: str | None) -> Value:
    """``value`` as an input of ``type: kind`` holds it."""
    if isinstance(value, (Unknown, Shaped, Foreign, OwnRepo)):
        return value
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        return UNKNOWN
    if kind == "number":
        if isinstance(value, float):
            return value
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return UNKNOWN
        return UNKNOWN
    if kind == "string":
        text = as_text(value)
        return UNKNOWN if text is None else text
    return value


_EMPTY: dict[str | None, Value] = {"boolean": False, "number": 0.0}


def call_input(callee: Workflow, name: str, given: YNode | None, lookup: Lookup) -> Value:
    """``inputs.<name>`` of ``callee`` in one call: ``given`` (the calling job's ``with:``
    entry, evaluated with the caller's ``lookup``), else the declared ``default:``, else the
    empty value of the declared ``type``."""
    call = callee.triggers.get("workflow_call")
    declared_inputs = call.get_map("inputs") if isinstance(call, YMap) else None
    declared = ci_get(declared_inputs, name)
    kind = declared.get_str("type") if isinstance(declared, YMap) else None
    if given is not None:
        return _typed(node_value(given, lookup), kind)
    default = declared.get("default") if isinstance(declared, YMap) else None
    if default is not None and not (isinstance(default, YScalar) and default.is_null):
        return _typed(node_value(default, lookup), kind)
    if declared is None:
        return None
    return _EMPTY.get(kind, "")


def _dig(value: Value, path: tuple[str, ...]) -> Value:
    for part in path:
        if part == "*" or isinstance(value, (Unknown, Shaped, Foreign, OwnRepo)):
            return UNKNOWN
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class LegScenario(Scenario):
    """A ``Scenario`` that also knows one leg of ``job`` (for that job's steps) and the
    ``inputs`` of its workflow instance (for every job of it)."""

    def __init__(
        self,
        workflow: Workflow,
        facts: Facts,
        job: Job,
        leg: Leg,
        inputs: InputsFn | None = None,
    ) -> None:
        super().__init__(workflow, facts)
        self.job = job
        self.leg = leg
        self.inputs = inputs
        self._leg_lookups: dict[int, Lookup] = {}
        self._runner_named: Named | object | None = _UNSET
        self._matrix: Value = None  # the leg's matrix values, read on first use
        self._matrix_read = False

    def lookup_for(self, job: Job | None) -> Lookup:
        got = self._leg_lookups.get(id(job))
        if got is None:
            got = self._leg_lookups[id(job)] = self._leg_lookup(job)
        return got

    def _leg_lookup(self, job: Job | None) -> Lookup:
        base = super().lookup_for(job)
        own = job is self.job

        def lookup(path: tuple[str, ...]) -> Value:
            head = path[0]
            if head == "inputs" and self.inputs is not None:
                return self.inputs(path[1]) if len(path) > 1 else UNKNOWN
            if own and head == "matrix":
                return _dig(self._leg_matrix(), path[1:])
            if own and path in (("runner", "os"), ("runner", "arch")):
                got = self._leg_runner(path[1])
                if got is not None:
                    return got
            if own and head == "strategy" and path[1:] in (("job-index",), ("job-total",)):
                if self.leg.nodes is None:
                    return UNKNOWN
                return float(self.leg.index if path[1] == "job-index" else self.leg.total)
            return base(path)

        return lookup

    def _leg_matrix(self) -> Value:
        """``matrix`` in the leg (its values as expressions see them)."""
        if not self._matrix_read:
            nodes = self.leg.nodes
            self._matrix = (
                UNKNOWN
                if nodes is None
                else {key.lower(): yaml_value(node) for key, node in nodes.items()}
            )
            self._matrix_read = True
        return self._matrix

    def _leg_runner(self, key: str) -> str | None:
        """``runner.os``/``runner.arch`` of the leg: its ``runs-on`` labels evaluated with the
        leg's matrix and the call's inputs (None: they do not say; ``Scenario`` then reads
        what every runner of the job agrees on)."""
        if self._runner_named is _UNSET:
            own = self.lookup_for(self.job)

            def no_runner(path: tuple[str, ...]) -> Value:
                return UNKNOWN if path[0] == "runner" else own(path)

            texts = [as_text(text_value(t, no_runner)) for t in runs_on_texts(self.job)]
            known = [t for t in texts if t is not None]
            self._runner_named = describe(known) if known and len(known) == len(texts) else None
        named = self._runner_named
        if not isinstance(named, Named):
            return None
        return named.os if key == "os" else named.arch

    def job_truth(self, job: Job) -> bool | None:
        """Whether ``job`` runs: its ``if:`` and those of the jobs it needs (None: cannot
        tell)."""
        try:
            return self._job(job.id, set())
        except RecursionError:
            return None

    def after_success(self, scalar: YScalar | None, job: Job | None) -> bool | None:
        """Truth of an ``if:`` when every earlier step succeeded (``failure()`` false)."""
        if scalar is None or scalar.is_null or scalar.tag != "str":
            return self.condition(scalar, job)
        return Evaluator(self.lookup_for(job)).truth(after_success_text(scalar.value))


def after_success_text(condition: str) -> str:
    """An ``if:`` text with ``failure()`` written as ``false``: its truth when every
    earlier step succeeded."""
    return _FAILURE.sub("false", condition)
