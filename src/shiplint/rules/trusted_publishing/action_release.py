"""SL304: trusted publishing with a pypa/gh-action-pypi-publish release older than v1.8.0
(T-5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import (
    ACTION_TOOL,
    action_uses_oidc,
    dedupe_key,
    ref_loc,
    release_of,
)

if TYPE_CHECKING:
    from shiplint.project import Project


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
            if loc is None or dedupe_key(loc) in seen:
                continue
            seen.add(dedupe_key(loc))
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
