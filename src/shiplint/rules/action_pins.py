"""The `uses:` of the actions in the facts: a SHA pin whose version comment names another
release than the commit (SL207), a ref that does not exist (SL209), a name that is a
misspelling of a known action (SL210). pypa/gh-action-pypi-publish's own ref rules are in
``rules.publish_action.refs``."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.parse.yamlnodes import YScalar, trailing_comment
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.gha.refs import ActionSpec, Release
    from shiplint.project import Project
    from shiplint.source import SourceFile


@functools.lru_cache(maxsize=1)
def _artifact_specs() -> dict[str, ActionSpec]:
    f = facts_mod.artifacts()
    return {
        f.upload: gha_refs.artifact_action(False),
        f.merge: gha_refs.artifact_action(False),
        f.download: gha_refs.artifact_action(True),
    }


def _spec_of(action: str) -> ActionSpec | None:
    """The refs shiplint knows of an action or reusable workflow (``owner/repo[/path]``,
    lower case): a catalogued publisher's (read on first use) or an artifact action's."""
    found = _artifact_specs().get(action)
    if found is not None:
        return found
    pubs = facts_mod.publishers().get(action)
    return gha_refs.publisher(pubs[0].name) if pubs else None


def _uses(project: Project) -> Iterator[tuple[YScalar, SourceFile]]:
    """Every ``uses:`` of a step, and of a job that calls a reusable workflow."""
    for step, src in project.model.action_steps():
        if step.uses is not None:
            yield step.uses, src
    for workflow in project.model.workflows:
        for job in workflow.jobs.values():
            node = job.node.get_scalar("uses") if job.node is not None else None
            if node is not None:
                yield node, workflow.source


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
        seen: set[tuple[str, int]] = set()
        for step, src in project.model.action_steps():
            spec = _spec_of((step.action or "").lower())
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


def _ref_loc(src: SourceFile, uses: YScalar) -> Loc:
    """Where the ref after ``@`` is written (the whole ``uses:`` value when it has none)."""
    text = src.text or ""
    written = text[uses.start : uses.end]
    end = uses.end
    start = uses.start
    if written[:1] in ("'", '"') and written.endswith(written[0]) and len(written) > 1:
        start += 1
        end -= 1
    at = text.find("@", start, end)
    if at == -1:
        return Loc(src, start, end)
    return Loc(src, at + 1, end)


@register
class ActionUnknownRef(Rule):
    """An action shiplint knows is used at a tag or branch that does not exist.

    GitHub downloads every action of a job before the first step runs; a ref that is
    neither a tag, a branch nor a full commit SHA of the repository fails the whole job at
    set-up:

    `Error: Unable to resolve action `scientific-python/upload-nightly-action@latest`,
    unable to find version `latest``

    There is no `latest` tag (a GitHub release marked "latest" is not a git ref), and tags
    differ by action: scientific-python/upload-nightly-action's have no `v` and no major
    tags (`0.6.4`, not `v0.6.4` or `0.6`); maturin-action and OpenAstronomy's workflows
    have a moving `v1`/`v3`; deploy-pypi's `v2` is a branch. shiplint checks the ref of
    every action and reusable workflow of its publisher catalogue (and of the artifact
    actions) against the complete tag and branch lists in its facts (`git tag` and `git
    for-each-ref refs/heads` of the repository, with the date they were checked). A version
    tag newer than the newest the lists know (`0.7.0`) is not reported: the facts age, and
    that release may exist. A shortened commit SHA is not accepted by GitHub either.

    pypa/gh-action-pypi-publish has its own rule for this (SL202).

    Fix: use a release tag that exists, or better its full commit SHA with the version in
    a comment.

    Sources: the tags and branches of each catalogued repository (fetched 2026-12-06; see
    `[publishers.*]` and `[actions.*]` of the facts); GitHub's set-up error for an unknown
    ref.
    """

    code = "SL209"
    name = "action-unknown-ref"
    severity = Severity.ERROR
    summary = "A known action is used at a tag or branch that does not exist"
    catalogue = ("E-8",)
    before = (
        "on: {schedule: [{cron: '0 3 * * *'}]}\njobs:\n  upload:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: scientific-python/upload-nightly-action@latest\n"
        "        with:\n          artifacts_path: dist\n"
        "          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "on: {schedule: [{cron: '0 3 * * *'}]}\njobs:\n  upload:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: scientific-python/upload-nightly-action@"
        "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4\n"
        "        with:\n          artifacts_path: dist\n"
        "          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        own_rule = gha_refs.pypi_publish().repo  # SL202
        seen: set[tuple[str, int]] = set()
        for uses, src in _uses(project):
            action, _, ref_text = uses.value.partition("@")
            action = action.strip().lower()
            spec = _spec_of(action)
            if spec is None or action == own_rule or not spec.tags:
                continue
            ref = ref_text.strip() if ref_text else None
            kind = gha_refs.ref_kind(ref, spec)
            if kind not in (gha_refs.UNKNOWN, gha_refs.SHORT_SHA, gha_refs.NONE):
                continue
            if ref and "${{" in ref:
                continue
            loc = _ref_loc(src, uses)
            if (src.rel, loc.start) in seen:
                continue
            seen.add((src.rel, loc.start))
            written = uses.value.split("@", 1)[0].strip()
            newest = max(spec.tags, key=_tag_order)
            sha = next((s for s, v in spec.shas.items() if str(v) == newest.lstrip("v")), "")
            pin = f"`{written}@{sha} # {newest}`" if sha else f"`{written}@{newest}`"
            if kind == gha_refs.NONE:
                message = f"`uses: {written}` has no `@ref`"
                help_ = f"GitHub rejects the workflow: an action reference needs `@ref`. Use {pin}."
            elif kind == gha_refs.SHORT_SHA:
                message = f"`@{ref}` is a shortened commit SHA"
                help_ = (
                    "GitHub resolves only full 40-character commit SHAs: the job fails with "
                    f"`Unable to resolve action `{written}@{ref}``. Use {pin}."
                )
            else:
                branches = ", ".join(f"`{b}`" for b in (*spec.branches, *spec.other_branches))
                shape = (
                    f"release tags look like `{newest}`"
                    + ("" if spec.tag_prefix else " (no `v`)")
                    + (
                        ", with major tags such as `v1` that follow the newest release"
                        if spec.major_tags
                        else ", with no major tags"
                    )
                )
                message = f"`@{ref}` does not exist in {spec.repo}: no such tag or branch"
                help_ = (
                    f"The job fails at set-up: `Unable to resolve action `{written}@{ref}`, "
                    f"unable to find version `{ref}``. Its {shape}; its branches are "
                    f"{branches or 'none shiplint knows'}. Use {pin}."
                )
            yield self.at(loc, message, help_)


def _tag_order(tag: str) -> tuple[int, ...]:
    _version, line = gha_refs.comment_release(tag)
    return line


#: ``owner/name`` of a ``uses:`` (a sub-path after it is ignored)
_ACTION_NAME = LazyPattern(r"^(?P<owner>[A-Za-z0-9][A-Za-z0-9_.-]*)/(?P<name>[A-Za-z0-9_.-]+)")


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b`` (insert, delete, substitute, swap neighbours);
    anything over ``limit`` is ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[len(b)], limit + 1)


@functools.lru_cache(maxsize=1)
def _name_facts() -> tuple[tuple[str, ...], frozenset[str], dict[str, str], int]:
    """``[action-names]`` of the facts: known names, existing names, misspellings, limit."""
    names = facts_mod.toml_data().get("action-names", {})
    # the catalogued publishers' repositories are known names too (``owner/repo`` of each
    # spelling of their ``uses:``)
    publishers = ("/".join(u.split("/")[:2]) for u in facts_mod.publishers())
    known = tuple(dict.fromkeys([*(str(k).lower() for k in names.get("known", ())), *publishers]))
    existing = frozenset(str(e).lower() for e in names.get("existing", ()))
    misspelt = {str(k).lower(): str(v) for k, v in names.get("misspellings", {}).items()}
    return known, existing, misspelt, int(names.get("max-distance", 2))


@functools.lru_cache(maxsize=1024)
def near_known(action: str) -> str | None:
    """The known action ``action`` (``owner/name``, lower case) misspells, or None."""
    known, existing, misspelt, limit = _name_facts()
    if action in known or action in existing:
        return None
    if action in misspelt:
        return misspelt[action]
    owner, _, name = action.partition("/")
    for candidate in known:
        c_owner, _, c_name = candidate.partition("/")
        if owner == c_owner and distance(name, c_name, limit) <= limit:
            return candidate
    return None


@register
class ActionNameTypo(Rule):
    """`uses:` names a repository that does not exist, a near-miss of a known action.

    GitHub downloads the actions of a job before its first step; an action repository that
    does not exist fails the job at set-up:

    `Error: Unable to resolve action `scientific-python/upload-nightly-wheel@main`,
    repository not found`

    A name of the same owner as an action shiplint knows (pypa/gh-action-pypi-publish,
    scientific-python/upload-nightly-action, actions/upload-artifact,
    actions/download-artifact, and the repositories of its publisher catalogue such as
    PyO3/maturin-action) within two edits of its name (`pypa/gh-action-pypi-publisher`,
    `actions/upload-artifacts`), or a misspelling listed in the facts
    (`scientific-python/upload-nightly-wheel`), is reported. No existing repository of
    these owners is that near (checked 2026-12-06); the facts list names that exist and are
    never reported, and another owner's name (`coactions/upload-artifact`) is not compared.

    Fix: correct the name.

    Sources: the repositories of pypa, actions and scientific-python (checked 2026-12-06);
    GitHub's set-up error for a missing action repository.
    """

    code = "SL210"
    name = "action-name-typo"
    severity = Severity.ERROR
    summary = "`uses:` names a repository that does not exist, a misspelling of a known action"
    catalogue = ("E-8", "B-1")
    before = (
        "on: {push: {tags: ['v*']}}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publisher@release/v1\n"
    )
    after = (
        "on: {push: {tags: ['v*']}}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for step, src in project.model.action_steps():
            uses = step.uses
            written = (step.action or "").strip()
            match = _ACTION_NAME.match(written)
            if uses is None or match is None or "${{" in written:
                continue
            action = f"{match.group('owner')}/{match.group('name')}".lower()
            known = near_known(action)
            if known is None:
                continue
            text = src.text or ""
            at = text.find(written[: match.end()], uses.start, uses.end)
            if at == -1 or (src.rel, at) in seen:
                continue
            seen.add((src.rel, at))
            loc = Loc(src, at, at + match.end())
            yield self.at(
                loc,
                f"`{loc.text}` does not exist: did you mean `{known}`?",
                f"The job fails at set-up: `Unable to resolve action `{written}@"
                f"{step.ref or ''}`, repository not found`. Use `{known}`.",
                fix=Fix(f"use {known}", (Edit(loc.start, loc.end, known),), safe=False),
            )
