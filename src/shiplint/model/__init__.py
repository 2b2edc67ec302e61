"""The release model: every workflow, job, step, shell command, upload and index a repo uses.

Built once per audited root by :mod:`shiplint.model.build`; every rule reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from packaging.version import Version

    from shiplint.facts import Publisher
    from shiplint.gha.refs import Release
    from shiplint.model.gitlab_ci import GitLabJob
    from shiplint.parse.yamlnodes import YMap, YNode, YScalar
    from shiplint.project import Project
    from shiplint.source import Pos, SourceFile


# Loc, Value and Arg (one Loc and one Arg per shell word: over a hundred thousand in an
# audit of the corpus) are slotted, and set their slots through the slot descriptors: the
# ``__init__`` dataclasses write for a frozen class calls ``object.__setattr__`` per field,
# at twice the cost. Equality, hashing, ``repr`` and immutability are the dataclass ones.


@dataclass(frozen=True, slots=True, init=False)
class Loc:
    """A character span ``[start, end)`` in a source file."""

    source: SourceFile
    start: int
    end: int

    def __init__(self, source: SourceFile, start: int, end: int) -> None:
        _SET_LOC_SOURCE(self, source)
        _SET_LOC_START(self, start)
        _SET_LOC_END(self, end)

    @property
    def pos(self) -> Pos:
        return self.source.pos(self.start)

    @property
    def text(self) -> str:
        return (self.source.text or "")[self.start : self.end]


_SET_LOC_SOURCE, _SET_LOC_START, _SET_LOC_END = (
    getattr(Loc, name).__set__ for name in ("source", "start", "end")
)


@dataclass(frozen=True, slots=True, init=False)
class Value:
    """A string as the tool will see it, and where its literal text was written."""

    text: str
    loc: Loc | None

    def __init__(self, text: str, loc: Loc | None) -> None:
        _SET_VALUE_TEXT(self, text)
        _SET_VALUE_LOC(self, loc)


_SET_VALUE_TEXT, _SET_VALUE_LOC = (getattr(Value, name).__set__ for name in ("text", "loc"))


@dataclass(eq=False)
class Credential:
    """How an upload is authenticated.

    ``via``: ``input`` (action input), ``env`` (environment variable), ``flag`` (command-line
    option), ``pypirc``, ``oidc`` (trusted publishing) or ``keyring``. ``secret`` names the CI
    secret or variable that holds it when known; ``literal`` marks a value written in the
    file itself (its text is never kept).
    """

    via: str
    loc: Loc
    secret: str | None = None
    name: str | None = None  # the input, variable or option that carries it
    literal: bool = False
    username: bool = False  # a user name rather than a token/password
    #: encrypted in the file and decrypted by the CI system at build time (Travis and
    #: AppVeyor ``secure:`` values; :class:`SecureEnv`)
    encrypted: bool = False


@dataclass(eq=False)
class Workflow:
    source: SourceFile
    root: YMap
    triggers: dict[str, YNode | None]
    trigger_keys: dict[str, YScalar]
    on_key: YScalar | None
    permissions: YNode | None
    env: YMap | None
    jobs: dict[str, Job] = field(default_factory=dict)

    @property
    def is_reusable(self) -> bool:
        return "workflow_call" in self.triggers

    @property
    def call_secrets(self) -> YMap | None:
        from shiplint.parse.yamlnodes import YMap

        call = self.triggers.get("workflow_call")
        if isinstance(call, YMap):
            return call.get_map("secrets")
        return None


@dataclass(eq=False)
class Job:
    workflow: Workflow | None
    id: str
    id_node: YScalar | None
    node: YMap | None
    runs_on: list[Value] = field(default_factory=list)
    runs_on_node: YNode | None = None
    id_token_write: bool = False
    permissions_node: YNode | None = None  # the job's own block, else the workflow's
    environment: Value | None = None
    environment_url: Value | None = None
    condition: YScalar | None = None
    env: YMap | None = None
    steps: list[Step] = field(default_factory=list)
    uses: Value | None = None  # a reusable-workflow call
    secrets: YNode | None = None
    with_: YMap | None = None

    @property
    def triggers(self) -> list[str]:
        return list(self.workflow.triggers) if self.workflow else []


@dataclass(eq=False)
class Step:
    job: Job
    index: int
    node: YMap
    uses: YScalar | None = None
    with_: YMap | None = None
    env: YMap | None = None
    run: YScalar | None = None
    condition: YScalar | None = None
    name: str | None = None

    @property
    def action(self) -> str | None:
        """``owner/repo[/path]`` of ``uses:``, without the ref."""
        if self.uses is None:
            return None
        return self.uses.value.split("@", 1)[0].strip()

    @property
    def ref(self) -> str | None:
        if self.uses is None or "@" not in self.uses.value:
            return None
        return self.uses.value.split("@", 1)[1].strip()


@dataclass(eq=False)
class Context:
    """Where a shell command or upload runs: origin kind and, for CI, its job and step."""

    origin: str  # workflow, action, ci, script, tox, makefile, nox, pixi, pyproject
    job: Job | None = None
    step: Step | None = None
    label: str = ""  # e.g. tox env name, make target, CI section
    #: the GitLab CI job the command runs in (its own script, or a script or task it runs)
    gitlab_job: GitLabJob | None = None

    @property
    def workflow(self) -> Workflow | None:
        return self.job.workflow if self.job else None


@dataclass(frozen=True, slots=True, init=False)
class Arg:
    """One command-line word: its text after quote removal, with variables expanded where
    known (``text``), as written (``raw``), and where it sits in the file."""

    text: str
    raw: str
    loc: Loc
    origin: Value | None = None  # where an expanded variable's value was written

    def __init__(self, text: str, raw: str, loc: Loc, origin: Value | None = None) -> None:
        _SET_ARG_TEXT(self, text)
        _SET_ARG_RAW(self, raw)
        _SET_ARG_LOC(self, loc)
        _SET_ARG_ORIGIN(self, origin)


_SET_ARG_TEXT, _SET_ARG_RAW, _SET_ARG_LOC, _SET_ARG_ORIGIN = (
    getattr(Arg, name).__set__ for name in ("text", "raw", "loc", "origin")
)


@dataclass(eq=False)
class ShellCommand:
    args: list[Arg]
    source: SourceFile
    context: Context
    env: dict[str, Value] = field(default_factory=dict)
    #: the program the command runs past its wrappers (``python -m``, ``uvx`` ...): its
    #: index in ``args`` and its name; computed once, by
    #: :func:`shiplint.pkg.upload_commands.program_of`
    program_at: tuple[int, str] | None = field(default=None, init=False, repr=False)

    @property
    def loc(self) -> Loc:
        return self.args[0].loc

    def argv(self) -> list[str]:
        return [a.text for a in self.args]


@dataclass(eq=False)
class Upload:
    """One place that publishes distributions."""

    #: pypi-publish-action, upload-nightly-action or another catalogued publisher's name
    #: (``[publishers.*]`` of the facts), twine, uv, hatch, flit, poetry, pdm, maturin,
    #: anaconda, setup.py or travis-pypi (Travis ``deploy: provider: pypi``)
    tool: str
    family: str  # "pypi" (PyPI-like index) or "anaconda"
    loc: Loc
    context: Context
    index: str | None = None  # pypi, testpypi, anaconda, a repository name or an URL
    target: Value | None = None  # URL or Anaconda org as written
    target_candidates: list[Value] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    oidc: bool = False
    command: ShellCommand | None = None
    ref: str | None = None
    #: the exact release the action is pinned to (``release.version`` unless that is the
    #: newest release a branch follows), None when not known exactly
    version: Version | None = None
    #: the release an action step runs, as gha_refs resolves its ref and comment
    release: Release | None = None
    options: dict[str, Arg] = field(default_factory=dict)
    #: the job of a `.gitlab-ci.yml` whose script runs the upload
    gitlab_job: GitLabJob | None = None
    #: the catalogued action or reusable workflow that uploads (``[publishers.*]`` facts)
    publisher: Publisher | None = None
    #: an expression that must also hold for the upload to run: the input of a catalogued
    #: publisher that decides whether it uploads, when the file leaves it to an expression
    condition: str | None = None
    #: the folders a catalogued publisher builds and uploads, as the project configures it
    #: (None: the repository's root package)
    packages: tuple[str, ...] | None = None

    @property
    def source(self) -> SourceFile:
        return self.loc.source

    @property
    def job(self) -> Job | None:
        return self.context.job

    @property
    def step(self) -> Step | None:
        return self.context.step

    @property
    def example(self) -> bool:
        """In an example workflow (``examples/``...): it shows users how to upload, it is
        not an upload of this repository (no deploy record, not this package's release)."""
        return self.loc.source.example

    @property
    def dry_run(self) -> bool:
        """``uv publish --dry-run``, ``poetry publish --dry-run``: the command checks the
        files (and, with some tools, the credentials) but sends nothing to the index, so it
        needs no account, token or OIDC exchange to succeed. (uv before 0.8.15, and a tool
        without the option, stop with a usage error: no upload either.)"""
        return "--dry-run" in self.options

    @property
    def token_credentials(self) -> list[Credential]:
        return [c for c in self.credentials if not c.username and c.via != "oidc"]


@dataclass(eq=False)
class IndexUse:
    """A package index that something installs from."""

    url: Value
    how: str  # pip-option, env, conda-env, tox, pyproject, pip-conf
    context: Context


@dataclass(eq=False)
class ScriptCall:
    """A workflow step (or other script) that runs a repository script or task."""

    caller: Context
    env: dict[str, Value]
    loc: Loc
    #: the positional arguments the caller passes to the task: tox's after ``--``, pixi's
    #: after the task name (None: none given; tox then uses the ``{posargs:...}`` default)
    posargs: tuple[Arg, ...] | None = None


@dataclass(eq=False)
class PypircEntry:
    """A repository section of a ``.pypirc`` file."""

    section: str
    source: SourceFile
    repository: Value | None = None
    username: Value | None = None
    password: Value | None = None


@dataclass(eq=False)
class SecureEnv:
    """An encrypted variable of a CI file that the CI system decrypts at build time
    (AppVeyor ``NAME: {secure: ...}``, Travis ``- secure: ...``): ``name`` is None when the
    name is encrypted too (Travis).

    What is not certain from the file: both systems also take variables from repository
    settings the file does not show, and Travis decrypts for pull requests from forks only
    when the repository setting "Share encrypted environment variables with forks" is on
    (off by default; docs.travis-ci.com/user/pull-requests, /user/encryption-keys/). So
    a variable no entry provides is never reported as missing there."""

    system: str  # appveyor, travis
    name: str | None
    loc: Loc


@dataclass(eq=False)
class ReleaseModel:
    root: str
    files: list[SourceFile]
    workflows: list[Workflow] = field(default_factory=list)
    actions: list[Workflow] = field(default_factory=list)  # composite actions (one pseudo-job)
    commands: list[ShellCommand] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    indexes: list[IndexUse] = field(default_factory=list)
    #: shell assignments and env entries whose literal value was written in a file
    assignments: list[tuple[str, Value, Context]] = field(default_factory=list)
    script_calls: dict[str, list[ScriptCall]] = field(default_factory=dict)
    #: workflow steps that run a task of a file: ``("make:Makefile", "release")`` (a target
    #: of that Makefile), ``("tox:tox.ini", "release")`` (an env of the tox configuration
    #: file), ``("nox:noxfile.py", "publish")`` (a nox session as the step names it)
    task_calls: dict[tuple[str, str], list[ScriptCall]] = field(default_factory=dict)
    pypirc: list[PypircEntry] = field(default_factory=list)
    #: the encrypted variables of CI files (``ci_files``)
    secure_env: list[SecureEnv] = field(default_factory=list)
    #: the script items of other CI systems' files and the shell each is read in
    #: (``sh``, ``cmd`` or ``pwsh``), in file order
    ci_scripts: list[tuple[SourceFile, YScalar, str]] = field(default_factory=list)
    _step_commands: dict[int, list[ShellCommand]] | None = field(default=None, repr=False)
    #: the audited root: what the rules read besides the files goes through it
    project: Project | None = field(default=None, repr=False, compare=False)

    def jobs(self) -> list[Job]:
        return [job for wf in self.workflows for job in wf.jobs.values()]

    def action_steps(self) -> Iterator[tuple[Step, SourceFile]]:
        """Every step that uses an action (``uses:``), in workflows and composite actions,
        with the file it is written in."""
        for workflow in [*self.workflows, *self.actions]:
            for job in workflow.jobs.values():
                for step in job.steps:
                    if step.uses is not None:
                        yield step, workflow.source

    @property
    def own_uploads(self) -> list[Upload]:
        """The uploads this repository makes: those of example workflows left out (the
        deploy record, the package's own metadata and whether it is published read these)."""
        return [upload for upload in self.uploads if not upload.loc.source.example]

    def step_commands(self) -> dict[int, list[ShellCommand]]:
        """The commands of each GitHub workflow step's own ``run:``, by ``id(step)``
        (computed once, when the model is complete)."""
        if self._step_commands is None:
            out: dict[int, list[ShellCommand]] = {}
            for command in self.commands:
                step = command.context.step
                if step is not None and command.context.origin == "workflow":
                    out.setdefault(id(step), []).append(command)
            self._step_commands = out
        return self._step_commands

    def callers_of(self, rel: str, context: Context) -> list[ScriptCall]:
        """The calls of script ``rel`` that its commands with ``context`` run for.

        A script's commands are read once for each step that runs it (with that step's
        job and environment): those of one copy belong to the calls of its step; a
        script no step runs has none."""
        if context.origin != "script" or context.step is None:
            return []
        return [
            call
            for call in self.script_calls.get(rel, [])
            if call.caller.step is context.step and call.caller.job is context.job
        ]
