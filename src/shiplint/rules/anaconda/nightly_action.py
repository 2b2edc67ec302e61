"""scientific-python/upload-nightly-action: SL604 upload-nightly-version (a release
that fails on this runner or with these inputs) and SL605 upload-nightly-unpinned (not
pinned to a commit SHA)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.gha.runners import ARM64, LINUX, MACOS, WINDOWS, runners, step_may_run_on
from shiplint.model import Loc, Value
from shiplint.parse.yamlnodes import YScalar, trailing_comment
from shiplint.rules import register
from shiplint.rules.anaconda.common import _nightly_ref, _version_or_none
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel, Step, Upload
    from shiplint.project import Project
    from shiplint.source import SourceFile


# --- SL604 / SL605: upload-nightly-action ------------------------------------------------------


def _ref_loc(src: SourceFile, uses: YScalar) -> Loc | None:
    """Where the ref after ``@`` is written in a ``uses:`` value."""
    text = src.text or ""
    written = text[uses.start : uses.end]
    at = written.find("@")
    if at == -1:
        return None
    end = uses.end
    if written and written[0] in "\"'" and written.endswith(written[0]):
        end -= 1
    return Loc(src, uses.start + at + 1, end)


def _nightly_steps(model: ReleaseModel) -> Iterator[tuple[Upload, Step]]:
    for upload in model.uploads:
        if upload.tool == "upload-nightly-action" and upload.step is not None:
            yield upload, upload.step


@register
class UploadNightlyVersion(Rule):
    """scientific-python/upload-nightly-action at a release that cannot work here.

    Which release a step runs is read from its tag, from shiplint's table of release
    commits for a SHA pin (it wins over the pin's comment), or from an exact `# 0.x.y`
    comment after a SHA the table does not know. Four combinations fail:

    * **before 0.6.0 on a macOS or Windows runner**: those releases are Docker container
      actions, which GitHub runs only on Linux: `Container action is only supported on
      Linux` (upload-nightly-action#71). Reported at the runner label.
    * **0.6.0**: the release looks for its `pixi.lock` in the calling repository (0.6.1
      fixed it to use the action's own folder); every run fails with
      `Error: Failed to generate cache key: Error: ENOENT: no such file or directory, open
      'pixi.lock'` (#106, fixed in 0.6.1). Reported at the ref.
    * **0.6.0 to 0.6.2 on linux-aarch64 or Windows runners**: their pixi environment exists
      only for linux-64, osx-64 and osx-arm64; 0.6.3 added linux-aarch64 and win-64.
      Reported at the runner label.
    * **`anaconda_nightly_upload_organization` / `anaconda_nightly_upload_labels` before
      0.3.0**: the inputs do not exist yet; GitHub only warns about an unexpected input
      and the wheels go to the default org and label. Reported at the input.

    A job or step `if:` that keeps the step off the runner (`runner.os == 'Linux'`,
    `matrix.os == 'ubuntu-latest'`) is taken into account.

    Fix: pin the latest release by SHA with its version in a comment, and upload from a
    Linux job that downloads the wheels built elsewhere.
    """

    code = "SL604"
    name = "upload-nightly-version"
    severity = Severity.ERROR
    summary = "upload-nightly-action release that fails on this runner or with these inputs"
    catalogue = ("E-8",)
    before = (
        "upload:\n  runs-on: ${{ matrix.os }}\n  strategy:\n    matrix:\n"
        "      os: [ubuntu-latest, macos-14, windows-latest]\n  steps:\n"
        "    - uses: scientific-python/upload-nightly-action@0.5.0\n"
        "      with:\n        artifacts_path: dist\n"
        "        anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "upload:\n  runs-on: ubuntu-latest\n  steps:\n"
        "    - uses: scientific-python/upload-nightly-action@"
        "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4\n"
        "      with:\n        artifacts_path: dist\n"
        "        anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().upload_nightly
        raw = f.raw
        composite = f.threshold("composite-since")
        all_platforms = f.threshold("all-platforms-since")
        org_since = f.threshold("org-labels-inputs-since")
        broken = {v for v in (_version_or_none(str(b)) for b in raw.get("broken", ())) if v}
        sha, latest = _nightly_ref()
        pin = f"`{f.repo}@{sha} # {latest}`"
        for upload, step in _nightly_steps(project.model):
            version = upload.version
            if version is None or step.uses is None:
                continue
            src = upload.loc.source
            ref_loc = _ref_loc(src, step.uses) or upload.loc
            if version in broken:
                yield self.at(
                    ref_loc,
                    f"upload-nightly-action {version} is a broken release",
                    f"Release {version} looks for its `pixi.lock` in your repository instead "
                    "of the action's folder, so every run fails with `Error: Failed to "
                    "generate cache key: Error: ENOENT: no such file or directory, open "
                    f"'pixi.lock'` (fixed in 0.6.1). Use the latest release: {pin}.",
                )
            if version < org_since and step.with_ is not None:
                for input_name in (raw["org-input"], raw["labels-input"]):
                    key = step.with_.key(input_name)
                    if key is None:
                        continue
                    yield self.at(
                        Loc(src, key.start, key.end),
                        f"`{input_name}` does not exist in upload-nightly-action {version}",
                        f"The input was added in {org_since}. Older releases ignore it (GitHub "
                        "only warns `Unexpected input(s)`), so the wheels are uploaded to "
                        f"the default org `{facts_mod.load().nightly_org}` with the default "
                        f"label. Update the action: {pin}.",
                    )
            job = upload.job
            if job is None or job.workflow is None or job.workflow.source.kind != "workflow":
                continue
            for runner in runners(job):
                if not step_may_run_on(runner, step):
                    continue
                if version < composite and runner.os in (MACOS, WINDOWS):
                    label = runner.os_label
                    if label is None:
                        continue
                    yield from self._runner_finding(
                        label,
                        f"upload-nightly-action {version} cannot run on `{label.text}`: it is "
                        "a Docker container action",
                        f"Releases before {composite} are container actions, which GitHub runs "
                        "only on Linux runners: the step fails with `Container action is only "
                        "supported on Linux`. Upload from a separate `ubuntu-latest` job that "
                        "downloads the wheels built on the other runners, and update the "
                        f"action: {pin}.",
                    )
                elif composite <= version < all_platforms:
                    if runner.os == WINDOWS:
                        label = runner.os_label
                    elif runner.os == LINUX and runner.arch == ARM64:
                        label = runner.arch_label
                    else:
                        continue
                    if label is None:
                        continue
                    yield from self._runner_finding(
                        label,
                        f"upload-nightly-action {version} does not support the `{label.text}` "
                        "runner",
                        f"From {composite} until {all_platforms}, the action's pixi "
                        "environment covered linux-64, osx-64 and osx-arm64 only; "
                        f"{all_platforms} added linux-aarch64 and win-64. Update the action "
                        f"({pin}) or upload from an `ubuntu-latest` job.",
                    )

    def _runner_finding(self, label: Value, message: str, help: str) -> Iterator[Finding]:
        if label.loc is not None:
            yield self.at(label.loc, message, help)


@register
class UploadNightlyUnpinned(Rule):
    """scientific-python/upload-nightly-action is used at a branch or tag, not a commit SHA.

    The action receives the Anaconda upload token. A branch such as `@main` (the ref in
    SPEC 4's example) or a tag can be moved to other code at any time, and the next
    nightly run hands your token to it; a new release can also change behaviour without a
    change in your repository.

    Fix: pin the commit of a release and keep its version in a comment, e.g.
    `scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4`,
    and let Dependabot or Renovate propose updates.
    """

    code = "SL605"
    name = "upload-nightly-unpinned"
    severity = Severity.WARNING
    summary = "upload-nightly-action (which holds the upload token) is not pinned to a SHA"
    catalogue = ("E-8", "S-11")
    before = (
        "- uses: scientific-python/upload-nightly-action@main\n  with:\n"
        "    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().upload_nightly
        sha, latest = _nightly_ref()
        for upload, step in _nightly_steps(project.model):
            ref = upload.ref
            release = upload.release or gha_refs.resolve(ref, None, gha_refs.upload_nightly())
            if not ref or release.kind == gha_refs.SHA or step.uses is None:
                continue
            if release.kind in (gha_refs.UNKNOWN, gha_refs.SHORT_SHA):
                continue  # a ref that does not exist: SL209
            src = upload.loc.source
            loc = _ref_loc(src, step.uses)
            if loc is None:
                continue
            kind = "branch" if release.kind == gha_refs.BRANCH else "ref"
            fix = None
            if sha and loc.text == ref:
                edits = [Edit(loc.start, loc.end, sha)]
                text = src.text or ""
                line_end = text.find("\n", step.uses.end)
                rest = text[step.uses.end : len(text) if line_end == -1 else line_end]
                if trailing_comment(src, step.uses) is None and not rest.strip():
                    edits.append(Edit(step.uses.end, step.uses.end, f" # {latest}"))
                    fix = Fix(f"pin release {latest} by its commit SHA", tuple(edits), safe=False)
            yield self.at(
                loc,
                f"upload-nightly-action is used at {kind} `{ref}`, not at a commit SHA",
                "This action is handed the Anaconda upload token; a branch or tag can be "
                "moved to other code that then runs with the token on the next nightly. Pin "
                f"a release's commit with its version as a comment: `{f.repo}@{sha} # "
                f"{latest}`, and let Dependabot or Renovate update it.",
                fix=fix,
            )
