"""One audited root: its files, each parsed at most once, its release model, and the one
door through which rules and the model read anything else from the disk.

Besides the discovered files (and the files :meth:`Project.file` reads on demand), a rule
may need to know whether a README named by setup.py exists, which license file a glob
finds, what ``poetry.toml`` says, whether a folder exists or whether a ``.git`` lies above
the root. It asks :class:`Project` (:meth:`~Project.peek`, :meth:`~Project.read_text`,
:meth:`~Project.is_dir`, :meth:`~Project.glob`, :meth:`~Project.find_upwards`), which runs
one of the :data:`READS` functions and records ``[kind, arguments, what was seen]`` in
:attr:`Project.reads` (file contents as SHA-256 hashes). The results cache stores that
log and, on a lookup, runs every read again (:meth:`Project.observe`): any difference is
a miss.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

try:  # the built-in SHA-256: hashlib would first load OpenSSL, ~3 ms at every start
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python < 3.12, or a build without it
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,no-redef,unused-ignore]

from shiplint.parse import ParseProblem
from shiplint.source import DEFAULT_MAX_FILE_BYTES, Pos, SourceFile, read_file

if TYPE_CHECKING:
    from shiplint.config import Config
    from shiplint.model import ReleaseModel
    from shiplint.parse.ini import IniDoc
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.parse.yamlnodes import YamlDoc

MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES

#: which parser reads which file kind (shiplint.discover assigns the kinds)
YAML_KINDS = frozenset({"workflow", "action", "ci", "conda-env"})
TOML_KINDS = frozenset({"pyproject", "tox-toml", "pixi-toml", "shiplint-toml"})
INI_KINDS = frozenset({"setup-cfg", "tox-ini", "pypirc"})
PY_KINDS = frozenset({"setup-py", "noxfile"})


def read_source(
    path: Path, rel: str, root: str, kind: str, max_bytes: int = MAX_FILE_BYTES
) -> SourceFile:
    """Read and decode one file; problems become ``SourceFile.error``, never exceptions."""
    return read_file(path, rel, root, kind, max_bytes)


#: reads are capped at this size (a larger file is seen as its size only)
MAX_READ_BYTES = 64 * 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class Peek(NamedTuple):
    """What a path inside the root is: ``kind`` is ``file`` (a regular file, symlinks
    followed), ``dir``, ``other``, ``missing``, ``outside`` (it resolves outside the root)
    or ``error``; a file's ``size``, and its bytes when they fit the limit asked for."""

    kind: str
    size: int = 0
    data: bytes | None = None


def _read_regular(path: str, limit: int) -> tuple[int, bytes | None] | None:
    """A regular file's size and (up to ``limit`` bytes) contents; None when it is not a
    regular file. Opened non-blocking: a FIFO in a file's place must not hang."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > min(limit, MAX_READ_BYTES):
            return info.st_size, None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(min(limit, MAX_READ_BYTES) + 1)
        return info.st_size, data if len(data) <= limit else None
    finally:
        os.close(fd)


def peek(root: str, rel: str, limit: int) -> Peek:
    """:meth:`Project.peek`: ``rel`` joined to the root's real path, resolved."""
    try:
        real_root = os.path.realpath(root)
        path = os.path.realpath(os.path.join(real_root, rel))
        if os.path.commonpath([real_root, path]) != real_root:
            return Peek("outside")
        if not os.path.exists(path):
            return Peek("missing")
        if os.path.isdir(path):
            return Peek("dir")
        if not os.path.isfile(path):
            return Peek("other")
        read = _read_regular(path, limit) if limit else (os.path.getsize(path), None)
    except (OSError, ValueError):
        return Peek("error")
    return Peek("other") if read is None else Peek("file", read[0], read[1])


def read_bytes(root: str, rel: str, limit: int) -> bytes | None:
    """:meth:`Project.read_text`: the bytes of the regular file ``root/rel`` (symlinks
    followed), at most ``limit`` of them."""
    try:
        read = _read_regular(os.path.join(root, rel), limit)
    except (OSError, ValueError):
        return None
    return None if read is None else read[1]


def is_dir(root: str, rel: str) -> bool:
    """:meth:`Project.is_dir`: whether ``root/rel`` is a directory (symlinks followed)."""
    return os.path.isdir(os.path.join(root, rel))


def glob(root: str, patterns: Sequence[str]) -> list[str]:
    """:meth:`Project.glob`: the regular files matching each pattern in turn (each
    pattern's matches sorted), relative to the root; the list ends at an unreadable
    folder."""
    found: list[str] = []
    base = Path(root)
    try:
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                if path.is_file():
                    found.append(path.relative_to(base).as_posix())
    except OSError:
        pass
    return found


def find_upwards(root: str, name: str) -> str | None:
    """:meth:`Project.find_upwards`: the first folder holding ``name``, from the root's
    real path up to the file system's root."""
    try:
        path = os.path.realpath(root)
        while True:
            if os.path.exists(os.path.join(path, name)):
                return path
            parent = os.path.dirname(path)
            if parent == path:
                return None
            path = parent
    except (OSError, ValueError):
        return None


