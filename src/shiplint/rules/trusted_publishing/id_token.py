"""SL301: a trusted-publishing upload in a job without `id-token: write` (T-1), and the fix
that grants it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha.scenarios import Reach, trigger_reach
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.publishers import publisher_label
from shiplint.parse.yamlnodes import YMap, YScalar
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import ACTION_TOOL
from shiplint.rules.trusted_publishing.uploads import job_source, oidc_uploads

if TYPE_CHECKING:
    from shiplint.model import Job, Upload
    from shiplint.project import Project


_RELEASE_ACTIONS = (
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
)
_GH_RELEASE = LazyPattern(r"\bgh\s+release\s+(create|upload|edit)\b")

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


def _what(upload: Upload) -> str:
    if upload.publisher is not None and upload.tool != ACTION_TOOL:
        return f"`{publisher_label(upload)}` without a token"
    return {
        ACTION_TOOL: "pypa/gh-action-pypi-publish without `password:`",
        "uv": "`uv publish` without a token",
        "pdm": "`pdm publish` without credentials",
    }.get(upload.tool, upload.tool)


def _failure(upload: Upload) -> str:
    """What the upload does without an OIDC token."""
    if upload.tool in _NO_TOKEN_ERRORS:
        return _NO_TOKEN_ERRORS[upload.tool]
    if upload.publisher is not None and upload.tool != ACTION_TOOL:
        return "no credential at all (it tries trusted publishing only when GitHub offers a token)"
    return _EXCHANGE_ERROR


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
    src = job_source(job)
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
                condition=upload.condition,
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
        src = job_source(job)
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
            f"{_failure(upload)}. Give the publish job "
            f"(only it) this block; a job-level "
            f"block replaces the workflow's, so keep the other scopes it needs:\n\n"
            f"{block}\n" + extra + got.doubt(),
            severity=severity,
            fix=_permissions_fix(job, own, scopes, safe=base is not None),
        )
