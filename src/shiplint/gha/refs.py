"""Which release of an action a ``uses: owner/repo@ref  # comment`` runs.

One resolver for every action whose version a rule reads (pypa/gh-action-pypi-publish,
scientific-python/upload-nightly-action, hynek/build-and-inspect-python-package,
actions/upload-artifact and download-artifact).
``resolve(ref, comment, spec)`` gives a :class:`Release`:

* the **kind** of ref: ``tag``, ``branch``, ``sunset`` (a frozen branch), ``sha``,
  ``tag-object`` (the SHA of an annotated tag's own object, not of its commit),
  ``short-sha``, ``none`` or ``unknown`` (no such tag or branch: with the action's complete
  tag list, a version tag up to the newest the list is complete for that is not in it is
  unknown; a newer one is a ``tag``, since the facts age);
* the **exact version** when it is known, and where it came from: the facts table of
  release commits (``table``), an exact tag (``tag``), an exact version in the comment
  after a SHA that is not in the table (``comment``), or the newest release for a branch
  that follows it (``branch``);
* the **line** when only a prefix is known: ``(1,)`` for ``v4`` tags that move with each
  release, ``# v1`` or ``# release/v1`` comments, ``(1, 8)`` for ``release/v1.8``.

A comment that names a major line or a branch (``# v1``, ``# release/v1``, ``# main``)
says nothing about the exact release: it never becomes an exact version (``1.0.0``). Only
an exact version comment (``# v1.14.2``, ``# 1.14.2``) stands in for a SHA the table does
not know. When the comment and the table disagree, the table wins and ``comment_version``
/ ``comment_line`` keep what the comment claimed.

Rules compare with :meth:`Release.at_least`, which answers None when the outcome depends
on the exact release within the known line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from shiplint import facts as facts_mod
from shiplint.lazyre import LazyPattern

TAG, BRANCH, SUNSET, SHA, TAG_OBJECT, SHORT_SHA, NONE, UNKNOWN = (
    "tag",
    "branch",
    "sunset",
    "sha",
    "tag-object",
    "short-sha",
    "none",
    "unknown",
)
FROM_TABLE, FROM_TAG, FROM_COMMENT, FROM_BRANCH = "table", "tag", "comment", "branch"

_SHA = LazyPattern(r"^[0-9a-fA-F]{40}$")
_SHORT_SHA = LazyPattern(r"^[0-9a-fA-F]{7,39}$")
#: a version as written in a tag or comment: ``v1.14.2``, ``1.14``, ``v4``, ``v1.0.0rc1``,
#: ``v3-node20`` (a suffix that is not a pre-release makes it a line, not a release)
_VERSION = LazyPattern(
    r"^(?P<prefix>[vV]?)(?P<nums>\d+(?:\.\d+){0,3})"
    r"(?P<pre>(?:[-.]?(?:a|b|rc|alpha|beta|post|dev)\d*)?)(?P<rest>.*)$"
)
#: a version-looking word inside a comment (after start, blank, ``@``, ``=``, ``:`` or ``/``)
_COMMENT_WORD = LazyPattern(
    r"(?:^|(?<=[\s@=:/(\[]))[vV]?\d+(?:\.\d+){0,3}"
    r"(?:[-.]?(?:a|b|rc|alpha|beta|post|dev)\d*)?(?=$|[\s,;)\]])"
)


@dataclass(frozen=True)
class ActionSpec:
    """What the resolver needs to know about one action (read from facts.toml)."""

    repo: str
    #: release commit SHA (lower case) -> version
    shas: Mapping[str, Version] = field(default_factory=dict)
    #: branches that follow the newest release (``release/v1``, ``main``)
    branches: tuple[str, ...] = ()
    #: branches that exist but are frozen (``master`` of pypi-publish)
    sunset: tuple[str, ...] = ()
    #: branches of one older line (``release/v1.8``): a regular expression, or None
    line_branches: re.Pattern[str] | None = None
    latest: Version | None = None
    #: how release tags start: ``v`` (``v1.14.2``) or empty (``0.6.4``)
    tag_prefix: str = "v"
    #: every tag known to exist (empty: not known, any release-shaped tag is accepted)
    tags: frozenset[str] = frozenset()
    #: the newest release up to which ``tags`` is complete
    tags_complete_until: Version | None = None
    #: other branches that exist (they follow no release)
    other_branches: tuple[str, ...] = ()
    #: annotated tag object SHA (lower case) -> the commit SHA it points at
    tag_objects: Mapping[str, str] = field(default_factory=dict)
    #: whether tags naming a major line (``v4``) exist and move with each release
    major_tags: bool = False


class Release(NamedTuple):
    """The release a ``uses:`` ref runs, as far as the ref and its comment tell."""

    ref: str | None
    kind: str
    #: the exact release, when known
    version: Version | None = None
    #: the known prefix of the release (``(1,)``: some 1.x; ``(1, 8)``: some 1.8.x);
    #: the full release when ``version`` is known
    line: tuple[int, ...] = ()
    #: where ``version`` (or ``line``) came from: table, tag, comment, branch, or ""
    source: str = ""
    comment: str | None = None
    #: the exact version the comment names, when the table says otherwise
    comment_version: Version | None = None
    #: the line the comment names, when it disagrees with the table's release
    comment_line: tuple[int, ...] = ()
    #: a tag naming a line that moves with each release of it (``actions/upload-artifact@v4``):
    #: it runs the newest release of ``line``
    moving: bool = False

    @property
    def major(self) -> int | None:
        return self.line[0] if self.line else None

    @property
    def sha(self) -> bool:
        return self.kind == SHA

    @property
    def pinned_version(self) -> Version | None:
        """The exact release this ref always runs: None for a branch (it moves with each
        release, so the release a run gets is not fixed) or when the release is unknown."""
        return None if self.source == FROM_BRANCH else self.version

    @property
    def mismatch(self) -> bool:
        """Whether the SHA's release (from the table) is not what its comment says."""
        return self.comment_version is not None or bool(self.comment_line)

    def at_least(self, threshold: Version) -> bool | None:
        """Whether the release is ``threshold`` or newer: None when that depends on the
        exact release within the known line (or nothing is known). A moving tag of the
        threshold's line runs its newest release, which has everything released in it."""
        got = at_least(self.version, self.line, threshold)
        if got is None and self.moving:
            return True
        return got

    def before(self, threshold: Version) -> bool:
        """Whether the release is certainly older than ``threshold``."""
        return self.at_least(threshold) is False

    @property
    def shown(self) -> str:
        """The release for messages: ``1.14.0``, ``1.x``, or the ref."""
        if self.version is not None:
            return str(self.version)
        if self.line:
            return ".".join(str(p) for p in self.line) + ".x"
        return self.ref or ""

    def provenance(self) -> str:
        """How the release was found, for messages: `` (commit cef2210)``, `` (commit
        cef2210, not v1.14.2 as its comment says)``, `` (`release/v1`: the newest
        release)``, or empty."""
        if self.kind == TAG_OBJECT and self.ref:
            return f" (tag object {self.ref[:7]})"
        if self.source == FROM_TABLE and self.ref:
            said = ""
            if self.comment_version is not None:
                said = f", not v{self.comment_version} as its comment says"
            elif self.comment_line:
                line = ".".join(str(p) for p in self.comment_line)
                said = f", not v{line} as its comment says"
            return f" (commit {self.ref[:7]}{said})"
        if self.source == FROM_BRANCH and self.ref and self.version is not None:
            return f" (`{self.ref}`: the newest release)"
        return ""


