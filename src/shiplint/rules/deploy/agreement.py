"""Deploy record and workflows disagree: SL809 deploy-secret-mismatch, SL810
deploy-auth-mismatch, SL811 deploy-workflow-mismatch, SL812 deploy-environment-mismatch,
SL813 environment-url-project-mismatch, SL814 stale-deploy-record (a record no upload
matches) and SL818 deploy-channel-mismatch."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.deploy.match import (
    PYPI_PROJECT_URL,
    Destination,
    match,
    upload_publishers,
)
from shiplint.deploy.record import DeployRecord
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.model import Loc
from shiplint.pkg.requirements import canonical_name
from shiplint.rules import register
from shiplint.rules.deploy.common import (
    _DeployRule,
    _index_name,
    _project_name,
    _records,
    _where,
    built_root_name,
)

if TYPE_CHECKING:
    from shiplint.model import Upload, Value
    from shiplint.project import Project


def _pairs(project: Project) -> list[tuple[Upload, DeployRecord, Destination]]:
    """Uploads with their record and destination (none for a single-file audit)."""
    return [] if project.single_file else match(project).pairs


@register
class SecretMismatch(_DeployRule):
    """The upload reads a different secret than its deploy record names.

    A secret that does not exist reads as an empty string: the publish action then tries
    trusted publishing and fails, `anaconda` reports an empty token, and scripts that check
    for an empty token skip the upload and stay green. Either the workflow or the record is
    wrong; make them name the same secret.
    """

    code = "SL809"
    on_examples = False
    name = "deploy-secret-mismatch"
    severity = Severity.ERROR
    summary = "An upload reads a different secret than its deploy record names"
    catalogue = ("S-1",)
    example_file = ".github/workflows/release.yml"
    before = """\
# pyproject.toml: [tool.shiplint.deploy.pypi] secret = "PYPI_API_TOKEN"
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
"""
    after = """\
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for _upload, record, dest in _pairs(project):
            wanted = record.str_("secret")
            if wanted is None or record.auth != "token" or wanted in dest.secret_names:
                continue
            for cred in dest.secrets:
                yield self.at(
                    cred.loc,
                    f"uses secret `{cred.secret}`, but {_where(record)} names `{wanted}`",
                    f"Use the secret the record documents (`{wanted}`), or, if `{cred.secret}` "
                    f"is the right one, update `secret` in the record and check who owns it.",
                )


@register
class AuthMismatch(_DeployRule):
    """The upload authenticates differently than its deploy record says.

    A record with `auth = "trusted-publishing"` while the step still passes a password:
    the password wins, trusted publishing is never tried, and the release depends on a token
    nobody is tracking (PyLoad kept `password:` for weeks after setting up its trusted
    publisher). A record with `auth = "token"` while the upload uses trusted publishing: the
    record describes a token that is no longer used — update it.
    """

    code = "SL810"
    on_examples = False
    name = "deploy-auth-mismatch"
    severity = Severity.ERROR
    summary = "Upload and deploy record disagree on trusted publishing vs token"
    catalogue = ("T-6",)
    example_file = ".github/workflows/release.yml"
    before = """\
# pyproject.toml: [tool.shiplint.deploy.pypi] auth = "trusted-publishing"
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""
    after = """\
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, record, dest in _pairs(project):
            tokens = upload.token_credentials
            if record.auth == "trusted-publishing" and tokens:
                for cred in tokens:
                    what = f"secret `{cred.secret}`" if cred.secret else "a token"
                    yield self.at(
                        cred.loc,
                        f"passes {what}, but {_where(record)} says trusted publishing",
                        "A password or token disables trusted publishing. Remove it (and its "
                        "secret) so the upload uses the trusted publisher, or record the token "
                        'with auth = "token".',
                    )
            elif record.auth == "token" and dest.oidc and not tokens:
                yield self.at(
                    upload.loc,
                    f'uses trusted publishing, but {_where(record)} says auth = "token"',
                    "The record describes a token this upload no longer uses. Set auth = "
                    '"trusted-publishing" and workflow = "<file>.yml", and delete the old '
                    "token on the index.",
                )


