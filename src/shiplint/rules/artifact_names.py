"""Artifact names: what each upload is called in each matrix leg, the names that collide in
one run (SL703, and whether SL701's upgrade to v4 is safe), and which uploads a download
asks for (SL702, SL705).

A name that cannot be evaluated is unknown (None): it never collides, and a download that
asks for it may read any upload.

Each upload is a ``Slot`` per matrix leg and per way the run starts, with how it runs there
(``model.artifacts.Outlook``: its ``if:`` chain evaluated per leg and per call) and whether
it certainly creates its artifact (``artifact_files``). Two slots collide only when both can
run in the same run; the collision is certain (error) only when both certainly run and
create their artifact, and the later one fails its job.
"""

from __future__ import annotations

import fnmatch
import functools
import itertools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from shiplint import facts as facts_mod
from shiplint.findings import Severity
from shiplint.gha.conditions import job_needs
from shiplint.gha.context import StepContext
from shiplint.gha.expr_eval import eval_text
from shiplint.gha.matrix import job_legs
from shiplint.gha.scenarios import trigger_scenarios
from shiplint.lazyre import LazyPattern
from shiplint.model.artifacts import (
    DOWNLOAD,
    MERGE,
    UPLOAD,
    Outlook,
    RunScenarios,
)
from shiplint.rules.artifact_files import creates_artifact
from shiplint.rules.publish_action.steps import input_scalar, input_text, step_source

if TYPE_CHECKING:
    from shiplint.gha.matrix import Leg
    from shiplint.model import Job
    from shiplint.model.artifacts import ArtifactStep, Occurrence, Run
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.project import Project

_GLOB = LazyPattern(r"[*?\[]")


# --- upload slots and collisions ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Slot:
    """One upload as it happens: an occurrence in one matrix leg, under one set of event
    facts. ``overwrite`` is None when shiplint cannot tell (an expression, or a release that
    may predate the input); ``creates``: it certainly uploads an artifact or fails (see
    ``artifact_files``)."""

    occ: Occurrence
    leg: Leg
    name: str | None
    overwrite: bool | None
    outlook: Outlook = field(default_factory=lambda: Outlook(can=True))
    #: computes ``creates`` (reading the steps before the upload costs; most names are
    #: unique, so it is asked only when a collision or a download needs it)
    creates_fn: Callable[[], bool] = field(default=lambda: False, repr=False)

    @functools.cached_property
    def creates(self) -> bool:
        return self.creates_fn()

    @property
    def certain(self) -> bool:
        """Whether this upload certainly creates its artifact (or fails its job)."""
        return (
            self.outlook.sure
            and self.creates
            and self.outlook.keeps_going is False
            and not self.outlook.after_failure
            and self.leg.nodes is not None
            and self.overwrite is not None
        )


def name_scalar(art: ArtifactStep) -> YScalar | None:
    """The step's ``name:`` input, if given."""
    return input_scalar(art.step, "name")


def raw_name(art: ArtifactStep) -> str:
    """The artifact name as written (the action's default when ``name:`` is not given)."""
    got = name_scalar(art)
    if got is not None:
        return got.value
    return "merged-artifacts" if art.kind == MERGE else "artifact"


def _unarchived(art: ArtifactStep) -> bool | None:
    """Whether an upload sends its one file as is (``archive: false``, v7+), which names
    the artifact after the file (None: cannot tell)."""
    text = input_text(art.step, "archive").lower()
    if art.kind != UPLOAD or text in ("", "true"):
        return False
    has = art.at_least(facts_mod.artifacts().archive_input_since)
    if has is False:
        return False
    return True if text == "false" and has else None


def slot_name(art: ArtifactStep, context: StepContext) -> str | None:
    """The artifact name an upload takes in one leg (None: unknown)."""
    unarchived = _unarchived(art)
    if unarchived is False:
        return eval_text(raw_name(art), context.lookup)
    if unarchived is None:
        return None
    path = input_text(art.step, "path")
    if "\n" in path or not path or _GLOB.search(path):
        return None
    file = eval_text(path.strip("'\""), context.lookup)
    if file is None:
        return None
    return file.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or None


def _overwrites(art: ArtifactStep) -> bool | None:
    """Whether an upload replaces an artifact of the same name (``overwrite: true``, v4.2+;
    None: an expression, or a release that may predate the input)."""
    text = input_text(art.step, "overwrite").lower()
    if text in ("", "false"):
        return False
    has = art.at_least(facts_mod.artifacts().overwrite_since)
    if has is False:
        return False
    return True if text == "true" and has else None


def _mentions_matrix(occ: Occurrence) -> bool:
    texts = [s.condition.value for s in (*occ.via, occ.art.step) if s.condition is not None]
    if occ.job.condition is not None:
        texts.append(occ.job.condition.value)
    return any("matrix." in t for t in texts)


