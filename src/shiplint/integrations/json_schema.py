"""The JSON Schema (Draft 7) of ``[tool.shiplint]``, deploy records included, and the
validate-pyproject plugin that serves it.

The schema is built from the definitions the code enforces: the deploy record from
:data:`shiplint.deploy.schema.KEYS` (type, choices, doc of every key, the required keys, the
``TODO`` placeholder, the index names, the Anaconda.org hosts of the facts); the
configuration keys from :data:`CONFIG_KEYS` below, whose names a test holds equal to
:data:`shiplint.config.KNOWN_KEYS`. What the code tests in Python rather than in a table
(:func:`shiplint.deploy.record.looks_like_secret_name`, the ``max-file-size`` and glob
checks of :mod:`shiplint.config`) is mirrored as patterns here, and tests/test_json_schema.py
holds every constraint to ``shiplint check``'s verdict in both directions. The descriptions
carry the docs, so editors show them on hover.

Two renderings differ only in TOML dates. An editor (taplo / Even Better TOML) and other
TOML-to-JSON validators see a date as a string; validate-pyproject validates what
``tomllib`` returns, where a date is a ``datetime.date`` (no JSON type) and a quoted date a
string. The shipped file (``dates="portable"``, ``data/tool-shiplint.schema.json``) takes
either form, so no consumer rejects a real date; the validate-pyproject plugin
(``dates="python"``) takes only a value of no JSON type, and so rejects a quoted date, as
``shiplint check`` does (SL816).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from shiplint.deploy.schema import INDEXES, KEYS, PLACEHOLDER, REQUIRED, Key

DRAFT_7 = "http://json-schema.org/draft-07/schema#"
#: where the shipped file is published (its ``$id``)
SCHEMA_ID = (
    "https://raw.githubusercontent.com/shiplint/shiplint/main/"
    "src/shiplint/data/tool-shiplint.schema.json"
)
PYPROJECT_ID = SCHEMA_ID.replace("tool-shiplint.", "pyproject-shiplint.")
#: the ``$id`` of the rendering validate-pyproject loads (another document: dates differ)
PLUGIN_ID = "https://github.com/shiplint/shiplint/blob/main/docs/schema.md"
#: the shipped files, relative to the package
SCHEMA_FILES = {
    "tool": "data/tool-shiplint.schema.json",
    "pyproject": "data/pyproject-shiplint.schema.json",
}

Dates = Literal["portable", "python"]

#: every JSON type: a value of none of them is a TOML date or time as Python reads it
_JSON_TYPES = ["array", "boolean", "null", "number", "object", "string"]
#: a non-empty string (``str.strip()`` leaves something; Python's ``\S`` is its complement)
_NON_BLANK = r"\S"


def _anycase(word: str) -> str:
    """A regex matching ``word`` in any case, without flags (JSON Schema has none)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


#: :func:`shiplint.deploy.record.looks_like_secret_name`: a CI secret's name, not a token
#: (no token prefix; not 30+ characters mixing upper case, lower case and digits)
_SECRET_NAME = {
    "pattern": r"^\s*(?:secrets\.)?[A-Za-z_][A-Za-z0-9_.]*\s*$",
    "not": {
        "anyOf": [
            {
                "pattern": rf"^\s*(?:{_anycase('pypi-')}|{_anycase('gh')}[pPoOuUsSrR]_"
                rf"|{_anycase('github_pat_')})"
            },
            {
                "allOf": [
                    {"pattern": r"\S{30}"},
                    {"pattern": "[a-z]"},
                    {"pattern": "[A-Z]"},
                    {"pattern": "[0-9]"},
                ]
            },
        ]
    },
}


#: a value still to be filled in: a ``"TODO ..."`` string, or a list holding one (at any
#: depth), whatever the key's type (:func:`shiplint.deploy.schema.is_placeholder`)
_TODO_REF = {"$ref": "#/definitions/placeholder"}
_TODO = {
    "description": 'A value still to be filled in: "TODO ..." (SL802 reports it).',
    "anyOf": [
        {"type": "string", "pattern": rf"^\s*{_anycase(PLACEHOLDER)}(?:$|[^\w.-])"},
        {"type": "array", "contains": _TODO_REF},
    ],
}


