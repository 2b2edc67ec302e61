"""Whether nothing gives a GitHub Actions upload command its credential variables.

GitHub Actions does not expose repository secrets as environment variables: a step's
commands see only the ``env:`` of the workflow, job and step, what earlier steps of the job
wrote to ``$GITHUB_ENV``, the runner's own variables and what the script itself sets. The
model already holds the first and the last (``ShellCommand.env``); this module decides, for
the publishing tools whose variables :mod:`shiplint.pkg.tool_credentials` knows (poetry,
hatch, flit, and uv/pdm when they do not try trusted publishing), whether the rest can be
ruled out. Anything it cannot read — an action that may write ``$GITHUB_ENV``, a script or
task run earlier, ``source``/``eval``, a self-hosted runner, an ``env:`` given as an
expression, a keyring, ``.pypirc`` or ``.netrc``, a ``<tool> config`` command — counts as a
possible credential, and the upload is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.gha.runners import runners
from shiplint.lazyre import LazyPattern
from shiplint.parse.yamlnodes import YMap
from shiplint.pkg.tool_credentials import SECRET_OPTIONS, ToolAuth, tool_auth
from shiplint.pkg.upload_commands import option_value

if TYPE_CHECKING:
    from shiplint.model import Job, Step, Upload
    from shiplint.project import Project

#: tools whose missing credential this module judges (twine and anaconda have SL401's own
#: checks; uv and pdm only when they do not fall back to trusted publishing)
CLI_TOOLS = frozenset({"poetry", "hatch", "flit", "uv", "pdm"})

#: words showing that a job (or script) gives a tool its credentials another way
_OTHER_WAYS = {
    "poetry": ("POETRY_PYPI_TOKEN", "POETRY_HTTP_BASIC", "poetry config", "auth.toml"),
    "hatch": ("HATCH_INDEX", "hatch config"),
    "flit": ("FLIT_", "pypirc"),
    "uv": ("UV_PUBLISH", "UV_INDEX_", "uv auth"),
    "pdm": ("PDM_PUBLISH", "pdm config"),
}
_ANY_TOOL = ("keyring", "netrc")

#: actions that never write ``$GITHUB_ENV`` variables a publishing tool reads
_QUIET_ACTIONS = (
    "actions/",
    "astral-sh/setup-uv",
    "pdm-project/setup-pdm",
    "snok/install-poetry",
    "abatilo/actions-poetry",
    "hynek/build-and-inspect-python-package",
    "pypa/cibuildwheel",
)

#: shell that runs text or files shiplint does not follow here, or sets variables by name
#: it cannot read
_UNSEEN = LazyPattern(
    r"\.(?:sh|bash|py|ps1|bat|cmd)\b|\./|(?:^|[;&|(\s])(?:source|eval|declare|read|make|"
    r"tox|nox|pixi|just|invoke|task)\b|(?:^|[;&|(])\s*\.\s|export\s+\$|set\s+-a",
    0,
)
#: a line that writes ``NAME=value`` or ``NAME<<EOF`` (a name that can be read)
_NAMED_WRITE = LazyPattern(r"[A-Za-z_]\w*(?:=|<<)")
_HOSTED = LazyPattern(r"(?:ubuntu|windows|macos)-(?:latest|\d[\w.-]*)$")


def missing_tool_credentials(project: Project, upload: Upload) -> ToolAuth | None:
    """The tool's credential schemes when nothing can give ``upload`` any of them, else
    None. ``upload`` runs in a job of a GitHub workflow (or a script such a job runs)."""
    if upload.tool not in CLI_TOOLS or upload.credentials or upload.oidc or upload.dry_run:
        return None
    options = {name: option_value(arg) for name, arg in upload.options.items()}
    if any(opt in options for opt in SECRET_OPTIONS.get(upload.tool, ())):
        return None
    if upload.tool == "uv" and "--index" in options:
        return None  # uv reads UV_INDEX_<NAME>_* and the index's own settings
    auth = tool_auth(upload.tool, options, upload.index)
    if auth is None or (auth.reads_pypirc and project.model.pypirc):
        return None
    job, step = upload.job, upload.step
    if job is None or step is None or job.node is None or job.workflow is None:
        return None
    if not _hosted(job) or job.node.get("container") is not None or not _literal_env(job, step):
        return None
    words = (*_OTHER_WAYS.get(upload.tool, ()), *_ANY_TOOL)
    words += tuple(name for scheme in auth.schemes for name in scheme.names)
    job_text = (job.workflow.source.text or "")[job.node.start : job.node.end]
    if any(word in job_text for word in words) or _unreadable_env_write(job_text):
        return None
    if upload.command is not None and any("$" in arg.text for arg in upload.command.args):
        return None  # a variable shiplint cannot expand may hold `--token ...`
    if upload.context.origin == "script":
        text = upload.source.text or ""
        if any(word in text for word in words) or _UNSEEN.search(
            text[: upload.loc.start].replace("./", "")
        ):
            return None
    for earlier in job.steps[: step.index + 1]:
        if not _seen(earlier, upload):
            return None
    return auth


def _unreadable_env_write(text: str) -> bool:
    """A line writing to ``$GITHUB_ENV`` whose variable name cannot be read (``cat file >>
    $GITHUB_ENV``, ``echo "$LINE" >> $GITHUB_ENV``, a grouped ``{ ...; } >> $GITHUB_ENV``)."""
    return any(
        "GITHUB_ENV" in line and not _NAMED_WRITE.search(line.split("GITHUB_ENV")[0])
        for line in text.splitlines()
    )


def _hosted(job: Job) -> bool:
    """Every runner of ``job`` is a GitHub-hosted image (a self-hosted runner's own
    environment may hold the credential)."""
    found = runners(job)
    return bool(found) and all(
        runner.labels and all(_HOSTED.match(v.text.strip().lower()) for v in runner.labels)
        for runner in found
    )


def _literal_env(job: Job, step: Step) -> bool:
    """The workflow's, job's and step's ``env:`` are mappings (not ``${{ fromJSON(...) }}``)."""
    workflow = job.workflow
    nodes = (
        workflow.root.get("env") if workflow is not None else None,
        job.node.get("env") if job.node is not None else None,
        step.node.get("env"),
    )
    return all(node is None or isinstance(node, YMap) for node in nodes)


def _seen(step: Step, upload: Upload) -> bool:
    """Whether everything ``step`` runs before the upload is read here: a known action, or
    shell without scripts, tasks, ``source`` or ``eval`` (in the upload's own step, the
    text before the upload command)."""
    if step.uses is not None:
        action = (step.action or "").lower()
        return action.startswith(_QUIET_ACTIONS)
    if step.run is None:
        return True
    if step is upload.step and upload.context.origin == "script":
        return True  # the step runs the script holding the upload, read above
    text = step.run.value
    if step is upload.step and upload.context.origin == "workflow" and upload.command:
        end = upload.command.loc.start - step.run.start
        source = upload.source.text or ""
        text = source[step.run.start : step.run.start + max(end, 0)]
    return not _UNSEEN.search(text)
