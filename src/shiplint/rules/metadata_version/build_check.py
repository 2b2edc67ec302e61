"""SL713: the twine of hynek/build-and-inspect-python-package too old for the Metadata-Version the
build backend writes: the build job's `twine check` fails (B-4)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.version import Version

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.lazyre import LazyPattern
from shiplint.parse.yamlnodes import trailing_comment
from shiplint.pkg.build_backend import analyze
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.metadata_version.messages import INVALID_24, INVALID_25, V25, metadata_why
from shiplint.rules.publish_action.steps import ref_loc, step_source
from shiplint.rules.versioning.builds import build_at

if TYPE_CHECKING:
    from shiplint.model import Step
    from shiplint.pkg.build_backend import BuildInfo
    from shiplint.project import Project


def _twine_of(release: Version, table: dict[str, str]) -> str:
    """The twine a release of the action runs (``[actions.baipp] twine``), for messages."""
    for first, twine in sorted(table.items(), key=lambda kv: Version(kv[0]), reverse=True):
        if release >= Version(first):
            return twine
    return ""


@register
class BuildCheckTooOldForMetadata(Rule):
    """hynek/build-and-inspect-python-package runs a twine that cannot read the Metadata-Version
    the build backend writes.

    The action builds the distributions and then runs `twine check --strict` on them with
    the twine pinned in its own `requirements/tools.txt`; no input skips that step. Releases
    before v2.11.0 run twine 4.x-5.x, which reads Metadata-Version up to 2.3; v2.11.0 to
    v2.18.0 (and the `v2` tag, which points at v2.18.0) run twine 6.0.1-6.2.0, which read
    2.4 but not 2.5: twine 6.2.0 limits packaging's list of valid versions to 1.0-2.4 even
    with packaging 26. Only v3.0.0 and later (twine 7.0.0) read 2.5. Current build
    backends write 2.4 (setuptools 77+, hatchling 1.27+, maturin 1.7.6+, flit-core 3.11+,
    poetry-core 2.2+) or 2.5 (hatchling 1.32+, flit-core 4.0+, or `[project] import-names`),
    and an unpinned `[build-system] requires` installs the newest release, so the build job
    starts failing without any change in the repository:

    `InvalidDistribution: Invalid distribution metadata: '2.5' is not a valid metadata
    version` (twine 6.x), or `InvalidDistribution: Metadata is missing required fields:
    Name, Version. … supported Metadata-Version: 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, 2.3.`
    (twine 4-5, for 2.4).

    The release is read from the tag (`v2` and minor tags such as `v2.10` moved with each
    release of their line; there is no `v3` tag), from shiplint's table of release commits
    for a SHA pin, or from an exact `# v2.18.0` comment after a SHA the table does not know.
    A `path:` input other than the repository root builds another project, which is not
    judged.

    The project may cap uv's resolution (`[tool.uv] exclude-newer`, which the action's `uv
    build` honours). A cap before the day the backend release that writes the newer version
    was out (hatchling 1.32.0: 2026-08-11, in the facts) keeps the backend below it: nothing
    to report. A cap a week or more after it (`exclude-newer = "7 days"` today) changes
    nothing: an error as without one. Otherwise (a release the facts give no date, a cap
    within that week or in a form shiplint does not read) a warning.

    Fix: pin v3.0.1 or later by its commit
    (`hynek/build-and-inspect-python-package@2abe76da66d0a6a4a227101f9348ee855797cfa5 #
    v3.0.1`); v3 publishes no moving `v3` tag. Capping the backend (`hatchling<1.32`) only
    postpones the problem.

    Sources: hynek/build-and-inspect-python-package `git tag` and
    `requirements/tools.txt` of each tag (v2.10.0: twine 5.1.1; v2.11.0: 6.0.1; v2.14.0 to
    v2.18.0: 6.2.0; v3.0.0, v3.0.1: 7.0.0), `action.yml` ("Check PyPI README": `twine check
    --strict`), CHANGELOG 3.0.0 ("notably including Twine 7 that adds support for packaging
    metadata 2.5", "there will be no `@v3` or `@v3.0` tag"); pypa/twine 6.2.0
    `twine/package.py` (`_VALID_METADATA_VERSIONS` 1.0-2.4) and its 7.0.0 changelog ("Fix
    uploading packages with metadata version 2.5", #1317). Checked 2026-12-06.
    """

    code = "SL713"
    on_examples = False
    name = "build-check-too-old-for-metadata"
    severity = Severity.ERROR
    summary = "build-and-inspect-python-package's twine cannot read the backend's Metadata-Version"
    catalogue = ("B-4",)
    before = (
        '# pyproject.toml: requires = ["hatchling"] (hatchling 1.32+ writes 2.5)\n'
        "- uses: hynek/build-and-inspect-python-package@v2\n"
    )
    after = (
        '# pyproject.toml: requires = ["hatchling"] (hatchling 1.32+ writes 2.5)\n'
        "- uses: hynek/build-and-inspect-python-package@"
        "2abe76da66d0a6a4a227101f9348ee855797cfa5  # v3.0.1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        repo = facts_mod.baipp().repo.lower()
        steps = [
            step
            for wf in (*model.workflows, *model.actions)
            for job in wf.jobs.values()
            for step in job.steps
            if (step.action or "").lower() == repo
        ]
        if not steps:
            return
        info = analyze(project)
        mv = info.metadata_version()
        if mv is None:
            return
        why = metadata_why(info, mv)
        capped = _uv_exclude_newer(project)
        if capped is not None:
            reached = _cap_reaches(project, info, mv, capped)
            if reached is False:
                return  # uv installs no backend release that writes this version
            if reached is True:
                capped = None  # the cap is later than that release: it changes nothing
        for step in steps:
            if build_at(model, step) is not True:
                continue  # `path:` builds another project
            finding = self._step(step, mv, why, capped)
            if finding is not None:
                yield finding

    def _step(self, step: Step, mv: Version, why: str, capped: str | None) -> Finding | None:
        f = facts_mod.baipp()
        loc = ref_loc(step)
        src = step_source(step)
        if loc is None or src is None or step.uses is None:
            return None
        release = gha_refs.resolve(step.ref, trailing_comment(src, step.uses), gha_refs.baipp())
        reads_24 = not release.before(f.threshold("metadata-2-4-since"))
        if mv >= V25 and release.before(f.threshold("metadata-2-5-since")):
            need = f.threshold("metadata-2-5-since")
        elif not reads_24:
            need = f.threshold("metadata-2-4-since")
        else:
            return None  # new enough, or the exact release is not known
        # twine 4-5 (pkginfo) know versions up to 2.3; twine 6.x up to 2.4
        error = INVALID_25 if reads_24 else INVALID_24
        known = release.version
        shown = f"{release.shown}{release.provenance()}"
        if release.moving and release.line:
            line = release.line
            known = max(
                (v for v in f.shas.values() if v.release[: len(line)] == line), default=None
            )
            if known is not None:
                shown = f"`@{step.ref}` (last moved to v{known})"
        table = {str(k): str(v) for k, v in dict(f.raw.get("twine", {})).items()}
        twine = _twine_of(known, table) if known is not None else ""
        runs = f" (twine {twine})" if twine else ""
        fix = None
        if release.kind == gha_refs.TAG:
            fix = Fix(f"use v{f.latest}", (Edit(loc.start, loc.end, f"v{f.latest}"),), safe=False)
        help_text = (
            f"Its `twine check` fails the build job: {error}. Pin v{need} or later "
            f"(`{f.raw.get('recommended-ref', f'v{f.latest}')}`); there is no moving `v3` tag."
        )
        if capped is not None:
            # uv (which the action builds with) installs no release newer than this: the
            # backend release that writes the new version may be out of reach
            help_text += (
                f" (`[tool.uv] exclude-newer = {capped!r}` may keep the backend below the "
                "release that writes this version: check which one `uv build` installs.)"
            )
        return self.at(
            loc,
            f"hynek/build-and-inspect-python-package {shown}{runs} cannot read "
            f"Metadata-Version {mv}: {why}",
            help_text,
            severity=Severity.WARNING if capped is not None else None,
            fix=fix,
        )


_DURATION = LazyPattern(
    r"^\s*(?:P(?:(?P<iw>\d+)W|(?P<id>\d+)D)|(?P<n>\d+)\s*(?P<unit>days?|weeks?|d|w))\s*$",
    re.IGNORECASE,
)


def exclude_newer_cutoff(value: str, today: dt.date) -> dt.date | None:
    """The day uv's ``exclude-newer`` lets no newer release through: a date or RFC 3339
    timestamp as written, or ``today`` minus a duration (``7 days``, ``1 week``, ``P7D``);
    None for any other form (uv also accepts hours and mixed durations: not read)."""
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    found = _DURATION.match(text)
    if found is None:
        return None
    if found.group("iw") or found.group("id"):
        weeks, days = int(found.group("iw") or 0), int(found.group("id") or 0)
    else:
        count, unit = int(found.group("n")), found.group("unit").lower()
        weeks, days = (count, 0) if unit.startswith("w") else (0, count)
    return today - dt.timedelta(weeks=weeks, days=days)


#: a release is taken as installable once it has been out this long before a cap
_MARGIN = dt.timedelta(days=7)


def _cap_reaches(project: Project, info: BuildInfo, mv: Version, capped: str) -> bool | None:
    """Whether uv, capped by ``exclude-newer``, installs the backend release that first
    writes ``mv``: False when the cap is before the day it was out, True when it is a week
    or more after, None when not known (no date in the facts, a version the project's own
    fields choose, an unread cap)."""
    facts = info.facts
    if facts is None or info.license.import_names is not None or info.core_metadata_override:
        return None
    key = "metadata-2-5-since" if mv >= V25 else "metadata-2-4-since"
    since = facts.threshold(key)
    out = dict(facts.released).get(since) if since is not None else None
    cutoff = exclude_newer_cutoff(capped, project.today)
    if out is None or cutoff is None:
        return None
    if cutoff < out:
        return False
    return True if cutoff >= out + _MARGIN else None


def _uv_exclude_newer(project: Project) -> str | None:
    """``[tool.uv] exclude-newer`` of the root pyproject.toml, when set: ``uv build`` then
    installs no build requirement released after it."""
    doc = project.pyproject
    value = doc.get(("tool", "uv", "exclude-newer")) if doc is not None else None
    return value if isinstance(value, str) and value.strip() else None
