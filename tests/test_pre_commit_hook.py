"""The pre-commit hook: ``.pre-commit-hooks.yaml`` at the repository root.

The manifest is read with pre-commit's own loader (defaults applied, as pre-commit sees
it), its ``files`` regex must be discovery's :data:`~shiplint.discover.PRE_COMMIT_FILES`,
and the slow test installs the hook with real git and real pre-commit from a git copy of
this source tree and commits through it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from shiplint import __version__
from shiplint.cli import main
from shiplint.discover import PRE_COMMIT_FILES, classify

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
README = ROOT / "README.md"


def load_manifest(path: Path) -> list[dict[str, Any]]:
    """The hooks of a manifest as pre-commit reads them (validated, defaults filled in)."""
    clientlib = importlib.import_module("pre_commit.clientlib")
    hooks: list[dict[str, Any]] = clientlib.load_manifest(str(path))
    return hooks


def shiplint_hook() -> dict[str, Any]:
    hooks = load_manifest(MANIFEST)
    assert [hook["id"] for hook in hooks] == ["shiplint"]
    return hooks[0]


def files_line() -> str:
    """The manifest line that holds PRE_COMMIT_FILES (a single-quoted YAML scalar)."""
    quoted = PRE_COMMIT_FILES.replace("'", "''")
    return f"    files: '{quoted}'"


def pre_commit(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


# ------------------------------------------------------------------------------ manifest


def test_manifest_declares_one_cross_file_hook() -> None:
    hook = shiplint_hook()
    assert hook["name"] == "shiplint"
    assert hook["description"]
    assert hook["language"] == "python"
    assert hook["entry"] == "shiplint check"
    # Checks are cross-file: the hook audits the repository, once, whatever was staged.
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert hook["always_run"] is False
    assert hook["types"] == ["file"]
    assert hook["types_or"] == []
    assert hook["args"] == []
    # `require_serial` is new in pre-commit 1.13.0.
    assert Version(hook["minimum_pre_commit_version"]) >= Version("1.13.0")


def test_manifest_files_is_discovery_regex() -> None:
    if shiplint_hook()["files"] != PRE_COMMIT_FILES:
        pytest.fail(
            "`files` in .pre-commit-hooks.yaml differs from shiplint.discover.PRE_COMMIT_FILES;"
            f" replace its `files:` line with:\n{files_line()}",
            pytrace=False,
        )
    assert files_line() in MANIFEST.read_text(encoding="utf-8").splitlines()


# (root-relative path as git lists it, whether the hook runs when a commit touches it)
TRIGGERS: list[tuple[str, bool]] = [
    (".github/workflows/release.yml", True),
    (".github/workflows/wheels.yaml", True),
    (".github/workflows/sub/release.yml", False),  # GitHub only reads the top level
    (".github/workflows/README.md", False),
    (".github/workflows.yml", True),  # YAML in .github: a conda environment if it is one
    (".github/actions/upload/action.yml", True),
    (".github/actions/a/b/action.yaml", True),
    ("action.yml", True),
    (".github/dependabot.yml", False),
    (".github/release.sh", True),
    ("environment.yml", True),
    ("ci/environment-dev.yaml", True),
    ("docs/environment.yml", False),
    (".travis.yml", True),
    ("azure-pipelines.yml", True),
    ("azure/templates/steps.yml", True),
    (".cirrus.yml", True),
    (".circleci/config.yml", True),
    (".gitlab-ci.yml", True),
    ("appveyor.yml", True),
    (".appveyor.yml", True),
    ("ci/azure/posix.yml", True),
    ("tools/ci/jobs.yaml", True),
    ("tools/wheels/upload_wheels.sh", True),
    ("scripts/release.sh", True),
    ("build_tools/github/upload_anaconda.sh", True),
    ("continuous_integration/deploy.sh", True),
    ("scripts/node_modules/pkg/x.sh", False),  # vendored
    ("tools/vendor/upload.sh", False),
    ("src/pkg/build.sh", False),
    ("pyproject.toml", True),
    ("setup.cfg", True),
    ("tox.ini", True),
    ("tox.toml", True),
    ("Makefile", True),
    ("GNUmakefile", True),
    (".pypirc", True),
    ("setup.py", True),
    ("noxfile.py", True),
    ("shiplint.toml", True),
    ("RELEASING.md", True),
    ("docs/RELEASING.md", False),
    ("README.md", False),
    ("src/pkg/__init__.py", False),
    ("tests/test_release.py", False),
    ("sub/pyproject.toml", False),
    ("pyproject.toml.orig", False),
    ("xpyproject.toml", False),
    ("requirements.txt", False),
    (".pre-commit-config.yaml", False),
]


@pytest.mark.parametrize(("path", "triggers"), TRIGGERS)
def test_hook_triggers_exactly_on_what_discovery_reads(path: str, triggers: bool) -> None:
    files = shiplint_hook()["files"]
    # pre-commit filters repo-relative POSIX paths with re.search (commands/run.py).
    assert (re.search(files, path) is not None) is triggers
    assert (classify(path) is not None) is triggers


def test_manifest_passes_validate_manifest(tmp_path: Path) -> None:
    result = pre_commit("validate-manifest", str(MANIFEST), cwd=ROOT)
    assert result.returncode == 0, result.stdout
    # The same command does reject a broken copy, so the check above has teeth.
    broken = tmp_path / ".pre-commit-hooks.yaml"
    broken.write_text(
        MANIFEST.read_text(encoding="utf-8").replace("language: python", "language: pyhton"),
        encoding="utf-8",
    )
    result = pre_commit("validate-manifest", str(broken), cwd=tmp_path)
    assert result.returncode != 0
    assert "pyhton" in result.stdout


BROKEN_NIGHTLY = """\
name: Nightly wheels