def at_least(version: Version | None, line: tuple[int, ...], threshold: Version) -> bool | None:
    """Whether a release known as ``version`` (exact) or only by ``line`` (its first
    numbers) is ``threshold`` or newer; None when the line does not decide it."""
    if version is not None:
        return version >= threshold
    if not line:
        return None
    wanted = threshold.release[: len(line)]
    wanted = wanted + (0,) * (len(line) - len(wanted))
    if line > wanted:
        return True
    if line < wanted:
        return False
    if all(part == 0 for part in threshold.release[len(line) :]) and not threshold.is_prerelease:
        return True  # every release of the line reaches e.g. 5.0.0 from (5,)
    return None


def _parse(text: str) -> tuple[Version | None, tuple[int, ...], str]:
    """(exact version, line, prefix) of a version word; exact needs three numbers and no
    other suffix than a pre-release."""
    match = _VERSION.match(text.strip())
    if not match:
        return None, (), ""
    nums = tuple(int(p) for p in match.group("nums").split("."))
    if match.group("rest"):
        return None, nums[:1], match.group("prefix")
    if len(nums) >= 3:
        try:
            version = Version(match.group("nums") + match.group("pre"))
        except InvalidVersion:  # pragma: no cover - the pattern admits valid versions only
            return None, nums, match.group("prefix")
        return version, version.release, match.group("prefix")
    return None, nums, match.group("prefix")


