"""The artifact steps of a repository and the workflow runs they share artifacts in.

* ``artifact_steps``: every actions/upload-artifact, download-artifact and
  upload-artifact/merge step (workflows and composite actions) with the release it runs
  (tag, or SHA with its ``# vX`` comment);
* ``runs``: one ``Run`` per top-level workflow, holding the ``Occurrence`` of each artifact
  step in its artifact namespace, with local reusable workflows
  (``uses: ./.github/workflows/x.yml``, once per leg of the calling job) and local
  composite actions (``uses: ./path``) expanded where they are called.

Both are memoised on the project and shared by the artifact rules (SL701-SL705).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from shiplint import facts as facts_mod
from shiplint.gha import refs as gha_refs
from shiplint.gha.context import MAX_DEPTH, Instance, StepContext
from shiplint.gha.context import InputsFn as NamesFn
from shiplint.gha.expr_eval import UNKNOWN, Evaluator, as_text, eval_text
from shiplint.gha.instance import (
    InputsFn,
    LegScenario,
    after_success_text,
    call_input,
    node_value,
)
from shiplint.gha.matrix import ci_get, job_legs
from shiplint.lazyre import LazyPattern
from shiplint.model.workflows import linked, local_uses_path
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq, trailing_comment

if TYPE_CHECKING:
    from packaging.version import Version

    from shiplint.gha.conditions import Facts
    from shiplint.gha.expr_eval import Lookup, Value
    from shiplint.gha.matrix import Leg
    from shiplint.model import Job, Step, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile

UPLOAD = "upload"
DOWNLOAD = "download"
MERGE = "merge"

#: a tag naming a major release: ``v4``, ``v4.1.0``, ``v3-node20``
TAG_MAJOR = LazyPattern(r"^v?(\d+)(?:[.\-+_].*)?$")


@dataclass
class ArtifactStep:
    """An artifact step and the release of the action it runs."""

    step: Step
    kind: str  # upload, download or merge
    action: str  # as GitHub resolves it: actions/upload-artifact ...
    #: the release its ref runs (gha_refs)
    release: gha_refs.Release

    @property
    def ref(self) -> str | None:
        return self.release.ref

    @property
    def version(self) -> Version | None:
        return self.release.version

    @property
    def major(self) -> int | None:
        return self.release.major

    @property
    def sha(self) -> bool:
        return self.release.sha

    @property
    def retired(self) -> bool:
        """Whether the major is one GitHub retired (the job fails at set-up)."""
        return self.major is not None and self.major in facts_mod.artifacts().retired

    def at_least(self, threshold: Version) -> bool | None:
        """Whether the release is ``threshold`` or newer, i.e. has a feature added there
        (None: cannot tell; a ``@v4`` tag runs the newest v4 release)."""
        return self.release.at_least(threshold)

    @property
    def generation(self) -> str | None:
        """``old`` (v1-v3 backend), ``new`` (v4 and later) or None (cannot tell)."""
        if self.major is None:
            return None
        return "new" if self.major >= facts_mod.artifacts().backend_major else "old"

    @property
    def label(self) -> str:
        return f"{self.action}@{self.ref}" if self.ref else self.action

    @property
    def source(self) -> SourceFile | None:
        """The workflow or action file the step is written in."""
        return _source(self.step)

    @property
    def line(self) -> int:
        """The line of the step's ``uses:`` value (0 when unknown)."""
        src = self.source
        uses = self.step.uses
        return src.pos(uses.start).line if src is not None and uses is not None else 0


def _source(step: Step) -> SourceFile | None:
    workflow = step.job.workflow
    return workflow.source if workflow is not None else None


def _release(step: Step, kind: str) -> gha_refs.Release:
    """The release a ref runs, from gha_refs: a SHA in the facts table is that release, a
    `# v4` comment only its major, a `v4` tag the newest v4 release."""
    if not step.ref or step.uses is None:
        return gha_refs.Release(step.ref, gha_refs.NONE)
    src = _source(step)
    comment = trailing_comment(src, step.uses) if src is not None else None
    return gha_refs.resolve(step.ref, comment, gha_refs.artifact_action(kind == DOWNLOAD))


