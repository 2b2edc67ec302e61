"""Dates in the deploy record: SL805 deploy-token-expired, SL806
deploy-token-expires-soon, SL807 email-verification-stale and SL808 deploy-date-in-future."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.deploy.record import DeployRecord
from shiplint.findings import Finding, Severity
from shiplint.rules import register
from shiplint.rules.deploy.common import _config, _pypi_account, _RecordRule, _where

if TYPE_CHECKING:
    from shiplint.project import Project


@register
class TokenExpired(_RecordRule):
    """The recorded token has expired.

    An expired token fails every upload with `('Authentication token has expired', 401)`
    (numpy#27367, which also needed the new token in two CI systems). Make a new token,
    update every secret that holds it and record the new `token-expires`.
    """

    code = "SL805"
    on_examples = False
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
    on_examples = False
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
    on_examples = False
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
    on_examples = False
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
