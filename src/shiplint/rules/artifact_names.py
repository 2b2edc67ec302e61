"""Artifact names: what each upload is called in each matrix leg, the names that collide in
one run (SL703, and whether SL701's upgrade to v4 is safe), and which uploads a download
asks for (SL702, SL705).

A name that cannot be evaluated is unknown (None): it never collides, and a download that
asks for it may read any upload.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shiplint.gha_context import StepContext, eval_text
from shiplint.gha_expr import job_needs
from shiplint.gha_matrix import job_legs
from shiplint.gha_scenarios import trigger_scenarios
from shiplint.model.artifacts import DOWNLOAD, MERGE, RunScenarios
from shiplint.rules.publish_action import input_scalar, input_text, step_source

if TYPE_CHECKING:
    from shiplint.gha_matrix import Leg
    from shiplint.model import Job
    from shiplint.model.artifacts import ArtifactStep, Occurrence, Run
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.project import Project


# --- upload slots and collisions ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Slot:
    """One upload as it happens: an occurrence in one matrix leg."""

    occ: Occurrence
    leg: Leg
    name: str | None
    overwrite: bool


def name_scalar(art: ArtifactStep) -> YScalar | None:
    """The step's ``name:`` input, if given."""
    return input_scalar(art.step, "name")


def raw_name(art: ArtifactStep) -> str:
    """The artifact name as written (the action's default when ``name:`` is not given)."""
    got = name_scalar(art)
    if got is not None:
        return got.value
    return "merged-artifacts" if art.kind == MERGE else "artifact"


def _overwrites(art: ArtifactStep) -> bool:
    text = input_text(art.step, "overwrite").lower()
    return text == "true" or "${{" in text


def _mentions_matrix(occ: Occurrence) -> bool:
    texts = [s.condition.value for s in (*occ.via, occ.art.step) if s.condition is not None]
    if occ.job.condition is not None:
        texts.append(occ.job.condition.value)
    return any("matrix." in t for t in texts)


def upload_slots(project: Project, run: Run, scenarios: RunScenarios) -> list[Slot]:
    """Every upload (and merge) of ``run`` in every leg it can run in, with its name."""
    out: list[Slot] = []
    for occ in run.occurrences:
        if occ.art.kind == DOWNLOAD:
            continue
        legs = job_legs(project, occ.job)
        if legs[0].values is None and _mentions_matrix(occ):
            legs = legs[:1]
        raw = raw_name(occ.art)
        for leg in legs:
            if not scenarios.runs(occ, leg):
                continue
            context = StepContext(project, occ.instance, occ.job, leg, occ.via, occ.art.step)
            name = eval_text(raw, context.lookup)
            out.append(Slot(occ, leg, name, _overwrites(occ.art)))
    return out


@dataclass(frozen=True, eq=False)
class Conflict:
    """Two slots uploading the same name in one run (``second`` is the one that fails)."""

    kind: str  # repeat (one step uploads more than once), overwrite (idem, with overwrite),
    # duplicate (two steps)
    first: Slot
    second: Slot
    name: str


def _needs_closure(job: Job) -> set[str]:
    """The ids of the jobs ``job`` needs, directly or not."""
    workflow = job.workflow
    out: set[str] = set()
    todo = [job]
    while todo:
        current = todo.pop()
        for name in job_needs(current):
            if name in out or workflow is None:
                continue
            out.add(name)
            other = workflow.jobs.get(name)
            if other is not None:
                todo.append(other)
    return out


def _before(a: Slot, b: Slot, closures: dict[int, set[str]]) -> bool:
    """Whether ``a`` certainly finishes before ``b`` starts (``closures``: the
    :func:`_needs_closure` of each job asked about, by ``id``)."""
    if a.occ.instance is not b.occ.instance:
        return False
    if a.occ.job is b.occ.job:
        return a.leg.index == b.leg.index and a.occ.order < b.occ.order
    needs = closures.get(id(b.occ.job))
    if needs is None:
        needs = closures[id(b.occ.job)] = _needs_closure(b.occ.job)
    return a.occ.job.id in needs


def _file_order(slot: Slot) -> tuple[str, int]:
    step = slot.occ.art.step
    src = step_source(step)
    return (src.rel if src is not None else "", step.node.start)


def _conflict(a: Slot, b: Slot, name: str, closures: dict[int, set[str]]) -> Conflict | None:
    """The conflict of ``b`` with ``a``, an upload of the same name before it in file order
    (None: an ``overwrite: true`` upload certainly runs after the other)."""
    if a.occ.art is b.occ.art:
        kind = "overwrite" if a.overwrite and b.overwrite else "repeat"
        return Conflict(kind, a, b, name)
    if (b.overwrite and _before(a, b, closures)) or (a.overwrite and _before(b, a, closures)):
        return None
    return Conflict("duplicate", a, b, name)