def _key_schema(key: Key, dates: Dates) -> dict[str, Any]:
    """One deploy-record key: its valid values, or a ``TODO`` placeholder."""
    valid: dict[str, Any]
    if key.kind == "list":
        valid = {"type": "array", "items": {"type": "string", "pattern": _NON_BLANK}}
    elif key.kind == "date":
        valid = {"not": {"type": _JSON_TYPES}}  # a date as tomllib reads it
        if dates == "portable":  # ... or as an editor sees it
            valid = {"anyOf": [{"type": "string", "format": "date"}, valid]}
    elif key.choices:
        valid = {"type": "string", "enum": list(key.choices)}
    elif key.name == "index":
        valid = {"type": "string", "anyOf": [{"enum": list(INDEXES)}, {"pattern": "^https?://"}]}
    elif key.name == "secret":
        valid = {"type": "string", **_SECRET_NAME}
    else:
        valid = {"type": "string", "pattern": _NON_BLANK}
    return {"description": key.doc, "anyOf": [valid, _TODO_REF]}


def _anaconda_index() -> dict[str, Any]:
    """An ``index`` that names Anaconda.org (:func:`shiplint.pkg.upload_commands.index_of_url`:
    the name, or an upload URL on a host of the facts' ``[anaconda] hosts``)."""
    from shiplint import facts

    hosts = "|".join(
        _anycase(host).replace(".", r"\.") for host in facts.toml_data()["anaconda"]["hosts"]
    )
    return {
        "anyOf": [
            {"const": "anaconda"},
            {
                "type": "string",
                "pattern": rf"^https?://(?:[^/]*@)?(?:[^/:@]*\.)?(?:{hosts})"
                r"(?::[^/@]*)?(?:[/\s\"']|$)",
            },
        ]
    }


def record_schema(dates: Dates = "portable") -> dict[str, Any]:
    """One deploy record, ``[tool.shiplint.deploy.<name>]``; an Anaconda.org record has no
    trusted publishing (SL816)."""
    return {
        "type": "object",
        "description": (
            "A deploy-account record: one upload destination and the credential it uses. "
            'Values shiplint init could not know are "TODO ..." placeholders.'
        ),
        "required": list(REQUIRED),
        "additionalProperties": False,
        "properties": {key.name: _key_schema(key, dates) for key in KEYS},
        "if": {"required": ["index"], "properties": {"index": _anaconda_index()}},
        "then": {"properties": {"auth": {"not": {"const": "trusted-publishing"}}}},
    }


def _codes(doc: str) -> dict[str, Any]:
    return {
        "description": doc,
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }


def _globs(doc: str) -> dict[str, Any]:
    """``extend-include``/``extend-exclude`` (:func:`shiplint.config._globs`): patterns that
    name a file, stay inside the repository and do not end in a lone backslash. Whether a
    ``[...]`` class is closed is left to shiplint (exit 2)."""
    return {
        "description": doc,
        "type": "array",
        "items": {
            "type": "string",
            "not": {
                "anyOf": [
                    {"pattern": r"^\s*(?:\./)*/*\.?/*\s*$"},  # names no file
                    {"pattern": r"(?:^\s*|/)\.\.(?:/|\s*$)"},  # leaves the repository
                    {"pattern": r"(?:^|[^\\])(?:\\\\)*\\/*\s*$"},  # a trailing backslash
                ]
            },
        },
    }


def _days(doc: str) -> dict[str, Any]:
    return {"description": doc, "type": "integer", "minimum": 0}


_SIZE_UNITS = ("", "b", "byte", "bytes", "kb", "kib", "mb", "mib")

