"""SL303: trusted publishing from inside a reusable workflow (T-4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.attestations import attestations_on, runs_as_call
from shiplint.rules.publish_action.steps import ACTION_TOOL, dedupe_key
from shiplint.rules.trusted_publishing.uploads import oidc_uploads

if TYPE_CHECKING:
    from shiplint.project import Project


@register
class TrustedPublishingInReusableWorkflow(Rule):
    """Trusted publishing from inside a reusable workflow (`on: workflow_call`).

    PyPI looks up the trusted publisher by the workflow file that *contains the publishing
    job* (the `job_workflow_ref` claim), and for a called workflow that is this file, not
    the top-level workflow the release started from. A publisher registered with the
    caller's file name (the natural choice, and what PyPI's own guidance long implied by
    calling reusable workflows unsupported) fails:

    `invalid-publisher: valid token, but no corresponding publisher (Publisher with matching
    claims was not found)`

    and pypa/gh-action-pypi-publish adds that "Reusable workflows are **not currently
    supported** by PyPI's Trusted Publishing". It works only when the publisher on PyPI
    names this file, which shiplint cannot see: hence information that says what to check
    (a deploy record that names the calling workflow instead is an error, SL811). When
    pypa/gh-action-pypi-publish also makes attestations the upload fails regardless
    (SL206 reports that case instead).

    Fix: put the publish job into the top-level workflow that has the release triggers (it
    can still `needs:` a reusable build workflow and download its artifacts), or make sure
    the PyPI publisher names this reusable workflow's file, and record that in the release
    docs.
    """

    code = "SL303"
    name = "trusted-publishing-in-reusable-workflow"
    severity = Severity.INFO
    summary = "Trusted publishing inside a reusable workflow (on: workflow_call)"
    catalogue = ("T-4",)
    before = (
        "# .github/workflows/publish.yml, called by release.yml\non:\n  workflow_call:\n"
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    permissions:\n"
        "      id-token: write\n    steps:\n      - run: uv publish\n"
    )
    after = (
        "# .github/workflows/release.yml\non:\n  release:\n    types: [published]\njobs:\n"
        "  build:\n    uses: ./.github/workflows/build.yml\n  publish:\n    needs: build\n"
        "    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n      - run: uv publish\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for upload, job in oidc_uploads(project):
            workflow = job.workflow
            if workflow is None or not workflow.is_reusable:
                continue
            step = upload.context.step
            if (
                upload.tool == ACTION_TOOL
                and step is not None
                and attestations_on(upload, step) is True
                and runs_as_call(project, workflow)
            ):
                continue  # SL206 reports it
            if dedupe_key(upload.loc) in seen:
                continue
            seen.add(dedupe_key(upload.loc))
            also = ""
            if set(workflow.triggers) != {"workflow_call"}:
                also = " (when it is called from another workflow)"
            file_name = workflow.source.rel.rsplit("/", 1)[-1]
            yield self.at(
                upload.loc,
                f"trusted publishing inside a reusable workflow{also}: the PyPI publisher "
                f"must name `{file_name}`, not the calling workflow",
                "PyPI matches the workflow file that contains the publishing job; a publisher "
                "registered for the caller fails with `invalid-publisher: valid token, but no "
                "corresponding publisher`. Move the publish job into the top-level workflow "
                f"that has the release trigger, or register the publisher for `{file_name}`.",
            )
