"""The repo-review plugin (shiplint.integrations.repo_review), run by the real repo-review.

repo-review finds the plugin through the entry points of the installed shiplint (as users
get it), so these tests need ``pip install -e '.[test]'`` of this checkout; repo-review
needs Python 3.10 or newer (1.3 needs 3.11, 1.2 is the last release for 3.10).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from shiplint.integrations.repo_review import code_span, help_markdown, markdown_text
from shiplint.rules import by_key
from shiplint.rules.index import RULES

processor = pytest.importorskip("repo_review.processor")

NIGHTLY = """\
name: nightly
on:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pip install build anaconda-client && python -m build
      - run: anaconda -t "$TOKEN" upload -u scipy-wheels-nightly dist/*.whl
        env:
          TOKEN: ${{ secrets.UPLOAD_TOKEN }}
"""

RELEASE = """\
name: release
on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - run: python -m pip install build && python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "example"
version = "0.1"
"""

RECORD = """
[tool.shiplint.deploy.pypi]
index = "pypi"
auth = "trusted-publishing"
workflow = "release.yml"
environment = "pypi"
maintainers = ["alice", "bob"]
"""

SL101_MESSAGE = (
    "- `.github/workflows/nightly.yml:11:45`: upload goes to the retired Anaconda org "
    "`scipy-wheels-nightly`\n"
    "\n"
    "  `scipy-wheels-nightly` is frozen since mid-2023: nightly wheels moved to "
    "scientific-python-nightly-wheels (SPEC 4); tokens made there cannot upload to the new "
    "org and consumers no longer look there. Wheels uploaded there reach nobody who installs "
    "nightlies. Use `scientific-python-nightly-wheels` (SPEC 4: "
    "https://scientific-python.org/specs/spec-0004/). Uploads there need a personal token "
    "of a maintainer in the project's group of that org, with the scopes api:read, "
    "api:write and pypi:upload.\n"
    "\n"
    "  Fix: replace `scipy-wheels-nightly` with `scientific-python-nightly-wheels` "
    "(`shiplint check --fix`)"
)
SL101_URL = (
    "https://github.com/shiplint/shiplint/blob/main/docs/rules.md#sl101-deprecated-anaconda-org"
)


def _repo(root: Path, workflows: dict[str, str], pyproject: str = PYPROJECT) -> Path:
    """A git repository holding ``.github/workflows/NAME`` files and a pyproject.toml."""
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows.items():
        (folder / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "README.md").write_text("# example\n", encoding="utf-8")
    return root


def _results(root: Any) -> dict[str, Any]:
    """repo-review's results of the shiplint family, by check name."""
    _families, results = processor.process(root)
    return {r.name: r for r in results if r.family == "shiplint"}


def test_the_installed_shiplint_registers_the_plugin() -> None:
    groups = {
        group: {f"{ep.name} = {ep.value}" for ep in entry_points(group=group)}
        for group in ("repo_review.checks", "repo_review.families", "repo_review.fixtures")
    }
    ours = {
        "repo_review.checks": "shiplint = shiplint.integrations.repo_review:repo_review_checks",
        "repo_review.families": (
            "shiplint = shiplint.integrations.repo_review:repo_review_families"
        ),
        "repo_review.fixtures": (
            "shiplint_audit = shiplint.integrations.repo_review:shiplint_audit"
        ),
    }
    for group, entry in ours.items():
        assert entry in groups[group], (
            "reinstall shiplint (pip install -e '.[test]') to register its entry points"
        )
    # the fixture asks for repo-review's own list_all
    assert "list_all = repo_review.fixtures:list_all" in groups["repo_review.fixtures"]


def test_retired_org_fails_its_check_with_shiplints_message(tmp_path: Path) -> None:
    results = _results(_repo(tmp_path / "repo", {"nightly.yml": NIGHTLY}))
    failed = {name: r for name, r in results.items() if r.result is False}
    assert sorted(failed) == ["SL101", "SL801"]
    sl101 = failed["SL101"]
    assert sl101.err_msg == SL101_MESSAGE
    assert sl101.url == SL101_URL
    assert sl101.description == (
        "Upload or index points at the frozen Anaconda org scipy-wheels-nightly"
    )
    assert failed["SL801"].err_msg.startswith(
        "- `.github/workflows/nightly.yml:11:14`: anaconda upload to anaconda.org channel "
        "`scipy-wheels-nightly` with the token in secret `UPLOAD_TOKEN` has no deploy record\n"
    )
    # the deploy-record snippet of the help is a code block
    assert "\n  ```\n  [tool.shiplint.deploy.scipy-wheels-nightly]\n" in failed["SL801"].err_msg
    # every other listed check ran and passed; none is skipped
    assert all(r.result is True for name, r in results.items() if name not in failed)
    assert all(r.url == by_key(name).url() for name, r in results.items())  # type: ignore[union-attr]


def test_clean_repository_passes(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo", {"release.yml": RELEASE}, PYPROJECT + RECORD)
    results = _results(root)
    assert results, "shiplint's checks are listed"
    assert {r.result for r in results.values()} == {True}


def test_the_engine_runs_once_per_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shiplint.engine

    calls: list[str] = []
    real = shiplint.engine.audit_root

    def counting(root_arg: str, options: shiplint.engine.Options) -> shiplint.engine.RootResult:
        calls.append(root_arg)
        return real(root_arg, options)

    monkeypatch.setattr(shiplint.engine, "audit_root", counting)
    root = _repo(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    results = _results(root)
    assert len(results) > 50
    assert calls == [str(root)]


def test_configuration_selects_the_checks_and_the_fail_level(tmp_path: Path) -> None:
    ignoring = PYPROJECT + '\n[tool.shiplint]\nignore = ["SL8"]\n'
    results = _results(_repo(tmp_path / "a", {"nightly.yml": NIGHTLY}, ignoring))
    assert [n for n, r in results.items() if r.result is False] == ["SL101"]
    assert not any(name.startswith("SL8") for name in results)
    # info rules are listed only when they can fail: at fail-on = "info"
    info = sorted(code for code, _name, _family in RULES if by_key(code).severity.value == "info")  # type: ignore[union-attr]
    assert "SL007" in info
    default = _results(_repo(tmp_path / "b", {"nightly.yml": NIGHTLY}))
    assert not set(info) & set(default)
    at_info = PYPROJECT + '\n[tool.shiplint]\nfail-on = "info"\n'
    listed = _results(_repo(tmp_path / "c", {"nightly.yml": NIGHTLY}, at_info))
    assert "SL007" in listed
    assert listed["SL007"].result is True


def test_configuration_error_is_the_one_failing_check(tmp_path: Path) -> None:
    broken = PYPROJECT + '\n[tool.shiplint]\nfail-on = "never"\n'
    results = _results(_repo(tmp_path / "repo", {"nightly.yml": NIGHTLY}, broken))
    assert list(results) == ["SL000"]
    assert results["SL000"].result is False
    assert results["SL000"].err_msg == (
        "shiplint: configuration error: pyproject.toml \\[tool.shiplint\\]: fail-on: "
        "unknown severity 'never' "
        "(choose from info, warning, error)"
    )
    assert results["SL000"].url == "https://github.com/shiplint/shiplint#configuration"


def test_list_all_lists_every_rule() -> None:
    collected = processor.collect_all()
    names = [n for n, c in collected.checks.items() if c.family == "shiplint"]
    assert names == ["SL000", *(code for code, _name, _family in RULES)]
    assert collected.families["shiplint"]["order"] == 100


def test_github_root_is_audited_from_the_release_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``repo-review gh:org/repo``: repo-review's GHPath, its tree listing given, its file
    fetches answered from a local repository (no network)."""
    ghpath = pytest.importorskip("repo_review.ghpath")
    local = _repo(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    (local / "src").mkdir()
    (local / "src" / "example.py").write_text("print('hi')\n", encoding="utf-8")
    info = [
        {"path": p.relative_to(local).as_posix(), "type": "tree" if p.is_dir() else "blob"}
        for p in sorted(local.rglob("*"))
        if ".git" not in p.relative_to(local).parts
    ]
    prefix = "https://raw.githubusercontent.com/org/repo/HEAD/"
    fetched: list[str] = []

    def open_url(url: str) -> str:
        assert url.startswith(prefix)
        fetched.append(url[len(prefix) :])
        return (local / url[len(prefix) :]).read_text(encoding="utf-8")

    monkeypatch.setattr(ghpath.GHPath, "open_url", staticmethod(open_url))
    root = ghpath.GHPath(repo="org/repo", branch="HEAD", _info=info)
    results = _results(root)
    assert results["SL101"].err_msg == SL101_MESSAGE
    assert sorted(fetched) == [".github/workflows/nightly.yml", "pyproject.toml"]


@pytest.mark.slow
def test_repo_review_cli(tmp_path: Path) -> None:
    bad = _repo(tmp_path / "bad", {"nightly.yml": NIGHTLY})
    run = subprocess.run(
        [sys.executable, "-m", "repo_review", str(bad), "--format", "json", "--select", "SL"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 3, run.stderr
    report = json.loads(run.stdout)
    assert report["status"] == "errors"
    # other installed plugins (validate-pyproject's) list their families too; the selected
    # checks are shiplint's alone
    assert "shiplint" in report["families"]
    assert {c["family"] for c in report["checks"].values()} == {"shiplint"}
    failed = {name: c for name, c in report["checks"].items() if c["result"] is False}
    assert sorted(failed) == ["SL101", "SL801"]
    assert failed["SL101"] == {
        "family": "shiplint",
        "description": "Upload or index points at the frozen Anaconda org scipy-wheels-nightly",
        "result": False,
        "skip_reason": "",
        "err_msg": SL101_MESSAGE,
        "url": SL101_URL,
    }

    clean = _repo(tmp_path / "clean", {"release.yml": RELEASE}, PYPROJECT + RECORD)
    run = subprocess.run(
        [sys.executable, "-m", "repo_review", str(clean), "--format", "json", "--select", "SL"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["status"] == "passed"
    assert report["checks"]
    assert {c["result"] for c in report["checks"].values()} == {True}


def test_markdown_keeps_code_spans_and_escapes_the_rest() -> None:
    assert markdown_text("user `__token__` not __token__ <b>") == (
        "user `__token__` not \\_\\_token\\_\\_ \\<b\\>"
    )
    assert markdown_text("one ` backtick [x](y)") == "one \\` backtick \\[x\\](y)"
    assert code_span("a`b") == "`` a`b ``"
    assert help_markdown("Add this:\n    [x]\n    y = 1\nThen go.") == [
        "Add this:",
        "",
        "```",
        "[x]",
        "y = 1",
        "```",
        "",
        "Then go.",
    ]
