"""SL401 upload-without-credential: an upload in CI given no token, password or
trusted-publishing permission."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha.scenarios import CERTAIN, Reach, trigger_reach
from shiplint.model import Loc
from shiplint.model.publishers import publisher_label
from shiplint.model.workflows import callers, grants_id_token
from shiplint.parse.yamlnodes import YMap
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import ACTION_TOOL
from shiplint.rules.secrets.env_flow import CLI_TOOLS, missing_tool_credentials

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, Upload
    from shiplint.project import Project
    from shiplint.source import SourceFile


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

    - poetry, hatch and flit (and uv with `--trusted-publishing never`) read their token
      only from their own variables (`POETRY_PYPI_TOKEN_<REPO>`, `HATCH_INDEX_USER` /
      `HATCH_INDEX_AUTH`, `FLIT_USERNAME` / `FLIT_PASSWORD`, `UV_PUBLISH_TOKEN`; see
      `pkg.tool_credentials`), a keyring or a config file. GitHub Actions does not expose
      repository secrets as environment variables: a step sees only the `env:` of the
      workflow, job and step, the `$GITHUB_ENV` writes of earlier steps and the runner's own
      variables. When none of these can set the variable (a GitHub-hosted runner; no
      `$GITHUB_ENV` write, action, script, keyring, `.pypirc`, `.netrc` or `<tool> config`
      in the job that could), the tool has no credential and the upload fails.

    - a catalogued publishing action or reusable workflow (maturin-action, OpenAstronomy's
      publish workflows, poetry-publish, jupyter_releaser's finalize-release ...) given
      none of the inputs, `secrets:` or variables its facts say carry the token, when it
      cannot use trusted publishing instead (OpenAstronomy's workflows try it through
      pypa/gh-action-pypi-publish, and PyPI refuses a reusable workflow of another
      repository), or the job may not mint an OIDC token (jupyter_releaser).

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
    (`permissions: id-token: write` on the job). For the other tools add the variable to
    the step's `env:`, e.g. `POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_API_TOKEN }}`.

    Sources: GitHub docs, "Using secrets in GitHub Actions" (secrets reach a step only
    through `env:` or `with:`) and "Store information in variables" (default variables);
    poetry 2.5.1 `config/config.py` (`POETRY_PYPI_TOKEN_<NAME>`); hatch `publish/index.py`;
    flit `upload.py` (`FLIT_USERNAME`, `FLIT_PASSWORD`); uv `publish` (`UV_PUBLISH_TOKEN`).
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
            elif upload.tool in CLI_TOOLS and _in_ci(upload):
                found = self._cli(project, upload)
            elif upload.publisher is not None and upload.tool != ACTION_TOOL and _in_ci(upload):
                found = self._publisher(upload)
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

    def _publisher(self, upload: Upload) -> Iterator[Finding]:
        """A catalogued action or reusable workflow given none of the inputs, secrets or
        variables its facts say carry the token (and, for one that may use trusted
        publishing, no id token: the model then marks it OIDC and SL301 speaks)."""
        pub = upload.publisher
        if pub is None or _job_mentions(upload.job, (*pub.token_env, *pub.username_env)):
            return
        label = publisher_label(upload)
        if pub.token_secrets and upload.step is None:
            names = pub.token_secrets
            where = f"`secrets:` of the calling job (`{names[0]}: ${{{{ secrets.NAME }}}}`)"
        elif pub.token_inputs:
            names = pub.token_inputs
            where = f"`with:` (`{names[0]}: ${{{{ secrets.NAME }}}}`)"
        elif pub.token_env:
            names = pub.token_env
            where = f"the step's `env:` (`{names[0]}: ${{{{ secrets.NAME }}}}`)"
        else:
            return
        listed = ", ".join(f"`{n}`" for n in names)
        if pub.trusted_publishing == "never":
            why = (
                f"{label} cannot publish by trusted publishing, so it sends an empty token "
                "and the upload fails"
            )
        else:
            why = (
                f"{label} uses trusted publishing only when the job may mint an OIDC token, "
                "which this job may not, so it has no credential and the upload fails"
            )
        yield self.at(
            upload.loc,
            f"`{label}` uploads with no token: none of {listed} is given",
            f"{why}. Pass the token through {where}, from a secret that holds a "
            f"project-scoped token.",
        )

    def _cli(self, project: Project, upload: Upload) -> Iterator[Finding]:
        auth = missing_tool_credentials(project, upload)
        if auth is None:
            return
        first = auth.schemes[0]
        names = ", ".join(f"`{name}`" for name in first.names)
        lines = "".join(f"\n  {name}: {_env_value(name)}" for name in first.names)
        others = "".join(
            f" For {s.label} set {', '.join(s.names)} instead." for s in auth.schemes[1:]
        )
        sub = "publish"
        yield self.at(
            upload.loc,
            f"`{upload.tool} {sub}` runs with no credential: nothing sets {names}",
            f"GitHub Actions passes repository secrets to a step only through the `env:` "
            f"(or inputs) the workflow writes, and neither the workflow, the job, the step nor "
            f"an earlier step sets {names} ({first.label}), so {upload.tool} has no "
            f"credential and the upload fails (a prompt CI cannot answer, or `403 Invalid or "
            f"non-existent authentication information`). Add to the step's `env:`:{lines}\n"
            f"(the secret must exist).{others}",
        )


def _env_value(name: str) -> str:
    """The value to give a credential variable: ``__token__`` for a user name."""
    if name.endswith(("_USER", "_USERNAME")):
        return "__token__"
    return "${{ secrets.PYPI_API_TOKEN }}"


def _workflow_reach(project: Project, upload: Upload) -> Reach:
    """Whether a trigger of the GitHub workflow running ``upload`` reaches it (and whether
    its failure fails the run); certain outside a workflow job."""
    job = upload.context.job
    workflow = job.workflow if job is not None else None
    if job is None or workflow is None or workflow.source.kind != "workflow":
        return CERTAIN
    if upload.context.origin not in ("workflow", "script"):
        return CERTAIN
    return trigger_reach(project, workflow, job, upload.context.step, condition=upload.condition)


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
