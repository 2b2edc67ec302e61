"""GitHub workflows and composite actions → Workflow / Job / Step objects, and how workflows
start each other (reusable-workflow callers, ``workflow_run`` sources, the workflows that run
an upload)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.model import Job, Loc, Step, Value, Workflow
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel, Upload
    from shiplint.parse.yamlnodes import YNode
    from shiplint.source import SourceFile

MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_.-]+)\s*\}\}")


def build_workflow(src: SourceFile, root: YNode | None) -> Workflow | None:
    if not isinstance(root, YMap):
        return None
    triggers: dict[str, YNode | None] = {}
    trigger_keys: dict[str, YScalar] = {}
    on_key = root.key("on")
    on = root.get("on")
    if isinstance(on, YScalar) and not on.is_null:
        triggers[on.value] = None
        trigger_keys[on.value] = on
    elif isinstance(on, YSeq):
        for item in on.items:
            if isinstance(item, YScalar):
                triggers[item.value] = None
                trigger_keys[item.value] = item
    elif isinstance(on, YMap):
        for name, key, value in on.items():
            triggers[name] = value
            trigger_keys[name] = key
    workflow = Workflow(
        source=src,
        root=root,
        triggers=triggers,
        trigger_keys=trigger_keys,
        on_key=on_key,
        permissions=root.get("permissions"),
        env=root.get_map("env"),
    )
    jobs = root.get_map("jobs")
    if jobs is not None:
        for job_id, id_node, job_node in jobs.items():
            if isinstance(job_node, YMap):
                workflow.jobs[job_id] = _build_job(src, workflow, job_id, id_node, job_node)
    return workflow


def build_composite_action(src: SourceFile, root: YNode | None) -> Workflow | None:
    """A composite action as a workflow with one pseudo-job holding its steps."""
    if not isinstance(root, YMap):
        return None
    runs = root.get_map("runs")
    workflow = Workflow(src, root, {}, {}, None, None, None)
    job = Job(workflow=workflow, id="(composite action)", id_node=None, node=runs)
    steps = runs.get_seq("steps") if runs is not None else None
    if steps is not None:
        job.steps = _build_steps(job, steps)
    workflow.jobs[job.id] = job
    return workflow


def _build_job(
    src: SourceFile, workflow: Workflow, job_id: str, id_node: YScalar, node: YMap
) -> Job:
    job = Job(workflow=workflow, id=job_id, id_node=id_node, node=node)
    job.condition = node.get_scalar("if")
    job.env = node.get_map("env")
    job.with_ = node.get_map("with")
    job.secrets = node.get("secrets")
    uses = node.get_scalar("uses")
    if uses is not None:
        job.uses = Value(uses.value, Loc(src, uses.start, uses.end))
    runs_on = node.get("runs-on")
    job.runs_on_node = runs_on
    job.runs_on = _runner_labels(src, runs_on, node.get_map("strategy"))
    own_permissions = node.get("permissions")
    job.permissions_node = own_permissions if own_permissions is not None else workflow.permissions
    job.id_token_write = grants_id_token(job.permissions_node)
    environment = node.get("environment")
    if isinstance(environment, YScalar) and not environment.is_null:
        job.environment = Value(environment.value, Loc(src, environment.start, environment.end))
    elif isinstance(environment, YMap):
        name = environment.get_scalar("name")
        if name is not None:
            job.environment = Value(name.value, Loc(src, name.start, name.end))
        url = environment.get_scalar("url")
        if url is not None:
            job.environment_url = Value(url.value, Loc(src, url.start, url.end))
    steps = node.get_seq("steps")
    if steps is not None:
        job.steps = _build_steps(job, steps)
    return job


def _build_steps(job: Job, steps: YSeq) -> list[Step]:
    out = []
    for index, item in enumerate(steps.items):
        if not isinstance(item, YMap):
            continue
        step = Step(job=job, index=index, node=item)
        step.uses = item.get_scalar("uses")
        step.with_ = item.get_map("with")
        step.env = item.get_map("env")
        step.run = item.get_scalar("run")
        step.condition = item.get_scalar("if")
        step.name = item.get_str("name")
        out.append(step)
    return out


def grants_id_token(permissions: YNode | None) -> bool:
    """Whether a ``permissions:`` value gives the job an OIDC token."""
    if isinstance(permissions, YScalar):
        return permissions.value == "write-all"
    if isinstance(permissions, YMap):
        return permissions.get_str("id-token") == "write"
    return False


def _runner_labels(src: SourceFile, runs_on: YNode | None, strategy: YMap | None) -> list[Value]:
    """Runner labels, with ``${{ matrix.x }}`` expanded from the job's matrix."""
    labels: list[Value] = []
    scalars: list[YScalar] = []
    if isinstance(runs_on, YScalar):
        scalars.append(runs_on)
    elif isinstance(runs_on, YSeq):
        scalars.extend(i for i in runs_on.items if isinstance(i, YScalar))
    elif isinstance(runs_on, YMap):  # {group: ..., labels: [...]}
        got = runs_on.get("labels")
        if isinstance(got, YScalar):
            scalars.append(got)
        elif isinstance(got, YSeq):
            scalars.extend(i for i in got.items if isinstance(i, YScalar))
    matrix = strategy.get_map("matrix") if strategy is not None else None
    for scalar in scalars:
        match = MATRIX_REF.search(scalar.value)
        if match and matrix is not None:
            expanded = matrix_values(matrix, match.group(1))
            if expanded:
                for value in expanded:
                    text = scalar.value[: match.start()] + value.value + scalar.value[match.end() :]
                    labels.append(Value(text, Loc(src, value.start, value.end)))
                continue
        labels.append(Value(scalar.value, Loc(src, scalar.start, scalar.end)))
    return labels