def comment_release(comment: str | None) -> tuple[Version | None, tuple[int, ...]]:
    """What a ``# ...`` comment after a SHA says: (exact version, line).

    ``v1.14.2`` / ``1.14.2`` / ``tag=v1.14.2`` give the exact version; ``v1``,
    ``release/v1``, ``v1.14`` give only a line; ``main`` and other words give nothing.
    """
    if not comment:
        return None, ()
    match = _COMMENT_WORD.search(comment)
    if match is None:
        return None, ()
    version, line, _prefix = _parse(match.group(0))
    return version, line


def comment_word_span(comment: str) -> tuple[int, int] | None:
    """Where in ``comment`` the version word :func:`comment_release` reads is."""
    match = _COMMENT_WORD.search(comment)
    return (match.start(), match.end()) if match else None


def ref_kind(ref: str | None, spec: ActionSpec) -> str:
    if not ref:
        return NONE
    if ref in spec.branches or (spec.line_branches and spec.line_branches.match(ref)):
        return BRANCH
    if ref in spec.other_branches:
        return BRANCH
    if ref in spec.sunset:
        return SUNSET
    if _SHA.match(ref):
        return TAG_OBJECT if ref.lower() in spec.tag_objects else SHA
    if ref in spec.tags:
        return TAG
    version, line, prefix = _parse(ref)
    exact_or_line = version is not None or (spec.major_tags and len(line) <= 2)
    if line and prefix.lower() == spec.tag_prefix.lower() and exact_or_line:
        if not spec.tags:
            return TAG
        until = spec.tags_complete_until
        # not in the list: unknown where the list is complete; a newer release may exist
        if version is not None and (until is None or version > until):
            return TAG
        return UNKNOWN
    if _SHORT_SHA.match(ref) and any(c.isalpha() for c in ref):
        return SHORT_SHA
    return UNKNOWN


def resolve(ref: str | None, comment: str | None, spec: ActionSpec) -> Release:
    """The release ``uses: {spec.repo}@{ref}  # {comment}`` runs."""
    kind = ref_kind(ref, spec)
    if kind == SHA:
        assert ref is not None
        said_version, said_line = comment_release(comment)
        known = spec.shas.get(ref.lower())
        if known is not None:
            mismatch_version = None
            mismatch_line: tuple[int, ...] = ()
            if said_version is not None and said_version != known:
                mismatch_version = said_version
            elif said_line and known.release[: len(said_line)] != said_line:
                mismatch_line = said_line
            return Release(
                ref,
                kind,
                known,
                known.release,
                FROM_TABLE,
                comment,
                mismatch_version,
                mismatch_line,
            )
        if said_version is not None:
            return Release(ref, kind, said_version, said_version.release, FROM_COMMENT, comment)
        if said_line:
            return Release(ref, kind, None, said_line, FROM_COMMENT, comment)
        return Release(ref, kind, comment=comment)
    if kind == TAG_OBJECT:
        assert ref is not None
        commit = spec.tag_objects[ref.lower()]
        known = spec.shas.get(commit)
        if known is None:
            return Release(ref, kind, comment=comment)
        return Release(ref, kind, known, known.release, FROM_TABLE, comment)
    if kind == TAG:
        assert ref is not None
        version, line, _prefix = _parse(ref)
        moving = version is None and spec.major_tags
        return Release(ref, kind, version, line, FROM_TAG, comment, moving=moving)
    if kind == BRANCH:
        assert ref is not None
        if ref not in spec.branches:
            _v, line, _p = _parse(ref.rsplit("/", 1)[-1])
            return Release(ref, kind, None, line[:2], FROM_BRANCH, comment)
        if spec.latest is not None:
            return Release(ref, kind, spec.latest, spec.latest.release, FROM_BRANCH, comment)
    return Release(ref, kind, comment=comment)


