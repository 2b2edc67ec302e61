"""SL307: trusted publishing from a job without a GitHub `environment:` (T-8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.deploy.match import default_project
from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.trusted_publishing.uploads import job_source, oidc_uploads, upload_index

if TYPE_CHECKING:
    from shiplint.project import Project


@register
class TrustedPublishingWithoutEnvironment(Rule):
    """Trusted publishing from a GitHub Actions job that declares no `environment:`.

    The upload works: a PyPI trusted publisher may leave the environment empty, and then
    any job of the named workflow file, on any branch or tag, can exchange its OIDC token
    for an upload token. Without an environment on the job the publisher cannot be
    narrowed: nothing GitHub enforces (required reviewers, "only protected tags may
    deploy") stands between someone who can run that workflow (a compromised action, a
    `pull_request_target` or `workflow_dispatch` path, a pushed branch) and the PyPI
    project. PyPI's documentation calls the environment "optional, but **strongly**
    recommended"; since January 2025 PyPI e-mails the owners when a job *with* an
    environment uses a publisher that accepts any environment, inviting them to constrain
    it (warehouse#17281) — a job without one never gets that far. zizmor's users asked for
    the same check (zizmorcore/zizmor#237, a "pedantic" finding).

    Information, not a failure: nothing breaks as configured.

    Fix: give the publishing job `environment: {name: pypi, url: https://pypi.org/p/NAME}`
    (`testpypi` for TestPyPI); GitHub creates the environment on first use. Then set the
    same name on the PyPI publisher, and protect the environment in the repository
    settings (required reviewers, deployment tags).

    Sources: pypi/warehouse docs/user/trusted-publishers/adding-a-publisher.md ("Configuring
    an environment is optional, but **strongly** recommended") and using-a-publisher.md;
    pypi/warehouse warehouse/oidc/views.py (`should_send_environment_warning_email`: an
    environment claim against a publisher without one), PR #17281 (2025-01-14);
    zizmorcore/zizmor#237.
    """

    code = "SL307"
    name = "trusted-publishing-without-environment"
    severity = Severity.INFO
    summary = "Trusted publishing from a job with no GitHub `environment:`"
    catalogue = ("T-8",)
    before = (
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    permissions:\n"
        "      id-token: write\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment:\n      name: pypi\n"
        "      url: https://pypi.org/p/NAME\n    permissions:\n      id-token: write\n"
        "    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[int] = set()
        for upload, job in oidc_uploads(project):
            if job.environment is not None or id(job) in seen or upload.dry_run:
                continue
            src = job_source(job)
            if src is None or job.id_node is None:
                continue
            seen.add(id(job))
            index = upload_index(upload)
            name = "testpypi" if index == "testpypi" else "pypi"
            host = "test.pypi.org" if index == "testpypi" else "pypi.org"
            project_name = default_project(project) or "NAME"
            yield self.at(
                Loc(src, job.id_node.start, job.id_node.end),
                f"job `{job.id}` publishes by trusted publishing without a GitHub "
                "`environment:`: the PyPI publisher cannot be limited to it",
                "Any job of this workflow file, on any ref, can then mint an upload token. "
                f"Add `environment: {{name: {name}, url: https://{host}/p/{project_name}}}` "
                "to the job, set the same environment on the PyPI publisher, and protect it "
                "(required reviewers, deployment tags) in the repository settings.",
            )
