"""Results cache: a second ``shiplint check`` of an unchanged root reports without auditing.

One entry per root, a JSON file named by the SHA-256 of everything the root's findings
depend on:

* shiplint's version and a fingerprint of its own code and data files (their contents,
  re-hashed when a file's size, mtime, ctime or inode changes, so an editable install
  whose code changed never serves stale results), the installed versions of the
  libraries that parse the files (ruamel.yaml, tomlkit, packaging, trove-classifiers,
  tomli) and the Python version;
* the options that change findings (``--select``, ``--ignore``, ``--extend-select``,
  ``--fail-on``, ``--today``: every field of :class:`~shiplint.engine.Options`) and the
  root's effective configuration;
* the root as given, as an absolute path and resolved;
* every file discovery finds: path, kind and a SHA-256 of the decoded text (or the read
  error). The files are read on every lookup: mtimes alone cannot tell.

An entry also lists what the rules read *besides* the discovered files, and the lookup
checks it again: files read on demand through :meth:`Project.file` (in order, with their
text hash, and the paths looked up and not found), plus every filesystem access made
while the rules ran (:func:`recording`): ``open`` (content hash), ``os.stat``/``lstat``
(type and size), ``os.readlink``, ``os.listdir``/``os.scandir`` (names and types). That
catches reads that bypass :class:`Project` (README files named by setup.py, ``poetry.toml``,
license files found by glob, a ``.git`` folder in a parent directory).

The value holds the root's findings as the reports use them (messages and help already
scrubbed of token shapes, fixes' edits only where SARIF may show them), the spans of
literal credentials as offsets (never the values), and the effective fail level. On a hit
the findings are rebuilt on the freshly read files, so the text report's source lines
come out as in the uncached run. Before writing, the rebuilt findings are compared with
the real ones on everything a report shows; an entry is not written when they differ,
when it would contain the text of a recorded credential, or when a rule crashed.

Entries are JSON only (never pickle), written atomically (temporary file, then
``os.replace``) with mode 0600 in ``$SHIPLINT_CACHE_DIR``, ``$XDG_CACHE_HOME/shiplint``
or ``~/.cache/shiplint``. The directory must belong to the user and not be writable by
others; otherwise, or when it cannot be created, the cache is off. Reading an entry
never follows a symlink, skips files over 16 MiB and validates every field; anything odd
is a miss. Entries unused for 30 days are pruned, and at most 500 are kept.
``--no-cache`` or ``SHIPLINT_NO_CACHE=1`` turns the cache off; ``--fix``, ``--diff``,
``init`` and ``docs`` never use it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, Callable

try:  # the built-in SHA-256: hashlib would first load OpenSSL, ~3 ms at every start
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python < 3.12, or a build without it
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256 as _sha256  # type: ignore[assignment,no-redef,unused-ignore]

if TYPE_CHECKING:
    from shiplint.config import Config
    from shiplint.engine import Options, RootResult
    from shiplint.findings import Finding
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: bump when the entry format or the key changes
SCHEMA = 1
MAX_ENTRY_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 500
MAX_AGE_SECONDS = 30 * 24 * 3600
#: files a rule opens are hashed up to this size (larger ones: size, mtime and ctime)
MAX_HASHED_BYTES = 64 * 1024 * 1024
#: distributions whose code parses the audited files (matched on sys.path entry names)
DEPENDENCIES = frozenset(
    {"ruamel", "_ruamel_yaml", "tomlkit", "packaging", "trove_classifiers", "tomli"}
)
_FALSE = ("", "0", "false", "no", "off")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)

Json = Any


class _Invalid(Exception):
    """A cache entry that does not have the expected shape."""


# --------------------------------------------------------------------------- location


def disabled_by_env() -> bool:
    """``SHIPLINT_NO_CACHE`` set to anything but an empty/false value."""
    return os.environ.get("SHIPLINT_NO_CACHE", "").strip().lower() not in _FALSE


def cache_dir() -> str | None:
    """``$SHIPLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/shiplint`` (when absolute), else
    ``~/.cache/shiplint``; None when no home directory is known."""
    explicit = os.environ.get("SHIPLINT_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "shiplint")
    home = os.path.expanduser("~")
    if home == "~" or not os.path.isabs(home):
        return None
    return os.path.join(home, ".cache", "shiplint")


def _private_dir(path: str) -> bool:
    """Create ``path`` (mode 0700) if missing; True when it is a directory of this user
    that nobody else may write to."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    getuid = getattr(os, "getuid", None)
    if getuid is not None and (info.st_uid != getuid() or info.st_mode & 0o022):
        return False
    return os.access(path, os.W_OK | os.X_OK)


