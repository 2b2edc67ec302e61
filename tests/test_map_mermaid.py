"""``shiplint map --format mermaid``: the exact diagram, its JSON twin, and the real Mermaid
parser's reading of it (tests.mermaid_parser: the mermaid npm package under node)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiplint.cli import main
from shiplint.deploy.flow import escape
from tests import mermaid_parser
from tests.conftest import CORPUS, write_tree

REPO = Path(__file__).parent.parent

TRICKY = {
    ".github/workflows/release.yml": """
        on:
          release:
            types: [published]
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: ubuntu-latest
            environment: 'pypi "prod" [1] | #2'
            if: github.event_name == 'release' || startsWith(github.ref, 'refs/tags/v#')
            permissions:
              id-token: write
            steps:
              - uses: pypa/gh-action-pypi-publish@v1.12.4
          nightly:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
                env:
                  TOKEN: ${{ secrets.NIGHTLY_TOKEN }}
              - run: tox -e release
                env:
                  TWINE_PASSWORD: ${{ secrets.INTERNAL_INDEX }}
    """,
    "tools/upload.sh": (
        'anaconda -t "$TOKEN" upload -u scientific-python-nightly-wheels dist/*.whl\n'
    ),
    "tox.ini": """
        [testenv:release]
        pass_env = TWINE_PASSWORD
        commands = twine upload --repository-url "https://example.org/a|b/<up>&x#y" dist/*
    """,
}

TRICKY_DIAGRAM = """\
flowchart LR
  f1[".github/workflows/release.yml"]
  j1("job publish, environment pypi #quot;prod#quot; [1] #124; #35;2")
  u1[/"pypi-publish-action 1.12.4<br>.github/workflows/release.yml:14:15"/]
  d1[("PyPI")]
  j2("job nightly")
  u2[/"anaconda<br>tools/upload.sh:1:1"/]
  d2[("Anaconda.org channel scientific-python-nightly-wheels")]
  u3[/"twine<br>tox.ini:3:12 (tox env release)"/]
  d3[("https://example.org/a#124;b/#lt;up#gt;#amp;x#35;y")]
  f1 -->|"on: release, push"| j1
  j1 -->|"if: github.event_name == 'release' #124;#124; startsWith(github.ref, 'refs/tags/v#35;')"| u1
  u1 -->|"trusted publishing"| d1
  f1 -->|"on: release, push"| j2
  j2 --> u2
  u2 -->|"secret NIGHTLY_TOKEN"| d2
  j2 --> u3
  u3 -->|"secret INTERNAL_INDEX"| d3
"""

#: what a browser shows for TRICKY_DIAGRAM: (shape, label) per node, edges with labels
TRICKY_SHOWN = {
    "nodes": {
        "f1": ["square", ".github/workflows/release.yml"],
        "j1": ["round", 'job publish, environment pypi "prod" [1] | #2'],
        "u1": ["lean_right", "pypi-publish-action 1.12.4<br>.github/workflows/release.yml:14:15"],
        "d1": ["cylinder", "PyPI"],
        "j2": ["round", "job nightly"],
        "u2": ["lean_right", "anaconda<br>tools/upload.sh:1:1"],
        "d2": ["cylinder", "Anaconda.org channel scientific-python-nightly-wheels"],
        "u3": ["lean_right", "twine<br>tox.ini:3:12 (tox env release)"],
        "d3": ["cylinder", "https://example.org/a|b/<up>&x#y"],
    },
    "edges": [
        ["f1", "j1", "on: release, push"],
        [
            "j1",
            "u1",
            "if: github.event_name == 'release' || startsWith(github.ref, 'refs/tags/v#')",
        ],
        ["u1", "d1", "trusted publishing"],
        ["f1", "j2", "on: release, push"],
        ["j2", "u2", ""],
        ["u2", "d2", "secret NIGHTLY_TOKEN"],
        ["j2", "u3", ""],
        ["u3", "d3", "secret INTERNAL_INDEX"],
    ],
}

#: every character Mermaid reads in a label, and a literal entity code
SPECIAL = 'a "q" [b] {c} (d) <e> f|g #h; #quot; &amp; `i` 50%% j;k end\nnext\tline'


def _map(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["map", *argv]) == 0
    return capsys.readouterr().out


def test_mermaid_diagram_is_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, TRICKY)
    out = _map(capsys, "--format", "mermaid", str(tmp_path))
    assert out == f"%% shiplint map: {tmp_path}\n{TRICKY_DIAGRAM}"


def test_mermaid_one_diagram_per_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path / "a", TRICKY)
    (tmp_path / "empty").mkdir()
    out = _map(capsys, "--format", "mermaid", str(tmp_path / "a"), str(tmp_path / "empty"))
    assert out == (
        f"%% shiplint map: {tmp_path / 'a'}\n{TRICKY_DIAGRAM}\n"
        f"%% shiplint map: {tmp_path / 'empty'}\n"
        'flowchart LR\n  none["no uploads found"]\n'
    )


def test_json_map_holds_what_the_diagram_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, TRICKY)
    (root,) = json.loads(_map(capsys, "--format", "json", str(tmp_path)))["roots"]
    flow = [
        (
            u["file"],
            u.get("job"),
            u.get("environment"),
            u.get("label"),
            u["triggers"],
            u["conditions"],
            u["tool"],
            u["version"],
            u["location"],
            u["destination"],
            u["auth"],
        )
        for u in root["uploads"]
    ]
    wf = ".github/workflows/release.yml"
    oidc = {"kind": "trusted-publishing", "secret": None, "via": "oidc", "name": "id-token"}
    assert flow == [
        (
            wf,
            "publish",
            'pypi "prod" [1] | #2',
            None,
            ["release", "push"],
            ["github.event_name == 'release' || startsWith(github.ref, 'refs/tags/v#')"],
            "pypi-publish-action",
            "1.12.4",
            f"{wf}:14:15",
            {"kind": "pypi", "name": "PyPI"},
            [{**oidc, "username": False}],
        ),
        (
            wf,
            "nightly",
            None,
            "tools/upload.sh",  # the script the job runs
            ["release", "push"],
            [],
            "anaconda",
            None,
            "tools/upload.sh:1:1",
            {"kind": "anaconda", "name": "scientific-python-nightly-wheels"},
            [
                {
                    "kind": "secret",
                    "secret": "NIGHTLY_TOKEN",
                    "via": "flag",
                    "name": "-t",
                    "username": False,
                }
            ],
        ),
        (
            wf,
            "nightly",
            None,
            "release",
            ["release", "push"],
            [],
            "twine",
            None,
            "tox.ini:3:12",
            {"kind": "url", "name": "https://example.org/a|b/<up>&x#y"},
            [
                {
                    "kind": "secret",
                    "secret": "INTERNAL_INDEX",
                    "via": "env",
                    "name": "TWINE_PASSWORD",
                    "username": False,
                }
            ],
        ),
    ]
    # the fields the text format always had are unchanged
    assert root["uploads"][0]["credentials"] == ["trusted publishing (OIDC)"]
    assert root["uploads"][2]["target"] == "https://example.org/a|b/<up>&x#y"


def test_escape() -> None:
    assert escape(SPECIAL) == (
        "a #quot;q#quot; [b] {c} (d) #lt;e#gt; f#124;g #35;h; #35;quot; #amp;amp; "
        "#96;i#96; 50#37;#37; j;k end next line"
    )
    assert escape("x" * 100, 10) == "xxxxxxxxx…"
    assert escape("a\x00b\x7fc") == "abc"


def test_literal_tokens_never_reach_the_diagram(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAACKlsz"
    write_tree(
        tmp_path,
        {
            "tox.ini": f"""
                [testenv:release]
                commands = twine upload -p {token} --repository-url https://u:hunter2@example.org/up dist/*
            """
        },
    )
    out = _map(capsys, "--format", "mermaid", str(tmp_path))
    assert token not in out and "hunter2" not in out
    assert '-->|"literal token (redacted)"|' in out
    assert 'd1[("https://u:********@example.org/up")]' in out


@pytest.mark.slow
def test_real_mermaid_parser_reads_every_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, TRICKY)
    tricky = _map(capsys, "--format", "mermaid", str(tmp_path))
    examples = _map(capsys, "--format", "mermaid", str(REPO / "examples" / "broken"))
    special = f'flowchart LR\n  a["{escape(SPECIAL)}"] -->|"{escape(SPECIAL)}"| b\n'
    broken = 'flowchart LR\n  a["x"y"] --> b\n'  # an unescaped quote: must fail
    docs = DOCS_FLOW.split("```mermaid\n")[1].split("```")[0]
    results = mermaid_parser.parse([tricky, examples, special, broken, docs])
    assert [r["ok"] for r in results] == [True, True, True, False, True], results
    assert results[0]["type"] == "flowchart-v2"
    assert {"nodes": results[0]["nodes"], "edges": results[0]["edges"]} == TRICKY_SHOWN
    shown = " ".join(SPECIAL.split())
    assert results[2]["nodes"]["a"] == ["square", shown]
    assert results[2]["edges"] == [["a", "b", shown]]
    assert "Parse error" in results[3]["error"]


@pytest.mark.slow
def test_real_mermaid_parser_reads_the_diagrams_of_the_docs() -> None:
    blocks = [
        block.split("```")[0]
        for doc in ("README.md", "examples/fixed/RELEASING.md")
        for block in (REPO / doc).read_text().split("```mermaid\n")[1:]
    ]
    assert len(blocks) == 2
    assert [r["ok"] for r in mermaid_parser.parse(blocks)] == [True, True]


REAL = CORPUS / "real-repos"


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus is not available")
def test_real_mermaid_parser_reads_the_corpus_diagrams(capsys: pytest.CaptureFixture[str]) -> None:
    roots = sorted(str(p) for p in REAL.iterdir() if p.is_dir())
    out = _map(capsys, "--format", "mermaid", *roots)
    blocks = ["%% shiplint map: " + b for b in out.split("%% shiplint map: ")[1:]]
    assert len(blocks) == len(roots)
    results = mermaid_parser.parse(blocks)
    failed = {b.split("\n", 1)[0]: r["error"] for b, r in zip(blocks, results) if not r["ok"]}
    assert failed == {}
    # every node and edge the text declares is the one the parser read
    for block, result in zip(blocks, results):
        declared = [line for line in block.splitlines()[2:] if line and "-->" not in line]
        edges = [line for line in block.splitlines() if "-->" in line]
        assert len(result["nodes"]) == len(declared), block
        assert len(result["edges"]) == len(edges), block


# --- the diagram in the release docs (`shiplint docs --diagram`, SL817) ---------------------

DOCS_FLOW = """\
## Release flow

<!-- shiplint-flow: start (generated by `shiplint docs` from the workflows) -->
```mermaid
flowchart LR
  f1[".github/workflows/release.yml"]
  j1("job publish, environment pypi #quot;prod#quot; [1] #124; #35;2")
  u1[/"pypi-publish-action"/]
  d1[("PyPI")]
  j2("job nightly")
  u2[/"anaconda<br>tools/upload.sh"/]
  d2[("Anaconda.org channel scientific-python-nightly-wheels")]
  u3[/"twine<br>tox.ini (tox env release)"/]
  d3[("https://example.org/a#124;b/#lt;up#gt;#amp;x#35;y")]
  f1 -->|"on: release, push"| j1
  j1 -->|"if: github.event_name == 'release' #124;#124; startsWith(github.ref, 'refs/tags/v#35;')"| u1
  u1 -->|"trusted publishing"| d1
  f1 -->|"on: release, push"| j2
  j2 --> u2
  u2 -->|"secret NIGHTLY_TOKEN"| d2
  j2 --> u3
  u3 -->|"secret INTERNAL_INDEX"| d3
```
<!-- shiplint-flow: end -->
"""


def _docs(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["docs", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_docs_diagram_is_added_kept_and_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, TRICKY)
    docs = tmp_path / "RELEASING.md"
    docs.write_text("# Releasing\n\nTag and publish.\n")
    # without --diagram, no diagram is added
    assert _docs(capsys, str(tmp_path))[0] == 0
    assert "shiplint-flow" not in docs.read_text()
    code, out, _ = _docs(capsys, "--diagram", str(tmp_path))
    assert code == 0
    assert out == (
        "shiplint docs: wrote the deploy-account section and release-flow diagram of RELEASING.md\n"
    )
    text = docs.read_text()
    assert text.endswith("<!-- shiplint-deploy: end -->\n\n" + DOCS_FLOW)
    assert text.startswith("# Releasing\n\nTag and publish.\n\n## Deploy accounts\n")
    assert _docs(capsys, "--check", str(tmp_path)) == (
        0,
        "shiplint docs: nothing to do: the deploy-account section and release-flow diagram "
        "of RELEASING.md are up to date\n",
        "",
    )
    assert main(["check", "--select", "SL817", str(tmp_path)]) == 0
    capsys.readouterr()

    # a new trigger: the diagram is stale for `docs --check` and SL817, which fixes it
    wf = tmp_path / ".github/workflows/release.yml"
    wf.write_text(wf.read_text().replace('tags: ["v*"]', 'tags: ["v*"]\n  workflow_dispatch:'))
    code, out, err = _docs(capsys, "--check", str(tmp_path))
    assert code == 1
    assert err == (
        "shiplint docs: the deploy-account section and release-flow diagram of RELEASING.md "
        "are out of date; run `shiplint docs`\n"
    )
    assert (
        '-  f1 -->|"on: release, push"| j1\n+  f1 -->|"on: release, push, workflow_dispatch"| j1\n'
        in out
    )
    assert main(["check", "--format", "json", "--select", "SL817", str(tmp_path)]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    line = text[: text.index("<!-- shiplint-flow: start")].count("\n") + 1
    assert (finding["rule"], finding["path"], finding["line"]) == ("SL817", "RELEASING.md", line)
    assert (
        finding["message"] == "the release-flow diagram of RELEASING.md differs from the workflows"
    )
    assert main(["check", "--fix", "--select", "SL817", str(tmp_path)]) == 0
    capsys.readouterr()
    fixed = docs.read_text()
    # (both jobs of the workflow)
    assert fixed == text.replace('"on: release, push"|', '"on: release, push, workflow_dispatch"|')
    # plain `shiplint docs` keeps an existing diagram current
    wf.write_text(wf.read_text().replace("  workflow_dispatch:\n", ""))
    assert _docs(capsys, str(tmp_path))[0] == 0
    assert docs.read_text() == text


def test_docs_diagram_markers_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, TRICKY)
    (tmp_path / "RELEASING.md").write_text(
        "# Releasing\n\n<!-- shiplint-flow: start -->\n```mermaid\n```\n"
    )
    code, _, err = _docs(capsys, str(tmp_path))
    assert code == 2
    assert err == (
        "shiplint docs: RELEASING.md: the release-flow diagram markers are broken: "
        "the start marker has no end marker after it\n"
    )
    assert main(["check", "--format", "json", "--select", "SL817", str(tmp_path)]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["line"], finding["message"]) == (
        3,
        "release-flow diagram markers are broken: the start marker has no end marker after it",
    )
