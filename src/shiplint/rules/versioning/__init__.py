"""Versions: VCS versions built shallow or uploaded with local labels, static versions
re-uploaded, fixed old tags rebuilt (P-4, P-5, P-10, P-15).

Importing the package registers every rule of the family:

* ``runs``: the runs of a workflow whose ref is not a tag, and how certainly an upload
  fails in them (shared with other rule families: ``runs_outside_tags``);
* ``uploads``: the PyPI uploads judged, and what their workflows do to the version
  (``version_overridden``, ``bumps_version``);
* ``builds``: which steps build which project (the build front-ends' arguments), from what
  checkout, and which jobs feed an upload (``publishes_root_project``);
* ``shallow_checkout``: SL721 (a VCS version built from a shallow checkout);
* ``local_version``: SL722 (a local version uploaded from non-tag runs);
* ``static_version``: SL723 (a static version uploaded on every push);
* ``fixed_tag``: SL724 (a fixed version tag rebuilt and uploaded).
"""

from __future__ import annotations

from shiplint.rules.versioning import (
    builds,
    fixed_tag,
    local_version,
    runs,
    shallow_checkout,
    static_version,
    uploads,
)

__all__ = [
    "builds",
    "fixed_tag",
    "local_version",
    "runs",
    "shallow_checkout",
    "static_version",
    "uploads",
]