def open_cache(options: Options) -> Cache | None:
    """The results cache for a ``check`` with ``options``, or None when it is off or its
    directory is unusable (missing and not creatable, read-only, someone else's)."""
    if disabled_by_env() or (os.name != "posix" and not recording_supported()):
        return None
    directory = cache_dir()
    if directory is None or not _private_dir(directory):
        return None
    if not _private_dir(os.path.join(directory, "results")):
        return None
    try:
        return Cache(directory, options)
    except Exception:  # an unreadable package directory: no cache, never a crash
        return None


# --------------------------------------------------------------------------- hashing


def _digest(data: bytes) -> str:
    return str(_sha256(data).hexdigest())


def _dumps(value: Json) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def _text_hash(text: str) -> str:
    return _digest(text.encode("utf-8", "surrogatepass"))


def file_state(src: SourceFile) -> list[Json]:
    """What the rules can see of a file: kind and text hash, or the read error."""
    if src.text is not None:
        return [src.rel, src.kind, str(src.path), "t", _text_hash(src.text)]
    pos = list(src.error_pos) if src.error_pos is not None else None
    return [src.rel, src.kind, str(src.path), "e", src.error, pos, src.too_large]


def _fields(obj: object) -> dict[str, Json]:
    import dataclasses

    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}  # type: ignore[arg-type]


def _read_small(path: str, limit: int) -> bytes | None:
    """A regular file's bytes (not following a final symlink), None if odd or too big."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        getuid = getattr(os, "getuid", None)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if getuid is not None and info.st_uid != getuid():
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def _write_atomic(directory: str, name: str, data: bytes) -> bool:
    """Write ``directory/name`` through a temporary file and ``os.replace`` (mode 0600)."""
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
    except (OSError, ValueError):
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, os.path.join(directory, name))
        return True
    except (OSError, ValueError):
        with suppress(OSError):
            os.unlink(tmp)
        return False


def _package_files(package: str) -> list[tuple[str, os.stat_result]]:
    """shiplint's own files (code and data; not bytecode), sorted, with their stat."""
    out: list[tuple[str, os.stat_result]] = []
    pending = [package]
    while pending:
        directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                elif not entry.name.endswith((".pyc", ".pyo")):
                    out.append((os.path.relpath(entry.path, package), entry.stat()))
    out.sort(key=lambda item: item[0])
    return out


def code_fingerprint(directory: str | None = None) -> str:
    """SHA-256 over shiplint's code and data files (contents).

    The contents are hashed once and remembered in ``directory/code.json`` under a hash
    of the files' sizes, mtimes, ctimes and inodes (the ctime changes on every write and
    cannot be set back), so an unchanged install costs one ``stat`` per file.
    """
    import shiplint

    package = os.path.dirname(os.path.abspath(shiplint.__file__))
    files = _package_files(package)
    stamp = _digest(
        _dumps(
            [
                package,
                [(r, s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino) for r, s in files],
            ]
        )
    )
    memo = os.path.join(directory, "code.json") if directory else None
    if memo is not None:
        raw = _read_small(memo, 4096)
        try:
            known = json.loads(raw) if raw is not None else None
        except ValueError:
            known = None
        if (
            isinstance(known, dict)
            and known.get("stamp") == stamp
            and isinstance(known.get("content"), str)
            and len(known["content"]) == 64
        ):
            return str(known["content"])
    outer = _sha256()
    for rel, _info in files:
        with open(os.path.join(package, rel), "rb") as handle:
            outer.update(_dumps([rel, _digest(handle.read())]))
    content = str(outer.hexdigest())
    if directory is not None:
        _write_atomic(directory, "code.json", _dumps({"stamp": stamp, "content": content}))
    return content


