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

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.gha_context import MAX_DEPTH, InputsFn, Instance, StepContext, eval_text
from shiplint.gha_expr import Scenario
from shiplint.gha_matrix import ci_get, job_legs
from shiplint.model.build import action_version
from shiplint.model.shellblocks import SHA_RE
from shiplint.model.workflows import local_uses_path
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq, trailing_comment

if TYPE_CHECKING:
    from packaging.version import Version

    from shiplint.gha_expr import Facts
    from shiplint.gha_matrix import Leg
    from shiplint.model import Job, Step, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile

UPLOAD = "upload"
DOWNLOAD = "download"
MERGE = "merge"

#: a tag naming a major release: ``v4``, ``v4.1.0``, ``v3-node20``
TAG_MAJOR = re.compile(r"^v?(\d+)(?:[.\-+_].*)?$")


@dataclass
class ArtifactStep:
    """An artifact step and the release of the action it runs."""

    step: Step
    kind: str  # upload, download or merge
    action: str  # as GitHub resolves it: actions/upload-artifact ...
    ref: str | None
    version: Version | None
    major: int | None
    sha: bool

    @property
    def retired(self) -> bool:
        """Whether the major is one GitHub retired (the job fails at set-up)."""
        return self.major is not None and self.major in facts_mod.artifacts().retired

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


def _release(step: Step, kind: str) -> tuple[Version | None, int | None, bool]:
    """The release a ref runs (version, major, pinned by SHA)."""
    f = facts_mod.artifacts()
    ref = step.ref
    if not ref or step.uses is None:
        return None, None, False
    if SHA_RE.match(ref):
        src = _source(step)
        comment = trailing_comment(src, step.uses) if src is not None else None
        version = action_version(ref, comment, f.shas)
        return version, (version.major if version is not None else None), True
    match = TAG_MAJOR.match(ref)
    if match:
        return facts_mod.parse_version(ref), int(match.group(1)), False
    if ref in ("main", "master"):
        latest = f.latest_download if kind == DOWNLOAD else f.latest_upload
        return latest, latest.major, False
    return None, None, False


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
                version, major, sha = _release(step, kind)
                out[id(step)] = ArtifactStep(step, kind, action, step.ref, version, major, sha)
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
            target = _local_target(job.uses.text) if job.uses is not None else None
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
            callee = workflows.get(target or "")
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
) -> InputsFn:
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


class RunScenarios:
    """Whether occurrences can run, per matrix leg, under one set of event facts (a
    ``Scenario`` per workflow instance, job and leg)."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.cache: dict[tuple[int, int, int], Scenario] = {}

    def get(self, workflow: Workflow, job: Job, leg: Leg) -> Scenario:
        """The scenario of ``job`` of ``workflow`` in ``leg``."""
        key = (id(workflow), id(job), leg.index)
        got = self.cache.get(key)
        if got is None:
            got = Scenario(workflow, {**self.facts, **leg.facts()})
            self.cache[key] = got
        return got

    def runs(self, occ: Occurrence, leg: Leg) -> bool:
        """Whether ``occ`` can run in ``leg``: its step's (or composite caller's) ``if:``,
        and the ``if:`` of every job calling its reusable workflow."""
        workflow = occ.instance.workflow
        if not self.get(workflow, occ.job, leg).step_can_run(occ.host_step):
            return False
        caller = occ.instance.caller
        while caller is not None:
            parent, job, parent_leg = caller
            if not self.get(parent.workflow, job, parent_leg).job_can_run(job):
                return False
            caller = parent.caller
        return True


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
        if other is workflow:
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
