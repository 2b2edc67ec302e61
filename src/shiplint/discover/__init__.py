"""Find the files shiplint reads in a repository, quickly and without surprises.

shiplint runs as a pre-commit hook on every commit, so discovery never walks the whole
tree: it lists the root, then walks only the folders where release configuration lives
(:data:`WALK_DIRS` and root folders whose name starts with ``azure``) and the folders
where projects keep workflows for their users to copy (:data:`EXAMPLE_DIRS`; ``docs`` is
walked only along ``docs/examples``).  Inside them it skips vendored or generated folders
(:data:`SKIP_DIRS`) at any depth and honours ``.gitignore`` files (the root one, those
inside walked folders, and ``.git/info/exclude``).

A YAML file in an example folder is of kind ``example`` here: only its content can tell a
workflow from other YAML (:func:`workflow_shaped`), and the engine keeps it as an example
workflow or drops it.  The configuration's ``extend-include`` walks the folders its
patterns name (the whole tree for a pattern without a folder: its cost is the user's
choice) and adds the files they match (YAML as ``example``, ``.sh`` as ``shell``);
``extend-exclude`` drops matching files and folders (:class:`Walk`).

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
    PathGlobs,
    Stack,
    git_exclude,
    ignored,
    literal_base,
    read_dir_gitignore,
    read_ignore_file,
)
from shiplint.lazyre import LazyPattern

__all__ = [
    "EXAMPLE_DIRS",
    "PRE_COMMIT_FILES",
    "SKIP_DIRS",
    "WALK_DIRS",
    "Discovered",
    "Walk",
    "classify",
    "classify_single",
    "conda_env_shaped",
    "discover",
    "is_template_location",
    "resolve_script",
    "single_is_template_location",
    "workflow_shaped",
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

#: Folders (paths from the root) where projects keep example and template workflows for
#: their users to copy: walked whole, like :data:`WALK_DIRS`; ``workflow-templates`` holds an
#: organization's starter workflows (in its ``.github`` repository).
EXAMPLE_DIRS: frozenset[str] = frozenset(
    {
        "examples",
        "example",
        "templates",
        "workflow-templates",
        "docs/examples",
        "docs/example",
        "doc/examples",
        "doc/example",
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
    # Other YAML in walked folders: a conda environment if its content is one (the engine
    # decides, see conda_env_shaped); not GitHub's own folders of issue forms and workflows
    # nor dependabot's configuration.
    (
        "env-candidate",
        r"(?!\.github/(?:workflows/|ISSUE_TEMPLATE/|DISCUSSION_TEMPLATE/|dependabot\.ya?ml\Z))"
        rf"{_WALKED}/{_SUBDIRS}[^/]+\.ya?ml",
    ),
    ("shell", rf"{_SHELL_DIRS}/{_SUBDIRS}[^/]+\.sh"),
    # Windows scripts in the same folders: cmd.exe batch files and PowerShell scripts
    ("batch", rf"{_SHELL_DIRS}/{_SUBDIRS}[^/]+\.(?:bat|cmd)"),
    ("powershell", rf"{_SHELL_DIRS}/{_SUBDIRS}[^/]+\.ps1"),
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
    # YAML where projects keep workflows for users to copy: workflows if their content is one.
    ("example", rf"(?:{_alternatives(EXAMPLE_DIRS)})/{_SUBDIRS}[^/]+\.ya?ml"),
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


_TOP_ON = LazyPattern(r"^(?:on|\"on\"|'on')[ \t]*:", re.MULTILINE)
_TOP_JOBS = LazyPattern(r"^(?:jobs|\"jobs\"|'jobs')[ \t]*:", re.MULTILINE)


def workflow_shaped(text: str) -> bool:
    """Whether YAML ``text`` has the shape of a GitHub workflow: a mapping whose top level
    (keys at column 0, block style, as every workflow is written) holds ``on`` and
    ``jobs``. Decided on the text, so that discovery and every cache lookup stay cheap."""
    return _TOP_JOBS.search(text) is not None and _TOP_ON.search(text) is not None


#: the top-level keys of a conda environment file (conda's `env/env.py` `VALID_KEYS`, plus
#: conda-lock's `platforms`)
CONDA_ENV_KEYS = frozenset(
    {"name", "channels", "dependencies", "prefix", "variables", "platforms", "category"}
)
#: a block mapping key at column 0: quoted, or plain (not a comment, list item or flow)
_TOP_KEY = LazyPattern(
    r"^(?:\"([^\"\n]*)\"|'([^'\n]*)'|([^\s#'\"\-\[{][^:\n]*?))[ \t]*:(?:[ \t]|$)",
    re.MULTILINE,
)
_DEPENDENCY_LIST = LazyPattern(
    r"^(?:dependencies|\"dependencies\"|'dependencies')[ \t]*:[ \t]*"
    r"(?:\[|(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*-[ \t\n])",
    re.MULTILINE,
)


def conda_env_shaped(text: str) -> bool:
    """Whether YAML ``text`` has the shape of a conda environment file: its top level
    (keys at column 0, block style) holds a ``dependencies:`` list and nothing but the keys
    of an environment file (:data:`CONDA_ENV_KEYS`), so that no CI file, workflow or
    template (``jobs:``, ``steps:``, ``script:``) is taken for one. Decided on the text,
    like :func:`workflow_shaped`."""
    if _DEPENDENCY_LIST.search(text) is None:
        return False
    for match in _TOP_KEY.finditer(text):
        key = match.group(1) or match.group(2) or match.group(3) or ""
        if key.strip() not in CONDA_ENV_KEYS:
            return False
    return True


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


class Walk:
    """What discovery walks and keeps beyond its tables: the configuration's
    ``extend-include`` and ``extend-exclude`` (root-relative globs, see
    :class:`~shiplint.discover.gitignore.PathGlobs`)."""

    __slots__ = ("along", "everything", "exclude", "full", "include")

    def __init__(self, include: list[str] | None = None, exclude: list[str] | None = None) -> None:
        self.include = PathGlobs(include) if include else None
        self.exclude = PathGlobs(exclude) if exclude else None
        #: folders walked whole (below the root level: root folders are in WALK_DIRS)
        full = set(EXAMPLE_DIRS)
        self.everything = False
        for pattern in include or ():
            base = literal_base(pattern)
            if not base:
                self.everything = True  # a pattern that may match at any depth
            else:
                full.add(base)
        self.full = frozenset(full)
        #: folders walked only for the sake of deeper ones: path → the names walked in it
        along: dict[str, set[str]] = {}
        for path in full:
            parts = path.split("/")
            for count in range(1, len(parts)):
                along.setdefault("/".join(parts[:count]), set()).add(parts[count])
        self.along = {path: frozenset(names) for path, names in along.items()}

    def walks(self, rel: str, child: str, name: str, whole: bool) -> tuple[bool, bool]:
        """Whether folder ``child`` (named ``name``, in folder ``rel``, walked ``whole``
        or not) is walked, and whether whole."""
        if name in SKIP_DIRS:
            return False, False
        if whole or self.everything or child in self.full:
            return True, True
        if not rel and (name in WALK_DIRS or name.startswith("azure")):
            return True, True
        if child in self.along or name in self.along.get(rel, ()):
            return True, False
        return False, False

    def kind(self, child: str, name: str) -> str | None:
        """The kind of file ``child``: the table's, else an included one's."""
        kind = classify(child)
        if kind is None and self.include is not None and self.include.matches(child):
            lower = name.lower()
            if lower.endswith((".yml", ".yaml")):
                kind = "example"
            elif lower.endswith(".sh"):
                kind = "shell"
        return kind


_DEFAULT_WALK = Walk()

# a folder to visit: (path, rel, real path, ignore files that apply, walked whole)
_Item = tuple[str, str, str, Stack, bool]


class _Walker:
    def __init__(self, root: Path, non_files: bool = False, walk: Walk | None = None) -> None:
        self.root = root
        self.non_files = non_files
        self.walk = _DEFAULT_WALK if walk is None else walk
        self.root_s = os.fspath(root)
        self.root_real = os.path.realpath(self.root_s)
        self.found: list[Discovered] = []
        self.visited: set[str] = set()
        # Real folders are walked depth-first before any folder reached through a symlink,
        # so a folder's own path wins over its aliases.
        self.pending: list[_Item] = []
        self.deferred: collections.deque[_Item] = collections.deque()

    def run(self) -> list[Discovered]:
        exclude = git_exclude(self.root_s)
        base: Stack = (("", exclude),) if exclude is not None else ()
        self.pending.append((self.root_s, "", self.root_real, base, False))
        while self.pending or self.deferred:
            if self.pending:
                item = self.pending.pop()
            else:
                item = self.deferred.popleft()
            self.visit(*item)
        self.found.sort(key=lambda found: found.rel)
        return self.found

    def visit(self, directory: str, rel: str, real: str, stack: Stack, whole: bool) -> None:
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
        prefix = f"{rel}/" if rel else ""
        walk = self.walk
        dropped = walk.exclude
        for entry in entries:
            name = entry.name
            child = prefix + name
            may_walk, child_whole = walk.walks(rel, child, name, whole)
            kind = walk.kind(child, name)
            if kind is None and not may_walk:
                continue
            if dropped is not None and dropped.matches(child):
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
                if ignored(stack, child, name, not link):
                    continue
                item = (entry.path, child, target, stack, child_whole)
                if link:
                    self.deferred.append(item)
                else:
                    self.pending.append(item)
            elif is_file and kind is not None and not ignored(stack, child, name, False):
                self.found.append(Discovered(self.root / child, child, kind))


def discover(root: Path, non_files: bool = False, walk: Walk | None = None) -> list[Discovered]:
    """The files under ``root`` that shiplint reads, sorted by ``rel``.

    Never raises: an unreadable or vanished folder is skipped (an unreadable root gives
    ``[]``).  See the module docstring for what is walked, skipped and ignored.  Note
    that ``.gitignore`` patterns apply even to files git already tracks.

    With ``non_files``, folders and other entries that are not regular files but are
    named like a file shiplint reads (a folder called ``pyproject.toml``) are listed too,
    so that the audit can report them; a folder is still walked when it would be anyway.
    ``walk`` adds the configuration's ``extend-include`` and ``extend-exclude``.
    """
    try:
        return _Walker(root, non_files, walk).run()
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
