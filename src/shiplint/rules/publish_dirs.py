"""The directory each publish step reads its distributions from (for SL704).

``publish_dirs(upload)`` covers pypa/gh-action-pypi-publish (``packages-dir``),
upload-nightly-action (its artifacts input) and ``twine upload``/``uv publish``/
``maturin upload``/``anaconda upload`` globs in a workflow ``run:`` step (relative to its
``working-directory``; a script that changes directory first is skipped). Directories are
normalised relative to the workspace (``./dist/`` → ``dist``); ones that cannot be known
(``$VAR``, absolute paths) are left out.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from shiplint import facts as facts_mod
from shiplint.lazyre import LazyPattern
from shiplint.model.workflows import run_setting
from shiplint.rules.publish_action.steps import input_text

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload

_GLOB = LazyPattern(r"[*?\[]")
_MOVERS = LazyPattern(r"(?<![\w-])(mv|cp|find|rsync|tar|unzip|python3?|shopt|ln|install)(?![\w-])")
_CD = LazyPattern(r"(?:^|[\s;&|(])(?:cd|pushd)\s")


@functools.lru_cache(maxsize=64)
def _changes_dir(script: str) -> bool:
    """Whether a ``run:`` script has a ``cd``/``pushd`` (searched once per script, not once
    per upload in it: a block of thousands of uploads would be read thousands of times)."""
    return _CD.search(script) is not None


def norm_dir(text: str, base: str = "") -> str | None:
    """``text`` as a directory relative to the workspace (``base``: the directory it is
    relative to); None when it cannot be known."""
    value = text.strip().strip("'\"")
    for prefix in ("${{ github.workspace }}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"):
        if value.startswith(prefix):
            value = "." + value[len(prefix) :]
    if "$" in value or value.startswith(("/", "~")):
        return None
    parts: list[str] = [p for p in base.split("/") if p not in ("", ".")]
    for part in value.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts) or "."


def _workdir(step: Step) -> str | None:
    """The ``working-directory`` of a ``run:`` step ("" when none; None when unknown)."""
    got = run_setting(step, "working-directory")
    if got is None:
        return ""
    return None if "$" in got.value else got.value


class PublishDir(NamedTuple):
    """A directory a publish step reads, the files it takes from it, and how it fails."""

    upload: Upload
    step: Step
    dir: str
    glob: str
    what: str  # how it fails


def publish_dirs(upload: Upload) -> list[PublishDir]:
    """The directories ``upload`` publishes from (see the module docstring)."""
    step = upload.step
    if step is None:
        return []
    out: list[PublishDir] = []
    if upload.tool == "pypi-publish-action":
        text = input_text(step, "packages-dir", "packages_dir") or "dist"
        folder = norm_dir(text)
        if folder is not None:
            shown = text.rstrip("/") + "/"
            out.append(
                PublishDir(
                    upload,
                    step,
                    folder,
                    "*",
                    "pypa/gh-action-pypi-publish warns `It looks like there are no Python "
                    f"distribution packages to publish in the directory '{shown}'` and twine "
                    "stops with `InvalidDistribution: Unknown distribution format: '<artifact>'`",
                )
            )
        return out
    if upload.tool == "upload-nightly-action":
        key = str(facts_mod.load().upload_nightly.raw["artifacts-input"])
        text = input_text(step, key)
        folder = norm_dir(text) if text else None
        if folder is not None:
            out.append(
                PublishDir(
                    upload,
                    step,
                    folder,
                    "*.whl",
                    f'the action uploads `"${key}"/*.whl`, which matches nothing: no wheel is '
                    "uploaded",
                )
            )
        return out
    cmd = upload.command
    if cmd is None or upload.tool not in ("twine", "uv", "maturin", "anaconda"):
        return out
    if cmd.context.origin != "workflow" or step.run is None or _changes_dir(step.run.value):
        return out
    base = _workdir(step)
    if base is None:
        return out
    args = cmd.args
    sub = next((i for i, a in enumerate(args) if a.loc.end == upload.loc.end), None)
    if sub is None:
        return out
    values = {id(v) for v in upload.options.values()}
    files = [a.text for a in args[sub + 1 :] if not a.text.startswith("-") and id(a) not in values]
    if not files and upload.tool == "uv":
        files = ["dist/*"]
    for text in files:
        head, _, tail = text.rpartition("/")
        if _GLOB.search(head) or not _GLOB.search(tail):
            continue
        folder = norm_dir(head or ".", base)
        if folder is None:
            continue
        if upload.tool == "uv":
            what = "`uv publish` finds no distribution files to upload"
        elif tail == "*":
            what = "`InvalidDistribution: Unknown distribution format: '<artifact>'`"
            what = f"{upload.tool} stops with {what}"
        else:
            what = (
                f"{upload.tool} stops with `InvalidDistribution: Cannot find file (or expand "
                f"pattern): '{text}'`"
            )
        out.append(PublishDir(upload, step, folder, tail, what))
    return out


def reorganised(job: Job, first: int, last: int, folder: str) -> bool:
    """Whether a ``run:`` step between two indexes moves files around in ``folder``."""
    mention = re.compile(rf"(?<![\w.-]){re.escape(folder)}(?![\w-])")
    for step in job.steps:
        if not first < step.index < last or step.run is None:
            continue
        if mention.search(step.run.value) and _MOVERS.search(step.run.value):
            return True
    return False
