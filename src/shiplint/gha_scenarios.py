"""Event and ref facts a workflow runs under, as ``gha_expr.Facts`` for ``Scenario``.

* ``trigger_scenarios(workflow)``: one set of facts per way the workflow can start (each
  trigger; ``push`` twice, for a tag and for a branch), for "can these steps run together?";
* ``event_facts(event)`` and ``tag_push_facts()``: one event, with ``github.ref`` shaped so
  that a tag ref is never taken for a branch or pull-request ref;
* ``reaches(workflow, job, step, facts)``: whether a job (and step) can run under such facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.gha_expr import Facts, Scenario, Shaped

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Workflow

#: ``github.ref`` of a tag run: ``refs/tags/…``, never a branch or pull-request ref
TAG_REF = Shaped("refs/tags/", "", ("refs/heads", "refs/pull"))


def trigger_scenarios(workflow: Workflow, *, push_event_ref: bool = False) -> list[Facts]:
    """The event/ref combinations ``workflow`` can run under, one ``Facts`` each.

    ``push`` gives a tag and a branch scenario, ``release`` a tag one; ``workflow_call``
    leaves the event unknown (it is the caller's). With ``push_event_ref``, a push scenario
    also knows ``github.event.ref`` (the same as ``github.ref`` on push).
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
    if push_event_ref:
        out = [_with_push_event_ref(facts) for facts in out]
    return out


def _with_push_event_ref(facts: Facts) -> Facts:
    ref = facts.get(("github", "ref"))
    if facts.get(("github", "event_name")) == "push" and ref is not None:
        return {**facts, ("github", "event", "ref"): ref}
    return facts


def event_facts(event: str) -> Facts:
    """What is known of a run started by ``event`` alone (its ref type, and a tag ref for
    ``release``)."""
    facts: Facts = {("github", "event_name"): event}
    if event in ("schedule", "workflow_dispatch", "pull_request", "merge_group"):
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


def reaches(workflow: Workflow, job: Job | None, step: Step | None, facts: Facts) -> bool:
    """Whether ``job`` of ``workflow`` (and ``step``, when it is one of the job's) can run
    under ``facts``: False only when an ``if:`` certainly excludes them."""
    scenario = Scenario(workflow, facts)
    if job is not None and not scenario.job_can_run(job):
        return False
    return step is None or step.job is not job or scenario.step_can_run(step)
