"""The runs of a workflow whose ref is not a tag (branch pushes, pull requests, dispatches,
calls from other workflows), and how certainly an upload fails in them."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from shiplint.findings import Severity
from shiplint.gha.scenarios import (
    CERTAIN,
    REF_CHOSEN_EVENTS,
    Reach,
    at_most,
    branch_run_facts,
    push_refs,
    reach,
)
from shiplint.model.workflows import callers
from shiplint.parse.yamlnodes import YMap
from shiplint.rules.secrets.fork_pr import shell_guarded

if TYPE_CHECKING:
    from shiplint.gha.conditions import Facts
    from shiplint.model import Upload, Workflow
    from shiplint.project import Project


#: events whose runs always have a tag as ``github.ref``
_TAG_EVENTS = {"release", "registry_package"}


def _push_kinds(node: object) -> set[str]:
    """``branch``/``tag``: which refs a ``push:`` trigger fires for."""
    if not isinstance(node, YMap):
        return {"branch", "tag"}
    has_branch = any(node.key(k) is not None for k in ("branches", "branches-ignore"))
    has_tag = any(node.key(k) is not None for k in ("tags", "tags-ignore"))
    if not has_branch and not has_tag:
        return {"branch", "tag"}
    kinds = set()
    if has_branch:
        kinds.add("branch")
    if has_tag:
        kinds.add("tag")
    return kinds


class _Run(NamedTuple):
    """A run of a workflow whose ``github.ref`` is not a tag.

    ``chosen``: the ref is the one picked when starting the run (``workflow_dispatch``), so a
    tag is possible and the finding only holds for runs started from a branch; ``via``: how
    the calling jobs reach the workflow (a reusable workflow's callers)."""

    what: str
    facts: Facts
    chosen: bool = False
    via: Reach = CERTAIN


def _direct(facts: Facts) -> Facts:
    """Facts of a run of the workflow itself (not a call): no ``inputs`` outside a dispatch."""
    if facts.get(("github", "event_name")) == "workflow_dispatch":
        return facts
    return {**facts, ("inputs",): None}


def _own_runs(workflow: Workflow, *, push_only: bool) -> list[_Run]:
    """Runs of ``workflow`` for its own triggers whose ``github.ref`` is not a tag."""
    out: list[_Run] = []
    for event, node in workflow.triggers.items():
        if event == "push":
            if "branch" in _push_kinds(node):
                for ref in push_refs(node, "branch"):
                    facts = _direct(branch_run_facts("push", ref))
                    what = (
                        f"a push to `{ref.removeprefix('refs/heads/')}`"
                        if isinstance(ref, str)
                        else "a push to a branch"
                    )
                    out.append(_Run(what, facts))
        elif push_only or event in _TAG_EVENTS or event == "workflow_call":
            continue
        else:
            facts = _direct(branch_run_facts(event))
            out.append(_Run(f"`{event}`", facts, chosen=event in REF_CHOSEN_EVENTS))
    return out


def _runs(project: Project, workflow: Workflow, *, push_only: bool, depth: int = 0) -> list[_Run]:
    """Non-tag runs of ``workflow``, including runs of the workflows that call it."""
    out = _own_runs(workflow, push_only=push_only)
    if "workflow_call" in workflow.triggers and depth < 3:
        for caller in callers(project.model, workflow):
            caller_wf = caller.workflow
            if caller_wf is None:
                continue
            for run in _runs(project, caller_wf, push_only=push_only, depth=depth + 1):
                got = reach(project, caller_wf, caller, None, run.facts) & run.via
                if got.runs is False:
                    continue
                # the called workflow sees the caller's event; its `inputs` are the `with:`
                facts = {k: v for k, v in run.facts.items() if k[0] != "inputs"}
                what = f"{run.what} of {caller_wf.source.rel}"
                out.append(_Run(what, facts, run.chosen, got))
    return out


class Policy(NamedTuple):
    """How certain a rule's failure is when the upload's run is not (see ``Reach.severity``):
    ``uncertain`` for an undecidable condition, ``tolerated`` under ``continue-on-error``,
    ``chosen`` when only a run started from a branch (not a tag) fails."""

    base: Severity
    uncertain: Severity | None
    tolerated: Severity | None
    chosen: Severity | None = Severity.WARNING

    def of(self, run: _Run, got: Reach) -> Severity | None:
        severity = got.severity(self.base, uncertain=self.uncertain, tolerated=self.tolerated)
        if severity is not None and run.chosen:
            severity = at_most(severity, self.chosen)
        return severity


class Found(NamedTuple):
    """The non-tag run in which an upload fails most certainly."""

    run: _Run
    reach: Reach
    severity: Severity

    @property
    def what(self) -> str:
        if self.run.chosen:
            return f"{self.run.what} started from a branch"
        return self.run.what

    def note(self) -> str:
        """What the severity leaves to check (empty when the failure is certain)."""
        note = self.reach.doubt()
        if self.run.chosen:
            note += " A run started from a tag is not affected."
        return note


def upload_reach(
    project: Project, upload: Upload, policy: Policy, *, push_only: bool = False
) -> Found | None:
    """The non-tag run in which ``upload`` fails most certainly, with the severity that
    gives (None: tags only, never, or not GitHub)."""
    job = upload.context.job
    workflow = job.workflow if job is not None else None
    if job is None or workflow is None or workflow.source.kind != "workflow":
        return None
    if upload.context.origin not in ("workflow", "script") or shell_guarded(upload):
        return None
    if upload.dry_run:
        return None
    step = upload.context.step
    found: Found | None = None
    for run in _runs(project, workflow, push_only=push_only):
        got = reach(project, workflow, job, step, run.facts, condition=upload.condition) & run.via
        severity = policy.of(run, got)
        if severity is not None and (found is None or severity.rank > found.severity.rank):
            found = Found(run, got, severity)
    return found


#: any run that may reach the upload counts, however uncertain or tolerated
_ANY_RUN = Policy(Severity.ERROR, Severity.ERROR, Severity.ERROR, Severity.ERROR)


def runs_outside_tags(project: Project, upload: Upload) -> str | None:
    """A run not for a tag (a branch push, a pull request, ``schedule`` …) in which the
    GitHub workflow ``upload`` may run; None when it runs for tags and releases only (or
    is not in a GitHub workflow)."""
    found = upload_reach(project, upload, _ANY_RUN)
    return found.what if found is not None else None
