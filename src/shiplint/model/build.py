"""Build the release model of one project from its parsed files."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shiplint import facts as facts_mod
from shiplint.gha import refs as gha_refs
from shiplint.integrations.tox_credentials import PassedEnv
from shiplint.model import (
    Arg,
    Context,
    Credential,
    IndexUse,
    Loc,
    PypircEntry,
    ReleaseModel,
    ScriptCall,
    ShellCommand,
    Upload,
    Value,
)
from shiplint.model.shellblocks import commands_from_text, identity, secret_names
from shiplint.model.tasks import (
    DIR_CHANGERS,
    MAKE_ASSIGN,
    make_targets_reached,
    normalise,
    nox_callers,
    task_dir,
    task_keys,
)
from shiplint.model.textmap import ScalarMap
from shiplint.model.tox_config import (
    env_reference,
    ini_disallowed,
    ini_passes,
    toml_disallowed,
    toml_passes,
)
from shiplint.model.workflows import build_composite_action, build_workflow
from shiplint.parse.ini import parse_ini
from shiplint.parse.yamlnodes import YMap, YScalar, trailing_comment, walk_scalars
from shiplint.pkg.upload_commands import index_of_url, recognise
from shiplint.source import SourceFile

if TYPE_CHECKING:
    from collections.abc import Iterable

    from shiplint.model import Step, Workflow
    from shiplint.model.shellblocks import ToFile
    from shiplint.parse.ini import IniDoc
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.parse.yamlnodes import YNode
    from shiplint.project import Project
    from shiplint.source import Pos

_URL = re.compile(r"https?://[^\s\"'`;,)\]}]+")
_SCRIPT_RUNNERS = {"bash", "sh", "zsh", "source", ".", "dash"}
_INDEX_ENV = {
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_INDEX",
    "UV_DEFAULT_INDEX",
    "PIP_FIND_LINKS",
}
_MAKE_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_MAKE_WEAK_ASSIGN = re.compile(r"^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*\?=")

# Keys of non-GitHub CI files whose values are shell commands.
_CI_SCRIPT_KEYS = {
    "script",
    "before_script",
    "after_script",
    "before_install",
    "install",
    "after_success",
    "after_failure",
    "before_deploy",
    "after_deploy",
    "run",
    "command",
    "bash",
    "sh",
    "build_script",
    "test_script",
    "deploy_script",
    "on_success",
    "on_finish",
    "before_build",
    "after_build",
    "before_test",
    "after_test",
    "before_package",
    "init",
}
_CI_ENV_KEYS = {"env", "environment", "variables", "global"}


def build_model(project: Project) -> ReleaseModel:
    model = ReleaseModel(root=project.root, files=project.files, project=project)
    builder = _Builder(project, model)
    builder.build()
    return model


class _Builder:
    def __init__(self, project: Project, model: ReleaseModel) -> None:
        self.project = project
        self.model = model
        self.facts = facts_mod.load()

    def build(self) -> None:
        project = self.project
        for src in project.of_kind("workflow"):
            doc = project.yaml(src)
            workflow = build_workflow(src, doc.root) if doc else None
            if workflow is not None:
                self.model.workflows.append(workflow)
                self._github_steps(workflow)
        for src in project.of_kind("action"):
            doc = project.yaml(src)
            action = build_composite_action(src, doc.root) if doc else None
            if action is not None:
                self.model.actions.append(action)
                self._github_steps(action, origin="action")
        for src in project.of_kind("ci"):
            doc = project.yaml(src)
            if doc is not None:
                self._ci_file(src, doc.root)
        for src in project.of_kind("conda-env"):
            doc = project.yaml(src)
            if doc is not None:
                self._conda_env(src, doc.root)
        self._scripts()
        for src in project.of_kind("tox-ini", "setup-cfg"):
            ini = project.ini(src)
            if ini is not None:
                self._tox_ini(src, ini)
        for src in project.of_kind("tox-toml", "pyproject"):
            toml_doc = project.toml(src)
            if toml_doc is not None:
                self._toml_config(src, toml_doc)
        for src in project.of_kind("pypirc"):
            ini = project.ini(src)
            if ini is not None:
                self._pypirc(src, ini)
        for src in project.of_kind("makefile"):
            self._makefile(src)
        for src in project.of_kind("noxfile"):
            tree = project.python_ast(src)
            if tree is not None:
                self._noxfile(src, tree)
        for cmd in self.model.commands:
            recognise(self.model, cmd)
        self._env_indexes()
        self._mask_literal_credentials()

    def _mask_literal_credentials(self) -> None:
        """Keep literal tokens and passwords out of every printed source line."""
        for upload in self.model.uploads:
            for cred in upload.credentials:
                if not cred.literal or cred.username:
                    continue
                loc = cred.loc
                written = loc.text
                name, eq, _ = written.partition("=")
                start = loc.start + len(name) + 1 if eq and name.startswith("-") else loc.start
                span = (start, loc.end)
                if span not in loc.source.secret_spans:
                    loc.source.secret_spans.append(span)

    # --- GitHub workflows and composite actions ----------------------------------------------

    def _github_steps(self, workflow: Workflow, origin: str = "workflow") -> None:
        src = workflow.source
        base_env = env_values(src, workflow.env)
        for job in workflow.jobs.values():
            job_env = {**base_env, **env_values(src, job.env)}
            for step in job.steps:
                context = Context(origin=origin, job=job, step=step, label=job.id)
                env = {**job_env, **env_values(src, step.env)}
                for name, value in env_values(src, step.env).items():
                    self.model.assignments.append((name, value, context))
                if step.uses is not None:
                    self._action_step(src, step, context)
                if step.run is not None and not step.run.is_null:
                    scalar_map = ScalarMap(src, step.run)
                    commands = commands_from_text(
                        self.model, src, step.run.value, context, env, scalar_map.to_file
                    )
                    self.model.commands.extend(commands)
                    self._script_calls(commands, step, env)
            for name, value in env_values(src, job.env).items():
                self.model.assignments.append(
                    (name, value, Context(origin=origin, job=job, label=job.id))
                )
        for name, value in base_env.items():
            self.model.assignments.append((name, value, Context(origin=origin)))

    def _action_step(self, src: SourceFile, step: Step, context: Context) -> None:
        action = (step.action or "").lower()
        uses = step.uses
        assert uses is not None
        loc = Loc(src, uses.start, uses.end)
        with_ = step.with_
        if action == self.facts.pypi_publish.repo:
            upload = Upload(
                tool="pypi-publish-action", family="pypi", loc=loc, context=context, index="pypi"
            )
            self._action_version(src, step, upload, gha_refs.pypi_publish())
            url = _input(with_, "repository-url", "repository_url")
            if url is not None:
                upload.target = Value(url.value, Loc(src, url.start, url.end))
                upload.index = index_of_url(url.value) or url.value
            user = _input(with_, "user")
            if user is not None:
                upload.credentials.append(_input_credential(src, user, "user", username=True))
            password = _input(with_, "password")
            if password is not None and password.value.strip():
                upload.credentials.append(_input_credential(src, password, "password"))
            else:
                upload.oidc = True
                upload.credentials.append(Credential(via="oidc", loc=loc, name="id-token"))
            self.model.uploads.append(upload)
        elif action == self.facts.upload_nightly.repo:
            facts = self.facts.upload_nightly.raw
            upload = Upload(
                tool="upload-nightly-action",
                family="anaconda",
                loc=loc,
                context=context,
                index="anaconda",
            )
            self._action_version(src, step, upload, gha_refs.upload_nightly())
            token = _input(with_, facts["token-input"])
            if token is not None and token.value.strip():
                upload.credentials.append(_input_credential(src, token, facts["token-input"]))
            org = _input(with_, facts["org-input"])
            if org is not None:
                upload.target = Value(org.value, Loc(src, org.start, org.end))
            else:
                upload.target = Value(self.facts.nightly_org, None)
            self.model.uploads.append(upload)

    def _action_version(
        self, src: SourceFile, step: Step, upload: Upload, spec: gha_refs.ActionSpec
    ) -> None:
        upload.ref = step.ref
        comment = trailing_comment(src, step.uses) if step.uses is not None else None
        upload.release = gha_refs.resolve(step.ref, comment, spec)
        if upload.release.source != gha_refs.FROM_BRANCH:
            upload.version = upload.release.version  # pinned; a branch moves with releases

    def _script_calls(
        self, commands: list[ShellCommand], step: Step, env: dict[str, Value]
    ) -> None:
        workdir = ""
        if step.node is not None:
            wd = step.node.get_str("working-directory")
            if wd and "${{" not in wd:
                workdir = wd.strip("/") + "/"
        # the folder a task runner starts in; None once it may be another one (a
        # working directory that is an expression, a `cd` earlier in the block)
        folder = task_dir(step)
        for cmd in commands:
            args = cmd.args
            head = args[0].text
            if head in DIR_CHANGERS:
                folder = None
            if folder is not None:
                self._task_call(cmd, folder, env)
            target: Arg | None = None
            if head in _SCRIPT_RUNNERS and len(args) > 1:
                target = next((a for a in args[1:] if not a.text.startswith("-")), None)
            elif head.endswith(".sh") or head.startswith("./"):
                target = args[0]
            if target is None or "$" in target.text:
                continue
            rel = workdir + target.text.removeprefix("./")
            if rel.startswith("$GITHUB_WORKSPACE/"):
                rel = rel[len("$GITHUB_WORKSPACE/") :]
            call_env = dict(cmd.env)
            self.model.script_calls.setdefault(normalise(rel), []).append(
                ScriptCall(caller=cmd.context, env={**env, **call_env}, loc=target.loc)
            )

    def _task_call(self, cmd: ShellCommand, workdir: str, env: dict[str, Value]) -> None:
        """Record a step that runs a Makefile target, a tox env or a nox session of a file
        shiplint read (``workdir``: the folder the command starts in): the task's commands
        run with the step's job and environment (tox: only what ``pass_env`` lets through).
        See :func:`shiplint.model.tasks.task_keys`."""
        found = task_keys(self.project, cmd, workdir, env)
        if found is None:
            return
        keys, word = found
        call = ScriptCall(caller=cmd.context, env={**env, **cmd.env}, loc=word.loc)
        for key in keys:
            self.model.task_calls.setdefault(key, []).append(call)

    def _scripts(self) -> None:
        project = self.project
        for rel in list(self.model.script_calls):
            project.script(rel)
        for src in project.of_kind("shell"):
            calls = _distinct(self.model.script_calls.get(src.rel, []))
            # a copy of the script's commands for each step that runs it (its job, triggers
            # and environment; a step running it twice, once), else one of its own
            for n, call in enumerate(_copies(calls)):
                context = _copy_context("script", src.rel, call)
                env: dict[str, Value] = call.env if call is not None else {}
                before = len(self.model.assignments)
                self.model.commands.extend(
                    commands_from_text(self.model, src, src.text or "", context, env)
                )
                if n > 0:
                    # the script's literal assignments: recorded with the first copy (once
                    # per place, like the index uses they give)
                    del self.model.assignments[before:]

    # --- other CI systems --------------------------------------------------------------------

    def _ci_file(self, src: SourceFile, root: YNode | None) -> None:
        if root is None:
            return
        env: dict[str, Value] = {}
        context = Context(origin="ci", label=src.rel)
        scripts: list[YScalar] = []
        for path, scalar in walk_scalars(root):
            keys = [p for p in path if isinstance(p, str)]
            if not keys or scalar.is_null:
                continue
            last = keys[-1]
            if any(k in _CI_ENV_KEYS for k in keys[-3:]):
                if isinstance(path[-1], str) and last not in _CI_SCRIPT_KEYS:
                    value = Value(scalar.value, Loc(src, scalar.start, scalar.end))
                    env[last] = value
                    self.model.assignments.append((last, value, context))
                    continue
                if "=" in scalar.value and " " not in scalar.value.split("=", 1)[0]:
                    # travis style: `- ANACONDA_ORG="scipy-wheels-nightly"`
                    self.model.commands.extend(
                        commands_from_text(
                            self.model,
                            src,
                            scalar.value,
                            context,
                            env,
                            ScalarMap(src, scalar).to_file,
                        )
                    )
                    continue
            if last in _CI_SCRIPT_KEYS or last.endswith("_script") or last == "cmd":
                scripts.append(scalar)
        for scalar in scripts:
            commands = commands_from_text(
                self.model, src, scalar.value, context, env, ScalarMap(src, scalar).to_file
            )
            self.model.commands.extend(commands)
            for cmd in commands:
                for name, value in cmd.env.items():
                    env.setdefault(name, value)

    def _conda_env(self, src: SourceFile, root: YNode | None) -> None:
        if not isinstance(root, YMap):
            return
        context = Context(origin="conda-env", label=src.rel)
        deps = root.get_seq("dependencies")
        if deps is None:
            return
        for item in deps.items:
            if not isinstance(item, YMap):
                continue
            pip = item.get_seq("pip")
            if pip is None:
                continue
            for entry in pip.items:
                if isinstance(entry, YScalar) and entry.value.startswith("-"):
                    for match in _URL.finditer(entry.value):
                        loc = _narrow(src, entry, match.group(0))
                        self.model.indexes.append(
                            IndexUse(Value(match.group(0), loc), "conda-env", context)
                        )

    # --- tox, make, nox, pyproject -----------------------------------------------------------

    def _tox_ini(self, src: SourceFile, ini: IniDoc, legacy: LegacyToxIni | None = None) -> None:
        where = legacy.index if legacy is not None else src.index
        # a legacy_tox_ini string with escapes: every position is that of its key
        at_key = legacy.key if legacy is not None and legacy.body_start is None else None
        to_file = _spans_to(at_key) if at_key is not None else identity
        for name, section in ini.sections.items():
            if src.kind == "setup-cfg" and not name.startswith(("testenv", "tox:")):
                continue
            if not name.startswith("testenv") and name not in ("tox", "tox:tox"):
                continue
            env_name = name.split(":", 1)[1] if ":" in name else "(base)"
            calls = _distinct(self.model.task_calls.get((f"tox:{src.rel}", env_name), []))
            passed = PassedEnv(*ini_passes(ini, env_name), ini_disallowed(ini, env_name))
            # a copy of the env's commands for each step that runs it (its job, and what
            # tox lets through), else one of their own
            for call in _copies(calls):
                context = _copy_context("tox", env_name, call)
                env: dict[str, Value] = {}
                if call is not None:
                    env = {k: v for k, v in call.env.items() if passed(k)}
                for key in ("setenv", "set_env"):
                    value = section.get(key)
                    if value is None:
                        continue
                    for line in value.lines:
                        var, eq, rest = line.text.partition("=")
                        if eq:
                            offset = where(line.pos) + len(var) + 1
                            stripped = rest.strip()
                            offset += len(rest) - len(rest.lstrip())
                            loc = at_key or Loc(src, offset, offset + len(stripped))
                            val = Value(stripped, loc)
                            env[var.strip()] = _from_tox_environ(env_reference(stripped), call, val)
                            self.model.assignments.append((var.strip(), val, context))
                for key in ("commands_pre", "commands", "commands_post", "install_command", "deps"):
                    value = section.get(key)
                    if value is None:
                        continue
                    for line in value.lines:
                        text = line.text
                        if key == "deps" and not text.startswith("-"):
                            continue
                        if key == "deps":
                            text = "pip install " + text
                            base = where(line.pos) - len("pip install ")
                        else:
                            base = where(line.pos)
                        text = text.rstrip("\\")
                        if at_key is not None:
                            base = at_key.start
                        self.model.commands.extend(
                            commands_from_text(
                                self.model, src, text, context, env, to_file, base=base
                            )
                        )

    def _pypirc(self, src: SourceFile, ini: IniDoc) -> None:
        for name, section in ini.sections.items():
            if name == "distutils":
                continue
            entry = PypircEntry(section=name, source=src)
            for key in ("repository", "username", "password"):
                value = section.get(key)
                if value is not None and value.lines:
                    line = value.lines[0]
                    start = src.index(line.pos)
                    setattr(entry, key, Value(line.text, Loc(src, start, start + len(line.text))))
            if entry.password is not None and "$" not in entry.password.text:
                loc = entry.password.loc
                if loc is not None:
                    src.secret_spans.append((loc.start, loc.end))
            self.model.pypirc.append(entry)

    def _toml_config(self, src: SourceFile, doc: TomlDoc) -> None:
        data = doc.data
        prefix: tuple[str, ...] = ()
        tox: Any = data
        linked = True  # a step's `tox` run reads these envs
        if src.kind == "pyproject":
            tox = data.get("tool", {}).get("tox") if isinstance(data.get("tool"), dict) else None
            prefix = ("tool", "tox")
            self._pyproject_indexes(src, doc)
            legacy = legacy_tox_ini(src, doc)
            if legacy is not None:
                self._tox_ini(src, legacy.ini, legacy)
                # tox reads legacy_tox_ini rather than the TOML tables beside it
                linked = False
        if isinstance(tox, dict):
            envs: list[tuple[str, tuple[str, ...], Any]] = []
            if isinstance(tox.get("env_run_base"), dict):
                envs.append(("(base)", (*prefix, "env_run_base"), tox["env_run_base"]))
            if isinstance(tox.get("env"), dict):
                for name, conf in tox["env"].items():
                    envs.append((name, (*prefix, "env", name), conf))
            for name, path, conf in envs:
                if isinstance(conf, dict):
                    self._tox_toml_env(src, doc, name, path, conf, tox, linked)

    def _tox_toml_env(
        self,
        src: SourceFile,
        doc: TomlDoc,
        name: str,
        path: tuple[str, ...],
        conf: dict[str, Any],
        tox: dict[str, Any],
        linked: bool = True,
    ) -> None:
        set_env = conf.get("set_env")
        calls = self.model.task_calls.get((f"tox:{src.rel}", name), []) if linked else []
        passed = PassedEnv(*toml_passes(tox, name), toml_disallowed(tox, name))
        # a copy of the env's commands for each step that runs it (its job, and what tox
        # lets through), else one of their own
        for call in _copies(_distinct(calls)):
            context = _copy_context("tox", name, call)
            env: dict[str, Value] = {}
            if call is not None:
                env = {k: v for k, v in call.env.items() if passed(k)}
            if isinstance(set_env, dict):
                for var, val in set_env.items():
                    if isinstance(val, str):
                        span = doc.string_span((*path, "set_env", var))
                        loc = Loc(src, span[0], span[1]) if span else None
                        written = Value(val, loc)
                        env[var] = _from_tox_environ(env_reference(val), call, written)
                        if loc is not None:
                            self.model.assignments.append((var, written, context))
                    elif call is not None and isinstance(val, dict):
                        # {replace = "env", name = "X"}: X of the environment tox runs in
                        ref = val.get("name") if val.get("replace") == "env" else None
                        if isinstance(ref, str) and ref in call.env:
                            env[var] = call.env[ref]
            for key in ("commands_pre", "commands", "commands_post"):
                commands = conf.get(key)
                if not isinstance(commands, list):
                    continue
                for i, argv in enumerate(commands):
                    if not isinstance(argv, list):
                        continue
                    args: list[Arg] = []
                    for j, word in enumerate(argv):
                        if not isinstance(word, str):
                            continue
                        span = doc.value_span((*path, key, i, j))
                        loc = Loc(src, span[0], span[1]) if span else Loc(src, 0, 0)
                        args.append(Arg(text=word, raw=word, loc=loc))
                    if args:
                        self.model.commands.append(
                            ShellCommand(args=args, source=src, context=context, env=dict(env))
                        )

    def _pyproject_indexes(self, src: SourceFile, doc: TomlDoc) -> None:
        tool = doc.data.get("tool")
        if not isinstance(tool, dict):
            return
        context = Context(origin="pyproject", label="pyproject.toml")
        uv = tool.get("uv")
        if isinstance(uv, dict):
            for key in ("index-url", "extra-index-url"):
                got = uv.get(key)
                urls = got if isinstance(got, list) else [got]
                for i, url in enumerate(urls):
                    if isinstance(url, str):
                        path: tuple[str | int, ...] = ("tool", "uv", key)
                        if isinstance(got, list):
                            path = (*path, i)
                        self._toml_index(src, doc, path, url, context)
            indexes = uv.get("index")
            if isinstance(indexes, list):
                for i, entry in enumerate(indexes):
                    if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                        self._toml_index(
                            src, doc, ("tool", "uv", "index", i, "url"), entry["url"], context
                        )
        poetry = tool.get("poetry")
        if isinstance(poetry, dict) and isinstance(poetry.get("source"), list):
            for i, entry in enumerate(poetry["source"]):
                if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                    self._toml_index(
                        src, doc, ("tool", "poetry", "source", i, "url"), entry["url"], context
                    )

    def _toml_index(
        self, src: SourceFile, doc: TomlDoc, path: tuple[str | int, ...], url: str, context: Context
    ) -> None:
        span = doc.string_span(path)
        loc = Loc(src, span[0], span[1]) if span else None
        self.model.indexes.append(IndexUse(Value(url, loc), "pyproject", context))

    def _makefile(self, src: SourceFile) -> None:
        text = src.text or ""
        reached = make_targets_reached(self.model.task_calls, src)
        env: dict[str, Value] = {}
        weak: set[str] = set()  # assigned with `?=`: the caller's environment wins
        target = ""
        offset = 0
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            if body.startswith("\t"):
                lead = 1
                while lead < len(body) and body[lead] in "@-+ \t":
                    lead += 1
                recipe = _MAKE_VAR.sub(r"${\1}", body[lead:]).replace("$$", "$")
                if len(recipe) == len(body) - lead:
                    calls = _distinct(c for t in target.split() for c in reached.get(t, []))
                    # a copy of the recipe line for each step that runs the target (its
                    # job and environment), else one of its own
                    for call in _copies(calls):
                        context = _copy_context("makefile", target, call)
                        cmd_env = env
                        if call is not None:
                            own = {
                                k: v for k, v in env.items() if k not in weak or k not in call.env
                            }
                            cmd_env = {**call.env, **own}
                        self.model.commands.extend(
                            commands_from_text(
                                self.model,
                                src,
                                recipe.rstrip("\\"),
                                context,
                                cmd_env,
                                base=offset + lead,
                            )
                        )
            elif body and not body.startswith("#"):
                assign = MAKE_ASSIGN.match(body)
                if assign and ":" not in assign.group(1):
                    value = assign.group(2).strip()
                    start = offset + body.index(value, len(assign.group(1))) if value else offset
                    val = Value(value, Loc(src, start, start + len(value)))
                    env[assign.group(1)] = val
                    if _MAKE_WEAK_ASSIGN.match(body):
                        weak.add(assign.group(1))
                    else:
                        weak.discard(assign.group(1))
                    self.model.assignments.append(
                        (assign.group(1), val, Context(origin="makefile"))
                    )
                elif ":" in body:
                    target = body.split(":", 1)[0].strip()
            offset += len(line)

    def _noxfile(self, src: SourceFile, tree: ast.Module) -> None:
        functions = _outermost_functions(tree)
        callers = {
            name: _distinct(calls)
            for name, calls in nox_callers(self.model.task_calls, src, tree).items()
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if method not in ("run", "run_always", "run_install", "install"):
                continue
            args: list[Arg] = []
            if method == "install":
                args.append(Arg("pip", "pip", ast_loc(src, node.func)))
                args.append(Arg("install", "install", ast_loc(src, node.func)))
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    args.append(Arg(arg.value, arg.value, ast_loc(src, arg)))
                else:
                    args.append(Arg("$ARG", "$ARG", ast_loc(src, arg)))
            if args:
                label = functions.get(id(node), "")
                # a copy for each step that runs this session (its job and environment),
                # else one of its own
                for call in _copies(callers.get(label, [])):
                    context = _copy_context("nox", label, call)
                    env: dict[str, Value] = dict(call.env) if call is not None else {}
                    self.model.commands.append(
                        ShellCommand(args=args, source=src, context=context, env=env)
                    )

    # --- indexes from environment settings -----------------------------------------------------

    def _env_indexes(self) -> None:
        for name, value, context in self.model.assignments:
            upper = name.upper()
            if upper not in _INDEX_ENV and not upper.startswith("CIBW_ENVIRONMENT"):
                continue
            for match in _URL.finditer(value.text):
                loc = value.loc
                if loc is not None:
                    found = loc.text.find(match.group(0))
                    if found != -1:
                        loc = Loc(
                            loc.source, loc.start + found, loc.start + found + len(match.group(0))
                        )
                self.model.indexes.append(IndexUse(Value(match.group(0), loc), "env", context))


@dataclass(frozen=True)
class LegacyToxIni:
    """``legacy_tox_ini`` of ``[tool.tox]`` in a pyproject.toml, read as a tox.ini.

    ``text`` is the string as a file of its own (``ini`` positions are in it);
    ``body_start`` is where that text begins in pyproject.toml when it is written there
    verbatim (a literal string, or a basic one without escapes), else None and every
    position is that of the ``legacy_tox_ini`` key (``key``).
    """

    ini: IniDoc
    text: SourceFile
    body_start: int | None
    key: Loc

    def index(self, pos: Pos) -> int:
        """Offset in pyproject.toml of position ``pos`` of the string."""
        if self.body_start is None:
            return self.key.start
        return self.body_start + self.text.index(pos)


def legacy_tox_ini(src: SourceFile, doc: TomlDoc) -> LegacyToxIni | None:
    """The ``[tool.tox] legacy_tox_ini`` string of a pyproject.toml, parsed (None: absent)."""
    path = ("tool", "tox", "legacy_tox_ini")
    value = doc.get(path)
    if not isinstance(value, str):
        return None
    inner = SourceFile(src.path, src.rel, src.root, "tox-ini", value)
    ini, _problems = parse_ini(inner)
    span = doc.string_span(path)
    body_start = None
    if span is not None and (src.text or "")[span[0] : span[1]] == value:
        body_start = span[0]
    key_pos = doc.key_pos(path)
    key_start = src.index(key_pos) if key_pos is not None else 0
    key = Loc(src, key_start, key_start + len("legacy_tox_ini"))
    return LegacyToxIni(ini, inner, body_start, key)


def _distinct(calls: Iterable[ScriptCall]) -> list[ScriptCall]:
    """The calls in order, each step with the same environment once (``make a b`` where
    ``b`` needs ``a``, a step that runs the task twice)."""
    out: list[ScriptCall] = []
    seen: set[tuple[int, int, tuple[tuple[str, str, int], ...]]] = set()
    for call in calls:
        env = tuple(
            sorted(
                (k, v.text, v.loc.start if v.loc is not None else -1) for k, v in call.env.items()
            )
        )
        key = (id(call.caller.step), id(call.caller.job), env)
        if key not in seen:
            seen.add(key)
            out.append(call)
    return out


def _copy_context(origin: str, label: str, call: ScriptCall | None) -> Context:
    """The context of one copy of a script's or task's commands: the calling step's job
    and step, or (no caller) the script's or task's own."""
    if call is None:
        return Context(origin=origin, label=label)
    return Context(origin=origin, job=call.caller.job, step=call.caller.step, label=label)


def _copies(calls: list[ScriptCall]) -> list[ScriptCall | None]:
    """What a task's commands are read for: each step that runs it, else None (once,
    in the task's own context)."""
    return [*calls] if calls else [None]