def artifact_steps(project: Project) -> dict[int, ArtifactStep]:
    """Every artifact step of the workflows and composite actions, by ``id(step)``."""
    cached = project.memo.get("artifacts.steps")
    if isinstance(cached, dict):
        return cached
    f = facts_mod.artifacts()
    kinds = {f.upload: UPLOAD, f.download: DOWNLOAD, f.merge: MERGE}
    out: dict[int, ArtifactStep] = {}
    model = project.model
    for workflow in [*model.workflows, *model.actions]:
        for job in workflow.jobs.values():
            for step in job.steps:
                action = (step.action or "").lower()
                kind = kinds.get(action)
                if kind is None:
                    continue
                out[id(step)] = ArtifactStep(step, kind, action, _release(step, kind))
    project.memo["artifacts.steps"] = out
    return out


# --- runs: the steps that share one workflow run's artifacts ---------------------------------


@dataclass(eq=False)
class Occurrence:
    """An artifact step as it runs in one workflow instance of a run."""

    art: ArtifactStep
    instance: Instance
    job: Job  # the workflow job it runs in
    order: tuple[int, ...]
    via: tuple[Step, ...] = ()  # composite-action steps leading to it, outermost first

    @functools.cached_property
    def reads_leg(self) -> bool:
        """Whether the settings its outlook reads may differ between matrix legs."""
        return _reads_leg(self)

    @property
    def host_step(self) -> Step:
        """The step of the workflow job that runs it (the composite action's caller)."""
        return self.via[0] if self.via else self.art.step


@dataclass(eq=False)
class Run:
    """The artifact steps that share the artifacts of one run of a top-level workflow."""

    root: Workflow
    occurrences: list[Occurrence] = field(default_factory=list)


def _local_target(text: str) -> str | None:
    """The repository path a local ``uses: ./…`` (or ``$/…``) names (None when not local)."""
    value = local_uses_path(text)
    if value is None:
        return None
    parts = [p for p in value.split("/") if p not in ("", ".")]
    return "/".join(parts) if parts and ".." not in parts else None


def runs(project: Project) -> list[Run]:
    """One ``Run`` per workflow that starts runs of its own (not a reusable workflow only
    called by other workflows of the repository), memoised on the project."""
    cached = project.memo.get("artifacts.runs")
    if isinstance(cached, list):
        return cached
    model = project.model
    steps = artifact_steps(project)
    workflows = {wf.source.rel: wf for wf in model.workflows}
    actions = {wf.source.rel: wf for wf in model.actions}
    called: set[str] = set()
    for wf in model.workflows:
        for job in wf.jobs.values():
            if job.uses is None or wf.source.example:
                continue  # an example's ./.github/workflows/x.yml is its user's
            target = _local_target(job.uses.text)
            if target in workflows and target != wf.source.rel:
                called.add(target)
    out: list[Run] = []
    for wf in model.workflows:
        if wf.source.rel in called and set(wf.triggers) <= {"workflow_call"}:
            continue  # only ever runs inside its callers' runs
        run = Run(wf)
        root = Instance(wf, wf.source.rel, lambda name: f"<inputs.{name}>")
        _expand(project, run, root, workflows, actions, steps, (wf.source.rel,))
        out.append(run)
    project.memo["artifacts.runs"] = out
    return out


def _expand(
    project: Project,
    run: Run,
    instance: Instance,
    workflows: dict[str, Workflow],
    actions: dict[str, Workflow],
    steps: dict[int, ArtifactStep],
    chain: tuple[str, ...],
) -> None:
    for job in instance.workflow.jobs.values():
        if job.uses is not None:
            target = _local_target(job.uses.text)
            callee = None if instance.workflow.source.example else workflows.get(target or "")
            if callee is None or target in chain or len(chain) > MAX_DEPTH:
                continue
            for leg in job_legs(project, job):
                child = Instance(
                    callee,
                    f"{instance.key}/{job.id}#{leg.index}",
                    _call_inputs(project, instance, job, leg, callee),
                    (instance, job, leg),
                )
                _expand(project, run, child, workflows, actions, steps, (*chain, callee.source.rel))
            continue
        for step in job.steps:
            _step_occurrences(run, instance, job, step, (), (step.index,), actions, steps, 0)


def _step_occurrences(
    run: Run,
    instance: Instance,
    job: Job,
    step: Step,
    via: tuple[Step, ...],
    order: tuple[int, ...],
    actions: dict[str, Workflow],
    steps: dict[int, ArtifactStep],
    depth: int,
) -> None:
    art = steps.get(id(step))
    if art is not None:
        run.occurrences.append(Occurrence(art, instance, job, order, via))
        return
    target = _local_target(step.uses.value) if step.uses is not None else None
    if target is None or depth >= MAX_DEPTH:
        return
    action = actions.get(f"{target}/action.yml") or actions.get(f"{target}/action.yaml")
    if action is None:
        return
    for inner_job in action.jobs.values():
        for inner in inner_job.steps:
            _step_occurrences(
                run,
                instance,
                job,
                inner,
                (*via, step),
                (*order, inner.index),
                actions,
                steps,
                depth + 1,
            )


