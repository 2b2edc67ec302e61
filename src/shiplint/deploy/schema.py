"""The keys of a deploy record: type, meaning and when they are needed.

One table per upload destination and credential, in ``[tool.shiplint.deploy.<name>]`` of
``pyproject.toml`` or ``[deploy.<name>]`` of a root ``shiplint.toml``.  This catalogue is
the single description of the format: the validator, ``shiplint explain`` and the README
all read it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from shiplint.lazyre import LazyPattern

#: A string value starting with this marks a value ``shiplint init`` could not know.
PLACEHOLDER = "TODO"
_PLACEHOLDER_RE = LazyPattern(rf"{PLACEHOLDER}(?![\w.-])", re.IGNORECASE)

INDEXES = ("pypi", "testpypi", "anaconda")
AUTHS = ("trusted-publishing", "token")
ACCOUNT_KINDS = ("personal", "organization")


class Key(NamedTuple):
    name: str
    kind: str  # "str", "list", "date"
    doc: str
    choices: tuple[str, ...] = ()


KEYS: tuple[Key, ...] = (
    Key(
        "index",
        "str",
        'Required. Where the upload goes: `"pypi"`, `"testpypi"`, `"anaconda"` or an upload URL.',
    ),
    Key(
        "project",
        "str",
        "The PyPI project uploaded to (default: `[project].name`).",
    ),
    Key(
        "channel",
        "str",
        "Anaconda.org user or organization uploaded to, e.g. `scientific-python-nightly-wheels`.",
    ),
    Key("group", "str", "Anaconda.org group of that organization that grants upload rights."),
    Key(
        "auth",
        "str",
        'Required. `"trusted-publishing"` (OIDC, no stored token) or `"token"`.',
        AUTHS,
    ),
    Key(
        "workflow",
        "str",
        "Trusted publishing: the workflow file name in `.github/workflows` that PyPI trusts.",
    ),
    Key(
        "environment",
        "str",
        "Trusted publishing: the GitHub environment of the publisher (checked when set).",
    ),
    Key("secret", "str", "Token: the CI secret that holds it."),
    Key("account", "str", "Token: the index account that owns it."),
    Key(
        "account-kind",
        "str",
        '`"personal"` or `"organization"` (Anaconda.org tokens must be personal, SPEC 4).',
        ACCOUNT_KINDS,
    ),
    Key(
        "scopes",
        "list",
        "Token scopes as the index names them. Anaconda.org: `api:read`, `api:write`, "
        '`pypi:upload`; PyPI: `"account"` or `"project:NAME"`.',
    ),
    Key("token-expires", "date", "Token expiry date (TOML date, e.g. `2027-05-01`)."),
    Key(
        "email-verified",
        "date",
        "PyPI/TestPyPI token uploads: the date the owning account's primary email was last "
        "seen verified.",
    ),
    Key(
        "maintainers",
        "list",
        "People who can regenerate the credential or fix the account (two or more).",
    ),
    Key("notes", "str", "Free text."),
)

BY_NAME = {key.name: key for key in KEYS}
#: Keys every record names (a placeholder counts): without them it cannot be matched.
REQUIRED = ("index", "auth")

#: Keys a token record needs, per index; the seed incidents needed exactly these.
#: ``email-verified`` is a PyPI/TestPyPI account property: a private index (``other``)
#: has no such rule.
TOKEN_NEEDS = {
    "pypi": ("account", "email-verified"),
    "testpypi": ("account", "email-verified"),
    "anaconda": ("channel", "account", "group", "token-expires"),
    "other": ("account",),
}
#: Keys a trusted-publishing record needs.
TRUSTED_NEEDS = ("workflow",)


def keys_markdown() -> str:
    """The key table for the README and ``shiplint explain``."""
    rows = ["| key | type | meaning |", "| --- | --- | --- |"]
    for key in KEYS:
        kind = {"str": "string", "list": "list of strings", "date": "date"}[key.kind]
        rows.append(f"| `{key.name}` | {kind} | {key.doc} |")
    return "\n".join(rows)


def is_placeholder(value: object) -> bool:
    """A ``"TODO ..."`` string, or a list holding one: a value still to be filled in."""
    if isinstance(value, list):
        return any(is_placeholder(v) for v in value)
    # the word TODO, not a name that starts with it (`todoist-api-python`, `todo-bot`)
    return isinstance(value, str) and _PLACEHOLDER_RE.match(value.strip()) is not None