def matrix_values(matrix: YMap, dotted: str) -> list[YScalar]:
    """All scalar values ``matrix.<dotted>`` can take (axis values and include entries)."""
    head, _, rest = dotted.partition(".")
    found: list[YScalar] = []

    def collect(node: YNode | None) -> None:
        if node is None:
            return
        if rest and isinstance(node, YMap):
            sub = node
            for part in rest.split("."):
                got = sub.get(part)
                if not isinstance(got, YMap):
                    if isinstance(got, YScalar):
                        found.append(got)
                    elif isinstance(got, YSeq):
                        found.extend(i for i in got.items if isinstance(i, YScalar))
                    return
                sub = got
            return
        if isinstance(node, YScalar):
            found.append(node)
        elif isinstance(node, YSeq):
            for item in node.items:
                if isinstance(item, YScalar):
                    found.append(item)
                elif isinstance(item, YMap) and rest:
                    collect(item)

    axis = matrix.get(head)
    if isinstance(axis, YSeq):
        for item in axis.items:
            collect(item)
    else:
        collect(axis)
    include = matrix.get_seq("include")
    if include is not None:
        for entry in include.items:
            if isinstance(entry, YMap):
                collect(entry.get(head))
    return found


# --- how workflows start each other ----------------------------------------------------------


#: how ``uses:`` names a workflow or action of the repository itself: ``./path`` (from the
#: workspace; for a reusable workflow, the caller's commit) and ``$/path``, the
#: self-repository reference (GitHub changelog 2026-07-30: the running commit, no checkout)
LOCAL_USES_PREFIXES = ("./", "$/")


def local_uses_path(uses: str) -> str | None:
    """The repository path of a ``uses: ./x`` or ``uses: $/x`` (None for another
    repository's action or workflow)."""
    text = uses.strip()
    for prefix in LOCAL_USES_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return None


def linked(one: Workflow, other: Workflow) -> bool:
    """Whether two workflows may call or start each other: the repository's own
    workflows among themselves, an example workflow only with the examples of its folder
    (copied together into another repository, where ``./.github/workflows/x.yml`` or a
    workflow name means that repository's own)."""
    if not one.source.example and not other.source.example:
        return True
    return (
        one.source.example
        and other.source.example
        and one.source.rel.rpartition("/")[0] == other.source.rel.rpartition("/")[0]
    )


def local_callee(model: ReleaseModel, uses: str, caller: Workflow | None = None) -> Workflow | None:
    """The workflow of this root a ``uses: ./.github/workflows/x.yml`` (or ``$/...``)
    names (none from an example workflow ``caller``: see :func:`linked`)."""
    path = local_uses_path(uses)
    if path is None or (caller is not None and caller.source.example):
        return None
    rel = path.split("@", 1)[0]
    for workflow in model.workflows:
        if workflow.source.rel == rel:
            return workflow
    return None


def callers(model: ReleaseModel, callee: Workflow) -> Iterator[Job]:
    """The jobs that call reusable workflow ``callee`` (``uses: ./.github/workflows/x.yml``
    or ``$/.github/workflows/x.yml``)."""
    for job in model.jobs():
        if job.uses is not None and local_callee(model, job.uses.text, job.workflow) is callee:
            yield job


