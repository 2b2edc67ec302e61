"""Configuration: ``[tool.shiplint]`` in pyproject.toml or a root ``shiplint.toml``."""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from pathlib import Path
from typing import Any

from shiplint.findings import Severity
from shiplint.lazyre import LazyPattern
from shiplint.source import DEFAULT_MAX_FILE_BYTES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KNOWN_KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "fail-on",
        "per-file-ignores",
        "deploy",
        "expiry-warning-days",
        "verification-max-age-days",
        "release-docs",
        "max-file-size",
        "extend-include",
        "extend-exclude",
    }
)

_SIZE_RE = LazyPattern(r"\s*(\d+)\s*(|b|bytes?|kb|kib|mb|mib)\s*", re.IGNORECASE)
_HEADER_RE = LazyPattern(r"\s*\[([^\[\]]+)\]\s*(?:#.*)?$")
_SIZE_UNITS = {"": 1, "b": 1, "byte": 1, "bytes": 1, "kb": 1024, "kib": 1024}


class ConfigError(Exception):
    """Invalid configuration: reported with exit code 2."""


class Config:
    """The effective ``[tool.shiplint]`` settings of one root (a plain class: see
    :mod:`shiplint.findings` on why the cached path avoids dataclasses)."""

    def __init__(
        self,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        extend_select: list[str] | None = None,
        fail_on: Severity | None = None,
        per_file_ignores: dict[str, list[str]] | None = None,
        expiry_warning_days: int = 30,
        verification_max_age_days: int = 365,
        release_docs: str = "RELEASING.md",
        max_file_size: int = DEFAULT_MAX_FILE_BYTES,
        extend_include: list[str] | None = None,
        extend_exclude: list[str] | None = None,
        source: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> None:
        # the order of these attributes is the order of the results cache's key
        self.select = select
        self.ignore: list[str] = [] if ignore is None else ignore
        self.extend_select: list[str] = [] if extend_select is None else extend_select
        self.fail_on = fail_on
        self.per_file_ignores: dict[str, list[str]] = (
            {} if per_file_ignores is None else per_file_ignores
        )
        #: deploy-record dates: warn this many days before a token expires ...
        self.expiry_warning_days = expiry_warning_days
        #: ... and when the owning account's email was last verified longer ago than this
        self.verification_max_age_days = verification_max_age_days
        #: the Markdown file ``shiplint docs`` renders the deploy record into
        self.release_docs = release_docs
        #: files larger than this many bytes are reported (SL006) and skipped
        self.max_file_size = max_file_size
        #: globs relative to the root (ruff's semantics): files discovery adds ...
        self.extend_include: list[str] = [] if extend_include is None else extend_include
        #: ... and files and folders it drops
        self.extend_exclude: list[str] = [] if extend_exclude is None else extend_exclude
        self.source = source  # file the configuration came from
        self.raw: dict[str, Any] = {} if raw is None else raw

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Config({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    def ignored_for(self, rel: str) -> list[str]:
        out: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern + "/*"):
                out.extend(codes)
        return out


def load_config(root: Path) -> Config:
    """Read the root's configuration; a syntax or type error raises :class:`ConfigError`.

    ``shiplint.toml`` wins over ``[tool.shiplint]`` when both exist.
    """
    candidates = [(root / "shiplint.toml", ()), (root / "pyproject.toml", ("tool", "shiplint"))]
    for path, prefix in candidates:
        text = _read_config_text(root, path)
        if text is None:
            continue  # absent, or unreadable: the rules report the file itself
        try:
            data: Any = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, MemoryError):
            if prefix:
                continue  # a broken pyproject.toml is a finding, not a config error
            raise ConfigError(f"{path}: invalid TOML") from None
        for key in prefix:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [{'.'.join(prefix)}] must be a table")
        where = f"{path.name}" + (f" [{'.'.join(prefix)}]" if prefix else "")
        config = _from_table(data, where)
        for key in ("extend-include", "extend-exclude"):
            if key in data:
                line = _key_line(text, ".".join(prefix), key)
                at = f"{path.name}:{line}" if line is not None else path.name
                at += f" [{'.'.join(prefix)}]" if prefix else ""
                setattr(config, key.replace("-", "_"), _globs(data[key], key, at))
        return config
    return Config()


def _read_config_text(root: Path, path: Path) -> str | None:
    """The text of a configuration file, or None when discovery would not read it either:
    absent, not a regular file, a symlink leaving the root, too large (over the default
    size limit: the limit cannot come from a file that is itself too large), unreadable
    or not UTF-8."""
    try:
        if not path.is_file():
            return None
        if path.is_symlink():
            real, root_real = os.path.realpath(path), os.path.realpath(root)
            if not real.startswith(root_real.rstrip(os.sep) + os.sep):
                return None
        if path.stat().st_size > DEFAULT_MAX_FILE_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read(DEFAULT_MAX_FILE_BYTES + 1)
        if len(data) > DEFAULT_MAX_FILE_BYTES or b"\x00" in data:
            return None
        return data.decode("utf-8-sig")
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return None


def _size(value: Any, where: str) -> int:
    """``max-file-size``: a number of bytes, or a string such as ``"10 MB"`` or ``"512 KB"``."""
    size: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str):
        match = _SIZE_RE.fullmatch(value)
        if match is not None:
            unit = match.group(2).lower()
            factor = _SIZE_UNITS.get(unit, 1024 * 1024)
            size = int(match.group(1)) * factor
    if size is None or size <= 0:
        raise ConfigError(
            f"{where}: max-file-size must be a positive number of bytes "
            'or a size such as "10 MB" or "512 KB"'
        )
    return size


