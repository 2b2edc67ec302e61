"""SL721: a VCS-versioned project built from a shallow checkout and published (P-5), and
the fix that sets `fetch-depth: 0`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.pkg.build_backend import analyze
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import set_input_fix, step_source
from shiplint.rules.versioning.builds import (
    checks_out_chosen_ref,
    feeding_jobs,
    shallow_build_checkouts,
)
from shiplint.rules.versioning.runs import Found, Policy, upload_reach
from shiplint.rules.versioning.uploads import LOCAL_400, version_overridden, version_where

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload
    from shiplint.project import Project


@register
class VcsVersionShallowCheckout(Rule):
    """A VCS-versioned project is built from a shallow clone and the result is published.

    setuptools-scm, hatch-vcs, versioningit, pdm-backend's `scm` source and
    poetry-dynamic-versioning compute the version from `git describe`: they need the tags
    *and* the commits between the last tag and `HEAD`. `actions/checkout` fetches a single
    commit by default (`fetch-depth: 1`), so on a branch the plugin finds no tag and
    falls back to `0.1.dev1+g731594d`:

    `UserWarning: "/home/runner/work/x/x" is shallow and may cause errors` and then
    `pyhf-0.1.dev1-py2.py3-none-any.whl` - a bogus release, or PyPI's
    `400 The use of local versions … is not allowed`.

    `fetch-tags: true` alone does not help: the tags arrive but the history that connects
    them to `HEAD` does not, and `git describe` still finds nothing. A run for a tag push or
    a published release checks out the tagged commit itself, which does carry the tag, so
    shiplint reports the checkout only when the built distributions can be uploaded from a
    run whose ref is not a tag (a push to a branch, `workflow_dispatch`, `schedule`, a pull
    request ...), taking the `if:` of the upload step and its jobs into account. The build is
    recognised by `python -m build`, `pyproject-build`, `uv/hatch/pdm/poetry/flit build`,
    `cibuildwheel` (command or action), `maturin build/sdist` (or maturin-action),
    `pip wheel`, `setup.py sdist/bdist_wheel`, hynek/build-and-inspect-python-package, and
    tox envs, nox sessions and make targets that run one of those. The upload must be in the
    build job, in a job that `needs:` it (directly or not), or in the workflow that calls
    the reusable workflow holding it. Not reported: a later `git fetch --unshallow`, a
    checkout with its own `ref:` (a tag picked for `workflow_dispatch`), a version fixed in
    the workflow (`SETUPTOOLS_SCM_PRETEND_VERSION`, `PDM_BUILD_SCM_VERSION`,
    `POETRY_DYNAMIC_VERSIONING_BYPASS`), and builds of a project in a sub-directory (a
    monorepo member: the root's configuration does not describe it).

    How certain the failure is decides the severity: an error when the upload certainly
    runs on a branch; a warning when only a `workflow_dispatch` started from a branch
    builds it (one started from a tag checks out the tag) or when `continue-on-error` hides
    the failure; information when an `if:` shiplint cannot evaluate (a step or job
    output, a variable) decides whether the upload runs there.

    Fix: `fetch-depth: 0` on the checkout of the build job.
    """

    code = "SL721"
    on_examples = False
    name = "vcs-version-shallow-checkout"
    severity = Severity.ERROR
    summary = "VCS-derived version built from a shallow actions/checkout and published"
    catalogue = ("P-5",)
    before = (
        "on:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n"
        "          repository-url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "on:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n"
        "          repository-url: https://test.pypi.org/legacy/\n"
    )

    #: a shallow build under an upload that may not run there: say what to check; under
    #: `continue-on-error` a bogus version can still be accepted (no local label)
    policy = Policy(Severity.ERROR, uncertain=Severity.INFO, tolerated=Severity.WARNING)

    def check(self, project: Project) -> Iterator[Finding]:
        version = analyze(project).version
        if version.kind != "vcs":
            return
        model = project.model
        best: dict[tuple[str, int], tuple[Loc, Step, Job, str, Upload, Found]] = {}
        for upload in model.uploads:
            job = upload.context.job
            if job is None or job.workflow is None:
                continue
            if upload.context.origin not in ("workflow", "script"):
                continue
            found = upload_reach(project, upload, self.policy)
            if found is None or checks_out_chosen_ref(model, job):
                continue
            if version_overridden(project, upload):
                continue
            for build_job, via in feeding_jobs(model, job):
                for checkout in shallow_build_checkouts(model, build_job):
                    src = step_source(checkout)
                    if src is None or checkout.uses is None:
                        continue
                    loc = Loc(src, checkout.uses.start, checkout.uses.end)
                    key = (src.rel, loc.start)
                    if key not in best or found.severity.rank > best[key][5].severity.rank:
                        best[key] = (loc, checkout, build_job, via, upload, found)
        for loc, checkout, build_job, via, upload, found in best.values():
            upload_line = upload.loc.pos.line
            where = (
                f"line {upload_line}"
                if upload.source is loc.source
                else f"{upload.source.rel}:{upload_line}"
            )
            yield self.at(
                loc,
                f"shallow checkout (no `fetch-depth: 0`) in job `{build_job.id}`, which "
                f"builds the distributions{via}: {version.plugin} computes the version "
                f"from git history{version_where(version)}, and the upload at {where} "
                f"runs on {found.what}",
                "Without the history between the last tag and HEAD the version falls "
                "back to `0.1.dev1+g<sha>` (`… is shallow and may cause errors`): a "
                f"bogus release, or PyPI's {LOCAL_400}. Add `fetch-depth: 0` to this "
                f"checkout.{found.note()}",
                severity=found.severity,
                fix=set_input_fix(
                    checkout, "fetch-depth", "0", "fetch the whole history (`fetch-depth: 0`)"
                ),
            )
