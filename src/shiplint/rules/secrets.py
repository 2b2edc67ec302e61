"""Rules about CI secrets: missing credentials, reusable-workflow plumbing, contexts where
``secrets`` is not available, blanket inheritance, fork pull requests and interpolation into
shell scripts (catalogue S-1, S-3, S-4, S-5, S-6, S-10)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import expr as gha_expr
from shiplint.gha.scenarios import CERTAIN, Reach, reach, trigger_reach
from shiplint.model import Loc
from shiplint.model.workflows import callers, grants_id_token, local_callee, local_uses_path
from shiplint.parse.yamlnodes import YMap, YScalar, walk_scalars
from shiplint.pkg.upload_commands import ANACONDA_CLI, program_name, skip_wrappers
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, ShellCommand, Step, Upload, Workflow
    from shiplint.parse.yamlnodes import YNode
    from shiplint.project import Project
    from shiplint.source import SourceFile

# --- expressions and secret references ---------------------------------------------------------

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# `secrets.NAME` / `secrets['NAME']`, not `steps.get-secrets.outputs` or `inputs.secrets`.
_SECRET_REF = re.compile(
    r"(?<![\w.-])secrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']+)'\s*\])"
)
_SECRETS_WORD = re.compile(r"(?<![\w.-])secrets\b")

#: secrets GitHub provides to every run, declared or not
ALWAYS_AVAILABLE = frozenset({"GITHUB_TOKEN"})


class SecretRef:
    """One ``secrets.NAME`` reference: the name and its span in the file."""

    __slots__ = ("end", "expr_start", "name", "source", "start")

    def __init__(
        self, source: SourceFile, name: str, start: int, end: int, expr_start: int
    ) -> None:
        self.source = source
        self.name = name
        self.start = start
        self.end = end
        self.expr_start = expr_start  # where the enclosing `${{` starts (or the reference)

    @property
    def loc(self) -> Loc:
        return Loc(self.source, self.start, self.end)


_STRING = re.compile(r"'(?:[^']|'')*'")


def _expression_regions(src: SourceFile, node: YNode, whole: bool) -> Iterator[tuple[int, str]]:
    """``(file offset, text)`` of the expression parts of a scalar as written, with the
    contents of string literals blanked (``'secrets'`` in a comparison is not the context).

    In ``if:`` values the whole text is an expression (``whole``); elsewhere only the
    ``${{ ... }}`` parts are evaluated.
    """
    written = (src.text or "")[node.start : node.end]
    if whole:
        parts = [(0, written)]
    else:
        parts = [(m.start(), m.group(0)) for m in _EXPR.finditer(written)]
    for at, text in parts:
        blank = _STRING.sub(lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", text)
        yield node.start + at, blank


def secret_refs(
    src: SourceFile, node: YNode, whole_expression: bool = False
) -> Iterator[SecretRef]:
    """``secrets.X`` references in a scalar (see :func:`_expression_regions`)."""
    text = src.text or ""
    for base, blank in _expression_regions(src, node, whole_expression):
        for match in _SECRET_REF.finditer(blank):
            start, end = base + match.start(), base + match.end()
            if match.group(1):
                name = match.group(1)
            else:  # secrets['NAME']: the name was blanked, read it from the file
                name = text[base + match.start(2) : base + match.end(2)]
            expr = start if whole_expression else base
            yield SecretRef(src, name, start, end, expr)


def secrets_words(src: SourceFile, node: YNode, whole_expression: bool = False) -> Iterator[int]:
    """File offsets of every use of the ``secrets`` context in a scalar (named or not)."""
    for base, blank in _expression_regions(src, node, whole_expression):
        for match in _SECRETS_WORD.finditer(blank):
            yield base + match.start()


def _did_you_mean(name: str, candidates: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name.upper(), sorted(candidates), n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def _is_if(path: tuple[str | int, ...]) -> bool:
    return bool(path) and path[-1] == "if"


def _declared(workflow: Workflow) -> set[str] | None:
    block = workflow.call_secrets
    if block is None:
        return None
    return {name.upper() for name, _key, _value in block.items()}


def _inherits(job: Job) -> YScalar | None:
    secrets = job.secrets
    if isinstance(secrets, YScalar) and secrets.value.strip() == "inherit":
        return secrets
    return None


# --- SL401 -------------------------------------------------------------------------------------

_ANACONDA_ENV = ("ANACONDA_API_TOKEN", "BINSTAR_API_TOKEN")
_TWINE_HINTS = ("TWINE_PASSWORD", ".pypirc", "keyring")


def _job_mentions(job: Job | None, words: tuple[str, ...]) -> bool:
    """Whether any step of ``job`` writes or exports one of ``words`` (e.g. via $GITHUB_ENV)."""
    if job is None:
        return False
    for step in job.steps:
        for node in (step.run, step.with_):
            if node is None:
                continue
            text = (step.job.workflow.source.text if step.job.workflow else "") or ""
            written = text[node.start : node.end]
            if any(w in written for w in words):
                return True
    return False


def _script_mentions(upload: Upload, words: tuple[str, ...]) -> bool:
    if upload.context.origin != "script":
        return False
    text = upload.source.text or ""
    return any(w in text for w in words)


def _in_ci(upload: Upload) -> bool:
    """Runs in a job of a GitHub workflow, where a command gets a secret only when the file
    passes it. (A composite action inherits the environment of the step that uses it.)"""
    workflow = upload.context.workflow
    if workflow is None or workflow.source.kind != "workflow":
        return False
    return upload.context.origin in ("workflow", "script")


@register
class UploadWithoutCredential(Rule):
    """An upload in CI is given no credential.

    GitHub Actions passes no secret to a step unless the workflow names it: a step that runs
    `anaconda upload` without `--token` (before `upload`) or `ANACONDA_API_TOKEN` /
    `BINSTAR_API_TOKEN`, a `twine upload` without `TWINE_PASSWORD` (and without
    `id-token: write` for trusted publishing), or `scientific-python/upload-nightly-action`
    without `anaconda_nightly_upload_token` reaches the index anonymously. The run fails
    late, on release day:

    - upload-nightly-action (0.6.4, `upload_wheels.sh`): `ANACONDA_TOKEN is empty ,
      exiting...`;
    - anaconda-client reads the token from `--token`, those two variables or an `anaconda
      login` session (1.14.1, `utils/config.py`), and without a terminal it does not prompt
      but stops: `Authentication token is missing. Please, use "anaconda login" to
      reauthenticate.` (401, since 1.12.2; the quotes are backticks);
    - twine 6.1 and later, uploading to PyPI or TestPyPI with no password, try trusted
      publishing and stop on GitHub without `id-token: write` (`Unable to retrieve an OIDC
      token from the CI platform for trusted publishing GitHub: missing or insufficient
      OIDC token permissions`); older twine, and any twine for another index, asks for the
      password, which CI cannot answer (`Credential not found for password.` with
      `--non-interactive`).

    A Makefile or tox env run on a maintainer's machine may rely on `anaconda login` or a
    keyring, and a composite action inherits the environment of the step that uses it, so
    for the command-line tools only GitHub workflows and the scripts they call are checked.
    A `twine upload` in a workflow that only runs when called gets `id-token: write` from
    the calling job: it is reported only when every caller here withholds it. In a
    workflow, it is an error when a trigger certainly reaches the upload; a warning when an
    `if:` shiplint cannot evaluate (a variable, a step output) decides; information when
    `continue-on-error` keeps the run green.

    Fix: pass the token from a secret, e.g. `anaconda_nightly_upload_token: ${{
    secrets.ANACONDA_ORG_UPLOAD_TOKEN }}`, or `env: ANACONDA_API_TOKEN: ${{
    secrets.ANACONDA_ORG_UPLOAD_TOKEN }}` on the step; for PyPI prefer trusted publishing
    (`permissions: id-token: write` on the job).
    """

    code = "SL401"
    name = "upload-without-credential"
    severity = Severity.ERROR
    summary = "Upload in CI with no token, password or trusted-publishing permission"
    catalogue = ("S-1",)
    before = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
    )
    after = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        secret = facts_mod.load().anaconda_recommended_secret
        for upload in project.model.uploads:
            if upload.oidc or upload.token_credentials:
                continue
            if upload.tool == "upload-nightly-action":
                found = self._nightly(upload, secret)
            elif upload.tool == "anaconda" and _in_ci(upload):
                found = self._anaconda(upload, secret)
            elif upload.tool == "twine" and _in_ci(upload):
                found = self._twine(project, upload)
            else:
                continue
            got = _workflow_reach(project, upload)
            severity = got.severity(
                Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
            )
            if severity is None:
                continue
            for finding in found:
                finding.severity = severity
                finding.help += got.doubt()
                yield finding

    def _nightly(self, upload: Upload, secret: str) -> Iterator[Finding]:
        facts = facts_mod.load()
        token_input = facts.upload_nightly.raw["token-input"]
        step = upload.step
        key = step.with_.key(token_input) if step is not None and step.with_ else None
        loc = Loc(upload.source, key.start, key.end) if key is not None else upload.loc
        what = "is empty" if key is not None else "is missing"
        fix = None
        if key is None and step is not None:
            fix = _add_input(upload.source, step.with_, token_input, f"${{{{ secrets.{secret} }}}}")
        yield self.at(
            loc,
            f"upload-nightly-action: `{token_input}` {what}",
            f"The action requires a token; without one its upload script stops with "
            f"`ANACONDA_TOKEN is empty , exiting...`. Add `{token_input}: "
            f"${{{{ secrets.{secret} }}}}` (a personal token of a maintainer in the project's "
            f"group, with the scopes {' '.join(facts.recommended_scopes)}).",
            fix=fix,
        )

    def _anaconda(self, upload: Upload, secret: str) -> Iterator[Finding]:
        cmd = upload.command
        if cmd is None:
            return
        argv = cmd.args
        sub = next((i for i, a in enumerate(argv) if a.loc.end == upload.loc.end), None)
        if sub is None:
            return
        before, after = argv[:sub], argv[sub + 1 :]
        if any("$" in a.text for a in before):
            return  # options from a variable may well hold `--token`
        if any(a.text in ("-t", "--token") or a.text.startswith("--token=") for a in after):
            return  # a token given after `upload` is a different mistake (flag order)
        if _job_mentions(upload.job, _ANACONDA_ENV) or _script_mentions(
            upload, (*_ANACONDA_ENV, "anaconda login", "anaconda -t", "anaconda --token")
        ):
            return
        if _logged_in_before(upload):
            return
        yield self.at(
            upload.loc,
            "`anaconda upload` runs with no token: no `--token` before `upload` and no "
            "`ANACONDA_API_TOKEN`",
            "CI has no `anaconda login` session, so anaconda-client stops with "
            "`Authentication token is missing` (401). Pass the token before the subcommand, "
            f'`anaconda --token "$ANACONDA_API_TOKEN" upload ...`, or set `ANACONDA_API_TOKEN: '
            f"${{{{ secrets.{secret} }}}}` in the step's `env:`.",
        )

    def _twine(self, project: Project, upload: Upload) -> Iterator[Finding]:
        if "--config-file" in upload.options:
            return
        if upload.job is not None and upload.job.id_token_write:
            return  # twine >= 6.1 exchanges the OIDC token itself (trusted publishing)
        if _caller_may_grant_id_token(project.model, upload.job):
            return
        if _job_mentions(upload.job, _TWINE_HINTS) or _script_mentions(upload, _TWINE_HINTS):
            return
        if any(e.password is not None for e in project.model.pypirc):
            return
        yield self.at(
            upload.loc,
            "`twine upload` runs with no password: no `TWINE_PASSWORD`, `-p` or `id-token: write`",
            "twine 6.1 and later then try trusted publishing and stop without an OIDC token "
            "(`Unable to retrieve an OIDC token from the CI platform for trusted publishing`); "
            "older twine asks for a password CI cannot give (`Credential not found for "
            "password.`). Prefer trusted publishing: give the job `permissions: id-token: "
            "write` (twine >= 6.1 then exchanges the OIDC token itself, or use "
            "pypa/gh-action-pypi-publish). Otherwise set `TWINE_USERNAME: __token__` and "
            "`TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}` in the step's `env:`.",
        )


def _workflow_reach(project: Project, upload: Upload) -> Reach:
    """Whether a trigger of the GitHub workflow running ``upload`` reaches it (and whether
    its failure fails the run); certain outside a workflow job."""
    job = upload.context.job
    workflow = job.workflow if job is not None else None
    if job is None or workflow is None or workflow.source.kind != "workflow":
        return CERTAIN
    if upload.context.origin not in ("workflow", "script"):
        return CERTAIN
    return trigger_reach(project, workflow, job, upload.context.step)


def _caller_may_grant_id_token(model: ReleaseModel, job: Job | None) -> bool:
    """Whether ``job``'s permissions come from a calling job that grants (or may grant)
    `id-token: write`: its workflow only runs when called and sets no permissions of its
    own, and a caller here grants it or no caller is here (one elsewhere may)."""
    workflow = job.workflow if job is not None else None
    if job is None or workflow is None or job.permissions_node is not None:
        return False
    if set(workflow.triggers) != {"workflow_call"}:
        return False
    calling = list(callers(model, workflow))
    return not calling or any(grants_id_token(c.permissions_node) for c in calling)


def _add_input(src: SourceFile, with_: YMap | None, name: str, value: str) -> Fix | None:
    """Append ``name: value`` to a block-style ``with:`` mapping (unsafe: the secret must
    exist in the repository)."""
    if with_ is None or not with_.entries:
        return None
    text = src.text or ""
    keys = [key for _name, key, _value in with_.items()]
    first = keys[0]
    line_start = text.rfind("\n", 0, first.start) + 1
    indent = text[line_start : first.start]
    if indent.strip():
        return None  # flow mapping (`with: {...}`) or keys sharing a line
    last_end = max(value.end for _name, _key, value in with_.items())
    while last_end > 0 and text[last_end - 1] == "\n":  # a block scalar ends on the next line
        last_end -= 1
    line_end = text.find("\n", last_end)
    at = len(text) if line_end == -1 else line_end
    return Fix(
        f"add `{name}: {value}` (the secret must exist)",
        (Edit(at, at, f"\n{indent}{name}: {value}"),),
        safe=False,
    )


def _logged_in_before(upload: Upload) -> bool:
    """An ``anaconda login`` earlier in the same run block or script."""
    cmd = upload.command
    if cmd is None:
        return False
    text = upload.source.text or ""
    start = 0
    step = upload.step
    if upload.context.origin == "workflow" and step is not None and step.run is not None:
        start = step.run.start
    return "anaconda login" in text[start : cmd.loc.start]


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
            callee = local_callee(model, job.uses.text)
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


# --- SL404 -------------------------------------------------------------------------------------


@register
class SecretsInIf(Rule):
    """The `secrets` context is used where GitHub does not provide it.

    `secrets` is not available in a job's or a step's `if:`, in the `with:` of a job that
    calls a reusable workflow, or anywhere in an action's `action.yml`. GitHub rejects the
    workflow (or the step using the action) with `Unrecognized named-value: 'secrets'.
    Located at position 1 within expression: secrets.PYPI_TOKEN != ''`. Checked against
    GitHub's context-availability table ("Contexts reference") and the schemas the runner
    ships (2026-05: `workflow-v1.0.json` gives `job-if`, `step-if` and a call's `with` no
    `secrets`; `action_yaml.json` gives no expression in an action `secrets`).

    Fix: map the secret into `env:` (of the job or step) and test `env.X != ''` instead;
    pass secrets to a reusable workflow under `secrets:`, and to a composite action as an
    input from the calling step.
    """

    code = "SL404"
    name = "secrets-in-if"
    severity = Severity.ERROR
    summary = "`secrets` used in if:, reusable-workflow with:, or a composite action"
    catalogue = ("S-3",)
    before = (
        "- name: Publish\n  if: secrets.PYPI_API_TOKEN != ''\n  run: twine upload dist/*\n"
        "  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    after = (
        "- name: Publish\n  if: env.TWINE_PASSWORD != ''\n  run: twine upload dist/*\n"
        "  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}\n"
    )

    _HELP_IF = (
        "GitHub rejects the workflow: `Unrecognized named-value: 'secrets'`. Map the secret "
        "into the job's or step's `env:` (`X: ${{ secrets.X }}`) and test `env.X != ''`."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        for workflow in model.workflows:
            src = workflow.source
            for job in workflow.jobs.values():
                if job.condition is not None:
                    for at in secrets_words(src, job.condition, whole_expression=True):
                        yield self.at(
                            Loc(src, at, at + 7),
                            f"`secrets` in the `if:` of job `{job.id}`",
                            self._HELP_IF,
                        )
                for step in job.steps:
                    if step.condition is None:
                        continue
                    for at in secrets_words(src, step.condition, whole_expression=True):
                        yield self.at(
                            Loc(src, at, at + 7),
                            f"`secrets` in the `if:` of {_step_name(step)}",
                            self._HELP_IF,
                        )
                if job.uses is not None and job.with_ is not None:
                    for _path, scalar in walk_scalars(job.with_):
                        for at in secrets_words(src, scalar):
                            yield self.at(
                                Loc(src, at, at + 7),
                                f"`secrets` in the `with:` of reusable-workflow call `{job.id}`",
                                "Inputs of a reusable-workflow call cannot read secrets "
                                "(`Unrecognized named-value: 'secrets'`). Pass it under the "
                                "job's `secrets:` and declare it in the called workflow's "
                                "`on.workflow_call.secrets`.",
                            )
        for action in model.actions:
            src = action.source
            for path, scalar in walk_scalars(action.root):
                if not _evaluated_in_action(path):
                    continue
                for at in secrets_words(src, scalar, whole_expression=_is_if(path)):
                    yield self.at(
                        Loc(src, at, at + 7),
                        "`secrets` in a composite action",
                        "Actions cannot read the `secrets` context: using this action fails "
                        "with `Unrecognized named-value: 'secrets'`. Declare an input (e.g. "
                        "`token:`), read it as `${{ inputs.token }}`, and pass "
                        "`token: ${{ secrets.X }}` from the calling workflow step.",
                    )


def _evaluated_in_action(path: tuple[str | int, ...]) -> bool:
    """Expressions GitHub evaluates in an action: ``runs`` and input defaults (descriptions
    are documentation)."""
    if path and path[0] == "runs":
        return True
    return len(path) == 3 and path[0] == "inputs" and path[2] == "default"


def _step_name(step: Step) -> str:
    if step.name:
        return f"step `{step.name}`"
    return f"step {step.index + 1} of job `{step.job.id}`"


# --- SL405 -------------------------------------------------------------------------------------

_PUBLISHY = re.compile(r"releas|publish|deploy|upload|pypi|anaconda", re.IGNORECASE)


def _uploads_in(model: ReleaseModel, workflow: Workflow, seen: set[str]) -> Upload | None:
    if workflow.source.rel in seen:
        return None
    seen.add(workflow.source.rel)
    for upload in model.uploads:
        if upload.context.workflow is workflow:
            return upload
    for job in workflow.jobs.values():
        if job.uses is not None:
            callee = local_callee(model, job.uses.text)
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
            callee = local_callee(model, job.uses.text)
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
        callee = local_callee(model, job.uses.text) if job.uses is not None else None
        if callee is not None and _inherits(job):
            names |= _secrets_read(model, callee, seen)
    return names


# --- SL406 -------------------------------------------------------------------------------------

_SHELL_EVENT = re.compile(
    r"\$\{?GITHUB_(?:EVENT_NAME|REF|REF_NAME|REF_TYPE|HEAD_REF)\b"
    r"|github\.(?:event_name|ref|ref_type|ref_name)\b"
)


def _fork_pr_reach(
    project: Project, workflow: Workflow, job: Job, step: Step | None, trigger: str
) -> Reach:
    """Whether the job (and step) runs for a fork pull request, as far as ``if:`` tells."""
    return reach(project, workflow, job, step, gha_expr.fork_pr_facts(trigger))


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
                (t, None, CERTAIN) for t in gha_expr.PR_TRIGGERS if t in workflow.triggers
            ]
            if workflow.is_reusable:
                for caller in callers(model, workflow):
                    if caller.workflow is None:
                        continue
                    for t in gha_expr.PR_TRIGGERS:
                        if t not in caller.workflow.triggers:
                            continue
                        called = _fork_pr_reach(project, caller.workflow, caller, None, t)
                        if called.runs is not False:
                            entries.append((t, caller, called))
            found: tuple[str, Job | None, Reach, Severity] | None = None
            for trigger, via_job, through in entries:
                got = _fork_pr_reach(project, workflow, job, upload.step, trigger) & through
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


def _what(upload: Upload) -> str:
    """A short name for the upload (never its command line, which may hold a token)."""
    names = {
        "pypi-publish-action": "pypa/gh-action-pypi-publish with a token",
        "upload-nightly-action": "upload-nightly-action",
    }
    if upload.tool in names:
        return names[upload.tool]
    words = upload.loc.text.split()
    sub = words[-1] if words and words[-1] in ("upload", "publish", "register") else "upload"
    return f"`{upload.tool} {sub}`"


# --- SL407 -------------------------------------------------------------------------------------


#: the variables each upload client reads its credentials from (user name, token)
_CLIENT_ENV = {
    "anaconda": ("ANACONDA_API_TOKEN",),
    "twine": ("TWINE_USERNAME", "TWINE_PASSWORD"),
    "uv": ("UV_PUBLISH_USERNAME", "UV_PUBLISH_TOKEN"),
    "flit": ("FLIT_USERNAME", "FLIT_PASSWORD"),
    "hatch": ("HATCH_INDEX_USER", "HATCH_INDEX_AUTH"),
    "poetry": ("POETRY_PYPI_TOKEN_PYPI",),
    "pdm": ("PDM_PUBLISH_USERNAME", "PDM_PUBLISH_PASSWORD"),
    "maturin": ("MATURIN_USERNAME", "MATURIN_PYPI_TOKEN"),
}


@register
class SecretInRun(Rule):
    """A secret is pasted into the command line of an upload client in a `run:` script.

    GitHub substitutes `${{ secrets.X }}` into the script text before the shell runs it:
    the token is written into the script file the runner executes, the shell parses it (a
    quote, `$` or backquote in the value changes the command), and it becomes an argument
    of the upload tool, where other processes (`ps`) and audit logs can read it. Log masking
    hides only the exact value: anaconda-client printed a malformed token to stderr
    (anaconda-client#548). GitHub's advice ("Using secrets in GitHub Actions"): avoid
    passing secrets on the command line; use environment variables the program reads.

    Reported for the clients of package indexes shiplint knows (twine, uv, hatch, flit,
    poetry, pdm, maturin, and the anaconda-client CLI `anaconda`/`binstar`, whose token
    also deletes packages): a secret of another service (a webhook URL, a docs deploy key)
    is not a release credential and is left alone.

    Fix: give the token to the step's `env:` under the variable the client reads itself
    and drop it from the command line: `ANACONDA_API_TOKEN` (anaconda-client),
    `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`, `FLIT_PASSWORD`, `HATCH_INDEX_AUTH`,
    `POETRY_PYPI_TOKEN_PYPI`, `PDM_PUBLISH_PASSWORD`, `MATURIN_PYPI_TOKEN`.
    """

    code = "SL407"
    name = "secret-in-run"
    severity = Severity.WARNING
    summary = "An upload token is interpolated into an upload client's command line in run:"
    catalogue = ("S-10",)
    before = "- run: anaconda --token ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} upload dist/*.whl\n"
    after = (
        "- run: anaconda upload dist/*.whl\n  env:\n"
        "    ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        clients = _client_commands(model)
        for workflow in model.workflows:
            src = workflow.source
            for job in workflow.jobs.values():
                for step in job.steps:
                    if step.run is None:
                        continue
                    commands = [c for c in clients if c[0].context.step is step]
                    reported: set[int] = set()
                    for ref in secret_refs(src, step.run):
                        if ref.name.upper() in ALWAYS_AVAILABLE or ref.expr_start in reported:
                            continue
                        found = _client_at(commands, ref)
                        if found is None:
                            continue  # not a credential of an upload client
                        tool, program = found
                        reported.add(ref.expr_start)
                        names = " or ".join(f"`{v}`" for v in _CLIENT_ENV[tool])
                        yield self.at(
                            Loc(src, ref.expr_start, ref.end),
                            f"secret `{ref.name}` is pasted into the `{program}` command line",
                            "The value becomes part of the script text and an argument of the "
                            "upload tool (readable by other processes, parsed by the shell). "
                            f"Set {names} in the step's `env:` from the secret (`${{{{ secrets."
                            f"{ref.name} }}}}`) and drop it from the command: {program} reads "
                            "it from there.",
                        )


def _client_commands(model: ReleaseModel) -> list[tuple[ShellCommand, str, str]]:
    """The commands of workflow steps that run an upload client: the command, the client
    (the upload's tool; the anaconda-client CLI for any of its subcommands) and the program
    as written (`binstar` is anaconda-client too)."""
    tools = {id(u.command): u.tool for u in model.uploads if u.command is not None}
    found: list[tuple[ShellCommand, str, str]] = []
    for cmd in model.commands:
        if not cmd.args or cmd.context.step is None or cmd.context.origin != "workflow":
            continue
        i = skip_wrappers(cmd.args)
        program = program_name(cmd.args[i].text) if i < len(cmd.args) else ""
        tool = tools.get(id(cmd))
        if tool is None and program in ANACONDA_CLI:
            tool = "anaconda"
        if tool in _CLIENT_ENV:
            found.append((cmd, tool, program or tool))
    return found


def _client_at(
    commands: list[tuple[ShellCommand, str, str]], ref: SecretRef
) -> tuple[str, str] | None:
    """The client (and program) whose command line holds the reference."""
    for cmd, tool, program in commands:
        first, last = cmd.args[0].loc, cmd.args[-1].loc
        if first.source is ref.source and first.start <= ref.start < last.end:
            return tool, program
    return None
