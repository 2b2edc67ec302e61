"""What download-artifact reads: SL704, artifacts nested in sub-folders of the directory a
publish step reads (A-4); SL705, a `workflow_run` workflow that looks in its own run
(A-5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Fix, Severity
from shiplint.gha.matrix import job_legs
from shiplint.model import Loc
from shiplint.model.artifacts import (
    DOWNLOAD,
    ArtifactStep,
    RunScenarios,
    artifact_steps,
    runs,
    triggering_runs,
)
from shiplint.rules import register
from shiplint.rules.artifact_names import download_reads, downloads_other_run, read_slots, run_slots
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import (
    input_scalar,
    input_text,
    ref_loc,
    set_input_fix,
    step_source,
    uses_loc,
)
from shiplint.rules.publish_dirs import PublishDir, norm_dir, publish_dirs, reorganised

if TYPE_CHECKING:
    from shiplint.project import Project


def _nests(project: Project, art: ArtifactStep) -> Severity | None:
    """Whether download-artifact puts artifacts into sub-folders of ``path``: ERROR
    certainly, WARNING when that depends on how many artifacts it finds, None: never."""
    step = art.step
    f = facts_mod.artifacts()
    if input_text(step, "name"):
        return None
    merge = input_text(step, "merge-multiple").lower()
    merges = art.at_least(f.merge_multiple_since) is not False  # v4.0.0 ignores it
    if merges and (merge == "true" or "${{" in merge):
        return None
    if art.major is not None and art.major < 2:
        return None  # v1 always needed a name
    ids = input_text(step, "artifact-ids")
    if art.at_least(f.artifact_ids_since) is False:
        ids = ""  # ignored before v4.3.0: every artifact
    if "${{" in ids:
        return None
    direct = art.at_least(f.single_id_direct_since)
    if direct is False:
        return Severity.ERROR  # v2-v4: one sub-folder per artifact, even for one
    if ids:
        count = len([i for i in ids.split(",") if i.strip()])
        return Severity.ERROR if count > 1 else None
    # v5+: a download that finds exactly one artifact extracts it into `path` itself
    sure, possible = _selected(project, art)
    if sure > 1:
        return Severity.ERROR
    if possible > 1 or (direct is None and possible > 0):
        return Severity.WARNING
    return None


def _selected(project: Project, art: ArtifactStep) -> tuple[int, int]:
    """How many artifacts a download certainly and possibly finds (distinct names of the
    uploads it asks for, in the run it reads; an unknown name counts as one more)."""
    sure = possible = 0
    for run in runs(project):
        for occ in run.occurrences:
            if occ.art is not art:
                continue
            sources = triggering_runs(project, run) if downloads_other_run(art) else [run]
            for source in sources:
                for slots in run_slots(project, source):
                    read = read_slots(project, occ, slots)
                    names = {s.name for s in read if s.name is not None}
                    certain = {s.name for s in read if s.name is not None and s.certain}
                    unknown = any(s.name is None for s in read)
                    sure = max(sure, len(certain))
                    possible = max(possible, len(names) + unknown)
    return sure, possible


@register
class ArtifactDownloadNested(Rule):
    """download-artifact without `name` (or with `pattern`) nests artifacts in sub-folders
    of the directory a later step publishes from.

    Without `name:`, download-artifact fetches every artifact (or every one `pattern:`
    matches) and, unless `merge-multiple: true` is set, extracts each into a sub-folder named
    after the artifact: `dist/wheels-ubuntu/…`, `dist/sdist/…`. A publish step that then
    reads `dist/` sees folders instead of distributions:

    `Checking dist/wheel-macos-14-cp310: ERROR InvalidDistribution: Unknown distribution
    format: 'wheel-macos-14-cp310'`

    (pypa/gh-action-pypi-publish first warns `It looks like there are no Python distribution
    packages to publish in the directory 'dist/'`; `twine upload dist/*.whl` finds no file;
    upload-nightly-action's `*.whl` glob matches nothing.)

    shiplint follows the download's `path` to the publish steps later in the same job
    (pypi-publish `packages-dir`, `twine upload`, `uv publish`, `maturin upload`,
    `anaconda upload`, upload-nightly-action `artifacts_path`), unless a step in between
    moves files in that directory. v2-v4 make a sub-folder for every artifact, even a single
    one. From v5.0.0 a download that finds exactly one artifact extracts it into `path`
    itself, so shiplint counts the artifacts the download asks for among the uploads of the
    run it reads: an error when two or more certainly exist (see SL703 for what makes an
    upload certain), a warning when there may be two or more, nothing when at most one.

    Fix: add `merge-multiple: true` (v4.1.0+), with a `pattern:` that selects only the
    distribution artifacts (e.g. `pattern: cibw-*`), or download each artifact by `name`.
    """

    code = "SL704"
    name = "artifact-download-nested"
    severity = Severity.ERROR
    summary = "Artifacts downloaded into sub-folders of the directory that is published"
    catalogue = ("A-4",)
    before = (
        "on: release\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n"
        "        with: {pattern: cibw-*, path: dist}\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "on: release\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n"
        "        with: {pattern: cibw-*, path: dist, merge-multiple: true}\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        publishes: dict[int, list[PublishDir]] = {}
        for upload in project.model.uploads:
            job = upload.context.job
            if job is None or upload.step is None or job.workflow is None:
                continue
            publishes.setdefault(id(job), []).extend(publish_dirs(upload))
        for art in artifact_steps(project).values():
            step = art.step
            if art.kind != DOWNLOAD:
                continue
            nests = _nests(project, art)
            if nests is None:
                continue
            path = input_text(step, "path")
            folder = norm_dir(path) if path else "."
            if folder is None:
                continue
            for publish in publishes.get(id(step.job), []):
                if publish.step.index <= step.index or publish.dir != folder:
                    continue
                if reorganised(step.job, step.index, publish.step.index, folder):
                    continue
                yield self._finding(art, publish, folder, nests)
                break

    def _finding(
        self, art: ArtifactStep, publish: PublishDir, folder: str, nests: Severity
    ) -> Finding:
        step = art.step
        path = input_scalar(step, "path")
        src = step_source(step)
        loc = Loc(src, path.start, path.end) if path is not None and src else uses_loc(step)
        pattern = input_text(step, "pattern")
        which = f"every artifact matching `{pattern}`" if pattern else "every artifact"
        publish_src = step_source(publish.step)
        line = publish_src.pos(publish.step.node.start).line if publish_src else 0
        fix = None
        merges = art.at_least(facts_mod.artifacts().merge_multiple_since)
        if pattern and art.generation == "new" and merges:
            fix = set_input_fix(step, "merge-multiple", "true", "set `merge-multiple: true`")
            if fix is not None:
                fix = Fix(fix.description, fix.edits, safe=False)
        advice = (
            "Add `merge-multiple: true` (v4.1+) with a `pattern:` that selects only the "
            "distribution artifacts, or download by `name:`."
        )
        if nests is Severity.WARNING:
            return self.at(
                loc,
                f"{which} may be extracted into its own sub-folder of `{folder}/`, which the "
                f"publish step on line {line} reads",
                "download-artifact v5+ extracts a download that finds one artifact into "
                f"`{folder}/` itself, but two or more into `{folder}/<artifact-name>/` "
                f"(v2-v4: always); {publish.what}. How many it finds depends on uploads "
                f"shiplint cannot fully see (their names, conditions or files). {advice}",
                fix=fix,
                severity=Severity.WARNING,
            )
        return self.at(
            loc,
            f"{which} is extracted into its own sub-folder of `{folder}/`, which the publish "
            f"step on line {line} reads",
            f"Without `name:` or `merge-multiple: true`, download-artifact creates "
            f"`{folder}/<artifact-name>/`; {publish.what}. {advice}",
            fix=fix,
        )


# --- SL705 ------------------------------------------------------------------------------------


@register
class WorkflowRunArtifactDownload(Rule):
    """A `workflow_run` workflow downloads artifacts without `run-id` and `github-token`.

    A workflow started by `on: workflow_run` is a run of its own. actions/download-artifact
    looks in the current run unless it is given `run-id:` *and* `github-token:` (v4 and
    later; without the token the `run-id` is ignored, and v1-v3 cannot read other runs at
    all). The artifacts of the build that triggered it are not found, and the deploy fails
    with `Unable to download artifact(s): Artifact not found for name: …` (or finds
    nothing to publish).

    Not reported when the same workflow uploads the artifact itself, when the step cannot
    run on `workflow_run`, or for downloaders that read other runs by design
    (e.g. dawidd6/action-download-artifact).

    Fix: `run-id: ${{ github.event.workflow_run.id }}` and
    `github-token: ${{ secrets.GITHUB_TOKEN }}` (the job needs `permissions: actions: read`),
    or build and publish in one workflow.
    """

    code = "SL705"
    name = "workflow-run-artifact-download"
    severity = Severity.WARNING
    summary = "workflow_run workflow downloads artifacts from its own run (no run-id)"
    catalogue = ("A-5",)
    before = (
        "on:\n  workflow_run:\n    workflows: [Build]\n    types: [completed]\n"
        "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n        with: {name: dist, path: dist}\n"
    )
    after = (
        "on:\n  workflow_run:\n    workflows: [Build]\n    types: [completed]\n"
        "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    permissions: {actions: read}\n"
        "    steps:\n      - uses: actions/download-artifact@v4\n        with:\n"
        "          name: dist\n          path: dist\n"
        "          run-id: ${{ github.event.workflow_run.id }}\n"
        "          github-token: ${{ secrets.GITHUB_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        reported: set[int] = set()
        for run in runs(project):
            if "workflow_run" not in run.root.triggers:
                continue
            scenarios = RunScenarios(project, {("github", "event_name"): "workflow_run"})
            uploads = [o for o in run.occurrences if o.art.kind != DOWNLOAD]
            for occ in run.occurrences:
                art = occ.art
                if art.kind != DOWNLOAD or id(art) in reported or downloads_other_run(art):
                    continue
                if any(download_reads(project, occ, u) for u in uploads):
                    continue
                legs = job_legs(project, occ.job)
                if not any(scenarios.runs(occ, leg) for leg in legs):
                    continue
                finding = self._finding(art)
                if finding is not None:
                    reported.add(id(art))
                    yield finding

    def _finding(self, art: ArtifactStep) -> Finding | None:
        step = art.step
        src = step_source(step)
        run_id = step.with_.key("run-id") if step.with_ is not None else None
        fix_text = (
            "Add `run-id: ${{ github.event.workflow_run.id }}` and "
            "`github-token: ${{ secrets.GITHUB_TOKEN }}` (v4+; the job needs "
            "`permissions: actions: read`)"
        )
        if art.generation == "old":
            loc = ref_loc(step) or uses_loc(step)
            message = (
                f"`{art.label}` only reads artifacts of its own run, not of the run that "
                "triggered this `workflow_run` workflow"
            )
            help_ = f"Use `{art.action}@v4` or later and {fix_text[0].lower()}{fix_text[1:]}."
        elif run_id is not None and src is not None:
            loc = Loc(src, run_id.start, run_id.end)
            message = "`run-id` is ignored without `github-token`: the download looks in this run"
            help_ = (
                "download-artifact only reads another run when it has a token. Add "
                "`github-token: ${{ secrets.GITHUB_TOKEN }}` (the job needs "
                "`permissions: actions: read`)."
            )
        else:
            loc = ref_loc(step) or uses_loc(step)
            message = (
                "download-artifact without `run-id` looks in this `workflow_run` run, not in "
                "the run that triggered it: the artifact is not found"
            )
            help_ = (
                f"{fix_text}, or build and publish in one workflow. Third-party downloaders "
                "such as dawidd6/action-download-artifact also read other runs."
            )
        if loc is None:
            return None
        return self.at(loc, message, help_)
