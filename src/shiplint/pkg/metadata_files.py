"""The files around the declared metadata, looked at through :class:`Project` (which records
each read for the results cache): whether the audited root lies in a Git checkout (a ``.git``
above it) and the state of a file the metadata names (a readme)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiplint.project import Project
    from shiplint.source import SourceFile


def in_checkout(project: Project) -> bool:
    """Whether the audited root lies in a Git checkout (so that a file missing from it is
    really missing, not left out of a partial copy of the configuration)."""
    cached = project.memo.get("metadata-checkout")
    if isinstance(cached, bool):
        return cached
    found = project.find_upwards(".git") is not None
    project.memo["metadata-checkout"] = found
    return found


def file_state(project: Project, src: SourceFile, rel: str) -> str | None:
    """``missing``, ``empty`` (no bytes), ``blank`` (only whitespace) or ``ok`` for the file
    ``rel`` names relative to the folder of ``src``; None when it lies outside the root or
    cannot be read."""
    if not rel or "\0" in rel or os.path.isabs(rel):
        return None
    found = project.peek(os.path.join(os.path.dirname(src.rel), rel), 64 * 1024)
    if found.kind == "missing":
        return "missing"
    if found.kind != "file":
        return None
    if found.size == 0:
        return "empty"
    if found.data is None:
        return "ok"
    return "blank" if not found.data.decode("utf-8", errors="replace").strip() else "ok"
