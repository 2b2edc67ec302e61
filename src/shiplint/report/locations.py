"""Where a finding's file is, seen from the current directory (what GitHub resolves paths against).

GitHub reads annotation paths and SARIF ``artifactLocation.uri`` values relative to the
repository root, which is the working directory of a workflow step. So the machine-readable
reports name files relative to the current directory, whatever PATHs were given: for
``shiplint check`` run from the repository root, ``shiplint check sub/pkg`` and
``shiplint check . ../other`` alike.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from shiplint.findings import Finding


def absolute_path(finding: Finding) -> Path | None:
    """The absolute path of the finding's file (``None`` for a finding without a file)."""
    if not finding.path:
        return None
    return Path(os.path.abspath(os.path.join(finding.root or ".", finding.path)))


def cwd_path(finding: Finding) -> str | None:
    """POSIX path of the finding's file relative to the current directory.

    A file outside the current directory keeps a ``../`` path (or an absolute one when no
    relative path exists, as across Windows drives).
    """
    path = absolute_path(finding)
    if path is None:
        return None
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path.as_posix()
    return rel.replace(os.sep, "/")


def is_inside_cwd(rel: str) -> bool:
    return not (rel == ".." or rel.startswith("../") or os.path.isabs(rel))


def uri_reference(rel: str) -> str:
    """A relative POSIX path as a URI reference (spaces, ``%``, ``:``, non-ASCII escaped)."""
    return quote(rel, safe="/")
