"""Artifacts between jobs: actions/upload-artifact and download-artifact (A-1..A-5).

The rules share one view of a repository's artifact steps, memoised on the project:

* ``model/artifacts.py``: every artifact step with the release it runs, and *runs* (one
  per top-level workflow, with local reusable workflows and composite actions expanded);
* ``gha_matrix.py`` / ``gha_context.py``: each job's matrix legs, and artifact names
  evaluated once per leg (whatever cannot be evaluated counts as unknown, which never
  produces a collision);
* ``gha_instance.py``: the ``if:`` of each step per leg and per call of a reusable workflow
  (``matrix``, ``runner.os``, the inputs each caller passes);
* ``rules/artifact_files.py``: whether an upload certainly creates its artifact;
* ``rules/artifact_names.py``: name collisions in a run, how certain each is, and which
  uploads a download reads;
* ``rules/artifact_upgrade.py``: when SL701 can safely move a run to v4;
* ``rules/publish_dirs.py``: the directory each publish step reads (SL704).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Fix, Severity
from shiplint.gha.matrix import job_legs, matrix_axes
from shiplint.model import Loc
from shiplint.model.artifacts import (
    DOWNLOAD,
    UPLOAD,
    ArtifactStep,
    RunScenarios,
    artifact_steps,
    runs,
    triggering_runs,
)
from shiplint.rules import register
from shiplint.rules.artifact_names import (
    Conflict,
    download_reads,
    downloads_other_run,
    name_scalar,
    raw_name,
    read_slots,
    run_conflicts,
    run_slots,
)
from shiplint.rules.artifact_upgrade import upgrade_fix
from shiplint.rules.base import Rule
from shiplint.rules.publish_action import (
    input_scalar,
    input_text,
    ref_loc,
    set_input_fix,
    step_source,
    uses_loc,
)
from shiplint.rules.publish_dirs import PublishDir, norm_dir, publish_dirs, reorganised

if TYPE_CHECKING:
    from shiplint.gha.matrix import Leg
    from shiplint.model.artifacts import Occurrence
    from shiplint.project import Project

_ERR_409 = (
    "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: "
    "an artifact with this name already exists on the workflow run"
)
_ERR_MIXED = (
    "Unable to download artifact(s): Artifact not found for name: … Please ensure that your "
    "artifact is not expired and the artifact was uploaded using a compatible version of "
    "toolkit/upload-artifact."
)


# --- SL701 ------------------------------------------------------------------------------------


@register
class ArtifactActionRetired(Rule):
    """actions/upload-artifact or actions/download-artifact at a retired major (v1, v2, v3).

    GitHub retired v1 and v2 of the artifact actions on 30 June 2024 and v3 on
    30 January 2025 (on github.com; GitHub Enterprise Server still runs them). The tags still
    exist, but any job that uses them fails while it is being set up, before a single step
    runs, so nothing gets built or published:

    ``Error: This request has been automatically failed because it uses a deprecated version
    of `actions/upload-artifact: v3`. Learn more:
    https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/``

    shiplint reads tags (`@v3`, `@v3.1.3`, `@v3-node20`) and commit SHAs through their
    `# v3.1.3` comment.

    Upgrade every upload-artifact and download-artifact step of the workflow in the same
    change: v4 and later store artifacts in a new backend, so a v4 download cannot see a v3
    upload and the reverse (SL702). Behaviour that changed with v4:

    * artifacts are immutable: two uploads with the same name in one run fail with
      `409 Conflict` instead of adding to each other (SL703) — give each matrix leg its own
      name and download them with `pattern:` and `merge-multiple: true`;
    * from v4.4 hidden files and folders (`.name`) are skipped unless
      `include-hidden-files: true`: `path: .coverage` or `path: docs/_build/.cache`
      uploads nothing;
    * `download-artifact` without `name` still puts each artifact in its own sub-folder,
      and with `name` extracts it into `path`, as v2/v3 did.

    `shiplint check --fix` rewrites `@v1`/`@v2`/`@v3…` tags to `@v4` when that is safe for
    the whole run (including local reusable workflows and composite actions it uses, and the
    workflow a `run-id` download reads from): every other artifact step is fixed with it or
    already on v4+, every upload keeps a unique name under v4 (names shiplint cannot evaluate
    count as unsafe), no upload relies on hidden files, and no v1 download relied on the old
    `./<name>/` default folder. SHA pins are not rewritten: pin the SHA of a v4+ release.
    """

    code = "SL701"
    name = "artifact-action-retired"
    severity = Severity.ERROR
    summary = "upload-artifact/download-artifact v1-v3 are retired: the job fails at set-up"
    catalogue = ("A-1",)
    before = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pipx run build\n"
        "      - uses: actions/upload-artifact@v3\n        with: {name: dist, path: dist/}\n"
        "  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/download-artifact@v3\n        with: {name: dist, path: dist/}\n"
    )
    after = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pipx run build\n"
        "      - uses: actions/upload-artifact@v4\n        with: {name: dist, path: dist/}\n"
        "  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n        with: {name: dist, path: dist/}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.artifacts()
        for art in artifact_steps(project).values():
            if not art.retired:
                continue
            assert art.major is not None
            loc = ref_loc(art.step) or uses_loc(art.step)
            if loc is None:
                continue
            since, notice = f.retired[art.major]
            shown = art.ref if not art.sha else f"v{art.major}"
            help_ = (
                "GitHub fails the job before any step runs: `This request has been "
                "automatically failed because it uses a deprecated version of "
                f"`{art.action}: {shown}`. Learn more: {notice}`. Use `@{f.fix_ref}` or later "
                f"for every upload-artifact and download-artifact step of the workflow in "
                "the same change (v4+ cannot read v1-v3 artifacts); v4 artifacts are "
                "immutable, so give each upload of a run its own name."
            )
            if art.sha:
                help_ += " Pin the commit SHA of a v4+ release (with its `# vX.Y.Z` comment)."
            yield self.at(
                loc,
                f"`{art.label}` is retired (since {since}): jobs using it fail at set-up",
                help_,
                fix=upgrade_fix(project, art),
            )


# --- SL702 ------------------------------------------------------------------------------------


@register
class ArtifactVersionMismatch(Rule):
    """upload-artifact and download-artifact of one pipeline are on incompatible majors.

    v4 moved artifacts to a new backend. A `download-artifact@v4` (or later) cannot see
    artifacts uploaded by `upload-artifact@v3` (or older), and a v3 download cannot see v4
    uploads. This typically happens when Dependabot or a hand edit bumps only one side:

    `Unable to download artifact(s): Artifact not found for name: dist Please ensure that
    your artifact is not expired and the artifact was uploaded using a compatible version of
    toolkit/upload-artifact.`

    shiplint pairs each download (and each `upload-artifact/merge`, which reads the
    artifacts its `pattern` matches) with the uploads of the same run that it asks for
    (`name`, `pattern`, or all), including local reusable workflows and composite actions,
    and a `workflow_run` workflow's downloads (`run-id` + `github-token`) with the uploads
    of the workflows that trigger it. It reports the download step, naming the upload.

    Fix: put both sides on the same major, v4 or later (v1-v3 are retired: SL701).
    """

    code = "SL702"
    name = "artifact-version-mismatch"
    severity = Severity.ERROR
    summary = "download-artifact and upload-artifact on incompatible majors (v3 vs v4+)"
    catalogue = ("A-2",)
    before = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/upload-artifact@v3\n        with: {name: dist, path: dist/}\n"
        "  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n        with: {name: dist, path: dist/}\n"
    )
    after = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/upload-artifact@v4\n        with: {name: dist, path: dist/}\n"
        "  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n        with: {name: dist, path: dist/}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        reported: set[int] = set()
        for run in runs(project):
            uploads = [o for o in run.occurrences if o.art.kind != DOWNLOAD]
            for occ in run.occurrences:
                art = occ.art
                if art.kind == UPLOAD or art.generation is None or id(art) in reported:
                    continue
                if art.kind == DOWNLOAD and downloads_other_run(art):
                    candidates = [
                        o
                        for r in triggering_runs(project, run)
                        for o in r.occurrences
                        if o.art.kind != DOWNLOAD
                    ]
                else:
                    candidates = uploads
                for upload in candidates:
                    gen = upload.art.generation
                    if gen is None or gen == art.generation:
                        continue
                    if not download_reads(project, occ, upload):
                        continue
                    finding = self._finding(occ, upload)
                    if finding is not None:
                        reported.add(id(art))
                        yield finding
                    break

    def _finding(self, download: Occurrence, upload: Occurrence) -> Finding | None:
        art = download.art
        loc = ref_loc(art.step) or uses_loc(art.step)
        if loc is None:
            return None
        up = upload.art
        up_src = step_source(up.step)
        where = f"line {up.line}"
        if up_src is not None and loc.source.rel != up_src.rel:
            where = f"{up_src.rel}:{up.line}"
        f = facts_mod.artifacts()
        new, old = (art, up) if art.generation == "new" else (up, art)
        return self.at(
            loc,
            f"`{art.label}` cannot read artifacts of `{up.label}` ({where}, job "
            f"`{upload.job.id}`): v{f.backend_major}+ and older majors use different backends",
            f"`{new.label}` and `{old.label}` do not see each other's artifacts; the download "
            f"fails with `{_ERR_MIXED}` Put both on the same major, "
            f"`@{f.fix_ref}` or later (v1-v3 are retired).",
        )


# --- SL703 ------------------------------------------------------------------------------------


def _name_loc(art: ArtifactStep) -> Loc | None:
    got = name_scalar(art)
    src = step_source(art.step)
    if got is not None and src is not None:
        return Loc(src, got.start, got.end)
    return uses_loc(art.step)


def _where(art: ArtifactStep, other: ArtifactStep) -> str:
    src, other_src = step_source(art.step), step_source(other.step)
    if src is not None and other_src is not None and src.rel != other_src.rel:
        return f"{other_src.rel}:{other.line}"
    return f"line {other.line}"


@register
class ArtifactNameCollision(Rule):
    """Two uploads of one workflow run use the same artifact name (upload-artifact v4+).

    From v4, artifacts are immutable and their names are unique within a workflow run. The
    second upload with a name already taken fails:

    `Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict:
    an artifact with this name already exists on the workflow run`

    It happens with a constant `name:` in a job with `strategy.matrix` (every leg uploads
    `wheels`), with the same name in two jobs or steps (an sdist job and a wheel job both
    uploading `dist`), and with a step in a reusable workflow or composite action that runs
    more than once. Without `name:` the artifact is called `artifact` (with `archive: false`,
    v7+, it takes the name of the file).

    shiplint evaluates, for every matrix leg and every call of a local reusable workflow
    (with the inputs that call passes, defaults included), the name (`${{ matrix.* }}`,
    `${{ strategy.job-index }}`, `${{ runner.os }}`, `env`, `inputs`) and the `if:` of the
    step, of the composite-action steps leading to it, of its job and of the jobs calling
    it (`matrix.*`, `runner.os` from `runs-on`, `inputs.*`, the event). Uploads that cannot
    run in the same run never collide. The severity says how certain the failure is:

    * error: both uploads certainly run and certainly create their artifact — the path is
      the output of a build step of the job (the cibuildwheel action or command,
      `python -m build`) or `if-no-files-found: error` (then the step fails either way);
    * warning: it depends on what shiplint cannot see — an `if:` it cannot evaluate (a step
      output, a secret, a computed matrix), files a path may not match (with the default
      `if-no-files-found: warn` or `ignore`, an upload that finds no file creates no
      artifact), `continue-on-error`, or which of two uploads finishes first when only one
      has `overwrite: true`; the message says what to check;
    * info: no passing run fails — the uploads only run after a failure (`if: failure()`:
      the run has failed already, the later leg's files are lost), both have
      `continue-on-error`, or `overwrite: true` (v4.2+) deletes the earlier artifact first
      (the last upload wins; used on every leg of a matrix it keeps one leg's files).

    Fix: make the name unique, e.g. `name: wheels-${{ matrix.os }}-${{ strategy.job-index }}`,
    and download them together with `pattern: wheels-*` and `merge-multiple: true`.
    """

    code = "SL703"
    name = "artifact-name-collision"
    severity = Severity.ERROR
    summary = "Same artifact name uploaded twice in one run: upload-artifact v4+ fails with 409"
    catalogue = ("A-3",)
    before = (
        "on: push\njobs:\n  wheels:\n    strategy:\n      matrix:\n"
        "        os: [ubuntu-latest, windows-latest, macos-latest]\n"
        "    runs-on: ${{ matrix.os }}\n    steps:\n"
        "      - uses: pypa/cibuildwheel@v3.1.4\n"
        "      - uses: actions/upload-artifact@v4\n"
        "        with: {name: wheels, path: wheelhouse/*.whl}\n"
    )
    after = (
        "on: push\njobs:\n  wheels:\n    strategy:\n      matrix:\n"
        "        os: [ubuntu-latest, windows-latest, macos-latest]\n"
        "    runs-on: ${{ matrix.os }}\n    steps:\n"
        "      - uses: pypa/cibuildwheel@v3.1.4\n"
        "      - uses: actions/upload-artifact@v4\n"
        "        with: {name: 'wheels-${{ matrix.os }}', path: wheelhouse/*.whl}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        chosen: dict[int, Conflict] = {}
        for run in runs(project):
            for conflict in run_conflicts(project, run, assume_v4=False):
                key = id(conflict.second.occ.art)
                seen = chosen.get(key)
                if seen is None or conflict.severity.rank > seen.severity.rank:
                    chosen[key] = conflict
        for conflict in chosen.values():
            finding = self._finding(conflict)
            if finding is not None:
                yield finding

    def _finding(self, conflict: Conflict) -> Finding | None:
        second = conflict.second
        art = second.occ.art
        loc = _name_loc(art)
        if loc is None:
            return None
        raw = raw_name(art)
        job = second.occ.job
        shown = f"`{raw}`" if raw == conflict.name else f"`{raw}` (`{conflict.name}`)"
        first = conflict.first
        if conflict.kind != "repeat" and first.occ.art is not art:
            other = first.occ
            where = (
                f"also uploaded by the step on {_where(art, other.art)} (job "
                f"`{other.job.id}`) in the same run"
            )
            fix = (
                "Give each upload its own name (and download them with `pattern:` + "
                "`merge-multiple: true`)"
            )
        else:
            if first.leg.index != second.leg.index and second.occ.instance is first.occ.instance:
                unused = [a for a in matrix_axes(job) if f"matrix.{a.lower()}" not in raw.lower()]
                parts = ["${{ matrix." + a + " }}" for a in unused[:2]]
                suggestion = "-".join(parts) or "${{ strategy.job-index }}"
                legs = f"{_leg_text(first.leg)} and {_leg_text(second.leg)}"
                where = f"uploaded in more than one leg of the `{job.id}` matrix ({legs})"
            else:
                suggestion = "${{ inputs.<name> }}"
                where = "uploaded each time its reusable workflow or composite action runs"
            fix = (
                f"Make the name unique, e.g. `name: {raw}-{suggestion}`, and download them "
                "together with `pattern:` + `merge-multiple: true`"
            )
        if conflict.kind == "overwrite":
            return self.at(
                loc,
                f"artifact {shown} is {where} with `overwrite: true`: only the last "
                "upload's files are kept",
                "Each upload deletes the earlier artifact of that name, so nothing fails but "
                f"the files of the other uploads are lost. If every upload's files are "
                f"wanted: {fix[0].lower()}{fix[1:]}.",
                severity=Severity.INFO,
            )
        if conflict.severity is Severity.INFO:
            return self.at(
                loc,
                f"artifact {shown} is {where}; {_INFO_WHY[conflict.doubts[0]]}",
                f"When both find files, the later upload fails with `{_ERR_409}` and its files are "
                f"lost. {fix}.",
                severity=Severity.INFO,
            )
        if conflict.severity is Severity.WARNING:
            checks = "; ".join(_DOUBTS[d] for d in conflict.doubts)
            return self.at(
                loc,
                f"artifact {shown} is {where}: if both uploads create an artifact, "
                "the second fails with 409",
                f"upload-artifact v4+ fails with `{_ERR_409}`. Whether both create one depends "
                f"on what shiplint cannot see: {checks}. {fix}.",
                severity=Severity.WARNING,
            )
        return self.at(
            loc,
            f"artifact {shown} is {where}: the second upload fails with 409",
            f"upload-artifact v4+ fails with `{_ERR_409}`. {fix}, or set `overwrite: true` "
            "on the later one if replacing the first is intended.",
        )


#: why an INFO collision fails no passing run
_INFO_WHY = {
    "after-failure": "these uploads only run after a failure, so when two of them run the "
    "run has already failed",
    "continue-on-error": "both steps have `continue-on-error`, so the failing upload does "
    "not fail its job",
}

#: what a WARNING collision depends on
_DOUBTS = {
    "condition": "whether each upload's `if:` (or its job's) holds",
    "files": "whether each upload's `path` matches files (with `if-no-files-found: warn` or "
    "`ignore` an upload that finds none creates no artifact)",
    "matrix": "how many legs the matrix computed at run time has",
    "overwrite": "`overwrite` (set on one upload only, by an expression, or in a release "
    "that may predate it): which upload runs last",
    "continue-on-error": "`continue-on-error`: whether the failing upload fails its job",
}


def _leg_text(leg: Leg) -> str:
    if leg.values is None:
        return f"leg {leg.index + 1}"
    return "{" + ", ".join(f"{k}: {v}" for k, v in leg.values.items()) + "}"


# --- SL704 ------------------------------------------------------------------------------------


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