def dependency_fingerprint() -> str:
    """Names and stat of the installed parser libraries (their dist-info folders carry
    the version; a reinstall changes the folders' inode and ctime)."""
    rows: list[Json] = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        try:
            with os.scandir(entry) as found:
                for item in found:
                    base = item.name.split("-", 1)[0].split(".", 1)[0].lower()
                    if base in DEPENDENCIES:
                        info = item.stat(follow_symlinks=True)
                        rows.append(
                            [entry, item.name, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
                        )
        except OSError:
            rows.append([entry, "unreadable"])
    return _digest(_dumps(sorted(rows)))


# --------------------------------------------------------------------------- recording


class Recorder:
    """Filesystem accesses made while the rules of one root ran (see :func:`recording`)."""

    def __init__(self) -> None:
        import shiplint

        #: shiplint's own files: covered by :func:`code_fingerprint`
        self.own = os.path.dirname(os.path.abspath(shiplint.__file__)) + os.sep
        self.seen: dict[tuple[str, str], None] = {}
        #: an access that cannot be replayed (relative to a directory descriptor)
        self.unreplayable = False

    def add(self, op: str, path: object) -> None:
        if isinstance(path, int):  # a descriptor: the open that produced it was recorded
            return
        try:
            text = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
        except TypeError:
            self.unreplayable = True
            return
        if not os.path.isabs(text):
            text = os.path.join(os.getcwd(), text)  # joined, not normalised: `..` after a link
        if not text.startswith(self.own):
            self.seen.setdefault((op, text), None)

    def probes(self) -> list[Json] | None:
        """``[op, path, observation]`` for every access, observed now; None when an
        access cannot be replayed."""
        if self.unreplayable:
            return None
        return [[op, path, observe(op, path)] for op, path in self.seen]


_ACTIVE: Recorder | None = None
_HOOKED = False
_IMPORT_FRAMES = frozenset(
    {
        "<frozen importlib._bootstrap_external>",
        "<frozen importlib._bootstrap>",
        "<frozen zipimport>",
    }
)


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    """``open``, ``os.listdir`` and ``os.scandir`` events while a recorder is active.

    Opens by the import system (modules imported lazily while the rules run) are not
    inputs of the audit; shiplint's own files are covered by :func:`code_fingerprint`.
    """
    recorder = _ACTIVE
    if recorder is None:
        return
    try:
        if event == "open":
            op, path = "read", args[0]
        elif event in ("os.listdir", "os.scandir"):
            op, path = "list", "." if args[0] is None else args[0]
        else:
            return
        if sys._getframe(1).f_code.co_filename not in _IMPORT_FRAMES:
            recorder.add(op, path)
    except Exception:  # an audit hook must never make the audited call fail
        recorder.unreplayable = True


def _wrapped(op: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = _ACTIVE
        if recorder is not None:
            if kwargs.get("dir_fd") is not None:
                recorder.unreplayable = True
            follow = kwargs.get("follow_symlinks", True)
            recorder.add("lstat" if op == "stat" and follow is False else op, path)
        return real(path, *args, **kwargs)

    return wrapper


def _stat_targets() -> list[tuple[Any, str, object, Callable[..., Any]]]:
    """Where ``stat``-like functions are looked up at call time: the ``os`` module, and
    pathlib's accessor on Python < 3.11 (it bound them at import). Each target is
    ``(owner, name, attribute as found, function)``."""
    import pathlib

    targets: list[tuple[Any, str, object, Callable[..., Any]]] = []
    for name in ("stat", "lstat", "readlink"):
        real = getattr(os, name, None)
        if real is None:
            continue
        targets.append((os, name, real, real))
        accessor = getattr(pathlib, "_NormalAccessor", None)
        if accessor is not None and accessor.__dict__.get(name) is real:
            targets.append((accessor, name, real, real))
    return targets


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record the filesystem accesses made inside the block (one thread: the CLI's).

    ``open``, ``os.listdir`` and ``os.scandir`` come from an audit hook (installed once,
    idle outside the block); ``os.stat``, ``os.lstat`` and ``os.readlink`` raise no audit
    event, so they are wrapped for the duration of the block (``os.path.exists``,
    ``isfile``, ``getsize``, ``realpath`` and pathlib call them).
    """
    global _ACTIVE, _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit_hook)
        _HOOKED = True
    recorder = Recorder()
    targets = _stat_targets()
    previous = _ACTIVE
    try:
        for owner, name, _found, real in targets:
            wrapper = _wrapped(name, real)
            setattr(owner, name, wrapper if owner is os else staticmethod(wrapper))
        _ACTIVE = recorder
        yield recorder
    finally:
        _ACTIVE = previous
        for owner, name, found, _real in targets:
            setattr(owner, name, found)


_SUPPORTED: bool | None = None


def recording_supported() -> bool:
    """Whether :func:`recording` sees the accesses this Python makes (checked once).

    The ways rules look at files (``os.path.exists``/``isfile``/``isdir``/``getsize``,
    ``os.path.realpath``, pathlib's ``is_dir``/``is_file``/``exists``/``glob``/
    ``read_text``, ``open``, ``os.scandir``) must each show up; where one goes around the
    wrapped functions (a newer Python, another platform) the cache stays off.
    """
    global _SUPPORTED
    if _SUPPORTED is None:
        _SUPPORTED = _self_test()
    return _SUPPORTED


def _self_test() -> bool:
    import pathlib

    try:  # a file that is not shiplint's (those are not recorded), symlinks resolved
        here = os.path.realpath(os.__file__)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - os without a file
        return False
    folder = os.path.dirname(here)
    checks: list[tuple[Callable[[], object], str, str]] = [
        (lambda: os.path.exists(here), "stat", here),
        (lambda: os.path.isfile(here), "stat", here),
        (lambda: os.path.isdir(folder), "stat", folder),
        (lambda: os.path.getsize(here), "stat", here),
        (lambda: os.path.realpath(here), "lstat", here),
        (lambda: pathlib.Path(folder).is_dir(), "stat", folder),
        (lambda: pathlib.Path(here).is_file(), "stat", here),
        (lambda: pathlib.Path(here).exists(), "stat", here),
        (lambda: list(pathlib.Path(folder).glob("os.p*")), "list", folder),
        (lambda: pathlib.Path(here).read_text(encoding="utf-8"), "read", here),
        (lambda: open(here, "rb").close(), "read", here),
        (lambda: os.scandir(folder).close(), "list", folder),
    ]
    try:
        for check, op, path in checks:
            with recording() as recorder:
                check()
            if (op, path) not in recorder.seen:
                return False
    except Exception:
        return False
    return True


def _entry_type(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "l"
    if entry.is_dir(follow_symlinks=False):
        return "d"
    return "f" if entry.is_file(follow_symlinks=False) else "o"


def observe(op: str, path: str) -> list[Json]:
    """What an access sees now: for ``stat``/``lstat`` the file type (and a regular
    file's size, a symlink's target), for ``read`` the content hash, for ``list`` the
    names and types in the folder, for ``readlink`` the target; errors by errno."""
    try:
        if op == "list":
            with os.scandir(path) as found:
                names = sorted((e.name, _entry_type(e)) for e in found)
            return ["d", _digest(_dumps(names))]
        if op == "readlink":
            return ["l", os.readlink(path)]
        if op == "read":
            return _observe_read(path)
        info = os.lstat(path) if op == "lstat" else os.stat(path)
        return _observe_stat(info, path)
    except OSError as exc:
        return ["E", exc.errno]
    except (ValueError, TypeError):
        return ["V"]


def _observe_stat(info: os.stat_result, path: str) -> list[Json]:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return ["d"]
    if stat.S_ISREG(mode):
        return ["f", info.st_size]
    if stat.S_ISLNK(mode):
        return ["l", os.readlink(path)]
    return ["o", stat.S_IFMT(mode)]


def _observe_read(path: str) -> list[Json]:
    # O_NONBLOCK: a FIFO put in the file's place must not hang the lookup
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _observe_stat(info, path)
        if info.st_size > MAX_HASHED_BYTES:
            return ["F", info.st_size, info.st_mtime_ns, info.st_ctime_ns]
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return ["f", _digest(handle.read(MAX_HASHED_BYTES + 1))]
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- entries


def _check_str(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid
    return value


def _check_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid
    return value


def _check_opt_int(value: object) -> int | None:
    return None if value is None else _check_int(value)


def _check_list(value: object, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise _Invalid
    return value


def _check_spans(value: object, size: int) -> list[tuple[int, int]]:
    spans = []
    for item in _check_list(value):
        pair = _check_list(item, 2)
        start, end = _check_int(pair[0]), _check_int(pair[1])
        if not 0 <= start <= end <= size:
            raise _Invalid
        spans.append((start, end))
    return spans


def _detached_source(root: str, rel: str, kind: str, lines: dict[str, str]) -> SourceFile:
    """A stand-in for a source that is not one of the project's files (e.g. the INI text
    inside ``legacy_tox_ini``): only the lines the report shows, already masked."""
    from pathlib import Path

    from shiplint.source import SourceFile

    numbered = {int(k): v for k, v in lines.items()}
    count = max(numbered, default=0)
    text = "\n".join(numbered.get(i, "") for i in range(1, count + 1))
    return SourceFile(Path(root, rel), rel, root, kind, text)


def rebuild(entry: dict[str, Any], project: Project) -> list[Finding]:
    """The findings of ``entry`` on ``project``'s files (secret spans set on them)."""
    from shiplint.findings import Edit, Finding, Fix, Severity

    for rel, spans in _check_list(entry["spans"]):
        src = project.by_rel.get(_check_str(rel))
        if src is None or src.text is None:
            raise _Invalid
        src.secret_spans = _check_spans(spans, len(src.text))
    detached: list[SourceFile] = []
    for item in _check_list(entry["detached"]):
        rel, kind, lines = _check_list(item, 3)
        if not isinstance(lines, dict) or len(lines) > 100_000:
            raise _Invalid
        for key, value in lines.items():
            if not key.isdigit() or int(key) < 1 or not isinstance(value, str):
                raise _Invalid
        detached.append(_detached_source(project.root, _check_str(rel), _check_str(kind), lines))
    findings: list[Finding] = []
    for item in _check_list(entry["findings"]):
        row = _check_list(item, 12)
        rule, name, severity, ref, line, column, message, help_text, fix, extra, root, path = row
        source: SourceFile | None = None
        if ref is not None:
            where, key = _check_list(ref, 2)
            if where == "f":
                source = project.by_rel.get(_check_str(key))
            elif where == "d" and isinstance(key, int) and 0 <= key < len(detached):
                source = detached[key]
            if source is None:
                raise _Invalid
        fix_obj: Fix | None = None
        if fix is not None:
            description, safe, edits = _check_list(fix, 3)
            if not isinstance(safe, bool):
                raise _Invalid
            edit_objs = []
            for edit in _check_list(edits):
                start, end, text = _check_list(edit, 3)
                edit_objs.append(Edit(_check_int(start), _check_int(end), _check_str(text)))
            fix_obj = Fix(_check_str(description), tuple(edit_objs), safe)
        if not isinstance(extra, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in extra.items()
        ):
            raise _Invalid
        finding = Finding(
            _check_str(rule),
            _check_str(name),
            Severity(_check_str(severity)),
            source,
            _check_opt_int(line),
            _check_opt_int(column),
            _check_str(message),
            _check_str(help_text),
            fix_obj,
            extra=dict(extra),
        )
        finding.root = _check_str(root)
        finding.path = _check_str(path)
        findings.append(finding)
    return findings


def report_view(findings: list[Finding], files: int) -> list[Json]:
    """Everything the reports show of the findings (text, JSON, SARIF, GitHub, statistics):
    the cache writes an entry only when its rebuilt findings give the same view."""
    from shiplint.report.redact import scrub, source_line
    from shiplint.report.sarif import fix_object

    rows: list[Json] = []
    for f in findings:
        shown = None
        if f.source is not None and f.line is not None:
            shown = source_line(f.source, f.line)
        fix = None
        if f.fix is not None:
            fix = [f.fix.description, f.fix.safe, fix_object(f, f.fix, {})]
        rows.append(
            [
                f.rule,
                f.name,
                f.severity.value,
                f.root,
                f.path,
                f.line,
                f.column,
                scrub(f.message),
                scrub(f.help),
                fix,
                shown,
                sorted(f.extra.items()),
            ]
        )
    return [files, rows]


class Cache:
    """Lookups and stores for one ``check`` run (one set of options)."""

    def __init__(self, directory: str, options: Options) -> None:
        from shiplint import __version__

        self.directory = directory
        self.results = os.path.join(directory, "results")
        options_fields = {k: v for k, v in _fields(options).items() if k != "record_inputs"}
        self.static = _dumps(
            [
                SCHEMA,
                __version__,
                code_fingerprint(directory),
                dependency_fingerprint(),
                sys.implementation.name,
                list(sys.version_info),
                options_fields,
            ]
        )
        self.stored = 0

    # -- key

    def key(self, root_arg: str, config: Config, discovered: list[SourceFile]) -> str:
        parts = [
            root_arg,
            os.path.abspath(root_arg),
            os.path.realpath(root_arg),
            _fields(config),
            [file_state(src) for src in discovered],
        ]
        return _digest(self.static + _dumps(parts))

    # -- lookup

    def lookup(self, root_arg: str) -> RootResult | None:
        """The cached result of auditing ``root_arg``, or None (a miss, never an error)."""
        try:
            return self._lookup(root_arg)
        except Exception:
            return None

    def _lookup(self, root_arg: str) -> RootResult | None:
        from shiplint.engine import RootResult, open_configured
        from shiplint.findings import Severity

        project, config = open_configured(root_arg)
        key = self.key(root_arg, config, project.files)
        path = os.path.join(self.results, key + ".json")
        raw = _read_small(path, MAX_ENTRY_BYTES)
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict) or entry.get("schema") != SCHEMA:
                return None
            if entry.get("key") != key:
                return None
            if not self._replay(entry, project):
                return None
            findings = rebuild(entry, project)
            fail_on = Severity(_check_str(entry["fail_on"]))
            if _check_int(entry["files"]) != len(project.files):
                return None
        except (_Invalid, KeyError, ValueError, TypeError, RecursionError):
            return None
        project.config = config
        with suppress(OSError):
            os.utime(path)  # recently used: kept by pruning
        return RootResult(project.root, project, config, findings, fail_on)

    def _replay(self, entry: dict[str, Any], project: Project) -> bool:
        """Whether what the rules read besides the discovered files is unchanged."""
        for item in _check_list(entry["on_demand"]):
            rel, kind, state = _check_list(item, 3)
            src = project.file(_check_str(rel), _check_str(kind))
            if state is None:
                if src is not None:
                    return False
            elif src is None or file_state(src) != state:
                return False
        probes = _check_list(entry["probes"])
        if len(probes) > 100_000:
            return False
        for item in probes:
            op, path, seen = _check_list(item, 3)
            if op not in ("stat", "lstat", "readlink", "read", "list"):
                return False
            if observe(op, _check_str(path)) != seen:
                return False
        return True

    # -- store

    def store(self, root_arg: str, result: RootResult) -> bool:
        """Write the entry of an uncached audit; False when it is not cacheable."""
        if not recording_supported():
            return False
        try:
            entry = self._entry(root_arg, result)
            if entry is None:
                return False
            data = json.dumps(entry, ensure_ascii=True, separators=(",", ":")).encode("ascii")
            if len(data) > MAX_ENTRY_BYTES or _holds_secret(data, result):
                return False
            if not _write_atomic(self.results, entry["key"] + ".json", data):
                return False
        except Exception:
            return False
        self.stored += 1
        return True

    def _entry(self, root_arg: str, result: RootResult) -> dict[str, Any] | None:
        from shiplint.report.redact import scrub, source_line

        project = result.project
        probes = result.inputs
        if probes is None or any(f.rule == "SL005" for f in result.findings):
            return None  # accesses that cannot be replayed, or a crash (may not repeat)
        extra_rels = set(project.extra_sources)
        discovered = [src for src in project.files if src.rel not in extra_rels]
        on_demand: list[Json] = []
        seen: set[tuple[str, str]] = set()
        for rel, kind, found in project.on_demand:
            if (rel, kind) in seen:
                continue
            seen.add((rel, kind))
            src = project.extra_sources.get(rel) if found else None
            if found and src is None:
                return None
            on_demand.append([rel, kind, file_state(src) if src is not None else None])
        spans = [
            [src.rel, sorted(set(src.secret_spans))] for src in project.files if src.secret_spans
        ]
        detached: list[Json] = []
        detached_index: dict[int, int] = {}
        findings: list[Json] = []
        for f in result.findings:
            ref: Json = None
            if f.source is not None:
                if project.by_rel.get(f.source.rel) is f.source:
                    ref = ["f", f.source.rel]
                else:
                    index = detached_index.get(id(f.source))
                    if index is None:
                        index = detached_index[id(f.source)] = len(detached)
                        detached.append([f.source.rel, f.source.kind, {}])
                    if f.line is not None:
                        detached[index][2][str(f.line)] = source_line(f.source, f.line)
                    ref = ["d", index]
            fix: Json = None
            if f.fix is not None:
                from shiplint.report.sarif import fix_object

                shown = fix_object(f, f.fix, {}) is not None
                edits = [[e.start, e.end, e.replacement] for e in f.fix.edits] if shown else []
                if scrub(f.fix.description) != f.fix.description:
                    return None
                fix = [f.fix.description, f.fix.safe, edits]
            findings.append(
                [
                    f.rule,
                    f.name,
                    f.severity.value,
                    ref,
                    f.line,
                    f.column,
                    scrub(f.message),
                    scrub(f.help),
                    fix,
                    dict(f.extra),
                    f.root,
                    f.path,
                ]
            )
        entry = {
            "schema": SCHEMA,
            "key": self.key(root_arg, result.config, discovered),
            "fail_on": result.fail_on.value,
            "files": len(project.files),
            "on_demand": on_demand,
            "probes": probes,
            "spans": spans,
            "detached": detached,
            "findings": findings,
        }
        if not self._rebuilds(entry, result):
            return None
        return entry

    def _rebuilds(self, entry: dict[str, Any], result: RootResult) -> bool:
        """Whether the entry, rebuilt as a hit would rebuild it, shows what ``result`` shows."""
        from shiplint.project import Project
        from shiplint.source import SourceFile

        original = result.project
        copies = []
        for src in original.files:
            copy = SourceFile(src.path, src.rel, src.root, src.kind, src.text, src.error)
            copy.error_pos, copy.too_large = src.error_pos, src.too_large
            copies.append(copy)
        clone = Project(original.root, original.root_path, copies)
        try:
            rebuilt = rebuild(json.loads(json.dumps(entry)), clone)
        except (_Invalid, KeyError, ValueError, TypeError):
            return False
        before = report_view(result.findings, len(original.files))
        return report_view(rebuilt, len(clone.files)) == before

    # -- pruning

    def prune(self, now: float | None = None) -> None:
        """Drop entries unused for :data:`MAX_AGE_SECONDS`, then the oldest beyond
        :data:`MAX_ENTRIES`, and temporary files left by interrupted writes."""
        import time

        now = time.time() if now is None else now
        entries: list[tuple[float, str]] = []
        try:
            with os.scandir(self.results) as found:
                for item in found:
                    if not item.is_file(follow_symlinks=False):
                        continue
                    age = now - item.stat(follow_symlinks=False).st_mtime
                    if item.name.endswith(".tmp"):
                        if age > 3600:
                            _unlink(item.path)
                    elif age > MAX_AGE_SECONDS:
                        _unlink(item.path)
                    else:
                        entries.append((age, item.path))
        except OSError:
            return
        entries.sort()
        for _age, path in entries[MAX_ENTRIES:]:
            _unlink(path)


def _unlink(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)


def _holds_secret(data: bytes, result: RootResult) -> bool:
    """Whether the serialised entry contains a credential recorded in the root's files, or
    anything shaped like a token (paths looked up come from command lines)."""
    from shiplint.report.redact import scrub, secret_texts

    text = data.decode("ascii")
    if scrub(text) != text:
        return True
    sources = {id(src): src for src in result.project.files}
    sources.update((id(f.source), f.source) for f in result.findings if f.source is not None)
    for src in sources.values():
        if not src.secret_spans:
            continue
        for secret in secret_texts(src):
            escaped = json.dumps(secret, ensure_ascii=True)[1:-1]
            if secret in text or escaped in text:
                return True
    return False
