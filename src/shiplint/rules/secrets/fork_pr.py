"""SL406 upload-on-fork-pr: a token upload reachable on ``pull_request`` without a
guard, and :func:`shell_guarded`, the event or ref test in the shell code around an upload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.gha.conditions import PR_TRIGGERS, fork_pr_facts
from shiplint.gha.scenarios import CERTAIN, Reach, reach
from shiplint.lazyre import LazyPattern
from shiplint.model.workflows import callers
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.secrets.common import _what

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload, Workflow
    from shiplint.project import Project


# --- SL406 -------------------------------------------------------------------------------------

_SHELL_EVENT = LazyPattern(
    r"\$\{?GITHUB_(?:EVENT_NAME|REF|REF_NAME|REF_TYPE|HEAD_REF)\b"
    r"|github\.(?:event_name|ref|ref_type|ref_name)\b"
)


def _fork_pr_reach(
    project: Project,
    workflow: Workflow,
    job: Job,
    step: Step | None,
    trigger: str,
    condition: str | None = None,
) -> Reach:
    """Whether the job (and step) runs for a fork pull request, as far as ``if:`` (and the
    upload's own ``condition``) tell."""
    return reach(project, workflow, job, step, fork_pr_facts(trigger), condition=condition)


def shell_guarded(upload: Upload) -> bool:
    """An event or ref test in the shell code around the upload (run block or script):
    ``$GITHUB_EVENT_NAME``, ``$GITHUB_REF``, or a variable the workflow computes from them
    (``IS_PUSH: ${{ github.event_name == 'push' }}``)."""
    text = upload.source.text or ""
    if upload.context.origin == "script":
        code = text
    elif upload.step is not None and upload.step.run is not None:
        code = text[upload.step.run.start : upload.step.run.end]
    else:
        return False
    if _SHELL_EVENT.search(code):
        return True
    env = upload.command.env if upload.command is not None else {}
    derived = [name for name, value in env.items() if _SHELL_EVENT.search(value.text)]
    return any(re.search(rf"\$\{{?{re.escape(name)}\b", code) for name in derived)


@register
class UploadOnForkPr(Rule):
    """A token upload can run for pull requests.

    GitHub does not pass secrets (except `GITHUB_TOKEN`) to `pull_request` runs from forks:
    a token-based upload reachable on `pull_request` fails for every outside contributor
    (the token is empty: 401/403, or a silent skip), and for pull requests from
    branches of the repository it publishes unreviewed code. On `pull_request_target` the
    secrets *are* available, to code anyone can propose.

    A guard is an `if:` on the job or step (or a job it `needs`) that keeps pull requests
    out: `github.event_name != 'pull_request'`, an `==` test on another event, a tag or
    branch ref test (`startsWith(github.ref, 'refs/tags/')`), or the same-repository test
    `github.event.pull_request.head.repo.full_name == github.repository`. A check that the
    token is non-empty is not a guard: same-repository pull requests still upload.
    When the way to the upload depends on something shiplint cannot evaluate (a step or job
    output, a label, a variable, or a gate step — `echo …; exit 1` under such an `if:` — in
    a job it needs), or `continue-on-error` keeps fork pull requests green, the finding is
    information. Uploads by trusted publishing are covered by SL302.

    Fix: publish only from `push` of tags, `release`, `schedule` or `workflow_dispatch`, or
    add `if: github.event_name != 'pull_request'` to the upload job.
    """

    code = "SL406"
    name = "upload-on-fork-pr"
    severity = Severity.WARNING
    summary = "Token-based upload reachable on pull_request without a guard"
    catalogue = ("S-6",)
    before = (
        "on: [push, pull_request]\njobs:\n  upload:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: anaconda upload --force dist/*.whl\n        env:\n"
        "          ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "on: [push, pull_request]\njobs:\n  upload:\n"
        "    if: github.event_name != 'pull_request'\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: anaconda upload --force dist/*.whl\n        env:\n"
        "          ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    #: undecidable conditions: say what to check; under `continue-on-error` fork pull
    #: requests stay green (same-repository ones still publish: say so, as information)
    uncertain = Severity.INFO
    tolerated = Severity.INFO

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        for upload in model.uploads:
            if upload.oidc or not upload.token_credentials or upload.dry_run:
                continue
            job = upload.job
            workflow = upload.context.workflow
            if job is None or workflow is None or job.workflow is not workflow:
                continue
            if workflow.source.kind != "workflow":
                continue
            entries: list[tuple[str, Job | None, Reach]] = [
                (t, None, CERTAIN) for t in PR_TRIGGERS if t in workflow.triggers
            ]
            if workflow.is_reusable:
                for caller in callers(model, workflow):
                    if caller.workflow is None:
                        continue
                    for t in PR_TRIGGERS:
                        if t not in caller.workflow.triggers:
                            continue
                        called = _fork_pr_reach(project, caller.workflow, caller, None, t)
                        if called.runs is not False:
                            entries.append((t, caller, called))
            found: tuple[str, Job | None, Reach, Severity] | None = None
            for trigger, via_job, through in entries:
                got = (
                    _fork_pr_reach(project, workflow, job, upload.step, trigger, upload.condition)
                    & through
                )
                level = got.severity(
                    self.severity, uncertain=self.uncertain, tolerated=self.tolerated
                )
                if level is not None and (found is None or level.rank > found[3].rank):
                    found = (trigger, via_job, got, level)
            if found is None or shell_guarded(upload):  # (last: it reads the whole script)
                continue
            trigger, via_job, got, level = found
            via = ""
            if via_job is not None and via_job.workflow is not None:
                via = f" (called by job `{via_job.id}` of `{via_job.workflow.source.rel}`)"
            guard = (
                "unless a condition shiplint cannot evaluate keeps it out"
                if got.runs is None
                else "with no guard"
            )
            if trigger == "pull_request":
                message = (
                    f"{_what(upload)} runs on `pull_request`{via} {guard}: fork "
                    "pull requests get no secrets"
                )
                why = (
                    "Runs for pull requests from forks get empty secrets, so this upload "
                    "fails for outside contributors, and pull requests from branches of "
                    "this repository publish unreviewed code."
                )
            else:
                message = (
                    f"{_what(upload)} runs on `pull_request_target`{via} {guard}: "
                    "anyone opening a pull request triggers a publish"
                )
                why = (
                    "`pull_request_target` runs with the repository's secrets for pull "
                    "requests from anyone."
                )
            note = got.doubt()
            yield self.at(
                upload.loc,
                message,
                f"{why} Add `if: github.event_name != '{trigger}'` to the job (or publish "
                "only on tags, releases, schedule or workflow_dispatch); to keep same-"
                "repository pull request uploads use `if: github.event.pull_request.head.repo."
                f"full_name == github.repository`.{note}",
                severity=level,
            )
