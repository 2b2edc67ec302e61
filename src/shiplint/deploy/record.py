"""Read the deploy records of a root, with the position of every key and value.

Records live where the configuration lives: ``shiplint.toml`` (``[deploy.<name>]``) when
it exists, else ``pyproject.toml`` (``[tool.shiplint.deploy.<name>]``).  Reading never
raises: anything malformed (a record that is not a table, an unknown key, a value of the
wrong type, a missing required key) becomes a :class:`Problem` with a position, and the
offending value is treated as absent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shiplint.deploy.schema import BY_NAME, INDEXES, KEYS, REQUIRED, is_placeholder
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.pkg.upload_commands import index_of_url

if TYPE_CHECKING:
    from shiplint.parse.tomlpos import TomlDoc, TomlPath
    from shiplint.project import Project
    from shiplint.source import SourceFile

_DATE_TEXT = LazyPattern(r"\d{4}-\d{2}-\d{2}")
#: a CI secret's name (GitHub: letters, digits, ``_``; ``secrets.X`` as written in YAML)
_SECRET_NAME = LazyPattern(r"(?:secrets\.)?[A-Za-z_][A-Za-z0-9_.]*")
#: the start of a token rather than a name: PyPI, GitHub
_TOKEN_START = LazyPattern(r"(?:pypi-|gh[pousr]_|github_pat_)", re.IGNORECASE)


def looks_like_secret_name(value: str) -> bool:
    """``value`` names a CI secret, rather than holding a credential itself.

    Names are identifiers (``PYPI_API_TOKEN``); tokens have dashes (PyPI's ``pypi-Ag...``,
    anaconda.org's), a known prefix, or are long runs of mixed-case letters and digits.
    """
    text = value.strip()
    if not _SECRET_NAME.fullmatch(text) or _TOKEN_START.match(text):
        return False
    mixed = any(c.islower() for c in text) and any(c.isupper() for c in text)
    return not (len(text) >= 30 and mixed and any(c.isdigit() for c in text))


def normalise_index(text: str) -> str:
    """``pypi``/``testpypi``/``anaconda`` for their URLs, else the URL without a final ``/``."""
    known = index_of_url(text)
    if known is not None:
        return known
    lowered = text.strip()
    scheme, sep, rest = lowered.partition("://")
    if sep:
        host, slash, path = rest.partition("/")
        lowered = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    return lowered.rstrip("/")


@dataclass
class Problem:
    """A malformed part of the record: where, what, and the expected form."""

    loc: Loc
    message: str
    help: str


@dataclass
class DeployRecord:
    """One ``[... .deploy.<name>]`` table; invalid or placeholder values read as absent."""

    name: str
    doc: TomlDoc
    path: TomlPath  # the table's path in the document
    values: dict[str, Any] = field(default_factory=dict)  # valid, filled-in values only
    placeholders: set[str] = field(default_factory=set)  # keys still holding "TODO ..."
    invalid: set[str] = field(default_factory=set)

    @property
    def source(self) -> SourceFile:
        return self.doc.src

    @property
    def header(self) -> str:
        return "[" + ".".join(str(p) for p in self.path) + "]"

    # --- typed access -------------------------------------------------------------------
    def str_(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def list_(self, key: str) -> list[str] | None:
        value = self.values.get(key)
        return list(value) if isinstance(value, list) else None

    def date(self, key: str) -> dt.date | None:
        value = self.values.get(key)
        return value if isinstance(value, dt.date) else None

    @property
    def index(self) -> str | None:
        return self.str_("index")

    @property
    def normalised_index(self) -> str | None:
        """``pypi``, ``testpypi``, ``anaconda`` (also for their URLs) or the URL."""
        index = self.index
        return normalise_index(index) if index is not None else None

    @property
    def family(self) -> str:
        return "anaconda" if self.normalised_index == "anaconda" else "pypi"

    @property
    def on_pypi(self) -> bool:
        """The record is for PyPI or TestPyPI (whose accounts need a verified email)."""
        return self.normalised_index in ("pypi", "testpypi")

    @property
    def auth(self) -> str | None:
        return self.str_("auth")

    def has(self, key: str) -> bool:
        """Written with a valid, filled-in value (not missing, invalid or a placeholder)."""
        return key in self.values

    # --- positions ----------------------------------------------------------------------
    def table_loc(self) -> Loc:
        """The table's header (or its key, for an inline or dotted table)."""
        src = self.source
        pos = self.doc.table_pos(self.path) or self.doc.key_pos(self.path)
        if pos is None:
            pos = self.doc.best_pos(self.path)
        start = src.index(pos)
        end = (src.text or "").find("\n", start)
        return Loc(src, start, end if end >= 0 else len(src.text or ""))

    def key_loc(self, key: str) -> Loc | None:
        pos = self.doc.key_pos((*self.path, key))
        if pos is None:
            return None
        start = self.source.index(pos)
        return Loc(self.source, start, start + len(key))

    def value_loc(self, key: str) -> Loc | None:
        span = self.doc.value_span((*self.path, key))
        return Loc(self.source, *span) if span else None

    def item_loc(self, key: str, index: int) -> Loc | None:
        span = self.doc.value_span((*self.path, key, index))
        return Loc(self.source, *span) if span else None

    def loc(self, key: str) -> Loc:
        """The value of ``key`` if written, else its key, else the table header."""
        return self.value_loc(key) or self.key_loc(key) or self.table_loc()


@dataclass
class RecordSet:
    """The records of one root and the problems found reading them."""

    records: list[DeployRecord]
    problems: list[Problem]
    doc: TomlDoc | None  # the file the records belong in (None: neither file parses)
    prefix: TomlPath  # ("tool", "shiplint", "deploy") or ("deploy",)
    target: str  # file name new records go to
    target_exists: bool = False

    @property
    def unreadable(self) -> bool:
        """The records file exists but cannot be parsed (so its records are unknown)."""
        return self.doc is None and self.target_exists


def records_file(project: Project) -> tuple[str, tuple[str, ...]]:
    """The file records belong in, and the path of the deploy table inside it."""
    if "shiplint.toml" in project.by_rel or "pyproject.toml" not in project.by_rel:
        return "shiplint.toml", ("deploy",)
    return "pyproject.toml", ("tool", "shiplint", "deploy")


def load_records(project: Project) -> RecordSet:
    cached = project.memo.get("deploy-records")
    if isinstance(cached, RecordSet):
        return cached
    result = _load(project)
    project.memo["deploy-records"] = result
    return result


def _load(project: Project) -> RecordSet:
    target, prefix = records_file(project)
    src = project.by_rel.get(target)
    doc = project.toml(src) if src is not None and src.text is not None else None
    problems: list[Problem] = []
    records: list[DeployRecord] = []
    if target == "shiplint.toml":
        problems.extend(_shadowed(project))
    if doc is None:
        return RecordSet(records, problems, doc, prefix, target, src is not None)
    table = doc.get(prefix)
    if table is None:
        return RecordSet(records, problems, doc, prefix, target, src is not None)
    if not isinstance(table, dict):
        loc = _path_loc(doc, prefix)
        problems.append(
            Problem(
                loc,
                f"`{'.'.join(prefix)}` must be a table of deploy records",
                f"Write one table per upload destination: `[{'.'.join(prefix)}.pypi]`.",
            )
        )
        return RecordSet(records, problems, doc, prefix, target, src is not None)
    for name, body in table.items():
        path = (*prefix, name)
        if not isinstance(body, dict):
            problems.append(
                Problem(
                    _path_loc(doc, path),
                    f"deploy record `{name}` must be a table, not {_type_name(body)}",
                    f"Write it as `[{'.'.join(prefix)}.{name}]` with `index = ...` and "
                    "`auth = ...` below it.",
                )
            )
            continue
        record = DeployRecord(name, doc, path)
        _validate(record, body, problems)
        records.append(record)
    return RecordSet(records, problems, doc, prefix, target, src is not None)


def _shadowed(project: Project) -> list[Problem]:
    """Records in pyproject.toml are ignored when shiplint.toml exists: say so."""
    src = project.by_rel.get("pyproject.toml")
    doc = project.toml(src) if src is not None and src.text is not None else None
    if doc is None or "shiplint.toml" not in project.by_rel:
        return []
    path = ("tool", "shiplint", "deploy")
    if doc.get(path) is None:
        return []
    return [
        Problem(
            _path_loc(doc, path),
            "deploy records in pyproject.toml are ignored: shiplint.toml exists",
            "shiplint reads its configuration, and the deploy record, from shiplint.toml when "
            "that file exists. Move these tables there as `[deploy.<name>]`.",
        )
    ]


def _validate(record: DeployRecord, body: dict[str, Any], problems: list[Problem]) -> None:
    import difflib

    where = f"deploy record `{record.name}`"
    for key, value in body.items():
        spec = BY_NAME.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(BY_NAME), n=1)
            hint = f"Did you mean `{close[0]}`? " if close else ""
            known = ", ".join(k.name for k in KEYS)
            problems.append(
                Problem(
                    record.key_loc(key) or record.table_loc(),
                    f"unknown key `{key}` in {where}",
                    f"{hint}Known keys: {known} (see `shiplint explain malformed-deploy-record`).",
                )
            )
            continue
        if is_placeholder(value):
            record.placeholders.add(key)
            continue
        error = _type_error(spec.kind, value, key)
        if error is None and spec.choices and value not in spec.choices:
            choices = " or ".join(f'"{c}"' for c in spec.choices)
            error = f"expected {choices}"
        if error is None and key == "index" and not _valid_index(value):
            error = 'expected "pypi", "testpypi", "anaconda" or an upload URL (https://...)'
        if error is None and key == "secret" and not looks_like_secret_name(value):
            _mask(record, key)
            record.invalid.add(key)
            problems.append(
                Problem(
                    record.loc(key),
                    f"`secret` in {where} holds what looks like a credential, not the name "
                    "of a CI secret",
                    "Never write a token into the repository: revoke it on the index now (it "
                    "stays in the git history), store the new one as a CI secret and write "
                    'that secret\'s name here, e.g. secret = "PYPI_API_TOKEN".',
                )
            )
            continue
        if error is not None:
            record.invalid.add(key)
            problems.append(
                Problem(
                    record.loc(key),
                    f"`{key}` in {where}: {error}",
                    f"{spec.doc} Example: {_example(spec.kind, key)}",
                )
            )
            continue
        record.values[key] = value
    # one problem for both: findings of a rule at the same place are deduplicated
    missing = [key for key in REQUIRED if key not in body]
    if missing:
        problems.append(
            Problem(
                record.table_loc(),
                f"{where} has no " + " and no ".join(f"`{key}`" for key in missing),
                " ".join(f"{BY_NAME[k].doc} Example: {_example('str', k)}" for k in missing),
            )
        )