def _from_table(data: dict[str, Any], where: str) -> Config:
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        known = ", ".join(sorted(KNOWN_KEYS))
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {known})")
    config = Config(source=where, raw=data)
    if "select" in data:
        config.select = _str_list(data["select"], "select", where)
    config.ignore = _str_list(data.get("ignore", []), "ignore", where)
    config.extend_select = _str_list(data.get("extend-select", []), "extend-select", where)
    if "fail-on" in data:
        try:
            config.fail_on = Severity.parse(str(data["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{where}: fail-on: {exc}") from None
    for key in ("expiry-warning-days", "verification-max-age-days"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{where}: {key} must be a whole number of days (>= 0)")
            setattr(config, key.replace("-", "_"), value)
    if "max-file-size" in data:
        config.max_file_size = _size(data["max-file-size"], where)
    if "release-docs" in data:
        docs = data["release-docs"]
        if not isinstance(docs, str) or not docs.strip() or docs.startswith(("/", "..")):
            raise ConfigError(f"{where}: release-docs must be a path inside the repository")
        config.release_docs = docs
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
    for pattern, codes in pfi.items():
        config.per_file_ignores[pattern] = _str_list(codes, f"per-file-ignores.{pattern}", where)
    return config


def _str_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: {key} must be a list of rule codes or names")


def _key_line(text: str, table: str, key: str) -> int | None:
    """The line where ``key`` is set in ``[table]`` ("" for the top level) of TOML
    ``text`` (for error messages; None when it is written in a form this does not read)."""
    current = ""
    header = _HEADER_RE
    for number, line in enumerate(text.splitlines(), 1):
        found = header.match(line)
        if found is not None:
            current = re.sub(r"[\s\"']", "", found.group(1))
            continue
        if current == table and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return None


def _globs(value: Any, key: str, where: str) -> list[str]:
    """``extend-include``/``extend-exclude``: a list of glob patterns relative to the root."""
    from shiplint.discover.gitignore import glob_regex, normalise_glob

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{where}: {key} must be a list of glob patterns relative to the root "
            '(e.g. ["docs/workflows/*.yml"])'
        )
    for pattern in value:
        body = normalise_glob(pattern)
        if not body or body == ".":
            raise ConfigError(f"{where}: {key}: {pattern!r} names no file")
        if ".." in body.split("/"):
            raise ConfigError(f"{where}: {key}: {pattern!r} leaves the repository")
        if glob_regex(body) is None:
            raise ConfigError(
                f"{where}: {key}: {pattern!r} is not a valid glob "
                "(an unclosed `[`, or a trailing backslash)"
            )
    return list(value)
