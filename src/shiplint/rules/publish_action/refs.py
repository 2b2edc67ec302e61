"""SL201, SL202, SL208: pypa/gh-action-pypi-publish used at the sunset `master` branch, at a
ref that does not exist, or pinned to an annotated tag's object SHA (B-1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.lazyre import LazyPattern
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import (
    action_uploads,
    dedupe_key,
    ref_kind,
    ref_loc,
    release_of,
    uses_loc,
)

if TYPE_CHECKING:
    from shiplint.project import Project

_RELEASE_TAG = LazyPattern(r"^release/(v\d+\.\d+\.\d+)$")


@register
class PypiPublishSunsetRef(Rule):
    """The action is used at `@master`, a branch that was sunset and frozen.

    `pypa/gh-action-pypi-publish@master` still runs, but that branch receives no updates,
    not even security fixes, and every run says so:

    `UNSUPPORTED GITHUB ACTION VERSION … The master branch of this project has been sunset
    and will not receive any updates, not even security bug fixes.`

    Its code predates v1.7.0: it knows only the snake_case inputs (`repository_url`,
    `packages_dir`, ...), has no trusted publishing and no attestations, and builds its
    container on every run from Python 3.9 with the newest twine for it (6.2), which cannot
    read Metadata-Version 2.5. A token upload of older metadata still works, hence a
    warning; the cases that fail are errors of their own: trusted publishing without a
    password (SL304) and Metadata-Version 2.5 (SL711).

    Fix: use `@release/v1` (the maintained branch), or pin a release tag or its commit SHA
    (`@v1.14.2`, or the SHA with a `# v1.14.2` comment for Dependabot/Renovate), and rename
    snake_case inputs to their kebab-case names.
    """

    code = "SL201"
    name = "pypi-publish-sunset-ref"
    severity = Severity.WARNING
    summary = "pypa/gh-action-pypi-publish used at the sunset `master` branch"
    catalogue = ("B-1",)
    before = "- uses: pypa/gh-action-pypi-publish@master\n"
    after = "- uses: pypa/gh-action-pypi-publish@release/v1\n"

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().pypi_publish
        recommended = str(f.raw["recommended-ref"])
        seen: set[tuple[str, int]] = set()
        for _upload, step in action_uploads(project):
            ref = step.ref
            if ref_kind(ref) != "sunset":
                continue
            loc = ref_loc(step)
            if loc is None or dedupe_key(loc) in seen:
                continue
            seen.add(dedupe_key(loc))
            yield self.at(
                loc,
                f"`@{ref}` of pypa/gh-action-pypi-publish is sunset: frozen old code that "
                "gets no fixes",
                f"The `{ref}` branch gets no updates, not even security fixes. It predates "
                "trusted publishing and the kebab-case inputs, and runs Python 3.9 with "
                "twine 6.2, which rejects Metadata-Version 2.5. Use "
                f"`pypa/gh-action-pypi-publish@{recommended}`, or pin a release tag "
                f"(v{f.latest} or later) or its commit SHA.",
                fix=Fix(f"use @{recommended}", (Edit(loc.start, loc.end, recommended),)),
            )


@register
class PypiPublishUnknownRef(Rule):
    """The action is used at a ref that does not exist, so the job fails before it starts.

    pypa/gh-action-pypi-publish has the branches `release/v1` (recommended) and
    `unstable/v1`, and release tags such as `v1.14.2`. There is no `v1` tag, no `main`
    branch and no `release/v1.x.y` branch. GitHub fails the job at set-up:

    `Error: Unable to resolve action `pypa/gh-action-pypi-publish@v1`, unable to find
    version `v1``

    (also seen as `Missing download info for pypa/gh-action-pypi-publish@v1`). A shortened
    commit SHA is not accepted either: pin the full 40-character SHA, nor is `latest` (a
    GitHub release marked latest is not a git ref) or a tag without its `v` (`1.14.2`).

    Release tags are checked against the repository's tag list in shiplint's facts
    (`git tag`, complete up to v1.8.14, and the later releases the facts know): `v1.5.3` or
    `v1.0.0` does not exist. A version tag newer than that complete list (`v1.15.0`) is
    not reported, since it may be a release newer than the facts.

    Fix: use `@release/v1`, or a full release tag (`@v1.14.2`), or the full commit SHA of a
    release with a `# v1.14.2` comment.
    """

    code = "SL202"
    name = "pypi-publish-unknown-ref"
    severity = Severity.ERROR
    summary = "pypa/gh-action-pypi-publish used at a ref that does not exist"
    catalogue = ("B-1",)
    before = "- uses: pypa/gh-action-pypi-publish@v1\n"
    after = "- uses: pypa/gh-action-pypi-publish@release/v1\n"

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().pypi_publish
        recommended = str(f.raw["recommended-ref"])
        branches = ", ".join(f"`{b}`" for b in f.branches)
        seen: set[tuple[str, int]] = set()
        for _upload, step in action_uploads(project):
            ref = step.ref
            kind = ref_kind(ref)
            if kind not in ("unknown", "short-sha", "none"):
                continue
            loc = ref_loc(step) if ref else uses_loc(step)
            if loc is None or dedupe_key(loc) in seen:
                continue
            seen.add(dedupe_key(loc))
            fix = None
            if kind == "none":
                message = "`uses: pypa/gh-action-pypi-publish` has no `@ref`"
                help_ = (
                    "GitHub rejects the workflow: an action reference needs `@ref`. "
                    f"Use `pypa/gh-action-pypi-publish@{recommended}`."
                )
                if step.uses is not None and loc.text.strip("'\"") == step.uses.value:
                    end = loc.end - (1 if loc.text[-1:] in "'\"" else 0)
                    fix = Fix(f"add @{recommended}", (Edit(end, end, "@" + recommended),))
            elif kind == "short-sha":
                message = f"`@{ref}` is a shortened commit SHA"
                help_ = (
                    "GitHub resolves only full 40-character commit SHAs for actions: the job "
                    f"fails with `Unable to resolve action … unable to find version `{ref}``. "
                    "Pin the full SHA of a release (with a `# vX.Y.Z` comment), or use "
                    f"`@{recommended}`."
                )
            else:
                assert ref is not None
                release_tag = _RELEASE_TAG.match(ref)
                replacement = release_tag.group(1) if release_tag else recommended
                what = {
                    "main": "there is no `main` branch",
                    "v1": "there is no `v1` tag or branch",
                }.get(ref, "no such branch or release tag")
                message = f"`@{ref}` does not exist in pypa/gh-action-pypi-publish: {what}"
                help_ = (
                    "The job fails before it starts: `Unable to resolve action "
                    f"`pypa/gh-action-pypi-publish@{ref}`, unable to find version `{ref}``. "
                    f"Existing refs are the branches {branches} and release tags such as "
                    f"`v{f.latest}`. Use `@{replacement}`."
                )
                fix = Fix(f"use @{replacement}", (Edit(loc.start, loc.end, replacement),))
            yield self.at(loc, message, help_, fix=fix)


@register
class PypiPublishTagObjectPin(Rule):
    """The action is pinned to an annotated tag's own object SHA, not to its commit.

    pypa/gh-action-pypi-publish's release tags are annotated: `git/ref/tags/v1.14.0` of the
    GitHub API answers the SHA of the tag object (`6733eb7…`), and the commit it points at
    (`cef2210…`) takes one more step. Pinning the tag object's SHA looks right but, from
    v1.12.0 on, the action runs a prebuilt container image named after the ref in your
    `uses:` (create-docker-action.py: `docker://ghcr.io/pypa/gh-action-pypi-publish:<ref>`),
    and the project publishes images per branch, major, minor and *commit* SHA
    (.github/workflows/build-and-push-docker-image.yml: `IMAGE_SHA=…:${GITHUB_SHA}`), never
    per tag object. The step fails before it uploads anything:

    `docker: Error response from daemon: manifest unknown`

    Releases before v1.12.0 built their Dockerfile on the runner, so such a pin of them is
    not reported. shiplint knows the tag objects of the releases in its facts table.

    Fix: pin the commit the tag points at (shiplint offers the edit), keeping the
    `# vX.Y.Z` comment.

    Sources: luciferreeves/edify#52, livekit/agents#6837, cobbler/cobbler#4091,
    Marigold/universal-portfolios#138; pypa/gh-action-pypi-publish create-docker-action.py
    and .github/workflows/build-and-push-docker-image.yml (release/v1).
    """

    code = "SL208"
    name = "pypi-publish-tag-object-pin"
    severity = Severity.ERROR
    summary = "pypa/gh-action-pypi-publish pinned to an annotated tag's object SHA, not its commit"
    catalogue = ("B-1",)
    before = (
        "on: {push: {tags: ['v*']}}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@6733eb7d741f0b11ec6a39b58540dab7590f9b7d"
        " # v1.14.0\n"
    )
    after = (
        "on: {push: {tags: ['v*']}}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@cef221092ed1bacb1cc03d23a2d87d1d172e277b"
        " # v1.14.0\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        spec = gha_refs.pypi_publish()
        f = facts_mod.load().pypi_publish
        prebuilt = f.threshold("prebuilt-image-since")
        seen: set[tuple[str, int]] = set()
        for upload, step in action_uploads(project):
            ref = step.ref
            if ref_kind(ref) != gha_refs.TAG_OBJECT:
                continue
            assert ref is not None
            release = release_of(upload)
            if release.version is None or release.version < prebuilt:
                continue
            loc = ref_loc(step)
            if loc is None or dedupe_key(loc) in seen:
                continue
            seen.add(dedupe_key(loc))
            commit = spec.tag_objects[ref.lower()]
            fix = None
            if loc.text == ref:
                fix = Fix(
                    f"pin commit {commit[:7]} of v{release.version}",
                    (Edit(loc.start, loc.end, commit),),
                )
            yield self.at(
                loc,
                f"`{ref[:7]}…` is the tag object of v{release.version}, not its commit: "
                "the image pull fails with `manifest unknown`",
                "From v1.12.0 the action runs the prebuilt image "
                f"`ghcr.io/pypa/gh-action-pypi-publish:{ref}`, and images are published per "
                "commit SHA, never per annotated tag object. Pin the commit the tag points "
                f"at: `pypa/gh-action-pypi-publish@{commit} # v{release.version}`.",
                fix=fix,
            )
