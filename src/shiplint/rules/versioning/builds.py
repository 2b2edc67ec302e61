"""Which steps build distributions of which project (the build front-ends' arguments, the
working directory), from what checkout, and which jobs feed an upload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.gha.conditions import job_needs
from shiplint.lazyre import LazyPattern
from shiplint.model.publishers import publishers_of
from shiplint.model.workflows import WORKSPACE_ROOT_DIRS, local_callee, run_setting
from shiplint.pkg.build_frontends import build_invocation, builds_root
from shiplint.pkg.upload_commands import program_name, skip_wrappers
from shiplint.rules.publish_action.steps import input_scalar

if TYPE_CHECKING:
    from shiplint.model import Job, ReleaseModel, ShellCommand, Step, Workflow
    from shiplint.project import Project


#: actions that build distributions from the checkout
_BUILD_ACTIONS = {
    "pypa/cibuildwheel",
    "joerick/cibuildwheel",
    "hynek/build-and-inspect-python-package",
    "pyo3/maturin-action",
    "messense/maturin-action",
    "casperdcl/deploy-pypi",
    "ralfg/python-wheels-manylinux-build",
}
_CHECKOUT = "actions/checkout"


def _job_by_id(workflow: Workflow, job_id: str) -> Job | None:
    return workflow.jobs.get(job_id)


def _upstream(job: Job) -> list[Job]:
    """``job`` and every job it needs, directly or not."""
    workflow = job.workflow
    out: list[Job] = [job]
    if workflow is None:
        return out
    seen = {job.id}
    stack = list(job_needs(job))
    while stack:
        job_id = stack.pop()
        if job_id in seen:
            continue
        seen.add(job_id)
        other = _job_by_id(workflow, job_id)
        if other is not None:
            out.append(other)
            stack.extend(job_needs(other))
    return out


_CD = LazyPattern(
    r"(?:^|[;&|({]\s*|\n\s*)cd\s+(?![\"']?\$\{?GITHUB_WORKSPACE\b)(?!\.?\s*(?:$|[;&|]))"
)


def _build_args(model: ReleaseModel, cmd: ShellCommand, depth: int = 0) -> list[str] | None:
    """The arguments of the build front-end when ``cmd`` builds distributions (directly, or
    through a tox env, nox session or make target that does); None when it does not."""
    args = cmd.args
    words = [a.text for a in args]
    if words and program_name(words[0]) in ("tox", "nox") and depth == 0:
        tool = program_name(words[0])
        options = ("-e", "--env") if tool == "tox" else ("-s", "--session", "-e")
        envs = _named_envs(words[1:], options)
        found = any(
            _build_args(model, other, depth + 1) is not None
            for other in model.commands
            if other.context.origin == tool and other.context.label in envs
        )
        return [] if found else None
    invocation = build_invocation(args)
    if invocation is not None:
        return invocation.args
    i = skip_wrappers(args)
    if i < len(args) and program_name(args[i].text) == "make" and depth == 0:
        rest = [a.text for a in args[i + 1 :]]
        targets = {w for w in rest if not w.startswith("-") and "=" not in w}
        found = any(
            _build_args(model, other, depth + 1) is not None
            for other in model.commands
            if other.context.origin == "makefile" and other.context.label in targets
        )
        return [] if found else None
    return None


def _args_at_root(args: list[str], root: Project | None = None) -> bool:
    """Whether build front-end arguments build the project at the working directory."""
    return builds_root(args, lambda word: _names_subdir(word, root))


def _names_subdir(word: str, root: Project | None) -> bool:
    """Whether a positional argument names a project directory below the root."""
    path = word.removeprefix("./").rstrip("/")
    if path in ("", ".") or "$" in path or path.endswith((".tar.gz", ".zip", ".whl")):
        return False
    if "/" in path:
        return True
    return root is not None and root.is_dir(path)


def _root_project(model: ReleaseModel) -> Project | None:
    project = model.project
    return project if project is not None and project.is_dir(".") else None


def _named_envs(words: list[str], options: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for k, word in enumerate(words):
        value = ""
        if word in options and k + 1 < len(words):
            value = words[k + 1]
        else:
            for opt in options:
                if opt.startswith("--") and word.startswith(opt + "="):
                    value = word.split("=", 1)[1]
        out.update(v.strip() for v in value.split(",") if v.strip())
    return out


def _working_directory(step: Step) -> str:
    """The ``working-directory`` a run step uses (step, job or workflow default)."""
    found = run_setting(step, "working-directory")
    return found.value.strip() if found is not None else ""


def _memo(model: ReleaseModel, key: str) -> dict[int, object]:
    """A memo of the project (``project.memo[key]``; a fresh one for a model without a
    project)."""
    project = model.project
    if project is None:
        return {}
    got = project.memo.setdefault(key, {})
    assert isinstance(got, dict)
    return got


def _commands_by_step(model: ReleaseModel) -> dict[int, list[ShellCommand]]:
    """Every command a step runs (its ``run:``, and the scripts, tox envs... run for it),
    by ``id(step)``, in model order: indexed once per project (on ``project.memo``)."""
    project = model.project
    memo = project.memo if project is not None else {}
    got = memo.get("versioning.step_commands")
    if isinstance(got, dict):
        return got
    out: dict[int, list[ShellCommand]] = {}
    for cmd in model.commands:
        if cmd.context.step is not None:
            out.setdefault(id(cmd.context.step), []).append(cmd)
    memo["versioning.step_commands"] = out
    return out


def build_at(model: ReleaseModel, step: Step) -> bool | None:
    """Whether ``step`` builds distributions of the project at the repository root (True),
    of another project in a sub-directory (False), or builds nothing (None); memoised per
    step."""
    memo = _memo(model, "versioning.build_at")
    key = id(step)
    if key not in memo:
        memo[key] = _build_at(model, step)
    got = memo[key]
    assert got is None or isinstance(got, bool)
    return got


def _build_at(model: ReleaseModel, step: Step) -> bool | None:
    action = (step.action or "").lower()
    if action in _BUILD_ACTIONS:
        if action.endswith("maturin-action"):
            command = input_scalar(step, "command")
            if command is not None and command.value.strip() not in ("build", "sdist"):
                return None
            workdir = input_scalar(step, "working-directory")
            manifest_args = input_scalar(step, "args")
            if workdir is not None and workdir.value.strip() not in WORKSPACE_ROOT_DIRS:
                return False
            return manifest_args is None or _args_at_root(
                manifest_args.value.split(), _root_project(model)
            )
        if action == "casperdcl/deploy-pypi":
            build = input_scalar(step, "build")
            if build is None or build.value.strip().lower() in ("false", ""):
                return None
        for name in ("package-dir", "package_dir", "path", "working-directory"):
            where = input_scalar(step, name)
            if where is not None and where.value.strip().rstrip("/") not in WORKSPACE_ROOT_DIRS:
                return False
        return True
    if step.run is None:
        return None
    found: bool | None = None
    for cmd in _commands_by_step(model).get(id(step), ()):
        if cmd.context.job is not step.job:
            continue
        args = _build_args(model, cmd)
        if args is None:
            continue
        at_root = _args_at_root(args, _root_project(model))
        if at_root and cmd.context.origin == "workflow":
            text = cmd.source.text or ""
            before = text[step.run.start : cmd.loc.start]
            if (
                _CD.search(before)
                or _working_directory(step).rstrip("/") not in WORKSPACE_ROOT_DIRS
            ):
                at_root = False
        found = found or at_root
    return found


def _unshallows(step: Step) -> bool:
    return step.run is not None and "--unshallow" in step.run.value


def _full_history(step: Step) -> bool | None:
    """Whether a checkout step fetches the whole history (None: cannot tell)."""
    depth = input_scalar(step, "fetch-depth")
    if depth is None:
        return False
    text = depth.value.strip()
    if "${{" in text:
        return None
    return text == "0"


def own_checkout(step: Step) -> bool:
    """A checkout of this repository at the workspace root (not another repo or a subdir)."""
    repo = input_scalar(step, "repository")
    if repo is not None and "github.repository" not in repo.value:
        return False
    return input_scalar(step, "path") is None


def shallow_build_checkouts(model: ReleaseModel, job: Job) -> Iterator[Step]:
    """Checkout steps of ``job`` that leave a shallow clone under a later build of the
    project at the repository root."""
    checkout: Step | None = None
    full: bool | None = True
    for step in job.steps:
        action = (step.action or "").lower()
        if action == _CHECKOUT and own_checkout(step):
            checkout, full = step, _full_history(step)
            continue
        if _unshallows(step):
            full = True
            continue
        if checkout is not None and full is False and build_at(model, step) is True:
            yield checkout
            checkout = None


def feeding_jobs(model: ReleaseModel, job: Job) -> Iterator[tuple[Job, str]]:
    """Jobs whose output ``job`` can publish: itself, the jobs it needs (directly or not),
    and the jobs of the reusable workflows those call. None for a job that calls a
    catalogued reusable workflow that builds what it publishes (``builds`` in its facts):
    shiplint does not see that build."""
    if job.uses is not None and any(p.raw.get("builds") for p in publishers_of(job.uses.text)):
        return
    for upstream in _upstream(job):
        if upstream.uses is not None:
            callee = local_callee(model, upstream.uses.text, upstream.workflow)
            if callee is not None:
                for callee_job in callee.jobs.values():
                    yield callee_job, f" (called from job `{upstream.id}`)"
            continue
        yield upstream, ""


def publishes_root_project(model: ReleaseModel, job: Job | None) -> bool:
    """False when every build that feeds ``job`` builds a project in a sub-directory (a
    monorepo member), so the root's configuration says nothing about what is uploaded.
    Memoised per job."""
    if job is None:
        return True
    memo = _memo(model, "versioning.publishes_root")
    got = memo.get(id(job))
    if isinstance(got, bool):
        return got
    places = [
        build_at(model, step)
        for build_job, _via in feeding_jobs(model, job)
        for step in build_job.steps
    ]
    builds = [p for p in places if p is not None]
    memo[id(job)] = out = not builds or any(builds)
    return out


def checks_out_chosen_ref(model: ReleaseModel, job: Job | None) -> bool:
    """Whether a build feeding ``job`` checks out a ref of its own choosing (``ref:``, e.g. a
    tag given to ``workflow_dispatch``): then the run's ref says nothing about the version."""
    if job is None:
        return False
    for build_job, _via in feeding_jobs(model, job):
        for step in build_job.steps:
            if (step.action or "").lower() == _CHECKOUT and own_checkout(step):
                ref = input_scalar(step, "ref")
                if ref is not None and ref.value.strip():
                    return True
    return False
