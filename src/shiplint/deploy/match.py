"""Pair every upload of the release model with the deploy record that documents it.

An upload's *destination* is its index (``pypi``, ``testpypi``, ``anaconda`` or an URL),
for Anaconda.org the channel (org or user) it writes to, and what authenticates it: the
CI secrets it reads, or trusted publishing from a workflow file.  Records are matched on
the index (and, for Anaconda.org, the channel, and the project when the record names one)
first; among those, the record that agrees on the secret, the workflow and (trusted
publishing) the GitHub environment wins.  A record that
agrees on the index but not on the secret still matches: the difference is drift, reported
by the drift rules, rather than an undocumented upload plus a stale record.

A record that matches no upload that way may still pair with an upload that differs only
in its Anaconda.org channel (same secret: the channel drifted, as in h5py's case) or in the
project its environment URL names: then the difference is drift too.  A record that does
match an upload never also takes the other one, which is undocumented.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shiplint.deploy.record import DeployRecord, load_records, normalise_index
from shiplint.lazyre import LazyPattern
from shiplint.parse.yamlnodes import YMap

if TYPE_CHECKING:
    from shiplint.model import Credential, ReleaseModel, Upload, Workflow
    from shiplint.project import Project

__all__ = [
    "Destination",
    "Matching",
    "match",
    "normalise_index",
    "publisher_workflows",
    "release_trigger",
    "upload_publishers",
]

_UNRESOLVED = LazyPattern(r"\$|\{\{")
#: ``https://pypi.org/p/NAME`` or ``/project/NAME``: a job's environment URL names its project
PYPI_PROJECT_URL = LazyPattern(
    r"https?://(?:test\.)?pypi\.org/(?:p|project)/([A-Za-z0-9._-]+)", re.IGNORECASE
)


@dataclass
class Destination:
    """Where an upload goes and how it authenticates, as far as the files tell."""

    family: str  # "pypi" or "anaconda"
    index: str | None  # pypi, testpypi, anaconda or a normalised URL; None when unknown
    channel: str | None  # Anaconda.org org/user when written literally
    secrets: list[Credential] = field(default_factory=list)  # token credentials from secrets
    oidc: bool = False
    workflow: str | None = None  # file name under .github/workflows when in a workflow
    #: the workflow files PyPI sees as the publisher: those that contain the publishing job
    publishers: list[str] = field(default_factory=list)
    #: the PyPI project, when the job's environment URL names one (as written)
    project: str | None = None
    #: the job's GitHub environment when written literally
    environment: str | None = None

    @property
    def secret_names(self) -> list[str]:
        return [c.secret for c in self.secrets if c.secret]


@dataclass
class Matching:
    pairs: list[tuple[Upload, DeployRecord, Destination]] = field(default_factory=list)
    undocumented: list[tuple[Upload, Destination]] = field(default_factory=list)
    unused: list[DeployRecord] = field(default_factory=list)

    def uploads_of(self, record: DeployRecord) -> list[Upload]:
        return [u for u, r, _ in self.pairs if r is record]


def destination(upload: Upload, project: Project) -> Destination:
    index: str | None = upload.index
    if index is not None and _UNRESOLVED.search(index):
        index = None
    elif index is not None and index not in ("pypi", "testpypi", "anaconda"):
        if "://" in index:
            index = normalise_index(index)
        else:  # a repository name: resolve it through .pypirc when possible
            index = _pypirc_url(project, index)
    channel = None
    if upload.family == "anaconda" and upload.target is not None:
        text = upload.target.text.strip()
        if text and not _UNRESOLVED.search(text):
            channel = text
    workflow = None
    wf = upload.context.workflow
    if wf is not None and upload.context.origin == "workflow":
        workflow = posixpath.basename(wf.source.rel)
    publishers = upload_publishers(project.model, upload)
    secrets = [c for c in upload.token_credentials if c.secret]
    project_name = None
    job = upload.job
    environment = None
    if job is not None and job.environment is not None:
        text = job.environment.text
        environment = text if text and "${{" not in text else None
    if upload.family == "pypi" and job is not None and job.environment_url is not None:
        url = job.environment_url.text
        found = PYPI_PROJECT_URL.search(url)
        if found is not None and "${{" not in url:
            project_name = found.group(1)
    return Destination(
        upload.family,
        index,
        channel,
        secrets,
        upload.oidc,
        workflow,
        publishers,
        project_name,
        environment,
    )


def release_trigger(workflow: Workflow) -> str | None:
    """The trigger that makes ``workflow`` a release workflow, best first: ``release``,
    a push of tags (``push`` without a branch-only filter), ``workflow_dispatch``; None
    when it has none (it tests, builds nightlies, or only runs when called)."""
    if "release" in workflow.triggers:
        return "release"
    if "push" in workflow.triggers:
        push = workflow.triggers["push"]
        filters = set(push.entries) if isinstance(push, YMap) else set()
        branch_only = filters & {"branches", "branches-ignore"} and not filters & {
            "tags",
            "tags-ignore",
        }
        if not branch_only:
            return "push"
    if "workflow_dispatch" in workflow.triggers:
        return "workflow_dispatch"
    return None


def publisher_workflows(workflow: Workflow) -> list[str]:
    """File names of the workflows PyPI sees as the publisher of a job of ``workflow``.

    PyPI looks a GitHub trusted publisher up by the workflow file named in the token's
    ``job_workflow_ref`` claim (warehouse ``oidc/models/github.py``, ``lookup_by_claims``),
    and GitHub sets that claim to the file that contains the job: for a job of a reusable
    workflow, the reusable workflow, not its caller (GitHub's OIDC reference; the caller is
    ``workflow_ref``, which PyPI does not check). So the publisher is ``workflow`` itself,
    however it is started.
    """
    return [posixpath.basename(workflow.source.rel)]


def upload_publishers(model: ReleaseModel, upload: Upload) -> list[str]:
    """The workflow files PyPI can see as the publisher of ``upload``: its own workflow, or
    the workflow of the step that runs this copy of its script, Makefile target, tox env or
    nox session (their commands are read once per calling step)."""
    context = upload.context
    workflows: list[Workflow] = []
    if context.origin == "script":
        for call in model.callers_of(upload.source.rel, context):
            wf = call.caller.workflow
            if wf is not None and call.caller.origin == "workflow" and wf not in workflows:
                workflows.append(wf)
    elif context.workflow is not None and context.origin != "action":
        workflows.append(context.workflow)
    names: list[str] = []
    for wf in workflows:
        names.extend(n for n in publisher_workflows(wf) if n not in names)
    return names


def default_project(project: Project) -> str | None:
    """``[project].name`` of pyproject.toml: the PyPI project a record means by default."""
    doc = project.pyproject
    value = doc.get(("project", "name")) if doc is not None else None
    return value if isinstance(value, str) else None


def same_project(a: str | None, b: str | None) -> bool:
    from shiplint.pkg.requirements import canonical_name

    return a is not None and b is not None and canonical_name(a) == canonical_name(b)


def _pypirc_url(project: Project, name: str) -> str | None:
    if name in ("pypi", "testpypi"):
        return name
    for entry in project.model.pypirc:
        if entry.section == name and entry.repository is not None:
            return normalise_index(entry.repository.text)
    return None


def _compatible(record: DeployRecord, dest: Destination, project: bool = True) -> bool:
    """Hard keys: the same index (and Anaconda.org channel, and, with ``project``, the PyPI
    project when the record names one) when both are known."""
    if record.index is None:
        # a skeleton written for an upload whose index the files do not tell
        anaconda = "channel" in record.values or "channel" in record.placeholders
        return (
            "index" in record.placeholders
            and dest.index is None
            and anaconda == (dest.family == "anaconda")
        )
    if record.family != dest.family:
        return False
    if dest.index is not None and record.normalised_index != dest.index:
        return False
    channel = record.str_("channel")
    if channel is not None and dest.channel is not None and channel != dest.channel:
        return False
    # a record naming its project explicitly documents only that project (monorepos)
    named = record.str_("project")
    return not project or named is None or dest.project is None or same_project(named, dest.project)


def _agreement(record: DeployRecord, dest: Destination, default: str | None) -> int:
    """Soft keys that agree: the project, the secret, the auth method, the workflow and,
    for trusted publishing, the environment."""
    score = 0
    if same_project(record.str_("project") or default, dest.project):
        score += 3
    secret = record.str_("secret")
    if secret is not None and secret in dest.secret_names:
        score += 2
    auth = record.auth
    if (auth == "trusted-publishing") == (dest.oidc and not dest.secrets):
        score += 1
    workflow = record.str_("workflow")
    if workflow is not None and (
        posixpath.basename(workflow) == dest.workflow
        or posixpath.basename(workflow) in dest.publishers
    ):
        score += 1
    if record.str_("channel") is not None and dest.channel is not None:
        score += 1
    if auth == "trusted-publishing" and record.str_("environment") == dest.environment:
        score += 1
    return score


def _same_credential(record: DeployRecord, dest: Destination) -> bool:
    """An Anaconda.org record for the same secret but another channel: the channel drifted.

    (h5py: the token was made for the old org while the workflow uploaded to the new one.)
    """
    secret = record.str_("secret")
    return (
        dest.family == "anaconda"
        and record.family == "anaconda"
        and secret is not None
        and secret in dest.secret_names
    )


def match(project: Project) -> Matching:
    cached = project.memo.get("deploy-matching")
    if isinstance(cached, Matching):
        return cached
    records = load_records(project).records
    default = default_project(project)
    uploads = [upload for upload in project.model.own_uploads if not upload.dry_run]
    dests = [(upload, destination(upload, project)) for upload in uploads]
    strict = [[r for r in records if _compatible(r, dest)] for _, dest in dests]
    # records that document some upload on their hard keys take no other upload
    claimed = {id(r) for candidates in strict for r in candidates}
    result = Matching()
    used: set[int] = set()
    for (upload, dest), candidates in zip(dests, strict):
        if not candidates:
            candidates = [
                r
                for r in records
                if id(r) not in claimed
                and (_compatible(r, dest, project=False) or _same_credential(r, dest))
            ]
        if not candidates:
            result.undocumented.append((upload, dest))
            continue
        best = max(candidates, key=lambda r: _agreement(r, dest, default))
        result.pairs.append((upload, best, dest))
        used.add(id(best))
    result.unused = [r for r in records if id(r) not in used]
    project.memo["deploy-matching"] = result
    return result
