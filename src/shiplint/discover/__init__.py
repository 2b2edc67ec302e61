"""Find the files shiplint reads in a repository, quickly and without surprises.

shiplint runs as a pre-commit hook on every commit, so discovery never walks the whole
tree: it lists the root, then walks only the folders where release configuration lives
(:data:`WALK_DIRS` and root folders whose name starts with ``azure``).  Inside them it
skips vendored or generated folders (:data:`SKIP_DIRS`) at any depth and honours
``.gitignore`` files (the root one, those inside walked folders, and ``.git/info/exclude``).

Which files count, and as what *kind*, is decided by one table of path regexes
(``_KIND_PATTERNS``): :func:`classify` uses it on root-relative paths and
:data:`PRE_COMMIT_FILES` is its union, so the pre-commit ``files:`` filter accepts exactly
the paths :func:`classify` accepts.

Known, accepted differences from git:

* The ignore rules are applied to every file, so a file git already tracks is still
  skipped when a pattern matches it (git would keep tracking and reading it).
* Only the root's own ignore files count: a parent repository's ``.gitignore`` files
  and ``core.excludesFile`` are not read.
* Symlinks: git never follows them.  Discovery follows a symlinked file or directory only
  when its resolved target lies inside the root and not in a vendored folder; each real
  directory is walked once (its real path wins over symlinked aliases), so links cannot
  loop; broken links are skipped.  Like git, a symlinked ``.gitignore`` is not read and a
  symlink to a directory does not match directory-only (``dir/``) patterns.
"""

from __future__ import annotations

import collections
import os
import posixpath
import re
import stat
from pathlib import Path
from typing import NamedTuple

from shiplint.discover.gitignore import (
    Stack,
    git_exclude,
    ignored,
    read_dir_gitignore,
    read_ignore_file,
)
from shiplint.lazyre import LazyPattern

__all__ = [
    "PRE_COMMIT_FILES",
    "SKIP_DIRS",
    "WALK_DIRS",
    "Discovered",
    "classify",
    "classify_single",
    "discover",
    "is_template_location",
    "resolve_script",
    "single_is_template_location",
]


class Discovered(NamedTuple):
    """A file shiplint reads: its path (joined from the root), POSIX ``rel`` path, kind."""

    path: Path
    rel: str
    kind: str


#: Folders under the root that discovery walks (besides root folders named ``azure*``).
WALK_DIRS: frozenset[str] = frozenset(
    {
        ".github",
        "ci",
        ".ci",
        "tools",
        "scripts",
        "build_tools",
        "continuous_integration",
        ".circleci",
    }
)

#: Vendored or generated folders, skipped at any depth.
SKIP_DIRS: frozenset[str] = frozenset(
    {
        "node_modules",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "build",
        "dist",
        ".git",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        "site-packages",
        "vendor",
        "_vendor",
        "vendored",
        "third_party",
    }
)


def _alternatives(names: frozenset[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names))


# Any number of nested folders, none of them vendored.
_SUBDIRS = rf"(?:(?!(?:{_alternatives(SKIP_DIRS)})/)[^/]+/)*"
# A folder discovery walks (root-level).
_WALKED = rf"(?:{_alternatives(WALK_DIRS)}|azure[^/]*)"
_CI_TEMPLATE_DIRS = r"(?:ci|\.ci|continuous_integration|tools/ci|azure[^/]*)"
_SHELL_DIRS = r"(?:ci|\.ci|tools|scripts|build_tools|continuous_integration|\.github)"

# (kind, regex over the whole root-relative POSIX path); the first matching row wins.
_KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    # GitHub only reads the top level of .github/workflows.
    ("workflow", r"\.github/workflows/[^/]+\.ya?ml"),
    # Composite actions: anywhere under .github/actions, or the repository's own action.
    ("action", rf"(?:\.github/actions/{_SUBDIRS})?action\.ya?ml"),
    # Conda environments at the root or in walked folders (before "ci" templates).
    ("conda-env", rf"(?:{_WALKED}/{_SUBDIRS})?environment[^/]*\.ya?ml"),
    (
        "ci",
        r"(?:\.travis\.yml|azure-pipelines\.ya?ml|\.cirrus\.yml|\.circleci/config\.yml"
        r"|\.gitlab-ci\.yml|\.?appveyor\.yml)",
    ),
    ("ci", rf"{_CI_TEMPLATE_DIRS}/{_SUBDIRS}[^/]+\.ya?ml"),
    ("shell", rf"{_SHELL_DIRS}/{_SUBDIRS}[^/]+\.sh"),
    ("pyproject", r"pyproject\.toml"),
    ("setup-cfg", r"setup\.cfg"),
    ("tox-ini", r"tox\.ini"),
    ("tox-toml", r"tox\.toml"),
    # pixi's workspace manifest: tasks that `pixi run NAME` steps run
    ("pixi-toml", r"pixi\.toml"),
    ("makefile", r"(?:Makefile|makefile|GNUmakefile)"),
    ("pypirc", r"\.pypirc"),
    ("setup-py", r"setup\.py"),
    ("noxfile", r"noxfile\.py"),
    ("shiplint-toml", r"shiplint\.toml"),
    # The default release docs file, where `shiplint docs` renders the deploy record.
    ("release-docs", r"RELEASING\.md"),
)

