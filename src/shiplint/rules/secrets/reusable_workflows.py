"""Secrets passed to and read by reusable workflows: SL402
undeclared-workflow-secret, SL403 undeclared-secret-passed and SL405 secrets-inherit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.workflows import callers, local_callee, local_uses_path
from shiplint.parse.yamlnodes import YMap, walk_scalars
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.secrets.common import (
    ALWAYS_AVAILABLE,
    SecretRef,
    _declared,
    _did_you_mean,
    _inherits,
    _is_if,
    _what,
    secret_refs,
)

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, Upload, Workflow
    from shiplint.project import Project


# --- SL402 -------------------------------------------------------------------------------------


@register
class UndeclaredWorkflowSecret(Rule):
    """A reusable workflow reads a secret it does not declare.

    When a workflow has `on: workflow_call: secrets:`, a call passes only the secrets listed
    there (and `GITHUB_TOKEN`); with `secrets: inherit` the caller passes all of its secrets,
    declared or not, and a job that names an `environment:` gets that environment's secrets
    (GitHub docs, "Reuse workflows"). Any other `${{ secrets.X }}` evaluates to an empty
    string when the workflow is called, without an error. actionlint reports the same
    mistake as `property "x" is not defined in object type`.

    It is an error when the secret is the token of an upload of the workflow and a workflow
    here calls it without `secrets: inherit`: the upload gets an empty token and fails with
    an authentication error. When the outcome depends on something shiplint cannot see, the
    finding is information saying what to check: the secret feeds no upload (a coverage or
    docs token), the job's environment may hold it, the expression has another value to fall
    back on (`a || secrets.X`), the upload can fall back to trusted publishing (`id-token:
    write`), or no workflow here calls this one (a caller in another repository may pass
    `secrets: inherit`).

    Fix: declare the secret under `on.workflow_call.secrets` (and pass it from every
    caller), or correct the name to one that is declared.
    """

    code = "SL402"
    name = "undeclared-workflow-secret"
    severity = Severity.ERROR
    summary = "Reusable workflow reads a secret missing from on.workflow_call.secrets"
    catalogue = ("S-4",)
    example_file = ".github/workflows/upload.yml"
    before = (
        "on:\n  workflow_call:\n    secrets:\n      PYPI_TOKEN:\n        required: true\n"
        "jobs:\n  upload:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: twine upload dist/*\n        env:\n"
        "          TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    after = (
        "on:\n  workflow_call:\n    secrets:\n      PYPI_TOKEN:\n        required: true\n"
        "jobs:\n  upload:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: twine upload dist/*\n        env:\n"
        "          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        for workflow in model.workflows:
            declared = _declared(workflow)
            if declared is None:
                continue
            calls = list(callers(model, workflow))
            if any(_inherits(job) for job in calls):
                continue  # `secrets: inherit` passes undeclared secrets too
            src = workflow.source
            text = src.text or ""
            for path, scalar in walk_scalars(workflow.root):
                if path and path[0] == "on":
                    continue
                for ref in secret_refs(src, scalar, whole_expression=_is_if(path)):
                    if ref.name.upper() in declared or ref.name.upper() in ALWAYS_AVAILABLE:
                        continue
                    names = ", ".join(sorted(declared)) or "none"
                    message = (
                        f"secret `{ref.name}` is not declared in on.workflow_call.secrets "
                        f"(declared: {names})"
                    )
                    fix = (
                        f"Declare it under `on.workflow_call.secrets` (`{ref.name}:` with "
                        "`required: true`) and pass it from the caller, or use a declared name."
                        + _did_you_mean(ref.name, declared)
                    )
                    end = text.find("}}", ref.end, scalar.end)
                    fallback = "||" in text[ref.expr_start : end if end >= 0 else scalar.end]
                    uploads = _uploads_reading(model, workflow, ref)
                    doubt = _doubt(uploads, calls, fallback)
                    if doubt is None:
                        caller = calls[0].workflow
                        by = f"`{caller.source.rel}`" if caller is not None else "a workflow"
                        yield self.at(
                            ref.loc,
                            f"{message}: {_what(uploads[0])} gets an empty token when {by} "
                            "calls this workflow",
                            "A called workflow sees only the secrets it declares: this one is "
                            "an empty string, and the upload fails to authenticate. " + fix,
                        )
                        continue
                    clause, check = doubt
                    yield self.at(
                        ref.loc,
                        f"{message}: it is empty when this workflow is called, {clause}",
                        f"A called workflow sees only the secrets it declares, all of them with "
                        f"`secrets: inherit`, and the secrets of the environment its job names. "
                        f"{check} {fix}",
                        severity=Severity.INFO,
                    )


def _uploads_reading(model: ReleaseModel, workflow: Workflow, ref: SecretRef) -> list[Upload]:
    """The uploads of ``workflow`` whose token is this secret: written at the credential
    (``password: ${{ secrets.X }}``) or in a variable the credential reads (``TWINE_PASSWORD``
    set in the job's or step's ``env:``, ``-p "$PW"``)."""
    found: list[Upload] = []
    for upload in model.uploads:
        if upload.context.workflow is not workflow:
            continue
        for cred in upload.token_credentials:
            at = cred.loc.source is ref.source and cred.loc.start <= ref.start < cred.loc.end
            if at or (cred.secret or "").upper() == ref.name.upper():
                found.append(upload)
                break
    return found


def _doubt(uploads: list[Upload], calls: list[Job], fallback: bool) -> tuple[str, str] | None:
    """Why an empty secret may not fail a release: ``(clause for the message, what to
    check)``; None when an upload certainly gets an empty token."""
    if not uploads:
        return (
            "but no package upload reads it",
            "The release does not depend on it; check the step that reads it.",
        )
    if not calls:
        return (
            "and no workflow here calls it",
            "A caller in another repository passes it only with `secrets: inherit`; check "
            "how this workflow is called.",
        )
    if fallback:
        return (
            "and the expression has another value to use then",
            "Check that the other value holds the token.",
        )
    doubts = [_upload_doubt(upload) for upload in uploads]
    if any(d is None for d in doubts):
        return None  # this upload gets an empty token
    return doubts[0]


def _upload_doubt(upload: Upload) -> tuple[str, str] | None:
    """What may still give the upload a credential when the secret is empty."""
    job = upload.job
    env = job.environment if job is not None else None
    if job is not None and env is not None and env.text:
        return (
            f"unless environment `{env.text}` of job `{job.id}` holds it",
            f"Check that environment `{env.text}` defines the secret.",
        )
    if job is not None and upload.family == "pypi" and job.id_token_write:
        return (
            "and the job may publish by trusted publishing instead (`id-token: write`)",
            "With an empty token pypa/gh-action-pypi-publish (and twine 6.1+) try trusted "
            "publishing: check that PyPI trusts the calling workflow, or pass the token.",
        )
    return None


# --- SL403 -------------------------------------------------------------------------------------


@register
class UndeclaredSecretPassed(Rule):
    """A job passes a secret that the called workflow does not declare.

    GitHub validates a reusable-workflow call before running anything: a key under the
    calling job's `secrets:` that is missing from the callee's `on.workflow_call.secrets`
    (names compared without regard to case) fails the whole run with `Invalid secret, X is
    not defined in the referenced workflow.` (actions/runner's workflow parser,
    `WorkflowTemplateConverter.ValidateUndefinedParameters`, 2026; `secrets: inherit` is
    not checked there). Only calls to a workflow of this repository are checked: its file
    is the one that runs.

    Fix: declare the secret in the called workflow (`on: workflow_call: secrets: X:`), or
    remove it from the call (or correct its name).
    """

    code = "SL403"
    name = "undeclared-secret-passed"
    severity = Severity.ERROR
    summary = "Job passes a secret the called reusable workflow does not declare"
    catalogue = ("S-4",)
    before = (
        "jobs:\n  publish:\n    uses: ./.github/workflows/upload.yml\n    secrets:\n"
        "      TWINE_TOKEN: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    after = (
        "jobs:\n  publish:\n    uses: ./.github/workflows/upload.yml\n    secrets:\n"
        "      PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        for job in model.jobs():
            if job.uses is None or not isinstance(job.secrets, YMap):
                continue
            callee = local_callee(model, job.uses.text, job.workflow)
            if callee is None or not callee.is_reusable:
                continue
            declared = _declared(callee) or set()
            src = job.workflow.source if job.workflow else None
            if src is None:
                continue
            for name, key, _value in job.secrets.items():
                if name.upper() in declared:
                    continue
                listed = ", ".join(sorted(declared)) if declared else "no secrets"
                yield self.at(
                    Loc(src, key.start, key.end),
                    f"`{callee.source.rel}` does not declare secret `{name}` "
                    f"(it declares {listed})",
                    f"GitHub rejects the call: `Invalid secret, {name} is not defined in the "
                    "referenced workflow.` Declare it in the called workflow under "
                    f"`on: workflow_call: secrets: {name}:` or remove it here."
                    + _did_you_mean(name, declared),
                )


# --- SL405 -------------------------------------------------------------------------------------

_PUBLISHY = LazyPattern(r"releas|publish|deploy|upload|pypi|anaconda", re.IGNORECASE)


def _uploads_in(model: ReleaseModel, workflow: Workflow, seen: set[str]) -> Upload | None:
    if workflow.source.rel in seen:
        return None
    seen.add(workflow.source.rel)
    for upload in model.uploads:
        if upload.context.workflow is workflow:
            return upload
    for job in workflow.jobs.values():
        if job.uses is not None:
            callee = local_callee(model, job.uses.text, job.workflow)
            if callee is not None:
                found = _uploads_in(model, callee, seen)
                if found is not None:
                    return found
    return None


@register
class SecretsInherit(Rule):
    """A job hands every secret of the repository to a workflow that publishes.

    `secrets: inherit` passes all repository, organization and environment secrets to the
    called workflow, whether it needs them or not (zizmor: `secrets-inherit`). For a
    workflow of another repository (`owner/repo/.github/workflows/publish.yml@v1`) that is
    an exposure: code this repository does not control, at a ref that may move, can read
    every secret, the tokens of unrelated services included. That is a warning.

    A workflow of this repository (`./...` or `$/...`, run at the caller's commit) reads
    secrets only through the expressions written in it: actions get a secret only when a
    step passes it (GitHub: "Using secrets in GitHub Actions"), and whoever can change the
    callee can change the caller too. Nothing leaks; the call only stops saying which secret
    the upload needs. That is reported as information, naming the secrets the callee reads.

    Fix: pass only the secret the upload needs, under a declared name:
    `secrets: {ANACONDA_ORG_UPLOAD_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}`, and
    declare it in the called workflow's `on.workflow_call.secrets` (or use trusted
    publishing, which needs no secret).
    """

    code = "SL405"
    name = "secrets-inherit"
    severity = Severity.WARNING
    summary = "`secrets: inherit` on a call to a workflow that uploads"
    catalogue = ("S-5",)
    before = (
        "jobs:\n  nightly:\n    uses: acme/workflows/.github/workflows/publish.yml@v2\n"
        "    secrets: inherit\n"
    )
    after = (
        "jobs:\n  nightly:\n    uses: acme/workflows/.github/workflows/publish.yml@v2\n"
        "    secrets:\n"
        "      ANACONDA_ORG_UPLOAD_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        for job in model.jobs():
            inherit = _inherits(job)
            if inherit is None or job.uses is None or job.workflow is None:
                continue
            loc = Loc(job.workflow.source, inherit.start, inherit.end)
            callee = local_callee(model, job.uses.text, job.workflow)
            if callee is not None:
                upload = _uploads_in(model, callee, set())
                if upload is None:
                    continue
                names = sorted(_secrets_read(model, callee, set()))
                reads = (
                    "reads " + ", ".join(f"`{n}`" for n in names) if names else "reads no secret"
                )
                yield self.at(
                    loc,
                    f"job `{job.id}` passes every secret to `{callee.source.rel}`, which uploads "
                    f"with {upload.tool} and {reads}",
                    "A workflow of this repository sees only the secrets its own expressions "
                    "name, so nothing leaks; but the call no longer says which secret the "
                    "upload needs. "
                    + (
                        "Pass those instead: `secrets: {"
                        + ", ".join(f"{n}: ${{{{ secrets.{n} }}}}" for n in names)
                        + "}`, declared in its `on.workflow_call.secrets`."
                        if names
                        else "Drop `secrets: inherit`."
                    ),
                    severity=Severity.INFO,
                )
                continue
            target = job.uses.text.split("@", 1)[0]
            if local_uses_path(target) is not None or not _PUBLISHY.search(
                target.rsplit("/", 1)[-1]
            ):
                continue
            yield self.at(
                loc,
                f"job `{job.id}` passes every secret to `{target}` of another repository",
                "`secrets: inherit` gives that repository's workflow all repository, "
                "organization and environment secrets, the tokens of unrelated services "
                "included. Pass only the one it needs, e.g. `secrets: "
                "{NAME: ${{ secrets.NAME }}}`, declared in its `on.workflow_call.secrets`.",
            )


def _secrets_read(model: ReleaseModel, workflow: Workflow, seen: set[str]) -> set[str]:
    """The secrets a workflow's own expressions name (``GITHUB_TOKEN`` aside), and those of
    the workflows of this repository it passes every secret on to."""
    names: set[str] = set()
    if workflow.source.rel in seen:
        return names
    seen.add(workflow.source.rel)
    for path, scalar in walk_scalars(workflow.root):
        if path and path[0] == "on":
            continue
        for ref in secret_refs(workflow.source, scalar, whole_expression=_is_if(path)):
            if ref.name.upper() not in ALWAYS_AVAILABLE:
                names.add(ref.name)
    for job in workflow.jobs.values():
        callee = local_callee(model, job.uses.text, job.workflow) if job.uses is not None else None
        if callee is not None and _inherits(job):
            names |= _secrets_read(model, callee, seen)
    return names