def find_conflicts(slots: list[Slot]) -> list[Conflict]:
    """Each slot that collides with an earlier one of the same known name (in file order),
    paired with the first it collides with, ordered by that first slot, then file order.
    A pair where an ``overwrite: true`` upload certainly runs after the other does not
    collide.

    Listing every colliding pair would be quadratic (a thousand jobs uploading ``dist``
    make half a million pairs). This list has one pair per slot, and its first pair with
    a given upload step second is the first such pair of the full list: that is all SL703
    reports (once per step), and the list is empty exactly when the full list is."""
    by_name: dict[str, list[Slot]] = {}
    for slot in slots:
        if slot.name is not None:
            by_name.setdefault(slot.name, []).append(slot)
    out: list[Conflict] = []
    closures: dict[int, set[str]] = {}
    for name, group in by_name.items():
        if len(group) < 2:
            continue
        group = sorted(group, key=_file_order)
        found: list[tuple[int, int, Conflict]] = []
        for j, b in enumerate(group):
            for i in range(j):
                conflict = _conflict(group[i], b, name, closures)
                if conflict is not None:
                    found.append((i, j, conflict))
                    break
        found.sort(key=lambda item: (item[0], item[1]))
        out.extend(conflict for _i, _j, conflict in found)
    return out


def run_conflicts(project: Project, run: Run, assume_v4: bool) -> list[Conflict]:
    """Artifact-name collisions of ``run`` under any trigger (``assume_v4``: as if every
    upload step ran v4, i.e. after the v1-v3 steps are upgraded)."""
    memo = project.memo.setdefault("artifacts.conflicts", {})
    assert isinstance(memo, dict)
    key = (id(run), assume_v4)
    got = memo.get(key)
    if isinstance(got, list):
        return got
    out: list[Conflict] = []
    seen: set[tuple[int, int, str]] = set()
    for facts in trigger_scenarios(run.root, push_event_ref=True):
        slots = upload_slots(project, run, RunScenarios(facts))
        if not assume_v4:
            slots = [s for s in slots if s.occ.art.generation != "old"]
        for conflict in find_conflicts(slots):
            ident = (id(conflict.first.occ.art), id(conflict.second.occ.art), conflict.kind)
            if ident not in seen:
                seen.add(ident)
                out.append(conflict)
    memo[key] = out
    return out


def unknown_names(project: Project, run: Run) -> bool:
    """Whether some upload's name cannot be evaluated while the run uploads more than once."""
    for facts in trigger_scenarios(run.root, push_event_ref=True):
        slots = upload_slots(project, run, RunScenarios(facts))
        if len(slots) > 1 and any(s.name is None for s in slots):
            return True
    return False


# --- what a download reads --------------------------------------------------------------------


def downloads_other_run(art: ArtifactStep) -> bool:
    """Whether a download-artifact step reads another run (``run-id`` with a token)."""
    return (
        art.generation != "old"
        and bool(input_text(art.step, "run-id"))
        and bool(input_text(art.step, "github-token"))
    )


def _wanted(project: Project, occ: Occurrence) -> tuple[str, str | None]:
    """What a download asks for: (``name``/``pattern``/``all``, evaluated text or None)."""
    leg = job_legs(project, occ.job)[0]
    context = StepContext(project, occ.instance, occ.job, leg, occ.via, occ.art.step)
    if input_text(occ.art.step, "artifact-ids"):
        return "all", None
    # upload-artifact/merge reads the artifacts its `pattern` matches; `name` is its output
    for key in ("pattern",) if occ.art.kind == MERGE else ("name", "pattern"):
        got = input_scalar(occ.art.step, key)
        if got is not None and got.value.strip():
            return key, eval_text(got.value.strip(), context.lookup)
    return "all", None


def _upload_names(project: Project, occ: Occurrence) -> list[str | None]:
    """The name an upload takes in each leg of its job (None: unknown)."""
    raw = raw_name(occ.art)
    out: list[str | None] = []
    for leg in job_legs(project, occ.job):
        context = StepContext(project, occ.instance, occ.job, leg, occ.via, occ.art.step)
        out.append(eval_text(raw, context.lookup))
    return out


def download_reads(project: Project, download: Occurrence, upload: Occurrence) -> bool:
    """Whether ``download`` (or a merge) may read the artifact of ``upload``: it asks for
    all artifacts, or its ``name``/``pattern`` matches the upload's name in some leg."""
    how, wanted = _wanted(project, download)
    if how == "all" or wanted is None:
        return True
    for name in _upload_names(project, upload):
        if name is None:
            return True
        if how == "name" and name == wanted:
            return True
        if how == "pattern" and any(fnmatch.fnmatchcase(name, p) for p in _braces(wanted)):
            return True
    return False


_BRACE = re.compile(r"\{([^{}]*,[^{}]*)\}")


def _braces(pattern: str, limit: int = 64) -> list[str]:
    """minimatch's ``{a,b}`` alternatives spelled out (fnmatch has none)."""
    out = [pattern]
    while len(out) < limit:
        match = next((m for m in map(_BRACE.search, out) if m is not None), None)
        if match is None:
            break
        text = match.string
        out.remove(text)
        for choice in match.group(1).split(","):
            out.append(text[: match.start()] + choice + text[match.end() :])
    return out
