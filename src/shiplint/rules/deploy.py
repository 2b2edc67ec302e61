"""SL801-SL817: the deploy-account record — who owns each upload credential, its state,
and whether it still agrees with the workflows (catalogue 0.1, 0.2, E-2..E-5, P-1, S-1)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.config import Config
from shiplint.deploy import section
from shiplint.deploy.match import (
    PYPI_PROJECT_URL,
    Destination,
    default_project,
    match,
    upload_publishers,
)
from shiplint.deploy.record import DeployRecord, RecordSet, load_records
from shiplint.deploy.schema import TOKEN_NEEDS, TRUSTED_NEEDS, keys_markdown
from shiplint.deploy.skeleton import inline_advice, preview, skeletons
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.model import Loc
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.project import Project

_INDEX_NAMES = {"pypi": "PyPI", "testpypi": "TestPyPI", "anaconda": "anaconda.org"}


def _config(project: Project) -> Config:
    return project.config or Config()


def _records(project: Project) -> RecordSet | None:
    """The records of a repository (None for a single-file audit)."""
    if project.single_file:
        return None
    return load_records(project)


def _where(record: DeployRecord) -> str:
    return f"deploy record `{record.name}`"


def _index_name(index: str | None) -> str:
    if index is None:
        return "an index the files do not name"
    return _INDEX_NAMES.get(index, index)


def _project_name(project: Project, record: DeployRecord) -> str | None:
    return record.str_("project") or default_project(project)


def _describe(upload: Upload, dest: Destination) -> str:
    where = _index_name(dest.index)
    if dest.family == "anaconda":
        where = f"anaconda.org channel `{dest.channel}`" if dest.channel else "anaconda.org"
    if dest.secret_names:
        how = f"with the token in secret `{dest.secret_names[0]}`"
    elif dest.oidc:
        how = "by trusted publishing"
    else:
        how = "with credentials from the environment"
    return f"{upload.tool} upload to {where} {how}"


class _DeployRule(Rule):
    example_file = "pyproject.toml"


class _RecordRule(_DeployRule):
    """A rule that looks at each deploy record on its own."""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        for record in records.records:
            yield from self.check_record(project, record)

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        raise NotImplementedError  # pragma: no cover - every subclass overrides it


@register
class UndocumentedUpload(_DeployRule):
    """An upload has no deploy record: nobody wrote down who owns its credential.

    The two failures shiplint was built for were invisible in the workflow. PyLoad's
    release stopped with `400 Bad Request … User 'vuolter' does not have a verified primary
    email address`: the token's PyPI account had lost its verified email. h5py's nightly
    wheels stopped with `401 User is not authorized to perform this operation`: the
    Anaconda token had been made in the old org by an account that was not in the new
    org's `h5py` group. In both, the YAML was correct; what was wrong was the account behind
    the secret, and nothing in the repository said which account that was.

    Every upload shiplint finds (workflows, scripts, tox, Makefile, nox) needs a deploy
    record, matched on the index, the Anaconda.org channel and the secret: one table per
    destination in `[tool.shiplint.deploy.<name>]` of `pyproject.toml`, or `[deploy.<name>]`
    of `shiplint.toml`. `shiplint init` writes the tables with what the files tell and
    `TODO` placeholders for what only a maintainer knows.
    """

    code = "SL801"
    name = "undocumented-deploy-account"
    severity = Severity.ERROR
    summary = "An upload has no deploy record saying who owns its credential"
    catalogue = ("P-1", "E-2")
    before = """\
