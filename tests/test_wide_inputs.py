"""Hostile, very wide inputs (issue 6): thousands of uploads in one ``run:`` block or script,
thousands of tox envs, thousands of jobs uploading one artifact name. The audit must stay
linear in the input: each test builds a size the old quadratic helpers needed minutes for
and checks the time, that no rule crashed (SL005) and the findings at both ends."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from shiplint.findings import Finding
from shiplint.model.script_uploads import ScriptFlow
from shiplint.model.shellblocks import identity
from shiplint.parse.shell_flow import chain_to
from shiplint.source import SourceFile

from .conftest import AuditFn, hits, run_audit, write_tree
from .upload_script_samples import NUMPY_SCRIPT, SKLEARN_SCRIPT

#: every kind of node: if/elif/else, case, loops, groups, functions, && / || lists
SHAPES = """
    f() { echo in; return 1; }
    function g { [ -n "$A" ] && echo a || { echo b; exit 0; }; }
    if [ -z "$T" ]; then echo no; elif [ "$A" = x ]; then exit 0; else twine upload a; fi
    for x in a b; do while true; do ( cd x && twine upload "$x" ) || break; done; done
    case "$E" in push) ORG=a ;; *) ORG=b; exit 1 ;; esac
    ! anaconda upload -u "$ORG" dist/* | tee log && echo done
"""

LIMIT_SECONDS = 20.0

Files = dict[str, str]


def run_block_uploads(n: int) -> Files:
    """A publish job whose one ``run:`` block uploads ``n`` wheels with twine, after a
    download-artifact that nests every artifact into its own sub-folder of ``dist``; then
    ``set +e`` and a last upload that is not the block's last command."""
    lines = "".join(f"          twine upload dist/a{i}-*.whl\n" for i in range(n))
    lines += "          set +e\n          twine upload dist/last-*.whl\n          echo done\n"
    workflow = (
        "on:\n  push:\n    tags: ['v*']\n"
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n"
        "        with: {path: dist}\n"
        "      - env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
        "        run: |\n" + lines
    )
    return {".github/workflows/release.yml": workflow}


def script_uploads(n: int) -> Files:
    """A workflow that runs ``tools/upload.sh``: ``set -e``, a test of the token that
    leaves with status 0 when it is empty, ``n`` twine uploads, then ``set +e`` and a
    last upload that is not the script's last command."""
    body = "".join(f"twine upload dist/a{i}.whl\n" for i in range(n))
    body += "set +e\ntwine upload dist/last.whl\necho done\n"
    script = (
        "#!/bin/bash\nset -e\n"
        'if [ -z "$TWINE_PASSWORD" ]; then\n  echo "no token"\n  exit 0\nfi\n' + body
    )
    workflow = (
        "on:\n  push:\n    tags: ['v*']\n"
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: bash tools/upload.sh\n"
        "        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
    )
    return {".github/workflows/release.yml": workflow, "tools/upload.sh": script}


def guarded_script_uploads(n: int) -> Files:
    """A script without ``set -e`` (run as ``bash tools/upload.sh``) with ``n`` uploads,
    each after its own test that leaves with status 0 when the token is empty and
    followed by ``|| exit 1``, sending to an org a shell condition chooses."""
    body = "".join(
        f'if [ -z "$ANACONDA_TOKEN" ]; then echo "no token"; exit 0; fi\n'
        f'anaconda -t "$ANACONDA_TOKEN" upload -u "$ORG" dist/a{i}.whl || exit 1\n'
        for i in range(n)
    )
    script = (
        '#!/bin/bash\nif [ "$EVENT" = schedule ]; then ORG=nightly; else ORG=staging; fi\n' + body
    )
    workflow = (
        "on:\n  push:\n    tags: ['v*']\n"
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: bash tools/upload.sh\n"
        "        env:\n          ANACONDA_TOKEN: ${{ secrets.ANACONDA_TOKEN }}\n"
    )
    return {".github/workflows/release.yml": workflow, "tools/upload.sh": script}


def tox_envs(n: int) -> Files:
    """``n`` tox envs that upload without passing credentials; CI runs ``e1`` and the
    last one by name, and the one before it through ``${{ matrix.env }}``."""
    envs = "".join(f"[testenv:e{i}]\ncommands = twine upload dist/*\n\n" for i in range(n))
    workflow = (
        "on:\n  push:\n    tags: ['v*']\n"
        "jobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - run: tox -e e1,e{n - 1}\n"
        "        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
        "  matrix:\n    runs-on: ubuntu-latest\n"
        f"    strategy:\n      matrix:\n        env: [e{n - 2}]\n    steps:\n"
        "      - run: tox -e ${{ matrix.env }}\n"
        "        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
    )
    return {"tox.ini": "[tox]\nenvlist = e1\n\n" + envs, ".github/workflows/ci.yml": workflow}


def artifact_jobs(n: int) -> Files:
    """``n`` jobs that each upload artifact ``dist`` (v4), and a publish job downloading it."""
    jobs = "".join(
        f"  b{i}:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/upload-artifact@v4\n"
        "        with: {name: dist, path: dist/}\n"
        for i in range(n)
    )
    publish = (
        "  publish:\n    needs: [b0]\n    runs-on: ubuntu-latest\n"
        "    permissions: {id-token: write}\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n"
        "        with: {name: dist, path: dist/}\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    workflow = "on:\n  push:\n    tags: ['v*']\njobs:\n" + jobs + publish
    return {".github/workflows/release.yml": workflow}


def check(tmp_path: Path, files: Files, rules: set[str]) -> list[Finding]:
    """Audit ``files``: within the time limit, no rule crashed; the findings of ``rules``."""
    write_tree(tmp_path, files)
    start = time.perf_counter()
    findings = run_audit(tmp_path).findings
    seconds = time.perf_counter() - start
    assert seconds < LIMIT_SECONDS, f"{seconds:.1f}s"
    assert not [f for f in findings if f.rule in ("SL005", "SL006")]
    return [f for f in findings if f.rule in rules]


WF = ".github/workflows/release.yml"


@pytest.mark.slow
def test_thousands_of_uploads_in_one_run_block(tmp_path: Path) -> None:
    n = 16_000
    first, last = 13, 13 + n - 1
    found = hits(check(tmp_path, run_block_uploads(n), {"SL306", "SL704", "SL912"}))
    assert ("SL704", WF, 9, 22) in found  # `path: dist` nests what `dist/a0-*.whl` reads
    assert ("SL912", WF, last + 2, 11) in found  # only the upload after `set +e`
    uploads = [h for h in found if h[0] == "SL306"]
    assert len(uploads) == n + 1
    assert uploads[0] == ("SL306", WF, first, 11)
    assert uploads[-2] == ("SL306", WF, last, 11)
    assert len(found) == n + 3


@pytest.mark.slow
def test_thousands_of_uploads_in_a_script(tmp_path: Path) -> None:
    n = 16_000
    script = "tools/upload.sh"
    first, last = 7, 7 + n - 1
    found = hits(check(tmp_path, script_uploads(n), {"SL306", "SL911", "SL912"}))
    assert ("SL911", script, 3, 10) in found
    assert ("SL912", script, last + 2, 1) in found
    uploads = [h for h in found if h[0] == "SL306"]
    assert len(uploads) == n + 1
    assert uploads[0] == ("SL306", script, first, 1)
    assert uploads[-2] == ("SL306", script, last, 1)
    assert len(found) == n + 3


def test_thousands_of_token_tests_each_before_an_upload(tmp_path: Path) -> None:
    n = 3_000
    script = "tools/upload.sh"
    found = hits(check(tmp_path, guarded_script_uploads(n), {"SL911", "SL912", "SL913"}))
    skips = [h for h in found if h[0] == "SL911"]
    assert len(skips) == n  # each test skips the upload after it
    assert skips[0] == ("SL911", script, 3, 10)
    assert skips[-1] == ("SL911", script, 3 + 2 * (n - 1), 10)
    # every upload is followed by `|| exit 1` (no SL912); the org is chosen once (SL913)
    assert [h for h in found if h[0] != "SL911"] == [("SL913", script, 4, 1)]


@pytest.mark.slow
def test_thousands_of_tox_envs(tmp_path: Path) -> None:
    n = 24_000
    found = hits(check(tmp_path, tox_envs(n), {"SL901"}))
    line = [5 + 3 * i for i in range(n)]
    assert found == [
        ("SL901", "tox.ini", line[1], 12),
        ("SL901", "tox.ini", line[n - 2], 12),
        ("SL901", "tox.ini", line[n - 1], 12),
    ]


def test_thousands_of_jobs_upload_one_artifact_name(tmp_path: Path) -> None:
    n = 4_800
    findings = check(tmp_path, artifact_jobs(n), {"SL703"})
    # every job but the first collides with the first, and is reported once
    assert hits(findings) == [("SL703", WF, 9 + 5 * i, 22) for i in range(1, n)]
    assert "also uploaded by the step on line 8 (job `b0`)" in findings[-1].message


# --- the indexes give what the searches they replace gave --------------------------------------


@pytest.mark.parametrize("script", [NUMPY_SCRIPT, SKLEARN_SCRIPT, SHAPES])
def test_chain_table_is_chain_to(script: str) -> None:
    text = textwrap.dedent(script)
    src = SourceFile(Path("x.sh"), "x.sh", ".", "shell", text)
    flow = ScriptFlow(src, text, identity, None)
    assert flow.nodes is not None
    nodes = [node for node, _path in flow.walk()]
    assert len(nodes) > 10
    for node in nodes:
        want = chain_to(flow.nodes, node)
        got = flow.chain(node)
        assert want is not None
        assert got is not None
        assert [(id(b), i, id(c), k) for b, i, c, k in got] == [
            (id(b), i, id(c), k) for b, i, c, k in want
        ]
        if node.cmd is not None and node.cmd.end > node.cmd.start:
            assert flow.node_at(node.cmd.start) is node
            assert flow.node_at(node.cmd.end - 1) is node


def test_matrix_values_name_envs_as_whole_words(audit: AuditFn) -> None:
    envs = "".join(
        f"[testenv:{name}]\ncommands = twine upload dist/*\n\n"
        for name in ("py3.11", "load", "up-load", "up")
    )
    workflow = (
        "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n"
        "    strategy:\n      matrix:\n        env: [py3.11, up-load]\n    steps:\n"
        "      - run: tox -e ${{ matrix.env }}\n"
        "        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
    )
    found = audit({"tox.ini": envs, ".github/workflows/ci.yml": workflow}, select=["SL901"])
    # `py3.11` is found by a search (not a plain word), `up-load` as a word; `load` and
    # `up` are parts of `up-load` only
    assert found == [("SL901", "tox.ini", 2, 12), ("SL901", "tox.ini", 8, 12)]
