"""What a results-cache entry is keyed by, besides the reads it records.

The key is a SHA-256 of: the entry format (:data:`SCHEMA`), shiplint's version and a
fingerprint of its own code and data files, the installed parser libraries, the Python
version, the options that change findings, the root as given (absolute and resolved), the
root's effective configuration and every discovered file (path, kind, text hash or read
error).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from shiplint.cache.location import read_small, write_atomic
from shiplint.project import digest

if TYPE_CHECKING:
    from shiplint.source import SourceFile

#: bump when the entry format or the key changes
SCHEMA = 2
#: distributions whose code parses the audited files (matched on sys.path entry names)
DEPENDENCIES = frozenset(
    {"ruamel", "_ruamel_yaml", "tomlkit", "packaging", "trove_classifiers", "tomli"}
)

Json = Any


def dumps(value: Json) -> bytes:
    """Canonical JSON bytes (sorted keys, no spaces) of ``value``."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def text_hash(text: str) -> str:
    return digest(text.encode("utf-8", "surrogatepass"))


def file_state(src: SourceFile) -> list[Json]:
    """What the rules can see of a file: kind and text hash, or the read error."""
    if src.text is not None:
        return [src.rel, src.kind, str(src.path), "t", text_hash(src.text)]
    pos = list(src.error_pos) if src.error_pos is not None else None
    return [src.rel, src.kind, str(src.path), "e", src.error, pos, src.too_large]


def fields(obj: object) -> dict[str, Json]:
    """The attributes of an :class:`~shiplint.engine.Options` or
    :class:`~shiplint.config.Config`, by name, in the order they were set."""
    return dict(vars(obj))


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
    stamp = digest(
        dumps(
            [
                package,
                [(r, s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino) for r, s in files],
            ]
        )
    )
    memo = os.path.join(directory, "code.json") if directory else None
    if memo is not None:
        raw = read_small(memo, 4096)
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
    parts = []
    for rel, _info in files:
        with open(os.path.join(package, rel), "rb") as handle:
            parts.append(dumps([rel, digest(handle.read())]))
    content = digest(b"".join(parts))
    if directory is not None:
        write_atomic(directory, "code.json", dumps({"stamp": stamp, "content": content}))
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
    return digest(dumps(sorted(rows)))


def static_part(directory: str, options: object) -> bytes:
    """The part of every key that one ``check`` run shares: format, code, libraries,
    Python and options."""
    from shiplint import __version__

    return dumps(
        [
            SCHEMA,
            __version__,
            code_fingerprint(directory),
            dependency_fingerprint(),
            sys.implementation.name,
            list(sys.version_info),
            fields(options),
        ]
    )


def root_key(static: bytes, root_arg: str, config: object, discovered: list[SourceFile]) -> str:
    """The key of ``root_arg``'s entry."""
    parts = [
        root_arg,
        os.path.abspath(root_arg),
        os.path.realpath(root_arg),
        fields(config),
        [file_state(src) for src in discovered],
    ]
    return digest(static + dumps(parts))
