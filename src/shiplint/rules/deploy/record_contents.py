"""What the deploy record says: SL801 undocumented-deploy-account (an upload without
one), SL802 incomplete-deploy-record, SL803 organization-deploy-token, SL804
deploy-token-scope, SL815 deploy-bus-factor and SL816 malformed-deploy-record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.deploy.match import (
    match,
)
from shiplint.deploy.record import DeployRecord
from shiplint.deploy.schema import TOKEN_NEEDS, TRUSTED_NEEDS, keys_markdown
from shiplint.deploy.skeleton import inline_advice, preview, skeletons
from shiplint.findings import Finding, Severity
from shiplint.pkg.requirements import canonical_name
from shiplint.rules import register
from shiplint.rules.deploy.common import (
    _DeployRule,
    _describe,
    _index_name,
    _project_name,
    _RecordRule,
    _records,
    _where,
)

if TYPE_CHECKING:
    from shiplint.project import Project


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
    on_examples = False
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
    on_examples = False
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
    on_examples = False
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
    on_examples = False
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
                and canonical_name(name.strip()) != canonical_name(wanted)
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
class BusFactor(_RecordRule):
    """Fewer than two people can fix the deploy credential.

    When the one person who owns the token or the trusted publisher is away, a lapsed email
    or an expired token stops every release (h5py's nightlies were down for three months).
    Record at least two `maintainers` who can regenerate the credential or fix the account.
    """

    code = "SL815"
    on_examples = False
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
    on_examples = False
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
