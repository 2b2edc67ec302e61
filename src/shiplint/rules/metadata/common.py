"""Helpers the package-metadata rules share: which uploads reach PyPI, the static
development version, ``[build-system] requires`` pins, and how findings name fields and
build fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.findings import Edit, Fix
from shiplint.lazyre import LazyPattern
from shiplint.pkg.build_backend import analyze
from shiplint.pkg.metadata import project_metadata

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.pkg.metadata_types import Declared, Text
    from shiplint.project import Project


_SEE = "See https://packaging.python.org/specifications/core-metadata for more information."
_PYPI_INDEXES = ("pypi", "testpypi")


def _pypi_uploads(project: Project) -> list[Upload]:
    """Uploads of the root package to PyPI or TestPyPI (not those of a publisher configured
    to build other folders only)."""
    return [
        u
        for u in project.model.own_uploads
        if u.family == "pypi"
        and u.index in _PYPI_INDEXES
        and (u.packages is None or "." in u.packages)
    ]


def _may_reach_pypi(project: Project) -> bool:
    """False only when the repository uploads, and only to other indexes (a private index
    does not apply PyPI's own restrictions)."""
    uploads = [u for u in project.model.own_uploads if u.family == "pypi"]
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

    versions = [d.version for d in project_metadata(project).declared if d.version is not None]
    if not versions:
        return None
    try:
        if not Version(versions[0].value).is_devrelease:
            return None
    except InvalidVersion:
        return None
    # the versioning family is imported only when this question comes up (it is not
    # needed to audit a repository without build files)
    from shiplint.rules.versioning.runs import runs_outside_tags

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


_ITEM_LINE = LazyPattern(r"[ \t]*,?[ \t]*(?:#[^\n]*)?(?:\r?\n|$)")


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


def _version_reached(project: Project, package: str, since: str) -> bool | None:
    """Whether the release of ``package`` a build installs is ``since`` or newer: True when
    ``[build-system] requires`` does not name it or every entry allows a newer release
    (installers take the newest), False when every entry keeps an older one, None when
    they disagree."""
    from packaging.version import Version

    from shiplint.pkg.requirements import canonical_name

    wanted = canonical_name(package)
    pins = [p for p in analyze(project).requires if p.name == wanted]
    if not pins:
        return True
    answers = {p.reaches(Version(since)) for p in pins}
    return answers.pop() if len(answers) == 1 else None
