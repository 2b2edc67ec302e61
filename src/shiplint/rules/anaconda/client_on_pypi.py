"""SL603 anaconda-client-not-on-pypi: a pip install of an anaconda-client release
that is not on PyPI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.pkg.requirements import parse_requirement
from shiplint.rules import register
from shiplint.rules.anaconda.common import (
    _arg_spot,
    _conda_env_specs,
    _pip_install_args,
    _Spot,
    _version_or_none,
    _words,
    anaconda_commands,
)
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import ShellCommand
    from shiplint.project import Project


def _client_requirement(text: str) -> tuple[int, int, SpecifierSet] | None:
    """``text`` as a PEP 508 requirement on anaconda-client with a version specifier: the span
    of the name and the specifier (None for other packages, URLs, markers, bare names)."""
    stripped = text.strip()
    match = re.match(r"(?P<name>anaconda[-_.]client)(?![\w.-])", stripped, re.IGNORECASE)
    if match is None:
        return None
    req = parse_requirement(stripped)
    if req is None:
        return None
    if req.url or req.marker is not None or not req.specifier:
        return None  # a direct reference, or a requirement that may not apply
    lead = len(text) - len(text.lstrip())
    return lead, lead + len(match.group("name")), req.specifier


def _upper_bound(spec: SpecifierSet) -> Version | None:
    """A version that every release ``spec`` admits is below (or equal to); None if unbounded."""
    bounds: list[Version] = []
    for clause in spec:
        op, text = clause.operator, clause.version
        if op in ("==", "===") and text.endswith(".*"):
            parts = [int(p) for p in text[:-2].split(".") if p.isdigit()]
            if parts and len(parts) == len(text[:-2].split(".")):
                parts[-1] += 1
                bounds.append(Version(".".join(map(str, parts))))
            continue
        version = _version_or_none(text)
        if version is None:
            continue
        if op in ("==", "===", "<", "<="):
            bounds.append(version)
        elif op == "~=":
            release = list(version.release[:-1])
            if release:
                release[-1] += 1
                bounds.append(Version(".".join(map(str, release))))
    return min(bounds) if bounds else None


def _not_on_pypi(spec: SpecifierSet) -> bool:
    """Whether ``spec`` admits no anaconda-client release on PyPI, known or still to come."""
    releases = facts_mod.anaconda().pypi_releases
    if not releases:
        return False
    if any(spec.contains(v, prereleases=True) for v in releases):
        return False
    bound = _upper_bound(spec)
    return bound is not None and bound <= releases[-1]


#: pip / uv options and environment variables that add or replace the package index
_INDEX_OPTIONS = _words(
    "-i --index-url --extra-index-url -f --find-links --no-index --index --default-index"
)
_INDEX_ENV = LazyPattern(
    r"^(?:PIP_(?:EXTRA_)?INDEX_URL|PIP_FIND_LINKS|PIP_NO_INDEX"
    r"|UV_(?:EXTRA_|DEFAULT_)?INDEX(?:_URL)?|UV_FIND_LINKS)$"
)


def _other_index(cmd: ShellCommand) -> bool:
    """Whether ``cmd`` may install from somewhere else than PyPI."""
    if any(a.text.split("=", 1)[0] in _INDEX_OPTIONS for a in cmd.args):
        return True
    return any(_INDEX_ENV.match(name) for name in cmd.env)


def _pypi_requirement_spots(project: Project) -> Iterator[_Spot]:
    """Requirements that pip (or uv, pipx) resolves against PyPI alone (of the commands,
    only those that may name anaconda-client: the rule reads no other)."""
    for cmd in anaconda_commands(project):
        args = list(_pip_install_args(cmd))
        if args and not _other_index(cmd):
            yield from (_arg_spot(arg) for arg in args)
    by_file: dict[str, list[_Spot]] = {}
    for spot, pip in _conda_env_specs(project):
        if pip:
            by_file.setdefault(spot.loc.source.rel, []).append(spot)
    for spots in by_file.values():
        if not any(_first_word(s.text).split("=", 1)[0] in _INDEX_OPTIONS for s in spots):
            yield from spots


def _first_word(text: str) -> str:
    words = text.split()
    return words[0] if words else ""


def _pypi_release_list() -> str:
    releases = [v for v in facts_mod.anaconda().pypi_releases if not v.is_prerelease]
    return ", ".join(str(v) for v in releases)


@register
class AnacondaClientNotOnPypi(Rule):
    """A pip install requires an anaconda-client release that is not on PyPI.

    anaconda-client is on PyPI again, with its dependencies: conda-package-handling since
    2.1.0 (2023) and anaconda-client itself from 1.13.0 on (its release workflow publishes
    every tag to PyPI), so `pip install anaconda-client`, `pipx install anaconda-client` or
    a pip install from its git repository work. (Until 2023 they failed with `ERROR: No
    matching distribution found for conda-package-handling>=1.7.3`,
    anaconda/anaconda-client#611, numpy/numpy#21816.)

    PyPI still lacks the releases between: it has 1.1.1 and 1.2.2 (2016), then 1.13.0 and
    every later release except 1.13.1; 1.3 to 1.12 and 1.13.1 were only released on conda
    channels. A pip requirement that admits none of the PyPI releases, such as
    `anaconda-client==1.12.3` or `anaconda-client~=1.11.0`, fails with `ERROR: No matching
    distribution found for anaconda-client==1.12.3`.

    shiplint reads pip installs in any form (`python -m pip`, `uv pip`, `uv tool`,
    `uvx --from`, `pipx`, noxfile `session.install`, the `pip:` list of a conda environment
    file). Installs that name another index (`--index-url`, `--extra-index-url`,
    `--find-links`, `PIP_INDEX_URL` ...) and requirements with environment markers are not
    reported: the release may come from there, or the requirement may not apply.

    Fix: require a release that is on PyPI (`anaconda-client>=1.14`), or install the pinned
    release from conda-forge (`micromamba install -c conda-forge anaconda-client=1.12.3`).
    """

    code = "SL603"
    name = "anaconda-client-not-on-pypi"
    severity = Severity.ERROR
    summary = "pip install of an anaconda-client release that is not on PyPI"
    catalogue = ("E-7",)
    example_file = "ci/upload_wheels.sh"
    before = (
        'python -m pip install "anaconda-client==1.12.3"\n'
        'anaconda -t "$ANACONDA_ORG_UPLOAD_TOKEN" upload --force -u "$ANACONDA_ORG" '
        "wheelhouse/*.whl\n"
    )
    after = (
        'python -m pip install "anaconda-client>=1.14"\n'
        'anaconda -t "$ANACONDA_ORG_UPLOAD_TOKEN" upload --force -u "$ANACONDA_ORG" '
        "wheelhouse/*.whl\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for spot in _pypi_requirement_spots(project):
            found = _client_requirement(spot.text)
            if found is None:
                continue
            start, end, spec = found
            if not _not_on_pypi(spec):
                continue
            loc = spot.sub(start, end)
            key = (loc.source.rel, loc.start)
            if key in seen:
                continue
            seen.add(key)
            yield self.at(
                loc,
                f"no anaconda-client release on PyPI matches `{spec}`: pip cannot install it",
                f"PyPI has anaconda-client {_pypi_release_list()}; the releases from 1.3 to "
                "1.12 and 1.13.1 are on conda channels only. pip stops with `ERROR: No "
                f"matching distribution found for anaconda-client{spec}`. Require a release "
                "that is on PyPI (`anaconda-client>=1.14`), or install this one with "
                "conda/mamba/micromamba (`micromamba install -c conda-forge "
                "anaconda-client=...`) or pixi.",
            )