on:
  schedule:
    - cron: "17 3 * * *"
  workflow_dispatch:

jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: wheels-*
          merge-multiple: true
          path: dist
      - name: Upload nightly wheels
        uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4
        with:
          artifacts_path: dist
          anaconda_nightly_upload_organization: scipy-wheels-nightly
          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
"""
FIXED_NIGHTLY = BROKEN_NIGHTLY.replace("scipy-wheels-nightly", "scientific-python-nightly-wheels")
# The findings on BROKEN_NIGHTLY, as the text report starts them.
SL101_LINE = re.compile(
    r"^\.github/workflows/nightly\.yml:21:49: SL101 .*\[warning\] "
    r"upload goes to the retired Anaconda org `scipy-wheels-nightly`$",
    re.MULTILINE,
)
SL801_LINE = re.compile(
    r"^\.github/workflows/nightly\.yml:18:15: SL801 .*\[error\] .*`scipy-wheels-nightly`",
    re.MULTILINE,
)

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "stardust"
version = "2.1.0.dev0"
requires-python = ">=3.10"
"""


def deploy_record(today: dt.date) -> str:
    """The record of the fixed nightly upload; the token expires a year from ``today``."""
    expires = today + dt.timedelta(days=365)
    return textwrap.dedent(
        f"""
        [tool.shiplint.deploy.nightly]
        index = "anaconda"
        channel = "scientific-python-nightly-wheels"
        group = "stardust"
        auth = "token"
        secret = "ANACONDA_ORG_UPLOAD_TOKEN"
        account = "jdoe"
        account-kind = "personal"
        scopes = ["api:read", "api:write", "pypi:upload"]
        token-expires = {expires.isoformat()}
        maintainers = ["jdoe", "asmith"]
        """
    )


def test_entry_runs_the_check_in_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hook's entry, as pre-commit runs it: no file names, cwd = the repository root."""
    argv = shlex.split(shiplint_hook()["entry"])
    assert argv[0] == "shiplint"
    workflow = tmp_path / ".github" / "workflows" / "nightly.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(BROKEN_NIGHTLY, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(argv[1:]) == 1
    out = capsys.readouterr().out
    assert SL101_LINE.search(out), out
    assert SL801_LINE.search(out), out

    workflow.write_text(FIXED_NIGHTLY, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + deploy_record(dt.date.today()), encoding="utf-8"
    )
    assert main(argv[1:]) == 0, capsys.readouterr().out


# ------------------------------------------------------------------------------ README