def _from_tox_environ(name: str | None, call: ScriptCall | None, written: Value) -> Value:
    """A ``set_env`` value: ``{env:NAME}`` is NAME of the environment tox was started in
    (the calling step's, whatever ``pass_env`` says), else the value as written."""
    if name is not None and call is not None:
        got = call.env.get(name)
        if got is not None:
            return got
    return written


def _spans_to(loc: Loc) -> ToFile:
    """A ``to_file`` mapping every span of a text to ``loc`` (given ``base=loc.start``)."""
    span = (0, loc.end - loc.start)

    def to_file(start: int, end: int, hint: int = 0) -> tuple[int, int]:
        return span

    return to_file


def env_values(src: SourceFile, env: YMap | None) -> dict[str, Value]:
    if env is None:
        return {}
    out = {}
    for name, _key, value in env.items():
        if isinstance(value, YScalar) and not value.is_null:
            out[name] = Value(value.value, Loc(src, value.start, value.end))
    return out


def _input(with_: YMap | None, *names: str) -> YScalar | None:
    if with_ is None:
        return None
    for name in names:
        got = with_.get_scalar(name)
        if got is not None and not got.is_null:
            return got
    return None


def _input_credential(
    src: SourceFile, scalar: YScalar, name: str, username: bool = False
) -> Credential:
    secrets = secret_names(scalar.value)
    literal = "${{" not in scalar.value and bool(scalar.value.strip())
    return Credential(
        via="input",
        loc=Loc(src, scalar.start, scalar.end),
        secret=secrets[0] if secrets else None,
        name=name,
        literal=literal and not username,
        username=username,
    )