#: The pre-commit ``files:`` regex (used with ``re.search``): it matches exactly the
#: root-relative paths :func:`classify` accepts, being the union of the same patterns.
PRE_COMMIT_FILES: str = r"^(?:" + "|".join(pattern for _, pattern in _KIND_PATTERNS) + r")\Z"

_KINDS = tuple(kind for kind, _ in _KIND_PATTERNS)
_CLASSIFY_RE = re.compile(
    "|".join(f"(?P<k{index}>{pattern})" for index, (_, pattern) in enumerate(_KIND_PATTERNS))
)


def classify(rel: str) -> str | None:
    """The kind of the file at root-relative POSIX path ``rel``; None if shiplint skips it."""
    match = _CLASSIFY_RE.fullmatch(rel)
    if match is None or match.lastgroup is None:
        return None
    return _KINDS[int(match.lastgroup[1:])]


_TEMPLATE_LOCATION_RE = LazyPattern(rf"{_CI_TEMPLATE_DIRS}/{_SUBDIRS}[^/]+\.ya?ml")


def is_template_location(rel: str) -> bool:
    """Whether root-relative ``rel`` is a YAML file in a folder of CI templates and other
    CI material (``ci/``, ``.ci/``, ``continuous_integration/``, ``tools/ci/``, ``azure*/``):
    files that no CI system reads as they are, unlike ``.travis.yml`` or a workflow, and
    that may be Jinja templates (a conda-build ``ci/recipe/meta.yaml``)."""
    return _TEMPLATE_LOCATION_RE.fullmatch(rel) is not None


def _tails(path: Path) -> tuple[list[str], str]:
    """The path's trailing component chains, shortest first, and its bare name."""
    try:
        absolute = os.path.abspath(path)
    except (OSError, ValueError):
        absolute = os.fspath(path)
    pure = Path(absolute)
    names = pure.parts[1:] if pure.anchor else pure.parts
    tails = ["/".join(names[-count:]) for count in range(2, len(names) + 1)]
    return tails, names[-1] if names else path.name


def single_is_template_location(path: Path) -> bool:
    """:func:`is_template_location` for a file named on the command line: true when a
    trailing part of its path is such a location, or when the path matches no kind at all
    (a ``recipe/meta.yaml`` is checked as a workflow only for want of a better kind)."""
    tails, name = _tails(path)
    if any(is_template_location(tail) for tail in tails):
        return True
    return all(classify(tail) is None for tail in [*tails, name])


def classify_single(path: Path) -> str:
    """The kind of one file named on the command line.

    The path's trailing components are tried with :func:`classify`, shortest first
    (``workflows/x.yml``, ``.github/workflows/x.yml``, ...), then its bare name (which
    catches root-level names such as ``pyproject.toml`` anywhere); failing that, any
    ``.yml``/``.yaml`` file is taken for a ``workflow`` and any ``.sh`` file for ``shell``,
    and everything else is ``unknown``.
    """
    tails, name = _tails(path)
    for tail in [*tails, name]:
        kind = classify(tail)
        if kind is not None:
            return kind
    lower = name.lower()
    if lower.endswith((".yml", ".yaml")):
        return "workflow"
    if lower.endswith(".sh"):
        return "shell"
    return "unknown"


def _inside(real: str, root_real: str) -> bool:
    """Whether the resolved path ``real`` is inside the root and not in a vendored folder."""
    if real == root_real:
        return True
    prefix = root_real if root_real.endswith(os.sep) else root_real + os.sep
    if not real.startswith(prefix):
        return False
    return not any(part in SKIP_DIRS for part in real[len(prefix) :].split(os.sep))


# ---------------------------------------------------------------------------- discovery


def _scan(path: str) -> list[os.DirEntry[str]] | None:
    try:
        with os.scandir(path) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except (OSError, ValueError):
        return None


