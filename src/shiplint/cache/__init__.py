"""Results cache: a second ``shiplint check`` of an unchanged root reports without auditing.

One entry per root, a JSON file named by the SHA-256 of everything the root's findings
depend on (:mod:`shiplint.cache.key`):

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

Rules and the model read nothing else from the disk except through
:class:`~shiplint.project.Project`, which records it: the files read on demand
(:meth:`Project.file`: path, kind, text hash, or not found) and every other read
(:attr:`Project.reads`: a README named by setup.py, ``poetry.toml``, the license files a
glob finds, whether a folder exists, a ``.git`` above the root), each as
``[kind, arguments, what was seen]``. The entry stores both, and a lookup makes every
read again and compares: any change to anything read is a miss, including a file that
did not exist and now does, a folder that appears or a glob that matches a new file.
Nothing patches ``os`` or listens to audit events.

The value (:mod:`shiplint.cache.entry`) holds the root's findings as the reports use
them, the spans of literal credentials as offsets (never the values), and the effective
fail level. On a hit the findings are rebuilt on the freshly read files, so the text
report's source lines come out as in the uncached run. Before writing, the rebuilt
findings are compared with the real ones on everything a report shows; an entry is not
written when they differ, when it would contain the text of a recorded credential or a
token shape, or when a rule crashed.

Entries are JSON only (never pickle), written atomically with mode 0600 in a private
directory (:mod:`shiplint.cache.location`); otherwise, or when the directory cannot be
created, the cache is off. Reading an entry never follows a symlink, skips files over
16 MiB and validates every field; anything odd is a miss. ``--no-cache`` or
``SHIPLINT_NO_CACHE=1`` turns the cache off; ``--fix``, ``--diff``, ``init`` and ``docs``
never use it.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from shiplint.cache import key as keys
from shiplint.cache.location import (
    MAX_ENTRY_BYTES,
    cache_dir,
    disabled_by_env,
    private_dir,
    prune,
    read_small,
    write_atomic,
)

if TYPE_CHECKING:
    from shiplint.engine import Options, RootResult
    from shiplint.project import Project

#: at most this many recorded reads are made again on a lookup (more: a miss)
MAX_READS = 100_000


def open_cache(options: Options) -> Cache | None:
    """The results cache for a ``check`` with ``options``, or None when it is off or its
    directory is unusable (missing and not creatable, read-only, someone else's)."""
    if disabled_by_env():
        return None
    directory = cache_dir()
    if directory is None or not private_dir(directory):
        return None
    if not private_dir(os.path.join(directory, "results")):
        return None
    try:
        return Cache(directory, options)
    except Exception:  # an unreadable package directory: no cache, never a crash
        return None


class Cache:
    """Lookups and stores for one ``check`` run (one set of options)."""

    def __init__(self, directory: str, options: Options) -> None:
        self.directory = directory
        self.results = os.path.join(directory, "results")
        self.static = keys.static_part(directory, options)
        self.stored = 0

    def lookup(self, root_arg: str) -> RootResult | None:
        """The cached result of auditing ``root_arg``, or None (a miss, never an error)."""
        try:
            return self._lookup(root_arg)
        except Exception:
            return None

    def _lookup(self, root_arg: str) -> RootResult | None:
        from shiplint.cache.entry import Invalid, check_int, check_str, rebuild
        from shiplint.engine import RootResult, open_configured
        from shiplint.findings import Severity

        project, config = open_configured(root_arg)
        key = keys.root_key(self.static, root_arg, config, project.files)
        path = os.path.join(self.results, key + ".json")
        raw = read_small(path, MAX_ENTRY_BYTES)
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict) or entry.get("schema") != keys.SCHEMA:
                return None
            if entry.get("key") != key:
                return None
            if not _unchanged(entry, project):
                return None
            findings = rebuild(entry, project)
            fail_on = Severity(check_str(entry["fail_on"]))
            if check_int(entry["files"]) != len(project.files):
                return None
        except (Invalid, KeyError, ValueError, TypeError, RecursionError):
            return None
        project.config = config
        with suppress(OSError):
            os.utime(path)  # recently used: kept by pruning
        return RootResult(project.root, project, config, findings, fail_on)

    def store(self, root_arg: str, result: RootResult) -> bool:
        """Write the entry of an uncached audit; False when it is not cacheable."""
        from shiplint.cache.entry import encode, holds_secret, rebuilds

        try:
            project = result.project
            extra = set(project.extra_sources)
            discovered = [src for src in project.files if src.rel not in extra]
            key = keys.root_key(self.static, root_arg, result.config, discovered)
            entry = encode(key, result)
            if entry is None or not rebuilds(entry, result):
                return False
            data = json.dumps(entry, ensure_ascii=True, separators=(",", ":")).encode("ascii")
            if len(data) > MAX_ENTRY_BYTES or holds_secret(data, result):
                return False
            if not write_atomic(self.results, key + ".json", data):
                return False
        except Exception:
            return False
        self.stored += 1
        return True

    def prune(self, now: float | None = None) -> None:
        """Drop old entries and temporary files (see :func:`location.prune`)."""
        import time

        prune(self.results, time.time() if now is None else now)


def _unchanged(entry: dict[str, Any], project: Project) -> bool:
    """Whether every read recorded in ``entry`` sees the same thing now: the files read on
    demand (read again through :meth:`Project.file`, so a hit has them) and the other
    reads (made again through :meth:`Project.observe`)."""
    from shiplint.cache.entry import check_list, check_str
    from shiplint.project import READS

    for item in check_list(entry["on_demand"]):
        rel, kind, state = check_list(item, 3)
        src = project.file(check_str(rel), check_str(kind))
        if state is None:
            if src is not None:
                return False
        elif src is None or keys.file_state(src) != state:
            return False
    reads = check_list(entry["reads"])
    if len(reads) > MAX_READS:
        return False
    for item in reads:
        kind, args, seen = check_list(item, 3)
        if kind not in READS or project.observe(kind, check_list(args)) != seen:
            return False
    return True
