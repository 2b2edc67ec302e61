"""Rules about trusted publishing (OIDC) to PyPI (catalogue T-1, T-2, T-4, T-5, T-6, S-7)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.gha.conditions import PR_TRIGGERS, pr_facts
from shiplint.gha.scenarios import Reach, event_facts, reach, reaches, trigger_reach
from shiplint.model import Loc
from shiplint.model.workflows import callers
from shiplint.parse.yamlnodes import YMap, YScalar
from shiplint.pkg.upload_commands import index_of_url, option_value
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action import (
    ACTION_TOOL,
    action_uses_oidc,
    attestations_on,
    input_scalar,
    ref_loc,
    release_of,
    runs_as_call,
    step_source,
    workflow_job,
)

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile

_PYPI_INDEXES = {"pypi", "testpypi"}
#: hatch's built-in repository names for PyPI and TestPyPI
_HATCH_INDEXES = {"main", "test"}
_TOKEN_TOOLS = {"twine", "uv", "flit", "hatch", "poetry", "pdm", "maturin"}
_RELEASE_ACTIONS = (
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
)
_GH_RELEASE = re.compile(r"\bgh\s+release\s+(create|upload|edit)\b")

_EXCHANGE_ERROR = (
    "`Trusted publishing exchange failure: OpenID Connect token retrieval failed: GitHub: "
    "missing or insufficient OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN "
    "environment variable was unset`"
)
#: what each tool prints when the job has no OIDC token (then it has no credential at all)
_NO_TOKEN_ERRORS = {
    "uv": "`Trusted publishing failed: Failed to obtain OIDC token: is the `id-token: write` "
    "permission missing?` and then an upload without credentials",
    "pdm": "`Unable to detect OIDC token for CI platform: GitHub: missing or insufficient "
    "OIDC token permissions, …` and then an upload without credentials",
}


def upload_index(upload: Upload) -> str:
    """``pypi``/``testpypi`` or another index name/URL, judged by the URL when one is given."""
    if upload.target is not None and "://" in upload.target.text:
        return index_of_url(upload.target.text) or upload.target.text
    index = upload.index or "pypi"
    if upload.tool == "hatch" and index in _HATCH_INDEXES:
        return "testpypi" if index == "test" else "pypi"
    return index


def _what(upload: Upload) -> str:
    return {
        ACTION_TOOL: "pypa/gh-action-pypi-publish without `password:`",
        "uv": "`uv publish` without a token",
        "pdm": "`pdm publish` without credentials",
    }.get(upload.tool, upload.tool)


def uses_trusted_publishing(upload: Upload) -> bool:
    """Whether ``upload`` authenticates to (Test)PyPI by trusted publishing."""
    step = upload.context.step
    if upload.tool == ACTION_TOOL:
        return step is not None and action_uses_oidc(step)
    if upload.tool not in ("uv", "pdm") or not upload.oidc:
        return False
    if upload.tool == "uv":
        mode = upload.options.get("--trusted-publishing")
        if mode is not None and option_value(mode) == "always":
            return True
    if _credentials_set_elsewhere(upload):
        return False
    return upload_index(upload) in _PYPI_INDEXES


#: Text showing that a CLI gets credentials some other way (``$GITHUB_ENV``, ``pdm config``).
_OTHER_CREDENTIALS = {
    "uv": ("UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD", "keyring"),
    "pdm": ("PDM_PUBLISH_PASSWORD", "pdm config", "PDM_PUBLISH_REPO"),
}


def _credentials_set_elsewhere(upload: Upload) -> bool:
    names = _OTHER_CREDENTIALS.get(upload.tool, ())
    texts = [upload.source.text or ""] if upload.context.origin == "script" else []
    job = upload.context.job
    if job is not None and job.node is not None and job.workflow is not None:
        texts.append((job.workflow.source.text or "")[job.node.start : job.node.end])
    return any(name in text for text in texts for name in names)


def oidc_uploads(project: Project) -> Iterator[tuple[Upload, Job]]:
    """Trusted-publishing uploads run by a job of a GitHub workflow."""
    for upload in project.model.uploads:
        if upload.family != "pypi" or not uses_trusted_publishing(upload):
            continue
        job = workflow_job(upload)
        if job is not None:
            yield upload, job


def _key(loc: Loc) -> tuple[str, int]:
    return (loc.source.rel, loc.start)


def _job_source(job: Job) -> SourceFile | None:
    return job.workflow.source if job.workflow is not None else None


# --- SL301 -----------------------------------------------------------------------------------


def _scopes(node: object) -> dict[str, str] | None:
    """Scopes of a ``permissions:`` mapping (None when it is not a mapping)."""
    if not isinstance(node, YMap):
        return None
    return {name: value.value for name, _k, value in node.items() if isinstance(value, YScalar)}


def _needed_contents(job: Job) -> str | None:
    """``contents`` access the job's steps visibly need (checkout: read, releases: write)."""
    need: str | None = None
    for step in job.steps:
        action = (step.action or "").lower()
        if action.startswith(_RELEASE_ACTIONS) or (
            step.run is not None and _GH_RELEASE.search(step.run.value)
        ):
            return "write"
        if action == "actions/checkout":
            need = "read"
    return need


