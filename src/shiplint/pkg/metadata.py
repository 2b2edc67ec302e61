"""The package metadata a project declares, with the exact place of every value.

Read from pyproject.toml ``[project]``, setup.cfg ``[metadata]``/``[options]`` (and
``[options.extras_require]``) and the keyword arguments of the ``setup(...)`` call in
setup.py, which is parsed, never run.  Only literal values are kept (strings, lists or
tuples of strings, dicts of them); anything computed is unknown and simply absent, so
that rules never report on a guess.  setup.cfg and setup.py count only when setuptools
builds the project (no ``[build-system]`` backend, or a setuptools one).

Build it once per project with :func:`project_metadata` (cached in ``project.memo``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from shiplint.facts import toml_data
from shiplint.pkg.metadata_pyproject import from_pyproject
from shiplint.pkg.metadata_setup_cfg import from_setup_cfg
from shiplint.pkg.metadata_setup_py import from_setup_py
from shiplint.pkg.metadata_types import Declared, Dependency, ProjectMetadata

if TYPE_CHECKING:
    from shiplint.project import Project

__all__ = ["facts", "project_metadata"]

MEMO_KEY = "metadata"


@functools.lru_cache(maxsize=1)
def facts() -> dict[str, Any]:
    """The ``[metadata]`` section of ``data/facts.toml``."""
    section = toml_data().get("metadata", {})
    return section if isinstance(section, dict) else {}


def project_metadata(project: Project) -> ProjectMetadata:
    """The project's declared metadata, built once and cached in ``project.memo``."""
    cached = project.memo.get(MEMO_KEY)
    if isinstance(cached, ProjectMetadata):
        return cached
    result = _build(project)
    project.memo[MEMO_KEY] = result
    return result


def _build(project: Project) -> ProjectMetadata:
    out = ProjectMetadata([])
    dynamic: set[str] = set()
    for src in project.of_kind("pyproject"):
        doc = project.toml(src)
        if doc is None:
            continue
        backend = doc.get(("build-system", "build-backend"))
        if isinstance(backend, str):
            out.backend = backend.strip()
        if isinstance(doc.get(("project",)), dict):
            out.has_project_table = True
            listed = doc.get(("project", "dynamic"))
            if isinstance(listed, list):
                dynamic = {d for d in listed if isinstance(d, str)}
        if isinstance(doc.get(("tool", "uv", "workspace")), dict):
            out.workspace_root = True
        out.declared.append(from_pyproject(src, doc))
    if out.setuptools:
        for src in project.of_kind("setup-cfg"):
            declared = from_setup_cfg(project, src)
            if declared is not None:
                out.declared.append(declared)
        for src in project.of_kind("setup-py"):
            declared = from_setup_py(project, src)
            if declared is not None:
                out.declared.append(declared)
        if out.has_project_table:
            for declared in out.declared:
                if declared.kind != "pyproject":
                    _keep_dynamic(declared, dynamic)
    return out


def _keep_dynamic(declared: Declared, dynamic: set[str]) -> None:
    """With a ``[project]`` table, setuptools takes from setup.cfg and setup.py only the
    fields pyproject.toml lists in ``dynamic`` (it ignores the others, with a warning)."""
    declared.name = None
    if "version" not in dynamic:
        declared.version = None
    if "license" not in dynamic:
        declared.license_expression = None
    if "requires-python" not in dynamic:
        declared.requires_python = None
    if "classifiers" not in dynamic:
        declared.classifiers = []
    if "readme" not in dynamic:
        declared.readme = None
    declared.dependencies = [
        dep
        for dep in declared.dependencies
        if ("optional-dependencies" if _is_extra(dep) else "dependencies") in dynamic
    ]


def _is_extra(dep: Dependency) -> bool:
    return dep.field not in ("install_requires", "dependencies")