#: the ``[tool.shiplint]`` keys besides ``deploy``: the schema of each, with its doc
CONFIG_KEYS: dict[str, dict[str, Any]] = {
    "select": _codes(
        "Rules to run, by code or name, prefix match (`SL1`, `secrets-`, `ALL`); "
        "default: every rule."
    ),
    "ignore": _codes("Rules not to run, by code or name, prefix match."),
    "extend-select": _codes("Rules to run in addition to `select`, by code or name."),
    "fail-on": {
        "description": 'Lowest severity that fails the run: "error", "warning" (default) '
        'or "info".',
        "type": "string",
        "anyOf": [
            {"enum": ["error", "warning", "info"]},
            {
                "pattern": rf"^\s*(?:{'|'.join(_anycase(s) for s in ('error', 'warning', 'info'))})"
                r"\s*$"
            },
        ],
    },
    "per-file-ignores": {
        "description": "Rules not to run on some files: a table of glob = [codes].",
        "type": "object",
        "additionalProperties": _codes("Rules not to run on files matching this glob."),
    },
    "expiry-warning-days": _days(
        "Deploy record: warn this many days before a token expires (default 30)."
    ),
    "verification-max-age-days": _days(
        "Deploy record: warn when the owning account's email was last verified longer ago "
        "than this many days (default 365)."
    ),
    "release-docs": {
        "description": "The Markdown file `shiplint docs` renders the deploy record into "
        '(default "RELEASING.md"): a path inside the repository.',
        "type": "string",
        "pattern": _NON_BLANK,
        "not": {"pattern": r"^(?:/|\.\.)"},
    },
    "max-file-size": {
        "description": 'The largest file shiplint reads (default "5 MB"): a number of bytes, '
        'or a size such as "512 KB" or "20 MB". A bigger file is reported (SL006) and skipped.',
        "anyOf": [
            {"type": "integer", "minimum": 1},
            {
                "type": "string",
                "pattern": rf"^\s*\d*[1-9]\d*\s*(?:{'|'.join(_anycase(u) for u in _SIZE_UNITS)})"
                r"\s*$",
            },
        ],
    },
    "extend-include": _globs(
        "Glob patterns relative to the root (ruff's semantics) of files discovery would not "
        "find: YAML that is a workflow is audited as an example workflow, `*.sh` as a shell "
        "script."
    ),
    "extend-exclude": _globs(
        "Glob patterns relative to the root (ruff's semantics) of files and folders not to audit."
    ),
}


def build_schema(dates: Dates = "portable") -> dict[str, Any]:
    """The schema of the whole ``[tool.shiplint]`` table."""
    properties = dict(CONFIG_KEYS)
    properties["deploy"] = {
        "description": "The deploy-account record: one table per upload destination and "
        "credential, checked against the workflows by SL801-SL818.",
        "type": "object",
        "additionalProperties": record_schema(dates),
    }
    return {
        "$schema": DRAFT_7,
        "$id": SCHEMA_ID if dates == "portable" else PLUGIN_ID,
        "title": "shiplint",
        "description": "shiplint's configuration ([tool.shiplint] in pyproject.toml, or the "
        "top level of shiplint.toml) and its deploy-account record.",
        "type": "object",
        "additionalProperties": False,
        "properties": {name: properties[name] for name in sorted(properties)},
        "definitions": {"placeholder": _TODO},
    }


def pyproject_schema() -> dict[str, Any]:
    """A schema for a whole ``pyproject.toml`` that checks only ``[tool.shiplint]``: taplo
    applies a schema to the whole document (a rule's ``keys`` do not scope it)."""
    table = build_schema("portable")
    definitions = table.pop("definitions")
    del table["$schema"], table["$id"]
    return {
        "$schema": DRAFT_7,
        "$id": PYPROJECT_ID,
        "title": "pyproject.toml, [tool.shiplint] only",
        "description": "Checks [tool.shiplint] of a pyproject.toml with shiplint's schema "
        "and accepts every other table as it is.",
        "type": "object",
        "properties": {"tool": {"type": "object", "properties": {"shiplint": table}}},
        "definitions": definitions,
    }


def schema_text(which: Literal["tool", "pyproject"] = "tool") -> str:
    """A shipped file's text: the portable rendering of the table, or the pyproject wrapper."""
    schema = build_schema("portable") if which == "tool" else pyproject_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def validate_pyproject_schema(tool_name: str) -> dict[str, Any]:
    """shiplint's [tool.shiplint] table: configuration and deploy-account record."""
    # validate-pyproject's `validate_pyproject.tool_schema` entry point: called with the tool
    # name, it returns the schema of [tool.<name>] (with its `$id`); the docstring is its help
    return build_schema("python")


if __name__ == "__main__":  # python -m shiplint.integrations.json_schema [pyproject]
    import sys

    sys.stdout.write(schema_text("pyproject" if sys.argv[1:] == ["pyproject"] else "tool"))