def _call_inputs(
    project: Project, parent: Instance, job: Job, leg: Leg, callee: Workflow
) -> NamesFn:
    """``inputs.*`` of ``callee`` called by ``job`` in ``leg``: ``with:``, else defaults."""

    def inputs(name: str) -> str | None:
        given = ci_get(job.with_, name)
        if isinstance(given, YScalar):
            return eval_text(given.value, StepContext(project, parent, job, leg).lookup)
        call = callee.triggers.get("workflow_call")
        declared = ci_get(call.get_map("inputs"), name) if isinstance(call, YMap) else None
        default = declared.get("default") if isinstance(declared, YMap) else None
        if isinstance(default, YScalar):
            return "" if default.is_null else default.value
        return ""

    return inputs


# --- which occurrences run --------------------------------------------------------------------


class Outlook(NamedTuple):
    """How an occurrence runs in one matrix leg under one set of event facts.

    ``can``: no ``if:`` on its way (its step, composite-action steps, its job and the jobs
    it needs, the jobs calling its reusable workflow) certainly excludes it; ``sure``: every
    one of them certainly holds; ``after_failure``: it only runs once something before it
    failed (``if: failure()``); ``keeps_going``: a failing step does not fail its job
    (``continue-on-error``; None: set by an expression shiplint cannot evaluate).
    """

    can: bool
    sure: bool = False
    after_failure: bool = False
    keeps_going: bool | None = False


class RunScenarios:
    """Whether occurrences run, per matrix leg, under one set of event facts (a
    ``LegScenario`` per workflow instance, job and leg, with the inputs each call of a
    reusable workflow passes)."""

    def __init__(self, project: Project, facts: Facts) -> None:
        self.project = project
        self.facts = facts
        self.cache: dict[tuple[int, int, int], LegScenario] = {}
        self.inputs_memo: dict[tuple[int, str], Value] = {}
        self.outlooks: dict[tuple[int, int], Outlook] = {}

    def read_facts(self) -> bool:
        """Whether an answer so far depended on the facts (``Scenario.read_facts``): while
        not, every outlook is the same under another trigger's facts."""
        return any(scenario.read_facts for scenario in self.cache.values())

    def get(self, instance: Instance, job: Job, leg: Leg) -> LegScenario:
        """The scenario of ``job`` of ``instance`` in ``leg``."""
        key = (id(instance), id(job), leg.index)
        got = self.cache.get(key)
        if got is None:
            got = LegScenario(instance.workflow, self.facts, job, leg, self._inputs(instance))
            self.cache[key] = got
        return got

    def _inputs(self, instance: Instance) -> InputsFn | None:
        """``inputs.*`` of a called instance: its caller's ``with:`` (None for a root)."""
        caller = instance.caller
        if caller is None:
            return None
        parent, job, leg = caller

        def inputs(name: str) -> Value:
            key = (id(instance), name.lower())
            if key in self.inputs_memo:
                return self.inputs_memo[key]
            self.inputs_memo[key] = UNKNOWN  # an input defined through itself
            scenario = self.get(parent, job, leg)
            given = ci_get(job.with_, name)
            value = call_input(instance.workflow, name, given, scenario.lookup_for(job))
            self.inputs_memo[key] = value
            return value

        return inputs

    def runs(self, occ: Occurrence, leg: Leg) -> bool:
        """Whether ``occ`` can run in ``leg``."""
        return self.outlook(occ, leg).can

    def outlook(self, occ: Occurrence, leg: Leg) -> Outlook:
        """How ``occ`` runs in ``leg``: its step's ``if:`` (and those of the composite-action
        steps leading to it), its job's, and those of every job calling its reusable
        workflow. The same in every leg when none of the settings it reads (the step's and
        the job's ``if:`` and ``continue-on-error``) reads a leg value."""
        key = (id(occ), leg.index if occ.reads_leg else -1)
        got = self.outlooks.get(key)
        if got is None:
            got = self.outlooks[key] = self._outlook(occ, leg)
        return got

    def _outlook(self, occ: Occurrence, leg: Leg) -> Outlook:
        scenario = self.get(occ.instance, occ.job, leg)
        truths: list[bool | None] = [scenario.job_truth(occ.job)]
        host = occ.host_step
        truths.append(scenario.condition(host.condition, occ.job))
        after = [scenario.after_success(host.condition, occ.job)]
        if occ.job.condition is not None:
            after.append(scenario.after_success(occ.job.condition, occ.job))
        if occ.via:
            inner = _ActionInputs(scenario.lookup_for(occ.job), (*occ.via, occ.art.step))
            truths.extend(inner.truths(after_success=False))
            after.extend(inner.truths(after_success=True))
        caller = occ.instance.caller
        while caller is not None:
            parent, job, parent_leg = caller
            truths.append(self.get(parent, job, parent_leg).job_truth(job))
            caller = parent.caller
        can = all(t is not False for t in truths)
        keeps_going = scenario.tolerated(occ.host_step)
        return Outlook(
            can=can,
            sure=can and all(t is True for t in truths),
            after_failure=can and any(a is False for a in after),
            keeps_going=keeps_going,
        )