@register
class WorkflowMismatch(_DeployRule):
    """The record's trusted-publishing `workflow` is missing or does not publish.

    PyPI's trusted publisher names one workflow file, and PyPI looks it up by the file in
    the OIDC token's `job_workflow_ref` claim: the workflow that contains the publishing job.
    For a job of a reusable workflow GitHub sets that claim to the reusable workflow, not to
    the workflow that calls it (warehouse `oidc/models/github.py`, `lookup_by_claims`;
    GitHub's OIDC reference). When the file was renamed, the publishing job moved to another
    file, or the publisher names the caller of a reusable workflow, every upload fails with
    `invalid-publisher: valid token, but no corresponding publisher`. The record names the
    file registered on PyPI; keep it, the PyPI settings and the repository in step.
    """

    code = "SL811"
    on_examples = False
    name = "deploy-workflow-mismatch"
    severity = Severity.ERROR
    summary = "Deploy record names a workflow that does not exist or does not publish"
    catalogue = ("T-4",)
    before = """\
[tool.shiplint.deploy.pypi]
auth = "trusted-publishing"
workflow = "publish.yml"   # the job is in release.yml
"""
    after = """\
[tool.shiplint.deploy.pypi]
auth = "trusted-publishing"
workflow = "release.yml"
"""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        matching = match(project)
        for record in records.records:
            name = record.str_("workflow")
            if name is None or record.auth != "trusted-publishing":
                continue
            base = posixpath.basename(name)
            rel = f".github/workflows/{base}"
            loc = record.loc("workflow")
            if rel not in project.by_rel:
                yield self.at(
                    loc,
                    f"{_where(record)}: workflow `{base}` does not exist",
                    f"There is no {rel}. Set `workflow` to the file that publishes, and register "
                    "that file name as the trusted publisher on the index.",
                )
                continue
            uploads = matching.uploads_of(record)
            files = _publishing_files(project, uploads)
            if base in files or base in _publishing_files(project, uploads, trusted_only=False):
                continue  # publishing from `base` with a token instead is SL810's finding
            where = ", ".join(sorted(files))
            yield self.at(
                loc,
                f"{_where(record)}: `{base}` does not publish to "
                f"{_index_name(record.normalised_index)}"
                + (f" (the trusted-publishing upload is in {where})" if where else ""),
                "PyPI only accepts tokens from the workflow file registered as trusted "
                "publisher (`invalid-publisher` otherwise). Point `workflow` at the file that "
                "publishes, and the PyPI publisher settings too.",
            )


def _publishing_files(
    project: Project, uploads: list[Upload], trusted_only: bool = True
) -> set[str]:
    """Workflow files that contain the jobs making these trusted-publishing uploads."""
    files: set[str] = set()
    for upload in uploads:
        if trusted_only and not upload.oidc:
            continue
        # PyPI matches the publisher on the file named by the token's `job_workflow_ref`:
        # the workflow that contains the job, reusable or not; a script, Makefile target,
        # tox env or nox session through the step that runs it
        files.update(upload_publishers(project.model, upload))
    return files


@register
class EnvironmentMismatch(_DeployRule):
    """The publishing job's GitHub environment differs from the record's `environment`.

    A trusted publisher registered with an environment only accepts tokens from jobs in that
    environment; a job in another (or none) fails with `invalid-publisher`.
    """

    code = "SL812"
    on_examples = False
    name = "deploy-environment-mismatch"
    severity = Severity.ERROR
    summary = "Publishing job runs in another GitHub environment than the record says"
    catalogue = ("T-4",)
    example_file = ".github/workflows/release.yml"
    before = """\
# pyproject.toml: [tool.shiplint.deploy.pypi] environment = "pypi"
  publish:
    environment: release
"""
    after = """\
  publish:
    environment: pypi
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, record, dest in _pairs(project):
            wanted = record.str_("environment")
            job = upload.job
            if wanted is None or not dest.oidc or job is None:
                continue
            env = job.environment
            if env is None or not env.text:
                node = job.id_node
                wf = job.workflow
                loc = upload.loc
                if node is not None and wf is not None:
                    loc = Loc(wf.source, node.start, node.end)
                yield self.at(
                    loc,
                    f"job `{job.id}` publishes without an environment; {_where(record)} says "
                    f"`{wanted}`",
                    f"Add `environment: {wanted}` to the job (the trusted publisher on the index "
                    "is registered with it), or remove `environment` from the record and the "
                    "publisher settings.",
                )
            elif "${{" not in env.text and env.text != wanted:
                yield self.at(
                    env.loc or upload.loc,
                    f"job `{job.id}` runs in environment `{env.text}`, {_where(record)} says "
                    f"`{wanted}`",
                    "The trusted publisher only accepts the environment it was registered "
                    f"with. Use `environment: {wanted}`, or update the record and the "
                    "publisher settings on the index.",
                )


@register
class EnvironmentUrlMismatch(_DeployRule):
    """The publishing job's `environment.url` points at another PyPI project.

    The URL is what GitHub shows for each deployment; a URL naming another project is the
    usual trace of a workflow copied from elsewhere, whose publisher settings and record
    probably need the same correction.

    The project the URL must name is the deploy record's `project` (else pyproject.toml's
    `[project].name`). Without a record it is the name the project's own metadata declares
    (pyproject.toml, setup.cfg or setup.py, compared normalised), but only when every build
    feeding the job builds the project at the repository root with nothing run before it
    that may rewrite the metadata (a script, an in-place edit, an unknown action): a
    monorepo member built from a sub-directory, a workspace root, or a job whose files come
    from elsewhere is left alone.
    """

    code = "SL813"
    on_examples = False
    name = "environment-url-project-mismatch"
    severity = Severity.WARNING
    summary = "Publishing job's environment URL names a different PyPI project"
    catalogue = ("T-4",)
    example_file = ".github/workflows/release.yml"
    before = """\
    environment:
      name: pypi
      url: https://pypi.org/p/pyload
"""
    after = """\
    environment:
      name: pypi
      url: https://pypi.org/p/pyload-ng
