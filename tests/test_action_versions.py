"""Rules that read an action's release through gha_refs: SHA table, exact comments, lines."""

from __future__ import annotations

import textwrap

from tests.conftest import AuditFn, hit

WF = ".github/workflows/release.yml"

# one artifact fetched by id: v5+ extracts it into `path` itself, v4 into path/<name>/
BY_ID = textwrap.dedent("""
    on:
      release:
        types: [published]
    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@REF
            with:
              artifact-ids: "1234"
              path: dist
          - uses: pypa/gh-action-pypi-publish@release/v1
""")


def test_single_id_download_by_major_tag(audit: AuditFn) -> None:
    v4 = BY_ID.replace("REF", "v4")
    assert audit({WF: v4}, select=["SL704"]) == [hit("SL704", WF, v4, "dist\n")]
    for ref in ("v5", "v8", "v8.0.1", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v4"):
        wf = BY_ID.replace("REF", ref)
        assert audit({WF: wf}, select=["SL704"]) == [], ref
    # an unknown SHA with `# v4`: every v4.x nests it
    sha = BY_ID.replace("REF", "0123456789abcdef0123456789abcdef01234567 # v4")
    assert audit({WF: sha}, select=["SL704"]) == [hit("SL704", WF, sha, "dist\n")]


def test_retired_major_from_a_line_comment(audit: AuditFn) -> None:
    wf = textwrap.dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@0123456789abcdef0123456789abcdef01234567 # v3
                with: {name: dist, path: dist/}
    """)
    assert [h[0] for h in audit({WF: wf}, select=["SL701"])] == ["SL701"]
    # the table knows 043fb46 as v7.0.1 whatever the comment says
    table = wf.replace(
        "0123456789abcdef0123456789abcdef01234567", "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a"
    )
    assert audit({WF: table}, select=["SL701"]) == []
