"""The contexts one step of one matrix leg sees, for evaluating ``${{ }}`` text.

``StepContext`` is a context provider: its ``lookup`` answers the context paths that make
artifact names and similar inputs differ between runs of a step: ``matrix``,
``strategy.job-index``/``job-total``, ``runner.os`` (from ``runs-on``), ``env`` (step,
composite-action callers, job, workflow), ``inputs`` (of a called reusable workflow or
composite action) and ``github.job``. Other ``github``, ``vars``, ``secrets`` and
``needs`` values stand for themselves (``<github.sha>``): equal in every leg. Values are
text; a path it cannot answer is unknown. ``gha.expr_eval.eval_text`` evaluates text
with it (None: unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from shiplint.gha.expr_eval import UNKNOWN, Value, eval_text
from shiplint.gha.matrix import ci_get
from shiplint.gha.runners import describe, runs_on_texts
from shiplint.parse.yamlnodes import YMap, YScalar

if TYPE_CHECKING:
    from shiplint.gha.matrix import Leg
    from shiplint.model import Job, Step, Workflow
    from shiplint.project import Project

#: how deep reusable-workflow calls, composite actions and ``env``/``inputs`` indirections
#: are followed
MAX_DEPTH = 4

#: the value of ``inputs.<name>`` in a workflow instance, None when unknown
InputsFn = Callable[[str], Union[str, None]]


@dataclass(eq=False)
class Instance:
    """A workflow as it runs inside a run: the root itself, or a local reusable workflow
    called from one leg of a caller job."""

    workflow: Workflow
    key: str
    inputs: InputsFn
    caller: tuple[Instance, Job, Leg] | None = None


class StepContext:
    """Answers ``matrix``, ``strategy``, ``github``, ``runner``, ``env`` and ``inputs`` paths
    for one step of one leg of one instance.

    ``via`` holds the composite-action steps leading to ``step``, outermost first; ``depth``
    counts nested look-ups (an ``env`` value that refers to ``inputs``…), bounded by
    ``MAX_DEPTH``.
    """

    def __init__(
        self,
        project: Project,
        instance: Instance,
        job: Job,
        leg: Leg,
        via: tuple[Step, ...] = (),
        step: Step | None = None,
        depth: int = 0,
    ) -> None:
        self.project = project
        self.instance = instance
        self.job = job
        self.leg = leg
        self.via = via
        self.step = step
        self.depth = depth

    def lookup(self, path: tuple[str, ...]) -> Value:
        """The value of a context path (a ``Lookup`` for ``eval_text``)."""
        text = self._text(path)
        return UNKNOWN if text is None else text

    def _text(self, path: tuple[str, ...]) -> str | None:
        """The value of a context path as text (None: unknown)."""
        head = path[0]
        leg = self.leg
        if head == "matrix":
            return leg.value(path[1:]) if len(path) > 1 else None
        if head == "strategy" and len(path) == 2:
            if path[1] == "job-index":
                return str(leg.index) if leg.values is not None else None
            if path[1] == "job-total":
                return str(leg.total) if leg.values is not None else None
            return None
        if head == "github":
            if path[1:] == ("job",):
                return self.job.id
            return "<" + ".".join(path) + ">"
        if head in ("vars", "secrets", "needs"):
            return "<" + ".".join(path) + ">"
        if head == "runner" and len(path) == 2:
            labels = self._runner_labels()
            if labels is None:
                return None
            named = describe(labels)
            if path[1] == "os" and named.os is not None:
                return named.os
            if path[1] == "arch" and named.arch is not None:
                return named.arch
            return f"<runner.{path[1]}:{','.join(labels)}>"
        if head == "env" and len(path) == 2:
            return self._env(path[1])
        if head == "inputs" and len(path) == 2:
            if self.depth > MAX_DEPTH:
                return None
            if self.via:
                return self._action_input(path[1])
            return self.instance.inputs(path[1])
        return None

    def _runner_labels(self) -> list[str] | None:
        """The leg's ``runs-on`` labels, evaluated (None: one cannot be)."""
        outer = StepContext(self.project, self.instance, self.job, self.leg, depth=self.depth + 1)
        labels = [eval_text(text, outer._no_runner) for text in runs_on_texts(self.job)]
        if not labels or any(label is None for label in labels):
            return None
        return [label for label in labels if label is not None]

    def _no_runner(self, path: tuple[str, ...]) -> Value:
        return UNKNOWN if path[0] == "runner" else self.lookup(path)

    def _env(self, name: str) -> str | None:
        if self.depth > MAX_DEPTH:
            return None
        maps: list[YMap | None] = []
        if self.step is not None:
            maps.append(self.step.env)
        maps.extend(s.env for s in reversed(self.via))
        maps.append(self.job.env)
        maps.append(self.instance.workflow.env)
        for env in maps:
            value = ci_get(env, name) if env is not None else None
            if isinstance(value, YScalar):
                inner = StepContext(
                    self.project,
                    self.instance,
                    self.job,
                    self.leg,
                    self.via,
                    self.step,
                    self.depth + 1,
                )
                return eval_text(value.value, inner.lookup)
            if value is not None:
                return None
        return None

    def _action_input(self, name: str) -> str | None:
        caller = self.via[-1]
        outer = StepContext(
            self.project,
            self.instance,
            self.job,
            self.leg,
            self.via[:-1],
            caller,
            self.depth + 1,
        )
        given = ci_get(caller.with_, name)
        if isinstance(given, YScalar):
            return eval_text(given.value, outer.lookup)
        action = self.step.job.workflow if self.step is not None else None
        declared = ci_get(action.root.get_map("inputs"), name) if action is not None else None
        default = declared.get("default") if isinstance(declared, YMap) else None
        if isinstance(default, YScalar):
            return "" if default.is_null else eval_text(default.value, outer.lookup)
        return ""