# --- the actions shiplint knows, from facts.toml ------------------------------------------------


def _spec_from(
    raw: Mapping[str, object], shas: Mapping[str, Version], latest: Version | None
) -> ActionSpec:
    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key, ())
        return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()

    until = raw.get("tags-complete-until")
    objects = raw.get("tag-objects", {})

    return ActionSpec(
        repo=str(raw.get("repo", "")),
        shas=shas,
        branches=strings("branches"),
        sunset=strings("sunset"),
        line_branches=re.compile(str(raw["line-branches"])) if raw.get("line-branches") else None,
        latest=latest,
        tag_prefix=str(raw.get("tag-prefix", "v")),
        major_tags=bool(raw.get("major-tags", False)),
        tags=frozenset(strings("tags")),
        tags_complete_until=Version(str(until)) if until else None,
        other_branches=strings("other-branches"),
        tag_objects={str(k).lower(): str(v).lower() for k, v in objects.items()}
        if isinstance(objects, dict)
        else {},
    )


@functools.lru_cache(maxsize=1)
def pypi_publish() -> ActionSpec:
    """pypa/gh-action-pypi-publish."""
    f = facts_mod.load().pypi_publish
    return _spec_from(f.raw, f.shas, f.latest)


@functools.lru_cache(maxsize=1)
def upload_nightly() -> ActionSpec:
    """scientific-python/upload-nightly-action."""
    f = facts_mod.load().upload_nightly
    return _spec_from(f.raw, f.shas, f.latest)


@functools.lru_cache(maxsize=64)
def publisher(name: str) -> ActionSpec | None:
    """The refs of the catalogued publisher ``name`` (``[publishers.NAME]``, or the
    ``[actions.*]`` table its ``refs`` names); None when the facts list none."""
    entry = next((p for ps in facts_mod.publishers().values() for p in ps if p.name == name), None)
    if entry is None:
        return None
    if entry.refs == "pypi-publish":
        return pypi_publish()
    if entry.refs == "upload-nightly":
        return upload_nightly()
    raw = entry.raw
    repo = _repo_of(str(entry.raw["uses"][0]))
    if entry.refs is not None:
        raw = facts_mod.refs_table(entry.refs)
        repo = str(raw.get("repo", repo))
    if not raw.get("tags") and not raw.get("shas") and not raw.get("branches"):
        return None
    shas = {str(sha).lower(): Version(str(v)) for sha, v in raw.get("shas", {}).items()}
    latest = raw.get("latest")
    spec = _spec_from(raw, shas, Version(str(latest)) if latest else None)
    return replace(spec, repo=repo)


def _repo_of(uses: str) -> str:
    """``owner/repo`` of a ``uses:`` path (an action in a sub-folder, a reusable workflow)."""
    return "/".join(uses.split("/")[:2])


@functools.lru_cache(maxsize=1)
def baipp() -> ActionSpec:
    """hynek/build-and-inspect-python-package: ``v1``/``v2`` and minor tags (``v2.18``)
    moved with each release up to v2.18.0; from v3.0.0 there are exact tags only (a ``v3``
    is not in the complete tag list, so it is unknown)."""
    f = facts_mod.baipp()
    return _spec_from(f.raw, f.shas, f.latest)


@functools.lru_cache(maxsize=2)
def artifact_action(download: bool) -> ActionSpec:
    """actions/upload-artifact (``download=False``) or actions/download-artifact: tags
    ``v4`` follow the newest release of their major, ``main`` the newest release."""
    f = facts_mod.artifacts()
    return ActionSpec(
        repo=f.download if download else f.upload,
        shas=f.shas,
        branches=("main", "master"),
        latest=f.latest_download if download else f.latest_upload,
        tag_prefix="v",
        major_tags=True,
    )