class _Placed:
    """An upload occurrence in one matrix leg: what does not depend on how the run starts
    (its context and name), computed once and shared by every trigger scenario."""

    __slots__ = ("_name", "_named", "context", "leg", "occ")

    def __init__(self, project: Project, occ: Occurrence, leg: Leg) -> None:
        self.occ = occ
        self.leg = leg
        self.context = StepContext(project, occ.instance, occ.job, leg, occ.via, occ.art.step)
        self._name: str | None = None
        self._named = False

    @property
    def name(self) -> str | None:
        """The artifact name in this leg (None: unknown), evaluated on first use."""
        if not self._named:
            self._name = slot_name(self.occ.art, self.context)
            self._named = True
        return self._name


def _placements(project: Project, run: Run) -> list[tuple[bool | None, list[_Placed]]]:
    """Every upload (and merge) of ``run`` with its ``overwrite`` and the legs it runs in."""
    out: list[tuple[bool | None, list[_Placed]]] = []
    for occ in run.occurrences:
        if occ.art.kind == DOWNLOAD:
            continue
        legs = job_legs(project, occ.job)
        if legs[0].values is None and _mentions_matrix(occ):
            legs = legs[:1]
        out.append((_overwrites(occ.art), [_Placed(project, occ, leg) for leg in legs]))
    return out


def upload_slots(
    project: Project,
    run: Run,
    scenarios: RunScenarios,
    placements: list[tuple[bool | None, list[_Placed]]] | None = None,
) -> list[Slot]:
    """Every upload (and merge) of ``run`` in every leg it can run in, with its name
    (``placements``: those of :func:`_placements`, when already computed)."""
    if placements is None:
        placements = _placements(project, run)
    out: list[Slot] = []
    for overwrite, placed in placements:
        for where in placed:
            occ, leg = where.occ, where.leg
            outlook = scenarios.outlook(occ, leg)
            if not outlook.can:
                continue
            creates = functools.partial(_creates, project, where, scenarios)
            out.append(Slot(occ, leg, where.name, overwrite, outlook, creates))
    return out


def _creates(project: Project, where: _Placed, scenarios: RunScenarios) -> bool:
    """``creates_artifact`` of a placed upload, in its leg's scenario (made when asked:
    most slots are never asked)."""
    occ = where.occ
    scenario = scenarios.get(occ.instance, occ.job, where.leg)
    return creates_artifact(project, occ, where.context, scenario)


def run_slots(project: Project, run: Run) -> list[list[Slot]]:
    """The upload slots of ``run`` under each way it can start (``trigger_scenarios``),
    memoised on the project. When no ``if:`` on the way of the first trigger's uploads read
    the event facts, the other triggers take its outlooks instead of evaluating them again
    (most runs)."""
    memo = project.memo.setdefault("artifacts.slots", {})
    assert isinstance(memo, dict)
    got = memo.get(id(run))
    if isinstance(got, list):
        return got
    placements = _placements(project, run)
    out: list[list[Slot]] = []
    shared: dict[tuple[int, int], Outlook] | None = None
    for facts in trigger_scenarios(run.root):
        scenarios = RunScenarios(project, facts)
        if shared is not None:
            scenarios.outlooks.update(shared)
        out.append(upload_slots(project, run, scenarios, placements))
        if not out[1:] and not scenarios.read_facts():
            shared = scenarios.outlooks
    memo[id(run)] = out
    return out


@dataclass(frozen=True, eq=False)
class Conflict:
    """Two slots uploading the same name in one run (``second`` is the one that fails).

    ``severity``: ERROR when both certainly upload and the later one fails its job;
    WARNING when that depends on what shiplint cannot see (``doubts`` says what);
    INFO when no passing run fails (the uploads run only after a failure, both
    ``continue-on-error``, or ``overwrite: true`` replaces)."""

    kind: str  # repeat (one step uploads more than once), overwrite (the later replaces the
    # earlier), duplicate (two steps)
    first: Slot
    second: Slot
    name: str
    severity: Severity = Severity.ERROR
    doubts: tuple[str, ...] = ()


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


def _conflict(a: Slot, b: Slot, name: str, closures: dict[int, set[str]]) -> Conflict | None:
    """The conflict of ``b`` with ``a``, an upload of the same name before it in file order
    (None: an ``overwrite: true`` upload certainly runs after the other)."""
    if a.occ.art is b.occ.art:
        kind = "overwrite" if a.overwrite and b.overwrite else "repeat"
        return _assessed(Conflict(kind, a, b, name), None)
    later = b if _before(a, b, closures) else a if _before(b, a, closures) else None
    if later is not None and later.overwrite:
        return None
    kind = "overwrite" if a.overwrite and b.overwrite else "duplicate"
    return _assessed(Conflict(kind, a, b, name), later)