def run_sources(model: ReleaseModel, workflow: Workflow) -> list[Workflow]:
    """The workflows whose runs start ``workflow`` through ``on: workflow_run``."""
    conf = workflow.triggers.get("workflow_run")
    names_node = conf.get("workflows") if isinstance(conf, YMap) else None
    names: set[str] = set()
    if isinstance(names_node, YScalar):
        names.add(names_node.value)
    elif isinstance(names_node, YSeq):
        names.update(i.value for i in names_node.items if isinstance(i, YScalar))
    return [
        w
        for w in model.workflows
        if (w.root.get_str("name") or "") in names and linked(w, workflow)
    ]


_GH_WORKFLOW_RUN = LazyPattern(r"\bgh\s+workflow\s+run\s+(?:'([^']+)'|\"([^\"]+)\"|([^\s;&|]+))")


def composite_callers(model: ReleaseModel, action: Workflow) -> Iterator[Step]:
    """The workflow steps that run the local composite action ``action``
    (``uses: ./.github/actions/publish``). An example workflow's ``./`` path names an action
    of the repository it is copied into, not this one's: none of its steps."""
    folder = action.source.rel.rsplit("/", 1)[0] if "/" in action.source.rel else ""
    for workflow in model.workflows:
        if workflow.source.example:
            continue
        for job in workflow.jobs.values():
            for step in job.steps:
                target = (step.action or "").removeprefix("./").rstrip("/")
                if step.action and step.action.startswith("./") and target == folder:
                    yield step


def dispatch_sources(model: ReleaseModel, workflow: Workflow) -> list[Workflow]:
    """The other workflows of the repository that start ``workflow`` by
    ``workflow_dispatch``: a step of a dispatching action (``[github] dispatch-actions`` of
    the facts) or a ``gh workflow run`` naming it by its ``name:``, file name or path."""
    from shiplint import facts as facts_mod

    actions = {
        str(k).lower(): str(v)
        for k, v in facts_mod.toml_data()["github"].get("dispatch-actions", {}).items()
    }
    file = posixpath.basename(workflow.source.rel)
    refs = {file, workflow.source.rel, workflow.root.get_str("name") or file}
    out: list[Workflow] = []
    for other in model.workflows:
        if other is workflow or not linked(other, workflow):
            continue
        named: list[str] = []
        for job in other.jobs.values():
            for step in job.steps:
                key = actions.get((step.action or "").lower())
                if key is not None and step.with_ is not None:
                    named.append(step.with_.get_str(key) or "")
                if step.run is not None:
                    named += ["".join(m) for m in _GH_WORKFLOW_RUN.findall(step.run.value)]
        if any(n.strip() in refs for n in named):
            out.append(other)
    return out


def upload_workflows(
    model: ReleaseModel, upload: Upload
) -> list[tuple[Workflow, Job | None, Step | None]]:
    """The workflows (with job and step) that run an upload: its own, the one whose step
    runs this copy of its script (a script's commands are read once per calling step), and
    the callers of a reusable workflow (with the calling job, no step). A reusable workflow
    that runs only when called is left out."""
    context = upload.context
    found: list[tuple[Workflow, Job | None, Step | None]] = []
    if context.origin == "workflow" and context.workflow is not None:
        found.append((context.workflow, context.job, context.step))
    elif context.origin == "script":
        for call in model.callers_of(upload.source.rel, context):
            workflow = call.caller.workflow
            if workflow is not None and call.caller.origin == "workflow":
                found.append((workflow, call.caller.job, call.caller.step))
    out: list[tuple[Workflow, Job | None, Step | None]] = []
    for workflow, job, step in found:
        if workflow.is_reusable:
            out.extend(
                (caller.workflow, caller, None)
                for caller in callers(model, workflow)
                if caller.workflow is not None
            )
            if set(workflow.triggers) == {"workflow_call"}:
                continue
        out.append((workflow, job, step))
    return out


#: how a ``working-directory`` (or an action's path input) names the workspace itself
WORKSPACE_ROOT_DIRS = frozenset({"", ".", "./", "${{ github.workspace }}", "$GITHUB_WORKSPACE"})


def run_setting(step: Step, key: str) -> YScalar | None:
    """A run step's setting ``key`` (``shell``, ``working-directory``): its own, else the
    job's or the workflow's ``defaults: run:`` (None when unset or null)."""
    own = step.node.get_scalar(key)
    if own is not None and not own.is_null:
        return own
    job = step.job
    for holder in (job.node, job.workflow.root if job.workflow is not None else None):
        defaults = holder.get_map("defaults") if holder is not None else None
        run = defaults.get_map("run") if defaults is not None else None
        found = run.get_scalar(key) if run is not None else None
        if found is not None and not found.is_null:
            return found
    return None
