"""Package metadata PyPI rejects, and the removed ``setup.py upload`` (P-7, P-8, P-9, P-13).

The metadata comes from :mod:`shiplint.pkg.metadata` (pyproject.toml ``[project]``, setup.cfg,
the literal arguments of ``setup(...)``); values are checked with the packages PyPI itself
uses: ``trove-classifiers``, ``packaging.licenses``, ``packaging.utils``,
``packaging.version``, ``packaging.specifiers`` and ``packaging.requirements``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.pkg.build_backend import analyze, metadata_facts
from shiplint.pkg.metadata import facts, file_state, in_checkout, project_metadata
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Context, ShellCommand, Upload
    from shiplint.pkg.metadata import Declared, Readme, Text
    from shiplint.project import Project
    from shiplint.source import SourceFile

_SEE = "See https://packaging.python.org/specifications/core-metadata for more information."
_PYPI_INDEXES = ("pypi", "testpypi")


# --- shared helpers --------------------------------------------------------------------------


def _pypi_uploads(project: Project) -> list[Upload]:
    """Uploads to PyPI or TestPyPI."""
    return [u for u in project.model.uploads if u.family == "pypi" and u.index in _PYPI_INDEXES]


def _may_reach_pypi(project: Project) -> bool:
    """False only when the repository uploads, and only to other indexes (a private index
    does not apply PyPI's own restrictions)."""
    uploads = [u for u in project.model.uploads if u.family == "pypi"]
    return not uploads or any(u.index in (None, *_PYPI_INDEXES) for u in uploads)


def _published_to_pypi(project: Project) -> bool:
    """Whether the repository uploads this project to PyPI: PyPI's own restrictions (no
    local versions, no direct URL dependencies) are reported only then, since a static
    local version or a URL dependency is also how projects that are never published are
    kept private (and a workspace root is not what its uploads publish)."""
    return bool(_pypi_uploads(project)) and not project_metadata(project).workspace_root


def _development_version(project: Project) -> Text | None:
    """The static development version (``2.5.0.dev0``) of a repository whose uploads to
    PyPI all run in GitHub workflows for tags and releases only.

    Then the commit that gets released is not this one: the release commit sets the release
    version, and projects such as Poetry replace a development-time URL dependency in that
    same commit. None when the version is not a static ``.devN`` one, or some upload may
    publish this very commit (a branch push, ``schedule``, a manual or other CI upload)."""
    from packaging.version import InvalidVersion, Version

    from shiplint.rules.versioning import runs_outside_tags

    versions = [d.version for d in project_metadata(project).declared if d.version is not None]
    if not versions:
        return None
    try:
        if not Version(versions[0].value).is_devrelease:
            return None
    except InvalidVersion:
        return None
    uploads = _pypi_uploads(project)
    for upload in uploads:
        workflow = upload.context.workflow
        if workflow is None or workflow.source.kind != "workflow":
            return None
        if runs_outside_tags(project, upload) is not None:
            return None
    return versions[0] if uploads else None


def _where(upload: Upload) -> str:
    return f"{upload.source.rel}:{upload.loc.pos.line}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n", 1)[0]


def _field(declared: Declared, text: Text) -> str:
    """How to name the field in a message: ``[project].classifiers``, ``classifiers``..."""
    if declared.kind == "pyproject":
        return f"`[project].{text.key}`"
    if declared.kind == "setup-py":
        return f"`{text.key}=`"
    return f"`{text.key}`"


def _replace(text: Text, value: str, description: str, safe: bool = True) -> Fix | None:
    """Replace a string value written plainly (no escapes) with ``value``."""
    if not text.exact or any(c in value for c in "\"'\\\n"):
        return None
    return Fix(description, (Edit(text.loc.start, text.loc.end, value),), safe=safe)


_ITEM_LINE = re.compile(r"[ \t]*,?[ \t]*(?:#[^\n]*)?(?:\r?\n|$)")


