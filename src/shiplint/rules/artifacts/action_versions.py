"""SL701, SL702: retired majors of actions/upload-artifact and download-artifact, and
upload/download pairs on majors that cannot see each other's artifacts (A-1, A-2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.model.artifacts import DOWNLOAD, UPLOAD, artifact_steps, runs, triggering_runs
from shiplint.rules import register
from shiplint.rules.artifact_names import download_reads, downloads_other_run
from shiplint.rules.artifact_upgrade import upgrade_fix
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import ref_loc, step_source, uses_loc

if TYPE_CHECKING:
    from shiplint.model.artifacts import Occurrence
    from shiplint.project import Project


_ERR_MIXED = (
    "Unable to download artifact(s): Artifact not found for name: … Please ensure that your "
    "artifact is not expired and the artifact was uploaded using a compatible version of "
    "toolkit/upload-artifact."
)


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
