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
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Upload
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
    else:
        how = "with credentials from the environment"
    return f"{upload.tool} upload to {where} {how}"


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
