"""The rule registry: every rule class, by code and by name."""

from __future__ import annotations

import functools
import importlib

from shiplint.rules.base import Rule

#: Modules that define rules, in documentation order.
RULE_MODULES = (
    "general",
    "targets",
    "publish_action",
    "action_pins",
    "trusted_publishing",
    "secrets",
    "tokens",
    "anaconda",
    "artifacts",
    "metadata",
    "metadata_version",
    "versioning",
    "deploy",
    "tox_envs",
    "poetry_repositories",
    "upload_token_skip",
    "upload_errexit",
    "upload_target_branch",
    "nightly_schedule",
    "release_triggers",
)

_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the registry (codes and names must be unique)."""
    for other in _REGISTRY.values():
        if other.code == cls.code or other.name == cls.name:
            raise ValueError(f"duplicate rule {cls.code} {cls.name}")
    _REGISTRY[cls.code] = cls
    return cls


@functools.lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    for module in RULE_MODULES:
        importlib.import_module(f"shiplint.rules.{module}")
    return tuple(sorted(_REGISTRY.values(), key=lambda r: r.code))


def by_key(key: str) -> type[Rule] | None:
    """A rule by exact code (case-insensitive) or name."""
    wanted = key.strip()
    for rule in all_rules():
        if rule.code.lower() == wanted.lower() or rule.name == wanted.lower():
            return rule
    return None


def matching(prefixes: list[str]) -> set[str]:
    """Codes of the rules whose code or name starts with one of ``prefixes``."""
    out: set[str] = set()
    for prefix in prefixes:
        p = prefix.strip()
        if not p:
            continue
        if p.upper() == "ALL":
            out.update(r.code for r in all_rules())
            continue
        for rule in all_rules():
            if rule.code.upper().startswith(p.upper()) or rule.name.startswith(p.lower()):
                out.add(rule.code)
    return out