def _block(scopes: dict[str, str]) -> list[str]:
    lines = ["permissions:"]
    lines += [f"  {name}: {value}" for name, value in scopes.items()]
    return lines


def _permissions_fix(job: Job, own: object, scopes: dict[str, str], *, safe: bool) -> Fix | None:
    src = _job_source(job)
    if src is None or src.text is None or job.node is None:
        return None
    text = src.text
    if isinstance(own, YMap):
        current = own.get_scalar("id-token")
        if current is not None:
            return Fix("grant `id-token: write`", (Edit(current.start, current.end, "write"),))
        first = next(iter(own.items()), None)
        if first is None:
            if text[own.start : own.end].strip() == "{}":
                return Fix(
                    "grant `id-token: write`", (Edit(own.start, own.end, "{id-token: write}"),)
                )
            return None
        key = first[1]
        line_start = text.rfind("\n", 0, key.start) + 1
        indent = text[line_start : key.start]
        if indent.strip():
            return None
        return Fix(
            "grant `id-token: write`", (Edit(line_start, line_start, f"{indent}id-token: write\n"),)
        )
    if own is not None:
        return None
    first_key = next(iter(job.node.items()), None)
    if first_key is None:
        return None
    key = first_key[1]
    line_start = text.rfind("\n", 0, key.start) + 1
    indent = text[line_start : key.start]
    if indent.strip() or not indent:
        return None
    block = "".join(f"{indent}{line}\n" for line in _block(scopes))
    return Fix(
        "add a job-level `permissions:` block with `id-token: write`",
        (Edit(line_start, line_start, block),),
        safe=safe,
    )