def _mask(record: DeployRecord, key: str) -> None:
    """Keep a credential written into the record out of every printed source line."""
    span = record.doc.string_span((*record.path, key))
    if span is not None and span not in record.source.secret_spans:
        record.source.secret_spans.append(span)


def _type_error(kind: str, value: Any, key: str) -> str | None:
    if kind == "str":
        if isinstance(value, str) and value.strip():
            return None
        return f"expected a non-empty string, got {_type_name(value)}"
    if kind == "list":
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return None
        return f"expected a list of strings, got {_type_name(value)}"
    # date
    if isinstance(value, dt.datetime):
        return "expected a date without a time of day"
    if isinstance(value, dt.date):
        return None
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
        text = value.strip()
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            # unquoted, it would not even parse: say so rather than suggest that
            return (
                f'"{text}" is not a real date (month 01-12, a day that month has); '
                f"write a real date, unquoted, in the form {key} = 2024-05-01"
            )
        return f"expected a TOML date, got a string: write it without quotes, {key} = {text}"
    return f"expected a date (YYYY-MM-DD), got {_type_name(value)}"


def _valid_index(value: str) -> bool:
    return value in INDEXES or value.startswith(("https://", "http://"))


def _example(kind: str, key: str) -> str:
    samples = {
        "index": '`index = "pypi"`',
        "auth": '`auth = "token"`',
        "account-kind": '`account-kind = "personal"`',
        "scopes": '`scopes = ["api:read", "api:write", "pypi:upload"]`',
        "maintainers": '`maintainers = ["alice", "bob"]`',
    }
    if key in samples:
        return samples[key]
    if kind == "date":
        return f"`{key} = 2027-05-01`"
    if kind == "list":
        return f'`{key} = ["..."]`'
    return f'`{key} = "..."`'


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (dt.date, dt.time)):
        return "a date/time"
    return type(value).__name__


def _path_loc(doc: TomlDoc, path: TomlPath) -> Loc:
    src = doc.src
    pos = doc.table_pos(path) or doc.key_pos(path) or doc.best_pos(path)
    start = src.index(pos)
    return Loc(src, start, start + 1)
