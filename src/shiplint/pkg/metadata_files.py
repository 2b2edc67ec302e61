"""The files around the declared metadata, looked at on disk: whether the audited root
lies in a Git checkout (a ``.git`` above it) and the state of a file the metadata names
(a readme)."""

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
    found = False
    try:
        path = os.path.realpath(os.fspath(project.root_path))
        while True:
            if os.path.exists(os.path.join(path, ".git")):
                found = True
                break
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
    except (OSError, ValueError):
        found = False
    project.memo["metadata-checkout"] = found
    return found


def file_state(project: Project, src: SourceFile, rel: str) -> str | None:
    """``missing``, ``empty`` (no bytes), ``blank`` (only whitespace) or ``ok`` for the file
    ``rel`` names relative to the folder of ``src``; None when it lies outside the root or
    cannot be read."""
    if not rel or "\0" in rel or os.path.isabs(rel):
        return None
    try:
        root = os.path.realpath(os.fspath(project.root_path))
        base = os.path.dirname(os.path.join(root, src.rel))
        path = os.path.realpath(os.path.join(base, rel))
        if os.path.commonpath([root, path]) != root:
            return None
        if not os.path.exists(path):
            return "missing"
        if not os.path.isfile(path):
            return None
        size = os.path.getsize(path)
        if size == 0:
            return "empty"
        if size > 64 * 1024:
            return "ok"
        with open(path, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    return "blank" if not data.decode("utf-8", errors="replace").strip() else "ok"