def _remove_item_line(text: Text, description: str) -> Fix | None:
    """Delete a list item written alone on its line (TOML array or setup.cfg list)."""
    token = text.token
    if token is None or token.source.kind not in ("pyproject", "setup-cfg"):
        return None
    src_text = token.source.text or ""
    line_start = src_text.rfind("\n", 0, token.start) + 1
    if src_text[line_start : token.start].strip():
        return None
    tail = _ITEM_LINE.match(src_text, token.end)
    if tail is None:
        return None
    if token.source.kind == "setup-cfg" and src_text[token.end : tail.end()].strip(" \t\r\n"):
        return None  # a comma or "#" after a setup.cfg item is part of the value
    return Fix(description, (Edit(line_start, tail.end(), ""),))


# --- SL731 -------------------------------------------------------------------------------------


def _joined(value: str, known: set[str] | frozenset[str]) -> list[str] | None:
    """``value`` split into two or more known classifiers written without a separator
    (``"…:: 3.10" "…:: 3.11"`` in Python is one string), or None."""
    starts = {c.split(" :: ", 1)[0] for c in known}
    cuts: dict[int, list[str]] = {0: []}
    for i in range(len(value)):
        if i not in cuts or (i and not any(value.startswith(s, i) for s in starts)):
            continue
        for c in known:
            end = i + len(c)
            if end not in cuts and value.startswith(c, i):
                cuts[end] = [*cuts[i], c]
    parts = cuts.get(len(value))
    return parts if parts is not None and len(parts) > 1 else None


