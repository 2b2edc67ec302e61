"""gha_refs: which release a ``uses:`` ref and its trailing comment stand for."""

from __future__ import annotations

import pytest
from packaging.version import Version

from shiplint.gha import refs as gha_refs
from shiplint.gha.refs import ActionSpec, Release, comment_release, resolve

PUBLISH = gha_refs.pypi_publish()
NIGHTLY = gha_refs.upload_nightly()
UPLOAD = gha_refs.artifact_action(False)

V1_14_0 = "cef221092ed1bacb1cc03d23a2d87d1d172e277b"
V1_14_2 = "dc37677b2e1c63e2034f94d8a5b11f265b73ba33"
UNKNOWN_SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("comment", "version", "line"),
    [
        ("v1.14.2", "1.14.2", (1, 14, 2)),
        ("1.14.2", "1.14.2", (1, 14, 2)),
        ("tag=v1.12.4", "1.12.4", (1, 12, 4)),
        ("pin @v1.7.0 (2023-03-11)", "1.7.0", (1, 7, 0)),
        ("v1.0.0rc1", "1.0.0rc1", (1, 0, 0)),
        ("v1", None, (1,)),
        ("release/v1", None, (1,)),
        ("v1.14", None, (1, 14)),
        ("ratchet:pypa/gh-action-pypi-publish@release/v1", None, (1,)),
        ("v8", None, (8,)),
        ("main", None, ()),
        ("pinned on 2024-03-01", None, ()),
        ("", None, ()),
    ],
)
def test_comment_release(comment: str, version: str | None, line: tuple[int, ...]) -> None:
    got_version, got_line = comment_release(comment)
    assert got_version == (Version(version) if version else None)
    assert got_line == line


def test_table_sha_wins_over_a_branch_comment() -> None:
    release = resolve(V1_14_0, "release/v1", PUBLISH)
    assert (release.kind, release.version, release.source) == ("sha", Version("1.14.0"), "table")
    assert not release.mismatch
    assert release.provenance() == " (commit cef2210)"


def test_table_sha_wins_over_a_wrong_exact_comment() -> None:
    release = resolve(V1_14_0, "v1.14.2", PUBLISH)
    assert release.version == Version("1.14.0")
    assert release.comment_version == Version("1.14.2")
    assert release.mismatch
    assert release.provenance() == " (commit cef2210, not v1.14.2 as its comment says)"


def test_table_sha_with_a_line_comment_of_another_major() -> None:
    release = resolve("043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", "v4", UPLOAD)
    assert (release.version, release.major, release.comment_line) == (Version("7.0.1"), 7, (4,))
    agreeing = resolve("043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", "v7", UPLOAD)
    assert not agreeing.mismatch


def test_unknown_sha_with_a_line_comment_is_never_1_0_0() -> None:
    for comment in ("v1", "release/v1"):
        release = resolve(UNKNOWN_SHA, comment, PUBLISH)
        assert release.version is None
        assert release.line == (1,) and release.source == "comment"
        assert release.shown == "1.x"
        assert release.at_least(Version("1.8.0")) is None
        assert release.at_least(Version("1.0.0")) is True
        assert release.at_least(Version("2.0.0")) is False


def test_unknown_sha_with_an_exact_comment() -> None:
    release = resolve(UNKNOWN_SHA, "v1.7.0", PUBLISH)
    assert (release.version, release.source) == (Version("1.7.0"), "comment")
    assert release.before(Version("1.8.0"))


def test_unknown_sha_without_a_version() -> None:
    for comment in (None, "main", "latest"):
        release = resolve(UNKNOWN_SHA, comment, PUBLISH)
        assert (release.kind, release.version, release.line) == ("sha", None, ())
        assert release.at_least(Version("1.8.0")) is None


def test_ref_kinds_of_pypi_publish() -> None:
    kinds = {
        ref: resolve(ref, None, PUBLISH).kind
        for ref in (
            "v1.14.2",
            "release/v1",
            "unstable/v1",
            "release/v1.8",
            "master",
            V1_14_2,
            "dc37677",
            "v1",
            "v1.14",
            "1.14.2",
            "main",
            None,
        )
    }
    assert kinds == {
        "v1.14.2": "tag",
        "release/v1": "branch",
        "unstable/v1": "branch",
        "release/v1.8": "branch",
        "master": "sunset",
        V1_14_2: "sha",
        "dc37677": "short-sha",
        "v1": "unknown",  # the action has no major tags
        "v1.14": "unknown",
        "1.14.2": "unknown",  # its tags start with `v`
        "main": "unknown",
        None: "none",
    }


def test_branches_run_the_newest_release_or_their_line() -> None:
    latest = PUBLISH.latest
    assert latest is not None
    newest = resolve("release/v1", None, PUBLISH)
    assert (newest.version, newest.source) == (latest, "branch")
    assert newest.provenance() == " (`release/v1`: the newest release)"
    frozen = resolve("release/v1.8", None, PUBLISH)
    assert (frozen.version, frozen.line) == (None, (1, 8))
    assert frozen.before(Version("1.12.3"))
    assert frozen.at_least(Version("1.8.0")) is True
    assert frozen.at_least(Version("1.8.5")) is None
    sunset = resolve("master", None, PUBLISH)
    assert (sunset.version, sunset.line) == (None, ())


def test_only_a_tag_or_a_sha_pins_a_release() -> None:
    assert resolve("release/v1", None, PUBLISH).pinned_version is None  # moves with releases
    assert resolve("v1.12.4", None, PUBLISH).pinned_version == Version("1.12.4")
    assert resolve(V1_14_0, None, PUBLISH).pinned_version == Version("1.14.0")
    assert resolve(UNKNOWN_SHA, None, PUBLISH).pinned_version is None


def test_artifact_major_tags() -> None:
    for ref, version, major in (
        ("v4", None, 4),
        ("v4.1.7", Version("4.1.7"), 4),
        ("v3-node20", None, 3),
        ("main", UPLOAD.latest, UPLOAD.latest.major if UPLOAD.latest else None),
    ):
        release = resolve(ref, None, UPLOAD)
        assert (release.version, release.major) == (version, major), ref
    assert resolve("v4", None, UPLOAD).at_least(Version("5.0.0")) is False
    assert resolve("v5", None, UPLOAD).at_least(Version("5.0.0")) is True
    # `@v4` moves with each v4 release: it runs the newest one, which has every v4 feature
    assert resolve("v4", None, UPLOAD).at_least(Version("4.4.0")) is True
    # a `# v4` comment after an unknown commit says only that it is some v4 release
    assert resolve("a" * 40, "v4", UPLOAD).at_least(Version("4.4.0")) is None
    assert resolve("a" * 40, "v4", UPLOAD).at_least(Version("5.0.0")) is False


def test_upload_nightly_tags_and_table() -> None:
    assert resolve("0.6.4", None, NIGHTLY).version == Version("0.6.4")
    assert resolve("v0.6.4", None, NIGHTLY).kind == "unknown"
    assert resolve("main", None, NIGHTLY).kind == "branch"
    table = resolve("b36e8c0c10dbcfd2e05bf95f17ef8c14fd708dbf", None, NIGHTLY)
    assert (table.version, table.source) == (Version("0.6.2"), "table")


def test_a_spec_without_facts() -> None:
    spec = ActionSpec(repo="owner/action")
    assert resolve("v2.0.0", None, spec) == Release(
        "v2.0.0", "tag", Version("2.0.0"), (2, 0, 0), "tag"
    )
    assert resolve("develop", "v2.0.0", spec).kind == "unknown"
