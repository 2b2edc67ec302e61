"""pypa/gh-action-pypi-publish steps: finding them, their ref and release, their inputs, and
a fix that sets an input (shared with the trusted-publishing, versioning and artifact rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.version import Version

from shiplint.findings import Edit, Fix
from shiplint.gha import refs as gha_refs
from shiplint.model import Loc
from shiplint.parse.yamlnodes import YScalar

if TYPE_CHECKING:
    from shiplint.gha.refs import Release
    from shiplint.model import Job, Step, Upload
    from shiplint.project import Project
    from shiplint.source import SourceFile


ACTION_TOOL = "pypi-publish-action"


def action_uploads(project: Project) -> Iterator[tuple[Upload, Step]]:
    """Every pypa/gh-action-pypi-publish step (workflows and composite actions)."""
    for upload in project.model.uploads:
        step = upload.context.step
        if upload.tool == ACTION_TOOL and step is not None and step.uses is not None:
            yield upload, step


def workflow_job(upload: Upload) -> Job | None:
    """The job of a GitHub workflow that runs ``upload`` (None in composite actions and
    outside GitHub Actions)."""
    job = upload.context.job
    if job is None or job.id_node is None or job.workflow is None:
        return None
    if upload.context.origin not in ("workflow", "script"):
        return None
    return job


def ref_kind(ref: str | None) -> str:
    """``branch``, ``sunset``, ``tag``, ``sha``, ``short-sha``, ``none`` or ``unknown``
    (gha_refs; a tag is an exact release tag: the action has no ``v1`` tag)."""
    return gha_refs.ref_kind(ref, gha_refs.pypi_publish())


def release_of(upload: Upload) -> Release:
    """The release the step runs: the SHA table, an exact tag or comment, or the newest
    release for a branch (gha_refs)."""
    if upload.release is not None:
        return upload.release
    return gha_refs.resolve(upload.ref, None, gha_refs.pypi_publish())


def effective_version(upload: Upload) -> Version | None:
    """The exact action release that runs (the newest for a branch ref), None when only
    its line (`# v1`) or nothing is known."""
    return release_of(upload).version


def ref_loc(step: Step) -> Loc | None:
    """Where the ref after ``@`` is written in ``uses:``."""
    uses = step.uses
    ref = step.ref
    if uses is None or not ref:
        return None
    src = step_source(step)
    if src is None:
        return None
    text = (src.text or "")[uses.start : uses.end]
    at = text.find("@" + ref)
    if at == -1:
        return None
    start = uses.start + at + 1
    return Loc(src, start, start + len(ref))


def step_source(step: Step) -> SourceFile | None:
    workflow = step.job.workflow
    return workflow.source if workflow is not None else None


def uses_loc(step: Step) -> Loc | None:
    src = step_source(step)
    if src is None or step.uses is None:
        return None
    return Loc(src, step.uses.start, step.uses.end)


def input_scalar(step: Step, *names: str) -> YScalar | None:
    """The first of ``names`` given under ``with:`` (a non-null scalar)."""
    if step.with_ is None:
        return None
    for name in names:
        got = step.with_.get_scalar(name)
        if got is not None and not got.is_null:
            return got
    return None


def input_text(step: Step, *names: str) -> str:
    got = input_scalar(step, *names)
    return got.value.strip() if got is not None else ""


def action_uses_oidc(step: Step) -> bool:
    """Whether the action authenticates by trusted publishing: no password, user __token__.

    (twine-upload.sh: ``[[ "$INPUT_USER" == "__token__" && -z "$INPUT_PASSWORD" ]]``.)
    """
    user = input_text(step, "user") or "__token__"
    return user == "__token__" and not input_text(step, "password")


def set_input_fix(step: Step, name: str, value: str, description: str) -> Fix | None:
    """A fix that sets ``with: {name: value}`` on ``step`` (replacing or inserting a line)."""
    src = step_source(step)
    if src is None or src.text is None:
        return None
    text = src.text
    existing = step.with_.get_scalar(name) if step.with_ is not None else None
    if existing is not None:
        return Fix(description, (Edit(existing.start, existing.end, value),))
    if step.with_ is not None:
        first = next(iter(step.with_.items()), None)
        if first is None:
            return None
        key = first[1]
        line_start = text.rfind("\n", 0, key.start) + 1
        indent = text[line_start : key.start]
        if indent.strip():
            return None  # flow-style or same-line mapping: leave it to the user
        return Fix(description, (Edit(line_start, line_start, f"{indent}{name}: {value}\n"),))
    with_key = step.node.key("with")
    if with_key is not None:
        return None  # `with:` present but empty or not a mapping
    uses_key = step.node.key("uses")
    if uses_key is None or step.uses is None:
        return None
    line_start = text.rfind("\n", 0, uses_key.start) + 1
    prefix = text[line_start : uses_key.start]
    if prefix.strip() not in ("", "-"):
        return None
    indent = " " * len(prefix)
    line_end = text.find("\n", step.uses.end)
    if line_end == -1:
        return None
    insert = f"\n{indent}with:\n{indent}  {name}: {value}"
    return Fix(description, (Edit(line_end, line_end, insert),))


def dedupe_key(loc: Loc) -> tuple[str, int]:
    return (loc.source.rel, loc.start)
