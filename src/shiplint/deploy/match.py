"""Pair every upload of the release model with the deploy record that documents it.

An upload's *destination* is its index (``pypi``, ``testpypi``, ``anaconda`` or an URL),
for Anaconda.org the channel (org or user) it writes to, and what authenticates it: the
CI secrets it reads, or trusted publishing from a workflow file.  Records are matched on
the index (and, for Anaconda.org, the channel) first; among those, the record that agrees
on the secret and workflow wins.  A record that agrees on the index but not on the
secret still matches: the difference is drift, reported by the drift rules, rather than
an undocumented upload plus a stale record.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from shiplint.deploy.record import DeployRecord, load_records
from shiplint.model.commands import index_of_url

if TYPE_CHECKING:
    from shiplint.model import Credential, Upload
    from shiplint.project import Project

_UNRESOLVED = re.compile(r"\$|\{\{")
#: ``https://pypi.org/p/NAME`` or ``/project/NAME``: a job's environment URL names its project
PYPI_PROJECT_URL = re.compile(
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
    #: the PyPI project, when the job's environment URL names one (as written)
    project: str | None = None

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


def normalise_index(text: str) -> str:
    """``pypi``/``testpypi``/``anaconda`` for their URLs, else the URL without a final ``/``."""
    known = index_of_url(text)
    if known is not None:
        return known
    lowered = text.strip()
    scheme, sep, rest = lowered.partition("://")
    if sep:
        host, slash, path = rest.partition("/")
        lowered = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    return lowered.rstrip("/")


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
    secrets = [c for c in upload.token_credentials if c.secret]
    project_name = None
    job = upload.job
    if upload.family == "pypi" and job is not None and job.environment_url is not None:
        url = job.environment_url.text
        found = PYPI_PROJECT_URL.search(url)
        if found is not None and "${{" not in url:
            project_name = found.group(1)
    return Destination(upload.family, index, channel, secrets, upload.oidc, workflow, project_name)


def default_project(project: Project) -> str | None:
    """``[project].name`` of pyproject.toml: the PyPI project a record means by default."""
    doc = project.pyproject
    value = doc.get(("project", "name")) if doc is not None else None
    return value if isinstance(value, str) else None


def same_project(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and canonicalize_name(a) == canonicalize_name(b)


def _pypirc_url(project: Project, name: str) -> str | None:
    if name in ("pypi", "testpypi"):
        return name
    for entry in project.model.pypirc:
        if entry.section == name and entry.repository is not None:
            return normalise_index(entry.repository.text)
    return None


def _record_index(record: DeployRecord) -> str | None:
    index = record.index
    return normalise_index(index) if index is not None else None


def _compatible(record: DeployRecord, dest: Destination) -> bool:
    """Hard keys: the same index (and Anaconda.org channel) when both are known."""
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
    rec_index = _record_index(record)
    if dest.index is not None and rec_index != dest.index:
        return False
    channel = record.str_("channel")
    if channel is not None and dest.channel is not None and channel != dest.channel:
        return False
    # a record naming its project explicitly documents only that project (monorepos)
    named = record.str_("project")
    return named is None or dest.project is None or same_project(named, dest.project)


def _agreement(record: DeployRecord, dest: Destination, default: str | None) -> int:
    """Soft keys that agree: the project, the secret, the auth method and the workflow."""
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
    if workflow is not None and posixpath.basename(workflow) == dest.workflow:
        score += 1
    if record.str_("channel") is not None and dest.channel is not None:
        score += 1
    return score


def _same_credential(records: list[DeployRecord], dest: Destination) -> list[DeployRecord]:
    """Anaconda.org records for the same secret but another channel: the channel drifted.

    (h5py: the token was made for the old org while the workflow uploaded to the new one.)
    """
    return [
        r
        for r in records
        if r.index == "anaconda"
        and r.str_("secret") is not None
        and r.str_("secret") in dest.secret_names
    ]


def match(project: Project) -> Matching:
    cached = project.memo.get("deploy-matching")
    if isinstance(cached, Matching):
        return cached
    records = load_records(project).records
    default = default_project(project)
    result = Matching()
    used: set[int] = set()
    for upload in project.model.uploads:
        dest = destination(upload, project)
        candidates = [r for r in records if _compatible(r, dest)]
        if not candidates and dest.family == "anaconda":
            candidates = _same_credential(records, dest)
        if not candidates:
            result.undocumented.append((upload, dest))
            continue
        best = max(candidates, key=lambda r: _agreement(r, dest, default))
        result.pairs.append((upload, best, dest))
        used.add(id(best))
    result.unused = [r for r in records if id(r) not in used]
    project.memo["deploy-matching"] = result
    return result
