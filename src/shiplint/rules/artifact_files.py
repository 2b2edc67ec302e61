"""Whether an upload-artifact step certainly ends in an artifact (or a failed step).

upload-artifact creates no artifact when its ``path`` matches no file: with
``if-no-files-found: warn`` (the default) or ``ignore`` the step passes and uploads nothing;
with ``error`` the step fails instead (upload-artifact ``src/upload/upload-artifact.ts``).
Which files exist is usually out of shiplint's sight, so an upload counts as certain only
when:

* ``if-no-files-found: error``: it uploads, or it fails the job by itself; or
* its ``path`` is the output of a build step shiplint knows, earlier in the same job, that
  certainly ran, and the upload only runs when every earlier step succeeded (no
  ``always()``/``failure()``/``cancelled()`` in its ``if:``). Known builds:

  - the ``pypa/cibuildwheel`` action: wheels in ``output-dir`` (default ``wheelhouse``);
  - a run step that is one ``cibuildwheel`` command: wheels in ``--output-dir`` (else
    ``CIBW_OUTPUT_DIR``, else ``wheelhouse``). cibuildwheel fails when it selects no
    build (``No build identifiers selected``) unless ``--allow-empty``/``CIBW_ALLOW_EMPTY``;
  - a run step that is one ``python -m build`` (``pipx run build``, ``uvx build``,
    ``pyproject-build``) of the current directory: an sdist and a wheel, or what
    ``--sdist``/``--wheel`` select, in ``--outdir`` (default ``dist``).

  A step of one command fails when the command fails in every shell GitHub offers; longer
  scripts may go on after a failed build, so they do not count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.gha.conditions import overrides_status
from shiplint.gha.context import StepContext
from shiplint.gha.expr_eval import eval_text
from shiplint.lazyre import LazyPattern
from shiplint.model.workflows import WORKSPACE_ROOT_DIRS, run_setting
from shiplint.pkg.build_frontends import BUILD, SDIST, WHEEL, build_invocation, build_outputs
from shiplint.rules.publish_action.steps import input_text
from shiplint.rules.publish_dirs import reorganised

if TYPE_CHECKING:
    from shiplint.gha.instance import LegScenario
    from shiplint.model import Step
    from shiplint.model.artifacts import ArtifactStep, Occurrence
    from shiplint.parse.yamlnodes import YMap
    from shiplint.project import Project

_GLOB = LazyPattern(r"[*?\[]")
_CIBUILDWHEEL = ("pypa/cibuildwheel", "joerick/cibuildwheel")


def hidden_paths(art: ArtifactStep) -> bool:
    """Whether an upload's ``path`` relies on hidden files, which v4.4+ leaves out.

    The action's globber drops every file or directory whose own name starts with ``.``
    while it walks, starting at the literal part of each path: ``.coverage``,
    ``docs/_build/.cache`` and ``.tox/**/log`` upload nothing, ``~/.cargo/bin/dist`` is fine.
    The whole workspace (``.``) would lose ``.git``-like entries.
    """
    if input_text(art.step, "include-hidden-files").lower() == "true":
        return False
    for line in input_text(art.step, "path").splitlines():
        text = line.strip().strip("'\"")
        if not text or text.startswith("!"):
            continue
        text = text.replace("${{ github.workspace }}", ".").replace("$GITHUB_WORKSPACE", ".")
        parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
        first_glob = next((i for i, p in enumerate(parts) if _GLOB.search(p)), len(parts))
        literal, pattern = parts[:first_glob], parts[first_glob:]
        if not literal and not pattern:
            return True  # the workspace itself
        if literal and literal[-1] == "~":
            return True  # the home directory itself
        if literal and literal[-1].startswith(".") and literal[-1] != "..":
            return True
        if any(p.startswith(".") and p != ".." for p in pattern):
            return True
    return False


def creates_artifact(
    project: Project,
    occ: Occurrence,
    context: StepContext,
    scenario: LegScenario,
) -> bool:
    """Whether ``occ`` (in the leg of ``context``/``scenario``) certainly uploads an
    artifact or fails its step."""
    art = occ.art
    mode = input_text(art.step, "if-no-files-found").lower()
    if mode == "error":
        return True
    if mode not in ("", "warn", "ignore"):
        return False
    if occ.via or overrides_status(art.step.condition) or hidden_paths(art):
        return False
    lines = [eval_text(line.strip(), context.lookup) for line in _path_lines(art)]
    if not lines or any(line is None or line.startswith("!") for line in lines):
        return False
    for step in occ.job.steps:
        if step.index >= art.step.index or not _surely_succeeds(step, scenario):
            continue
        out = _outputs(project, step, context)
        if out is None or reorganised(occ.job, step.index, art.step.index, _norm(out[0])):
            continue
        if any(_matches(str(line), out[0], out[1]) for line in lines):
            return True
    return False


def _path_lines(art: ArtifactStep) -> list[str]:
    return [line for line in input_text(art.step, "path").splitlines() if line.strip()]


def _surely_succeeds(step: Step, scenario: LegScenario) -> bool:
    """Whether ``step`` certainly runs in the leg, and its failure fails the job."""
    if scenario.condition(step.condition, step.job) is not True:
        return False
    tolerant = step.node.get("continue-on-error")
    return tolerant is None or getattr(tolerant, "value", "").lower() == "false"


def _norm(path: str) -> str:
    text = path.strip().strip("'\"").replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text.rstrip("/") or "."


def _matches(line: str, folder: str, kinds: frozenset[str]) -> bool:
    """Whether an upload ``path`` line certainly matches files a build wrote to ``folder``."""
    path, root = _norm(line), _norm(folder)
    if path in (root, f"{root}/*", f"{root}/**", f"{root}/**/*"):
        return True
    if WHEEL in kinds and path in (f"{root}/*.whl", f"{root}/**/*.whl"):
        return True
    return SDIST in kinds and path in (f"{root}/*.tar.gz", f"{root}/**/*.tar.gz")


def _env_value(step: Step, name: str) -> str | None:
    """An environment variable set for ``step`` (step, job or workflow ``env:``); "" when
    unset, None when set by an expression."""
    workflow = step.job.workflow
    maps: list[YMap | None] = [step.env, step.job.env, workflow.env if workflow else None]
    for env in maps:
        value = env.get_scalar(name) if env is not None else None
        if value is not None:
            return None if "${{" in value.value else value.value.strip()
    return ""


def _literal(text: str, context: StepContext) -> str | None:
    got = eval_text(text, context.lookup)
    if got is None or "$" in got or "<" in got:
        return None
    return got


def _outputs(
    project: Project, step: Step, context: StepContext
) -> tuple[str, frozenset[str]] | None:
    """The folder and the kinds of distribution a known build step writes (None: not a
    known build step, or its output cannot be told)."""
    action = (step.action or "").lower()
    if action in _CIBUILDWHEEL:
        if _env_value(step, "CIBW_ALLOW_EMPTY") not in ("", "0", "false", "False"):
            return None
        folder = _literal(input_text(step, "output-dir") or "wheelhouse", context)
        return (folder, frozenset({WHEEL})) if folder else None
    if step.run is None:
        return None
    workdir = run_setting(step, "working-directory")
    if workdir is not None and workdir.value.strip() not in WORKSPACE_ROOT_DIRS:
        return None
    commands = project.model.step_commands().get(id(step), [])
    if len(commands) != 1:
        return None
    invocation = build_invocation(commands[0].args)
    if invocation is None:
        return None
    if invocation.tool == "cibuildwheel":
        return _cibuildwheel(step, invocation.args, context)
    if invocation.tool == BUILD:
        return _build(invocation.args, context)
    return None


def _cibuildwheel(
    step: Step, words: list[str], context: StepContext
) -> tuple[str, frozenset[str]] | None:
    if _env_value(step, "CIBW_ALLOW_EMPTY") not in ("", "0", "false", "False"):
        return None
    env_dir = _env_value(step, "CIBW_OUTPUT_DIR")
    if env_dir is None:
        return None
    folder: str | None = env_dir or "wheelhouse"
    k = 0
    while k < len(words):
        word = words[k]
        if word == "--allow-empty" or word == "--print-build-identifiers":
            return None
        if word == "--output-dir" and k + 1 < len(words):
            folder = _literal(words[k + 1], context)
            k += 1
        elif word.startswith("--output-dir="):
            folder = _literal(word.split("=", 1)[1], context)
        k += 1
    return (folder, frozenset({WHEEL})) if folder else None


def _build(words: list[str], context: StepContext) -> tuple[str, frozenset[str]] | None:
    """The folder and kinds a pypa/build run of the current directory writes."""
    outputs = build_outputs(words)
    if outputs is None or any(_norm(source) != "." for source in outputs.sources):
        return None  # an unknown option, or another source directory (or an sdist)
    folder = _literal(outputs.outdir, context)
    if not folder:
        return None
    return folder, outputs.kinds