@register
class MissingIdToken(Rule):
    """A trusted-publishing upload runs in a job without `id-token: write`.

    Trusted publishing exchanges the job's OIDC token for a short-lived PyPI token, and
    GitHub hands out that token only to jobs granted `id-token: write`. The default
    `GITHUB_TOKEN` permissions never include it (`id-token: none` under both the permissive
    and the restricted default; GitHub docs, "GITHUB_TOKEN reference", 2026), and an
    explicit `permissions:` block (of the workflow or of the job) sets every scope it does
    not list to `none`. The upload then fails. pypa/gh-action-pypi-publish (v1.8.0 and
    later; the message comes from the `id` library) stops with:

    `Trusted publishing exchange failure: OpenID Connect token retrieval failed: GitHub:
    missing or insufficient OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN
    environment variable was unset`

    `uv publish` (0.12) prints `Trusted publishing failed: Failed to obtain OIDC token: is
    the id-token: write permission missing?` and `pdm publish` `Unable to detect OIDC token
    for CI platform`, and both then upload without credentials, which PyPI refuses.

    Trusted-publishing uploads are pypa/gh-action-pypi-publish without `password:`,
    `uv publish` without a token and `pdm publish` without credentials, to PyPI or TestPyPI.
    `twine upload` (6.1 and later try trusted publishing when given no password) is SL401's.
    A job of a workflow that only runs when called gets its permissions from the calling
    job, and is not reported. It is an error when a trigger certainly reaches the upload; a
    warning when an `if:` shiplint cannot evaluate (a variable, a step output) decides;
    information when `continue-on-error` keeps the run green.

    Fix: grant it at the level of the publish job only (a job-level block replaces the
    workflow's, so list the other scopes that job needs):

    ```yaml
    publish:
      permissions:
        id-token: write
        contents: read   # if the job checks out the repository
    ```
    """

    code = "SL301"
    name = "missing-id-token"
    severity = Severity.ERROR
    summary = "Trusted-publishing upload in a job without `id-token: write`"
    catalogue = ("T-1",)
    before = (
        "permissions:\n  contents: read\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/download-artifact@v4\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "permissions:\n  contents: read\njobs:\n  publish:\n    permissions:\n"
        "      contents: read\n      id-token: write\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/download-artifact@v4\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        worst: dict[int, tuple[Severity, Reach, Upload, Job]] = {}
        for upload, job in oidc_uploads(project):
            if job.id_token_write or job.workflow is None:
                continue
            # in a call, a job without permissions of its own gets the calling job's
            got = trigger_reach(
                project,
                job.workflow,
                job,
                upload.context.step,
                calls=job.permissions_node is not None,
            )
            severity = got.severity(
                Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
            )
            known = worst.get(id(job))
            if severity is not None and (known is None or severity.rank > known[0].rank):
                worst[id(job)] = (severity, got, upload, job)
        for severity, got, upload, job in worst.values():
            yield from self._report(job, upload, severity, got)

    def _report(
        self, job: Job, upload: Upload, severity: Severity, got: Reach
    ) -> Iterator[Finding]:
        workflow = job.workflow
        if workflow is None:
            return
        own = job.node.get("permissions") if job.node is not None else None
        src = _job_source(job)
        own_key = job.node.key("permissions") if job.node is not None else None
        anchor = own_key if own_key is not None else job.id_node
        if src is None or anchor is None:
            return
        loc = Loc(src, anchor.start, anchor.end)
        base = _scopes(own) if own is not None else _scopes(workflow.permissions)
        if own is not None:
            where = "its `permissions:` block does not grant `id-token: write`"
        elif workflow.permissions is not None:
            where = (
                "the workflow's `permissions:` does not grant `id-token: write` "
                "(unlisted scopes are `none`)"
            )
        else:
            where = "it has no `id-token: write` (the default GITHUB_TOKEN lacks it)"
        scopes: dict[str, str] = {}
        if base is not None:
            scopes.update(base)
        else:
            contents = _needed_contents(job)
            if contents is not None:
                scopes["contents"] = contents
        scopes.pop("id-token", None)
        scopes["id-token"] = "write"
        block = "\n".join("    " + line for line in _block(scopes))
        extra = ""
        if workflow.is_reusable:
            extra = (
                " This workflow is reusable: the calling job must grant `id-token: write` as well."
            )
        yield self.at(
            loc,
            f"job `{job.id}` publishes by trusted publishing ({_what(upload)}) but {where}",
            f"Without it the job gets no OIDC token and the upload fails with "
            f"{_NO_TOKEN_ERRORS.get(upload.tool, _EXCHANGE_ERROR)}. Give the publish job "
            f"(only it) this block; a job-level "
            f"block replaces the workflow's, so keep the other scopes it needs:\n\n"
            f"{block}\n" + extra + got.doubt(),
            severity=severity,
            fix=_permissions_fix(job, own, scopes, safe=base is not None),
        )


# --- SL302 -----------------------------------------------------------------------------------


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
            if _key(upload.loc) in seen:
                continue
            reached: list[str] = []
            severity: Severity | None = None
            doubt = ""
            for trigger in PR_TRIGGERS:
                if trigger not in workflow.triggers:
                    continue
                got = reach(project, workflow, job, step, pr_facts(trigger))
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
            seen.add(_key(upload.loc))
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


# --- SL303 -----------------------------------------------------------------------------------


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
            if _key(upload.loc) in seen:
                continue
            seen.add(_key(upload.loc))
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


# --- SL304 -----------------------------------------------------------------------------------


@register
class PublishActionPredatesOidc(Rule):
    """pypa/gh-action-pypi-publish is pinned to a release without trusted publishing.

    Trusted publishing arrived in v1.8.0. An older release given no `password:` does not
    fetch an OIDC token: it runs twine with an empty password and PyPI answers
    `403 Forbidden` (`Invalid or non-existent authentication information`). The sunset
    `master` branch was frozen before v1.8.0 and has no trusted publishing either.

    The release is read from the tag, from shiplint's table of release commits for a SHA
    pin, or from an exact `# v1.7.1` comment after a SHA the table does not know. A comment
    naming only a line or branch (`# v1`, `# release/v1`) does not tell the release, and
    nothing is reported then.

    Fix: use `@release/v1` or a current release (v1.8.0 at the very least; v1.12.4 or later
    also handles current metadata).
    """

    code = "SL304"
    name = "publish-action-predates-oidc"
    severity = Severity.ERROR
    summary = "Trusted publishing with a pypi-publish release older than v1.8.0"
    catalogue = ("T-5",)
    before = "- uses: pypa/gh-action-pypi-publish@v1.5.1\n"
    after = "- uses: pypa/gh-action-pypi-publish@v1.14.2\n"

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().pypi_publish
        since = f.threshold("oidc-since")
        seen: set[tuple[str, int]] = set()
        for upload in project.model.uploads:
            step = upload.context.step
            if upload.tool != ACTION_TOOL or step is None or not action_uses_oidc(step):
                continue
            release = release_of(upload)
            sunset = release.kind == gha_refs.SUNSET
            if not sunset and not release.before(since):
                continue  # v1.8.0 or later, or not known exactly enough to tell
            loc = ref_loc(step)
            if loc is None or _key(loc) in seen:
                continue
            seen.add(_key(loc))
            fix = None
            if release.kind == gha_refs.TAG:
                fix = Fix(
                    f"use v{f.latest}", (Edit(loc.start, loc.end, f"v{f.latest}"),), safe=False
                )
            what = (
                f"`@{upload.ref}` (sunset, frozen before trusted publishing)"
                if sunset
                else f"pypa/gh-action-pypi-publish {release.shown}{release.provenance()}"
            )
            yield self.at(
                loc,
                f"{what} predates trusted publishing (v{since}) and no `password:` is given",
                f"Before v{since} the action cannot fetch an OIDC token: it uploads with an "
                "empty password and PyPI answers 403. Use `@release/v1` or a current release "
                f"(v{f.latest}), pinned by tag or commit SHA.",
                fix=fix,
            )


# --- SL305 -----------------------------------------------------------------------------------


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
            src = _job_source(job)
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
        if upload_index(upload) not in _PYPI_INDEXES:
            continue  # trusted publishing is a PyPI/TestPyPI feature: the token is needed
        job = workflow_job(upload)
        if (
            job is not None
            and job.id_token_write
            and not _oidc_used_by_other_step(project, job, step)
        ):
            yield upload, job, key


#: commands that sign with the job's OIDC identity (Sigstore, PEP 740 attestations)
_OIDC_COMMANDS = re.compile(
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
            if index not in _PYPI_INDEXES or _key(loc) in seen:
                continue
            job = workflow_job(upload)
            workflow = job.workflow if job is not None else None
            if workflow is None or not _trusted_publishing_possible(project, workflow, upload):
                continue
            seen.add(_key(loc))
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
