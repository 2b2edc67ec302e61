"""Token uploads where trusted publishing is meant or possible: SL305, a `password:` that
disables it in a job with `id-token: write` (T-6); SL306, a long-lived token where it
would work (S-7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha.scenarios import event_facts, reaches
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.workflows import callers
from shiplint.parse.yamlnodes import YScalar
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import (
    ACTION_TOOL,
    dedupe_key,
    input_scalar,
    step_source,
    workflow_job,
)
from shiplint.rules.trusted_publishing.uploads import (
    PYPI_INDEXES,
    job_source,
    oidc_uploads,
    upload_index,
)

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile


_TOKEN_TOOLS = {"twine", "uv", "flit", "hatch", "poetry", "pdm", "maturin"}


def _entry_span(src: SourceFile, key: YScalar, value_end: int) -> tuple[int, int] | None:
    """The whole line(s) of a block-mapping entry, newline included."""
    text = src.text or ""
    line_start = text.rfind("\n", 0, key.start) + 1
    if text[line_start : key.start].strip():
        return None
    line_end = text.find("\n", value_end)
    return line_start, (len(text) if line_end == -1 else line_end + 1)


def _remove_credentials_fix(step: Step) -> Fix | None:
    src = step_source(step)
    if src is None or step.with_ is None:
        return None
    spans: list[tuple[int, int]] = []
    names = [name for name in ("user", "password") if step.with_.key(name) is not None]
    for name in names:
        key = step.with_.key(name)
        value = step.with_.get(name)
        if key is None or value is None:
            return None
        span = _entry_span(src, key, value.end)
        if span is None:
            return None
        spans.append(span)
    if len(names) == len(step.with_.entries):
        with_key = step.node.key("with")
        if with_key is None:
            return None
        span = _entry_span(src, with_key, with_key.end)
        if span is None:
            return None
        spans = [(span[0], max(end for _s, end in spans))]
    edits = tuple(Edit(start, end, "") for start, end in sorted(spans))
    return Fix("remove `user`/`password` to publish by trusted publishing", edits, safe=False)


@register
class PasswordDisablesTrustedPublishing(Rule):
    """`password:` is passed although the job is set up for trusted publishing.

    The job has `id-token: write`, yet pypa/gh-action-pypi-publish is given a `password:`.
    The action then uploads with that token, never uses the OIDC identity, and skips
    attestations (`twine-upload.sh`: trusted publishing only for user `__token__` and an
    empty password, v1.8.0 to v1.14.2). The only trace is a warning in the log, and only
    while attestations are on (the default since v1.11.0; older releases and
    `attestations: false` say nothing):

    `Warning: The workflow was run with the 'attestations: true' input, but an explicit
    password was also set, disabling Trusted Publishing. As a result, the attestations input
    is ignored.`

    Releases keep depending on the token: when it expires, is revoked, or its owner's email
    becomes unverified, publishing fails although trusted publishing was meant to be in use.
    The permission is taken as that intent only when nothing else in the job uses the OIDC
    token: another trusted-publishing upload, an action that needs it (artifact
    attestations, Sigstore signing, cloud logins; the list is in shiplint's facts) or a
    signing command. Otherwise the token upload is SL306's information.

    Fix: once a trusted publisher is registered on PyPI for this workflow, remove `user:` and
    `password:` (and the token secret). shiplint offers that edit as an unsafe fix.
    """

    code = "SL305"
    name = "password-disables-trusted-publishing"
    severity = Severity.WARNING
    summary = "`password:` silently disables trusted publishing in a job with id-token: write"
    catalogue = ("T-6",)
    before = (
        "publish:\n  permissions:\n    id-token: write\n  steps:\n"
        "    - uses: pypa/gh-action-pypi-publish@release/v1\n      with:\n"
        "        password: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    after = (
        "publish:\n  permissions:\n    id-token: write\n  steps:\n"
        "    - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, job, key in _password_with_id_token(project):
            step = upload.context.step
            src = job_source(job)
            if step is None or src is None:
                continue
            secret = next((c.secret for c in upload.token_credentials if c.secret), None)
            named = f" (secret `{secret}`)" if secret else ""
            yield self.at(
                Loc(src, key.start, key.end),
                f"`password:`{named} disables trusted publishing although job `{job.id}` has "
                "`id-token: write`",
                "With a password the action uploads with the token and ignores the OIDC "
                "identity and attestations (`… an explicit password was also set, disabling "
                "Trusted Publishing`): the release still fails when the token expires or its "
                "owner's email is unverified. Register a trusted publisher on PyPI and remove "
                "`user:`/`password:`.",
                fix=_remove_credentials_fix(step),
            )


def _password_with_id_token(project: Project) -> Iterator[tuple[Upload, Job, YScalar]]:
    """Publish steps given a password in a job whose `id-token: write` serves nothing else
    (no other step of the job uses the OIDC token)."""
    for upload in project.model.uploads:
        step = upload.context.step
        if upload.tool != ACTION_TOOL or step is None or step.with_ is None:
            continue
        password = input_scalar(step, "password")
        key = step.with_.key("password")
        if password is None or key is None or not password.value.strip():
            continue
        if upload_index(upload) not in PYPI_INDEXES:
            continue  # trusted publishing is a PyPI/TestPyPI feature: the token is needed
        job = workflow_job(upload)
        if (
            job is not None
            and job.id_token_write
            and not _oidc_used_by_other_step(project, job, step)
        ):
            yield upload, job, key


#: commands that sign with the job's OIDC identity (Sigstore, PEP 740 attestations)
_OIDC_COMMANDS = LazyPattern(
    r"\b(?:python3?\s+-m\s+(?:id|sigstore)\b|sigstore\s+sign\b|cosign\s+sign|"
    r"pypi-attestations\s+sign\b)"
)


def _oidc_used_by_other_step(project: Project, job: Job, step: Step) -> bool:
    """Whether a step of ``job`` other than ``step`` uses the OIDC token: a trusted-publishing
    upload, an action that needs `id-token: write` (attestations, signing, cloud logins), or
    a signing command."""
    actions = {a.lower() for a in facts_mod.toml_data()["github"]["oidc-actions"]}
    for other in job.steps:
        if other is step:
            continue
        if (other.action or "").lower() in actions:
            return True
        if other.run is not None and _OIDC_COMMANDS.search(other.run.value):
            return True
    return any(
        upload.context.step is not step and upload.context.step is not None
        for upload, up_job in oidc_uploads(project)
        if up_job is job
    )


# --- SL306 -----------------------------------------------------------------------------------


@register
class UseTrustedPublishing(Rule):
    """A GitHub workflow uploads to PyPI or TestPyPI with a long-lived API token.

    Trusted publishing replaces the stored token with a short-lived one minted for each
    run from the job's OIDC identity: nothing to leak, rotate or let expire, and
    pypa/gh-action-pypi-publish adds signed attestations. Token uploads fail in ways the
    workflow cannot show (expired or revoked token, the owner's unverified email, a token
    scoped to another project).

    Reported for pypa/gh-action-pypi-publish with `password:`, and for twine, uv, flit,
    hatch, poetry, pdm and maturin uploads given a token, when the target is PyPI or
    TestPyPI, from a GitHub workflow. PyPI (pypi/warehouse, 2026-08) trusts GitHub's
    github.com token issuer, GitLab.com, Google Cloud and ActiveState (another issuer URL,
    such as a GitHub Enterprise Server, only for a PyPI organization whose issuer PyPI's
    admins added, since 2025-10); other CI systems, custom indexes and Anaconda.org are not
    reported. Nor
    are the cases where trusted publishing cannot work: an upload reached only by
    `pull_request_target` runs (PyPI refuses them), and one in a reusable workflow that no
    workflow of this repository calls (PyPI requires the called workflow to be in the
    calling repository). In a reusable workflow called from here, the publisher must name
    the called file and pypa/gh-action-pypi-publish needs `attestations: false` (SL206).

    Fix: register a trusted publisher on PyPI (repository, workflow file name and
    environment), give the publish job `permissions: {id-token: write}`, and drop the
    token: pypa/gh-action-pypi-publish without `password:`, or `uv publish` with no token.
    """

    code = "SL306"
    name = "use-trusted-publishing"
    severity = Severity.INFO
    summary = "Token upload to PyPI from GitHub Actions where trusted publishing would work"
    catalogue = ("S-7",)
    before = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    password: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    after = "- uses: pypa/gh-action-pypi-publish@release/v1\n"

    def check(self, project: Project) -> Iterator[Finding]:
        warned = {id(upload) for upload, _job, _key in _password_with_id_token(project)}
        seen: set[tuple[str, int]] = set()
        for upload in project.model.uploads:
            if upload.family != "pypi" or id(upload) in warned:
                continue
            if workflow_job(upload) is None:
                continue
            step = upload.context.step
            loc: Loc | None = None
            if upload.tool == ACTION_TOOL:
                if step is None or step.with_ is None or not input_text_set(step, "password"):
                    continue
                key = step.with_.key("password")
                src = step_source(step)
                if key is None or src is None:
                    continue
                loc = Loc(src, key.start, key.end)
            elif upload.tool in _TOKEN_TOOLS:
                if not upload.token_credentials:
                    continue
                loc = upload.loc
            else:
                continue
            index = upload_index(upload)
            if index not in PYPI_INDEXES or dedupe_key(loc) in seen:
                continue
            job = workflow_job(upload)
            workflow = job.workflow if job is not None else None
            if workflow is None or not _trusted_publishing_possible(project, workflow, upload):
                continue
            seen.add(dedupe_key(loc))
            secret = next((c.secret for c in upload.token_credentials if c.secret), None)
            named = f" (secret `{secret}`)" if secret else ""
            where = "TestPyPI" if index == "testpypi" else "PyPI"
            tool = "pypa/gh-action-pypi-publish" if upload.tool == ACTION_TOOL else upload.tool
            yield self.at(
                loc,
                f"{tool} uploads to {where} with a long-lived token{named}: trusted "
                "publishing would need no secret",
                "Register a trusted publisher on PyPI (this repository, workflow file and "
                "environment), give the publish job `permissions: {id-token: write}` and drop "
                "the token (pypa/gh-action-pypi-publish without `password:`, or `uv publish` "
                "without a token). Tokens expire, leak and break when their owner's email "
                "becomes unverified." + _called_note(project, workflow, upload),
            )


def _trusted_publishing_possible(project: Project, workflow: Workflow, upload: Upload) -> bool:
    """False when PyPI would refuse trusted publishing for every run that reaches the
    upload: only `pull_request_target` runs reach it (warehouse `_check_event_name`), or it
    is in a workflow that only runs when called and nothing here calls it (warehouse checks
    `job_workflow_ref` against the publisher's repository, the caller's)."""
    job = upload.context.job
    step = upload.context.step
    reached = [t for t in workflow.triggers if reaches(workflow, job, step, event_facts(t))]
    if reached and set(reached) == {"pull_request_target"}:
        return False
    if reached and set(reached) <= {"workflow_call"}:
        return any(True for _ in callers(project.model, workflow))
    return True


def _called_note(project: Project, workflow: Workflow, upload: Upload) -> str:
    """What trusted publishing needs in a reusable workflow this repository calls."""
    calling = sorted(
        {c.workflow.source.rel for c in callers(project.model, workflow) if c.workflow}
    )
    if not calling:
        return ""
    file_name = workflow.source.rel.rsplit("/", 1)[-1]
    attest = ", and `attestations: false` here (SL206)" if upload.tool == ACTION_TOOL else ""
    return (
        f" This workflow is called from {', '.join(f'`{rel}`' for rel in calling)}: the "
        f"publisher must name `{file_name}`{attest}."
    )


def input_text_set(step: Step, name: str) -> bool:
    got = input_scalar(step, name)
    return got is not None and bool(got.value.strip())
