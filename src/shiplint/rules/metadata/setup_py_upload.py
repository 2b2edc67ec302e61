"""SL740 setup-py-upload: ``python setup.py upload`` / ``register``, commands
removed from setuptools, run in CI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.pkg.metadata import facts, project_metadata
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Context, ShellCommand
    from shiplint.project import Project


# --- SL740 -------------------------------------------------------------------------------------


#: contexts that are CI runs: workflow steps, composite actions, other CI systems' files
_CI_ORIGINS = ("workflow", "action", "ci")


def _run_by_ci(context: Context) -> bool:
    """Whether CI runs commands of this context (a workflow step, or a script, Makefile
    target, tox env or nox session a workflow step runs)."""
    return context.origin in _CI_ORIGINS or context.job is not None


def _ci_runs_setup_command(project: Project, word: str) -> ShellCommand | None:
    """A CI command that runs ``setup.py <word>`` (e.g. an ``[aliases]`` entry)."""
    from shiplint.pkg.upload_commands import program_name

    for cmd in project.model.commands:
        if not _run_by_ci(cmd.context):
            continue
        names = [program_name(a.text) for a in cmd.args]
        if "setup.py" in names and word in names[names.index("setup.py") + 1 :]:
            return cmd
    return None


@register
class SetupPyUpload(Rule):
    """`python setup.py upload` / `register`: commands removed from setuptools.

    setuptools deprecated its `upload` and `register` commands in 40.0 and removed them
    in 42.0 (2019, pypa/setuptools#1898): they raise `RemovedCommandError: The upload
    command has been removed, use twine to upload instead`, and since 75.0.0 (whose
    distutils dropped them, pypa/distutils#294) the command fails with `error: invalid
    command 'upload'`. setup.cfg `[aliases]` such as `release = sdist bdist_wheel upload`
    break the same way.

    The finding is an error when CI runs the command (a workflow step, or a script,
    Makefile target, tox env or nox session a workflow runs, or `python setup.py <alias>`
    in CI): the release job fails. A Makefile target, script or alias that no CI job runs
    fails whenever someone runs it, but whether anyone releases with it is unknown (many
    are leftovers next to a release done with twine): a warning.

    Fix: build with `python -m build`, then upload with `twine upload dist/*` or
    `uv publish` (or pypa/gh-action-pypi-publish with trusted publishing). `register` is
    not needed at all: PyPI creates the project on the first upload. Delete a release
    target nobody uses.
    """

    code = "SL740"
    name = "setup-py-upload"
    severity = Severity.ERROR
    summary = "`setup.py upload`/`register` no longer exist in setuptools"
    catalogue = ("P-13",)
    example_file = "setup.cfg"
    before = "[aliases]\nrelease = sdist bdist_wheel upload\n"
    after = "[aliases]\nrelease = sdist bdist_wheel\n"

    def check(self, project: Project) -> Iterator[Finding]:
        removed = [str(c) for c in facts().get("removed-setup-commands", ("upload", "register"))]
        help = (
            "Build with `python -m build` and upload with `twine upload dist/*` or `uv "
            "publish`; PyPI needs no `register`."
        )
        gone = "removed from setuptools (42.0; 75.0 has no such command)"
        for upload in project.model.uploads:
            if upload.tool != "setup.py":
                continue
            word = upload.loc.text or "upload"
            failure = f"`error: invalid command '{word}'`"
            if _run_by_ci(upload.context):
                yield self.at(
                    upload.loc,
                    f"`setup.py {word}` was {gone}: the step fails with {failure}",
                    help,
                )
                continue
            task = _task_name(upload.context)
            yield self.at(
                upload.loc,
                f"`setup.py {word}` was {gone}: {task} fails with {failure} whenever it is "
                "run; no CI job runs it, so check whether you release with it",
                f"{help} Delete the command if nobody releases with it.",
                severity=Severity.WARNING,
            )
        md = project_metadata(project)
        for declared in md.declared:
            for text in declared.aliases:
                if text.value not in removed:
                    continue
                failure = f"`error: invalid command '{text.value}'`"
                message = (
                    f"the setup.cfg alias `{text.key}` runs `{text.value}`, {gone}: "
                    f"`python setup.py {text.key}` fails with {failure}"
                )
                ci = _ci_runs_setup_command(project, text.key)
                if ci is not None:
                    where = f"{ci.source.rel}:{ci.loc.pos.line}"
                    yield self.at(text.loc, f"{message} (CI runs it at {where})", help)
                    continue
                yield self.at(
                    text.loc,
                    f"{message}; no CI job runs it, so check whether you release with it",
                    f"{help} Delete the alias if nobody releases with it.",
                    severity=Severity.WARNING,
                )


def _task_name(context: Context) -> str:
    """How to name where a command no CI job runs is written: ``the Makefile target
    `release```, ``the tox env `release```..."""
    kinds = {
        "makefile": "the Makefile target",
        "tox": "the tox env",
        "nox": "the nox session",
        "pixi": "the pixi task",
        "script": "the script",
        "pyproject": "the pyproject.toml task",
    }
    kind = kinds.get(context.origin, "the command")
    return f"{kind} `{context.label}`" if context.label else kind
