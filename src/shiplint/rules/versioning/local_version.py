"""SL722: a VCS version with a local label (`+g<sha>`) uploaded from runs not for a tag
(P-4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.pkg.build_backend import analyze
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.versioning.builds import checks_out_chosen_ref, publishes_root_project
from shiplint.rules.versioning.runs import Policy, upload_reach
from shiplint.rules.versioning.uploads import (
    LOCAL_400,
    index_name,
    pypi_uploads,
    version_overridden,
    version_where,
    workflow_says,
)

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.project import Project


#: workflow text that drops the local part of a VCS version: setuptools-scm's overrides
#: (``SETUPTOOLS_SCM_OVERRIDES_FOR_X='local_scheme = "no-local-version"'``) or a rewrite of
#: the configuration before the build (``sed -i "s/node-and-date/no-local-version/"``)
_LOCAL_DROPPED = LazyPattern(r"SETUPTOOLS_SCM_OVERRIDES_FOR_|no-local-version")


def _overridden(project: Project, upload: Upload) -> bool:
    """Whether the workflow fixes the version or drops its local part."""
    return version_overridden(project, upload) or workflow_says(project, upload, _LOCAL_DROPPED)


@register
class LocalVersionUpload(Rule):
    """A VCS-derived version is uploaded from runs that are not for a tag.

    Between tags, setuptools-scm and hatch-vcs (and the other VCS plugins) make versions
    such as `1.3.dev4+g1a2b3c4`: the part after `+` is a PEP 440 *local version label*,
    which PyPI and TestPyPI refuse:

    `HTTPError: 400 Client Error: The use of local versions in
    <Version('0.1.dev1+g40e3ce6')> is not allowed.` (older PyPI: `'0.6.1.dev4+gdf99fe2' is
    an invalid value for Version. Error: Can't use PEP 440 local versions.`)

    shiplint reports an upload to PyPI or TestPyPI in a GitHub workflow that can run for a
    branch push, pull request, schedule, `workflow_dispatch` and other non-tag events,
    following the `if:` of the step and its jobs (`startsWith(github.ref, 'refs/tags/')`
    and `github.event_name == 'release'` keep it to tags), when the project's version comes
    from a VCS plugin without a no-local scheme. `local_scheme = "no-local-version"` (or
    `"dirty-tag"`), a versioningit `format` without `+`, poetry-dynamic-versioning
    `metadata = false`, `SETUPTOOLS_SCM_PRETEND_VERSION`/`SETUPTOOLS_SCM_OVERRIDES_FOR_*`
    in the workflow and a workflow that rewrites the scheme to `no-local-version` before
    building count as handled; so do a checkout with its own `ref:` and uploads of a
    project built in a sub-directory (a monorepo member with its own configuration). On a
    push, `github.event.ref` is `github.ref`: `startsWith(github.event.ref, 'refs/tags')`
    keeps the upload to tags too.

    The severity follows how certain the failure is: an error when the upload certainly
    runs on a branch; a warning when only a `workflow_dispatch` started from a branch
    uploads such a version (one started from a tag builds the tag's version), or when
    `continue-on-error` keeps the run green while the upload is refused every time;
    information when an `if:` shiplint cannot evaluate (a step or job output, a variable)
    decides whether the upload runs there.

    Fix: publish only for tags or releases; for development uploads to TestPyPI set
    `local_scheme = "no-local-version"` (`[tool.setuptools_scm]`, or `raw-options` of
    `[tool.hatch.version]`).
    """

    code = "SL722"
    on_examples = False
    name = "local-version-upload"
    severity = Severity.ERROR
    summary = "VCS version with a local label (+g<sha>) uploaded from non-tag runs"
    catalogue = ("P-4",)
    before = (
        "on:\n  push:\n    branches: [main]\njobs:\n  testpypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n          repository-url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    #: an upload that may not run there: say what to check; under `continue-on-error` the
    #: upload is refused every time while the workflow stays green
    policy = Policy(Severity.ERROR, uncertain=Severity.INFO, tolerated=Severity.WARNING)

    def check(self, project: Project) -> Iterator[Finding]:
        version = analyze(project).version
        if version.kind != "vcs" or version.no_local:
            return
        model = project.model
        seen: set[tuple[str, int]] = set()
        for upload in pypi_uploads(project):
            found = upload_reach(project, upload, self.policy)
            if found is None or _overridden(project, upload):
                continue
            job = upload.context.job
            if not publishes_root_project(model, job) or checks_out_chosen_ref(model, job):
                continue
            key = (upload.source.rel, upload.loc.start)
            if key in seen:
                continue
            seen.add(key)
            index = index_name(upload)
            yield self.at(
                upload.loc,
                f"this upload to {index} runs on {found.what}, where {version.plugin} makes a "
                f"version with a local label (`X.devN+g<sha>`){version_where(version)}",
                f"{index} refuses local versions: {LOCAL_400}. Publish only for tags or "
                f"releases (e.g. `if: startsWith(github.ref, 'refs/tags/')`), or drop the "
                f"local part for development uploads with {version.no_local_hint}."
                f"{found.note()}",
                severity=found.severity,
            )
