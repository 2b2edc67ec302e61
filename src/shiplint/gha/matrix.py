"""The legs of a job's ``strategy.matrix``, as GitHub expands it.

``job_legs(project, job)`` lists one ``Leg`` per combination (axes, then ``exclude``, then
``include``), so that a ``${{ matrix.* }}`` or ``${{ strategy.job-index }}`` text can be
evaluated once per leg. A matrix that cannot be enumerated (built by an expression, too
large) gives two legs whose values are unknown.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import Job
    from shiplint.parse.yamlnodes import YNode
    from shiplint.project import Project

#: most legs enumerated; a larger matrix counts as unknown
MAX_LEGS = 256


@dataclass(frozen=True)
class Leg:
    """One matrix combination of a job (``nodes`` None: the matrix cannot be enumerated)."""

    index: int
    total: int
    nodes: dict[str, YNode] | None

    @property
    def values(self) -> dict[str, str] | None:
        """The leg's value of each axis, as text (None when unknown)."""
        if self.nodes is None:
            return None
        return {key: _canon(node) for key, node in self.nodes.items()}

    def value(self, path: tuple[str, ...]) -> str | None:
        """``matrix.<path>`` in this leg ("" when the key is absent, None when unknown)."""
        if self.nodes is None:
            return None
        node: YNode | None = self.nodes.get(path[0])
        if node is None:
            return ""
        for part in path[1:]:
            if isinstance(node, YMap):
                node = ci_get(node, part)
            elif isinstance(node, YSeq) and part.startswith("#") and part[1:].isdigit():
                index = int(part[1:])
                node = node.items[index] if index < len(node.items) else None
            else:
                return None
            if node is None:
                return ""
        return node.value if isinstance(node, YScalar) else None


def _canon(node: YNode, depth: int = 0) -> str:
    """A text standing for a matrix value (maps and lists spelled out, 8 levels deep)."""
    if isinstance(node, YScalar):
        return node.value
    if depth > 8:
        return "…"
    if isinstance(node, YMap):
        inner = (f"{k}:{_canon(v, depth + 1)}" for k, _key, v in node.items())
        return "{" + ",".join(inner) + "}"
    return "[" + ",".join(_canon(i, depth + 1) for i in node.items) + "]"


def _matrix_combos(matrix: YNode | None) -> list[dict[str, YNode]] | None:
    """GitHub's expansion of ``strategy.matrix`` (axes, ``exclude``, then ``include``)."""
    if not isinstance(matrix, YMap):
        return None
    axes: list[tuple[str, list[YNode]]] = []
    for name, _key, value in matrix.items():
        if name in ("include", "exclude"):
            continue
        if not isinstance(value, YSeq) or not value.items:
            return None
        axes.append((name.lower(), list(value.items)))
    size = 1
    for _name, values in axes:
        size *= len(values)
        if size > MAX_LEGS:
            return None
    combos: list[tuple[dict[str, YNode], dict[str, YNode]]] = []
    if axes:
        names = [name for name, _values in axes]
        for combo in itertools.product(*(v for _n, v in axes)):
            combos.append((dict(zip(names, combo)), {}))
    exclude = matrix.get("exclude")
    if isinstance(exclude, YSeq):
        for entry in exclude.items:
            if not isinstance(entry, YMap):
                return None
            rule = {k.lower(): _canon(v) for k, _key, v in entry.items()}
            combos = [
                c
                for c in combos
                if not all(k in c[0] and _canon(c[0][k]) == v for k, v in rule.items())
            ]
    elif exclude is not None and not (isinstance(exclude, YScalar) and exclude.is_null):
        return None
    include = matrix.get("include")
    extra: list[dict[str, YNode]] = []
    if isinstance(include, YSeq):
        originals = len(combos)
        for entry in include.items:
            if not isinstance(entry, YMap):
                return None
            added = {k.lower(): v for k, _key, v in entry.items()}
            matched = False
            for original, more in combos[:originals]:
                if all(
                    k not in original or _canon(original[k]) == _canon(v) for k, v in added.items()
                ):
                    more.update(added)
                    matched = True
            if not matched:
                extra.append(added)
    elif include is not None and not (isinstance(include, YScalar) and include.is_null):
        return None
    out = [{**original, **more} for original, more in combos] + extra
    return out if len(out) <= MAX_LEGS else None


def job_legs(project: Project, job: Job) -> list[Leg]:
    """The legs ``job`` runs as (one leg without a matrix), memoised on the project."""
    memo = project.memo.setdefault("gha_matrix.legs", {})
    assert isinstance(memo, dict)
    got = memo.get(id(job))
    if isinstance(got, list):
        return got
    strategy = job.node.get_map("strategy") if job.node is not None else None
    legs: list[Leg]
    if strategy is None or strategy.key("matrix") is None:
        legs = [Leg(0, 1, {})]
    else:
        combos = _matrix_combos(strategy.get("matrix"))
        if combos is None:
            legs = [Leg(0, 2, None), Leg(1, 2, None)]
        elif not combos:
            legs = [Leg(0, 1, {})]
        else:
            legs = [Leg(i, len(combos), combo) for i, combo in enumerate(combos)]
    memo[id(job)] = legs
    return legs


def matrix_axes(job: Job) -> list[str]:
    """The axis names of ``job``'s matrix as written (without ``include``/``exclude``)."""
    strategy = job.node.get_map("strategy") if job.node is not None else None
    matrix = strategy.get_map("matrix") if strategy is not None else None
    if matrix is None:
        return []
    return [name for name, _k, _v in matrix.items() if name not in ("include", "exclude")]


def ci_get(mapping: YMap | None, name: str) -> YNode | None:
    """The value of ``name`` in ``mapping``, matching keys case-insensitively as GitHub does
    for contexts (``matrix``, ``env``, ``inputs``)."""
    if mapping is None:
        return None
    for key, _k, value in mapping.items():
        if key.lower() == name.lower():
            return value
    return None


def uses_leg_values(job: Job) -> bool:
    """Whether the job's text refers to ``matrix``, ``strategy`` or ``runner``: whether its
    conditions (and anything else read from it) may differ from one leg to the next."""
    src = job.workflow.source if job.workflow is not None else None
    if src is None or src.text is None or job.node is None:
        return False
    text = src.text[job.node.start : job.node.end]
    return "matrix" in text or "runner." in text or "strategy." in text