[project]
name = "pyload-ng"
# .github/workflows/deploy.yml uploads with secrets.PYPI_API_TOKEN; no record
"""
    after = """\
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
secret = "PYPI_API_TOKEN"
account = "vuolter"
email-verified = 2024-04-21
maintainers = ["vuolter", "GammaC0de"]
"""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None or records.unreadable:
            return  # the file that should hold the records does not parse: SL001 says so
        matching = match(project)
        if not matching.undocumented:
            return
        tables = {id(u): s for s in skeletons(project) for u in s.uploads}
        file_name = records.target
        for upload, dest in matching.undocumented:
            skeleton = tables[id(upload)]
            todo = ", ".join(f"`{k}`" for k in skeleton.todo_keys())
            why = (
                "Nothing in the repository says which account owns this credential, so an "
                "account-side change (an unverified email, a token made by the wrong account or "
                "in the wrong org, an expired token) fails the release with nothing to check. "
            )
            inline = (
                inline_advice(records.doc, records.prefix, [skeleton], todo)
                if records.doc is not None
                else None
            )
            if inline is not None:
                # `[...deploy.<name>]` next to an inline `deploy = {...}` is invalid TOML
                how = inline
            else:
                text = preview(skeleton, records.prefix).rstrip()
                table = "\n".join("    " + line for line in text.splitlines())
                how = (
                    f"Add this table to {file_name} (or run `shiplint init`) and fill in "
                    f"{todo}:\n{table}"
                )
            yield self.at(upload.loc, f"{_describe(upload, dest)} has no deploy record", why + how)


_NEED_WHY = {
    "account": "the account that owns the token is the one whose email, group membership and "
    "token settings decide whether uploads work",
    "email-verified": "PyPI refuses uploads from accounts without a verified primary email "
    "(`400 … does not have a verified primary email address`), and verification can lapse",
    "channel": "the anaconda.org org or user the token must be able to write to",
    "group": "uploads to an org need the token's account in the org group that owns the package "
    "(`401 User is not authorized to perform this operation` otherwise)",
    "token-expires": "anaconda.org tokens expire (`Authentication token has expired`, 401)",
    "workflow": "PyPI's trusted publisher names the workflow file; a renamed file fails with "
    "`invalid-publisher`",
}


def _why(key: str) -> str:
    """Why ``key`` matters, as a sentence (empty when there is nothing to add)."""
    why = _NEED_WHY.get(key)
    return f"{why[0].upper()}{why[1:]}." if why else ""


@register
class IncompleteRecord(_RecordRule):
    """A deploy record lacks what the seed incidents needed, or still holds placeholders.

    A PyPI (or TestPyPI) token record needs `account` (the user that owns the token) and
    `email-verified` (when that account's primary email was last seen verified: PyPI answers
    `400 … does not have a verified primary email address` otherwise, and verification can
    lapse); a token record for another index (a private URL) needs `account`. An
    Anaconda.org token record needs `channel`, `account`, `group` (the org group that grants
    upload rights: without it, `401 User is not authorized`) and `token-expires`. A
    trusted-publishing record needs `workflow`. `TODO` placeholders written by
    `shiplint init` keep failing until they are replaced with the real values.
    """

    code = "SL802"
    name = "incomplete-deploy-record"
    severity = Severity.ERROR
    summary = "A deploy record lacks the account, verification, group or expiry it needs"
    catalogue = ("P-1", "E-2", "E-4")
    before = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scientific-python-nightly-wheels"
auth = "token"
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
"""
    after = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scientific-python-nightly-wheels"
group = "h5py"
auth = "token"
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
account = "takluyver"
account-kind = "personal"
scopes = ["api:read", "api:write", "pypi:upload"]
token-expires = 2026-05-14
maintainers = ["takluyver", "tacaswell"]
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        for key in sorted(record.placeholders, key=lambda k: record.loc(k).start):
            yield self.at(
                record.loc(key),
                f"`{key}` in {_where(record)} is still a placeholder",
                f"Replace the TODO value with the real one. {_why(key)}".rstrip(),
            )
        # one finding per record: findings of a rule at the same place are deduplicated
        missing = [
            key
            for key in self._needs(record)
            if not (record.has(key) or key in record.placeholders or key in record.invalid)
        ]
        if missing:
            kind = "trusted-publishing" if record.auth == "trusted-publishing" else "token"
            names = ", ".join(f"`{key}`" for key in missing)
            why = (
                f"Record it: {_NEED_WHY[missing[0]]}."
                if len(missing) == 1
                else "Record them. " + " ".join(f"`{k}`: {_NEED_WHY[k]}." for k in missing)
            )
            yield self.at(
                record.table_loc(),
                f"{_where(record)} ({_index_name(record.normalised_index)} {kind}) has no {names}",
                why,
            )

    @staticmethod
    def _needs(record: DeployRecord) -> tuple[str, ...]:
        if record.index is None or record.auth is None:
            return ()
        if record.auth == "trusted-publishing":
            return TRUSTED_NEEDS if record.family == "pypi" else ()
        if record.family == "anaconda":
            return TOKEN_NEEDS["anaconda"]
        # email-verified is a property of PyPI accounts, not of a private index's
        index = record.normalised_index
        return TOKEN_NEEDS[index if index in ("pypi", "testpypi") else "other"]


