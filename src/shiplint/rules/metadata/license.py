"""License metadata: SL732 license-classifier-with-expression (``License ::``
classifiers next to a PEP 639 expression) and SL733 invalid-license-expression (checked with
``packaging.licenses``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.pkg.build_backend import metadata_facts
from shiplint.pkg.metadata import facts, project_metadata
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.metadata.common import (
    _field,
    _first_line,
    _remove_item_line,
    _replace,
    _version_reached,
)

if TYPE_CHECKING:
    from shiplint.pkg.metadata_types import Declared
    from shiplint.project import Project


# --- SL732 -------------------------------------------------------------------------------------


@register
class LicenseClassifierWithExpression(Rule):
    """`License ::` classifiers next to a PEP 639 license expression.

    With `license = "MIT"` (an SPDX expression, PEP 639) the `License ::` classifiers are
    deprecated, and PEP 639 lets build tools refuse them. PyPI accepts the pair (warehouse
    refuses only the old `License` field together with `License-Expression`), so what
    happens depends on the build backend:

    * setuptools 77.0.0 and later stop the build, whether the expression comes from
      pyproject.toml, setup.cfg `license_expression` or `setup(license_expression=…)`:

      ```
      setuptools.errors.InvalidConfigError: License classifiers have been superseded by
      license expressions (see https://peps.python.org/pep-0639/). Please remove:
      License :: OSI Approved :: MIT License
      ```

      flit-core 3.11.0+, pdm-backend 2.4.0+, scikit-build-core 0.11.0+ and meson-python
      (pyproject-metadata 0.9.0+) stop it too (their older releases refuse a string
      `license` altogether). These are errors.
    * hatchling (up to 1.32.0), maturin (up to 1.14.1), poetry-core (up to 2.3.2, with a
      deprecation warning) and uv_build (a warning) build them: the release works, the
      classifiers are only deprecated. These are info.
    * any other backend: a warning, since whether it refuses them is unknown.

    A setuptools pinned below 77 ignores setup.cfg/setup.py `license_expression`, so the
    pair is then info as well. The backend facts (and the releases checked) are in
    `facts.toml` under `[metadata.license-classifiers]`.

    Fix: delete the `License ::` classifiers; the expression says it all. shiplint deletes
    a classifier written alone on its line.
    """

    code = "SL732"
    name = "license-classifier-with-expression"
    severity = Severity.ERROR
    summary = "`License ::` classifier next to a PEP 639 license expression"
    catalogue = ("P-8",)
    example_file = "pyproject.toml"
    before = (
        "[build-system]\n"
        'requires = ["setuptools>=77"]\n'
        'build-backend = "setuptools.build_meta"\n'
        "\n"
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        'license = "MIT"\n'
        "classifiers = [\n"
        '  "License :: OSI Approved :: MIT License",\n'
        '  "Programming Language :: Python :: 3",\n'
        "]\n"
    )
    after = (
        "[build-system]\n"
        'requires = ["setuptools>=77"]\n'
        'build-backend = "setuptools.build_meta"\n'
        "\n"
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        'license = "MIT"\n'
        "classifiers = [\n"
        '  "Programming Language :: Python :: 3",\n'
        "]\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        md = project_metadata(project)
        expressions = md.license_expressions()
        if not expressions:
            return
        exp_declared, expression = expressions[0]
        backend = (md.backend or "setuptools.build_meta").split(":", 1)[0].strip()
        known = facts().get("license-classifiers", {})
        entry = known.get(backend) if isinstance(known, dict) else None
        severity, consequence = self._outcome(project, backend, entry, exp_declared)
        for _declared, text in md.classifiers():
            if not text.value.startswith("License ::"):
                continue
            said = consequence.replace("{classifier}", text.value)
            yield self.at(
                text.loc,
                f"`{text.value}` duplicates the license expression `{expression.value}` "
                f"({expression.loc.source.rel}:{expression.loc.pos.line}): {said}",
                "Remove the `License ::` classifiers; the SPDX expression replaces them.",
                severity=severity,
                fix=_remove_item_line(text, f"remove the classifier `{text.value}`"),
            )

    def _outcome(
        self, project: Project, backend: str, entry: object, exp_declared: Declared
    ) -> tuple[Severity, str]:
        """The severity and the consequence for this backend (``{classifier}`` stands for
        the classifier)."""
        if not isinstance(entry, dict):
            return Severity.WARNING, (
                f"PEP 639 deprecates them and lets build backends refuse them; whether "
                f"`{backend}` does is unknown to shiplint (setuptools >= 77, flit-core >= "
                "3.11 and pdm-backend >= 2.4 stop the build; PyPI accepts the pair)"
            )
        package = str(entry.get("package", backend))
        accepts = entry.get("accepts")
        if accepts:
            return Severity.INFO, (
                f"PEP 639 deprecates them; {package} {accepts} and PyPI accepts the pair, but "
                "setuptools >= 77, flit-core >= 3.11 and pdm-backend >= 2.4 stop such builds"
            )
        error = str(entry.get("error", ""))
        since = entry.get("refuses-since")
        if not since:
            return Severity.ERROR, f"the build fails: `{error}`"
        reached = _version_reached(project, package, str(since))
        if reached is True:
            return Severity.ERROR, f"{package} >= {since} stops the build: `{error}`"
        if exp_declared.kind == "pyproject":
            # older releases refuse the string [project].license itself (SL712)
            return Severity.ERROR, (
                f"the build fails: {package} < {since} refuses a string `license` (SL712), "
                f"and {package} >= {since} stops on the classifier: `{error}`"
            )
        if reached is None:
            return Severity.WARNING, (
                f"{package} >= {since} stops the build (`{error}`); the "
                "`[build-system] requires` entries disagree on which release is installed"
            )
        return Severity.INFO, (
            f"the pinned {package} (< {since}) ignores the license expression; {package} >= "
            f"{since} stops the build: `{error}`"
        )


# --- SL733 -------------------------------------------------------------------------------------


def _spdx_guess(value: str) -> str | None:
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    base = re.sub(r"(?i)[\s,]+licen[sc]e$", "", value.strip())
    for candidate in (base, re.sub(r"\s+", "-", base)):
        try:
            return str(canonicalize_license_expression(candidate))
        except InvalidLicenseExpression:
            continue
    return None


def _free_text_license(project: Project) -> tuple[bool | None, str]:
    """Whether the build backend writes a `[project].license` string that is no SPDX
    expression into the free-text ``License`` field (True), refuses it or writes it as
    ``License-Expression`` (False), or the pinned releases disagree (None); and the backend
    package (``[metadata.license-text-fallback]`` in facts.toml)."""
    backend = project_metadata(project).backend or "setuptools.build_meta"
    backend = backend.split(":", 1)[0].strip()
    known = facts().get("license-text-fallback", {})
    entry = known.get(backend) if isinstance(known, dict) else None
    if not isinstance(entry, dict):
        return False, backend
    package = str(entry.get("package", backend))
    until = entry.get("until")
    if not until:
        return True, package
    reached = _version_reached(project, package, str(until))
    return (None if reached is None else not reached), package


def _setuptools_ignores_license_expression(project: Project) -> bool:
    """Whether setuptools builds the project and every ``[build-system] requires`` entry
    keeps it below the release that reads setup.cfg/setup.py ``license_expression``
    (77.0.0, the ``pep639-since`` of setuptools' metadata facts); older releases ignore
    the option."""
    if not project_metadata(project).setuptools:
        return False
    since = metadata_facts().backends["setuptools"].threshold("pep639-since")
    return since is not None and _version_reached(project, "setuptools", str(since)) is False


@register
class InvalidLicenseExpression(Rule):
    """A license expression that is not valid SPDX.

    A string `license` in `[project]` (and `license_expression` in setup.cfg or
    setup.py) is a PEP 639 SPDX license expression: SPDX identifiers (`MIT`,
    `Apache-2.0`, `BSD-3-Clause`, `LicenseRef-…`) joined by `AND`, `OR`, `WITH`.
    Free text such as `"MIT License"`, `"Apache 2.0"` or `"BSD"` is not one. Most
    backends stop the build (setuptools 77+, hatchling, flit-core 3.11+, uv_build,
    scikit-build-core and meson-python through pyproject-metadata; setuptools below 77
    refuses any string `license`); pdm-backend (2.5.0) and maturin 1.9.2+ write it as
    `License-Expression`, and then twine 6.1+ stops before uploading
    (`InvalidDistribution: Invalid distribution metadata: 'MIT License' is invalid for
    'license-expression'`) and PyPI refuses the upload with
    `400 'Apache 2.0' is invalid for 'license-expression'. See
    https://packaging.python.org/specifications/core-metadata for more information.`
    (warehouse's `forklift/metadata.py` validates with `packaging.metadata`; checked at
    warehouse 6b62157, 2026-08-21, and twine 7.0.0).

    Not reported where the text is accepted: poetry-core writes a `[project].license` that
    is no SPDX expression into the old free-text `License` field with a deprecation warning
    (2.2.0 and later; 2.0 and 2.1 always did; measured with 2.5.0), and so does maturin
    before 1.9.2; setuptools before 77 ignores setup.cfg/setup.py `license_expression`
    altogether. When the `[build-system] requires` entries disagree on which maturin is
    installed, the finding is a warning. The backends are listed in `facts.toml` under
    `[metadata.license-text-fallback]`.

    An expression that is valid but not in canonical case (`mit`) is accepted and
    normalised by PyPI, so it is not reported.

    Fix: use the SPDX identifier (shiplint suggests one when the text is close), or
    `LicenseRef-Proprietary` for a proprietary license. Free text belongs in
    `license = {text = "..."}` only for backends without PEP 639 support.
    """

    code = "SL733"
    name = "invalid-license-expression"
    severity = Severity.ERROR
    summary = "License expression is not valid SPDX (PEP 639)"
    catalogue = ("P-7",)
    example_file = "pyproject.toml"
    before = '[project]\nname = "stardust"\nversion = "2.1.0"\nlicense = "Apache 2.0"\n'
    after = '[project]\nname = "stardust"\nversion = "2.1.0"\nlicense = "Apache-2.0"\n'

    def check(self, project: Project) -> Iterator[Finding]:
        from packaging.licenses import InvalidLicenseExpression as Invalid
        from packaging.licenses import canonicalize_license_expression

        for declared, text in project_metadata(project).license_expressions():
            try:
                canonicalize_license_expression(text.value)
            except Invalid as exc:
                severity = None
                package = ""
                if declared.kind == "pyproject":
                    free_text, package = _free_text_license(project)
                    if free_text is True:
                        continue  # written as the old License field, which takes any text
                    if free_text is None:
                        severity = Severity.WARNING
                elif _setuptools_ignores_license_expression(project):
                    continue
                guess = _spdx_guess(text.value)
                if guess:
                    help = f"Use the SPDX expression `{guess}`."
                    fix = _replace(text, guess, f"use `{guess}`", safe=False)
                else:
                    help = (
                        "Use SPDX identifiers from https://spdx.org/licenses/ joined by "
                        "AND/OR/WITH, or `LicenseRef-Proprietary` for a proprietary license."
                    )
                    fix = None
                if severity is Severity.WARNING:
                    help += (
                        f" The `[build-system] requires` entries disagree on which {package} "
                        "is installed: older releases write the text as the free-text License "
                        "field, newer ones as License-Expression, which twine and PyPI refuse."
                    )
                yield self.at(
                    text.loc,
                    f"{_field(declared, text)} `{text.value}` is not an SPDX license "
                    f"expression ({_first_line(exc)}): the build stops, or twine and PyPI "
                    f"refuse the upload (`400 {text.value!r} is invalid for "
                    "'license-expression'`)",
                    help,
                    severity=severity,
                    fix=fix,
                )