def test_readme_pre_commit_snippet_is_a_valid_config(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    snippet = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert snippet == textwrap.dedent(
        f"""\
        repos:
          - repo: https://github.com/shiplint/shiplint
            rev: v{__version__}
            hooks:
              - id: shiplint
        """
    )
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet, encoding="utf-8")
    result = pre_commit("validate-config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stdout


# ---------------------------------------------------------------------- end to end (slow)

# What `pip install .` needs to build shiplint (pyproject names README.md as the readme).
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def git_env(tmp_path: Path) -> dict[str, str]:
    """An environment where git and pre-commit see no user or system configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.pop("SKIP", None)  # pre-commit's list of hook ids to skip
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(empty),  # e.g. no core.hooksPath, no commit signing
        GIT_AUTHOR_NAME="shiplint tests",
        GIT_AUTHOR_EMAIL="tests@shiplint.invalid",
        GIT_COMMITTER_NAME="shiplint tests",
        GIT_COMMITTER_EMAIL="tests@shiplint.invalid",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        NO_COLOR="1",
    )
    return env


def git(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=shiplint tests",
            "-c",
            "user.email=tests@shiplint.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout
    return result.stdout


def make_hook_repo(dest: Path, env: dict[str, str]) -> str:
    """A git repository holding this source tree as it is now; returns its commit."""
    dest.mkdir()
    shutil.copytree(
        ROOT / "src",
        dest / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )
    for name in HOOK_REPO_FILES:
        shutil.copy2(ROOT / name, dest / name)
    ok(git("init", "-q", cwd=dest, env=env))
    ok(git("add", "-A", cwd=dest, env=env))
    ok(git("commit", "-q", "-m", "shiplint under test", cwd=dest, env=env))
    return ok(git("rev-parse", "HEAD", cwd=dest, env=env)).strip()


def commit(project: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    ok(git("add", "-A", cwd=project, env=env))
    return git("commit", "-m", message, cwd=project, env=env)


def head(project: Path, env: dict[str, str]) -> str:
    return ok(git("rev-parse", "HEAD", cwd=project, env=env)).strip()


@pytest.mark.slow
def test_pre_commit_refuses_the_broken_commit_and_accepts_the_fix(tmp_path: Path) -> None:
    env = git_env(tmp_path)
    sha = make_hook_repo(tmp_path / "shiplint", env)

    project = tmp_path / "stardust"
    project.mkdir()
    ok(git("init", "-q", cwd=project, env=env))
    (project / ".pre-commit-config.yaml").write_text(
        textwrap.dedent(
            f"""\
            repos:
              - repo: {(tmp_path / "shiplint").as_posix()}
                rev: {sha}
                hooks:
                  - id: shiplint
            """
        ),
        encoding="utf-8",
    )
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (project / "README.md").write_text("# stardust\n", encoding="utf-8")
    ok(commit(project, env, "Start"))

    ok(pre_commit("install", cwd=project, env=env))
    started = time.monotonic()
    # pip builds shiplint and fetches its dependencies from the package index here.
    ok(pre_commit("install-hooks", cwd=project, env=env, timeout=600))
    print(f"hook environment installed in {time.monotonic() - started:.1f} s")

    # A commit that touches no file shiplint reads does not run it.
    (project / "README.md").write_text(
        "# stardust\n\nStar catalogue cross-matching.\n", encoding="utf-8"
    )
    out = ok(commit(project, env, "Describe the project"))
    assert re.search(r"^shiplint\.+\(no files to check\)Skipped$", out, re.MULTILINE), out

    # The nightly upload to the retired org is refused.
    before = head(project, env)
    workflow = project / ".github" / "workflows" / "nightly.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(BROKEN_NIGHTLY, encoding="utf-8")
    result = commit(project, env, "Upload nightly wheels")
    out = result.stdout
    assert result.returncode != 0, out
    assert re.search(r"^shiplint\.+Failed$", out, re.MULTILINE), out
    assert SL101_LINE.search(out), out
    assert "`scientific-python-nightly-wheels`" in out  # the help names the new org
    assert SL801_LINE.search(out), out
    assert head(project, env) == before

    # The fixed upload, with its deploy record, goes through.
    workflow.write_text(FIXED_NIGHTLY, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        PYPROJECT + deploy_record(dt.date.today()), encoding="utf-8"
    )
    out = ok(commit(project, env, "Upload nightly wheels"))
    assert re.search(r"^shiplint\.+Passed$", out, re.MULTILINE), out
    assert head(project, env) != before
    committed = ok(git("show", "--name-only", "--format=", "HEAD", cwd=project, env=env))
    assert committed.split() == [".github/workflows/nightly.yml", "pyproject.toml"]
