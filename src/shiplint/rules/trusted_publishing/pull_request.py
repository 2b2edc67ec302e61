"""SL302: a trusted-publishing upload reachable from `pull_request`/`pull_request_target`
(T-2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.gha.conditions import PR_TRIGGERS, pr_facts
from shiplint.gha.scenarios import reach
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import dedupe_key
from shiplint.rules.trusted_publishing.uploads import oidc_uploads

if TYPE_CHECKING:
    from shiplint.project import Project


@register
class PublishOnPullRequest(Rule):
    """A trusted-publishing upload can run for a pull request.

    GitHub gives no OIDC token to workflows triggered by pull requests from forks, even
    with `id-token: write`, so such a run cannot publish. pypa/gh-action-pypi-publish stops
    with:

    `The workflow context indicates that this action was called from a pull request on a
    fork. GitHub doesn't give these workflows OIDC permissions, even if id-token: write is
    explicitly configured.`

    PyPI refuses trusted publishing from `pull_request_target` runs altogether
    (`Publishing from a workflow invoked via 'pull_request_target' is not supported.`), and
    such a publish could be triggered by anyone who opens a pull request.

    shiplint evaluates the job's and step's `if:` (and those of the jobs it `needs:`, with
    their `outputs:` followed) for a pull request: `startsWith(github.ref, 'refs/tags/')`,
    `github.event_name == 'release'` (or `'push'`, `'schedule'`, ...) and
    `github.event_name != 'pull_request'` exclude it, and on `pull_request` so does the
    same-repository test `github.event.pull_request.head.repo.full_name ==
    github.repository`; `github.repository == 'owner/repo'` does not, and neither do
    `github.event.inputs.*`/`inputs.*` tests, which are empty on pull requests. When the
    way to the publish depends on something shiplint cannot evaluate (a step or job output,
    a pull request label, a variable, or a *gate step* — `echo …; exit 1` under such an
    `if:` — in a job it needs), the finding is information: check that the condition keeps
    pull requests out. A publish with `continue-on-error: true` is not reported: the failed
    exchange leaves the run green. Dry runs (`uv publish --dry-run`) send nothing. This
    rule covers trusted-publishing uploads; token uploads reachable from fork pull requests
    (whose secrets are empty) are SL406.

    Fix: publish on `release` or tag pushes only, e.g. give the publish job
    `if: github.event_name == 'release'` or `if: startsWith(github.ref, 'refs/tags/')`.
    """

    code = "SL302"
    name = "publish-on-pull-request"
    severity = Severity.ERROR
    summary = "Trusted-publishing upload reachable from pull_request/pull_request_target"
    catalogue = ("T-2",)
    before = (
        "on: [push, pull_request]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      id-token: write\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "on: [push, pull_request]\njobs:\n  publish:\n"
        "    if: startsWith(github.ref, 'refs/tags/')\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      id-token: write\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    #: undecidable conditions: say what to check; under `continue-on-error` the failed
    #: exchange on a fork pull request leaves the run green and nothing else is lost
    uncertain = Severity.INFO
    tolerated = None

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for upload, job in oidc_uploads(project):
            workflow = job.workflow
            step = upload.context.step
            if workflow is None or step is None or upload.dry_run:
                continue
            if dedupe_key(upload.loc) in seen:
                continue
            reached: list[str] = []
            severity: Severity | None = None
            doubt = ""
            for trigger in PR_TRIGGERS:
                if trigger not in workflow.triggers:
                    continue
                got = reach(
                    project, workflow, job, step, pr_facts(trigger), condition=upload.condition
                )
                level = got.severity(
                    self.severity, uncertain=self.uncertain, tolerated=self.tolerated
                )
                if level is None:
                    continue
                reached.append(trigger)
                if severity is None or level.rank > severity.rank:
                    severity = level
                    doubt = got.doubt()
            if not reached or severity is None:
                continue
            seen.add(dedupe_key(upload.loc))
            names = " and ".join(f"`{t}`" for t in reached)
            whys = []
            if "pull_request" in reached:
                whys.append("fork pull requests get no OIDC token")
            if "pull_request_target" in reached:
                whys.append("PyPI refuses trusted publishing from `pull_request_target` runs")
            verb = "may run" if doubt else "can run"
            yield self.at(
                upload.loc,
                f"trusted publishing {verb} on {names}: {'; '.join(whys)}",
                "Nothing in the job's or step's `if:` (or a job it needs) certainly keeps pull "
                "requests out. On a fork pull request the OIDC exchange fails (`The workflow "
                "context indicates that this action was called from a pull request on a fork. "
                "GitHub doesn't give these workflows OIDC permissions…`); PyPI rejects tokens "
                "from `pull_request_target` (`Publishing from a workflow invoked via "
                "'pull_request_target' is not supported`). Publish on releases or tags only, "
                "e.g. `if: github.event_name == 'release'` or "
                f"`if: startsWith(github.ref, 'refs/tags/')` on the publish job.{doubt}",
                severity=severity,
            )