@register
class OrganizationToken(_RecordRule):
    """The record says the Anaconda.org token belongs to an organization.

    SPEC 4: "the creation of tokens at the organization level should be avoided". An org
    token is shared by every project of the org and survives its maintainers; the
    scientific-python-nightly-wheels admins replaced them with maintainers' personal tokens
    (networkx, scikit-image, 2024). Make a personal token of a maintainer who is in the
    project's group of the org, with the scopes `api:read`, `api:write` and `pypi:upload`,
    and record that account.
    """

    code = "SL803"
    name = "organization-deploy-token"
    severity = Severity.ERROR
    summary = "Deploy record: Anaconda.org token owned by an organization, not a maintainer"
    catalogue = ("E-5",)
    before = """\
[tool.shiplint.deploy.nightly]
account = "scientific-python-nightly-wheels"
account-kind = "organization"
"""
    after = """\
[tool.shiplint.deploy.nightly]
account = "takluyver"
account-kind = "personal"
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        scopes = ", ".join(facts_mod.load().recommended_scopes)
        if record.family == "anaconda" and record.str_("account-kind") == "organization":
            yield self.at(
                record.loc("account-kind"),
                f"{_where(record)}: the anaconda.org token is an organization-level token",
                f"{facts_mod.load().spec4} forbids organization-level tokens. Create a "
                "personal token of a maintainer who is a member of the project's group in "
                f'the channel\'s org, with the scopes {scopes}; set account-kind = "personal" '
                "and record that account.",
            )


@register
class TokenScopes(_RecordRule):
    """The recorded token scopes cannot upload to the recorded destination.

    Anaconda.org uploads need `api:write` and `pypi:upload`; without them the upload fails
    with `('Authentication token does not have the sufficient scope to perform this action
    expected: api:write', 401)` (scipy, matplotlib, photutils). A PyPI token scoped to one
    project (`project:NAME`) only uploads that project.
    """

    code = "SL804"
    name = "deploy-token-scope"
    severity = Severity.ERROR
    summary = "Deploy record: token scopes miss one the upload needs"
    catalogue = ("E-3",)
    before = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
scopes = ["api:read"]
"""
    after = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
scopes = ["api:read", "api:write", "pypi:upload"]
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        from packaging.utils import canonicalize_name

        facts = facts_mod.load()
        scopes = record.list_("scopes")
        if scopes is None or record.auth != "token":
            return
        if record.family == "anaconda":
            missing = [s for s in facts.required_scopes if s not in scopes]
            if missing:
                yield self.at(
                    record.loc("scopes"),
                    f"{_where(record)}: token lacks scope {', '.join(missing)}",
                    "anaconda.org refuses the upload with `Authentication token does not "
                    "have the sufficient scope to perform this action` (401). Make a new "
                    f"token with {', '.join(facts.recommended_scopes)} ({facts.spec4}), "
                    "store it in the secret and update `scopes` and `token-expires`.",
                )
            return
        wanted = _project_name(project, record)
        if wanted is None:
            return
        for i, scope in enumerate(scopes):
            kind, _, name = scope.partition(":")
            if (
                kind.strip() == "project"
                and name.strip()
                and canonicalize_name(name.strip()) != canonicalize_name(wanted)
            ):
                yield self.at(
                    record.item_loc("scopes", i) or record.loc("scopes"),
                    f"{_where(record)}: token is scoped to project `{name.strip()}`, "
                    f"the upload is `{wanted}`",
                    "A project-scoped PyPI token only uploads that project (403 "
                    "Invalid API Token). Make a token scoped to "
                    f"`{wanted}` and update the secret and `scopes`.",
                )


