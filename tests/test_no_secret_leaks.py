"""No output ever contains a secret value written in the audited files.

Every format (text, JSON, SARIF, GitHub annotations, ``--statistics``, ``--diff``,
``--fix``, ``--output``, ``explain``, ``map``, ``init``/``docs`` previews, replays from
the results cache, and the cache entries on disk) is run over
repositories holding literal tokens and passwords (PyPI-shaped ``pypi-AgEI…`` tokens,
anaconda tokens, ``.pypirc`` passwords, ``-t``/``-p``/``--token`` values,
``TWINE_PASSWORD=…`` in tox ``set_env``, Makefiles, scripts, noxfiles, workflows, URLs),
with every rule selected and with only a few (masking must not depend on which rules
ran), and the output is searched for the secrets and any 10-character piece of them.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import string
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from shiplint.cli import main
from shiplint.report.redact import MASK, mask_credentials, redact_text, scrub, source_line
from shiplint.rules import all_rules
from shiplint.source import SourceFile
from tests.conftest import write_tree

PYPI = "pypi-AgEIcHlwaS5vcmcCJGQ4ZTg1YmYxLTk0NzktNDNkNy1hNWE1LTRkMGYyYmQ0OGE5NwACKlszLCJm"
PYPI_2 = "pypi-AgENdGVzdC5weXBpLm9yZwIkNmQzZjc2NTgtYWVlZC00ZWM2LWEwZmQtYzk1ZGY3MjI0NDQxAAIq"
ANACONDA = "sc-8f3e2b1a-Qm7d-4c2e-9b1f-6a5d4c3b2a19"
PASSWORD = "Tr0ub4dor&3-horse"
SECRETS = {
    "pypi": PYPI,
    "pypi2": PYPI_2,
    "anaconda": ANACONDA,
    "pypirc": "pypirc-" + PASSWORD,
    "pypirc-orphan": "orphanPw-9f8e7d6c5b",
    "tox": "toxSetEnvSecret-4a4a4a",
    "tox-toml": "toxTomlSecret-5b5b5b5b",
    "pyproject-tox": "pyprojToxSecret-6c6c6c",
    "make-env": "makeEnvSecret-7d7d7d7d",
    "make-flag": "makeFlagSecret-8e8e8e8e",
    "script-export": "scriptExportSecret-9f9f",
    "script-uv": "scriptUvSecret-0a0a0a0a",
    "script-url": "urlPasswordSecret-1b1b1b",
    "wf-with": "wfWithSecret-2c2c2c2c2c",
    "wf-env": "wfEnvSecret-3d3d3d3d3d",
    "wf-run": "wfRunSecret-4e4e4e4e4e",
    "wf-broken": "wfBrokenSecret-5f5f5f5f",
    "nox-env": "noxEnvSecret-6a6a6a6a6a",
    "nox-flag": "noxFlagSecret-7b7b7b7b",
    "setup-cfg": "setupCfgSecret-8c8c8c8c",
    "hatch": "hatchAuthSecret-9d9d9d9d",
    "poetry": "poetryTokenSecret-0e0e0e",
    "ignored-line": "ignoredLineSecret-1f1f1f",
}
S = SECRETS

FILES = {
    ".pypirc": f"""\
        password = {S["pypirc-orphan"]}
        [distutils]
        index-servers = pypi

        [pypi]
        username = __token__
        password = {S["pypirc"]}
        password = {S["pypirc"]}
        """,
    "Makefile": f"""\
        release:
        \tTWINE_PASSWORD={S["make-env"]} twine upload dist/*
        \ttwine upload -u __token__ -p {PYPI} dist/*
        \tanaconda -t {ANACONDA} upload --user scipy-wheels-nightly dist/*.whl
        \tanaconda upload -t {S["make-flag"]} dist/*.whl
        \thatch publish -u __token__ -a {S["hatch"]}
        \tpoetry config pypi-token.pypi {S["poetry"]}
        \tTWINE_PASSWORD={S["ignored-line"]} twine upload x  # shiplint: ignore[SL999]
        """,
    "tox.ini": f"""\
        [tox]
        env_list = release

        [testenv:release]
        set_env =
            TWINE_USERNAME = __token__
            TWINE_PASSWORD = {S["tox"]}
        commands =
            twine upload -p {PYPI_2} dist/*
        """,
    "tox.toml": f"""\
        [env.publish]
        set_env = {{ TWINE_PASSWORD = "{S["tox-toml"]}" }}
        commands = [["twine", "upload", "dist/*"]]
        """,
    "pyproject.toml": f"""\
        [project]
        name = "leaky"
        version = "1.0"

        [tool.tox.env.upload]
        set_env = {{ TWINE_PASSWORD = "{S["pyproject-tox"]}" }}
        commands = [["twine", "upload", "dist/*"]]
        """,
    "setup.cfg": f"""\
        [metadata]
        name = leaky

        [upload]
        password = {S["setup-cfg"]}
        """,
    "scripts/release.sh": f"""\
        #!/bin/bash
        export TWINE_PASSWORD={S["script-export"]}
        twine upload dist/*
        uv publish --token "{S["script-uv"]}"
        twine upload --repository-url https://__token__:{S["script-url"]}@upload.pypi.org/legacy/ dist/*
        """,
    "noxfile.py": f"""\
        import nox


        @nox.session
        def release(session):
            session.run("twine", "upload", "dist/*", env={{"TWINE_PASSWORD": "{S["nox-env"]}"}})
            session.run("twine", "upload", "-p", "{S["nox-flag"]}", "dist/*")
        """,
    ".github/workflows/release.yml": f"""\
        on:
          push:
            tags: ['v*']
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: bash scripts/release.sh
              - uses: pypa/gh-action-pypi-publish@master
                with:
                  user: __token__
                  password: {S["wf-with"]}
              - run: anaconda -t {S["wf-run"]} upload dist/*
                env:
                  TWINE_PASSWORD: {S["wf-env"]}
        """,
    ".github/workflows/broken.yml": f"""\
        on: push
        jobs:
          r:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: {S["wf-broken"]}: [
        """,
}


def pieces(secret: str, size: int = 10) -> set[str]:
    """The secret and every ``size``-character piece of it (past a ``pypi-Ag`` prefix)."""
    body = secret[7:] if secret.startswith("pypi-Ag") else secret
    return {secret} | {body[i : i + size] for i in range(len(body) - size + 1)}


ALL_PIECES = {piece: name for name, secret in SECRETS.items() for piece in pieces(secret)}


def leaks(output: str) -> list[str]:
    return sorted({ALL_PIECES[piece] for piece in ALL_PIECES if piece in output})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        path = tmp_path / "repo" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path / "repo"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def test_the_fixture_holds_every_secret(repo: Path) -> None:
    written = "".join(p.read_text() for p in repo.rglob("*") if p.is_file())
    assert all(secret in written for secret in SECRETS.values())


FORMATS = [
    ["--format", "text", "--color", "never"],
    ["--format", "text", "--color", "always"],
    ["--format", "json"],
    ["--format", "sarif"],
    ["--format", "github"],
    ["--statistics"],
    ["--statistics", "--format", "json"],
    ["--diff"],
    ["--diff", "--unsafe-fixes"],
]
SELECTIONS = [[], ["--select", "SL001"], ["--select", "SL004"], ["--select", "SL2,SL3"]]
SELECTIONS += [["--select", f"SL{family}"] for family in range(1, 10)]


@pytest.mark.parametrize("fmt", FORMATS, ids=" ".join)
@pytest.mark.parametrize("select", SELECTIONS, ids=lambda s: " ".join(s) or "all")
def test_check_output_never_shows_a_secret(repo: Path, fmt: list[str], select: list[str]) -> None:
    code, output = run("check", *fmt, *select, "--today", "2026-11-21", str(repo))
    assert code in (0, 1)
    assert leaks(output) == []


def test_the_check_output_shows_the_lines_masked(repo: Path) -> None:
    """The text report still shows where each credential is, masked."""
    _, output = run("check", "--color", "never", "--today", "2026-11-21", str(repo))
    assert "SL503" in output and "SL001" in output and "SL004" in output
    for shown in (
        f"password = {MASK}",
        f"TWINE_PASSWORD={MASK} twine upload dist/*",
        f"twine upload -u __token__ -p {MASK} dist/*",
        f"anaconda -t {MASK} upload",
        f"password: {MASK}",
        f'"TWINE_PASSWORD": "{MASK}"',
    ):
        assert shown in output, shown


def test_single_files_never_show_a_secret(repo: Path) -> None:
    for path in sorted(p for p in repo.rglob("*") if p.is_file()):
        for fmt in (["--format", "text"], ["--format", "sarif"], ["--diff", "--unsafe-fixes"]):
            code, output = run("check", *fmt, str(path))
            assert code in (0, 1)
            assert leaks(output) == [], path


def test_output_file_never_holds_a_secret(repo: Path, tmp_path: Path) -> None:
    for fmt in ("text", "json", "sarif", "github"):
        report = tmp_path / "out" / f"report.{fmt}"
        code, output = run("check", "--format", fmt, "--output", str(report), str(repo))
        assert code == 1
        assert leaks(output) == [] and leaks(report.read_text()) == []


def test_fix_never_prints_a_secret(repo: Path) -> None:
    code, output = run("check", "--fix", "--unsafe-fixes", "--format", "json", str(repo))
    assert code in (0, 1)
    assert leaks(output) == []


def test_map_init_and_docs_never_show_a_secret(repo: Path) -> None:
    for argv in (
        ["map", str(repo)],
        ["map", "--format", "json", str(repo)],
        ["map", "--format", "mermaid", str(repo)],
        ["init", "--dry-run", str(repo)],
        ["docs", "--dry-run", str(repo)],
        ["docs", "--diagram", "--dry-run", str(repo)],
    ):
        code, output = run(*argv)
        assert code in (0, 1, 2)
        assert leaks(output) == [], argv


def test_explain_and_rules_show_no_real_looking_token() -> None:
    for rule in all_rules():
        code, output = run("explain", rule.code)
        assert code == 0
        assert scrub(output) == output, rule.code
    for fmt in ("text", "json", "markdown"):
        code, output = run("rules", "--format", fmt)
        assert code == 0 and scrub(output) == output


# --- the masking itself ------------------------------------------------------------------------

GH_TOKEN = "ghp_" + "A1b2C3d4" * 5  # 40 characters after the prefix
FINE_GRAINED = "github_pat_" + "11ABCDEFG0" * 3 + "_" + "x" * 59
GITLAB_TOKEN = "glpat-" + "aB3-dE5_gH7-jK9mN1pQ"


@pytest.mark.parametrize("token", [GH_TOKEN, FINE_GRAINED, GITLAB_TOKEN])
def test_scrub_masks_github_and_gitlab_tokens(token: str) -> None:
    assert scrub(f"account = {token} # oops") == f"account = {MASK} # oops"
    assert scrub(f"see ghp_short or the github repo: {token}") == (
        f"see ghp_short or the github repo: {MASK}"
    )


def test_docs_never_copy_a_github_token_written_in_a_record(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "demo"\n\n[tool.shiplint.deploy.pypi]\n'
            'index = "pypi"\nauth = "token"\nsecret = "PYPI_TOKEN"\n'
            f'account = "{GH_TOKEN}"\nmaintainers = ["{GITLAB_TOKEN}"]\n',
        },
    )
    code, output = run("docs", "--dry-run", str(tmp_path))
    assert code == 0
    assert GH_TOKEN not in output and GITLAB_TOKEN not in output
    assert MASK in output


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("password = abc def", f"password = {MASK}"),
        ("password:abc", f"password:{MASK}"),
        ("  TWINE_PASSWORD: abc  # note", f"  TWINE_PASSWORD: {MASK}  # note"),
        ("TWINE_PASSWORD=abc twine upload dist/*", f"TWINE_PASSWORD={MASK} twine upload dist/*"),
        ('export UV_PUBLISH_TOKEN="a b"', f'export UV_PUBLISH_TOKEN="{MASK}"'),
        ("TOKEN := abc", f"TOKEN := {MASK}"),
        ("anaconda -t abc upload x", f"anaconda -t {MASK} upload x"),
        ("uv publish --token=abc", f"uv publish --token={MASK}"),
        ("hatch publish -a abc", f"hatch publish -a {MASK}"),
        (
            "session.run('twine', 'upload', '-p', 'abc')",
            f"session.run('twine', 'upload', '-p', '{MASK}')",
        ),
        ("env={'TWINE_PASSWORD': 'abc'}", f"env={{'TWINE_PASSWORD': '{MASK}'}}"),
        ("poetry config pypi-token.pypi abc", f"poetry config pypi-token.pypi {MASK}"),
        ("poetry config http-basic.x user pw", f"poetry config http-basic.x user {MASK}"),
        (
            "pip install -i https://u:pw@host/simple x",
            f"pip install -i https://u:{MASK}@host/simple x",
        ),
        (f"x {PYPI} y", f"x pypi-{MASK} y"),
    ],
)
def test_mask_credentials(line: str, shown: str) -> None:
    assert mask_credentials(line) == shown


@pytest.mark.parametrize(
    "line",
    [
        "password: ${{ secrets.PYPI_API_TOKEN }}",
        "TWINE_PASSWORD=$PYPI_TOKEN twine upload dist/*",
        "TWINE_PASSWORD = {env:PYPI_TOKEN}",
        "password = %(pypi_password)s",
        "anaconda -t $(ANACONDA_TOKEN) upload x",
        "id-token: write",
        'token-expires = "2026-01-01"',
        'secret = "PYPI_API_TOKEN"',
        'auth = "token"',
        "pytest -p no:cacheprovider",
        "uses: pypa/gh-action-pypi-publish@release/v1",
        "twine upload --repository-url https://upload.pypi.org/legacy/ dist/*",
    ],
)
def test_references_and_ordinary_lines_are_shown_as_written(line: str) -> None:
    assert mask_credentials(line) == line


def test_recorded_secrets_are_masked_wherever_they_appear() -> None:
    text = "a: x9secretvalue\nb: again x9secretvalue here\n"
    src = SourceFile(Path("w.yml"), "w.yml", ".", "workflow", text)
    src.secret_spans.append((3, 16))
    assert source_line(src, 2) == f"b: again {MASK} here"
    assert redact_text(src, "- b: again x9secretvalue here") == f"- b: again {MASK} here"


# --- generated placements ----------------------------------------------------------------------

SECRET = st.text(string.ascii_letters + string.digits, min_size=12, max_size=30).map(
    lambda body: "Zq" + body
)
SHELL_FORMS = [
    "twine upload -u __token__ -p {S} dist/*",
    "twine upload --password {S} dist/*",
    "twine upload --password={S} dist/*",
    "TWINE_PASSWORD={S} twine upload dist/*",
    'TWINE_PASSWORD="{S}" twine upload dist/*',
    "export TWINE_PASSWORD='{S}'",
    "anaconda -t {S} upload dist/*",
    "anaconda --token {S} upload -u org dist/*",
    "anaconda upload -t {S} dist/*",
    "ANACONDA_API_TOKEN={S} anaconda upload dist/*",
    "uv publish --token {S}",
    "UV_PUBLISH_TOKEN={S} uv publish",
    "hatch publish -u __token__ -a {S}",
    "poetry publish -u __token__ -p {S}",
    "poetry config pypi-token.pypi {S}",
    "flit publish --pypirc x  # FLIT_PASSWORD={S}",
    "twine upload --repository-url https://__token__:{S}@upload.pypi.org/legacy/ dist/*",
    "twine upload -p {S} dist/*  # shiplint: ignore[SL999]",
    "twine upload -p {S} dist/* )",
]


@st.composite
def leaky_repo(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    secret = draw(SECRET)
    form = draw(st.sampled_from(SHELL_FORMS)).replace("{S}", secret)
    where = draw(st.integers(0, 7))
    files: dict[str, str] = {}
    if where == 0:
        files["Makefile"] = f"release:\n\t{form}\n"
    elif where == 1:
        files["scripts/release.sh"] = f"#!/bin/sh\n{form}\n"
        files[".github/workflows/r.yml"] = (
            "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: bash scripts/release.sh\n"
        )
    elif where == 2:
        files[".github/workflows/r.yml"] = (
            f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          {form}\n"
        )
    elif where == 3:
        files["tox.ini"] = f"[testenv:release]\ncommands =\n    {form}\n"
    elif where == 4:
        key = draw(st.sampled_from(["TWINE_PASSWORD", "ANACONDA_API_TOKEN", "UV_PUBLISH_TOKEN"]))
        files["tox.ini"] = (
            f"[testenv:release]\nset_env =\n    {key} = {secret}\ncommands = twine upload dist/*\n"
        )
    elif where == 5:
        sep = draw(st.sampled_from([" = ", ":", " : ", "="]))
        files[".pypirc"] = f"[pypi]\nusername = __token__\npassword{sep}{secret}\n"
    elif where == 6:
        key = draw(st.sampled_from(["password", "anaconda_nightly_upload_token", "token"]))
        uses = draw(
            st.sampled_from(
                [
                    "pypa/gh-action-pypi-publish@master",
                    "scientific-python/upload-nightly-action@main",
                ]
            )
        )
        files[".github/workflows/r.yml"] = (
            "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            f"      - uses: {uses}\n        with:\n          {key}: {secret}\n"
        )
    else:
        words = ", ".join(repr(w) for w in form.split() if w != "#")
        files["noxfile.py"] = (
            "import nox\n\n@nox.session\ndef release(session):\n"
            f"    session.run({words})\n"
            f"    session.run('twine', 'upload', env={{'TWINE_PASSWORD': {secret!r}}})\n"
        )
    return files, secret


@contextlib.contextmanager
def repository(files: dict[str, str]) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp())
    try:
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(
    max_examples=int(os.environ.get("SHIPLINT_FUZZ_EXAMPLES", "30")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=leaky_repo(), select=st.sampled_from([[], ["--select", "SL001,SL004"]]))
def test_generated_secrets_never_leak(case: tuple[dict[str, str], str], select: list[str]) -> None:
    files, secret = case
    with repository(files) as root:
        for fmt in (["--format", "text"], ["--format", "sarif"], ["--diff", "--unsafe-fixes"]):
            _, output = run("check", *fmt, *select, str(root))
            assert secret not in output, (fmt, output)


def test_results_cache_holds_no_secret_and_replays_masked(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached run re-renders stored findings on the files: same masking, and the entries
    written to disk never hold a credential."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SHIPLINT_CACHE_DIR", str(cache))
    monkeypatch.setenv("SHIPLINT_NO_CACHE", "0")
    for fmt in (["--format", "text"], ["--format", "json"], ["--format", "sarif"]):
        for select in ([], ["--select", "SL001,SL004"]):
            first = run("check", *fmt, *select, "--today", "2026-11-21", str(repo))
            second = run("check", *fmt, *select, "--today", "2026-11-21", str(repo))
            assert first == second
            assert leaks(second[1]) == []
    stored = [p for p in cache.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in stored)
    for path in stored:
        assert leaks(path.read_bytes().decode("utf-8", "replace")) == [], path
