"""The rule registry: every rule family, the file kinds it reads, and each rule by code and name.

Rule families are modules (or packages) of ``shiplint.rules``; importing one registers its
rules. An audit imports only the families whose file kinds the project has
(:func:`rules_for`); selecting rules by code or name reads :mod:`shiplint.rules.index`, a
generated list of every rule's code, name and family, and imports nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from shiplint.rules.index import RULES

if TYPE_CHECKING:
    from shiplint.rules.base import Rule

#: a family that may report on any project (it reads the model of every kind of file, or
#: reports on the project as a whole), so it is always imported
ANY = "any"
_GITHUB = ("workflow", "action")
_BUILD = ("pyproject", "setup-cfg", "setup-py")

#: Rule families, in documentation order, with the file kinds (as shiplint.discover assigns
#: them) without which none of their rules can report anything.
RULE_MODULES: dict[str, tuple[str, ...]] = {
    "general": (ANY,),
    "targets": (ANY,),
    "publish_action": _GITHUB,
    "action_pins": _GITHUB,
    # GitLab CI trusted publishing (SL308, SL309) is read from .gitlab-ci.yml ("ci")
    "trusted_publishing": (*_GITHUB, "ci"),
    "secrets": (ANY,),
    "tokens": (ANY,),
    "anaconda": (ANY,),
    "artifacts": _GITHUB,
    "metadata": (ANY,),
    # the backend and its metadata version come from these files (pkg/build_backend.py)
    "metadata_version": _BUILD,
    # every rule returns early unless these files declare a static or VCS version
    "versioning": _BUILD,
    "deploy": (ANY,),
    # uploads run by a tox environment, which only a tox configuration declares
    "tox_envs": ("tox-ini", "tox-toml", "setup-cfg", "pyproject"),
    "poetry_repositories": (ANY,),
    "upload_token_skip": (ANY,),
    "upload_errexit": (ANY,),
    "upload_target_branch": (ANY,),
    "nightly_schedule": _GITHUB,
    "release_triggers": _GITHUB,
    # catalogued publishers (SL211) and maturin's upload commands anywhere (SL212)
    "publishers": (ANY,),
}

_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the registry (codes and names must be unique)."""
    for other in _REGISTRY.values():
        if other.code == cls.code or other.name == cls.name:
            raise ValueError(f"duplicate rule {cls.code} {cls.name}")
    _REGISTRY[cls.code] = cls
    return cls


def family_of(cls: type[Rule]) -> str:
    """The family (a key of :data:`RULE_MODULES`) whose module defines rule ``cls``."""
    parts = cls.__module__.split(".")
    family = parts[2] if len(parts) > 2 and parts[:2] == ["shiplint", "rules"] else ""
    if family not in RULE_MODULES:
        raise ValueError(f"rule {cls.code} is defined outside the rule families")
    return family


def _import(families: Iterable[str]) -> None:
    for family in families:
        __import__(f"shiplint.rules.{family}")  # (unlike importlib, seen by -X importtime)


@functools.lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule, by code (imports every family)."""
    _import(RULE_MODULES)
    return tuple(sorted(_REGISTRY.values(), key=lambda r: r.code))


def families_for(kinds: Iterable[str]) -> tuple[str, ...]:
    """The families that may report on a project holding files of these kinds."""
    present = set(kinds) | {ANY}
    return tuple(f for f, needs in RULE_MODULES.items() if present.intersection(needs))


@functools.lru_cache(maxsize=64)
def _rules_of(families: frozenset[str]) -> tuple[type[Rule], ...]:
    _import(sorted(families))
    rules = (r for r in _REGISTRY.values() if family_of(r) in families)
    return tuple(sorted(rules, key=lambda r: r.code))


def rules_for(kinds: Iterable[str], codes: Iterable[str] | None = None) -> tuple[type[Rule], ...]:
    """The rules, by code, that may report on a project holding files of these ``kinds``
    (only their families are imported); with ``codes``, only the families of those rules."""
    families = set(families_for(kinds))
    if codes is not None:
        wanted = set(codes)
        families &= {family for code, _name, family in RULES if code in wanted}
    return _rules_of(frozenset(families))


def code_of(key: str) -> str | None:
    """The code of the rule with exact code (case-insensitive) or name ``key``."""
    wanted = key.strip()
    for code, name, _family in RULES:
        if code.lower() == wanted.lower() or name == wanted.lower():
            return code
    return None


def by_key(key: str) -> type[Rule] | None:
    """A rule by exact code (case-insensitive) or name (imports its family only)."""
    code = code_of(key)
    if code is None:
        return None
    for _code, _name, family in RULES:
        if _code == code:
            _import([family])
    return _REGISTRY.get(code)


def matching(prefixes: list[str]) -> set[str]:
    """Codes of the rules whose code or name starts with one of ``prefixes``."""
    out: set[str] = set()
    for prefix in prefixes:
        p = prefix.strip()
        if not p:
            continue
        if p.upper() == "ALL":
            out.update(code for code, _name, _family in RULES)
            continue
        for code, name, _family in RULES:
            if code.upper().startswith(p.upper()) or name.startswith(p.lower()):
                out.add(code)
    return out


def index_text() -> str:
    """The text of :mod:`shiplint.rules.index` for the rules as they are defined."""
    rows = "".join(f'    ("{r.code}", "{r.name}", "{family_of(r)}"),\n' for r in all_rules())
    return (
        '"""Every rule\'s code, name and family, so that selecting rules imports none of them.\n'
        "\n"
        "Generated from the rule classes; a test checks that it is current. After adding or\n"
        "renaming a rule, regenerate it:\n"
        "\n"
        "    python -c 'import shiplint.rules as r; r.write_index()'\n"
        '"""\n'
        "\n"
        "RULES: tuple[tuple[str, str, str], ...] = (\n"
        f"{rows}"
        ")\n"
    )


def write_index() -> None:
    """Regenerate :mod:`shiplint.rules.index`."""
    import os

    path = os.path.join(os.path.dirname(__file__), "index.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(index_text())
