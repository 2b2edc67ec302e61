"""Whether SL701 can upgrade retired artifact actions to v4 safely (its ``--fix``).

A v1-v3 ref is rewritten to the current major only when the whole run moves with it: every
artifact step of the run (with the local reusable workflows and composite actions it uses,
and the workflow a ``run-id`` download reads from) is on a known major and either fixed too or
already on v4+, no two uploads collide under v4's unique names (names shiplint cannot
evaluate count as unsafe), no upload relies on hidden files, and no v1 download relied on the
old ``./<name>/`` default folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Fix
from shiplint.model.artifacts import DOWNLOAD, TAG_MAJOR, UPLOAD, runs, triggering_runs
from shiplint.rules.artifact_files import hidden_paths
from shiplint.rules.artifact_names import run_conflicts, unknown_names
from shiplint.rules.publish_action.steps import input_text, ref_loc

if TYPE_CHECKING:
    from shiplint.model.artifacts import ArtifactStep, Run
    from shiplint.project import Project


def _ref_fixable(art: ArtifactStep) -> bool:
    if art.sha or not art.ref or not TAG_MAJOR.match(art.ref) or ref_loc(art.step) is None:
        return False
    if art.kind == UPLOAD and hidden_paths(art):
        return False
    # download-artifact v1 put a named artifact into ./<name>/ when `path` was not given
    return not (art.kind == DOWNLOAD and art.major == 1 and not input_text(art.step, "path"))


def _run_fixable_alone(project: Project, run: Run) -> bool:
    """Whether ``run`` can move to v4 by itself: every artifact step is on a known major,
    every retired one has a tag that can be rewritten, and no two uploads collide under v4."""
    for occ in run.occurrences:
        art = occ.art
        if art.major is None or (art.retired and not _ref_fixable(art)):
            return False
    return not run_conflicts(project, run, assume_v4=True) and not unknown_names(project, run)


def _reads_other_run_after_fix(art: ArtifactStep) -> bool:
    return (
        art.kind == DOWNLOAD
        and art.retired
        and bool(input_text(art.step, "run-id"))
        and bool(input_text(art.step, "github-token"))
    )


def _fixable_runs(project: Project) -> set[int]:
    """Runs whose retired steps all get the fix: a step shared with another run (a composite
    action or reusable workflow) is fixed only when every run using it can be."""
    cached = project.memo.get("artifacts.fixable")
    if isinstance(cached, set):
        return cached
    all_runs = runs(project)
    using: dict[int, list[Run]] = {}
    for run in all_runs:
        for occ in run.occurrences:
            using.setdefault(id(occ.art), []).append(run)
    ok = {id(r) for r in all_runs if _run_fixable_alone(project, r)}
    # a retired download with `run-id` + `github-token` reads the triggering workflow's
    # artifacts once it runs v4: that workflow must end up on v4 too
    readers: dict[int, list[Run]] = {}
    for run in all_runs:
        if any(_reads_other_run_after_fix(o.art) for o in run.occurrences):
            readers[id(run)] = triggering_runs(project, run)
    changed = True
    while changed:
        changed = False
        for run in all_runs:
            if id(run) not in ok:
                continue
            shared = (using[id(o.art)] for o in run.occurrences if o.art.retired)
            blocked = any(id(other) not in ok for others in shared for other in others)
            blocked = blocked or any(
                id(source) not in ok
                and any(
                    o.art.generation != "new" and o.art.kind != DOWNLOAD for o in source.occurrences
                )
                for source in readers.get(id(run), [])
            )
            if blocked:
                ok.discard(id(run))
                changed = True
    project.memo["artifacts.fixable"] = ok
    return ok


def upgrade_fix(project: Project, art: ArtifactStep) -> Fix | None:
    """The fix moving a retired tag to the current major, when that is safe (None if not)."""
    if not _ref_fixable(art):
        return None
    fixable = _fixable_runs(project)
    containing = [r for r in runs(project) if any(o.art is art for o in r.occurrences)]
    if not containing or not all(id(r) in fixable for r in containing):
        return None
    loc = ref_loc(art.step)
    assert loc is not None
    f = facts_mod.artifacts()
    what = {
        UPLOAD: "every upload of the run keeps a unique name, as v4 requires; hidden files are "
        f"not uploaded from v{f.hidden_files_excluded_since} unless "
        "`include-hidden-files: true`",
        DOWNLOAD: "files land where they did: without `name` each artifact still gets its own "
        "sub-folder",
    }.get(art.kind, "")
    return Fix(f"use {art.action}@{f.fix_ref}: {what}", (Edit(loc.start, loc.end, f.fix_ref),))