@register
class TokenExpired(_RecordRule):
    """The recorded token has expired.

    An expired token fails every upload with `('Authentication token has expired', 401)`
    (numpy#27367, which also needed the new token in two CI systems). Make a new token,
    update every secret that holds it and record the new `token-expires`.
    """

    code = "SL805"
    name = "deploy-token-expired"
    severity = Severity.ERROR
    summary = "Deploy record: the token's expiry date has passed"
    catalogue = ("E-4",)
    before = """\
[tool.shiplint.deploy.nightly]
token-expires = 2025-05-14
"""
    after = """\
[tool.shiplint.deploy.nightly]
token-expires = 2027-05-14
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        expires = record.date("token-expires")
        if expires is not None and expires <= project.today:
            when = "today" if expires == project.today else f"on {expires.isoformat()}"
            yield self.at(
                record.loc("token-expires"),
                f"{_where(record)}: the token expired {when}",
                "Uploads with it fail (`Authentication token has expired`, 401). Make a new "
                "token, store it in "
                + (f"secret `{record.str_('secret')}`" if record.str_("secret") else "the CI")
                + " (every CI system that uploads), then update `token-expires`.",
            )


@register
class TokenExpiresSoon(_RecordRule):
    """The recorded token expires within `expiry-warning-days` (default 30).

    Renew it before the release that would fail: make a new token, replace the secret in
    every CI system that uploads, and record the new date.
    """

    code = "SL806"
    name = "deploy-token-expires-soon"
    severity = Severity.WARNING
    summary = "Deploy record: the token expires within the warning window"
    catalogue = ("E-4",)
    before = """\
[tool.shiplint.deploy.nightly]
token-expires = 2026-12-01
"""
    after = """\
[tool.shiplint.deploy.nightly]
token-expires = 2027-12-01
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        days = _config(project).expiry_warning_days
        expires = record.date("token-expires")
        if expires is None or expires <= project.today:
            return
        left = (expires - project.today).days
        if left <= days:
            yield self.at(
                record.loc("token-expires"),
                f"{_where(record)}: the token expires in {left} day{'s' * (left != 1)} "
                f"({expires.isoformat()})",
                "Renew it now: make a new token, replace the secret in every CI system "
                "that uploads, and update `token-expires` "
                f"(warning window: expiry-warning-days = {days}).",
            )


@register
class EmailVerificationStale(_RecordRule):
    """The PyPI account's email was last seen verified too long ago.

    PyPI refuses uploads from an account without a verified primary email:
    `400 Bad Request … User 'vuolter' does not have a verified primary email address`. An
    address that was verified once can become unverified again (PyLoad, 2024: "Email
    verified... again"). Log in as the account, check the primary email is verified (re-send
    the verification if not) and record the date; the window is `verification-max-age-days`
    (default 365).
    """

    code = "SL807"
    name = "email-verification-stale"
    severity = Severity.WARNING
    summary = "Deploy record: the PyPI account's verified email was last checked too long ago"
    catalogue = ("P-1",)
    before = """\
[tool.shiplint.deploy.pypi]
email-verified = 2023-01-10
"""
    after = """\
[tool.shiplint.deploy.pypi]
email-verified = 2026-11-02
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        limit = _config(project).verification_max_age_days
        seen = record.date("email-verified")
        if seen is None or seen > project.today or not _pypi_account(record):
            return
        age = (project.today - seen).days
        if age > limit:
            account = record.str_("account")
            who = f"`{account}`" if account else "the owning account"
            yield self.at(
                record.loc("email-verified"),
                f"{_where(record)}: {who}'s email was last seen verified {age} days ago",
                "PyPI refuses uploads from accounts without a verified primary email (400). "
                f"Log in as {who}, check that the primary email is verified, and set "
                f"email-verified = {project.today.isoformat()} "
                f"(verification-max-age-days = {limit}).",
            )


@register
class DateInFuture(_RecordRule):
    """A verification date in the record lies in the future.

    `email-verified` records when someone looked; a future date is a typo (often the year)
    that would hide the check for years.
    """

    code = "SL808"
    name = "deploy-date-in-future"
    severity = Severity.ERROR
    summary = "Deploy record: a verification date lies in the future"
    catalogue = ("P-1",)
    before = """\
[tool.shiplint.deploy.pypi]
email-verified = 2062-04-21
"""
    after = """\
[tool.shiplint.deploy.pypi]
email-verified = 2026-04-21
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        seen = record.date("email-verified")
        if seen is not None and seen > project.today:
            yield self.at(
                record.loc("email-verified"),
                f"{_where(record)}: email-verified = {seen.isoformat()} is in the future",
                "Write the date someone last saw the account's primary email verified "
                f"(today is {project.today.isoformat()}).",
            )


def _pypi_account(record: DeployRecord) -> bool:
    """The record's account is a PyPI or TestPyPI one (or its index is not known yet)."""
    return record.on_pypi or (record.index is None and record.family == "pypi")


