"""pixi tasks: what ``pixi run NAME`` runs, read from its command line and the manifest.

Pure reading behind the ``pixi`` task links (the model side is
:func:`shiplint.model.task_commands.pixi_tasks`), checked at prefix-dev/pixi v0.77.0:

- the command line (``crates/pixi_cli/src/run.rs``, ``docs/reference/cli/pixi/run.md``):
  ``pixi run [OPTIONS] [TASK]...`` (alias ``pixi r``, ``crates/pixi_cli/src/lib.rs``);
  the options come before the task (``trailing_var_arg``): the first other word is the
  task, the words after it are its arguments. ``-e``/``--environment`` picks the
  environment, ``-m``/``--manifest-path`` the manifest; ``-x``/``--executable`` runs a
  program without looking for a task, ``-n``/``--dry-run`` and ``--help`` run nothing,
  ``--skip-deps`` skips ``depends-on``. A word that names no task is a command run in the
  environment (``pixi run tox -e release``).
- which manifest (``crates/pixi_manifest/src/discovery.rs``, ``provenance_from_dir``):
  in the folder pixi starts in, ``pixi.toml`` before ``pyproject.toml``; a manifest is the
  workspace when it has a ``[workspace]`` table (or the older ``[project]``; in a
  pyproject.toml, ``[tool.pixi.workspace]``/``[tool.pixi.project]``), else pixi looks in
  the parent folders. shiplint links a step only to a manifest at the repository root,
  the only place discovery reads ``pixi.toml``.
- the tasks (``schema/schema.json``, ``docs/workspace/advanced_tasks.md``): tables
  ``tasks``, ``feature.<F>.tasks``, ``target.<platform>.tasks`` and
  ``feature.<F>.target.<platform>.tasks`` (in a pyproject.toml, under ``tool.pixi``).
  A task is a string command; a list of ``{task = ...}`` (an alias that runs those
  tasks); or a table with ``cmd`` (a string, or a list of words that pixi quotes and
  joins), ``env``, ``cwd`` and ``depends-on`` (``depends_on`` before v0.21.0): a task
  name, a ``{task = ..., environment = ...}`` table, or a list of them, run first.
- environments (``docs/workspace/multi_environment.md``): ``[environments] NAME =
  [features]`` or ``{features = [...], no-default-feature = true}``; an environment holds
  the default feature unless ``no-default-feature``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from shiplint.model import Arg
    from shiplint.parse.tomlpos import TomlDoc
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: ``pixi run`` options that take a value (the next word, or after ``=``)
_RUN_OPTIONS_WITH_VALUE = {
    "-e",
    "--environment",
    "-p",
    "--platform",
    "-m",
    "--manifest-path",
    "-w",
    "--workspace",
    "-s",
    "--script",
    "--config-file",
    "--auth-file",
    "--concurrent-downloads",
    "--concurrent-solves",
    "--pinning-strategy",
    "--pypi-keyring-provider",
    "--tls-root-certs",
    "--color",
}
#: options after which ``pixi run`` runs no task (``--help``, ``--dry-run``), or runs
#: the word as a program rather than a task (``--executable``)
_RUN_NO_TASK = {"-n", "--dry-run", "--help", "-h", "-x", "--executable", "-s", "--script"}


class PixiRun(NamedTuple):
    """A ``pixi run`` command line: the task word's index in the words after ``pixi``,
    the ``-e`` environment, the ``-m`` manifest, whether ``--skip-deps`` was given."""

    task_at: int
    environment: str | None
    manifest: str | None
    skip_deps: bool


class PixiTask(NamedTuple):
    """One definition of a task: its path in the manifest's TOML (``("tasks", "build")``,
    ``("tool", "pixi", "feature", "docs", "tasks", "build")``), its feature (None: the
    default one) and its value."""

    path: tuple[str, ...]
    feature: str | None
    value: Any


def pixi_run(rest: list[Arg]) -> PixiRun | None:
    """The ``pixi run`` (``pixi r``) in the words after ``pixi``; None when it is another
    subcommand, runs no task (``--dry-run``, ``--help``) or runs a program (``-x``), or
    names no task."""
    i = 0
    while i < len(rest) and rest[i].text.startswith("-"):  # global flags: -v, -q ...
        if rest[i].text == "--color":
            i += 1
        i += 1
    if i >= len(rest) or rest[i].text not in ("run", "r"):
        return None
    i += 1
    environment: str | None = None
    manifest: str | None = None
    skip_deps = False
    while i < len(rest):
        text = rest[i].text
        if not text.startswith("-"):
            break
        name, eq, value = text.partition("=")
        if name in _RUN_NO_TASK or text in _RUN_NO_TASK:
            return None
        if text == "--skip-deps":
            skip_deps = True
        elif name in _RUN_OPTIONS_WITH_VALUE:
            if not eq:
                i += 1
                value = rest[i].text if i < len(rest) else ""
            if name in ("-e", "--environment"):
                environment = value
            elif name in ("-m", "--manifest-path"):
                manifest = value
            elif name in ("-w", "--workspace", "-p", "--platform") and "$" in value:
                return None
        elif len(text) > 2 and text[1] in "em" and text[1] != "-":  # -eENV, -mPATH
            if text[1] == "e":
                environment = text[2:]
            else:
                manifest = text[2:]
        i += 1
    if i >= len(rest) or "$" in rest[i].text:
        return None
    if (environment is not None and "$" in environment) or (manifest and "$" in manifest):
        return None
    return PixiRun(i, environment, manifest, skip_deps)


def manifest_rel(project: Project, workdir: str, manifest: str | None) -> str | None:
    """The manifest pixi reads when started in ``workdir`` (``-m``: a file, or a folder
    to look in), when it is one shiplint read at the repository root and it declares the
    workspace: ``pixi.toml`` before ``pyproject.toml`` with ``[tool.pixi]``."""
    from shiplint.model.tasks import normalise

    if manifest is not None:
        rel = normalise(f"{workdir}/{manifest}")
        known = project.by_rel.get(rel)
        if known is not None:
            return rel if workspace_of(project, known) is not None else None
        directory = rel
    else:
        directory = normalise(workdir)
    if directory:  # only root manifests are discovered: another folder may hold its own
        return None
    for name in ("pixi.toml", "pyproject.toml"):
        src = project.by_rel.get(name)
        if src is not None and src.kind in ("pixi-toml", "pyproject"):
            return src.rel if workspace_of(project, src) is not None else None
    return None


def workspace_of(project: Project, src: SourceFile) -> dict[str, Any] | None:
    """The pixi manifest table of ``src`` (the document of a pixi.toml, ``[tool.pixi]``
    of a pyproject.toml) when it declares a workspace, else None."""
    doc = project.toml(src)
    table = pixi_table(src, doc) if doc is not None else None
    if table is None:
        return None
    return table if isinstance(table.get("workspace", table.get("project")), dict) else None


def pixi_table(src: SourceFile, doc: TomlDoc) -> dict[str, Any] | None:
    """The pixi manifest of a pixi.toml (the whole document) or a pyproject.toml
    (``[tool.pixi]``)."""
    if src.kind == "pixi-toml":
        return doc.data
    tool = doc.data.get("tool")
    pixi = tool.get("pixi") if isinstance(tool, dict) else None
    return pixi if isinstance(pixi, dict) else None


def task_definitions(table: dict[str, Any], prefix: tuple[str, ...]) -> list[PixiTask]:
    """Every task the manifest ``table`` defines (``prefix``: its path in the TOML
    document), each definition once: default tasks, platform tasks, feature tasks."""
    out: list[PixiTask] = []

    def add(owner: Any, path: tuple[str, ...], feature: str | None) -> None:
        if not isinstance(owner, dict):
            return
        tasks = owner.get("tasks")
        if isinstance(tasks, dict):
            for name, value in tasks.items():
                out.append(PixiTask((*path, "tasks", name), feature, value))
        targets = owner.get("target")
        if isinstance(targets, dict):
            for platform, target in targets.items():
                if isinstance(target, dict) and isinstance(target.get("tasks"), dict):
                    for name, value in target["tasks"].items():
                        out.append(
                            PixiTask((*path, "target", platform, "tasks", name), feature, value)
                        )

    add(table, prefix, None)
    features = table.get("feature")
    if isinstance(features, dict):
        for feature, conf in features.items():
            add(conf, (*prefix, "feature", feature), feature)
    return out


def environment_features(table: dict[str, Any], environment: str) -> set[str | None] | None:
    """The features of environment ``environment`` (None stands for the default
    feature), or None when the manifest does not declare it (the default environment
    holds the default feature)."""
    envs = table.get("environments")
    conf = envs.get(environment) if isinstance(envs, dict) else None
    if conf is None:
        return {None} if environment == "default" else None
    features: set[str | None] = set()
    default = True
    if isinstance(conf, list):
        features.update(f for f in conf if isinstance(f, str))
    elif isinstance(conf, dict):
        listed = conf.get("features")
        if isinstance(listed, list):
            features.update(f for f in listed if isinstance(f, str))
        default = conf.get("no-default-feature") is not True
    else:
        return None
    if default:
        features.add(None)
    return features


def dependencies(value: Any) -> list[tuple[str, str | None]]:
    """The tasks a task definition runs first (``depends-on``/``depends_on``, or an
    alias's list), each with the environment it names (None: the caller's)."""
    if isinstance(value, list):
        needs: Any = value
    elif isinstance(value, dict):
        needs = value.get("depends-on", value.get("depends_on"))
    else:
        return []
    if isinstance(needs, (str, dict)):
        needs = [needs]
    if not isinstance(needs, list):
        return []
    out: list[tuple[str, str | None]] = []
    for need in needs:
        if isinstance(need, str):
            out.append((need, None))
        elif isinstance(need, dict) and isinstance(need.get("task"), str):
            env = need.get("environment")
            out.append((need["task"], env if isinstance(env, str) else None))
    return out


def tasks_run(
    definitions: list[PixiTask],
    table: dict[str, Any],
    name: str,
    environment: str | None,
    skip_deps: bool = False,
) -> list[PixiTask]:
    """The definitions ``pixi run [-e environment] name`` runs: the task and, unless
    ``skip_deps``, what it depends on (transitively), each once. A task is looked up in
    the environment's features (``-e``; a dependency's own ``environment`` wins); without
    one, in the default feature, else in every feature that defines it (pixi picks an
    environment that has it). Empty when ``name`` is no task (a program pixi runs)."""
    out: list[PixiTask] = []
    seen: set[tuple[str, ...]] = set()
    todo: list[tuple[str, str | None]] = [(name, environment)]
    while todo:
        task, env = todo.pop(0)
        found = [d for d in definitions if d.path[-1] == task]
        if env is not None:
            features = environment_features(table, env)
            if features is not None:
                found = [d for d in found if d.feature in features]
        elif any(d.feature is None for d in found):
            found = [d for d in found if d.feature is None]
        for definition in found:
            if definition.path in seen:
                continue
            seen.add(definition.path)
            out.append(definition)
            if not skip_deps:
                needs = dependencies(definition.value)
                todo.extend((need, need_env or env) for need, need_env in needs)
    return out