def _narrow(src: SourceFile, scalar: YScalar, needle: str) -> Loc:
    text = src.text or ""
    found = text.find(needle, scalar.start, scalar.end)
    if found == -1:
        return Loc(src, scalar.start, scalar.end)
    return Loc(src, found, found + len(needle))


def ast_loc(src: SourceFile, node: ast.expr) -> Loc:
    """Where a Python expression node starts in ``src`` (to its end when on one line)."""
    line = node.lineno
    line_text = src.line_text(line)
    # col_offset counts UTF-8 bytes; convert to characters.
    col = len(line_text.encode("utf-8")[: node.col_offset].decode("utf-8", "replace"))
    start = src.line_starts[line - 1] + col if line - 1 < len(src.line_starts) else 0
    end = start
    if node.end_lineno == line and node.end_col_offset is not None:
        end_col = len(line_text.encode("utf-8")[: node.end_col_offset].decode("utf-8", "replace"))
        end = src.line_starts[line - 1] + end_col
    return Loc(src, start, end)


def _outermost_functions(tree: ast.Module) -> dict[int, str]:
    """``id(node)`` → name of the outermost function defining it, for every node inside a
    function (one walk, so a noxfile with many sessions stays linear)."""
    out: dict[int, str] = {}
    todo: list[tuple[ast.AST, str]] = [(tree, "")]
    while todo:
        node, name = todo.pop()
        if not name and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = node.name
        if name:
            out[id(node)] = name
        todo.extend((child, name) for child in ast.iter_child_nodes(node))
    return out
