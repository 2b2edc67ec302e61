"""SL731 invalid-classifier (checked with ``trove-classifiers``) and SL738
private-classifier-uploaded (``Private :: Do Not Upload`` next to a PyPI upload)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.pkg.metadata import facts, project_metadata
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.metadata.common import (
    _field,
    _may_reach_pypi,
    _pypi_uploads,
    _replace,
    _version_reached,
    _where,
)

if TYPE_CHECKING:
    from shiplint.pkg.metadata_types import Declared
    from shiplint.project import Project


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
