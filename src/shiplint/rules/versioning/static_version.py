"""SL723: a static version uploaded on every push to a branch (P-10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.gha.scenarios import at_most
from shiplint.lazyre import LazyPattern
from shiplint.pkg.build_backend import analyze
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import ACTION_TOOL, input_scalar
from shiplint.rules.versioning.builds import publishes_root_project
from shiplint.rules.versioning.runs import Policy, upload_reach
from shiplint.rules.versioning.uploads import (
    bumps_version,
    index_name,
    pypi_uploads,
    version_overridden,
    version_where,
)

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.project import Project


_EXISTS_400 = (
    "`400 File already exists ('example-1.0-py3-none-any.whl', with blake2_256 hash '…'). "
    "See https://pypi.org/help/#file-name-reuse`"
)


def _skips_existing(upload: Upload) -> bool:
    if upload.tool == ACTION_TOOL:
        step = upload.context.step
        if step is None:
            return False
        setting = input_scalar(step, "skip-existing", "skip_existing")
        return setting is not None and setting.value.strip().lower() not in ("false", "")
    options = upload.options
    if "--skip-existing" in options or "--check-url" in options:
        return True
    cmd = upload.command
    if cmd is not None and any(a.text.startswith("--check-url=") for a in cmd.args):
        return True
    return cmd is not None and "UV_PUBLISH_CHECK_URL" in cmd.env


_MAKES_RELEASE = LazyPattern(r"\bgh\s+release\s+create\b|\bgit\s+tag\s+(?!-[dl]\b)[^\s|;&]")


def _releases_each_run(project: Project, upload: Upload) -> bool:
    """Whether the upload's workflow also creates a GitHub release or a tag (a release
    action, `gh release create`, `git tag NAME`): each run is then a release."""
    workflow = upload.context.workflow
    if workflow is None:
        return False
    actions = {a.lower() for a in facts_mod.toml_data()["github"]["release-actions"]}
    for job in workflow.jobs.values():
        for step in job.steps:
            if (step.action or "").lower() in actions:
                return True
            if step.run is not None and _MAKES_RELEASE.search(step.run.value):
                return True
    return False


@register
class StaticVersionUploadOnPush(Rule):
    """A static version is uploaded on every push to a branch.

    PyPI never accepts the same file name twice. When `[project].version` (or the version in
    setup.cfg/setup.py) is a fixed string and the upload runs for every push to a branch,
    the first push after a release uploads `1.0`, and every later push until the next
    version bump fails:

    `400 File already exists ('sierralocal-0.4.1-py3-none-any.whl', with blake2_256 hash
    '…'). See https://pypi.org/help/#file-name-reuse`

    Reported for uploads to PyPI/TestPyPI in a workflow triggered by `push` to branches, when
    the upload's `if:` does not keep it to tags, nothing skips files that already exist
    (`skip-existing: true` for pypa/gh-action-pypi-publish, `--skip-existing` for twine,
    poetry, pdm and maturin, `--check-url` for uv) and the workflow does not rewrite the
    version (`poetry version`, `hatch version`, bump-my-version, `sed … version` ...). A
    re-upload under `continue-on-error: true` is tolerated the way `skip-existing` is and
    not reported. The finding is information when an `if:` shiplint cannot evaluate
    decides whether the upload runs (a release-please or stainless step output saying a
    release was created), and when the workflow also creates a release or tag for the
    pushed version (a release action, `gh release create`, `git tag`): the branch is then a
    release branch whose pushes carry new versions by the project's process.

    Fix: publish from tag pushes or releases; or, if the workflow is meant to publish
    whenever the version changes, set `skip-existing: true` so that pushes without a new
    version succeed.
    """

    code = "SL723"
    on_examples = False
    name = "static-version-upload-on-push"
    severity = Severity.ERROR
    summary = "Static version uploaded on every push to a branch (File already exists)"
    catalogue = ("P-10",)
    before = (
        "on:\n  push:\n    branches: [main]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    #: an upload that may not run on every push: say what to check; `continue-on-error` on a
    #: re-upload is what `skip-existing` does
    policy = Policy(Severity.ERROR, uncertain=Severity.INFO, tolerated=None)

    def check(self, project: Project) -> Iterator[Finding]:
        version = analyze(project).version
        if version.kind != "static" or "+" in version.text:
            return  # a local version cannot be uploaded: a workspace root, not the package
        model = project.model
        seen: set[tuple[str, int]] = set()
        for upload in pypi_uploads(project):
            found = upload_reach(project, upload, self.policy, push_only=True)
            if found is None or _skips_existing(upload) or bumps_version(upload):
                continue
            if version_overridden(project, upload) or not publishes_root_project(
                model, upload.context.job
            ):
                continue
            key = (upload.source.rel, upload.loc.start)
            if key in seen:
                continue
            seen.add(key)
            index = index_name(upload)
            option = (
                "`skip-existing: true`"
                if upload.tool == ACTION_TOOL
                else ("`--check-url`" if upload.tool == "uv" else "`--skip-existing`")
            )
            severity: Severity | None = found.severity
            note = found.note()
            if _releases_each_run(project, upload):
                severity = at_most(severity, self.policy.uncertain)
                note += (
                    " The workflow also creates a release or tag for the pushed version, so the "
                    "branch looks like a release branch where every push carries a new "
                    "version: check that nothing else is pushed to it."
                )
            if severity is None:
                continue
            yield self.at(
                upload.loc,
                f"this upload to {index} runs on {found.what}, but the version is the static "
                f"`{version.text}`{version_where(version)}: every push after the first one "
                "uploads the same files again",
                f"{index} refuses them: {_EXISTS_400}. Publish from tags or releases only, or "
                f"add {option} if pushes without a version bump should succeed.{note}",
                severity=severity,
            )
