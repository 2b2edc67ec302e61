"""Whether jobs and steps of a workflow run under fixed facts (``Scenario``).

Rules ask questions such as "can this job run on a fork pull request?" or "can this step run
on a Windows runner?". The answer comes from evaluating the job's and step's ``if:`` with
the facts that scenario fixes (``github.event_name``, the shape of ``github.ref``,
``runner.os`` ...) and everything else unknown. Evaluation is three-valued: a condition
only *excludes* a scenario when it is false whatever the unknown values are.
``needs.<job>.outputs.<name>`` is followed to the expression that job writes in its
``outputs:`` (common for "release requested" flags computed once).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

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
from shiplint.gha.expr_parse import EXPR, parse
from shiplint.lazyre import LazyPattern
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Workflow


#: What a scenario fixes: context path → value.
Facts = dict[tuple[str, ...], Value]

PR_TRIGGERS = ("pull_request", "pull_request_target")


def fork_pr_facts(event: str) -> Facts:
    """Facts of a run triggered by a pull request from a fork (``event`` is the trigger):
    those of any such run (:func:`pr_facts`), and the head repository is a fork."""
    facts = pr_facts(event)
    facts[("github", "event", "pull_request", "head", "repo", "fork")] = True
    facts[("github", "event", "pull_request", "head", "repo", "full_name")] = Foreign()
    if event != "pull_request":
        # pull_request_target runs on the base branch; maintainers merge, forks only open.
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


#: events whose payload holds ``pull_request`` (``github.event.pull_request``)
_PR_PAYLOAD_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"}
)
#: ``github.event.<key>`` → the only events whose payload has it
_PAYLOAD_KEYS: dict[str, frozenset[str]] = {
    "pull_request": _PR_PAYLOAD_EVENTS,
    "release": frozenset({"release"}),
    "workflow_run": frozenset({"workflow_run"}),
    "inputs": frozenset({"workflow_dispatch"}),
    "head_commit": frozenset({"push"}),
}
_MISSING = object()


def _and(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued ``and``."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _or(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued ``or``."""
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