"""

    def check(self, project: Project) -> Iterator[Finding]:
        if project.single_file:
            return
        paired = match(project).pairs
        for upload, record, _dest in paired:
            job = upload.job
            if job is None or job.environment_url is None or record.family != "pypi":
                continue
            wanted = _project_name(project, record)
            if wanted is not None:
                yield from self._compare(job.environment_url, upload, wanted, _where(record))
        # without a record: the name in the metadata of the project every build feeding
        # the job makes (the root project), once per job
        recorded = {id(upload) for upload, _record, _dest in paired}
        done: set[int] = set()
        for upload in project.model.uploads:
            job = upload.job
            if (
                id(upload) in recorded
                or upload.family != "pypi"
                or job is None
                or job.environment_url is None
                or id(job) in done
            ):
                continue
            done.add(id(job))
            wanted = built_root_name(project, job)
            if wanted is not None:
                yield from self._compare(job.environment_url, upload, wanted, "the job")

    def _compare(self, url: Value, upload: Upload, wanted: str, who: str) -> Iterator[Finding]:
        found = PYPI_PROJECT_URL.search(url.text)
        if found is None or "${{" in url.text:
            return
        name = found.group(1)
        if canonical_name(name) == canonical_name(wanted):
            return
        loc = url.loc
        fix = None
        if loc is not None and name in loc.text:
            at = loc.start + loc.text.index(name)
            fix = Fix(f"replace `{name}` with `{wanted}`", (Edit(at, at + len(name), wanted),))
        if who == "the job":
            message = (
                f"environment URL names project `{name}`, the job builds and uploads `{wanted}`"
            )
        else:
            message = f"environment URL names project `{name}`, {who} uploads `{wanted}`"
        yield self.at(
            loc or upload.loc,
            message,
            f"Point the URL at https://pypi.org/p/{wanted} and check that the trusted "
            "publisher (and the deploy record, if any) belong to the same project.",
            fix=fix,
        )


@register
class StaleRecord(_DeployRule):
    """A deploy record matches no upload.

    The destination it documents is no longer uploaded to (or its index, channel or secret
    changed): the record has gone stale, and the credential it describes may still exist
    on the index. Delete the record (and revoke the token) or correct it.
    """

    code = "SL814"
    on_examples = False
    name = "stale-deploy-record"
    severity = Severity.WARNING
    summary = "A deploy record matches no upload in the repository"
    catalogue = ("S-1",)
    before = """\
[tool.shiplint.deploy.testpypi]   # nothing uploads to TestPyPI any more
index = "testpypi"
"""
    after = """\
# record removed; the TestPyPI token revoked
"""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        for record in match(project).unused:
            if record.index is None and "index" not in record.placeholders:
                continue  # malformed: reported by SL816
            what = _index_name(record.normalised_index)
            if record.str_("channel"):
                what += f" channel `{record.str_('channel')}`"
            yield self.at(
                record.table_loc(),
                f"{_where(record)} ({what}) matches no upload",
                "No workflow, script, tox env or Makefile uploads there. Delete the record and "
                "revoke its credential, or fix its `index`/`channel` to match the upload.",
            )


@register
class ChannelMismatch(_DeployRule):
    """The upload goes to another anaconda.org channel than its deploy record says.

    An anaconda.org token uploads only where its account may write: to an org's package
    when the account is in the org group that owns it. h5py's nightly upload failed with
    `401 User is not authorized to perform this operation` because the token had been made
    for the old org (`scipy-wheels-nightly`) while the workflow, correctly, uploaded to
    `scientific-python-nightly-wheels`. When the record's channel and the workflow's differ,
    one of them is wrong, and the token is probably wrong with it.
    """

    code = "SL818"
    on_examples = False
    name = "deploy-channel-mismatch"
    severity = Severity.ERROR
    summary = "Upload goes to another anaconda.org channel than its deploy record says"
    catalogue = ("E-2",)
    before = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scipy-wheels-nightly"    # the workflow uploads to scientific-python-nightly-wheels
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
"""
    after = """\
[tool.shiplint.deploy.nightly]
index = "anaconda"
channel = "scientific-python-nightly-wheels"
group = "h5py"
secret = "ANACONDA_ORG_UPLOAD_TOKEN"
"""

    def check(self, project: Project) -> Iterator[Finding]:
        for upload, record, dest in _pairs(project):
            channel = record.str_("channel")
            if dest.family != "anaconda" or channel is None or dest.channel is None:
                continue
            if channel == dest.channel:
                continue
            target = upload.target
            loc = target.loc if target is not None and target.loc is not None else upload.loc
            yield self.at(
                loc,
                f"uploads to channel `{dest.channel}`, but {_where(record)} (secret "
                f"`{record.str_('secret')}`) is for channel `{channel}`",
                "A token only uploads where its account is in the group that owns the package "
                "(`401 User is not authorized to perform this operation` otherwise). If the "
                f"workflow is right, make a new personal token as a member of the project's "
                f"group in `{dest.channel}`, store it in the secret, and update `channel`, "
                "`group`, `account` and `token-expires` in the record.",
            )
