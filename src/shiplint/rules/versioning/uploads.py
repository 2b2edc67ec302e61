"""The PyPI uploads the version rules judge, and what their workflows (and the scripts they
run) do to the version: fix it through the environment, or bump it before building."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.pkg.build_backend import VersionSource
from shiplint.rules.trusted_publishing.uploads import upload_index

if TYPE_CHECKING:
    from shiplint.model import Upload, Workflow
    from shiplint.project import Project


LOCAL_400 = (
    "`400 The use of local versions in <Version('0.1.dev1+g40e3ce6')> is not allowed.` "
    "(older PyPI: `'0.6.1.dev4+gdf99fe2' is an invalid value for Version. Error: Can't use "
    "PEP 440 local versions.`)"
)


#: environment variables that fix the version a VCS plugin reports
_VERSION_PRETEND = LazyPattern(
    r"SETUPTOOLS_SCM_PRETEND_VERSION|PDM_BUILD_SCM_VERSION|POETRY_DYNAMIC_VERSIONING_BYPASS"
)


#: shell code that changes a static version before building
_VERSION_BUMP = LazyPattern(
    r"\b(?:poetry|hatch|uv|pdm)\s+version\b|\bbump2?version\b|\bbump-my-version\b"
    r"|semantic-release|\btoml\s+set\b|\bsed\b[^\n]*version|\bversion\b[^\n]*"
    r"(?:run_number|run_id|RUN_NUMBER|RUN_ID|date\s+\+)|(?:run_number|RUN_NUMBER)[^\n]*version",
    re.IGNORECASE,
)


def pypi_uploads(project: Project) -> Iterator[Upload]:
    for upload in project.model.uploads:
        if upload.family == "pypi" and upload_index(upload) in ("pypi", "testpypi"):
            yield upload


def index_name(upload: Upload) -> str:
    return "TestPyPI" if upload_index(upload) == "testpypi" else "PyPI"


def _workflow_text(workflow: Workflow | None) -> str:
    return (workflow.source.text or "") if workflow is not None else ""


def workflow_says(project: Project, upload: Upload, pattern: LazyPattern) -> bool:
    """Whether the upload's workflow (or a script it runs) holds ``pattern``."""
    workflow = upload.context.workflow
    texts = [_workflow_text(workflow)]
    if upload.context.origin == "script":
        texts.append(upload.source.text or "")
    if any(pattern.search(t) for t in texts):
        return True
    return any(
        pattern.search(src.text or "")
        for src in project.of_kind("shell")
        if src.rel in project.model.script_calls
        and any(c.caller.workflow is workflow for c in project.model.script_calls[src.rel])
    )


def version_overridden(project: Project, upload: Upload) -> bool:
    """Whether the workflow (or a script it runs) fixes the version through the
    environment (``SETUPTOOLS_SCM_PRETEND_VERSION`` and the like)."""
    return workflow_says(project, upload, _VERSION_PRETEND)


def version_where(version: VersionSource) -> str:
    loc = version.loc
    return f" ({loc.source.rel}:{loc.pos.line})" if loc is not None else ""


def bumps_version(upload: Upload) -> bool:
    """Whether the workflow (or the script) rewrites the version before uploading."""
    texts = [_workflow_text(upload.context.workflow)]
    if upload.context.origin == "script":
        texts.append(upload.source.text or "")
    return any(_VERSION_BUMP.search(t) for t in texts)
