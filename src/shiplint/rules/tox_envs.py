"""tox environments that CI runs to upload: credentials dropped by tox's clean environment
(C-1).

shiplint's tox plugin checks the same thing when a maintainer runs tox; this rule checks the
environments CI starts (``tox -e <env>``, ``TOXENV``), from tox.ini, setup.cfg, tox.toml,
``[tool.tox]`` and ``legacy_tox_ini`` in pyproject.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model.tox_commands import legacy_tox_ini
from shiplint.model.tox_config import (
    ini_disallowed,
    ini_passes,
    ini_section,
    ini_setting,
    run_env_names,
    toml_disallowed,
    toml_passes,
    toml_setting,
)
from shiplint.pkg.tool_credentials import (
    PassedEnv,
    ToolAuth,
    config_style,
    credentials_problem,
    missing_credentials,
)
from shiplint.pkg.upload_commands import option_value, program_name
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, ShellCommand, Upload
    from shiplint.project import Project


def _tox_env_names(cmd: ShellCommand) -> list[str] | None:
    """The environments a ``tox`` command line runs (None: not tox; [] all/unknown)."""
    for i, arg in enumerate(cmd.args[:5]):
        if program_name(arg.text) == "tox":
            return run_env_names(cmd.args[i + 1 :], cmd.env)
    return None


def _matrix_texts(job: Job | None) -> str:
    """The text of a job's ``strategy.matrix`` (to resolve ``${{ matrix.x }}`` env names)."""
    if job is None or job.node is None or job.workflow is None:
        return ""
    strategy = job.node.get_map("strategy")
    matrix = strategy.get("matrix") if strategy is not None else None
    if matrix is None:
        return ""
    return (job.workflow.source.text or "")[matrix.start : matrix.end]


_WORD = LazyPattern(r"[\w-]+")


class _ToxRunners:
    """The CI commands (workflow, CI file, script a workflow runs) that run tox, read once
    per model, to answer for each env the first that runs it without scanning them all."""

    def __init__(self, model: ReleaseModel) -> None:
        #: (command, its env names, its job's matrix text when a name is an expression)
        self.runners: list[tuple[ShellCommand, list[str], str | None]] = []
        self.by_name: dict[str, int] = {}  # env name -> first runner naming it
        self.base: int | None = None  # first runner naming an env not starting with "-"
        self.by_matrix_word: dict[str, int] = {}  # a [\w-]+ word of a runner's matrix text
        for cmd in model.commands:
            context = cmd.context
            if context.origin not in ("workflow", "action", "ci") and (
                context.origin != "script" or context.job is None
            ):
                continue
            names = _tox_env_names(cmd)
            if names is None:
                continue
            at = len(self.runners)
            matrix = _matrix_texts(context.job) if any("${{" in n for n in names) else None
            self.runners.append((cmd, names, matrix))
            for name in names:
                self.by_name.setdefault(name, at)
            if self.base is None and any(not name.startswith("-") for name in names):
                self.base = at
            if matrix is not None:
                for word in _WORD.findall(matrix):
                    self.by_matrix_word.setdefault(word, at)

    def run(self, env: str) -> ShellCommand | None:
        """The first CI command that runs tox env ``env``: it names it, runs the base env
        (``(base)``: any env), or names it through ``${{ matrix.* }}`` whose values
        mention it."""
        found = [self.by_name.get(env), self.base if env == "(base)" else None]
        if _WORD.fullmatch(env):
            # a word of letters, digits, `_` and `-` occurs as a whole word exactly when it
            # is one of the text's maximal such words
            found.append(self.by_matrix_word.get(env))
        else:
            mention = re.compile(rf"(?<![\w-]){re.escape(env)}(?![\w-])")
            found.append(
                next(
                    (
                        at
                        for at, (_cmd, _names, matrix) in enumerate(self.runners)
                        if matrix is not None and mention.search(matrix)
                    ),
                    None,
                )
            )
        first = min((at for at in found if at is not None), default=None)
        return None if first is None else self.runners[first][0]


