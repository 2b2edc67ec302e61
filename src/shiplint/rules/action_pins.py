"""A SHA pin whose version comment names another release than the commit (gha_refs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.model import Loc
from shiplint.parse.yamlnodes import trailing_comment
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.gha.refs import ActionSpec, Release
    from shiplint.model import Step
    from shiplint.project import Project
    from shiplint.source import SourceFile


def _specs() -> dict[str, ActionSpec]:
    """The actions whose release commits shiplint knows, by ``owner/repo[/path]``."""
    f = facts_mod.artifacts()
    return {
        gha_refs.pypi_publish().repo: gha_refs.pypi_publish(),
        gha_refs.upload_nightly().repo: gha_refs.upload_nightly(),
        f.upload: gha_refs.artifact_action(False),
        f.merge: gha_refs.artifact_action(False),
        f.download: gha_refs.artifact_action(True),
    }


def _steps(project: Project) -> Iterator[tuple[Step, SourceFile]]:
    model = project.model
    for workflow in [*model.workflows, *model.actions]:
        for job in workflow.jobs.values():
            for step in job.steps:
                if step.uses is not None:
                    yield step, workflow.source


def _said(release: Release) -> str:
    if release.comment_version is not None:
        return str(release.comment_version)
    return ".".join(str(p) for p in release.comment_line)


@register
class ActionPinCommentMismatch(Rule):
    """A commit SHA pin's `# vX.Y.Z` comment names another release than the commit.

    A pin such as `actions/upload-artifact@043fb46d… # v4.4.0` runs the commit, not the
    comment: that commit is the one v7.0.1 is tagged on. Comments go stale when a tool or a
    hand updates the SHA and not the comment (or copies a line from elsewhere); readers and
    reviewers then believe another release runs, and a finding about the pinned release
    (too old for Metadata-Version 2.5, a retired artifact major) looks wrong.

    shiplint knows the release commits of pypa/gh-action-pypi-publish,
    scientific-python/upload-nightly-action and actions/upload-artifact /
    download-artifact (its table of facts) and reads the release from the commit; a
    comment naming only a line or a branch that contains it (`# v7`, `# release/v1`)
    agrees. Nothing fails because of the comment itself, hence `info`.

    Fix: correct the comment to the commit's release (shiplint offers the edit), or pin the
    commit of the release the comment names.
    """

    code = "SL207"
    name = "action-pin-comment-mismatch"
    severity = Severity.INFO
    summary = "A SHA pin's version comment names another release than the commit"
    catalogue = ("B-4", "A-1")
    before = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pipx run build\n"
        "      - uses: actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a # v4.4.0\n"
        "        with: {name: dist, path: dist/}\n"
    )
    after = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pipx run build\n"
        "      - uses: actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a # v7.0.1\n"
        "        with: {name: dist, path: dist/}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        specs = _specs()
        seen: set[tuple[str, int]] = set()
        for step, src in _steps(project):
            spec = specs.get((step.action or "").lower())
            uses = step.uses
            if spec is None or uses is None:
                continue
            comment = trailing_comment(src, uses)
            release = gha_refs.resolve(step.ref, comment, spec)
            if not release.mismatch or release.version is None or comment is None:
                continue
            loc = _comment_loc(src, uses.end, comment)
            if loc is None or (src.rel, loc.start) in seen:
                continue
            seen.add((src.rel, loc.start))
            said = _said(release)
            actual = release.version
            shown = ".".join(str(p) for p in actual.release[: len(release.comment_line)])
            if release.comment_version is not None:
                shown = str(actual)
            word = gha_refs.comment_word_span(comment)
            fix = None
            if word is not None:
                start, end = word
                written = comment[start:end]
                new = ("v" if written[:1] in "vV" else "") + shown
                fix = Fix(
                    f"correct the comment to {new}",
                    (Edit(loc.start + start, loc.start + end, new),),
                )
            sha = (step.ref or "")[:7]
            yield self.at(
                loc,
                f"the comment says v{said}, but {sha} is the commit of {spec.repo} v{actual}",
                f"The step runs v{actual}, the release tagged on this commit; shiplint's other "
                f"findings on it are about v{actual}. Correct the comment, or pin the commit "
                f"of v{said} if that is the release you want.",
                fix=fix,
            )


def _comment_loc(src: SourceFile, after: int, comment: str) -> Loc | None:
    """Where the comment's text (after ``#`` and blanks) starts, to the end of the line."""
    text = src.text or ""
    line_end = text.find("\n", after)
    rest_end = len(text) if line_end == -1 else line_end
    at = text.find(comment, after, rest_end)
    if at == -1:
        return None
    return Loc(src, at, at + len(comment))
