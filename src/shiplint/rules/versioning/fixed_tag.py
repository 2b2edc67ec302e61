"""SL724: distributions rebuilt from a fixed, written-in version tag and uploaded to PyPI
(P-15: new files for a release older than 14 days)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import input_scalar
from shiplint.rules.versioning.builds import build_at, feeding_jobs, own_checkout
from shiplint.rules.versioning.uploads import index_name, pypi_uploads

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel
    from shiplint.parse.yamlnodes import YScalar
    from shiplint.project import Project


#: a version tag written as a literal checkout ref (``v1.2.3``, ``refs/tags/1.4.0rc1``)
_VERSION_TAG = LazyPattern(r"(?:refs/tags/)?[vV]?\d+(?:\.\d+)+(?:[.-]?(?:a|b|rc|post|dev)\.?\d*)*")
_CHECKOUT = "actions/checkout"

_OLD_400 = "`400 Uploading new files to releases older than 14 days is not allowed.`"


def fixed_tag_checkouts(model: ReleaseModel, job: Job) -> Iterator[tuple[YScalar, Job]]:
    """Checkouts of this repository at a literal version tag, in a job that feeds ``job``,
    followed by a build of the project in that job."""
    for build_job, _via in feeding_jobs(model, job):
        ref: YScalar | None = None
        for step in build_job.steps:
            if (step.action or "").lower() == _CHECKOUT:
                ref = None
                if own_checkout(step):
                    got = input_scalar(step, "ref")
                    text = got.value.strip() if got is not None else ""
                    if got is not None and _VERSION_TAG.fullmatch(text):
                        ref = got
                continue
            if ref is not None and build_at(model, step) is True:
                yield ref, build_job
                break


@register
class FixedTagRebuildUpload(Rule):
    """A workflow rebuilds the distributions of one fixed version tag and uploads them.

    `actions/checkout` with `ref: v1.2.3` written into the workflow builds that old
    release every time the workflow runs. Since July 2026 PyPI refuses new files for a
    release created more than 14 days ago (pypi/warehouse#19727, `forklift/legacy.py`:
    `MAXIMUM_AGE_FOR_NEW_UPLOADS_DAYS = 14`), so the wheels such a workflow exists to add
    (a new Python version, a new platform) fail with

    `400 Uploading new files to releases older than 14 days is not allowed.`

    and files with an existing name but other bytes fail with `File already exists`. Only
    byte-identical files pass (PyPI answers 200 for a duplicate; `skip-existing` skips
    them). A warning, not an error: the upload works while the release is new, or the
    first time the tag is published.

    Only a literal version tag is reported: a ref given as a `workflow_dispatch` input or
    taken from the triggering tag usually names the release being made now.

    Fix: publish new wheels as a new release (a post release `1.2.3.post1`, or the next
    version), and build from the run's own tag (drop the fixed `ref:`).

    Sources: pypi/warehouse warehouse/forklift/legacy.py (the "closed-release" check, after
    the duplicate-file check that answers `HTTPOk`), PR #19727 (2026-07-08); #20260.
    """

    code = "SL724"
    name = "fixed-tag-rebuild-upload"
    severity = Severity.WARNING
    summary = "A fixed version tag is rebuilt and uploaded: PyPI refuses new files after 14 days"
    catalogue = ("P-15",)
    before = (
        "steps:\n  - uses: actions/checkout@v4\n    with:\n      ref: v1.2.3\n"
        "  - run: python -m build\n  - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "steps:\n  - uses: actions/checkout@v4\n  - run: python -m build\n"
        "  - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        seen: set[int] = set()
        for upload in pypi_uploads(project):
            job = upload.context.job
            if job is None or job.workflow is None or upload.dry_run:
                continue
            for ref, build_job in fixed_tag_checkouts(model, job):
                if id(ref) in seen:
                    continue
                seen.add(id(ref))
                src = build_job.workflow.source if build_job.workflow else None
                if src is None:
                    continue
                where = "" if build_job is job else f" (uploaded by job `{job.id}`)"
                yield self.at(
                    Loc(src, ref.start, ref.end),
                    f"this job rebuilds the fixed tag `{ref.value.strip()}` and uploads it to "
                    f"{index_name(upload)}{where}: new files for a release older than 14 days "
                    "are refused",
                    f"PyPI answers {_OLD_400} for any file the release does not have yet, and "
                    "`File already exists` for a rebuilt file with other bytes. Publish new "
                    "wheels as a new (post) release built from the run's own tag.",
                )