def _pypirc_prepared(model: ReleaseModel, cmd: ShellCommand) -> bool:
    """Whether the CI job that runs ``cmd`` writes or restores a ``.pypirc`` first."""
    job = cmd.context.job
    if job is None:
        return False
    for step in job.steps:
        if step.run is not None and ".pypirc" in step.run.value:
            return True
        if step.with_ is not None and ".pypirc" in (
            (job.workflow.source.text or "")[step.with_.start : step.with_.end]
            if job.workflow is not None
            else ""
        ):
            return True
    return False


def _tox_env_passes(
    project: Project, upload: Upload
) -> tuple[list[str], list[str], list[str]] | None:
    """(pass_env, set_env names, disallow_pass_env) of the tox env that runs ``upload``
    (None: not found)."""
    src = upload.source
    env = upload.context.label
    if src.kind in ("tox-ini", "setup-cfg"):
        ini = project.ini(src)
        return None if ini is None else (*ini_passes(ini, env), ini_disallowed(ini, env))
    doc = project.toml(src)
    if doc is None:
        return None
    if src.kind == "pyproject":
        legacy = legacy_tox_ini(src, doc)
        if legacy is not None:
            return (*ini_passes(legacy.ini, env), ini_disallowed(legacy.ini, env))
        tool = doc.data.get("tool")
        tox = tool.get("tox") if isinstance(tool, dict) else None
    else:
        tox = doc.data
    if not isinstance(tox, dict):
        return None
    return (*toml_passes(tox, env), toml_disallowed(tox, env))


#: tox-uv's run env types pass every ``UV_*`` variable by default (tox-uv 1.4.0,
#: tox-dev/tox-uv f4642ff "Pass through often used environment variables"; still so in
#: 1.36.0, ``_venv.py`` ``_default_pass_env``). tox itself passes no credential variable
#: by default (tox 4.67.17 ``tox_env/api.py``, ``python/api.py``, ``virtual_env/api.py``).
TOX_UV_PASS_ENV = "UV_*"
_TOX_UV = LazyPattern(r"(?<![\w.-])tox[-_]uv(?![\w-])", re.IGNORECASE)
#: the settings a ``-x``/``--override``/``TOX_OVERRIDE`` may change that decide what passes
_PASSING_KEYS = frozenset(
    {"pass_env", "passenv", "set_env", "setenv", "disallow_pass_env"},
)


def _tox_settings(project: Project, upload: Upload) -> tuple[str | None, str]:
    """(the env's ``runner``, the text of the configuration's ``requires``) for the tox
    env that runs ``upload``."""
    src = upload.source
    env = upload.context.label
    if src.kind in ("tox-ini", "setup-cfg"):
        ini = project.ini(src)
        if ini is None:
            return None, ""
        core = "tox:tox" if src.kind == "setup-cfg" else "tox"
        runner = ini_setting(ini, ini_section(env), ("runner",))
        return (runner[0] if runner else None), " ".join(ini_setting(ini, core, ("requires",)))
    doc = project.toml(src)
    if doc is None:
        return None, ""
    tox: object = doc.data
    if src.kind == "pyproject":
        legacy = legacy_tox_ini(src, doc)
        if legacy is not None:
            runner = ini_setting(legacy.ini, ini_section(env), ("runner",))
            requires = " ".join(ini_setting(legacy.ini, "tox", ("requires",)))
            return (runner[0] if runner else None), requires
        tool = doc.data.get("tool")
        tox = tool.get("tox") if isinstance(tool, dict) else None
    if not isinstance(tox, dict):
        return None, ""
    runner_value = toml_setting(tox, env, "runner")
    required = tox.get("requires")
    return (
        runner_value if isinstance(runner_value, str) else None,
        " ".join(r for r in required if isinstance(r, str)) if isinstance(required, list) else "",
    )