class Scenario:
    """Answers "does this job/step run?" in one workflow under fixed facts.

    Besides the facts it is given, a scenario knows what follows from them and from the
    workflow (GitHub's documentation of contexts and of the events that trigger workflows):

    * on ``push`` and ``workflow_dispatch``, ``github.event.ref`` is ``github.ref``;
    * ``github.event.inputs`` exists only for ``workflow_dispatch``, ``github.event.pull_request``
      only for pull request events, ``github.event.release`` for ``release``,
      ``github.event.workflow_run`` for ``workflow_run``, ``github.event.head_commit`` for
      ``push``; ``github.head_ref``/``github.base_ref`` are empty outside ``pull_request`` and
      ``pull_request_target``;
    * ``inputs.*`` is empty when a workflow that cannot be called (no ``workflow_call``) runs
      for another event than ``workflow_dispatch``;
    * a workflow with a single trigger (and no ``workflow_call``) runs for that event;
    * ``runner.os``/``runner.arch`` follow from the job's ``runs-on`` (per matrix leg when the
      facts fix the matrix value that fills it);
    * ``github.repository``/``github.repository_owner`` are the repository's own (``OwnRepo``).

    Step outputs, job results, ``vars`` and ``secrets`` stay unknown. ``needs.<job>.outputs``
    are followed to the expression the job writes.

    Reach is three-valued (``job_runs``/``step_runs``): True when every condition on the way
    certainly holds, False when one certainly fails, None when it depends on something
    unknown. A *gate step* — a ``run:`` that only echoes and exits non-zero — stops its job
    when its ``if:`` holds, so later steps and the jobs that need it run only when it does not.
    """

    def __init__(self, workflow: Workflow, facts: Facts) -> None:
        self.workflow = workflow
        self.facts = facts
        self._job_memo: dict[str, bool | None] = {}
        self._done_memo: dict[str, bool | None] = {}
        self._resolving: set[tuple[str, str]] = set()
        self._lookups: dict[int, Lookup] = {}
        self._fact_heads = {"github", "inputs"} | {path[0] for path in facts}
        #: whether an answer so far read a ``github.*`` or ``inputs.*`` value (or another
        #: context the facts fix): while it stays False, every answer is the same under any
        #: other facts about ``github.*`` and ``inputs.*`` (e.g. another trigger's)
        self.read_facts = False

    def lookup_for(self, job: Job | None) -> Lookup:
        got = self._lookups.get(id(job))
        if got is None:
            got = self._lookups[id(job)] = self._make_lookup(job)
        return got

    def _make_lookup(self, job: Job | None) -> Lookup:
        env: dict[str, str] | None = None  # read on the first ``env.*`` (few lookups ask)

        def lookup(path: tuple[str, ...]) -> Value:
            if path[0] in self._fact_heads:
                self.read_facts = True
            for size in range(len(path), 0, -1):
                if path[:size] in self.facts:
                    value = self.facts[path[:size]]
                    if size == len(path):
                        return value
                    return None if value is None else UNKNOWN
            derived = self._derived(path, job, lookup)
            if derived is not _MISSING:
                return derived  # type: ignore[return-value]
            if len(path) == 2 and path[0] == "env":
                nonlocal env
                if env is None:
                    env = workflow_env(self.workflow, job)
                if path[1] in env:
                    return env[path[1]]
            if len(path) == 4 and path[0] == "needs" and path[2] == "outputs":
                return self._job_output(path[1], path[3])
            return UNKNOWN

        return lookup

    def _event(self) -> str | None:
        """``github.event_name`` when the facts or the workflow's triggers fix it."""
        event = self.facts.get(("github", "event_name"))
        if isinstance(event, str) and event:
            return event
        if event is None and ("github", "event_name") not in self.facts and self._direct():
            triggers = list(self.workflow.triggers)
            if len(triggers) == 1:
                return triggers[0]
        return None

    def _direct(self) -> bool:
        """Whether the workflow runs only for its own events (a workflow file that cannot
        be called, not a composite action)."""
        return self.workflow.source.kind == "workflow" and not self.workflow.is_reusable

    def _derived(self, path: tuple[str, ...], job: Job | None, lookup: Lookup) -> object:
        """What follows from the facts and the workflow (``_MISSING`` when nothing does)."""
        head = path[0]
        if head == "github" and len(path) == 2 and path[1] in ("repository", "repository_owner"):
            return OwnRepo(owner=path[1] == "repository_owner")
        if path[:4] == ("github", "event", "repository", "fork") and len(path) == 4:
            return False
        if head == "runner" and len(path) == 2 and path[1] in ("os", "arch") and job is not None:
            return self._runner(job, path[1])
        event = self._event()
        if event is None:
            return _MISSING
        if head == "github" and len(path) == 2 and path[1] == "event_name":
            return event
        if path == ("github", "event", "ref") and event in ("push", "workflow_dispatch"):
            return lookup(("github", "ref"))
        if head == "github" and len(path) >= 3 and path[1] == "event":
            only = _PAYLOAD_KEYS.get(path[2])
            if only is not None and event not in only:
                return None
        if head == "github" and path[1:] in (("head_ref",), ("base_ref",)):
            return _MISSING if event in PR_TRIGGERS else ""
        if head == "inputs" and event != "workflow_dispatch" and self._direct():
            return None
        return _MISSING

    def _runner(self, job: Job, key: str) -> Value:
        """``runner.os``/``runner.arch`` when every runner the job can get (on the legs the
        facts leave open) agrees."""
        from shiplint.gha.runners import runners  # gha.runners builds on this module

        lookup = self.lookup_for(job)  # a leg's scenario knows its matrix values
        found: set[str] = set()
        for runner in runners(job):
            if runner.matrix_value is not None and any(
                (fixed := as_text(lookup(("matrix", *k.split("."))))) is not None
                and fixed != runner.matrix_value
                for k in runner.matrix_keys
            ):
                continue
            value = runner.os if key == "os" else runner.arch
            if value is None:
                return UNKNOWN
            found.add(value)
        return found.pop() if len(found) == 1 else UNKNOWN

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
        whole = EXPR.fullmatch(text)
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

    def expression(self, text: str | None, job: Job | None) -> bool | None:
        """Truthiness of an expression given as text (True when there is none): the extra
        condition of an upload (``Upload.condition``)."""
        if not text:
            return True
        return Evaluator(self.lookup_for(job)).truth(text)

    # --- reach ---------------------------------------------------------------------------------

    def job_runs(self, job: Job) -> bool | None:
        """Whether ``job`` runs: its ``if:``, and for a job that does not override the status
        check (``always()``...), whether every job it needs runs and gets through its gate
        steps."""
        try:
            return self._job(job.id, set())
        except RecursionError:  # a `needs:` chain thousands of jobs long
            return None

    def job_can_run(self, job: Job) -> bool:
        """False only when the job is certainly skipped (its ``if:`` or a needed job's)."""
        return self.job_runs(job) is not False

    def _job(self, job_id: str, visiting: set[str]) -> bool | None:
        if job_id in self._job_memo:
            return self._job_memo[job_id]
        job = _job_by_id(self.workflow, job_id)
        if job is None or job_id in visiting:
            return None
        visiting = visiting | {job_id}
        result = self.condition(job.condition, job)
        if result is not False and not overrides_status(job.condition):
            for need in job_needs(job):
                needed = _job_by_id(self.workflow, need)
                ran = self._job(need, visiting)
                if ran is not False and needed is not None:
                    ran = _and(ran, self._gets_through(needed))
                result = _and(result, ran)
                if result is False:
                    break
        self._job_memo[job_id] = result
        return result

    def _gets_through(self, job: Job) -> bool | None:
        """Whether ``job``, once it runs, passes its gate steps (False: one certainly stops
        it)."""
        if job.id in self._done_memo:
            return self._done_memo[job.id]
        result: bool | None = True
        for step in job.steps:
            result = _and(result, self._passes_gate(step))
            if result is False:
                break
        if result is False and self.job_tolerated(job) is not False:
            result = None
        self._done_memo[job.id] = result
        return result

    def _passes_gate(self, step: Step) -> bool | None:
        if not is_gate(step) or self._tolerated_here(step) is True:
            return True
        cond = step.condition
        if cond is not None and overrides_status(cond):
            return True  # runs after a failure (failure(), always()): not on the normal path
        stops = self.condition(cond, step.job)
        return None if stops is None else not stops

    def step_runs(self, step: Step) -> bool | None:
        """Whether ``step`` runs: its job runs, no gate step before it stops the job, and
        its own ``if:`` holds."""
        result = self.job_runs(step.job)
        if result is False:
            return False
        result = _and(result, self.condition(step.condition, step.job))
        if result is False or overrides_status(step.condition):
            return result
        for earlier in step.job.steps:
            if earlier is step:
                break
            result = _and(result, self._passes_gate(earlier))
            if result is False:
                break
        return result

    def step_can_run(self, step: Step) -> bool:
        """False only when the step's job or its own ``if:`` certainly excludes the scenario."""
        return self.step_runs(step) is not False

    # --- continue-on-error ---------------------------------------------------------------------

    def job_tolerated(self, job: Job) -> bool | None:
        """Whether a failure of ``job`` leaves the workflow run green (its
        ``continue-on-error``, evaluated with the facts: per leg for ``${{ matrix.x }}``)."""
        node = job.node.get("continue-on-error") if job.node is not None else None
        return self._flag(node, job)

    def _tolerated_here(self, step: Step) -> bool | None:
        node = step.node.get("continue-on-error")
        return self._flag(node, step.job)

    def tolerated(self, step: Step) -> bool | None:
        """Whether a failure of ``step`` leaves the workflow run green: the step's or its
        job's ``continue-on-error`` (None when an expression decides it and is unknown)."""
        return _or(self._tolerated_here(step), self.job_tolerated(step.job))

    def _flag(self, node: object, job: Job) -> bool | None:
        if node is None:
            return False
        if not isinstance(node, YScalar):
            return None
        if node.is_null:
            return False
        if node.tag == "bool":
            return node.value.lower() == "true"
        return Evaluator(self.lookup_for(job)).truth(node.value)


_GATE_EXIT = LazyPattern(r"(?:exit\s+[1-9][0-9]*|false)\s*;?")
_GATE_SAY = LazyPattern(r"(?:echo|printf|Write-(?:Error|Host|Output))\b[^;&|`]*")


def is_gate(step: Step) -> bool:
    """A step whose ``run:`` only prints and then exits non-zero (``echo ...; exit 1``): it
    fails its job whenever it runs."""
    return step.run is not None and _gate_script(step.run.value)


@functools.lru_cache(maxsize=4096)
def _gate_script(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines or not _GATE_EXIT.fullmatch(lines[-1]):
        return False
    return all(_GATE_SAY.fullmatch(line) and "$(" not in line for line in lines[:-1])


#: a status check function call: ``always()``, ``failure()``, ``cancelled()``
_STATUS_CALL = LazyPattern(r"\b(?:always|failure|cancelled)\s*\(", re.IGNORECASE)


def overrides_status(condition: YScalar | None) -> bool:
    """Whether an ``if:`` replaces the implicit ``success()``: the job or step then runs
    after a needed job was skipped or an earlier step failed."""
    return (
        condition is not None
        and condition.tag == "str"
        and _STATUS_CALL.search(condition.value) is not None
    )


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
