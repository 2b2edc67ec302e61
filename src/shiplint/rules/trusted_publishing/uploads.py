"""Which uploads publish by trusted publishing, and to which index (shared by the
trusted-publishing, versioning and metadata-version rules)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from shiplint.model import Context
from shiplint.model.workflows import composite_callers
from shiplint.pkg.upload_commands import index_of_url, option_value
from shiplint.rules.publish_action.steps import ACTION_TOOL, action_uses_oidc, workflow_job

if TYPE_CHECKING:
    from shiplint.model import Job, Upload
    from shiplint.project import Project
    from shiplint.source import SourceFile


PYPI_INDEXES = {"pypi", "testpypi"}
#: hatch's built-in repository names for PyPI and TestPyPI
_HATCH_INDEXES = {"main", "test"}


def upload_index(upload: Upload) -> str:
    """``pypi``/``testpypi`` or another index name/URL, judged by the URL when one is given."""
    if upload.target is not None and "://" in upload.target.text:
        return index_of_url(upload.target.text) or upload.target.text
    index = upload.index or "pypi"
    if upload.tool == "hatch" and index in _HATCH_INDEXES:
        return "testpypi" if index == "test" else "pypi"
    return index


def uses_trusted_publishing(upload: Upload) -> bool:
    """Whether ``upload`` authenticates to (Test)PyPI by trusted publishing."""
    step = upload.context.step
    if upload.tool == ACTION_TOOL:
        return step is not None and action_uses_oidc(step)
    pub = upload.publisher
    if pub is not None:
        # a catalogued publisher: the model decided (no token given, or an id token wins);
        # a token its variables may get from an earlier step's $GITHUB_ENV write is one too
        if not upload.oidc:
            return False
        # a token an earlier step puts in its variables ($GITHUB_ENV) or in a .pypirc/keyring
        # the tool reads after trying trusted publishing
        hints = (*pub.token_env, ".pypirc", "keyring")
        if pub.trusted_publishing != "when-permitted" and _named_in_job(upload, hints):
            return False
        return upload_index(upload) in PYPI_INDEXES
    if upload.tool not in ("uv", "pdm") or not upload.oidc:
        return False
    if upload.tool == "uv":
        mode = upload.options.get("--trusted-publishing")
        if mode is not None and option_value(mode) == "always":
            return True
    if _credentials_set_elsewhere(upload):
        return False
    return upload_index(upload) in PYPI_INDEXES


#: Text showing that a CLI gets credentials some other way (``$GITHUB_ENV``, ``pdm config``).
_OTHER_CREDENTIALS = {
    "uv": ("UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD", "keyring"),
    "pdm": ("PDM_PUBLISH_PASSWORD", "pdm config", "PDM_PUBLISH_REPO"),
}


def _credentials_set_elsewhere(upload: Upload) -> bool:
    return _named_in_job(upload, _OTHER_CREDENTIALS.get(upload.tool, ()))


def _named_in_job(upload: Upload, names: tuple[str, ...]) -> bool:
    """Whether the upload's script or job names one of ``names`` (a `$GITHUB_ENV` write, a
    config command) somewhere."""
    if not names:
        return False
    texts = [upload.source.text or ""] if upload.context.origin == "script" else []
    job = upload.context.job
    if job is not None and job.node is not None and job.workflow is not None:
        texts.append((job.workflow.source.text or "")[job.node.start : job.node.end])
    return any(name in text for text in texts for name in names)


def oidc_uploads(project: Project) -> Iterator[tuple[Upload, Job]]:
    """Trusted-publishing uploads run by a job of a GitHub workflow. An upload in a local
    composite action runs in the job of each workflow step that uses the action, with that
    job's permissions and triggers: it is yielded once per such step, as the step's upload
    (the same place, the calling job and step as its context)."""
    for upload in project.model.uploads:
        if upload.family != "pypi" or not uses_trusted_publishing(upload):
            continue
        job = workflow_job(upload)
        if job is not None:
            yield upload, job
        elif upload.context.origin == "action" and upload.context.workflow is not None:
            for caller in composite_callers(project.model, upload.context.workflow):
                context = Context(origin="workflow", job=caller.job, step=caller, label="")
                yield replace(upload, context=context), caller.job


def job_source(job: Job) -> SourceFile | None:
    return job.workflow.source if job.workflow is not None else None
