"""What the messages of the metadata-version rules share: the Metadata-Versions compared, the
errors twine prints for a version it cannot read, and why the distributions carry the version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import Version

if TYPE_CHECKING:
    from shiplint.pkg.build_backend import BuildInfo

V24 = Version("2.4")
V25 = Version("2.5")

INVALID_24 = (
    "`InvalidDistribution: Metadata is missing required fields: Name, Version. Make sure the "
    "distribution includes the files where those fields are specified, and is using a "
    "supported Metadata-Version: 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, 2.3.`"
)
INVALID_25 = (
    "`InvalidDistribution: Invalid distribution metadata: '2.5' is not a valid metadata version`"
)


def metadata_why(info: BuildInfo, mv: Version) -> str:
    """Why the distributions carry Metadata-Version ``mv`` (for messages)."""
    facts = info.facts
    lic = info.license
    if lic.import_names is not None:
        return f"`[project].{lic.import_names.text}` (PEP 794) needs Metadata-Version {mv}"
    if facts is None:
        return f"the PEP 639 license fields need Metadata-Version {mv}"
    key = "metadata-2-5-since" if mv >= V25 else "metadata-2-4-since"
    since = facts.threshold(key)
    if info.core_metadata_override:
        return f"`core-metadata-version` makes {facts.package} write Metadata-Version {mv}"
    if since is None:
        since = facts.threshold("pep639-since")
        return f"{facts.package} {since}+ writes Metadata-Version {mv} for PEP 639 license fields"
    pin = info.pin
    allowed = f" (`{pin.text}` allows it)" if pin is not None else " (unpinned: the newest)"
    return f"{facts.package} {since} and later{allowed} writes Metadata-Version {mv}"