def _runs_tox_uv(project: Project, upload: Upload, runner: ShellCommand) -> bool:
    """Whether the env runs with tox-uv's runner: the env names a ``uv-venv`` runner, or
    it names none and tox-uv is required by the configuration or installed by the CI job
    (or script) that starts tox."""
    env_runner, requires = _tox_settings(project, upload)
    if env_runner is not None:
        return env_runner.strip().startswith("uv-venv")
    if _TOX_UV.search(requires):
        return True
    job = runner.context.job
    for cmd in project.model.commands:
        same = cmd.context.job is job if job is not None else cmd.source is runner.source
        if same and any(_TOX_UV.search(arg.text) for arg in cmd.args):
            return True
    return False


def _overrides_passing(runner: ShellCommand) -> bool:
    """Whether tox is started with an override of what its envs pass (``-x
    testenv:release.pass_env+=TWINE_PASSWORD``, ``--override=…``, or ``TOX_OVERRIDE``):
    shiplint does not apply overrides, so it cannot tell."""
    values: list[str] = []
    args = runner.args
    for i, arg in enumerate(args):
        text = arg.text
        if text in ("-x", "--override") and i + 1 < len(args):
            values.append(args[i + 1].text)
        elif text.startswith("--override="):
            values.append(text.partition("=")[2])
        elif text.startswith("-x") and len(text) > 2:
            values.append(text[2:])
    override = runner.env.get("TOX_OVERRIDE")
    if override is not None:
        values.extend(re.split(r"[\n;]", override.text))
    for value in values:
        key = value.partition("=")[0].rstrip("+").strip()
        if key.rsplit(".", 1)[-1].strip().lower() in _PASSING_KEYS:
            return True
    return False


def _disallowed_credentials(
    auth: ToolAuth, pass_env: list[str], set_env: list[str], disallowed: list[str]
) -> list[str]:
    """The credential variables ``pass_env`` lets through but ``disallow_pass_env`` drops."""
    allowed = PassedEnv(pass_env, set_env)
    passed = PassedEnv(pass_env, set_env, disallowed)
    names = dict.fromkeys(name for scheme in auth.schemes for name in scheme.names)
    return [name for name in names if allowed(name) and not passed(name)]


