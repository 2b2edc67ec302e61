"""Event and ref facts a workflow runs under, as ``gha.conditions.Facts`` for ``Scenario``.

* ``trigger_scenarios(workflow)``: one set of facts per way the workflow can start (each
  trigger; ``push`` twice, for a tag and for a branch), for "can these steps run together?";
* ``event_facts(event)`` and ``tag_push_facts()``: one event, with ``github.ref`` shaped so
  that a tag ref is never taken for a branch or pull-request ref;
* ``reaches(workflow, job, step, facts)``: whether a job (and step) can run under such facts;
* ``reach(project, workflow, job, step, facts)``: the same, three-valued and per matrix leg,
  with whether ``continue-on-error`` tolerates a failure there (a ``Reach``), and
  ``Reach.severity`` turning that into the severity of a finding about the step;
  ``trigger_reach`` combines it over every trigger of the workflow;
* ``push_refs(node, kind)`` and ``branch_run_facts(event, ref)``: the refs a ``push`` trigger
  fires for, and the facts of a run whose ref is a branch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from shiplint.findings import Severity
from shiplint.gha.conditions import Facts, Scenario
from shiplint.gha.expr_eval import Shaped, Value
from shiplint.gha.instance import LegScenario
from shiplint.gha.matrix import Leg, job_legs, uses_leg_values
from shiplint.lazyre import LazyPattern
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Workflow
    from shiplint.project import Project

#: ``github.ref`` of a tag run: ``refs/tags/…``, never a branch or pull-request ref
TAG_REF = Shaped("refs/tags/", "", ("refs/heads", "refs/pull"))


def trigger_scenarios(workflow: Workflow) -> list[Facts]:
    """The event/ref combinations ``workflow`` can run under, one ``Facts`` each.

    ``push`` gives a tag and a branch scenario, ``release`` a tag one; ``workflow_call``
    leaves the event unknown (it is the caller's). ``Scenario`` derives the rest, e.g.
    ``github.event.ref`` (the same as ``github.ref`` on push).
    """
    out: list[Facts] = []
    tag: Facts = {("github", "ref"): Shaped("refs/tags/"), ("github", "ref_type"): "tag"}
    branch: Facts = {("github", "ref"): Shaped("refs/heads/"), ("github", "ref_type"): "branch"}
    events = list(workflow.triggers) or [""]
    for event in events:
        base: Facts = {}
        if event and event != "workflow_call":
            base[("github", "event_name")] = event
        if event == "push":
            out.append({**base, **tag})
            out.append({**base, **branch})
        elif event == "release":
            out.append({**base, **tag})
        else:
            out.append(base)
    return out


def event_facts(event: str) -> Facts:
    """What is known of a run started by ``event`` alone (its ref type, and a tag ref for
    ``release``). A ``workflow_dispatch`` runs on the branch *or tag* picked in the form."""
    facts: Facts = {("github", "event_name"): event}
    if event in ("schedule", "pull_request", "merge_group"):
        facts[("github", "ref_type")] = "branch"
    if event == "release":
        facts[("github", "ref_type")] = "tag"
        facts[("github", "ref")] = TAG_REF
    return facts


def tag_push_facts() -> Facts:
    """A run started by pushing a tag."""
    return {
        ("github", "event_name"): "push",
        ("github", "ref_type"): "tag",
        ("github", "ref"): TAG_REF,
    }


def reaches(
    workflow: Workflow,
    job: Job | None,
    step: Step | None,
    facts: Facts,
    condition: str | None = None,
) -> bool:
    """Whether ``job`` of ``workflow`` (and ``step``, when it is one of the job's) can run
    under ``facts``: False only when an ``if:`` (or ``condition``, an upload's own)
    certainly excludes them."""
    scenario = Scenario(workflow, facts)
    if job is not None and not scenario.job_can_run(job):
        return False
    if condition and scenario.expression(condition, job) is False:
        return False
    return step is None or step.job is not job or scenario.step_can_run(step)


# --- three-valued reach, per matrix leg ---------------------------------------------------------


def at_most(severity: Severity | None, cap: Severity | None) -> Severity | None:
    """``severity`` lowered to ``cap`` (None, no finding, when either is None)."""
    if severity is None or cap is None:
        return None
    return cap if cap.rank < severity.rank else severity


class Reach(NamedTuple):
    """Whether a step (or job) runs in a scenario, and whether its failure fails the run.

    ``runs``: True when it runs on some matrix leg whatever the unknowns, False when no leg
    runs it, None when that depends on something shiplint cannot know (a step output, a
    variable, a label...). ``tolerated``: True when ``continue-on-error`` keeps the run green
    on every leg that may run it, False when some leg that certainly runs it fails the run,
    None when an unknown expression decides.
    """

    runs: bool | None
    tolerated: bool | None = False

    def severity(
        self, base: Severity, *, uncertain: Severity | None, tolerated: Severity | None
    ) -> Severity | None:
        """The severity a finding about a failure of this step gets (None: no finding).

        A rule gives ``base`` when the step certainly runs and its failure fails the run;
        ``uncertain`` (at most) when that depends on an unknown condition or an unknown
        ``continue-on-error``; ``tolerated`` (at most) when ``continue-on-error`` keeps the
        run green. Each rule decides both from what its failure means.
        """
        if self.runs is False:
            return None
        out: Severity | None = base
        if self.runs is None or self.tolerated is None:
            out = at_most(out, uncertain)
        if self.tolerated is True:
            out = at_most(out, tolerated)
        return out

    def doubt(self) -> str:
        """What the severity leaves to check, as sentences to append to a finding's help
        ("" when the step certainly runs and fails the run)."""
        notes = []
        if self.runs is None:
            notes.append(
                "Whether it runs there depends on a condition shiplint cannot evaluate (a step "
                "or job output, a variable, a label): check that the condition keeps such "
                "runs out."
            )
        if self.tolerated is None:
            notes.append(
                "Its `continue-on-error` is an expression shiplint cannot evaluate: where it is "
                "true, the failure does not fail the workflow."
            )
        elif self.tolerated is True:
            notes.append(
                "`continue-on-error` keeps the workflow green when it fails, so the failure "
                "goes unnoticed."
            )
        return (" " + " ".join(notes)) if notes else ""

    def __and__(self, other: Reach) -> Reach:
        """Both (a caller job and the called workflow's step)."""
        runs = (
            False
            if self.runs is False or other.runs is False
            else (True if self.runs and other.runs else None)
        )
        if self.tolerated is True or other.tolerated is True:
            tolerated: bool | None = True
        elif self.tolerated is None or other.tolerated is None:
            tolerated = None
        else:
            tolerated = False
        return Reach(runs, tolerated)


NEVER = Reach(False)
#: runs, and its failure fails the run
CERTAIN = Reach(True)


def reach(
    project: Project,
    workflow: Workflow,
    job: Job,
    step: Step | None,
    facts: Facts,
    only: Callable[[Leg], bool] | None = None,
    condition: str | None = None,
) -> Reach:
    """Whether ``step`` of ``job`` (the job itself when ``step`` is None or belongs to a
    composite action) runs under ``facts``, leg by leg of the job's matrix (``only``: on
    the legs it accepts, e.g. those of one runner), and ``condition`` holds (an upload's
    own condition, ``Upload.condition``)."""
    legs = job_legs(project, job) if uses_leg_values(job) or only else [Leg(0, 1, {})]
    if only is not None:
        legs = [leg for leg in legs if only(leg)]
    own = step is not None and step.job is job
    runs: list[bool | None] = []
    tolerated: list[bool | None] = []
    for leg in legs:
        scenario = (
            LegScenario(workflow, facts, job, leg) if leg.nodes else Scenario(workflow, facts)
        )
        got = scenario.step_runs(step) if own and step is not None else scenario.job_runs(job)
        if got is not False and condition:
            extra = scenario.expression(condition, job)
            got = False if extra is False else (got if extra is True else None)
        if got is False:
            continue
        tol = scenario.tolerated(step) if own and step is not None else scenario.job_tolerated(job)
        if got is True and tol is False:
            return Reach(True, False)
        runs.append(got)
        tolerated.append(tol)
    if not runs:
        return NEVER
    overall: bool | None = True if any(r is True for r in runs) else None
    if all(t is True for t in tolerated):
        return Reach(overall, True)
    return Reach(overall, False if any(t is False for t in tolerated) else None)


def trigger_reach(
    project: Project,
    workflow: Workflow,
    job: Job,
    step: Step | None,
    extra: Facts | None = None,
    only: Callable[[Leg], bool] | None = None,
    *,
    calls: bool = True,
    condition: str | None = None,
) -> Reach:
    """``reach`` under every trigger of ``workflow`` (``trigger_scenarios``, with ``extra``
    facts; without the ``workflow_call`` one unless ``calls``), combined: certain when some
    trigger certainly runs the step and fails the run, ``NEVER`` when none runs it,
    tolerated when every run that may reach it tolerates its failure, uncertain otherwise."""
    found: list[Reach] = []
    for facts in trigger_scenarios(workflow):
        if not calls and ("github", "event_name") not in facts:
            continue  # a call: the caller's event and permissions
        got = reach(project, workflow, job, step, {**facts, **(extra or {})}, only, condition)
        if got.runs is True and got.tolerated is False:
            return got
        if got.runs is not False:
            found.append(got)
    if not found:
        return NEVER
    if all(r.tolerated is True for r in found):
        return Reach(True if any(r.runs for r in found) else None, True)
    return Reach(None, False if all(r.tolerated is False for r in found) else None)


# --- the refs of push runs ---------------------------------------------------------------------

_GLOB = LazyPattern(r"[*?\[\]+]")
#: at most this many refs are told apart; longer filter lists give the generic shape
_MAX_REFS = 8


def _patterns(node: object) -> list[str]:
    if isinstance(node, YScalar) and not node.is_null:
        return [node.value]
    if isinstance(node, YSeq):
        return [i.value for i in node.items if isinstance(i, YScalar) and not i.is_null]
    return []


def push_refs(node: object, kind: str) -> list[Value]:
    """The ``github.ref`` values a ``push`` trigger (its mapping, or None) fires with for
    ``kind`` ``"branch"`` or ``"tag"``: the exact ref for a name written without wildcards
    (``branches: [main]`` → ``refs/heads/main``), a shape with the literal start of a pattern
    (``tags: ['v*']`` → ``refs/tags/v…``), the generic shape otherwise."""
    prefix, never = (
        ("refs/heads/", ("refs/tags", "refs/pull"))
        if kind == "branch"
        else ("refs/tags/", ("refs/heads", "refs/pull"))
    )
    generic: Value = Shaped(prefix, "", never)
    listed = (
        _patterns(node.get("branches" if kind == "branch" else "tags"))
        if isinstance(node, YMap)
        else []
    )
    out: list[Value] = []
    for pattern in listed:
        if pattern.startswith("!"):
            continue  # a negation only removes refs
        glob = _GLOB.search(pattern)
        if glob is None:
            ref: Value = prefix + pattern
        elif glob.start() == 0:
            return [generic]
        else:
            ref = Shaped(prefix + pattern[: glob.start()], "", never)
        if ref not in out:
            out.append(ref)
    if not out or len(out) > _MAX_REFS:
        return [generic]
    return out


#: events whose run has the branch (or tag) a person or the event picks as ``github.ref``
REF_CHOSEN_EVENTS = frozenset({"workflow_dispatch", "create"})


def branch_run_facts(event: str, ref: Value | None = None) -> Facts:
    """A run for ``event`` whose ``github.ref`` is a branch (``ref`` when known; a pull
    request's merge ref for ``pull_request``)."""
    facts: Facts = {
        ("github", "event_name"): event,
        ("github", "ref_type"): "branch",
    }
    if event == "pull_request":
        facts[("github", "ref")] = Shaped("refs/pull/", "/merge", ("tag", "heads"))
        facts[("github", "ref_name")] = Shaped("", "/merge", ("tag",))
    elif isinstance(ref, str):
        facts[("github", "ref")] = ref
        facts[("github", "ref_name")] = ref.removeprefix("refs/heads/")
    else:
        facts[("github", "ref")] = (
            ref if ref is not None else Shaped("refs/heads/", "", ("refs/tags", "refs/pull"))
        )
    return facts
