"""What the deploy-record rules share: their base classes (:class:`_DeployRule`,
:class:`_RecordRule`, one record at a time), the records of a repository, and how findings name
a record, an index and an upload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.config import Config
from shiplint.deploy.match import (
    Destination,
    default_project,
)
from shiplint.deploy.record import DeployRecord, RecordSet, load_records
from shiplint.findings import Finding
from shiplint.lazyre import LazyPattern
from shiplint.model.publishers import publisher_label
from shiplint.pkg.requirements import canonical_name
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload
    from shiplint.project import Project


_INDEX_NAMES = {"pypi": "PyPI", "testpypi": "TestPyPI", "anaconda": "anaconda.org"}


def _config(project: Project) -> Config:
    return project.config or Config()


def _records(project: Project) -> RecordSet | None:
    """The records of a repository (None for a single-file audit)."""
    if project.single_file:
        return None
    return load_records(project)


def _where(record: DeployRecord) -> str:
    return f"deploy record `{record.name}`"


def _index_name(index: str | None) -> str:
    if index is None:
        return "an index the files do not name"
    return _INDEX_NAMES.get(index, index)


def _project_name(project: Project, record: DeployRecord) -> str | None:
    return record.str_("project") or default_project(project)


def _describe(upload: Upload, dest: Destination) -> str:
    where = _index_name(dest.index)
    if dest.family == "anaconda":
        where = f"anaconda.org channel `{dest.channel}`" if dest.channel else "anaconda.org"
    if dest.secret_names:
        how = f"with the token in secret `{dest.secret_names[0]}`"
    elif dest.oidc:
        how = "by trusted publishing"
    elif any(cred.encrypted for cred in upload.token_credentials):
        how = "with a token encrypted in the file (`secure:`)"
    else:
        how = "with credentials from the environment"
    what = f"`{publisher_label(upload)}`" if upload.publisher is not None else upload.tool
    return f"{what} upload to {where} {how}"


#: shell before a build that may rewrite the project's metadata (a script, an in-place edit)
_EDITS = LazyPattern(
    r"\.(?:sh|bash|py|ps1)\b|\./|\b(?:sed|perl|source|eval|toml|tomlq|yq|make|tox|nox)\b"
    r"|pyproject\.toml|setup\.cfg"
)
#: actions that do not edit the checked-out project
_QUIET_ACTIONS = ("actions/", "astral-sh/setup-uv", "pdm-project/setup-pdm", "snok/install-poetry")


def _may_edit_metadata(step: Step) -> bool:
    if step.uses is not None:
        return not (step.action or "").lower().startswith(_QUIET_ACTIONS)
    return step.run is not None and bool(_EDITS.search(step.run.value))


def built_root_name(project: Project, job: Job) -> str | None:
    """The project name (pyproject.toml, setup.cfg or setup.py) of the root project when
    every build feeding ``job`` builds it, and the metadata names exactly one project;
    None when not certain (no build seen, a sub-directory build, a workspace root, a
    dynamic or computed name)."""
    from shiplint.pkg.metadata import project_metadata
    from shiplint.rules.versioning.builds import build_at, feeding_jobs

    model = project.model
    builds: list[bool] = []
    for build_job, _via in feeding_jobs(model, job):
        for index, step in enumerate(build_job.steps):
            at_root = build_at(model, step)
            if at_root is None:
                continue
            if not at_root or any(_may_edit_metadata(s) for s in build_job.steps[:index]):
                return None
            builds.append(at_root)
    if not builds:
        return None
    meta = project_metadata(project)
    if meta.workspace_root:
        return None
    names = {d.name.value for d in meta.declared if d.name is not None}
    if len({canonical_name(n) for n in names}) != 1:
        return None
    return next(iter(names))


class _DeployRule(Rule):
    example_file = "pyproject.toml"


class _RecordRule(_DeployRule):
    """A rule that looks at each deploy record on its own."""

    def check(self, project: Project) -> Iterator[Finding]:
        records = _records(project)
        if records is None:
            return
        for record in records.records:
            yield from self.check_record(project, record)

    def check_record(self, project: Project, record: DeployRecord) -> Iterator[Finding]:
        raise NotImplementedError  # pragma: no cover - every subclass overrides it


def _pypi_account(record: DeployRecord) -> bool:
    """The record's account is a PyPI or TestPyPI one (or its index is not known yet)."""
    return record.on_pypi or (record.index is None and record.family == "pypi")