def _pairs(project: Project) -> list[tuple[Upload, DeployRecord, Destination]]:
    """Uploads with their record and destination (none for a single-file audit)."""
    return [] if project.single_file else match(project).pairs


@register
class SecretMismatch(_DeployRule):
    """The upload reads a different secret than its deploy record names.

    A secret that does not exist reads as an empty string: the publish action then tries
    trusted publishing and fails, `anaconda` reports an empty token, and scripts that check
    for an empty token skip the upload and stay green. Either the workflow or the record is
    wrong; make them name the same secret.
    """

    code = "SL809"
    name = "deploy-secret-mismatch"
    severity = Severity.ERROR
    summary = "An upload reads a different secret than its deploy record names"
    catalogue = ("S-1",)
    example_file = ".github/workflows/release.yml"
    before = """\
# pyproject.toml: [tool.shiplint.deploy.pypi] secret = "PYPI_API_TOKEN"
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
"""
    after = """\
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for _upload, record, dest in _pairs(project):
            wanted = record.str_("secret")
            if wanted is None or record.auth != "token" or wanted in dest.secret_names:
                continue
            for cred in dest.secrets:
                yield self.at(
                    cred.loc,
                    f"uses secret `{cred.secret}`, but {_where(record)} names `{wanted}`",
                    f"Use the secret the record documents (`{wanted}`), or, if `{cred.secret}` "
                    f"is the right one, update `secret` in the record and check who owns it.",
                )


@register
class AuthMismatch(_DeployRule):
    """The upload authenticates differently than its deploy record says.

    A record with `auth = "trusted-publishing"` while the step still passes a password:
    the password wins, trusted publishing is never tried, and the release depends on a token
    nobody is tracking (PyLoad kept `password:` for weeks after setting up its trusted
    publisher). A record with `auth = "token"` while the upload uses trusted publishing: the
    record describes a token that is no longer used — update it.
    """

    code = "SL810"
    name = "deploy-auth-mismatch"
    severity = Severity.ERROR
    summary = "Upload and deploy record disagree on trusted publishing vs token"
    catalogue = ("T-6",)
    example_file = ".github/workflows/release.yml"
    before = """\