@register
class InvalidClassifier(Rule):
    """A classifier that is not in trove-classifiers, or a deprecated one.

    PyPI accepts only the classifiers listed at https://pypi.org/classifiers/ (the
    `trove-classifiers` package) and refuses deprecated ones. The build succeeds; the
    upload fails with

    ```
    HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/
    'License :: MIT' is not a valid classifier.
    ```

    or, for a deprecated classifier,
    `The classifier 'Natural Language :: Ukranian' has been deprecated, use one of
    ['Natural Language :: Ukrainian'] instead.` Typical causes are typos, invented
    categories (`Frameworks :: Ansible`) and Python versions newer than the classifier list.

    The finding is an error when the repository uploads to PyPI or TestPyPI, or when the
    build itself refuses the classifier (hatchling 1.7.0 and later check `[project]`
    classifiers: `Unknown classifier in field project.classifiers`). With no upload in
    sight and a backend that does not check, it is a warning: the upload may be made by
    hand or not at all.

    Fix: use an exact classifier from the list (shiplint suggests the closest one, and
    replaces a deprecated classifier that has a single successor). `Private ::`
    classifiers are meant to block uploads and are left to SL738. Validate classifiers
    before release with `validate-pyproject[all]` or this rule; a classifier added to
    trove-classifiers after shiplint's copy was installed needs a newer trove-classifiers.
    """

    code = "SL731"
    name = "invalid-classifier"
    severity = Severity.ERROR
    summary = "Classifier is not a valid trove classifier (PyPI refuses the upload)"
    catalogue = ("P-7",)
    example_file = "pyproject.toml"
    before = (
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        "classifiers = [\n"
        '  "Frameworks :: Ansible",\n'
        '  "Natural Language :: Ukranian",\n'
        "]\n"
    )
    after = (
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        "classifiers = [\n"
        '  "Framework :: Ansible",\n'
        '  "Natural Language :: Ukrainian",\n'
        "]\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        md = project_metadata(project)
        if not any(d.classifiers for d in md.declared) or not _may_reach_pypi(project):
            return
        from trove_classifiers import classifiers, deprecated_classifiers

        private = str(facts().get("private-classifier-prefix", "Private ::"))
        uploaded = bool(_pypi_uploads(project))
        for declared, text in md.classifiers():
            value = text.value
            if value in classifiers or value.startswith(private):
                continue
            where = _field(declared, text)
            severity, unseen = self._certainty(project, declared, value, uploaded)
            if value in deprecated_classifiers:
                successors = list(deprecated_classifiers[value])
                if successors:
                    error = (
                        f"The classifier {value!r} has been deprecated, "
                        f"use one of {successors} instead."
                    )
                    choice = " or ".join(f"`{s}`" for s in successors)
                    help = f"Replace it with {choice}."
                else:
                    error = f"The classifier {value!r} has been deprecated."
                    help = "Remove it: the classifier was retired without a successor."
                fix = None
                if len(successors) == 1:
                    fix = _replace(text, successors[0], f"replace with `{successors[0]}`")
                yield self.at(
                    text.loc,
                    f"{where} uses the deprecated classifier `{value}`: PyPI refuses the "
                    f"upload with `400 {error}`{unseen}",
                    help,
                    fix=fix,
                    severity=severity,
                )
                continue
            import difflib

            joined = _joined(value, classifiers)
            if joined is not None and declared.kind == "setup-py":
                help = (
                    f"These are {len(joined)} classifiers run together: Python joins "
                    "adjacent string literals, so a comma is missing after each of "
                    + ", ".join(f"`{c}`" for c in joined[:-1])
                    + " (check the code that writes them, e.g. a cog generator)."
                )
            else:
                close = difflib.get_close_matches(value, sorted(classifiers), n=1, cutoff=0.75)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                help = (
                    f"Use an exact classifier from https://pypi.org/classifiers/{hint}. If it "
                    "was added to trove-classifiers recently, upgrade trove-classifiers where "
                    "shiplint runs."
                )
            yield self.at(
                text.loc,
                f"`{value}` in {where} is not a trove classifier: PyPI refuses the upload "
                f"with `400 {value!r} is not a valid classifier.`{unseen}",
                help,
                severity=severity,
            )

    def _certainty(
        self, project: Project, declared: Declared, value: str, uploaded: bool
    ) -> tuple[Severity, str]:
        """The severity, and what to add to the message when no upload is in sight."""
        if uploaded:
            return Severity.ERROR, ""
        md = project_metadata(project)
        backend = (md.backend or "setuptools.build_meta").split(":", 1)[0].strip()
        checks = facts().get("classifier-checking-backends", {})
        entry = checks.get(backend) if isinstance(checks, dict) else None
        if isinstance(entry, dict) and declared.kind == "pyproject":
            package = str(entry.get("package", backend))
            since = str(entry.get("since", "0"))
            if _version_reached(project, package, since) is True:
                error = str(entry.get("error", "")).replace("{classifier}", value)
                return Severity.ERROR, f"; before that, the build fails: `{error}`"
        return Severity.WARNING, (
            " (this repository configures no upload to PyPI or TestPyPI: check how it is released)"
        )


# --- SL732 -------------------------------------------------------------------------------------


def _version_reached(project: Project, package: str, since: str) -> bool | None:
    """Whether the release of ``package`` a build installs is ``since`` or newer: True when
    ``[build-system] requires`` does not name it or every entry allows a newer release
    (installers take the newest), False when every entry keeps an older one, None when
    they disagree."""
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    wanted = canonicalize_name(package)
    pins = [p for p in analyze(project).requires if p.name == wanted]
    if not pins:
        return True
    answers = {p.reaches(Version(since)) for p in pins}
    return answers.pop() if len(answers) == 1 else None


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
        from packaging.utils import InvalidName, canonicalize_name

        for declared in project_metadata(project).declared:
            text = declared.name
            if text is None:
                continue
            try:
                canonicalize_name(text.value, validate=True)
            except InvalidName:
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
        from packaging.requirements import InvalidRequirement, Requirement

        pypi = _published_to_pypi(project)
        development: tuple[Text | None] | None = None
        for declared, dep in md.dependencies():
            text = dep.text
            where = f"`[project].{dep.field}`" if declared.kind == "pyproject" else f"`{dep.field}`"
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


# --- SL738 -------------------------------------------------------------------------------------


@register
class PrivateClassifierUploaded(Rule):
    """`Private :: Do Not Upload` while the repository publishes to PyPI.

    PyPI refuses every distribution with a classifier starting with `Private ::`: it is
    the documented way to keep a package off PyPI ("To prevent a package from being
    uploaded to PyPI, use the special 'Private :: Do Not Upload' classifier", pypi.org's
    classifiers page; warehouse validates classifiers against trove-classifiers, which
    has none under `Private ::`). With a publishing job for PyPI or TestPyPI as well, the
    job fails with `400 'Private :: Do Not Upload' is not a valid classifier.`

    Both together are often deliberate: project templates (pybind's and scikit-build's
    examples) ship a release workflow for the projects made from them and the classifier
    so that the template itself, or a copy nobody has renamed, is never uploaded. shiplint
    cannot tell that from a package that has gone public and kept the classifier, so the
    finding is info: it says what will happen.

    Fix: remove the classifier when the package is to be published; keep it when it is
    there to stop uploads (or point the upload at your private index).
    """

    code = "SL738"
    name = "private-classifier-uploaded"
    severity = Severity.INFO
    summary = "`Private ::` classifier in a project that is uploaded to PyPI"
    catalogue = ("P-7",)
    example_file = "pyproject.toml"
    before = (
        "[project]\n"
        'name = "stardust"\n'
        'version = "2.1.0"\n'
        'classifiers = ["Private :: Do Not Upload"]\n'
    )
    after = '[project]\nname = "stardust"\nversion = "2.1.0"\nclassifiers = []\n'

    def check(self, project: Project) -> Iterator[Finding]:
        md = project_metadata(project)
        private = str(facts().get("private-classifier-prefix", "Private ::"))
        texts = [(d, t) for d, t in md.classifiers() if t.value.startswith(private)]
        if not texts:
            return
        uploads = _pypi_uploads(project)
        if not uploads:
            return
        upload = uploads[0]
        index = "TestPyPI" if upload.index == "testpypi" else "PyPI"
        for _declared, text in texts:
            yield self.at(
                text.loc,
                f"`{text.value}` stops every upload to PyPI: {_where(upload)} uploads to "
                f"{index} ({upload.tool}), and PyPI refuses it with "
                f"`400 {text.value!r} is not a valid classifier.`",
                "Intended if the package must stay off PyPI (a template, a private package). "
                "Before the first public release, remove the classifier.",
            )


# --- SL739 -------------------------------------------------------------------------------------


def _content_type_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with a Description-Content-Type value, and the error packaging's
    metadata validation gives for it (the one twine 6.1+ and PyPI report), or None when
    they accept it. packaging lists the valid values in set order, which changes from one
    process to the next; the quoted error lists them sorted."""
    from packaging.metadata import Metadata

    raw = {"metadata_version": "2.1", "name": "x", "version": "0"}
    try:
        Metadata.from_raw({**raw, "description_content_type": value})  # type: ignore[typeddict-item]
    except Exception as group:  # an ExceptionGroup of InvalidMetadata
        errors = getattr(group, "exceptions", [group])
        error = re.sub(
            r"\[([^\]]*)\]",
            lambda m: "[" + ", ".join(sorted(m.group(1).split(", "))) + "]",
            str(errors[0]) if errors else str(group),
        )
        allowed = ", ".join(facts().get("readme-content-types", ()))
        main = value.split(";", 1)[0].strip().lower()
        if main not in facts().get("readme-content-types", ()):
            return f"the content type must be one of {allowed}", error
        return "a parameter PyPI does not accept", error
    return None


def _extension(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


@register
class ReadmeContentType(Rule):
    """The long description has no (or a wrong) content type, or its file is missing/empty.

    PyPI renders the description in the format `Description-Content-Type` names. Without
    one it assumes reStructuredText, and refuses Markdown that is not valid reST:
    `400 The description failed to render in the default format of reStructuredText. See
    https://pypi.org/help/#description-content-type for more information.` This rule
    reports:

    * setup.cfg `long_description = file: README.md`, or setup.py
      `long_description=open("README.md").read()` (or `Path(...).read_text()`), without
      `long_description_content_type = text/markdown` (setuptools does not guess it; checked
      up to 84.2). A warning: whether the upload fails depends on the file, since Markdown
      that happens to be valid reStructuredText (headings, inline code, fenced code blocks
      often are) is accepted and shown unformatted;
    * a content type PyPI does not know, such as `text/x-markdown`, or a charset other than
      UTF-8 or a Markdown variant other than `GFM`/`CommonMark`: only `text/markdown`,
      `text/x-rst` and `text/plain` are valid. PyPI validates the field with
      `packaging.metadata` (since pypi/warehouse#15631, 2024-03-19; checked at warehouse
      6b62157, 2026-08-21) and refuses the upload with `400 'description-content-type' must
      be one of ['text/markdown', 'text/plain', 'text/x-rst'], not 'text/x-markdown'. See
      https://packaging.python.org/specifications/core-metadata for more information.` (the
      list in set order); twine 6.1 and later run the same validation
      and stop before uploading (`InvalidDistribution: Invalid distribution metadata: …`).
      Older PyPI answered `'text/x-markdown' is an invalid value for
      Description-Content-Type`;
    * pyproject `readme = "README"` whose extension is not `.md`, `.rst` or `.txt` and no
      `content-type` (backends stop: `Unable to determine the content-type based on the
      extension of readme file: README`);
    * a readme file that does not exist in the checkout (the build fails), or that is
      empty (PyPI shows no description; a Markdown file of blank lines is refused with
      `The description failed to render for 'text/markdown'`).

    Fix: declare the content type (`long_description_content_type = text/markdown`,
    `readme = {file = "README", content-type = "text/plain"}`), and run
    `twine check --strict dist/*` in the build job.
    """

    code = "SL739"
    name = "readme-content-type"
    severity = Severity.ERROR
    summary = "Long description without a valid content type, or its file is missing/empty"
    catalogue = ("P-9",)
    example_file = "setup.cfg"
    before = "[metadata]\nname = stardust\nversion = 2.1.0\nlong_description = file: README.md\n"
    after = (
        "[metadata]\n"
        "name = stardust\n"
        "version = 2.1.0\n"
        "long_description = file: README.md\n"
        "long_description_content_type = text/markdown\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for declared in project_metadata(project).declared:
            readme = declared.readme
            if readme is None:
                continue
            # a missing or empty file is reported first: at the same place, a content-type
            # finding would hide it
            broken = list(self._files(project, declared.source, readme))
            yield from broken
            bad = {(f.line, f.column) for f in broken}
            for finding in self._content_type(readme):
                if (finding.line, finding.column) not in bad:
                    yield finding

    def _content_type(self, readme: Readme) -> Iterator[Finding]:
        ctype = readme.content_type
        if ctype is not None:
            found = _content_type_problem(ctype.value)
            if found is not None:
                problem, error = found
                fix = None
                if ctype.value.split(";", 1)[0].strip().lower() == "text/x-markdown":
                    fixed = re.sub(r"(?i)text/x-markdown", "text/markdown", ctype.value)
                    fix = _replace(ctype, fixed, "use `text/markdown`")
                yield self.at(
                    ctype.loc,
                    f"`{ctype.value}` is not a valid description content type ({problem}): "
                    f"PyPI refuses the upload (`400 {error.rstrip('.')}. {_SEE}`), and twine 6.1 "
                    "or later stops before it with the same error",
                    "Use `text/markdown` (Markdown), `text/x-rst` (reStructuredText) or "
                    "`text/plain`.",
                    fix=fix,
                )
            return
        if readme.form == "pyproject-string" or (readme.form == "pyproject-table" and readme.files):
            known = facts().get("readme-extensions", {})
            for text in readme.files:
                ext = _extension(text.value)
                if ext in known:
                    continue
                yield self.at(
                    text.loc,
                    f"the readme `{text.value}` has "
                    + (f"the unknown extension `{ext}`" if ext else "no extension")
                    + " and no content type: build backends stop with `Unable to determine "
                    f"the content-type based on the extension of readme file: {text.value}`",
                    f'Write `readme = {{file = "{text.value}", content-type = "text/markdown"}}` '
                    "(or `text/x-rst`, `text/plain`), or rename the file to `.md`/`.rst`.",
                )
            return
        if readme.form not in ("setup-cfg", "setup-py") or readme.content_type_unknown:
            return
        markdown = [t for t in readme.files if _extension(t.value) in (".md", ".markdown")]
        if not markdown:
            return
        text = markdown[0]
        key = "long_description_content_type"
        fix = None
        if readme.insert_at is not None:
            if readme.form == "setup-cfg":
                fix = Fix(
                    f"add `{key} = text/markdown`",
                    (
                        Edit(
                            readme.insert_at,
                            readme.insert_at,
                            f"\n{readme.indent}{key} = text/markdown",
                        ),
                    ),
                )
            else:
                fix = Fix(
                    f'add `{key}="text/markdown"`',
                    (Edit(readme.insert_at, readme.insert_at, f', {key}="text/markdown"'),),
                    safe=False,
                )
        setting = (
            f"`{key} = text/markdown`" if readme.form == "setup-cfg" else f'`{key}="text/markdown"`'
        )
        yield self.at(
            text.loc,
            f"the long description is read from the Markdown file `{text.value}` without "
            f"`{key}`: PyPI takes it for reStructuredText, shows it unformatted, and refuses "
            "it when it is not valid reStructuredText (`400 The description failed to render "
            "in the default format of reStructuredText. See "
            "https://pypi.org/help/#description-content-type for more information.`)",
            f"Add {setting}. (Whether this Markdown also parses as reStructuredText decides "
            "whether the upload fails: `twine check --strict dist/*` tells.)",
            severity=Severity.WARNING,
            fix=fix,
        )

    def _files(self, project: Project, src: SourceFile, readme: Readme) -> Iterator[Finding]:
        markdown = readme.content_type is not None and readme.content_type.value.lower().startswith(
            "text/markdown"
        )
        for text in readme.files:
            state = file_state(project, src, text.value)
            if state == "missing" and in_checkout(project):
                severity = Severity.WARNING if readme.form == "setup-cfg" else Severity.ERROR
                if readme.form == "setup-cfg":
                    consequence = "setuptools silently skips it and uploads no description"
                elif readme.form == "setup-py":
                    consequence = "the build fails with `FileNotFoundError`"
                else:
                    consequence = f"the build fails (`Readme file does not exist: {text.value}`)"
                yield self.at(
                    text.loc,
                    f"the readme file `{text.value}` does not exist: {consequence}",
                    "Point the setting at the real readme file (paths are relative to the folder "
                    f"of {src.rel}).",
                    severity=severity,
                )
            elif state in ("empty", "blank"):
                is_md = markdown or (
                    readme.form.startswith("pyproject") and _extension(text.value) == ".md"
                )
                refused = state == "blank" and is_md
                yield self.at(
                    text.loc,
                    f"the readme file `{text.value}` is empty"
                    + (
                        ": PyPI refuses the upload with `The description failed to render "
                        "for 'text/markdown'`"
                        if refused
                        else ": the project page on PyPI will have no description"
                    ),
                    "Write the readme (what the project is, how to install and use it).",
                    severity=Severity.ERROR if refused else Severity.WARNING,
                )


# --- SL740 -------------------------------------------------------------------------------------


#: contexts that are CI runs: workflow steps, composite actions, other CI systems' files
_CI_ORIGINS = ("workflow", "action", "ci")


def _run_by_ci(context: Context) -> bool:
    """Whether CI runs commands of this context (a workflow step, or a script, Makefile
    target, tox env or nox session a workflow step runs)."""
    return context.origin in _CI_ORIGINS or context.job is not None


def _ci_runs_setup_command(project: Project, word: str) -> ShellCommand | None:
    """A CI command that runs ``setup.py <word>`` (e.g. an ``[aliases]`` entry)."""
    from shiplint.pkg.upload_commands import program_name

    for cmd in project.model.commands:
        if not _run_by_ci(cmd.context):
            continue
        names = [program_name(a.text) for a in cmd.args]
        if "setup.py" in names and word in names[names.index("setup.py") + 1 :]:
            return cmd
    return None


@register
class SetupPyUpload(Rule):
    """`python setup.py upload` / `register`: commands removed from setuptools.

    setuptools deprecated its `upload` and `register` commands in 40.0 and removed them
    in 42.0 (2019, pypa/setuptools#1898): they raise `RemovedCommandError: The upload
    command has been removed, use twine to upload instead`, and since 75.0.0 (whose
    distutils dropped them, pypa/distutils#294) the command fails with `error: invalid
    command 'upload'`. setup.cfg `[aliases]` such as `release = sdist bdist_wheel upload`
    break the same way.

    The finding is an error when CI runs the command (a workflow step, or a script,
    Makefile target, tox env or nox session a workflow runs, or `python setup.py <alias>`
    in CI): the release job fails. A Makefile target, script or alias that no CI job runs
    fails whenever someone runs it, but whether anyone releases with it is unknown (many
    are leftovers next to a release done with twine): a warning.

    Fix: build with `python -m build`, then upload with `twine upload dist/*` or
    `uv publish` (or pypa/gh-action-pypi-publish with trusted publishing). `register` is
    not needed at all: PyPI creates the project on the first upload. Delete a release
    target nobody uses.
    """

    code = "SL740"
    name = "setup-py-upload"
    severity = Severity.ERROR
    summary = "`setup.py upload`/`register` no longer exist in setuptools"
    catalogue = ("P-13",)
    example_file = "setup.cfg"
    before = "[aliases]\nrelease = sdist bdist_wheel upload\n"
    after = "[aliases]\nrelease = sdist bdist_wheel\n"

    def check(self, project: Project) -> Iterator[Finding]:
        removed = [str(c) for c in facts().get("removed-setup-commands", ("upload", "register"))]
        help = (
            "Build with `python -m build` and upload with `twine upload dist/*` or `uv "
            "publish`; PyPI needs no `register`."
        )
        gone = "removed from setuptools (42.0; 75.0 has no such command)"
        for upload in project.model.uploads:
            if upload.tool != "setup.py":
                continue
            word = upload.loc.text or "upload"
            failure = f"`error: invalid command '{word}'`"
            if _run_by_ci(upload.context):
                yield self.at(
                    upload.loc,
                    f"`setup.py {word}` was {gone}: the step fails with {failure}",
                    help,
                )
                continue
            task = _task_name(upload.context)
            yield self.at(
                upload.loc,
                f"`setup.py {word}` was {gone}: {task} fails with {failure} whenever it is "
                "run; no CI job runs it, so check whether you release with it",
                f"{help} Delete the command if nobody releases with it.",
                severity=Severity.WARNING,
            )
        md = project_metadata(project)
        for declared in md.declared:
            for text in declared.aliases:
                if text.value not in removed:
                    continue
                failure = f"`error: invalid command '{text.value}'`"
                message = (
                    f"the setup.cfg alias `{text.key}` runs `{text.value}`, {gone}: "
                    f"`python setup.py {text.key}` fails with {failure}"
                )
                ci = _ci_runs_setup_command(project, text.key)
                if ci is not None:
                    where = f"{ci.source.rel}:{ci.loc.pos.line}"
                    yield self.at(text.loc, f"{message} (CI runs it at {where})", help)
                    continue
                yield self.at(
                    text.loc,
                    f"{message}; no CI job runs it, so check whether you release with it",
                    f"{help} Delete the alias if nobody releases with it.",
                    severity=Severity.WARNING,
                )


def _task_name(context: Context) -> str:
    """How to name where a command no CI job runs is written: ``the Makefile target
    `release```, ``the tox env `release```..."""
    kinds = {
        "makefile": "the Makefile target",
        "tox": "the tox env",
        "nox": "the nox session",
        "script": "the script",
        "pyproject": "the pyproject.toml task",
    }
    kind = kinds.get(context.origin, "the command")
    return f"{kind} `{context.label}`" if context.label else kind