class _Walker:
    def __init__(self, root: Path, non_files: bool = False) -> None:
        self.root = root
        self.non_files = non_files
        self.root_s = os.fspath(root)
        self.root_real = os.path.realpath(self.root_s)
        self.found: list[Discovered] = []
        self.visited: set[str] = set()
        # Real folders are walked depth-first before any folder reached through a symlink,
        # so a folder's own path wins over its aliases.
        self.pending: list[tuple[str, str, str, Stack]] = []
        self.deferred: collections.deque[tuple[str, str, str, Stack]] = collections.deque()

    def run(self) -> list[Discovered]:
        exclude = git_exclude(self.root_s)
        base: Stack = (("", exclude),) if exclude is not None else ()
        self.pending.append((self.root_s, "", self.root_real, base))
        while self.pending or self.deferred:
            if self.pending:
                item = self.pending.pop()
            else:
                item = self.deferred.popleft()
            self.visit(*item)
        self.found.sort(key=lambda found: found.rel)
        return self.found

    def visit(self, directory: str, rel: str, real: str, stack: Stack) -> None:
        if real in self.visited:
            return
        self.visited.add(real)
        entries = _scan(directory)
        if entries is None:
            return
        for entry in entries:
            if entry.name == ".gitignore":
                try:
                    regular = entry.is_file(follow_symlinks=False)
                except OSError:
                    regular = False
                rules = read_ignore_file(entry.path) if regular else None
                if rules is not None:
                    stack = (*stack, (rel, rules))
                break
        at_root = not rel
        prefix = f"{rel}/" if rel else ""
        for entry in entries:
            name = entry.name
            if at_root:
                may_walk = name in WALK_DIRS or name.startswith("azure")
            else:
                may_walk = name not in SKIP_DIRS
            child = prefix + name
            kind = classify(child)
            if kind is None and not may_walk:
                continue
            try:
                link = entry.is_symlink()
                if link:
                    target = os.path.realpath(entry.path)
                    if not _inside(target, self.root_real):
                        continue
                    st_mode = os.stat(target).st_mode
                    is_dir = stat.S_ISDIR(st_mode)
                    is_file = stat.S_ISREG(st_mode)
                else:
                    target = os.path.join(real, name)
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except (OSError, ValueError):
                continue  # broken link, vanished entry, unreadable
            if (
                self.non_files
                and kind is not None
                and not is_file
                and not ignored(stack, child, name, is_dir and not link)
            ):
                # a folder (or FIFO, socket, device) named like a file shiplint reads: listed
                # to be reported, never opened (see ``source.read_file``)
                self.found.append(Discovered(self.root / child, child, kind))
            if is_dir and may_walk:
                if name in SKIP_DIRS or ignored(stack, child, name, not link):
                    continue
                item = (entry.path, child, target, stack)
                if link:
                    self.deferred.append(item)
                else:
                    self.pending.append(item)
            elif is_file and kind is not None and not ignored(stack, child, name, False):
                self.found.append(Discovered(self.root / child, child, kind))


def discover(root: Path, non_files: bool = False) -> list[Discovered]:
    """The files under ``root`` that shiplint reads, sorted by ``rel``.

    Never raises: an unreadable or vanished folder is skipped (an unreadable root gives
    ``[]``).  See the module docstring for what is walked, skipped and ignored.  Note
    that ``.gitignore`` patterns apply even to files git already tracks.

    With ``non_files``, folders and other entries that are not regular files but are
    named like a file shiplint reads (a folder called ``pyproject.toml``) are listed too,
    so that the audit can report them; a folder is still walked when it would be anyway.
    """
    try:
        return _Walker(root, non_files).run()
    except (OSError, ValueError):  # e.g. realpath of an unreachable root
        return []


def resolve_script(root: Path, rel: str) -> Path | None:
    """The file for a script path a workflow runs (``bash tools/x.sh``), or None.

    ``rel`` is taken relative to ``root`` (``./`` and ``..`` are normalised lexically).
    The result is ``root`` joined with the normalised path, provided that it resolves
    (symlinks included) to a regular file inside ``root``, that no folder on the way is
    vendored (:data:`SKIP_DIRS`), and that the ignore files (as in :func:`discover`) do not
    exclude it or a folder containing it.  Never raises.
    """
    try:
        return _resolve_script(root, rel)
    except (OSError, ValueError):
        return None


def _resolve_script(root: Path, rel: str) -> Path | None:
    if not rel or "\0" in rel:
        return None
    norm = posixpath.normpath(rel)
    if norm.startswith(("/", "../")) or norm in (".", ".."):
        return None
    parts = norm.split("/")
    if any(part in SKIP_DIRS for part in parts[:-1]):
        return None
    root_s = os.fspath(root)
    root_real = os.path.realpath(root_s)
    path = os.path.join(root_s, *parts)
    real = os.path.realpath(path)
    if real == root_real or not _inside(real, root_real):
        return None
    if not stat.S_ISREG(os.stat(real).st_mode):
        return None
    exclude = git_exclude(root_s)
    stack: Stack = (("", exclude),) if exclude is not None else ()
    directory = root_s
    dir_rel = ""
    for part in [*parts[:-1], None]:
        rules = read_dir_gitignore(directory)
        if rules is not None:
            stack = (*stack, (dir_rel, rules))
        if part is None:
            break
        directory = os.path.join(directory, part)
        dir_rel = f"{dir_rel}/{part}" if dir_rel else part
        if ignored(stack, dir_rel, part, not os.path.islink(directory)):
            return None
    if ignored(stack, norm, parts[-1], False):
        return None
    return root.joinpath(*parts)