@register
class ToxUploadDropsCredentials(Rule):
    """A tox environment that CI runs uploads, but passes the upload tool no credentials.

    tox runs commands with a cleaned environment: only the variables named in `pass_env`
    (tox 3: `passenv`), those set in `set_env`, and a short default list (`PATH`, `HOME`,
    `NETRC`, proxies, `LANG`, compiler flags, `PIP_*`, `VIRTUALENV_*` ...) reach them. The
    default list holds no credential: no `TWINE_*`, `FLIT_*`, `UV_*`, `POETRY_*`, `CI`,
    `GITHUB_*` or `ACTIONS_ID_TOKEN_REQUEST_*` (tox 4.67.17, `tox_env/api.py`,
    `tox_env/python/api.py`, `tox_env/python/virtual_env/api.py`; `CI` only reaches tox's
    own code, under another name). tox-uv's runners add `UV_*` (tox-uv 1.4.0 and later,
    checked up to 1.36.0), so `uv publish` gets `UV_PUBLISH_TOKEN` when the env runs with
    tox-uv: the configuration `requires` it, the CI job installs it, or the env names a
    `uv-venv` runner. A CI step that sets `TWINE_PASSWORD`,
    `UV_PUBLISH_TOKEN`, `FLIT_PASSWORD` ... and runs `tox -e release` hands tox the token,
    and tox drops it: twine prompts for a password in a job that cannot answer, or the
    index answers `403 Invalid or non-existent authentication information` (catalogue
    C-1, tpvasconcelos/ridgeplot#25). Trusted publishing needs `ACTIONS_ID_TOKEN_REQUEST_*`
    and `GITHUB_ACTIONS` passed in the same way.

    shiplint checks each env (tox.ini, setup.cfg, tox.toml, `[tool.tox]` and
    `legacy_tox_ini` in pyproject.toml) whose commands upload and that a workflow, a CI
    file or a script run from a workflow starts with `tox -e <env>` (or `TOXENV`). The
    env's own `pass_env`/`set_env` count, else those of `[testenv]`/`env_run_base`, with
    `{[testenv]passenv}` references followed; a name `disallow_pass_env` lists never gets
    through, even when `pass_env` matches it (`TWINE_*` with `TWINE_PASSWORD` disallowed).
    An env that only maintainers run on their own machine is left to shiplint's tox
    plugin, which also looks at `~/.pypirc`. Nothing is reported when tox is started with
    an override of `pass_env`/`set_env` (`-x testenv:release.pass_env+=TWINE_*`,
    `--override`, `TOX_OVERRIDE`), which shiplint does not apply.

    Fix: add the tool's variables to the env's `pass_env` (`TWINE_USERNAME`,
    `TWINE_PASSWORD`; `UV_PUBLISH_TOKEN`; `FLIT_USERNAME`, `FLIT_PASSWORD` ...), or
    `ACTIONS_ID_TOKEN_REQUEST_*` and `GITHUB_ACTIONS` for trusted publishing.
    """

    code = "SL901"
    name = "tox-upload-drops-credentials"
    severity = Severity.ERROR
    summary = "tox env run by CI uploads, but its pass_env lets no credentials through"
    catalogue = ("C-1",)
    example_file = "tox.ini"
    before = (
        "# CI runs `tox -e release` with TWINE_PASSWORD set\n"
        "[testenv:release]\n"
        "skip_install = true\n"
        "deps =\n    build\n    twine\n"
        "commands =\n    python -m build\n    python -m twine upload dist/*\n"
    )
    after = (
        "# CI runs `tox -e release` with TWINE_PASSWORD set\n"
        "[testenv:release]\n"
        "skip_install = true\n"
        "deps =\n    build\n    twine\n"
        "pass_env =\n    TWINE_USERNAME\n    TWINE_PASSWORD\n"
        "commands =\n    python -m build\n    python -m twine upload dist/*\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        seen: set[tuple[str, str, str]] = set()
        runners: _ToxRunners | None = None
        for upload in model.uploads:
            if upload.context.origin != "tox":
                continue
            env = upload.context.label
            key = (upload.source.rel, env, upload.tool)
            if key in seen:
                continue
            if runners is None:
                runners = _ToxRunners(model)
            runner = runners.run(env)
            if runner is None:
                continue
            passes = _tox_env_passes(project, upload)
            if passes is None:
                continue
            pass_env, set_env, disallowed = passes
            if _overrides_passing(runner):
                continue
            passing = pass_env
            if _runs_tox_uv(project, upload, runner):
                passing = [*pass_env, TOX_UV_PASS_ENV]
            options = {name: option_value(arg) for name, arg in upload.options.items()}
            auth = missing_credentials(
                upload.tool,
                options,
                upload.index,
                PassedEnv(passing, set_env, disallowed),
                pypirc=_pypirc_prepared(model, runner),
            )
            if auth is None:
                continue
            seen.add(key)
            style = config_style(upload.source.path.name, upload.source.text)
            text = credentials_problem(env, style, upload, auth)
            message, _, help_text = text.partition("\n")
            help_text = help_text.replace(
                f"{upload.tool} also reads ~/.pypirc; none was found.",
                f"{upload.tool} also reads ~/.pypirc, but the CI job does not write one.",
            )
            dropped = _disallowed_credentials(auth, pass_env, set_env, disallowed)
            if dropped:
                names = ", ".join(dropped)
                message = message.replace(
                    "but its pass_env and set_env let no credentials through",
                    f"but its disallow_pass_env drops {names}, which its pass_env lets "
                    "through, and no other credentials get through",
                )
                help_text = (
                    f"`disallow_pass_env` wins over `pass_env`: remove {names} from it "
                    f"(or pass the credentials another way).\n{help_text}"
                )
            where = runner.args[0].loc.pos
            yield self.at(
                upload.loc,
                message,
                f"{help_text}\n(CI runs this env at {runner.source.rel}:{where.line}.)",
            )