def _assessed(conflict: Conflict, later: Slot | None) -> Conflict:
    """``conflict`` with its severity and what it depends on (``later``: the upload that
    certainly runs second, when the order is fixed)."""
    a, b = conflict.first, conflict.second
    if conflict.kind == "overwrite":
        return replace(conflict, severity=Severity.INFO)
    if a.outlook.after_failure or b.outlook.after_failure:
        return replace(conflict, severity=Severity.INFO, doubts=("after-failure",))
    # the upload that fails: the later one, or either when the order is not fixed
    losers = (later,) if later is not None else (a, b)
    if all(slot.outlook.keeps_going is True for slot in losers):
        return replace(conflict, severity=Severity.INFO, doubts=("continue-on-error",))
    doubts: list[str] = []
    if not (a.outlook.sure and b.outlook.sure):
        doubts.append("condition")
    if not (a.creates and b.creates):
        doubts.append("files")
    if a.leg.nodes is None or b.leg.nodes is None:
        doubts.append("matrix")
    if a.overwrite is None or b.overwrite is None or any(slot.overwrite for slot in losers):
        doubts.append("overwrite")
    if any(slot.outlook.keeps_going is not False for slot in losers):
        doubts.append("continue-on-error")
    if doubts:
        return replace(conflict, severity=Severity.WARNING, doubts=tuple(doubts))
    return conflict


def _file_order(slot: Slot) -> tuple[str, int]:
    step = slot.occ.art.step
    src = step_source(step)
    return (src.rel if src is not None else "", step.node.start)


def find_conflicts(slots: list[Slot]) -> list[Conflict]:
    """Each slot that collides with an earlier one of the same known name (in file order),
    paired with the earlier one that makes the collision most certain (the first of those),
    ordered by that slot, then file order. A pair where an ``overwrite: true`` upload
    certainly runs after the other does not collide.

    Listing every colliding pair would be quadratic (a thousand jobs uploading ``dist``
    make half a million pairs). This list has one pair per slot, and its first pair with
    a given upload step second is the first such pair of the full list among those of its
    severity: that is all SL703 reports (once per step), and the list is empty exactly
    when the full list is."""
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
        # earlier slots by tier: certain uploads first (a pair of two certain uploads is
        # the surest collision), those that may replace (overwrite) after them
        tiers: tuple[list[int], list[int], list[int]] = ([], [], [])
        for j, b in enumerate(group):
            for i in itertools.chain(*tiers):
                conflict = _conflict(group[i], b, name, closures)
                if conflict is not None:
                    found.append((i, j, conflict))
                    break
            tiers[0 if b.certain and not b.overwrite else 1 if b.certain else 2].append(j)
        found.sort(key=lambda item: (item[0], item[1]))
        out.extend(conflict for _i, _j, conflict in found)
    return out


def run_conflicts(project: Project, run: Run, assume_v4: bool) -> list[Conflict]:
    """Artifact-name collisions of ``run`` under any trigger (``assume_v4``: as if every
    upload step ran v4, i.e. after the v1-v3 steps are upgraded). One conflict per pair of
    steps and kind: the most severe of the triggers."""
    memo = project.memo.setdefault("artifacts.conflicts", {})
    assert isinstance(memo, dict)
    key = (id(run), assume_v4)
    got = memo.get(key)
    if isinstance(got, list):
        return got
    found: dict[tuple[int, int, str], Conflict] = {}
    for slots in run_slots(project, run):
        if not assume_v4:
            slots = [s for s in slots if s.occ.art.generation != "old"]
        for conflict in find_conflicts(slots):
            ident = (id(conflict.first.occ.art), id(conflict.second.occ.art), conflict.kind)
            seen = found.get(ident)
            if seen is None or conflict.severity.rank > seen.severity.rank:
                found[ident] = conflict
    out = list(found.values())
    memo[key] = out
    return out


def unknown_names(project: Project, run: Run) -> bool:
    """Whether some upload's name cannot be evaluated while the run uploads more than once."""
    for slots in run_slots(project, run):
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
    out: list[str | None] = []
    for leg in job_legs(project, occ.job):
        context = StepContext(project, occ.instance, occ.job, leg, occ.via, occ.art.step)
        out.append(slot_name(occ.art, context))
    return out


def _asks_for(how: str, wanted: str | None, name: str | None) -> bool:
    """Whether a download asking ``how``/``wanted`` may read an artifact called ``name``."""
    if how == "all" or wanted is None or name is None:
        return True
    if how == "name":
        return name == wanted
    return any(fnmatch.fnmatchcase(name, p) for p in _braces(wanted))


def download_reads(project: Project, download: Occurrence, upload: Occurrence) -> bool:
    """Whether ``download`` (or a merge) may read the artifact of ``upload``: it asks for
    all artifacts, or its ``name``/``pattern`` matches the upload's name in some leg."""
    how, wanted = _wanted(project, download)
    return any(_asks_for(how, wanted, name) for name in _upload_names(project, upload))


def read_slots(project: Project, download: Occurrence, slots: list[Slot]) -> list[Slot]:
    """The upload slots whose artifact ``download`` may read."""
    how, wanted = _wanted(project, download)
    return [slot for slot in slots if _asks_for(how, wanted, slot.name)]


_BRACE = LazyPattern(r"\{([^{}]*,[^{}]*)\}")


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
