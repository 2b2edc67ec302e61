"""SL408 token-shared-across-projects: one secret uploads two different PyPI projects, so
it holds an account-wide token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.deploy.match import PYPI_PROJECT_URL, match
from shiplint.findings import Finding, Severity
from shiplint.pkg.requirements import canonical_name
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.deploy.common import built_root_name
from shiplint.rules.trusted_publishing.uploads import PYPI_INDEXES, upload_index

if TYPE_CHECKING:
    from shiplint.model import Credential, Upload
    from shiplint.project import Project


@register
class TokenSharedAcrossProjects(Rule):
    """One secret uploads two different PyPI projects: it is an account-wide token.

    A PyPI API token scoped to a project uploads only that project (PyPI answers `403
    Invalid API Token: project-scoped token is not valid for project: 'bar'`), and PyPI's
    token page makes tokens for the whole account or for one project. So a secret that
    uploads both `foo` and `bar` holds an account-wide token: once leaked, it can upload new
    releases of every project the account maintains. (A token attenuated offline to several
    project names, e.g. with `pypitoken`, also uploads both; then this warning does not
    apply.) Only uploads whose project is certain count: the project named by the job's
    environment URL (`https://pypi.org/p/NAME`), the deploy record's `project`, or the
    metadata of the root project that every build feeding the job makes, all agreeing;
    both uploads go to the same index (PyPI or TestPyPI) with the same `secrets.NAME` in
    the same GitHub environment (an environment secret of that name would override the
    repository's), outside a reusable workflow (whose secret names are its callers').

    Fix: one project-scoped token per project, each in its own secret, or better trusted
    publishing (no token at all: `permissions: id-token: write` and a trusted publisher
    per project on PyPI).

    Sources: pypi/warehouse `warehouse/macaroons/caveats/__init__.py`, the `ProjectName`
    caveat (a list of normalized names; any other project fails with the message above);
    warehouse#6288 (the token page: scope "Entire account (all projects)" or one project);
    ewjoachim/pypitoken (attenuating a token to several projects). Checked 2026-12-06.
    """

    code = "SL408"
    name = "token-shared-across-projects"
    severity = Severity.WARNING
    summary = "One secret uploads two different PyPI projects: an account-wide token"
    catalogue = ("S-1",)
    example_file = ".github/workflows/release.yml"
    before = """\
  publish-core:
    environment: {name: pypi, url: https://pypi.org/p/foo-core}
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with: {password: "${{ secrets.PYPI_TOKEN }}", packages-dir: core/dist}
  publish-cli:
    environment: {name: pypi, url: https://pypi.org/p/foo-cli}
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with: {password: "${{ secrets.PYPI_TOKEN }}", packages-dir: cli/dist}
"""
    after = """\
  publish-core:
    environment: {name: pypi, url: https://pypi.org/p/foo-core}
    permissions: {id-token: write}
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with: {packages-dir: core/dist}
"""

    def check(self, project: Project) -> Iterator[Finding]:
        if project.single_file:
            return
        groups: dict[tuple[str, str, str], list[tuple[Upload, Credential, str]]] = {}
        for upload, cred, name in _known(project):
            job = upload.job
            environment = job.environment.text if job and job.environment else ""
            if "${{" in environment:
                continue
            # an environment's secret of the same name overrides the repository's
            key = (upload_index(upload), cred.secret or "", environment)
            groups.setdefault(key, []).append((upload, cred, name))
        for (_index, secret, _environment), uses in groups.items():
            names = sorted({canonical_name(name) for _u, _c, name in uses})
            if len(names) < 2:
                continue
            listed = ", ".join(f"`{n}`" for n in names)
            for _upload, cred, name in uses:
                yield self.at(
                    cred.loc,
                    f"secret `{secret}` uploads {listed}: a token that can upload more than "
                    f"one project is scoped to the whole account",
                    f"This upload is for `{name}`. A project-scoped PyPI token is refused "
                    "for any other project, so this secret holds an account-wide token, "
                    "which can upload every project of the account. Give each project its "
                    "own project-scoped token and secret, or use trusted publishing "
                    "(`permissions: id-token: write` and a trusted publisher per project).",
                )


def _known(project: Project) -> Iterator[tuple[Upload, Credential, str]]:
    """Token uploads to PyPI/TestPyPI from a GitHub workflow job (not a reusable one),
    with the ``secrets.NAME`` credential and the project they certainly upload."""
    recorded = {id(u): r for u, r, _d in match(project).pairs}
    for upload in project.model.uploads:
        job = upload.job
        workflow = upload.context.workflow
        if (
            upload.family != "pypi"
            or job is None
            or workflow is None
            or workflow.source.kind != "workflow"
            or workflow.is_reusable
            or upload_index(upload) not in PYPI_INDEXES
        ):
            continue
        secrets = [c for c in upload.token_credentials if _from_secret(c)]
        if len(secrets) != 1:
            continue
        names: set[str] = set()
        record = recorded.get(id(upload))
        if record is not None and record.str_("project"):
            names.add(record.str_("project") or "")
        url = job.environment_url
        if url is not None and "${{" not in url.text:
            found = PYPI_PROJECT_URL.search(url.text)
            if found is not None:
                names.add(found.group(1))
        built = built_root_name(project, job)
        if built is not None:
            names.add(built)
        if len({canonical_name(n) for n in names}) == 1:
            yield upload, secrets[0], next(iter(names))


def _from_secret(cred: Credential) -> bool:
    """The credential's text is ``${{ secrets.NAME }}`` for its recorded secret name."""
    if cred.secret is None:
        return False
    pattern = rf"secrets\s*(?:\.\s*{re.escape(cred.secret)}\b|\[\s*'{re.escape(cred.secret)}'\s*\])"
    return re.search(pattern, cred.loc.text) is not None
