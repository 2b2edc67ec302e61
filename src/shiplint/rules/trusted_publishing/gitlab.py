"""SL308, SL309, SL311: GitLab CI trusted publishing whose id token the upload cannot use:
declared under a variable name twine/uv/pdm do not read (SL308), with an audience PyPI
rejects (SL309), or given to a tool that only exchanges GitHub Actions' token (SL311)
(catalogue T-9)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.model.gitlab_ci import OIDC_TOOLS, id_token_variable, upload_audience
from shiplint.pkg.upload_commands import option_value
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.model.gitlab_ci import GitLabJob, IdToken
    from shiplint.project import Project

#: text showing the job may get a token credential some other way (a CI/CD variable named
#: in the file, a .pypirc, a keyring, a twine configuration file)
_TOKEN_HINTS = (
    "TWINE_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_PUBLISH_PASSWORD",
    "PDM_PUBLISH_PASSWORD",
    ".pypirc",
    "keyring",
    "--config-file",
)
#: the same for maturin (`MATURIN_PYPI_TOKEN` first, then .pypirc, `MATURIN_PASSWORD`)
_MATURIN_HINTS = ("MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD", ".pypirc", "keyring")
#: the variables poetry, hatch and flit read their token from (pkg.tool_credentials)
_OTHER_TOOL_HINTS = ("POETRY_PYPI_TOKEN", "POETRY_HTTP_BASIC", "HATCH_INDEX_AUTH", "FLIT_PASSWORD")
_PYPI_AUDIENCES = ("pypi", "testpypi")
_INDEX_NAMES = {"pypi": "PyPI", "testpypi": "TestPyPI"}

_SOURCES = """
    Sources: di/id@v1.6.1 `id/_internal/oidc/ambient.py` (`detect_gitlab`: the variable is
    `<AUD>_ID_TOKEN`, else `GitLab: Environment variable PYPI_ID_TOKEN not found`);
    astral-sh/ambient-id `src/gitlab.rs` (uv: the same name, `ID token variable not found`);
    pypa/twine@6.1.0 `twine/auth.py` (the audience from `https://{index}/_/oidc/audience`,
    then `detect_credential(audience)`); pdm-project/pdm@2.28.2
    `src/pdm/cli/commands/publish/repository.py` (`_get_pypi_token_via_oidc`: the same,
    since pdm 2.24.0; 2.23 and older read GitHub's `ACTIONS_ID_TOKEN_REQUEST_TOKEN` only);
    pypi/warehouse
    `docs/user/trusted-publishers/using-a-publisher.md` ("GitLab CI/CD": `PYPI_ID_TOKEN`
    with `aud: pypi`, "testpypi" for TestPyPI; `{"audience":"pypi"}`) and
    `warehouse/oidc/services.py` (`verify_aud`, `strict_aud`: "We don't accept JWTs with
    multiple audiences"), `warehouse/oidc/views.py` (`invalid-token`)."""


def _gitlab_tp_uploads(
    project: Project, tools: tuple[str, ...] = OIDC_TOOLS, hints: tuple[str, ...] = _TOKEN_HINTS
) -> Iterator[tuple[Upload, GitLabJob, str]]:
    """Uploads of GitLab jobs that can only authenticate by trusted publishing as far as
    the pipeline's files show: ``tools`` to (Test)PyPI with no token, and nothing naming
    one (``hints``)."""
    model = project.model
    if any(entry.password is not None for entry in model.pypirc):
        return
    for upload in model.uploads:
        job = upload.gitlab_job
        if job is None or upload.tool not in tools or upload.dry_run:
            continue
        if upload.token_credentials:
            continue
        mode = upload.options.get("--trusted-publishing")
        if mode is not None and option_value(mode) == "never":
            continue
        audience = upload_audience(upload)
        if audience is None:
            continue
        text = job.pipeline.text()
        if upload.context.origin != "ci":
            text += "\n" + (upload.source.text or "")  # a script or task the job runs
        if any(hint in text for hint in hints):
            continue
        yield upload, job, audience


def _referenced(job: GitLabJob, token: IdToken) -> bool:
    """Whether the pipeline uses the token's variable besides declaring it (a script that
    exchanges it itself, or passes it on)."""
    return job.pipeline.text().count(token.variable) > 1


@register
class GitLabIdTokenName(Rule):
    """A GitLab CI job uploads to PyPI by trusted publishing, but its id token is in a
    variable twine, uv and pdm do not read.

    GitLab puts the OIDC token a job asks for under `id_tokens:` in the environment variable
    named by the entry's key. twine (6.1 and later) and pdm (2.24 and later), both through
    the `id` package, and uv (through `ambient-id`) ask the index for its audience (`pypi`
    for PyPI, `testpypi` for TestPyPI) and then read exactly `<AUD>_ID_TOKEN`:
    `PYPI_ID_TOKEN` or `TESTPYPI_ID_TOKEN`. A token for `aud: pypi` in `MY_TOKEN`, or a job
    that uploads to TestPyPI with only a `pypi` token, gets `Unable to retrieve an OIDC
    token from the CI platform for trusted publishing GitLab: Environment variable
    PYPI_ID_TOKEN not found` (twine; older twine asks for a password CI cannot give).
    Reported when nothing in the pipeline's files gives the upload a token
    (`TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`, `--password`, a `.pypirc`) and nothing else reads
    the variable (a script that exchanges the token itself), and no template the job extends
    may be in an include shiplint cannot read. A warning, not an error: GitLab also hands
    jobs the project's CI/CD variables, which the file does not show, and a `TWINE_PASSWORD`
    or `UV_PUBLISH_TOKEN` there would make the upload use that token instead (and the id
    token pointless).

    Fix: rename the variable to `PYPI_ID_TOKEN` (`TESTPYPI_ID_TOKEN` with `aud: testpypi`
    for TestPyPI); a job that uploads to both declares both.
    """

    __doc__ = (__doc__ or "") + _SOURCES

    code = "SL308"
    name = "gitlab-id-token-name"
    severity = Severity.WARNING
    summary = "GitLab id token for PyPI in a variable twine/uv/pdm do not read"
    catalogue = ("T-9",)
    example_file = ".gitlab-ci.yml"
    before = (
        "publish:\n  id_tokens:\n    PYPI_TOKEN:\n      aud: pypi\n"
        "  script:\n    - twine upload dist/*\n"
    )
    after = (
        "publish:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n"
        "  script:\n    - twine upload dist/*\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[int, str]] = set()
        for upload, job, audience in _gitlab_tp_uploads(project):
            wanted = id_token_variable(audience)
            if wanted in job.id_tokens or (id(job), wanted) in seen:
                continue
            tokens = [
                t
                for t in job.id_tokens.values()
                if len(t.audiences) == 1
                and t.audiences[0].value in _PYPI_AUDIENCES
                and not _referenced(job, t)
            ]
            same = [t for t in tokens if t.audiences[0].value == audience]
            if not tokens or (not same and job.may_inherit_unseen):
                continue  # (a template in an include shiplint cannot read may declare it)
            token = (same or tokens)[0]
            seen.add((id(job), wanted))
            index = _INDEX_NAMES[audience]
            where = Loc(token.source, token.key.start, token.key.end)
            if same:
                message = (
                    f"job `{job.name}` puts its {index} id token in `{token.variable}`: "
                    f"{upload.tool} reads `{wanted}`"
                )
                fix = f"Rename `{token.variable}` to `{wanted}`."
            else:
                message = (
                    f"job `{job.name}` uploads to {index} but has no `{wanted}` id token "
                    f"(`{token.variable}` is for `aud: {token.audiences[0].value}`)"
                )
                fix = f"Add `{wanted}:` with `aud: {audience}` under `id_tokens:`."
            yield self.at(
                where,
                message,
                f"{upload.tool} asks {index} for its OIDC audience (`{audience}`) and reads "
                f"the GitLab id token from `{wanted}` only; without it the upload stops "
                f"(`Environment variable {wanted} not found`), unless a project CI/CD variable "
                f"(Settings > CI/CD > Variables) gives it a token instead. {fix}",
            )


@register
class GitLabIdTokenAudience(Rule):
    """A GitLab CI job uploads to PyPI by trusted publishing with an id token whose `aud:`
    is not the index's audience.

    twine and uv find the token by its variable name (`PYPI_ID_TOKEN`) whatever its
    audience, and send it to PyPI, which verifies the `aud` claim against its own audience
    (`pypi`; `testpypi` on TestPyPI) and accepts a token with that one audience only: `aud:
    https://pypi.org`, `aud: pypi.org` or a list of several audiences get `invalid-token`
    ("malformed or invalid token") and the upload fails. Reported when nothing in the file
    gives the upload a token instead; a warning, because a project CI/CD variable the file
    does not show (`TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`) would still give it one.

    Fix: `aud: pypi` under `PYPI_ID_TOKEN` (`aud: testpypi` under `TESTPYPI_ID_TOKEN`).
    """

    __doc__ = (__doc__ or "") + _SOURCES

    code = "SL309"
    name = "gitlab-id-token-audience"
    severity = Severity.WARNING
    summary = "GitLab id token for PyPI with an audience PyPI rejects"
    catalogue = ("T-9",)
    example_file = ".gitlab-ci.yml"
    before = (
        "publish:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: https://pypi.org\n"
        "  script:\n    - twine upload dist/*\n"
    )
    after = (
        "publish:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n"
        "  script:\n    - twine upload dist/*\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[int] = set()
        for upload, job, audience in _gitlab_tp_uploads(project):
            token = job.id_tokens.get(id_token_variable(audience))
            if token is None or id(token) in seen or not token.audiences:
                continue
            values = [a.value for a in token.audiences]
            if any("$" in v for v in values) or values == [audience]:
                continue
            what = f"`aud: {values[0]}`" if len(values) == 1 else f"{len(values)} audiences"
            at = token.aud_node if len(values) > 1 and token.aud_node else token.audiences[0]
            seen.add(id(token))
            index = _INDEX_NAMES[audience]
            yield self.at(
                Loc(token.source, at.start, at.end),
                f"job `{job.name}`: {index} rejects the id token `{token.variable}` with {what}",
                f"{index} accepts a token whose only audience is `{audience}` (`invalid-token`: "
                f"malformed or invalid token), so the {upload.tool} upload fails unless a "
                f"project CI/CD variable (Settings > CI/CD > Variables) gives it a token "
                f"instead. Set `aud: {audience}`.",
            )


@register
class GitLabUploadWithoutOidc(Rule):
    """A GitLab CI job asks for a PyPI id token, but uploads with maturin, which cannot use
    it: the upload has no credential and fails.

    `maturin upload` (and `maturin publish`) exchange an OIDC token for a PyPI token only on
    GitHub Actions: `resolve_pypi_token_via_oidc` returns nothing unless `GITHUB_ACTIONS`
    is set, and then asks GitHub's token service (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`); a
    GitLab id token in `PYPI_ID_TOKEN` is never read. With no `MATURIN_PYPI_TOKEN`, no
    `.pypirc` and no `--password`/`MATURIN_PASSWORD`, maturin turns non-interactive on CI
    (`CI=true`, which GitLab sets) and stops: `Credentials not found and non-interactive
    mode is enabled`. Reported when the job declares an id token for PyPI's (or TestPyPI's)
    audience, which says trusted publishing is meant, and nothing in the pipeline's files
    names a maturin token (a project CI/CD variable would make the id token pointless).

    Fix: publish with a tool that exchanges GitLab's id token (`twine upload` >= 6.1,
    `uv publish`, `pdm publish` >= 2.24) on the wheels maturin built, or give maturin an
    API token (`MATURIN_PYPI_TOKEN` as a masked CI/CD variable) and drop the id token.

    Sources: PyO3/maturin@v1.14.1 `src/upload.rs` (`resolve_pypi_cred`: `MATURIN_PYPI_TOKEN`,
    then `resolve_pypi_token_via_oidc` "Trusted Publisher support for GitHub Actions", then
    `.pypirc`, then `bail!("Credentials not found and non-interactive mode is enabled")`;
    `non_interactive_on_ci`: `CI == "true"`); GitLab docs `ci/variables/predefined_variables.md`
    (`CI`: `true`); pypi/warehouse `docs/user/trusted-publishers/using-a-publisher.md`
    ("GitLab CI/CD": the tool reads `PYPI_ID_TOKEN`).
    """

    code = "SL311"
    name = "gitlab-upload-without-oidc"
    severity = Severity.ERROR
    summary = "GitLab job with a PyPI id token uploads with maturin, which cannot use it"
    catalogue = ("T-9",)
    example_file = ".gitlab-ci.yml"
    before = (
        "publish:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n"
        "  script:\n    - maturin upload target/wheels/*\n"
    )
    after = (
        "publish:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n"
        "  script:\n    - pip install 'twine>=6.1'\n    - twine upload target/wheels/*\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, job, audience in _gitlab_tp_uploads(project, ("maturin",), _MATURIN_HINTS):
            tokens = [
                t
                for t in job.id_tokens.values()
                if any(a.value in _PYPI_AUDIENCES for a in t.audiences)
            ]
            if not tokens:
                continue
            token = next((t for t in tokens if t.audiences[0].value == audience), tokens[0])
            index = _INDEX_NAMES[audience]
            yield self.at(
                upload.loc,
                f"job `{job.name}` asks for a {index} id token (`{token.variable}`), but "
                f"maturin only uses GitHub Actions' OIDC token: the upload has no credential",
                "maturin finds no token, turns non-interactive on CI and stops (`Credentials "
                "not found and non-interactive mode is enabled`). Upload the wheels with "
                "`twine upload` (>= 6.1), `uv publish` or `pdm publish` (>= 2.24), which "
                "read the GitLab id token, or give maturin `MATURIN_PYPI_TOKEN` as a masked "
                "CI/CD variable.",
            )


@register
class GitLabUploadCredentialUnseen(Rule):
    """A GitLab CI job uploads to PyPI with neither a token nor an id token in its files.

    A GitLab job gets what its files do not show from the project's CI/CD variables
    (Settings > CI/CD > Variables, masked and protected): that is where a `TWINE_PASSWORD`
    or `UV_PUBLISH_TOKEN` usually lives, so shiplint cannot tell whether this upload has a
    credential. Without one it fails: twine 6.1+ and uv first look for an id token
    (`<AUD>_ID_TOKEN`) and, with none declared under `id_tokens:`, stop (`Unable to
    retrieve an OIDC token from the CI platform for trusted publishing`), and older tools
    ask for a password CI cannot give. Information: it says what to check.

    Fix: check that the project has the token variable (protected, for the protected
    branches or tags that release), and record whose token it is in the deploy record;
    or publish by trusted publishing: add `id_tokens: {PYPI_ID_TOKEN: {aud: pypi}}` to the
    job and register the pipeline on PyPI (its top-level `.gitlab-ci.yml` path).
    """

    __doc__ = (__doc__ or "") + _SOURCES

    code = "SL312"
    name = "gitlab-upload-credential-unseen"
    severity = Severity.INFO
    summary = "GitLab job uploads to PyPI with no token or id token in its files"
    catalogue = ("T-9",)
    example_file = ".gitlab-ci.yml"
    before = "publish:\n  script:\n    - twine upload dist/*\n"
    after = (
        "publish:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n"
        "  script:\n    - twine upload dist/*\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[int] = set()
        tools = (*OIDC_TOOLS, "maturin", "poetry", "hatch", "flit")
        hints = (*_TOKEN_HINTS, *_MATURIN_HINTS, *_OTHER_TOOL_HINTS)
        for upload, job, audience in _gitlab_tp_uploads(project, tools, hints):
            if job.id_tokens or job.may_inherit_unseen or id(upload) in seen:
                continue
            seen.add(id(upload))
            index = _INDEX_NAMES[audience]
            yield self.at(
                upload.loc,
                f"job `{job.name}` uploads to {index} with no token or id token in its files",
                f"Its credential can only come from a project CI/CD variable shiplint cannot "
                f"see; without one the upload fails. Check that the variable exists (and is "
                f"available to the ref that releases), or publish by trusted publishing: add "
                f"`id_tokens: {{{id_token_variable(audience)}: {{aud: {audience}}}}}` to the "
                f"job.",
            )
