"""Core-metadata versions: what the build backend writes vs. what reads it (B-4, P-6).

Importing the package registers every rule of the family:

* ``messages``: the Metadata-Versions compared, twine's errors, and why the distributions
  carry a version (shared by the rules);
* ``publishers``: SL711 (pypa/gh-action-pypi-publish or a pinned twine/packaging too old
  for the Metadata-Version);
* ``build_check``: SL713 (the twine of hynek/build-and-inspect-python-package too old for
  it: the build job's `twine check` fails);
* ``backends``: SL712 (the backend pinned below PEP 639 license metadata).
"""

from __future__ import annotations

from shiplint.rules.metadata_version import backends, build_check, messages, publishers

__all__ = ["backends", "build_check", "messages", "publishers"]