#: every way to read the disk besides the files, by the kind recorded in ``Project.reads``
READS: dict[str, Callable[..., object]] = {
    "peek": peek,
    "bytes": read_bytes,
    "is_dir": is_dir,
    "glob": glob,
    "upwards": find_upwards,
}


def digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return str(sha256(data).hexdigest())


def seen(value: object) -> Any:
    """How a read's result is recorded: file contents (bytes) as SHA-256 hashes (the cache
    must not hold them), tuples as lists, other values as they are."""
    if isinstance(value, bytes):
        return "#" + digest(value)
    if isinstance(value, (list, tuple)):
        return [seen(item) for item in value]
    return value


class Project:
    """The files of one root and lazily computed, cached views of them."""

    def __init__(self, root: str, root_path: Path, files: list[SourceFile]) -> None:
        self.root = root
        self.root_path = root_path
        self.files = files
        self.by_rel = {f.rel: f for f in files}
        self.problems: dict[str, ParseProblem] = {}
        #: YAML files not read because they are Jinja templates: rel → offset of the first tag
        self.templates: dict[str, int] = {}
        self._yaml: dict[str, YamlDoc | None] = {}
        self._toml: dict[str, TomlDoc | None] = {}
        self._ini: dict[str, IniDoc | None] = {}
        self._ini_problems: dict[str, list[ParseProblem]] = {}
        self._ast: dict[str, ast.Module | None] = {}
        self._model: ReleaseModel | None = None
        self.extra_sources: dict[str, SourceFile] = {}
        #: every on-demand lookup that reached the disk: (rel, kind, found), in order
        self.on_demand: list[tuple[str, str, bool]] = []
        #: every other read of the disk, in order: ``[kind, arguments, seen(result)]``
        self.reads: list[list[Any]] = []
        self._read_values: dict[tuple[str, str], object] = {}
        self.today: dt.date = dt.date.today()
        self.config: Config | None = None
        #: the file a rule is working on, for internal-error reports
        self.current_source: SourceFile | None = None
        #: values derived once and shared by several rules (e.g. the deploy records)
        self.memo: dict[str, object] = {}
        #: audited as one file (``shiplint check x.yml``): repository-level checks are off
        self.single_file = False
        #: files over this size are skipped (``max-file-size``)
        self.max_file_bytes = MAX_FILE_BYTES

    def of_kind(self, *kinds: str) -> list[SourceFile]:
        return [f for f in self.files if f.kind in kinds and f.text is not None]

    def release(self) -> None:
        """Drop the parsed documents, the model and the memo once the rules have run.

        They are caches: anything asked later is computed again. A report needs only the
        files and findings, so an audit of many roots keeps one root's trees at a time
        (and a worker process sends back only what the report needs).
        """
        self._yaml = {}
        self._toml = {}
        self._ini = {}
        self._ini_problems = {}
        self._ast = {}
        self._model = None
        self.memo = {}
        self._read_values = {}  # the log (``reads``) stays: the cache stores it
        self.current_source = None

    def yaml(self, src: SourceFile) -> YamlDoc | None:
        if src.rel not in self._yaml:
            from shiplint.parse.yamlload import parse_yaml

            marker = self._template_marker(src)
            if marker is not None:
                self.templates[src.rel] = marker
                self._yaml[src.rel] = None
                return None
            doc, problem = (
                parse_yaml(src, refuse_bombs=True) if src.text is not None else (None, None)
            )
            if problem is not None:
                self.problems[src.rel] = problem
            self._yaml[src.rel] = doc
        return self._yaml[src.rel]

    def _template_marker(self, src: SourceFile) -> int | None:
        """Where the first Jinja tag of ``src`` is, if it is a template shiplint should not
        read as YAML. Only files that no CI system reads as they are qualify (CI template
        folders, example workflows, or a file named on the command line that matches no
        known location):
        GitHub, Travis, GitLab & co. do not render Jinja, so a tag in their own files is a
        YAML error there too."""
        text = src.text
        if text is None or ("{%" not in text and "{{" not in text and "{#" not in text):
            return None
        from shiplint.discover import is_template_location, single_is_template_location
        from shiplint.parse.templates import jinja_marker

        if src.example:  # a workflow kept for users to copy may be a cookiecutter template
            eligible = True
        elif self.single_file:
            eligible = single_is_template_location(src.path)
        else:
            eligible = src.kind in ("ci", "conda-env") and is_template_location(src.rel)
        return jinja_marker(text) if eligible else None

    def toml(self, src: SourceFile) -> TomlDoc | None:
        if src.rel not in self._toml:
            from shiplint.parse.tomlpos import parse_toml

            doc, problem = parse_toml(src) if src.text is not None else (None, None)
            if problem is not None:
                self.problems[src.rel] = problem
            self._toml[src.rel] = doc
        return self._toml[src.rel]

    def ini(self, src: SourceFile) -> IniDoc | None:
        if src.rel not in self._ini:
            from shiplint.parse.ini import parse_ini

            if src.text is None:
                self._ini[src.rel] = None
            else:
                doc, problems = parse_ini(src)
                self._ini[src.rel] = doc
                self._ini_problems[src.rel] = problems
        return self._ini[src.rel]

    def ini_problems(self, src: SourceFile) -> list[ParseProblem]:
        self.ini(src)
        return self._ini_problems.get(src.rel, [])

    def python_ast(self, src: SourceFile) -> ast.Module | None:
        """The module's syntax tree; the code is parsed, never executed."""
        if src.rel not in self._ast:
            tree: ast.Module | None = None
            if src.text is not None:
                try:
                    tree = ast.parse(src.text, filename=src.rel)
                except SyntaxError as exc:
                    pos = Pos(exc.lineno or 1, exc.offset or 1) if exc.lineno else None
                    self.problems[src.rel] = ParseProblem(f"Python syntax error: {exc.msg}", pos)
                except (ValueError, RecursionError, MemoryError) as exc:
                    self.problems[src.rel] = ParseProblem(f"cannot parse Python: {exc}", None)
            self._ast[src.rel] = tree
        return self._ast[src.rel]

    def parse_all(self) -> None:
        """Parse every readable file once, so that parse problems are known."""
        for src in self.files:
            if src.text is None:
                continue
            if src.kind in YAML_KINDS:
                self.yaml(src)
            elif src.kind in TOML_KINDS:
                self.toml(src)
            elif src.kind in INI_KINDS:
                self.ini(src)
            elif src.kind in PY_KINDS:
                self.python_ast(src)

    def script(self, rel: str) -> SourceFile | None:
        """A script that a workflow runs: a discovered file, or one read on demand (a
        ``.bat``/``.cmd`` file as ``batch``, a ``.ps1`` file as ``powershell``)."""
        from shiplint.parse.dialects import SCRIPT_KINDS, dialect_of_path

        return self.file(rel, SCRIPT_KINDS[dialect_of_path(rel)])

    def file(self, rel: str, kind: str) -> SourceFile | None:
        """A file inside the root: a discovered one, or one read on demand as ``kind``."""
        rel = os.path.normpath(rel).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            return None
        known = self.by_rel.get(rel) or self.extra_sources.get(rel)
        if known is not None:
            return known
        from shiplint.discover import resolve_script

        path = resolve_script(self.root_path, rel)
        self.on_demand.append((rel, kind, path is not None))
        if path is None:
            return None
        src = read_source(path, rel, self.root, kind, self.max_file_bytes)
        self.extra_sources[rel] = src
        self.files.append(src)
        self.by_rel[rel] = src
        return src

    # -- the one door for other reads (see the module docstring)

    def _read(self, kind: str, *args: Any) -> Any:
        """Make a read once per root (rules ask again and again) and record it."""
        key = (kind, repr(args))
        if key not in self._read_values:
            value = READS[kind](os.fspath(self.root_path), *args)
            self._read_values[key] = value
            self.reads.append([kind, list(args), seen(value)])
        return self._read_values[key]

    def observe(self, kind: str, args: list[Any]) -> Any:
        """What a recorded read sees now (unrecorded); KeyError for an unknown kind."""
        return seen(READS[kind](os.fspath(self.root_path), *args))

    def peek(self, rel: str, limit: int = 0) -> Peek:
        """What ``rel`` (relative to the root, symlinks resolved) is; a file's bytes when
        it has at most ``limit`` of them."""
        result: Peek = self._read("peek", rel, limit)
        return result

    def read_text(self, rel: str, limit: int = MAX_READ_BYTES) -> str | None:
        """The UTF-8 text of the regular file ``rel`` (symlinks followed; no size limit
        but ``limit``); None when it is missing, not a file, too large or not UTF-8."""
        data: bytes | None = self._read("bytes", rel, limit)
        try:
            return data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None

    def is_dir(self, rel: str) -> bool:
        """Whether ``rel`` is a directory (``.`` is the root; symlinks followed)."""
        return bool(self._read("is_dir", rel))

    def glob(self, patterns: Sequence[str]) -> list[str]:
        """The regular files (relative paths) matching ``patterns`` at the root, in order."""
        found: list[str] = self._read("glob", list(patterns))
        return found

    def find_upwards(self, name: str) -> str | None:
        """The first folder, from the root up, that holds ``name`` (e.g. ``.git``)."""
        found: str | None = self._read("upwards", name)
        return found

    @property
    def pyproject(self) -> TomlDoc | None:
        src = self.by_rel.get("pyproject.toml")
        return self.toml(src) if src is not None and src.text is not None else None

    @property
    def model(self) -> ReleaseModel:
        if self._model is None:
            from shiplint.model.build import build_model

            self._model = build_model(self)
        return self._model

    def data_of(self, src: SourceFile) -> dict[str, Any] | None:
        doc = self.toml(src)
        return doc.data if doc is not None else None
