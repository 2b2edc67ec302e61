"""PEP 508 requirement strings and PEP 503 project names, read without loading
``packaging.requirements`` for the common case.

``packaging.requirements`` imports ``packaging.markers``, ``packaging.utils`` and
``packaging.tags`` (and with them ``subprocess``, ``logging``, ``platform``): more than the
rest of a cold run needs to read a ``[build-system] requires`` entry such as
``setuptools>=61``. :func:`parse_requirement` reads a plain ``name``, ``name<spec>`` or
``name[extras]<spec>`` itself and hands anything else (markers, URLs, parentheses, odd
spacing) to ``packaging``, so the result is always what ``packaging.requirements.Requirement``
gives (``tests/test_pkg_requirements.py`` compares the two).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from shiplint.lazyre import LazyPattern

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

#: the core-metadata ``Name`` (what ``canonicalize_name(validate=True)`` accepts)
_VALID_NAME = LazyPattern(r"[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9]", re.IGNORECASE | re.ASCII)
#: name, optional extras, optional specifier list: nothing that needs the full grammar
_PLAIN = LazyPattern(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
    r"(?:\[(?P<extras>[A-Za-z0-9._,\s-]*)\])?"
    r"(?P<spec>(?:~=|==|!=|<=|>=|<|>|===)[A-Za-z0-9.*+!_\-<>=~,\s]*)?"
)
_EXTRA = LazyPattern(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


class Requirement(NamedTuple):
    """The parts of a requirement shiplint reads."""

    name: str
    extras: frozenset[str]
    specifier: SpecifierSet
    url: str | None
    #: the environment marker as written after ``;`` (None without one)
    marker: str | None


def canonical_name(name: str) -> str:
    """A project name normalized as PEP 503 (and ``packaging.utils.canonicalize_name``) does."""
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


def valid_name(name: str) -> bool:
    """Whether ``name`` is a valid distribution name (core metadata ``Name``)."""
    return _VALID_NAME.fullmatch(name) is not None


def parse_requirement(text: str) -> Requirement | None:
    """``text`` as a PEP 508 requirement, or None when ``packaging`` would reject it."""
    stripped = text.strip()
    match = _PLAIN.fullmatch(stripped)
    spec_text = match.group("spec") if match is not None else None
    if match is not None and not (spec_text and any(not s.strip() for s in spec_text.split(","))):
        extras = match.group("extras")
        names = [e.strip() for e in extras.split(",")] if extras else []
        if all(_EXTRA.fullmatch(e) for e in names):
            from packaging.specifiers import InvalidSpecifier, SpecifierSet

            try:
                spec = SpecifierSet(spec_text or "")
            except InvalidSpecifier:
                spec = None
            if spec is not None:
                return Requirement(match.group("name"), frozenset(names), spec, None, None)
    return _parse_full(stripped)


def _parse_full(text: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Full

    try:
        req = Full(text)
    except InvalidRequirement:
        return None
    marker = str(req.marker) if req.marker is not None else None
    return Requirement(req.name, frozenset(req.extras), req.specifier, req.url, marker)
