"""``poetry publish`` to a repository poetry does not know, or with the token under another
repository's name (C-2)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.model import Loc
from shiplint.pkg.upload_commands import option_value, program_name
from shiplint.rules import register
from shiplint.rules.base import Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

if TYPE_CHECKING:
    from shiplint.model import ShellCommand, Upload
    from shiplint.project import Project


def _poetry_key(name: str) -> str:
    """A repository name as poetry spells it in variable names (``test-pypi`` → TEST_PYPI):
    upper case, ``-`` as ``_`` (``Config.get``: ``k.upper().replace("-", "_")``). Other
    characters stay, so ``test.pypi`` has no variable a shell can set."""
    return name.upper().replace("-", "_")


def _poetry_args(cmd: ShellCommand) -> list[str] | None:
    """The words after ``poetry`` (None: not a poetry command)."""
    argv = cmd.argv()
    for i, word in enumerate(argv[:4]):
        if program_name(word) == "poetry":
            return argv[i + 1 :]
    return None


def _before(cmd: ShellCommand, upload: Upload) -> bool:
    """Whether ``cmd`` runs before ``upload`` in the same CI job, script or recipe."""
    here, there = cmd.context, upload.context
    if there.job is not None:
        if here.job is not there.job:
            return False
        if here.step is not None and there.step is not None and here.step is not there.step:
            return here.step.index < there.step.index
    elif cmd.source is not upload.source or here.label != there.label:
        return False
    if cmd.source is upload.source:
        return cmd.loc.start < upload.loc.start
    return here.origin != "script"  # the calling step's own commands run first


@dataclass
class _PoetrySetup:
    repositories: dict[str, Loc] = field(default_factory=dict)  # name → where configured
    credentials: dict[str, Loc] = field(default_factory=dict)  # key → where set


def _poetry_setup(project: Project, upload: Upload) -> _PoetrySetup:
    """Repositories and credentials configured for ``upload``: ``poetry config`` run before
    it, ``POETRY_REPOSITORIES_*``/``POETRY_PYPI_TOKEN_*``/``POETRY_HTTP_BASIC_*`` variables,
    and a ``poetry.toml`` beside pyproject.toml."""
    setup = _PoetrySetup()
    model = project.model
    env = upload.command.env if upload.command is not None else {}
    for name, value in env.items():
        loc = value.loc or upload.loc
        match = re.fullmatch(r"POETRY_REPOSITORIES_(\w+?)_URL", name)
        if match:
            setup.repositories[match.group(1)] = loc
        match = re.fullmatch(r"POETRY_PYPI_TOKEN_(\w+)", name) or re.fullmatch(
            r"POETRY_HTTP_BASIC_(\w+?)_(?:USERNAME|PASSWORD)", name
        )
        if match:
            setup.credentials.setdefault(match.group(1), loc)
    for cmd in model.commands:
        args = _poetry_args(cmd)
        if not args or args[0] != "config" or not _before(cmd, upload):
            continue
        words = [a for a in args[1:] if not a.startswith("-")]
        if not words:
            continue
        setting = words[0]
        kind, _, repo = setting.partition(".")
        if kind == "repositories" and repo and len(words) > 1:
            setup.repositories.setdefault(_poetry_key(repo.removesuffix(".url")), cmd.loc)
        elif kind in ("pypi-token", "http-basic") and repo and len(words) > 1:
            setup.credentials.setdefault(_poetry_key(repo), cmd.loc)
    local = project.read_text("poetry.toml")
    try:
        data = tomllib.loads(local) if local is not None else {}
    except ValueError:
        data = {}
    repos = data.get("repositories")
    if isinstance(repos, dict):
        for repo in repos:
            setup.repositories.setdefault(_poetry_key(str(repo)), upload.loc)
    return setup


def _pyproject_sources(project: Project) -> set[str]:
    doc = project.pyproject
    poetry = doc.get(("tool", "poetry")) if doc is not None else None
    sources = poetry.get("source") if isinstance(poetry, dict) else None
    if not isinstance(sources, list):
        return set()
    return {
        _poetry_key(s["name"])
        for s in sources
        if isinstance(s, dict) and isinstance(s.get("name"), str)
    }


def _pypirc_used(project: Project, upload: Upload) -> bool:
    """Whether the job or script writes a ``.pypirc`` before the upload, or one is committed."""
    if project.model.pypirc:
        return True
    text = upload.source.text or ""
    if ".pypirc" in text[: upload.loc.start] and upload.source.kind == "shell":
        return True
    job = upload.context.job
    step = upload.context.step
    if job is None or step is None:
        return False
    for other in job.steps:
        if other.index > step.index or other.run is None:
            continue
        run = other.run
        body = run.value
        if other is step and upload.source is (job.workflow.source if job.workflow else None):
            body = (upload.source.text or "")[run.start : upload.loc.start]
        if ".pypirc" in body:
            return True
    return False


@register
class PoetryRepositoryNotConfigured(Rule):
    """`poetry publish` to a repository poetry does not know, or with the token under
    another name.

    Without `-r`, poetry uploads to PyPI. Any `-r/--repository NAME`, even `-r pypi`, is
    looked up in poetry's configuration and must be set where poetry runs: `poetry config
    repositories.NAME URL` or the variable `POETRY_REPOSITORIES_NAME_URL` (NAME upper-cased,
    `-` as `_`; a name with a `.` has no usable variable). A `[[tool.poetry.source]]` entry
    does not do it: sources are where poetry *installs* from; publishing repositories are
    user configuration. poetry then stops with `Repository NAME is not defined`
    (`publishing/publisher.py`; measured with poetry 2.5.1: `poetry publish -r pypi` fails
    so, and `-r test.pypi` with `POETRY_REPOSITORIES_TEST_PYPI_URL` too).

    The token must be named after the same repository: `POETRY_PYPI_TOKEN_<NAME>` (or
    `poetry config pypi-token.NAME`). A `POETRY_PYPI_TOKEN_PYPI` for `-r testpypi`, or
    `POETRY_PYPI_TOKEN_TESTPYPI` for a plain `poetry publish`, is never read: the upload
    goes without credentials and fails with `HTTP Error 403: Invalid or non-existent
    authentication information` (python-poetry/poetry#2210, #6320; warehouse answers an
    upload without credentials so, `forklift/decorators.py` at 6b62157). poetry does not
    read `~/.pypirc` either, so a `.pypirc` written for twine leaves it without a token,
    and it has no trusted publishing of its own (poetry 2.5.1).

    Fix: configure the repository (`poetry config repositories.testpypi
    https://test.pypi.org/legacy/` or `POETRY_REPOSITORIES_TESTPYPI_URL`) and name the
    token after it (`POETRY_PYPI_TOKEN_TESTPYPI`).
    """

    code = "SL902"
    on_examples = False
    name = "poetry-repository-not-configured"
    severity = Severity.ERROR
    summary = "poetry publish -r NAME without that repository configured, or token misnamed"
    catalogue = ("C-2",)
    before = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  testpypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: poetry publish --build -r testpypi\n"
        "        env:\n"
        "          POETRY_PYPI_TOKEN_PYPI: ${{ secrets.TEST_PYPI_TOKEN }}\n"
    )
    after = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  testpypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: poetry publish --build -r testpypi\n"
        "        env:\n"
        "          POETRY_REPOSITORIES_TESTPYPI_URL: https://test.pypi.org/legacy/\n"
        "          POETRY_PYPI_TOKEN_TESTPYPI: ${{ secrets.TEST_PYPI_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        sources: set[str] | None = None
        for upload in project.model.uploads:
            if upload.tool != "poetry":
                continue
            repo_arg = upload.options.get("-r") or upload.options.get("--repository")
            repo = option_value(repo_arg) if repo_arg is not None else "pypi"
            if "$" in repo or "{" in repo or not repo:
                continue
            key = _poetry_key(repo)
            where = repo_arg.loc if repo_arg is not None else upload.loc
            setup = _poetry_setup(project, upload)
            if repo_arg is not None and key not in setup.repositories:
                if sources is None:
                    sources = _pyproject_sources(project)
                note = (
                    f" `[[tool.poetry.source]]` `{repo}` in pyproject.toml does not count: "
                    "sources are only where poetry installs from."
                    if key in sources
                    else ""
                )
                yield self.at(
                    where,
                    f"`poetry publish -r {repo}`: repository `{repo}` is not configured, "
                    f"poetry stops with `Repository {repo} is not defined`",
                    f"poetry uploads to PyPI by itself only without `-r`; every `-r NAME`, "
                    f"`pypi` too, must be configured.{note} Configure the upload URL "
                    f"before publishing: `poetry config repositories.{repo} <URL>` (for "
                    f"TestPyPI `https://test.pypi.org/legacy/`) or set "
                    f"`POETRY_REPOSITORIES_{key}_URL` in the step's env"
                    + (", or drop `-r pypi`." if key == "PYPI" else "."),
                )
                continue
            if any(c.via == "flag" and not c.username for c in upload.credentials):
                continue
            if key in setup.credentials:
                continue
            if setup.credentials:
                other = sorted(setup.credentials)
                names = ", ".join(f"`POETRY_PYPI_TOKEN_{o}`" for o in other)
                yield self.at(
                    where,
                    f"`poetry publish` to `{repo}` reads `POETRY_PYPI_TOKEN_{key}`, but the "
                    f"token is set for another repository ({names})",
                    f"poetry takes the token of repository NAME from `POETRY_PYPI_TOKEN_NAME` "
                    f"(or `poetry config pypi-token.NAME`); the other name is never read, and "
                    f"the upload fails with `HTTP Error 403: Invalid or non-existent "
                    f"authentication information`. Rename the variable to "
                    f"`POETRY_PYPI_TOKEN_{key}`.",
                )
            elif _pypirc_used(project, upload):
                yield self.at(
                    where,
                    f"`poetry publish` to `{repo}` has no token: poetry does not read .pypirc",
                    f"The credentials in `.pypirc` are for twine and flit; poetry ignores "
                    f"the file and uploads without a token (403 Invalid or non-existent "
                    f"authentication information). Pass the token as "
                    f"`POETRY_PYPI_TOKEN_{key}` (or `poetry config pypi-token.{repo} "
                    f"<token>`), or use trusted publishing with pypa/gh-action-pypi-publish.",
                )