_LEG_VALUE = LazyPattern(r"\b(?:matrix|runner|strategy)\.")


def _reads_leg(occ: Occurrence) -> bool:
    """Whether the settings an outlook reads may differ between legs."""
    if occ.via:
        return True
    nodes = (
        occ.host_step.condition,
        occ.host_step.node.get("continue-on-error"),
        occ.job.condition,
        occ.job.node.get("continue-on-error") if occ.job.node is not None else None,
    )
    return any(isinstance(n, YScalar) and _LEG_VALUE.search(n.value) for n in nodes)


class _ActionInputs:
    """``if:`` of the steps inside local composite actions, with the ``inputs`` each
    calling step passes (strings, as composite actions get them).

    ``chain`` is the workflow step calling the outermost action, the steps calling the
    actions inside it, then the step asked about: ``chain[k]`` (k >= 1) runs inside the
    action ``chain[k - 1]`` calls."""

    def __init__(self, outer: Lookup, chain: tuple[Step, ...]) -> None:
        self.outer = outer
        self.chain = chain

    def _lookup(self, depth: int) -> Lookup:
        """The lookup of ``chain[depth]``."""
        if depth == 0:
            return self.outer
        caller = self.chain[depth - 1]
        outer = self._lookup(depth - 1)
        action = self.chain[depth].job.workflow

        def lookup(path: tuple[str, ...]) -> Value:
            if path[0] == "matrix":
                return UNKNOWN
            if path[0] != "inputs":
                return outer(path)
            if len(path) != 2:
                return UNKNOWN
            given = ci_get(caller.with_, path[1])
            if given is None and action is not None:
                declared = ci_get(action.root.get_map("inputs"), path[1])
                given = declared.get("default") if isinstance(declared, YMap) else None
            text = as_text(node_value(given, outer))
            return UNKNOWN if text is None else text

        return lookup

    def truths(self, *, after_success: bool) -> list[bool | None]:
        """The truth of the ``if:`` of every step inside the actions."""
        out: list[bool | None] = []
        for depth in range(1, len(self.chain)):
            condition = self.chain[depth].condition
            if condition is None or condition.is_null:
                continue
            if condition.tag == "bool":
                out.append(condition.value.lower() == "true")
                continue
            text = after_success_text(condition.value) if after_success else condition.value
            out.append(Evaluator(self._lookup(depth)).truth(text))
        return out


def _workflow_run_sources(project: Project, workflow: Workflow) -> list[Workflow]:
    """The workflows whose completion triggers ``workflow`` (``on: workflow_run``)."""
    node = workflow.triggers.get("workflow_run")
    names: list[str] = []
    listed = node.get("workflows") if isinstance(node, YMap) else None
    if isinstance(listed, YScalar) and not listed.is_null:
        names.append(listed.value)
    elif isinstance(listed, YSeq):
        names.extend(i.value for i in listed.items if isinstance(i, YScalar))
    out = []
    for other in project.model.workflows:
        if other is workflow or not linked(other, workflow):
            continue
        title = other.root.get_str("name")
        rel = other.source.rel
        candidates = {title, rel, rel.rsplit("/", 1)[-1]} - {None}
        if any(name in candidates for name in names):
            out.append(other)
    return out


def triggering_runs(project: Project, run: Run) -> list[Run]:
    """The runs of the workflows whose completion starts ``run`` (``on: workflow_run``)."""
    sources = _workflow_run_sources(project, run.root)
    return [r for r in runs(project) if r.root in sources and r.root is not run.root]
