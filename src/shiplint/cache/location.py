"""Where the results cache lives and how its files are read and written.

The directory is ``$SHIPLINT_CACHE_DIR``, ``$XDG_CACHE_HOME/shiplint`` or
``~/.cache/shiplint``; it must belong to the user and not be writable by others. Files
are read without following a final symlink and only up to a size; they are written
through a temporary file and ``os.replace`` with mode 0600. Entries unused for 30 days
are pruned, and at most 500 are kept.
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress

MAX_ENTRY_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 500
MAX_AGE_SECONDS = 30 * 24 * 3600
_FALSE = ("", "0", "false", "no", "off")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


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


def private_dir(path: str) -> bool:
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


def read_small(path: str, limit: int) -> bytes | None:
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


def write_atomic(directory: str, name: str, data: bytes) -> bool:
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


def prune(results: str, now: float) -> None:
    """Drop entries unused for :data:`MAX_AGE_SECONDS`, then the oldest beyond
    :data:`MAX_ENTRIES`, and temporary files left by interrupted writes."""
    entries: list[tuple[float, str]] = []
    try:
        with os.scandir(results) as found:
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
