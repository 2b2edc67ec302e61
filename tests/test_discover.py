"""Tests for shiplint.discover: kinds, walking, .gitignore semantics, symlinks, scripts."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shiplint.discover import (
    PRE_COMMIT_FILES,
    classify,
    classify_single,
    discover,
    resolve_script,
)
from tests.conftest import CORPUS as SHARED_CORPUS

CORPUS = SHARED_CORPUS / "real-repos"
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def make(root: Path, *rels: str, text: str = "x\n") -> None:
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def found(root: Path) -> dict[str, str]:
    return {d.rel: d.kind for d in discover(root)}


def git_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def git_init(root: Path) -> None:
    assert GIT is not None
    subprocess.run(
        [GIT, "init", "-q", str(root)], check=True, env=git_env(root.parent), capture_output=True
    )


def git_visible(root: Path) -> set[str]:
    """Untracked, not ignored files as git lists them (recursing into folders)."""
    assert GIT is not None
    out = subprocess.run(
        [GIT, "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=root,
        check=True,
        env=git_env(root.parent),
        capture_output=True,
    ).stdout
    return {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}


# ------------------------------------------------------------------------------ classify

CLASSIFY_CASES: list[tuple[str, str | None]] = [
    # workflow
    (".github/workflows/ci.yml", "workflow"),
    (".github/workflows/release.yaml", "workflow"),
    (".github/workflows/environment.yml", "workflow"),
    (".github/workflows/action.yml", "workflow"),
    (".github/workflows/sub/x.yml", None),
    (".github/workflows/x.yml.bak", None),
    (".github/workflows/x.json", None),
    (".github/workflows/.yml", None),
    ("sub/.github/workflows/x.yml", None),
    (".github/workflow/x.yml", "env-candidate"),
    # action
    ("action.yml", "action"),
    ("action.yaml", "action"),
    (".github/actions/setup/action.yml", "action"),
    (".github/actions/a/b/action.yaml", "action"),
    (".github/actions/action.yml", "action"),
    (".github/actions/setup/other.yml", "env-candidate"),
    (".github/actions/node_modules/x/action.yml", None),
    ("sub/action.yml", None),
    # ci
    (".travis.yml", "ci"),
    ("azure-pipelines.yml", "ci"),
    ("azure-pipelines.yaml", "ci"),
    (".cirrus.yml", "ci"),
    (".circleci/config.yml", "ci"),
    (".circleci/other.yml", "env-candidate"),
    (".gitlab-ci.yml", "ci"),
    ("appveyor.yml", "ci"),
    (".appveyor.yml", "ci"),
    ("azure/templates/steps.yml", "ci"),
    ("azure-ci/job.yaml", "ci"),
    ("ci/azure/posix.yml", "ci"),
    ("ci/deps/actions-311.yaml", "ci"),
    (".ci/x.yml", "ci"),
    ("continuous_integration/x.yml", "ci"),
    ("tools/ci/x.yml", "ci"),
    ("tools/x.yml", "env-candidate"),
    ("scripts/x.yml", "env-candidate"),
    ("sub/.travis.yml", None),
    ("ci/vendor/x.yml", None),
    ("ci/a/build/x.yml", None),
    ("docs/ci/x.yml", None),
    # conda-env
    ("environment.yml", "conda-env"),
    ("environment-dev.yaml", "conda-env"),
    ("ci/environment-3.12.yml", "conda-env"),
    ("continuous_integration/environment.yml", "conda-env"),
    ("tools/envs/environment.yml", "conda-env"),
    (".github/environment.yml", "conda-env"),
    ("azure/environment.yml", "conda-env"),
    ("docs/environment.yml", None),
    ("environment.txt", None),
    ("ci/.venv/environment.yml", None),
    # shell
    ("ci/run.sh", "shell"),
    (".ci/run.sh", "shell"),
    ("tools/a/b/c.sh", "shell"),
    ("scripts/release.sh", "shell"),
    ("build_tools/wheels/build.sh", "shell"),
    ("continuous_integration/install.sh", "shell"),
    (".github/scripts/x.sh", "shell"),
    ("src/pkg/x.sh", None),
    ("x.sh", None),
    ("tools/third_party/x.sh", None),
    ("tools/x.bash", None),
    ("azure/x.sh", None),
    # Windows scripts in the same folders
    ("ci/appveyor/upload.bat", "batch"),
    ("tools/release.cmd", "batch"),
    (".github/scripts/publish.ps1", "powershell"),
    ("scripts/x.ps1", "powershell"),
    ("upload.bat", None),
    ("src/pkg/x.ps1", None),
    ("ci/vendor/x.ps1", None),
    # root-level files
    ("pyproject.toml", "pyproject"),
    ("setup.cfg", "setup-cfg"),
    ("tox.ini", "tox-ini"),
    ("tox.toml", "tox-toml"),
    ("Makefile", "makefile"),
    ("makefile", "makefile"),
    ("GNUmakefile", "makefile"),
    (".pypirc", "pypirc"),
    ("setup.py", "setup-py"),
    ("noxfile.py", "noxfile"),
    ("shiplint.toml", "shiplint-toml"),
    ("sub/pyproject.toml", None),
    ("tools/setup.py", None),
    ("Pyproject.toml", None),
    ("pyproject.toml.orig", None),
    ("MAKEFILE", None),
    ("", None),
]


@pytest.mark.parametrize(("rel", "kind"), CLASSIFY_CASES)
def test_classify(rel: str, kind: str | None) -> None:
    assert classify(rel) == kind


def test_pre_commit_files_matches_exactly_what_classify_accepts() -> None:
    assert len(CLASSIFY_CASES) >= 60
    files = re.compile(PRE_COMMIT_FILES)
    for rel, _ in CLASSIFY_CASES:
        assert (files.search(rel) is not None) == (classify(rel) is not None), rel
    # A few more shapes that re.search (not fullmatch) could be fooled by.
    for rel in ("x/pyproject.toml", "pyproject.toml/x", "a.github/workflows/x.yml", "ci/x.sh\n"):
        assert files.search(rel) is None
        assert classify(rel) is None


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("pyproject.toml", "pyproject"),
        ("some/where/pyproject.toml", "pyproject"),
        ("/abs/repo/.github/workflows/ci.yml", "workflow"),
        ("/abs/repo/.github/workflows/action.yml", "workflow"),
        ("/abs/ci/repo/.github/workflows/x.yml", "workflow"),
        ("/abs/repo/.github/actions/setup/action.yml", "action"),
        ("/abs/repo/.circleci/config.yml", "ci"),
        ("/abs/repo/ci/environment.yml", "conda-env"),
        ("/abs/repo/tools/ci/jobs.yaml", "ci"),
        ("/abs/elsewhere/random.yml", "workflow"),
        ("flow.YAML", "workflow"),
        ("/abs/src/run.sh", "shell"),
        ("README.md", "unknown"),
        ("/abs/src/x.py", "unknown"),
    ],
)
def test_classify_single(path: str, kind: str) -> None:
    assert classify_single(Path(path)) == kind


def test_classify_single_relative_uses_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    monkeypatch.chdir(workflows)
    assert classify_single(Path("environment.yml")) == "workflow"
    monkeypatch.chdir(tmp_path / ".github")
    assert classify_single(Path("workflows/../environment.yml")) == "conda-env"


# ------------------------------------------------------------------------------ discover

ALL_KINDS = {
    ".github/workflows/ci.yml": "workflow",
    ".github/workflows/release.yaml": "workflow",
    ".github/actions/setup/action.yml": "action",
    ".github/actions/nested/deeper/action.yaml": "action",
    ".github/scripts/tag.sh": "shell",
    ".github/environment.yml": "conda-env",
    "action.yml": "action",
    ".travis.yml": "ci",
    "azure-pipelines.yml": "ci",
    "azure/templates/job.yml": "ci",
    "azure-tools/steps.yaml": "ci",
    ".cirrus.yml": "ci",
    ".circleci/config.yml": "ci",
    ".gitlab-ci.yml": "ci",
    "appveyor.yml": "ci",
    ".appveyor.yml": "ci",
    "ci/deps/py312.yaml": "ci",
    ".ci/template.yml": "ci",
    "continuous_integration/jobs.yml": "ci",
    "tools/ci/matrix.yml": "ci",
    "environment.yml": "conda-env",
    "environment-docs.yaml": "conda-env",
    "ci/environment-3.12.yml": "conda-env",
    "continuous_integration/environment.yml": "conda-env",
    "ci/test.sh": "shell",
    ".ci/run.sh": "shell",
    "tools/release/bump.sh": "shell",
    "scripts/publish.sh": "shell",
    "build_tools/wheels/build.sh": "shell",
    "continuous_integration/install.sh": "shell",
    "pyproject.toml": "pyproject",
    "setup.cfg": "setup-cfg",
    "tox.ini": "tox-ini",
    "tox.toml": "tox-toml",
    "Makefile": "makefile",
    ".pypirc": "pypirc",
    "setup.py": "setup-py",
    "noxfile.py": "noxfile",
    "shiplint.toml": "shiplint-toml",
}

NOT_FOUND = [
    ".github/workflows/sub/x.yml",
    ".github/workflows/notes.md",
    ".github/ISSUE_TEMPLATE/bug.yml",
    "docs/environment.yml",
    "src/pkg/x.sh",
    "src/pkg/pyproject.toml",
    "x.sh",
    "README.md",
    # vendored / generated folders, at any depth
    "ci/node_modules/x.yml",
    "tools/vendor/x.sh",
    "tools/a/_vendor/x.sh",
    "scripts/vendored/x.sh",
    "tools/third_party/lib/x.sh",
    ".github/actions/node_modules/pkg/action.yml",
    "ci/build/x.yml",
    "ci/dist/x.yml",
    "ci/.tox/x.yml",
    "ci/.nox/x.yml",
    "ci/.venv/x.sh",
    "ci/venv/x.sh",
    "ci/__pycache__/x.yml",
    "ci/.mypy_cache/x.yml",
    "ci/.pytest_cache/x.yml",
    "ci/site-packages/x.sh",
    "ci/.git/x.yml",
]


def test_discover_every_kind(tmp_path: Path) -> None:
    make(tmp_path, *ALL_KINDS, *NOT_FOUND)
    result = discover(tmp_path)
    assert [d.rel for d in result] == sorted(ALL_KINDS)
    assert {d.rel: d.kind for d in result} == ALL_KINDS
    for d in result:
        assert d.path == tmp_path / d.rel
        assert d.path.is_file()
        assert classify(d.rel) == d.kind


def test_discover_only_lists_walked_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "src/pkg/a.py", "docs/conf.py", "ci/a.yml", "azure-x/y.yml", "tools/t/x.sh")
    make(tmp_path, "docs/api/x.yml")  # docs is listed only to reach docs/examples
    (tmp_path / "azure-pipelines.yml").mkdir()  # a folder named like the file: walked
    real_scandir = os.scandir
    listed: list[str] = []

    def spy(path: str) -> object:
        listed.append(os.path.relpath(path, tmp_path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    result = found(tmp_path)
    assert result == {"ci/a.yml": "ci", "azure-x/y.yml": "ci", "tools/t/x.sh": "shell"}
    assert sorted(listed) == [
        ".",
        "azure-pipelines.yml",
        "azure-x",
        "ci",
        "docs",
        "tools",
        "tools/t",
    ]


def test_discover_bad_roots(tmp_path: Path) -> None:
    assert discover(tmp_path / "missing") == []
    make(tmp_path, "file")
    assert discover(tmp_path / "file") == []
    assert discover(tmp_path) == []


def test_skipped_folders_inside_walked_ones_are_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "ci/node_modules/a/b/x.yml", "ci/ok.yml")
    real_scandir = os.scandir
    listed: list[str] = []

    def spy(path: str) -> object:
        listed.append(os.path.relpath(path, tmp_path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    assert found(tmp_path) == {"ci/ok.yml": "ci"}
    assert "ci/node_modules" not in listed


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 folder"
)
def test_unreadable_folder_is_skipped(tmp_path: Path) -> None:
    make(tmp_path, "ci/locked/x.yml", "ci/open/y.yml", "pyproject.toml")
    locked = tmp_path / "ci" / "locked"
    locked.chmod(0)
    try:
        assert found(tmp_path) == {"ci/open/y.yml": "ci", "pyproject.toml": "pyproject"}
        (tmp_path / "ci").chmod(0)
        assert found(tmp_path) == {"pyproject.toml": "pyproject"}
    finally:
        (tmp_path / "ci").chmod(0o755)
        locked.chmod(0o755)


def test_scandir_errors_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, "ci/locked/x.yml", "ci/open/y.yml", "pyproject.toml")
    real_scandir = os.scandir

    def failing(path: str) -> object:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", failing)
    assert found(tmp_path) == {"ci/open/y.yml": "ci", "pyproject.toml": "pyproject"}

    def failing_root(path: str) -> object:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "scandir", failing_root)
    assert discover(tmp_path) == []


def test_unreadable_gitignore_is_treated_as_empty(tmp_path: Path) -> None:
    make(tmp_path, "ci/x.yml")
    (tmp_path / ".gitignore").mkdir()  # reading a directory fails: no rules
    assert found(tmp_path) == {"ci/x.yml": "ci"}


# ----------------------------------------------------------------------------- gitignore

# (ignore files {rel: text}, files to create, files discover must find).
GITIGNORE_CASES = [
    pytest.param(
        {".gitignore": "*.yml\n!keep.yml\n"},
        ["ci/a.yml", "ci/keep.yml", "ci/sub/keep.yml", "ci/x.sh"],
        {"ci/keep.yml", "ci/sub/keep.yml", "ci/x.sh"},
        id="negation",
    ),
    pytest.param(
        {".gitignore": "!keep.yml\n*.yml\n"},
        ["ci/keep.yml"],
        set(),
        id="last-match-wins",
    ),
    pytest.param(
        {".gitignore": "/a.yml\n/ci/b.yml\nci/sub/c.yml\n"},
        ["ci/a.yml", "ci/b.yml", "ci/sub/c.yml", "ci/sub/b.yml", "ci/x/sub/c.yml"],
        {"ci/a.yml", "ci/sub/b.yml", "ci/x/sub/c.yml"},
        id="anchored",
    ),
    pytest.param(
        {".gitignore": "sub/\nb.yml/\n"},
        ["ci/sub/a.yml", "ci/x/sub/a.yml", "ci/b.yml", "ci/sub.yml"],
        {"ci/b.yml", "ci/sub.yml"},
        id="dir-only",
    ),
    pytest.param(
        {".gitignore": "ci/*\n!ci/keep/\n"},
        ["ci/a.yml", "ci/keep/b.yml", "ci/other/c.yml"],
        {"ci/keep/b.yml"},
        id="dir-reinclude",
    ),
    pytest.param(
        {".gitignore": "ci/\n!ci/a.yml\n"},
        ["ci/a.yml", "ci/b.yml", "tools/x.sh"],
        {"tools/x.sh"},
        id="no-reinclude-inside-ignored-dir",
    ),
    pytest.param(
        {".gitignore": "**/deep/a.yml\nci/**/b.yml\ntools/**\n!tools/keep.sh\n"},
        [
            "ci/a.yml",
            "ci/deep/a.yml",
            "ci/x/y/deep/a.yml",
            "ci/b.yml",
            "ci/x/b.yml",
            "ci/x/y/b.yml",
            "tools/x.sh",
            "tools/keep.sh",
            "tools/sub/y.sh",
        ],
        {"ci/a.yml", "tools/keep.sh"},
        id="double-star",
    ),
    pytest.param(
        {".gitignore": "a**.yml\nci/x/**/\n"},
        ["ci/a.yml", "ci/ab.yml", "ci/a/b.yml", "ci/x/q/z.yml", "ci/x/z.yml"],
        {"ci/a/b.yml", "ci/x/z.yml"},
        id="star-star-not-component",
    ),
    pytest.param(
        {".gitignore": "?.yml\n[bc].yml\n[!x-z]?.yml\n*[[:digit:]].sh\n"},
        ["ci/a.yml", "ci/b.yml", "ci/dd.yml", "ci/xd.yml", "ci/abc.yml", "ci/r1.sh", "ci/r.sh"],
        {"ci/xd.yml", "ci/abc.yml", "ci/r.sh"},
        id="wildcards-and-classes",
    ),
    pytest.param(
        {".gitignore": "\\#a.yml\n#b.yml\n\\!c.yml\n\n   \nd.yml   \ne.yml\\ \n"},
        ["ci/#a.yml", "ci/b.yml", "ci/!c.yml", "ci/d.yml", "ci/e.yml", "ci/e.yml "],
        {"ci/b.yml", "ci/e.yml"},
        id="escapes-comments-trailing-space",
    ),
    pytest.param(
        {".gitignore": "a.yml\r\n\ufeffb.yml\r\n"},
        ["ci/a.yml", "ci/b.yml"],
        {"ci/b.yml"},
        id="crlf-and-bom-only-at-start",
    ),
    pytest.param(
        {
            ".gitignore": "*.sh\n",
            "tools/.gitignore": "!keep.sh\n/local.yml\n",
            "tools/sub/.gitignore": "*.sh\n!/only.sh\n",
        },
        [
            "ci/x.sh",
            "tools/keep.sh",
            "tools/other.sh",
            "tools/sub/keep.sh",
            "tools/sub/only.sh",
            "tools/sub/x/only.sh",
            "tools/ci/local.yml",
            "ci/tools/local.yml",
        ],
        {"tools/keep.sh", "tools/sub/only.sh", "tools/ci/local.yml", "ci/tools/local.yml"},
        id="nested",
    ),
    pytest.param(
        {"ci/.gitignore": "/sub/a.yml\nb.yml\n"},
        ["ci/sub/a.yml", "ci/x/sub/a.yml", "ci/b.yml", "tools/ci/b.yml"],
        {"ci/x/sub/a.yml", "tools/ci/b.yml"},
        id="nested-anchored-relative-to-its-folder",
    ),
    pytest.param(
        {".gitignore": "/pyproject.toml\n.pypirc\n/ci\n"},
        ["pyproject.toml", ".pypirc", "setup.cfg", "ci/a.yml", "tools/ci/a.yml"],
        {"setup.cfg", "tools/ci/a.yml"},
        id="root-files-and-walk-roots",
    ),
    pytest.param(
        {".gitignore": "[a.yml\nb\\\nc.yml\\\n"},
        ["ci/[a.yml", "ci/b", "ci/c.yml"],
        {"ci/[a.yml", "ci/c.yml"},
        id="malformed-never-match",
    ),
    pytest.param(
        {".gitignore": "[]a].yml\n[a-].yml\n[\\]]b.yml\n[z-a].yml\n"},
        ["ci/].yml", "ci/a.yml", "ci/-.yml", "ci/]b.yml", "ci/q.yml", "ci/z.yml", "ci/y.yml"],
        {"ci/q.yml", "ci/y.yml"},
        id="bracket-edge-cases",
    ),
    pytest.param(
        {"ci/.gitignore": "a**/*\n"},
        ["ci/ab.yml", "ci/a/b.yml", "ci/b.yml", "ci/xa/b.yml"],
        {"ci/b.yml", "ci/xa/b.yml"},
        id="git-literal-prefix-quirk",
    ),
]


@pytest.mark.parametrize(("ignores", "files", "expected"), GITIGNORE_CASES)
def test_gitignore(
    tmp_path: Path, ignores: dict[str, str], files: list[str], expected: set[str]
) -> None:
    root = tmp_path / "repo"
    make(root, *files)
    for rel, text in ignores.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode())
    assert set(found(root)) == expected
    for rel in files:
        if classify(rel) is not None:
            assert (resolve_script(root, rel) is not None) == (rel in expected), rel
    if GIT is not None:  # the table itself must agree with git
        git_init(root)
        assert {rel for rel in git_visible(root) if classify(rel)} == expected


@needs_git
def test_git_info_exclude(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git_init(root)
    make(root, "ci/a.yml", "ci/b.yml", "ci/c.yml")
    (root / ".git" / "info" / "exclude").write_text("a.yml\nb.yml\n")
    (root / ".gitignore").write_text("!b.yml\n")  # .gitignore beats info/exclude
    assert set(found(root)) == {"ci/b.yml", "ci/c.yml"} == git_visible(root) - {".gitignore"}
    assert resolve_script(root, "ci/a.yml") is None
    assert resolve_script(root, "ci/b.yml") == root / "ci" / "b.yml"


def test_git_file_pointing_to_worktree_gitdir(tmp_path: Path) -> None:
    common = tmp_path / "main.git"
    gitdir = common / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "commondir").write_text("../..\n")
    (common / "info").mkdir()
    (common / "info" / "exclude").write_text("a.yml\n")
    root = tmp_path / "wt"
    make(root, "ci/a.yml", "ci/b.yml")
    (root / ".git").write_text(f"gitdir: {gitdir}\n")
    assert set(found(root)) == {"ci/b.yml"}
    (root / ".git").write_text("garbage\n")
    assert set(found(root)) == {"ci/a.yml", "ci/b.yml"}


def test_symlinked_gitignore_is_not_read(tmp_path: Path) -> None:
    make(tmp_path, "ci/a.yml", "rules")
    (tmp_path / "rules").write_text("a.yml\n")
    (tmp_path / ".gitignore").symlink_to("rules")
    assert set(found(tmp_path)) == {"ci/a.yml"}


@needs_git
def test_gitignore_random_patterns_agree_with_git(tmp_path: Path) -> None:
    files = [
        "ci/a.yml",
        "ci/b.yml",
        "ci/ab.yml",
        "ci/#h.yml",
        "ci/!n.yml",
        "ci/s p.yml",
        "ci/sub/a.yml",
        "ci/sub/c.yml",
        "ci/sub/deep/a.yml",
        "ci/x/sub/a.yml",
        "ci/x/y/z.yml",
        "ci/deep/b.yml",
        "tools/ci/a.yml",
        "tools/sub/r.sh",
        "tools/r.sh",
        "pyproject.toml",
    ]
    atoms = [
        "a.yml", "*.yml", "*.sh", "sub", "sub/", "/sub", "/ci/sub/", "**/a.yml", "ci/**",
        "ci/**/a.yml", "sub/**", "[ab].yml", "[!a]*.yml", "?.yml", "deep", "deep/", "x/sub",
        "\\#h.yml", "\\!n.yml", "s p.yml", "s\\ p.yml", "a.yml  ", "*", "**", "c*", "**/deep/**",
        "/a.yml", "*/a.yml", "x/*/z.yml", "x/**/z.yml", "ci", "/ci", "tools/", "r.sh",
        "[[:alpha:]].yml", "[a-b]*", "**/sub/", "/pyproject.toml", "ci/*/", "*.y?l", "a**/*",
    ]  # fmt: skip
    root = tmp_path / "repo"
    git_init(root)
    make(root, *files)
    rng = random.Random(20240531)
    for _ in range(40):
        ignores = {}
        for folder in ("", "ci/", "ci/sub/", "tools/"):
            lines = [
                ("!" if rng.random() < 0.3 else "") + rng.choice(atoms)
                for _ in range(rng.randint(0, 4))
            ]
            ignores[folder + ".gitignore"] = "\n".join(lines) + "\n"
            (root / folder / ".gitignore").write_text(ignores[folder + ".gitignore"])
        expected = {rel for rel in git_visible(root) if classify(rel)}
        assert set(found(root)) == expected, ignores


# ------------------------------------------------------------------------------ symlinks


def test_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    make(outside, "x.sh", "ci.yml")
    make(root, "tools/real/a.sh", "other/b.sh", "other/c.yml", "node_modules/p/d.sh", "ci/e.yml")
    (root / "ci" / "inside_dir").symlink_to("../other")  # followed
    (root / "ci" / "alias").symlink_to("../tools/real")  # already walked: not twice
    (root / "ci" / "outside_dir").symlink_to(outside)  # skipped
    (root / "ci" / "vendored").symlink_to("../node_modules/p")  # skipped
    (root / "ci" / "loop").symlink_to("..")  # the root itself: skipped
    (root / "ci" / "self").symlink_to(".")
    (root / "ci" / "f.yml").symlink_to("e.yml")  # file inside: followed
    (root / "ci" / "g.yml").symlink_to(outside / "ci.yml")  # file outside: skipped
    (root / "ci" / "h.yml").symlink_to("missing.yml")  # broken: skipped
    (root / "ci" / "dangling").symlink_to("missing-dir")
    (root / "tools" / "real" / "up").symlink_to("../..")
    (root / "scripts").symlink_to("tools")  # a walked root that is a link
    (root / "pyproject.toml").symlink_to(outside / "ci.yml")
    assert found(root) == {
        "ci/e.yml": "ci",
        "ci/f.yml": "ci",
        "ci/inside_dir/b.sh": "shell",
        "ci/inside_dir/c.yml": "ci",
        "tools/real/a.sh": "shell",
    }


def test_symlink_loop_between_folders(tmp_path: Path) -> None:
    make(tmp_path, "ci/a/x.yml", "ci/b/y.yml")
    (tmp_path / "ci" / "a" / "to_b").symlink_to("../b")
    (tmp_path / "ci" / "b" / "to_a").symlink_to("../a")
    (tmp_path / "ci" / "a" / "deeper").mkdir()
    (tmp_path / "ci" / "a" / "deeper" / "up").symlink_to("../../a")
    assert found(tmp_path) == {"ci/a/x.yml": "ci", "ci/b/y.yml": "ci"}


def test_symlinked_root(tmp_path: Path) -> None:
    make(tmp_path, "real/ci/x.yml")
    (tmp_path / "link").symlink_to("real")
    result = discover(tmp_path / "link")
    assert [(d.path, d.rel) for d in result] == [(tmp_path / "link" / "ci/x.yml", "ci/x.yml")]


# ------------------------------------------------------------------------- resolve_script


def test_resolve_script(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make(tmp_path, "outside.sh")
    make(
        root,
        "tools/x.sh",
        "src/pkg/run.sh",
        "tools/vendor/v.sh",
        "node_modules/n.sh",
        "gen/out.sh",
        "tools/local/l.sh",
        "tools/ok/keep.sh",
    )
    (root / ".gitignore").write_text("/gen/\n*.tmp.sh\n")
    (root / "tools" / ".gitignore").write_text("local\n")
    make(root, "tools/y.tmp.sh")
    (root / "tools" / "link.sh").symlink_to("x.sh")
    (root / "tools" / "out.sh").symlink_to(tmp_path / "outside.sh")
    (root / "tools" / "dirlink").symlink_to("ok")
    (root / "tools" / "to_vendor.sh").symlink_to("vendor/v.sh")

    assert resolve_script(root, "tools/x.sh") == root / "tools" / "x.sh"
    assert resolve_script(root, "./tools/x.sh") == root / "tools" / "x.sh"
    assert resolve_script(root, "tools/../tools/./x.sh") == root / "tools" / "x.sh"
    assert resolve_script(root, "src/pkg/run.sh") == root / "src" / "pkg" / "run.sh"
    assert resolve_script(root, "tools/link.sh") == root / "tools" / "link.sh"
    assert resolve_script(root, "tools/dirlink/keep.sh") == root / "tools" / "dirlink" / "keep.sh"
    for rel in (
        "tools/missing.sh",
        "tools",
        ".",
        "",
        "../outside.sh",
        "tools/../../outside.sh",
        str(tmp_path / "outside.sh"),
        "tools/out.sh",  # symlink leaving the root
        "tools/vendor/v.sh",
        "tools/to_vendor.sh",  # symlink into a vendored folder
        "node_modules/n.sh",
        "gen/out.sh",  # ignored folder
        "tools/local/l.sh",  # ignored by a nested .gitignore
        "tools/y.tmp.sh",
        "tools/x.sh\0",
    ):
        assert resolve_script(root, rel) is None, rel
    assert resolve_script(tmp_path / "missing", "x.sh") is None


# -------------------------------------------------------------------------------- corpus


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no real-repos corpus")
def test_corpus_workflows_are_all_found() -> None:
    repos = [repo for repo in sorted(CORPUS.iterdir()) if repo.is_dir()]
    assert repos
    for repo in repos:
        workflows = repo / ".github" / "workflows"
        expected = (
            {
                f".github/workflows/{p.name}"
                for p in workflows.iterdir()
                if p.suffix in (".yml", ".yaml") and p.is_file()
            }
            if workflows.is_dir()
            else set()
        )
        got = {d.rel for d in discover(repo) if d.kind == "workflow"}
        assert expected <= got, repo.name