# pyproject.toml: [tool.shiplint.deploy.pypi] auth = "trusted-publishing"
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""
    after = """\
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, record, dest in _pairs(project):
            tokens = upload.token_credentials
            if record.auth == "trusted-publishing" and tokens:
                for cred in tokens:
                    what = f"secret `{cred.secret}`" if cred.secret else "a token"
                    yield self.at(
                        cred.loc,
                        f"passes {what}, but {_where(record)} says trusted publishing",
                        "A password or token disables trusted publishing. Remove it (and its "
                        "secret) so the upload uses the trusted publisher, or record the token "
                        'with auth = "token".',
                    )
            elif record.auth == "token" and dest.oidc and not tokens:
                yield self.at(
                    upload.loc,
                    f'uses trusted publishing, but {_where(record)} says auth = "token"',
                    "The record describes a token this upload no longer uses. Set auth = "
                    '"trusted-publishing" and workflow = "<file>.yml", and delete the old '
                    "token on the index.",
                )


@register
class WorkflowMismatch(_DeployRule):
    """The record's trusted-publishing `workflow` is missing or does not publish.

    PyPI's trusted publisher names one workflow file, and PyPI looks it up by the file in
    the OIDC token's `job_workflow_ref` claim: the workflow that contains the publishing job.
    For a job of a reusable workflow GitHub sets that claim to the reusable workflow, not to
    the workflow that calls it (warehouse `oidc/models/github.py`, `lookup_by_claims`;
    GitHub's OIDC reference). When the file was renamed, the publishing job moved to another
    file, or the publisher names the caller of a reusable workflow, every upload fails with
    `invalid-publisher: valid token, but no corresponding publisher`. The record names the
    file registered on PyPI; keep it, the PyPI settings and the repository in step.
    """

    code = "SL811"
    name = "deploy-workflow-mismatch"
    severity = Severity.ERROR
    summary = "Deploy record names a workflow that does not exist or does not publish"
    catalogue = ("T-4",)
    before = """\
[tool.shiplint.deploy.pypi]
auth = "trusted-publishing"
workflow = "publish.yml"   # the job is in release.yml
"""
    after = """\
[tool.shiplint.deploy.pypi]
auth = "trusted-publishing"
workflow = "release.yml"
"""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        matching = match(project)
        for record in records.records:
            name = record.str_("workflow")
            if name is None or record.auth != "trusted-publishing":
                continue
            base = posixpath.basename(name)
            rel = f".github/workflows/{base}"
            loc = record.loc("workflow")
            if rel not in project.by_rel:
                yield self.at(
                    loc,
                    f"{_where(record)}: workflow `{base}` does not exist",
                    f"There is no {rel}. Set `workflow` to the file that publishes, and register "
                    "that file name as the trusted publisher on the index.",
                )
                continue
            uploads = matching.uploads_of(record)
            files = _publishing_files(project, uploads)
            if base in files or base in _publishing_files(project, uploads, trusted_only=False):
                continue  # publishing from `base` with a token instead is SL810's finding
            where = ", ".join(sorted(files))
            yield self.at(
                loc,
                f"{_where(record)}: `{base}` does not publish to "
                f"{_index_name(record.normalised_index)}"
                + (f" (the trusted-publishing upload is in {where})" if where else ""),
                "PyPI only accepts tokens from the workflow file registered as trusted "
                "publisher (`invalid-publisher` otherwise). Point `workflow` at the file that "
                "publishes, and the PyPI publisher settings too.",
            )


def _publishing_files(
    project: Project, uploads: list[Upload], trusted_only: bool = True
) -> set[str]:
    """Workflow files that contain the jobs making these trusted-publishing uploads."""
    files: set[str] = set()
    for upload in uploads:
        if trusted_only and not upload.oidc:
            continue
        # PyPI matches the publisher on the file named by the token's `job_workflow_ref`:
        # the workflow that contains the job, reusable or not; a script, Makefile target,
        # tox env or nox session through the step that runs it
        files.update(upload_publishers(project.model, upload))
    return files


@register
class EnvironmentMismatch(_DeployRule):
    """The publishing job's GitHub environment differs from the record's `environment`.

    A trusted publisher registered with an environment only accepts tokens from jobs in that
    environment; a job in another (or none) fails with `invalid-publisher`.
    """

    code = "SL812"
    name = "deploy-environment-mismatch"
    severity = Severity.ERROR
    summary = "Publishing job runs in another GitHub environment than the record says"
    catalogue = ("T-4",)
    example_file = ".github/workflows/release.yml"
    before = """\
# pyproject.toml: [tool.shiplint.deploy.pypi] environment = "pypi"
  publish:
    environment: release
"""
    after = """\
  publish:
    environment: pypi
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, record, dest in _pairs(project):
            wanted = record.str_("environment")
            job = upload.job
            if wanted is None or not dest.oidc or job is None:
                continue
            env = job.environment
            if env is None or not env.text:
                node = job.id_node
                wf = job.workflow
                loc = upload.loc
                if node is not None and wf is not None:
                    loc = Loc(wf.source, node.start, node.end)
                yield self.at(
                    loc,
                    f"job `{job.id}` publishes without an environment; {_where(record)} says "
                    f"`{wanted}`",
                    f"Add `environment: {wanted}` to the job (the trusted publisher on the index "
                    "is registered with it), or remove `environment` from the record and the "
                    "publisher settings.",
                )
            elif "${{" not in env.text and env.text != wanted:
                yield self.at(
                    env.loc or upload.loc,
                    f"job `{job.id}` runs in environment `{env.text}`, {_where(record)} says "
                    f"`{wanted}`",
                    "The trusted publisher only accepts the environment it was registered "
                    f"with. Use `environment: {wanted}`, or update the record and the "
                    "publisher settings on the index.",
                )


@register
class EnvironmentUrlMismatch(_DeployRule):
    """The publishing job's `environment.url` points at another PyPI project.

    The URL is what GitHub shows for each deployment; a URL naming another project is the
    usual trace of a workflow copied from elsewhere, whose publisher settings and record
    probably need the same correction.
    """

    code = "SL813"
    name = "environment-url-project-mismatch"
    severity = Severity.WARNING
    summary = "Publishing job's environment URL names a different PyPI project"
    catalogue = ("T-4",)
    example_file = ".github/workflows/release.yml"
    before = """\
    environment:
      name: pypi
      url: https://pypi.org/p/pyload
"""
    after = """\
    environment:
      name: pypi
      url: https://pypi.org/p/pyload-ng
"""

    def check(self, project: Project) -> Iterator[Finding]:
        from packaging.utils import canonicalize_name

        for upload, record, _dest in _pairs(project):
            job = upload.job
            if job is None or job.environment_url is None or record.family != "pypi":
                continue
            url = job.environment_url
            found = PYPI_PROJECT_URL.search(url.text)
            wanted = _project_name(project, record)
            if found is None or wanted is None or "${{" in url.text:
                continue
            name = found.group(1)
            if canonicalize_name(name) == canonicalize_name(wanted):
                continue
            loc = url.loc
            fix = None
            if loc is not None and name in loc.text:
                at = loc.start + loc.text.index(name)
                fix = Fix(f"replace `{name}` with `{wanted}`", (Edit(at, at + len(name), wanted),))
            yield self.at(
                loc or upload.loc,
                f"environment URL names project `{name}`, {_where(record)} uploads `{wanted}`",
                f"Point the URL at https://pypi.org/p/{wanted} and check that the trusted "
                "publisher and the record belong to the same project.",
                fix=fix,
            )


@register
class StaleRecord(_DeployRule):
    """A deploy record matches no upload.

    The destination it documents is no longer uploaded to (or its index, channel or secret
    changed): the record has gone stale, and the credential it describes may still exist
    on the index. Delete the record (and revoke the token) or correct it.
    """

    code = "SL814"
    name = "stale-deploy-record"
    severity = Severity.WARNING
    summary = "A deploy record matches no upload in the repository"
    catalogue = ("S-1",)
    before = """\
[tool.shiplint.deploy.testpypi]   # nothing uploads to TestPyPI any more
index = "testpypi"
"""
    after = """\
# record removed; the TestPyPI token revoked
"""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        for record in match(project).unused:
            if record.index is None and "index" not in record.placeholders:
                continue  # malformed: reported by SL816
            what = _index_name(record.normalised_index)
            if record.str_("channel"):
                what += f" channel `{record.str_('channel')}`"
            yield self.at(
                record.table_loc(),
                f"{_where(record)} ({what}) matches no upload",
                "No workflow, script, tox env or Makefile uploads there. Delete the record and "
                "revoke its credential, or fix its `index`/`channel` to match the upload.",
            )


@register
class BusFactor(_RecordRule):
    """Fewer than two people can fix the deploy credential.

    When the one person who owns the token or the trusted publisher is away, a lapsed email
    or an expired token stops every release (h5py's nightlies were down for three months).
    Record at least two `maintainers` who can regenerate the credential or fix the account.
    """

    code = "SL815"
    name = "deploy-bus-factor"
    severity = Severity.WARNING
    summary = "A deploy record names fewer than two maintainers"
    catalogue = ("E-2",)
    before = """\
[tool.shiplint.deploy.pypi]
maintainers = ["alice"]
"""
    after = """\
[tool.shiplint.deploy.pypi]
maintainers = ["alice", "bob"]
"""

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        if "maintainers" in record.placeholders or "maintainers" in record.invalid:
            return
        people = {p.strip().lower() for p in record.list_("maintainers") or []}
        if len(people) >= 2:
            return
        yield self.at(
            record.loc("maintainers"),
            f"{_where(record)} names {len(people) or 'no'} maintainer"
            f"{'' if len(people) == 1 else 's'}",
            "Record at least two people who can regenerate the credential or fix the "
            'account: maintainers = ["alice", "bob"].',
        )


@register
class MalformedRecord(_DeployRule):
    """A deploy record cannot be read as written.

    Each table under `[tool.shiplint.deploy]` (or `[deploy]` in `shiplint.toml`) documents
    one upload destination; the finding names the key and the form it expects. A `secret`
    that holds a token instead of the name of the CI secret is reported too (and never
    shown or copied into the docs): revoke that token. The keys:
    """

    code = "SL816"
    name = "malformed-deploy-record"
    severity = Severity.ERROR
    summary = "A deploy record has an unknown key, a value of the wrong type or a bad date"
    catalogue = ("P-1", "E-2")
    before = """\
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
token-expiry = "2027-01-01"
"""
    after = """\
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "token"
token-expires = 2027-01-01
"""

    @classmethod
    def doc(cls) -> str:
        return super().doc() + "\n\n" + keys_markdown()

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        for problem in records.problems:
            yield self.at(problem.loc, problem.message, problem.help)
        for record in records.records:
            if record.family == "anaconda" and record.auth == "trusted-publishing":
                yield self.at(
                    record.loc("auth"),
                    f"{_where(record)}: anaconda.org has no trusted publishing",
                    'Uploads to anaconda.org use a token: auth = "token", with `secret`, '
                    "`account`, `group` and `token-expires`.",
                )


@register
class ReleaseDocsOutOfDate(_DeployRule):
    """The deploy-account section of the release docs no longer matches the record.

    `shiplint docs` renders the record as Markdown between two marker comments in
    `RELEASING.md` (the `release-docs` setting). When the record changes and the section
    does not, the people reading the docs on release day see stale owners and dates. Run
    `shiplint docs` (or `shiplint check --fix`) to rewrite the section; nothing outside the
    markers changes.
    """

    code = "SL817"
    name = "release-docs-out-of-date"
    severity = Severity.ERROR
    summary = "The generated deploy-account section in the release docs is out of date"
    catalogue = ("P-1", "E-2")
    example_file = "RELEASING.md"
    before = """\
<!-- shiplint-deploy: start (generated by `shiplint docs` from the deploy record) -->
### pypi
| Account | someone-who-left |
<!-- shiplint-deploy: end -->
"""
    after = """\
<!-- shiplint-deploy: start (generated by `shiplint docs` from the deploy record) -->
### pypi
| Account | vuolter |
<!-- shiplint-deploy: end -->
"""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None or records.unreadable:
            return  # records that cannot be read say nothing about the section
        rel = _config(project).release_docs
        src = project.file(rel, "release-docs")
        if src is None or src.text is None:
            return
        text = src.text
        found = section.find(text)
        if found is None:
            return
        if isinstance(found, str):
            at = text.find("shiplint-deploy")
            start = max(text.rfind("<!--", 0, at), 0)
            yield self.at(
                Loc(src, start, start + 4),
                f"deploy-account section markers are broken: {found}",
                f"Keep both markers, `{section.START}` and `{section.END}`, or remove both; "
                "then run `shiplint docs`.",
            )
            return
        body = section.render(records, default_project(project))
        if "\r\n" in text:  # keep the file's line endings, as `shiplint docs` does
            body = body.replace("\n", "\r\n")
        current = text[found.body_start : found.body_end]
        if section.normalise(current) == section.normalise(body):
            return
        yield self.at(
            Loc(src, found.start, found.body_start),
            f"the deploy-account section of {rel} differs from the deploy record",
            "Run `shiplint docs` to regenerate it (only the text between the markers changes).",
            fix=Fix(
                "regenerate the deploy-account section",
                (Edit(found.body_start, found.body_end, body),),
            ),
        )


@register
class ChannelMismatch(_DeployRule):
    """The upload goes to another anaconda.org channel than its deploy record says.

    An anaconda.org token uploads only where its account may write: to an org's package
    when the account is in the org group that owns it. h5py's nightly upload failed with
    `401 User is not authorized to perform this operation` because the token had been made
    for the old org (`scipy-wheels-nightly`) while the workflow, correctly, uploaded to
    `scientific-python-nightly-wheels`. When the record's channel and the workflow's differ,
    one of them is wrong, and the token is probably wrong with it.
    """

    code = "SL818"
    name = "deploy-channel-mismatch"
    severity = Severity.ERROR
    summary = "Upload goes to another anaconda.org channel than its deploy record says"
    catalogue = ("E-2",)
    before = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scipy-wheels-nightly"    # the workflow uploads to scientific-python-nightly-wheels
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
"""
    after = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scientific-python-nightly-wheels"
group = "h5py"
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, record, dest in _pairs(project):
            channel = record.str_("channel")
            if dest.family != "anaconda" or channel is None or dest.channel is None:
                continue
            if channel == dest.channel:
                continue
            target = upload.target
            loc = target.loc if target is not None and target.loc is not None else upload.loc
            yield self.at(
                loc,
                f"uploads to channel `{dest.channel}`, but {_where(record)} (secret "
                f"`{record.str_('secret')}`) is for channel `{channel}`",
                "A token only uploads where its account is in the group that owns the package "
                "(`401 User is not authorized to perform this operation` otherwise). If the "
                f"workflow is right, make a new personal token as a member of the project's "
                f"group in `{dest.channel}`, store it in the secret, and update `channel`, "
                "`group`, `account` and `token-expires` in the record.",
            )
