"""Core metadata fields PyPI rejects, checked with ``packaging``: SL734
invalid-project-name, SL735 invalid-static-version, SL736 invalid-requires-python and SL737
invalid-dependency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.pkg.metadata import project_metadata
from shiplint.pkg.requirements import parse_requirement
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.metadata.common import (
    _SEE,
    _development_version,
    _field,
    _first_line,
    _published_to_pypi,
)

if TYPE_CHECKING:
    from shiplint.pkg.metadata_types import Text
    from shiplint.project import Project


# --- SL734 -------------------------------------------------------------------------------------


@register
class InvalidProjectName(Rule):
    """A project name that core metadata does not allow.

    A distribution name may contain only ASCII letters, digits, `.`, `_` and `-`, and must
    start and end with a letter or digit (the core-metadata name rule). Backends reading
    `[project]` stop the build (setuptools: `` `project.name` must be pep508-identifier``;
    hatchling, flit-core, pdm-backend and poetry-core likewise). setuptools takes a
    setup.cfg/setup.py name as written: it writes the wheel under the normalised name
    (`star-dust`) but keeps `star dust` in the sdist (measured with 76.1 and 84.2). twine
    6.1+ refuses such a distribution before uploading anything (`InvalidDistribution:
    Invalid distribution metadata: 'star dust' is invalid for 'name'`), and PyPI checks the
    name of the upload form first: `400 'star dust' is an invalid value for Name. Error:
    Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and
    '-'. See https://packaging.python.org/specifications/core-metadata for more
    information.` (warehouse `forklift/forms.py`, checked at 6b62157, 2026-08-21).

    Fix: use `-` (or `_`) instead of spaces and other characters, e.g. `star-dust`; the
    import package name is independent of the distribution name.
    """

    code = "SL734"
    name = "invalid-project-name"
    severity = Severity.ERROR
    summary = "Project name is not a valid distribution name"
    catalogue = ("P-7",)
    example_file = "pyproject.toml"
    before = '[project]\nname = "star dust"\nversion = "2.1.0"\n'
    after = '[project]\nname = "star-dust"\nversion = "2.1.0"\n'

    def check(self, project: Project) -> Iterator[Finding]:
        from shiplint.pkg.requirements import valid_name

        for declared in project_metadata(project).declared:
            text = declared.name
            if text is None:
                continue
            if not valid_name(text.value):
                guess = re.sub(r"[^A-Za-z0-9._-]+", "-", text.value).strip("-._")
                hint = f" (e.g. `{guess}`)" if guess else ""
                yield self.at(
                    text.loc,
                    f"{_field(declared, text)} `{text.value}` is not a valid distribution "
                    f"name: the build stops, or twine and PyPI refuse the upload (`400 "
                    f"{text.value!r} is an invalid value for Name. Error: Start and end with a "
                    "letter or numeral containing only ASCII numeric and '.', '_' and '-'. "
                    f"{_SEE}`)",
                    "Use only ASCII letters, digits, `.`, `_` and `-`, starting and ending "
                    f"with a letter or digit{hint}.",
                )


# --- SL735 -------------------------------------------------------------------------------------


@register
class InvalidStaticVersion(Rule):
    """A static version that is not PEP 440, or a local version PyPI refuses.

    PyPI accepts only PEP 440 versions (`1.2.0`, `1.2.0rc1`, `1.2.0.post1`,
    `1.2.0.dev3`); `1.2.0-SNAPSHOT` or `1.2.0-final-2` fail with
    `400 '1.2.0-SNAPSHOT' is invalid for 'version'. See
    https://packaging.python.org/specifications/core-metadata for more information.`
    Build backends refuse them first (setuptools 84.2, also for setup.cfg; hatchling,
    flit-core, pdm-backend, poetry-core), and twine 6.1+ validates the same way before
    uploading. A *local* version (`1.2.0+cu121`, `1.2.0+g1234abc`) is valid PEP 440, and
    only PyPI refuses it: `400 The use of local versions in '1.2.0+g1234abc' is not
    allowed.` (warehouse `forklift/metadata.py`, checked at 6b62157, 2026-08-21; reported
    when the repository uploads to PyPI or TestPyPI and is not a workspace root: a static
    `+private` version is also a way to keep an unpublished project off PyPI).

    Only versions written literally are checked (`[project].version`, setup.cfg
    `version = …`, `setup(version="…")`); dynamic versions are not.

    Fix: write a PEP 440 version; for local builds keep the `+local` part out of what you
    publish to PyPI.
    """

    code = "SL735"
    name = "invalid-static-version"
    severity = Severity.ERROR
    summary = "Static version is not PEP 440, or is a local version PyPI refuses"
    catalogue = ("P-4", "P-7")
    example_file = "pyproject.toml"
    before = '[project]\nname = "stardust"\nversion = "2.1.0-SNAPSHOT"\n'
    after = '[project]\nname = "stardust"\nversion = "2.1.0.dev0"\n'

    def check(self, project: Project) -> Iterator[Finding]:
        from packaging.version import InvalidVersion, Version

        for declared in project_metadata(project).declared:
            text = declared.version
            if text is None:
                continue
            where = _field(declared, text)
            try:
                version = Version(text.value)
            except InvalidVersion:
                yield self.at(
                    text.loc,
                    f"{where} `{text.value}` is not a PEP 440 version: PyPI refuses the "
                    f"upload with `400 {text.value!r} is invalid for 'version'. {_SEE}`",
                    "Write a PEP 440 version such as `1.2.0`, `1.2.0rc1`, `1.2.0.post1` or "
                    "`1.2.0.dev0` (https://peps.python.org/pep-0440/).",
                )
                continue
            if version.local is not None and _published_to_pypi(project):
                yield self.at(
                    text.loc,
                    f"{where} `{text.value}` is a local version: PyPI refuses the upload "
                    f"with `400 The use of local versions in '{version}' is not allowed.`",
                    f"Publish `{version.public}` (without `+{version.local}`) to PyPI; keep "
                    "local versions for private indexes or local builds.",
                )


# --- SL736 -------------------------------------------------------------------------------------


def _specifier_hint(value: str) -> str:
    if value.strip().startswith("^"):
        return "`^` is Poetry syntax, not PEP 440: write e.g. `>=3.9,<4`."
    if re.search(r"(>=|<=|>|<|~=)\s*[\d.]+\.\*", value):
        return "`.*` works only with `==` and `!=`: drop it (`>=3.9`, not `>=3.9.*`)."
    if re.fullmatch(r"\s*\d+(\.\d+)*\s*", value):
        return f"Add an operator: `>={value.strip()}`."
    return "Write a PEP 440 specifier set such as `>=3.9` or `>=3.9,<4`."


@register
class InvalidRequiresPython(Rule):
    """`requires-python` / `python_requires` that is not a PEP 440 specifier set.

    Installers read `Requires-Python` to skip releases that do not support the running
    Python; a value that does not parse breaks that. setuptools (84.2, also setup.cfg
    `python_requires`), hatchling and pdm-backend stop the build; flit-core (4.2) and
    poetry-core (2.5) write the value, and then twine 6.1+ refuses the distribution before
    uploading (`InvalidDistribution: Invalid distribution metadata: '>=3.9.*' is invalid for
    'requires-python'`) and PyPI refuses the upload with `400 '>=3.9.*' is invalid for
    'requires-python'. See https://packaging.python.org/specifications/core-metadata for
    more information.` (warehouse 6b62157, 2026-08-21). Usual mistakes: `>=3.9.*` (`.*`
    only goes with `==`/`!=`), `3.9` (no operator), `^3.9` (Poetry syntax).

    Fix: a comma-separated PEP 440 specifier set, e.g. `>=3.9`.
    """

    code = "SL736"
    name = "invalid-requires-python"
    severity = Severity.ERROR
    summary = "`requires-python` is not a valid PEP 440 specifier set"
    catalogue = ("P-7",)
    example_file = "pyproject.toml"
    before = '[project]\nname = "stardust"\nversion = "2.1.0"\nrequires-python = ">=3.9.*"\n'
    after = '[project]\nname = "stardust"\nversion = "2.1.0"\nrequires-python = ">=3.9"\n'

    def check(self, project: Project) -> Iterator[Finding]:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        for declared in project_metadata(project).declared:
            text = declared.requires_python
            if text is None:
                continue
            try:
                SpecifierSet(text.value)
            except InvalidSpecifier:
                yield self.at(
                    text.loc,
                    f"{_field(declared, text)} `{text.value}` is not a PEP 440 specifier "
                    f"set: PyPI refuses the upload with `400 {text.value!r} is invalid for "
                    f"'requires-python'. {_SEE}`",
                    _specifier_hint(text.value),
                )


# --- SL737 -------------------------------------------------------------------------------------


@register
class InvalidDependency(Rule):
    """A dependency that is not a valid PEP 508 requirement, or a direct URL PyPI refuses.

    Every entry of `dependencies`, `optional-dependencies`, `install_requires` and
    `extras_require` becomes a `Requires-Dist` line. One that does not parse
    (`"requests >= 2.31 < 3"`, missing comma) fails the build or the upload:
    `400 'requests >= 2.31 < 3' is invalid for 'requires-dist'`. A direct reference
    (`pkg @ git+https://…`) is valid PEP 508, but PyPI refuses it:
    `400 Can't have direct dependency: pkg @ git+https://…` (reported when the repository
    uploads to PyPI or TestPyPI: applications that are never published may use them).
    When the version is a static development version (`2.5.0.dev0`) and every upload runs
    in a GitHub workflow for tags or releases only, the commit that is released is another
    one: the release commit sets the version, and projects such as Poetry depend on a
    development branch between releases and replace it there. That case is info (the
    release commit must replace the URL); a release version, or an upload on branch
    pushes, `schedule` or from outside GitHub workflows, keeps the error.

    setup.cfg reads a one-line `install_requires` as a list split at `;`, so
    `install_requires = attrs; python_version < "3.8"` gives the invalid requirement
    `python_version < "3.8"`: put each requirement on its own indented line.

    Fix: commas between specifiers (`requests>=2.31,<3`), `;` before markers, and
    released versions instead of URLs for anything published on PyPI.
    """

    code = "SL737"
    name = "invalid-dependency"
    severity = Severity.ERROR
    summary = "Dependency is not valid PEP 508, or a direct URL PyPI refuses"
    catalogue = ("P-7",)
    example_file = "pyproject.toml"
    before = (
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        'dependencies = ["numpy>=1.24", "requests >= 2.31 < 3"]\n'
    )
    after = (
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        'dependencies = ["numpy>=1.24", "requests>=2.31,<3"]\n'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        md = project_metadata(project)
        if not any(d.dependencies for d in md.declared):
            return
        pypi = _published_to_pypi(project)
        development: tuple[Text | None] | None = None
        for declared, dep in md.dependencies():
            text = dep.text
            where = f"`[project].{dep.field}`" if declared.kind == "pyproject" else f"`{dep.field}`"
            plain = parse_requirement(text.value)
            if plain is not None and plain.url is None:
                continue  # valid, and no direct URL (the plain ones are read without packaging)
            from packaging.requirements import InvalidRequirement, Requirement

            try:
                req = Requirement(text.value)
            except InvalidRequirement as exc:
                help = (
                    "Write a PEP 508 requirement: name, optional [extras], specifiers "
                    "separated by commas, then `;` and an environment marker."
                )
                if dep.split_at_semicolon:
                    help = (
                        "setup.cfg splits a one-line value at `;`: put each requirement on "
                        "its own indented line so that the marker stays with it."
                    )
                yield self.at(
                    text.loc,
                    f"`{text.value}` in {where} is not a valid requirement "
                    f"({_first_line(exc)}): the build or the upload fails "
                    f"(`400 {text.value!r} is invalid for 'requires-dist'`)",
                    help,
                )
                continue
            if req.url is not None and pypi:
                refused = f"`400 Can't have direct dependency: {req}`"
                if development is None:
                    development = (_development_version(project),)
                dev = development[0]
                if dev is not None:
                    yield self.at(
                        text.loc,
                        f"`{text.value}` in {where} is a direct URL dependency, which PyPI "
                        f"refuses ({refused}); the version `{dev.value}` "
                        f"({dev.loc.source.rel}:{dev.loc.pos.line}) is a development version "
                        "and every upload runs for tags or releases only, so the release "
                        "commit must replace it",
                        f"In the commit that sets the release version, depend on a released "
                        f"version of `{req.name}`.",
                        severity=Severity.INFO,
                    )
                    continue
                yield self.at(
                    text.loc,
                    f"`{text.value}` in {where} is a direct URL dependency: PyPI refuses the "
                    f"upload with {refused}",
                    f"Depend on a released version of `{req.name}` (publish it first if "
                    "needed), or keep URL dependencies out of the metadata you upload.",
                )
