"""SL203: deprecated snake_case inputs of pypa/gh-action-pypi-publish (B-2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.model import Loc
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import action_uploads, dedupe_key, release_of, step_source

if TYPE_CHECKING:
    from shiplint.project import Project


@register
class PypiPublishUnderscoreInput(Rule):
    """A deprecated snake_case input of pypa/gh-action-pypi-publish.

    Since v1.7.0 the inputs are kebab-case: `repository-url`, `packages-dir`,
    `verify-metadata`, `skip-existing`, `print-hash`. The old names still work for now but
    every run warns, and they are due to be removed:

    ``Input 'repository_url' has been deprecated with message: The inputs have been
    normalized to use kebab-case. Use `repository-url` instead.``

    shiplint reports them whatever the action is pinned to, SHA pins included (actionlint
    only recognises tag refs). Pins older than v1.7.0 (and the sunset `master` branch, which
    has the old inputs) are left alone: there the snake_case names are the only ones. The
    rename is offered as a fix only when the pinned release is known to have the new names.

    Fix: rename the input to its kebab-case name.
    """

    code = "SL203"
    name = "pypi-publish-underscore-input"
    severity = Severity.WARNING
    summary = "Deprecated snake_case input of pypa/gh-action-pypi-publish"
    catalogue = ("B-2",)
    before = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository_url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository-url: https://test.pypi.org/legacy/\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        facts = facts_mod.load()
        since = facts.pypi_publish.threshold("kebab-inputs-since")
        seen: set[tuple[str, int]] = set()
        for upload, step in action_uploads(project):
            if step.with_ is None:
                continue
            release = release_of(upload)
            if release.kind == gha_refs.SUNSET or release.before(since):
                continue  # only the snake_case names exist there
            renamed = release.at_least(since) is True
            src = step_source(step)
            if src is None:
                continue
            for name, key, _value in step.with_.items():
                new = facts.deprecated_inputs.get(name)
                if new is None:
                    continue
                loc = Loc(src, key.start, key.end)
                if dedupe_key(loc) in seen:
                    continue
                seen.add(dedupe_key(loc))
                both = step.with_.key(new) is not None
                fix = None
                at = loc.text.find(name)
                if renamed and not both and at != -1:
                    fix = Fix(
                        f"rename `{name}` to `{new}`",
                        (Edit(loc.start + at, loc.start + at + len(name), new),),
                    )
                help_ = (
                    "The action warns on every run: `Input '" + name + "' has been deprecated "
                    "with message: The inputs have been normalized to use kebab-case. Use `"
                    + new
                    + "` instead.` The snake_case names are due to be removed. "
                    f"Rename it to `{new}`."
                )
                if both:
                    help_ += f" `{new}` is also set and takes precedence: remove `{name}`."
                yield self.at(loc, f"`{name}` is deprecated: the input is `{new}`", help_, fix=fix)
