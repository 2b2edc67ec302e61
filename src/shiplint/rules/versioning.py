"""Versions: VCS versions built shallow or uploaded with local labels, static versions
re-uploaded (P-4, P-5, P-10)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha.expr import job_needs
from shiplint.gha.scenarios import (
    CERTAIN,
    REF_CHOSEN_EVENTS,
    Reach,
    at_most,
    branch_run_facts,
    push_refs,
    reach,
)
from shiplint.model import Loc
from shiplint.model.workflows import WORKSPACE_ROOT_DIRS, callers, local_callee, run_setting
from shiplint.parse.yamlnodes import YMap
from shiplint.pkg.build_backend import VersionSource, analyze
from shiplint.pkg.upload_commands import program_name, skip_wrappers
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action import ACTION_TOOL, input_scalar, step_source
from shiplint.rules.secrets import shell_guarded
from shiplint.rules.trusted_publishing import upload_index

if TYPE_CHECKING:
    from shiplint.gha.expr import Facts
    from shiplint.model import Job, ReleaseModel, ShellCommand, Step, Upload, Workflow
    from shiplint.project import Project

_LOCAL_400 = (
    "`400 The use of local versions in <Version('0.1.dev1+g40e3ce6')> is not allowed.` "
    "(older PyPI: `'0.6.1.dev4+gdf99fe2' is an invalid value for Version. Error: Can't use "
    "PEP 440 local versions.`)"
)
_EXISTS_400 = (
    "`400 File already exists ('example-1.0-py3-none-any.whl', with blake2_256 hash '…'). "
    "See https://pypi.org/help/#file-name-reuse`"
)

#: environment variables that fix the version a VCS plugin reports
_VERSION_PRETEND = re.compile(
    r"SETUPTOOLS_SCM_PRETEND_VERSION|PDM_BUILD_SCM_VERSION|POETRY_DYNAMIC_VERSIONING_BYPASS"
)
#: workflow text that drops the local part of a VCS version: setuptools-scm's overrides
#: (``SETUPTOOLS_SCM_OVERRIDES_FOR_X='local_scheme = "no-local-version"'``) or a rewrite of
#: the configuration before the build (``sed -i "s/node-and-date/no-local-version/"``)
_LOCAL_DROPPED = re.compile(r"SETUPTOOLS_SCM_OVERRIDES_FOR_|no-local-version")
#: shell code that changes a static version before building
_VERSION_BUMP = re.compile(
    r"\b(?:poetry|hatch|uv|pdm)\s+version\b|\bbump2?version\b|\bbump-my-version\b"
    r"|semantic-release|\btoml\s+set\b|\bsed\b[^\n]*version|\bversion\b[^\n]*"
    r"(?:run_number|run_id|RUN_NUMBER|RUN_ID|date\s+\+)|(?:run_number|RUN_NUMBER)[^\n]*version",
    re.IGNORECASE,
)

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
#: events whose runs always have a tag as ``github.ref``
_TAG_EVENTS = {"release", "registry_package"}


# --- triggers and scenarios --------------------------------------------------------------------


def _push_kinds(node: object) -> set[str]:
    """``branch``/``tag``: which refs a ``push:`` trigger fires for."""
    if not isinstance(node, YMap):
        return {"branch", "tag"}
    has_branch = any(node.key(k) is not None for k in ("branches", "branches-ignore"))
    has_tag = any(node.key(k) is not None for k in ("tags", "tags-ignore"))
    if not has_branch and not has_tag:
        return {"branch", "tag"}
    kinds = set()
    if has_branch:
        kinds.add("branch")
    if has_tag:
        kinds.add("tag")
    return kinds


@dataclass(frozen=True)
class _Run:
    """A run of a workflow whose ``github.ref`` is not a tag.

    ``chosen``: the ref is the one picked when starting the run (``workflow_dispatch``), so a
    tag is possible and the finding only holds for runs started from a branch; ``via``: how
    the calling jobs reach the workflow (a reusable workflow's callers)."""

    what: str
    facts: Facts
    chosen: bool = False
    via: Reach = CERTAIN


def _direct(facts: Facts) -> Facts:
    """Facts of a run of the workflow itself (not a call): no ``inputs`` outside a dispatch."""
    if facts.get(("github", "event_name")) == "workflow_dispatch":
        return facts
    return {**facts, ("inputs",): None}


def _own_runs(workflow: Workflow, *, push_only: bool) -> list[_Run]:
    """Runs of ``workflow`` for its own triggers whose ``github.ref`` is not a tag."""
    out: list[_Run] = []
    for event, node in workflow.triggers.items():
        if event == "push":
            if "branch" in _push_kinds(node):
                for ref in push_refs(node, "branch"):
                    facts = _direct(branch_run_facts("push", ref))
                    what = (
                        f"a push to `{ref.removeprefix('refs/heads/')}`"
                        if isinstance(ref, str)
                        else "a push to a branch"
                    )
                    out.append(_Run(what, facts))
        elif push_only or event in _TAG_EVENTS or event == "workflow_call":
            continue
        else:
            facts = _direct(branch_run_facts(event))
            out.append(_Run(f"`{event}`", facts, chosen=event in REF_CHOSEN_EVENTS))
    return out


def _runs(project: Project, workflow: Workflow, *, push_only: bool, depth: int = 0) -> list[_Run]:
    """Non-tag runs of ``workflow``, including runs of the workflows that call it."""
    out = _own_runs(workflow, push_only=push_only)
    if "workflow_call" in workflow.triggers and depth < 3:
        for caller in callers(project.model, workflow):
            caller_wf = caller.workflow
            if caller_wf is None:
                continue
            for run in _runs(project, caller_wf, push_only=push_only, depth=depth + 1):
                got = reach(project, caller_wf, caller, None, run.facts) & run.via
                if got.runs is False:
                    continue
                # the called workflow sees the caller's event; its `inputs` are the `with:`
                facts = {k: v for k, v in run.facts.items() if k[0] != "inputs"}
                what = f"{run.what} of {caller_wf.source.rel}"
                out.append(_Run(what, facts, run.chosen, got))
    return out


@dataclass(frozen=True)
class _Policy:
    """How certain a rule's failure is when the upload's run is not (see ``Reach.severity``):
    ``uncertain`` for an undecidable condition, ``tolerated`` under ``continue-on-error``,
    ``chosen`` when only a run started from a branch (not a tag) fails."""

    base: Severity
    uncertain: Severity | None
    tolerated: Severity | None
    chosen: Severity | None = Severity.WARNING

    def of(self, run: _Run, got: Reach) -> Severity | None:
        severity = got.severity(self.base, uncertain=self.uncertain, tolerated=self.tolerated)
        if severity is not None and run.chosen:
            severity = at_most(severity, self.chosen)
        return severity


@dataclass(frozen=True)
class _Found:
    """The non-tag run in which an upload fails most certainly."""

    run: _Run
    reach: Reach
    severity: Severity

    @property
    def what(self) -> str:
        if self.run.chosen:
            return f"{self.run.what} started from a branch"
        return self.run.what

    def note(self) -> str:
        """What the severity leaves to check (empty when the failure is certain)."""
        note = self.reach.doubt()
        if self.run.chosen:
            note += " A run started from a tag is not affected."
        return note


def _upload_reach(
    project: Project, upload: Upload, policy: _Policy, *, push_only: bool = False
) -> _Found | None:
    """The non-tag run in which ``upload`` fails most certainly, with the severity that
    gives (None: tags only, never, or not GitHub)."""
    job = upload.context.job
    workflow = job.workflow if job is not None else None
    if job is None or workflow is None or workflow.source.kind != "workflow":
        return None
    if upload.context.origin not in ("workflow", "script") or shell_guarded(upload):
        return None
    if upload.dry_run:
        return None
    step = upload.context.step
    found: _Found | None = None
    for run in _runs(project, workflow, push_only=push_only):
        got = reach(project, workflow, job, step, run.facts) & run.via
        severity = policy.of(run, got)
        if severity is not None and (found is None or severity.rank > found.severity.rank):
            found = _Found(run, got, severity)
    return found


#: any run that may reach the upload counts, however uncertain or tolerated
_ANY_RUN = _Policy(Severity.ERROR, Severity.ERROR, Severity.ERROR, Severity.ERROR)


def runs_outside_tags(project: Project, upload: Upload) -> str | None:
    """A run not for a tag (a branch push, a pull request, ``schedule`` …) in which the
    GitHub workflow ``upload`` may run; None when it runs for tags and releases only (or
    is not in a GitHub workflow)."""
    found = _upload_reach(project, upload, _ANY_RUN)
    return found.what if found is not None else None


def _pypi_uploads(project: Project) -> Iterator[Upload]:
    for upload in project.model.uploads:
        if upload.family == "pypi" and upload_index(upload) in ("pypi", "testpypi"):
            yield upload


def _index_name(upload: Upload) -> str:
    return "TestPyPI" if upload_index(upload) == "testpypi" else "PyPI"


def _workflow_text(workflow: Workflow | None) -> str:
    return (workflow.source.text or "") if workflow is not None else ""


def _workflow_says(project: Project, upload: Upload, pattern: re.Pattern[str]) -> bool:
    """Whether the upload's workflow (or a script it runs) holds ``pattern``."""
    workflow = upload.context.workflow
    texts = [_workflow_text(workflow)]
    if upload.context.origin == "script":
        texts.append(upload.source.text or "")
    if any(pattern.search(t) for t in texts):
        return True
    return any(
        pattern.search(src.text or "")
        for src in project.of_kind("shell")
        if src.rel in project.model.script_calls
        and any(c.caller.workflow is workflow for c in project.model.script_calls[src.rel])
    )


def version_overridden(project: Project, upload: Upload) -> bool:
    """Whether the workflow (or a script it runs) fixes the version through the
    environment (``SETUPTOOLS_SCM_PRETEND_VERSION`` and the like)."""
    return _workflow_says(project, upload, _VERSION_PRETEND)


def _overridden(project: Project, upload: Upload) -> bool:
    """Whether the workflow fixes the version or drops its local part."""
    return version_overridden(project, upload) or _workflow_says(project, upload, _LOCAL_DROPPED)


def _version_where(version: VersionSource) -> str:
    loc = version.loc
    return f" ({loc.source.rel}:{loc.pos.line})" if loc is not None else ""


# --- SL721 -------------------------------------------------------------------------------------


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


#: options of build front-ends whose value is not the source directory
_BUILD_VALUE_OPTIONS = {
    "-o",
    "--outdir",
    "--out-dir",
    "--out",
    "--output-dir",
    "-C",
    "--config-setting",
    "--config-settings",
    "--python",
    "-p",
    "--installer",
    "--only",
    "--platform",
    "--archs",
    "-w",
    "--wheel-dir",
    "-t",
    "--target",
    "-i",
    "--interpreter",
    "--features",
    "-F",
    "--compatibility",
    "--build-constraint",
    "-c",
    "--constraint",
    "--config-file",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--format",
    "--formats",
    "--dist-dir",
    "-d",
}
#: options that build another project than the one at the root (workspace members, manifests)
_OTHER_PROJECT_OPTIONS = {
    "--package",
    "--all-packages",
    "--all",
    "-m",
    "--manifest-path",
    "--project",
    "--directory",
}
_CD = re.compile(
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
    i = skip_wrappers(args)
    if i >= len(args):
        return None
    head = program_name(args[i].text)
    rest = [a.text for a in args[i + 1 :]]
    first = next((w for w in rest if not w.startswith("-")), "")
    after_first = rest[rest.index(first) + 1 :] if first else []
    if head == "build":
        return rest if i > 0 else None  # python -m build, pipx run build, uvx build
    if head == "pyproject-build":
        return rest
    if head in ("uv", "hatch", "pdm", "poetry", "flit"):
        return after_first if first == "build" else None
    if head == "cibuildwheel":
        return None if "--print-build-identifiers" in rest else rest
    if head == "maturin":
        return after_first if first in ("build", "sdist") else None
    if head.startswith("pip") and first == "wheel":
        return after_first
    if head.endswith("setup.py"):
        return [] if any(w in ("sdist", "bdist_wheel", "bdist") for w in rest) else None
    if head == "make" and depth == 0:
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
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        name = word.split("=", 1)[0]
        if name in _OTHER_PROJECT_OPTIONS:
            if name == "-m" or name == "--manifest-path":
                value = word.split("=", 1)[1] if "=" in word else ""
                if value and value.removeprefix("./") != "Cargo.toml":
                    return False
                skip = not value
                continue
            return False
        if word.startswith("-"):
            skip = word in _BUILD_VALUE_OPTIONS
            continue
        if _names_subdir(word, root):
            return False
    return True


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


def build_at(model: ReleaseModel, step: Step) -> bool | None:
    """Whether ``step`` builds distributions of the project at the repository root (True),
    of another project in a sub-directory (False), or builds nothing (None)."""
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
    for cmd in model.commands:
        if cmd.context.step is not step or cmd.context.job is not step.job:
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


def _own_checkout(step: Step) -> bool:
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
        if action == _CHECKOUT and _own_checkout(step):
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
    and the jobs of the reusable workflows those call."""
    for upstream in _upstream(job):
        if upstream.uses is not None:
            callee = local_callee(model, upstream.uses.text)
            if callee is not None:
                for callee_job in callee.jobs.values():
                    yield callee_job, f" (called from job `{upstream.id}`)"
            continue
        yield upstream, ""


def publishes_root_project(model: ReleaseModel, job: Job | None) -> bool:
    """False when every build that feeds ``job`` builds a project in a sub-directory (a
    monorepo member), so the root's configuration says nothing about what is uploaded."""
    if job is None:
        return True
    places = [
        build_at(model, step)
        for build_job, _via in feeding_jobs(model, job)
        for step in build_job.steps
    ]
    builds = [p for p in places if p is not None]
    return not builds or any(builds)


def checks_out_chosen_ref(model: ReleaseModel, job: Job | None) -> bool:
    """Whether a build feeding ``job`` checks out a ref of its own choosing (``ref:``, e.g. a
    tag given to ``workflow_dispatch``): then the run's ref says nothing about the version."""
    if job is None:
        return False
    for build_job, _via in feeding_jobs(model, job):
        for step in build_job.steps:
            if (step.action or "").lower() == _CHECKOUT and _own_checkout(step):
                ref = input_scalar(step, "ref")
                if ref is not None and ref.value.strip():
                    return True
    return False


def _set_fetch_depth_fix(step: Step) -> Fix | None:
    src = step_source(step)
    if src is None or src.text is None or step.uses is None:
        return None
    text = src.text
    depth = step.with_.get_scalar("fetch-depth") if step.with_ is not None else None
    if depth is not None:
        return Fix(
            "fetch the whole history (`fetch-depth: 0`)", (Edit(depth.start, depth.end, "0"),)
        )
    if step.with_ is not None:
        first = next(iter(step.with_.items()), None)
        if first is None:
            return None
        key = first[1]
        line_start = text.rfind("\n", 0, key.start) + 1
        indent = text[line_start : key.start]
        if indent.strip():
            return None
        return Fix(
            "fetch the whole history (`fetch-depth: 0`)",
            (Edit(line_start, line_start, f"{indent}fetch-depth: 0\n"),),
        )
    if step.node.key("with") is not None:
        return None
    uses_key = step.node.key("uses")
    if uses_key is None:
        return None
    line_start = text.rfind("\n", 0, uses_key.start) + 1
    prefix = text[line_start : uses_key.start]
    if prefix.strip() not in ("", "-"):
        return None
    indent = " " * len(prefix)
    line_end = text.find("\n", step.uses.end)
    if line_end == -1:
        return None
    return Fix(
        "fetch the whole history (`fetch-depth: 0`)",
        (Edit(line_end, line_end, f"\n{indent}with:\n{indent}  fetch-depth: 0"),),
    )


@register
class VcsVersionShallowCheckout(Rule):
    """A VCS-versioned project is built from a shallow clone and the result is published.

    setuptools-scm, hatch-vcs, versioningit, pdm-backend's `scm` source and
    poetry-dynamic-versioning compute the version from `git describe`: they need the tags
    *and* the commits between the last tag and `HEAD`. `actions/checkout` fetches a single
    commit by default (`fetch-depth: 1`), so on a branch the plugin finds no tag and
    falls back to `0.1.dev1+g731594d`:

    `UserWarning: "/home/runner/work/x/x" is shallow and may cause errors` and then
    `pyhf-0.1.dev1-py2.py3-none-any.whl` - a bogus release, or PyPI's
    `400 The use of local versions … is not allowed`.

    `fetch-tags: true` alone does not help: the tags arrive but the history that connects
    them to `HEAD` does not, and `git describe` still finds nothing. A run for a tag push or
    a published release checks out the tagged commit itself, which does carry the tag, so
    shiplint reports the checkout only when the built distributions can be uploaded from a
    run whose ref is not a tag (a push to a branch, `workflow_dispatch`, `schedule`, a pull
    request ...), taking the `if:` of the upload step and its jobs into account. The build is
    recognised by `python -m build`, `pyproject-build`, `uv/hatch/pdm/poetry/flit build`,
    `cibuildwheel` (command or action), `maturin build/sdist` (or maturin-action),
    `pip wheel`, `setup.py sdist/bdist_wheel`, hynek/build-and-inspect-python-package, and
    tox envs, nox sessions and make targets that run one of those. The upload must be in the
    build job, in a job that `needs:` it (directly or not), or in the workflow that calls
    the reusable workflow holding it. Not reported: a later `git fetch --unshallow`, a
    checkout with its own `ref:` (a tag picked for `workflow_dispatch`), a version fixed in
    the workflow (`SETUPTOOLS_SCM_PRETEND_VERSION`, `PDM_BUILD_SCM_VERSION`,
    `POETRY_DYNAMIC_VERSIONING_BYPASS`), and builds of a project in a sub-directory (a
    monorepo member: the root's configuration does not describe it).

    How certain the failure is decides the severity: an error when the upload certainly
    runs on a branch; a warning when only a `workflow_dispatch` started from a branch
    builds it (one started from a tag checks out the tag) or when `continue-on-error` hides
    the failure; information when an `if:` shiplint cannot evaluate (a step or job
    output, a variable) decides whether the upload runs there.

    Fix: `fetch-depth: 0` on the checkout of the build job.
    """

    code = "SL721"
    name = "vcs-version-shallow-checkout"
    severity = Severity.ERROR
    summary = "VCS-derived version built from a shallow actions/checkout and published"
    catalogue = ("P-5",)
    before = (
        "on:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n"
        "          repository-url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "on:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n"
        "          repository-url: https://test.pypi.org/legacy/\n"
    )

    #: a shallow build under an upload that may not run there: say what to check; under
    #: `continue-on-error` a bogus version can still be accepted (no local label)
    policy = _Policy(Severity.ERROR, uncertain=Severity.INFO, tolerated=Severity.WARNING)

    def check(self, project: Project) -> Iterator[Finding]:
        version = analyze(project).version
        if version.kind != "vcs":
            return
        model = project.model
        best: dict[tuple[str, int], tuple[Loc, Step, Job, str, Upload, _Found]] = {}
        for upload in model.uploads:
            job = upload.context.job
            if job is None or job.workflow is None:
                continue
            if upload.context.origin not in ("workflow", "script"):
                continue
            found = _upload_reach(project, upload, self.policy)
            if found is None or checks_out_chosen_ref(model, job):
                continue
            if version_overridden(project, upload):
                continue
            for build_job, via in feeding_jobs(model, job):
                for checkout in shallow_build_checkouts(model, build_job):
                    src = step_source(checkout)
                    if src is None or checkout.uses is None:
                        continue
                    loc = Loc(src, checkout.uses.start, checkout.uses.end)
                    key = (src.rel, loc.start)
                    if key not in best or found.severity.rank > best[key][5].severity.rank:
                        best[key] = (loc, checkout, build_job, via, upload, found)
        for loc, checkout, build_job, via, upload, found in best.values():
            upload_line = upload.loc.pos.line
            where = (
                f"line {upload_line}"
                if upload.source is loc.source
                else f"{upload.source.rel}:{upload_line}"
            )
            yield self.at(
                loc,
                f"shallow checkout (no `fetch-depth: 0`) in job `{build_job.id}`, which "
                f"builds the distributions{via}: {version.plugin} computes the version "
                f"from git history{_version_where(version)}, and the upload at {where} "
                f"runs on {found.what}",
                "Without the history between the last tag and HEAD the version falls "
                "back to `0.1.dev1+g<sha>` (`… is shallow and may cause errors`): a "
                f"bogus release, or PyPI's {_LOCAL_400}. Add `fetch-depth: 0` to this "
                f"checkout.{found.note()}",
                severity=found.severity,
                fix=_set_fetch_depth_fix(checkout),
            )


# --- SL722 -------------------------------------------------------------------------------------


@register
class LocalVersionUpload(Rule):
    """A VCS-derived version is uploaded from runs that are not for a tag.

    Between tags, setuptools-scm and hatch-vcs (and the other VCS plugins) make versions
    such as `1.3.dev4+g1a2b3c4`: the part after `+` is a PEP 440 *local version label*,
    which PyPI and TestPyPI refuse:

    `HTTPError: 400 Client Error: The use of local versions in
    <Version('0.1.dev1+g40e3ce6')> is not allowed.` (older PyPI: `'0.6.1.dev4+gdf99fe2' is
    an invalid value for Version. Error: Can't use PEP 440 local versions.`)

    shiplint reports an upload to PyPI or TestPyPI in a GitHub workflow that can run for a
    branch push, pull request, schedule, `workflow_dispatch` and other non-tag events,
    following the `if:` of the step and its jobs (`startsWith(github.ref, 'refs/tags/')`
    and `github.event_name == 'release'` keep it to tags), when the project's version comes
    from a VCS plugin without a no-local scheme. `local_scheme = "no-local-version"` (or
    `"dirty-tag"`), a versioningit `format` without `+`, poetry-dynamic-versioning
    `metadata = false`, `SETUPTOOLS_SCM_PRETEND_VERSION`/`SETUPTOOLS_SCM_OVERRIDES_FOR_*`
    in the workflow and a workflow that rewrites the scheme to `no-local-version` before
    building count as handled; so do a checkout with its own `ref:` and uploads of a
    project built in a sub-directory (a monorepo member with its own configuration). On a
    push, `github.event.ref` is `github.ref`: `startsWith(github.event.ref, 'refs/tags')`
    keeps the upload to tags too.

    The severity follows how certain the failure is: an error when the upload certainly
    runs on a branch; a warning when only a `workflow_dispatch` started from a branch
    uploads such a version (one started from a tag builds the tag's version), or when
    `continue-on-error` keeps the run green while the upload is refused every time;
    information when an `if:` shiplint cannot evaluate (a step or job output, a variable)
    decides whether the upload runs there.

    Fix: publish only for tags or releases; for development uploads to TestPyPI set
    `local_scheme = "no-local-version"` (`[tool.setuptools_scm]`, or `raw-options` of
    `[tool.hatch.version]`).
    """

    code = "SL722"
    name = "local-version-upload"
    severity = Severity.ERROR
    summary = "VCS version with a local label (+g<sha>) uploaded from non-tag runs"
    catalogue = ("P-4",)
    before = (
        "on:\n  push:\n    branches: [main]\njobs:\n  testpypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n          repository-url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    #: an upload that may not run there: say what to check; under `continue-on-error` the
    #: upload is refused every time while the workflow stays green
    policy = _Policy(Severity.ERROR, uncertain=Severity.INFO, tolerated=Severity.WARNING)

    def check(self, project: Project) -> Iterator[Finding]:
        version = analyze(project).version
        if version.kind != "vcs" or version.no_local:
            return
        model = project.model
        seen: set[tuple[str, int]] = set()
        for upload in _pypi_uploads(project):
            found = _upload_reach(project, upload, self.policy)
            if found is None or _overridden(project, upload):
                continue
            job = upload.context.job
            if not publishes_root_project(model, job) or checks_out_chosen_ref(model, job):
                continue
            key = (upload.source.rel, upload.loc.start)
            if key in seen:
                continue
            seen.add(key)
            index = _index_name(upload)
            yield self.at(
                upload.loc,
                f"this upload to {index} runs on {found.what}, where {version.plugin} makes a "
                f"version with a local label (`X.devN+g<sha>`){_version_where(version)}",
                f"{index} refuses local versions: {_LOCAL_400}. Publish only for tags or "
                f"releases (e.g. `if: startsWith(github.ref, 'refs/tags/')`), or drop the "
                f"local part for development uploads with {version.no_local_hint}."
                f"{found.note()}",
                severity=found.severity,
            )


# --- SL723 -------------------------------------------------------------------------------------


def _skips_existing(upload: Upload) -> bool:
    if upload.tool == ACTION_TOOL:
        step = upload.context.step
        if step is None:
            return False
        setting = input_scalar(step, "skip-existing", "skip_existing")
        return setting is not None and setting.value.strip().lower() not in ("false", "")
    options = upload.options
    if "--skip-existing" in options or "--check-url" in options:
        return True
    cmd = upload.command
    if cmd is not None and any(a.text.startswith("--check-url=") for a in cmd.args):
        return True
    return cmd is not None and "UV_PUBLISH_CHECK_URL" in cmd.env


def bumps_version(upload: Upload) -> bool:
    """Whether the workflow (or the script) rewrites the version before uploading."""
    texts = [_workflow_text(upload.context.workflow)]
    if upload.context.origin == "script":
        texts.append(upload.source.text or "")
    return any(_VERSION_BUMP.search(t) for t in texts)


_MAKES_RELEASE = re.compile(r"\bgh\s+release\s+create\b|\bgit\s+tag\s+(?!-[dl]\b)[^\s|;&]")


def _releases_each_run(project: Project, upload: Upload) -> bool:
    """Whether the upload's workflow also creates a GitHub release or a tag (a release
    action, `gh release create`, `git tag NAME`): each run is then a release."""
    workflow = upload.context.workflow
    if workflow is None:
        return False
    actions = {a.lower() for a in facts_mod.toml_data()["github"]["release-actions"]}
    for job in workflow.jobs.values():
        for step in job.steps:
            if (step.action or "").lower() in actions:
                return True
            if step.run is not None and _MAKES_RELEASE.search(step.run.value):
                return True
    return False


@register
class StaticVersionUploadOnPush(Rule):
    """A static version is uploaded on every push to a branch.

    PyPI never accepts the same file name twice. When `[project].version` (or the version in
    setup.cfg/setup.py) is a fixed string and the upload runs for every push to a branch,
    the first push after a release uploads `1.0`, and every later push until the next
    version bump fails:

    `400 File already exists ('sierralocal-0.4.1-py3-none-any.whl', with blake2_256 hash
    '…'). See https://pypi.org/help/#file-name-reuse`

    Reported for uploads to PyPI/TestPyPI in a workflow triggered by `push` to branches, when
    the upload's `if:` does not keep it to tags, nothing skips files that already exist
    (`skip-existing: true` for pypa/gh-action-pypi-publish, `--skip-existing` for twine,
    poetry, pdm and maturin, `--check-url` for uv) and the workflow does not rewrite the
    version (`poetry version`, `hatch version`, bump-my-version, `sed … version` ...). A
    re-upload under `continue-on-error: true` is tolerated the way `skip-existing` is and
    not reported. The finding is information when an `if:` shiplint cannot evaluate
    decides whether the upload runs (a release-please or stainless step output saying a
    release was created), and when the workflow also creates a release or tag for the
    pushed version (a release action, `gh release create`, `git tag`): the branch is then a
    release branch whose pushes carry new versions by the project's process.

    Fix: publish from tag pushes or releases; or, if the workflow is meant to publish
    whenever the version changes, set `skip-existing: true` so that pushes without a new
    version succeed.
    """

    code = "SL723"
    name = "static-version-upload-on-push"
    severity = Severity.ERROR
    summary = "Static version uploaded on every push to a branch (File already exists)"
    catalogue = ("P-10",)
    before = (
        "on:\n  push:\n    branches: [main]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    #: an upload that may not run on every push: say what to check; `continue-on-error` on a
    #: re-upload is what `skip-existing` does
    policy = _Policy(Severity.ERROR, uncertain=Severity.INFO, tolerated=None)

    def check(self, project: Project) -> Iterator[Finding]:
        version = analyze(project).version
        if version.kind != "static" or "+" in version.text:
            return  # a local version cannot be uploaded: a workspace root, not the package
        model = project.model
        seen: set[tuple[str, int]] = set()
        for upload in _pypi_uploads(project):
            found = _upload_reach(project, upload, self.policy, push_only=True)
            if found is None or _skips_existing(upload) or bumps_version(upload):
                continue
            if version_overridden(project, upload) or not publishes_root_project(
                model, upload.context.job
            ):
                continue
            key = (upload.source.rel, upload.loc.start)
            if key in seen:
                continue
            seen.add(key)
            index = _index_name(upload)
            option = (
                "`skip-existing: true`"
                if upload.tool == ACTION_TOOL
                else ("`--check-url`" if upload.tool == "uv" else "`--skip-existing`")
            )
            severity: Severity | None = found.severity
            note = found.note()
            if _releases_each_run(project, upload):
                severity = at_most(severity, self.policy.uncertain)
                note += (
                    " The workflow also creates a release or tag for the pushed version, so the "
                    "branch looks like a release branch where every push carries a new "
                    "version: check that nothing else is pushed to it."
                )
            if severity is None:
                continue
            yield self.at(
                upload.loc,
                f"this upload to {index} runs on {found.what}, but the version is the static "
                f"`{version.text}`{_version_where(version)}: every push after the first one "
                "uploads the same files again",
                f"{index} refuses them: {_EXISTS_400}. Publish from tags or releases only, or "
                f"add {option} if pushes without a version bump should succeed.{note}",
                severity=severity,
            )
