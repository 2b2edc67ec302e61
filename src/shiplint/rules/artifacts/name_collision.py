"""SL703: two uploads of one workflow run with the same artifact name (A-3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.gha.matrix import matrix_axes
from shiplint.model import Loc
from shiplint.model.artifacts import ArtifactStep, runs
from shiplint.rules import register
from shiplint.rules.artifact_names import Conflict, name_scalar, raw_name, run_conflicts
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import step_source, uses_loc

if TYPE_CHECKING:
    from shiplint.gha.matrix import Leg
    from shiplint.project import Project


_ERR_409 = (
    "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: "
    "an artifact with this name already exists on the workflow run"
)


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
