"""Rules about pypa/gh-action-pypi-publish: refs, inputs, runners, attestations (B-1..B-6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.version import Version

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.gha.conditions import Scenario
from shiplint.gha.expr_eval import Value
from shiplint.gha.expr_parse import condition_expression
from shiplint.gha.expr_parse import parse as parse_expr
from shiplint.gha.runners import MACOS, WINDOWS, runners
from shiplint.gha.scenarios import CERTAIN, Reach, reach, trigger_reach, trigger_scenarios
from shiplint.model import Loc
from shiplint.model.workflows import callers
from shiplint.parse.yamlnodes import YScalar
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.gha.expr_parse import Node
    from shiplint.gha.matrix import Leg
    from shiplint.gha.refs import Release
    from shiplint.gha.runners import Runner
    from shiplint.model import Job, Step, Upload, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile

ACTION_TOOL = "pypi-publish-action"

_RELEASE_TAG = re.compile(r"^release/(v\d+\.\d+\.\d+)$")


# --- helpers shared with the trusted-publishing rules --------------------------------------------


def action_uploads(project: Project) -> Iterator[tuple[Upload, Step]]:
    """Every pypa/gh-action-pypi-publish step (workflows and composite actions)."""
    for upload in project.model.uploads:
        step = upload.context.step
        if upload.tool == ACTION_TOOL and step is not None and step.uses is not None:
            yield upload, step


def workflow_job(upload: Upload) -> Job | None:
    """The job of a GitHub workflow that runs ``upload`` (None in composite actions and
    outside GitHub Actions)."""
    job = upload.context.job
    if job is None or job.id_node is None or job.workflow is None:
        return None
    if upload.context.origin not in ("workflow", "script"):
        return None
    return job


def ref_kind(ref: str | None) -> str:
    """``branch``, ``sunset``, ``tag``, ``sha``, ``short-sha``, ``none`` or ``unknown``
    (gha_refs; a tag is an exact release tag: the action has no ``v1`` tag)."""
    return gha_refs.ref_kind(ref, gha_refs.pypi_publish())


def release_of(upload: Upload) -> Release:
    """The release the step runs: the SHA table, an exact tag or comment, or the newest
    release for a branch (gha_refs)."""
    if upload.release is not None:
        return upload.release
    return gha_refs.resolve(upload.ref, None, gha_refs.pypi_publish())


def effective_version(upload: Upload) -> Version | None:
    """The exact action release that runs (the newest for a branch ref), None when only
    its line (`# v1`) or nothing is known."""
    return release_of(upload).version


def ref_loc(step: Step) -> Loc | None:
    """Where the ref after ``@`` is written in ``uses:``."""
    uses = step.uses
    ref = step.ref
    if uses is None or not ref:
        return None
    src = step_source(step)
    if src is None:
        return None
    text = (src.text or "")[uses.start : uses.end]
    at = text.find("@" + ref)
    if at == -1:
        return None
    start = uses.start + at + 1
    return Loc(src, start, start + len(ref))


def step_source(step: Step) -> SourceFile | None:
    workflow = step.job.workflow
    return workflow.source if workflow is not None else None


def uses_loc(step: Step) -> Loc | None:
    src = step_source(step)
    if src is None or step.uses is None:
        return None
    return Loc(src, step.uses.start, step.uses.end)


def input_scalar(step: Step, *names: str) -> YScalar | None:
    """The first of ``names`` given under ``with:`` (a non-null scalar)."""
    if step.with_ is None:
        return None
    for name in names:
        got = step.with_.get_scalar(name)
        if got is not None and not got.is_null:
            return got
    return None


def input_text(step: Step, *names: str) -> str:
    got = input_scalar(step, *names)
    return got.value.strip() if got is not None else ""


def action_uses_oidc(step: Step) -> bool:
    """Whether the action authenticates by trusted publishing: no password, user __token__.

    (twine-upload.sh: ``[[ "$INPUT_USER" == "__token__" && -z "$INPUT_PASSWORD" ]]``.)
    """
    user = input_text(step, "user") or "__token__"
    return user == "__token__" and not input_text(step, "password")


def attestations_on(upload: Upload, step: Step) -> bool | None:
    """Whether the action generates PEP 740 attestations (None: cannot tell).

    On from v1.11.0 by default (v1.10.0 with ``attestations: true``); the action drops them
    without trusted publishing and for indexes other than (Test)PyPI.
    """
    f = facts_mod.load().pypi_publish
    release = release_of(upload)
    setting = input_scalar(step, "attestations")
    value = setting.value.strip().lower() if setting is not None else ""
    if "${{" in value:
        return None
    if value == "false":
        return False
    since = f.threshold("attestations-since")
    default_since = f.threshold("attestations-default-since")
    known = release.at_least(since if value == "true" else default_since)
    if known is not True:
        return known
    if not action_uses_oidc(step):
        return False
    url = input_text(step, "repository-url", "repository_url")
    return not (url and "pypi.org" not in url)


def set_input_fix(step: Step, name: str, value: str, description: str) -> Fix | None:
    """A fix that sets ``with: {name: value}`` on ``step`` (replacing or inserting a line)."""
    src = step_source(step)
    if src is None or src.text is None:
        return None
    text = src.text
    existing = step.with_.get_scalar(name) if step.with_ is not None else None
    if existing is not None:
        return Fix(description, (Edit(existing.start, existing.end, value),))
    if step.with_ is not None:
        first = next(iter(step.with_.items()), None)
        if first is None:
            return None
        key = first[1]
        line_start = text.rfind("\n", 0, key.start) + 1
        indent = text[line_start : key.start]
        if indent.strip():
            return None  # flow-style or same-line mapping: leave it to the user
        return Fix(description, (Edit(line_start, line_start, f"{indent}{name}: {value}\n"),))
    with_key = step.node.key("with")
    if with_key is not None:
        return None  # `with:` present but empty or not a mapping
    uses_key = step.node.key("uses")
    if uses_key is None or step.uses is None:
        return None
    line_start = text.rfind("\n", 0, uses_key.start) + 1
    prefix = text[line_start : uses_key.start]
    if prefix.strip() not in ("", "-"):
        return None
    indent = " " * len(prefix)
    line_end = text.find("\n", step.uses.end)
    if line_end == -1:
        return None
    insert = f"\n{indent}with:\n{indent}  {name}: {value}"
    return Fix(description, (Edit(line_end, line_end, insert),))


def _dedupe_key(loc: Loc) -> tuple[str, int]:
    return (loc.source.rel, loc.start)


# --- rules -------------------------------------------------------------------------------------


@register
class PypiPublishSunsetRef(Rule):
    """The action is used at `@master`, a branch that was sunset and frozen.

    `pypa/gh-action-pypi-publish@master` still runs, but that branch receives no updates,
    not even security fixes, and every run says so:

    `UNSUPPORTED GITHUB ACTION VERSION … The master branch of this project has been sunset
    and will not receive any updates, not even security bug fixes.`

    Its code predates v1.7.0: it knows only the snake_case inputs (`repository_url`,
    `packages_dir`, ...), has no trusted publishing and no attestations, and builds its
    container on every run from Python 3.9 with the newest twine for it (6.2), which cannot
    read Metadata-Version 2.5. A token upload of older metadata still works, hence a
    warning; the cases that fail are errors of their own: trusted publishing without a
    password (SL304) and Metadata-Version 2.5 (SL711).

    Fix: use `@release/v1` (the maintained branch), or pin a release tag or its commit SHA
    (`@v1.14.2`, or the SHA with a `# v1.14.2` comment for Dependabot/Renovate), and rename
    snake_case inputs to their kebab-case names.
    """

    code = "SL201"
    name = "pypi-publish-sunset-ref"
    severity = Severity.WARNING
    summary = "pypa/gh-action-pypi-publish used at the sunset `master` branch"
    catalogue = ("B-1",)
    before = "- uses: pypa/gh-action-pypi-publish@master\n"
    after = "- uses: pypa/gh-action-pypi-publish@release/v1\n"

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().pypi_publish
        recommended = str(f.raw["recommended-ref"])
        seen: set[tuple[str, int]] = set()
        for _upload, step in action_uploads(project):
            ref = step.ref
            if ref_kind(ref) != "sunset":
                continue
            loc = ref_loc(step)
            if loc is None or _dedupe_key(loc) in seen:
                continue
            seen.add(_dedupe_key(loc))
            yield self.at(
                loc,
                f"`@{ref}` of pypa/gh-action-pypi-publish is sunset: frozen old code that "
                "gets no fixes",
                f"The `{ref}` branch gets no updates, not even security fixes. It predates "
                "trusted publishing and the kebab-case inputs, and runs Python 3.9 with "
                "twine 6.2, which rejects Metadata-Version 2.5. Use "
                f"`pypa/gh-action-pypi-publish@{recommended}`, or pin a release tag "
                f"(v{f.latest} or later) or its commit SHA.",
                fix=Fix(f"use @{recommended}", (Edit(loc.start, loc.end, recommended),)),
            )


@register
class PypiPublishUnknownRef(Rule):
    """The action is used at a ref that does not exist, so the job fails before it starts.

    pypa/gh-action-pypi-publish has the branches `release/v1` (recommended) and
    `unstable/v1`, and release tags such as `v1.14.2`. There is no `v1` tag, no `main`
    branch and no `release/v1.x.y` branch. GitHub fails the job at set-up:

    `Error: Unable to resolve action `pypa/gh-action-pypi-publish@v1`, unable to find
    version `v1``

    (also seen as `Missing download info for pypa/gh-action-pypi-publish@v1`). A shortened
    commit SHA is not accepted either: pin the full 40-character SHA.

    Fix: use `@release/v1`, or a full release tag (`@v1.14.2`), or the full commit SHA of a
    release with a `# v1.14.2` comment.
    """

    code = "SL202"
    name = "pypi-publish-unknown-ref"
    severity = Severity.ERROR
    summary = "pypa/gh-action-pypi-publish used at a ref that does not exist"
    catalogue = ("B-1",)
    before = "- uses: pypa/gh-action-pypi-publish@v1\n"
    after = "- uses: pypa/gh-action-pypi-publish@release/v1\n"

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().pypi_publish
        recommended = str(f.raw["recommended-ref"])
        branches = ", ".join(f"`{b}`" for b in f.branches)
        seen: set[tuple[str, int]] = set()
        for _upload, step in action_uploads(project):
            ref = step.ref
            kind = ref_kind(ref)
            if kind not in ("unknown", "short-sha", "none"):
                continue
            loc = ref_loc(step) if ref else uses_loc(step)
            if loc is None or _dedupe_key(loc) in seen:
                continue
            seen.add(_dedupe_key(loc))
            fix = None
            if kind == "none":
                message = "`uses: pypa/gh-action-pypi-publish` has no `@ref`"
                help_ = (
                    "GitHub rejects the workflow: an action reference needs `@ref`. "
                    f"Use `pypa/gh-action-pypi-publish@{recommended}`."
                )
                if step.uses is not None and loc.text.strip("'\"") == step.uses.value:
                    end = loc.end - (1 if loc.text[-1:] in "'\"" else 0)
                    fix = Fix(f"add @{recommended}", (Edit(end, end, "@" + recommended),))
            elif kind == "short-sha":
                message = f"`@{ref}` is a shortened commit SHA"
                help_ = (
                    "GitHub resolves only full 40-character commit SHAs for actions: the job "
                    f"fails with `Unable to resolve action … unable to find version `{ref}``. "
                    "Pin the full SHA of a release (with a `# vX.Y.Z` comment), or use "
                    f"`@{recommended}`."
                )
            else:
                assert ref is not None
                release_tag = _RELEASE_TAG.match(ref)
                replacement = release_tag.group(1) if release_tag else recommended
                what = {
                    "main": "there is no `main` branch",
                    "v1": "there is no `v1` tag or branch",
                }.get(ref, "no such branch or release tag")
                message = f"`@{ref}` does not exist in pypa/gh-action-pypi-publish: {what}"
                help_ = (
                    "The job fails before it starts: `Unable to resolve action "
                    f"`pypa/gh-action-pypi-publish@{ref}`, unable to find version `{ref}``. "
                    f"Existing refs are the branches {branches} and release tags such as "
                    f"`v{f.latest}`. Use `@{replacement}`."
                )
                fix = Fix(f"use @{replacement}", (Edit(loc.start, loc.end, replacement),))
            yield self.at(loc, message, help_, fix=fix)


@register
class PypiPublishUnderscoreInput(Rule):
    """A deprecated snake_case input of pypa/gh-action-pypi-publish.

    Since v1.7.0 the inputs are kebab-case: `repository-url`, `packages-dir`,
    `verify-metadata`, `skip-existing`, `print-hash`. The old names still work for now but
    every run warns, and they are due to be removed:

    ``Input 'repository_url' has been deprecated with message: The inputs have been
    normalized to use kebab-case. Use `repository-url` instead.``

    shiplint reports them whatever the action is pinned to, SHA pins included (actionlint
    only recognises tag refs). Pins older than v1.7.0 (and the sunset `master` branch, which
    has the old inputs) are left alone: there the snake_case names are the only ones. The
    rename is offered as a fix only when the pinned release is known to have the new names.

    Fix: rename the input to its kebab-case name.
    """

    code = "SL203"
    name = "pypi-publish-underscore-input"
    severity = Severity.WARNING
    summary = "Deprecated snake_case input of pypa/gh-action-pypi-publish"
    catalogue = ("B-2",)
    before = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository_url: https://test.pypi.org/legacy/\n"
    )
    after = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository-url: https://test.pypi.org/legacy/\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        facts = facts_mod.load()
        since = facts.pypi_publish.threshold("kebab-inputs-since")
        seen: set[tuple[str, int]] = set()
        for upload, step in action_uploads(project):
            if step.with_ is None:
                continue
            release = release_of(upload)
            if release.kind == gha_refs.SUNSET or release.before(since):
                continue  # only the snake_case names exist there
            renamed = release.at_least(since) is True
            src = step_source(step)
            if src is None:
                continue
            for name, key, _value in step.with_.items():
                new = facts.deprecated_inputs.get(name)
                if new is None:
                    continue
                loc = Loc(src, key.start, key.end)
                if _dedupe_key(loc) in seen:
                    continue
                seen.add(_dedupe_key(loc))
                both = step.with_.key(new) is not None
                fix = None
                at = loc.text.find(name)
                if renamed and not both and at != -1:
                    fix = Fix(
                        f"rename `{name}` to `{new}`",
                        (Edit(loc.start + at, loc.start + at + len(name), new),),
                    )
                help_ = (
                    "The action warns on every run: `Input '" + name + "' has been deprecated "
                    "with message: The inputs have been normalized to use kebab-case. Use `"
                    + new
                    + "` instead.` The snake_case names are due to be removed. "
                    f"Rename it to `{new}`."
                )
                if both:
                    help_ += f" `{new}` is also set and takes precedence: remove `{name}`."
                yield self.at(loc, f"`{name}` is deprecated: the input is `{new}`", help_, fix=fix)


@register
class PublishActionNonLinux(Rule):
    """pypa/gh-action-pypi-publish runs in a job on a macOS or Windows runner.

    The action runs twine in a Linux container, and GitHub runs containers only on Linux
    runners. Up to v1.11.0 it is a container action, which GitHub refuses at once on any
    other runner: `Container action is only supported on Linux`. Since v1.12.0 (2024-11) it
    is a composite action that pulls a prebuilt image, and its first step stops every other
    runner itself (`if: runner.os != 'Linux'` in its `action.yml`, still so in 2026):
    `This action is only able to run under GNU/Linux environments`. Either way the step
    fails.

    This often happens when the publish step sits in the build job of an OS matrix
    (`runs-on: ${{ matrix.os }}`): the Linux leg uploads, the others fail (or the reverse,
    when the step only runs on one of them).

    shiplint evaluates the job's and the step's `if:` for each runner and each trigger: a
    condition such as `if: runner.os == 'Linux'` (or `matrix.os == 'ubuntu-latest'`) keeps
    the step off the other runners. It is an error when the step certainly runs there; a
    warning when that depends on something shiplint cannot evaluate (a step output, a
    variable); information when `continue-on-error` keeps the run green (the other legs
    still publish).

    Fix: build on every OS, upload the distributions as artifacts, and publish from one
    separate job with `runs-on: ubuntu-latest` that downloads them.
    """

    code = "SL204"
    name = "publish-action-non-linux"
    severity = Severity.ERROR
    summary = "pypa/gh-action-pypi-publish on a macOS/Windows runner (it runs only on Linux)"
    catalogue = ("B-3",)
    before = (
        "build:\n  strategy:\n    matrix:\n      os: [ubuntu-latest, windows-latest]\n"
        "  runs-on: ${{ matrix.os }}\n  steps:\n    - run: python -m build\n"
        "    - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "build:\n  strategy:\n    matrix:\n      os: [ubuntu-latest, windows-latest]\n"
        "  runs-on: ${{ matrix.os }}\n  steps:\n    - run: python -m build\n"
        "    - uses: actions/upload-artifact@v4\n"
        "      with: {name: 'dist-${{ matrix.os }}', path: dist/}\n"
        "publish:\n  needs: build\n  runs-on: ubuntu-latest\n  steps:\n"
        "    - uses: actions/download-artifact@v4\n"
        "      with: {pattern: 'dist-*', path: dist/, merge-multiple: true}\n"
        "    - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for upload, step in action_uploads(project):
            job = workflow_job(upload)
            if job is None or job.workflow is None:
                continue
            for runner in runners(job):
                label = runner.os_label
                if runner.os not in (MACOS, WINDOWS) or label is None or label.loc is None:
                    continue
                if _dedupe_key(label.loc) in seen:
                    continue
                got = _reach_on(project, runner, step)
                severity = got.severity(
                    Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
                )
                if severity is None:
                    continue
                seen.add(_dedupe_key(label.loc))
                text = label.text.strip()
                via = " (from the job's matrix)" if label is runner.matrix_label else ""
                yield self.at(
                    label.loc,
                    f"`{text}` runner{via}: pypa/gh-action-pypi-publish runs only on Linux",
                    "On this runner the publish step fails: `This action is only able to run "
                    "under GNU/Linux environments` (v1.12.0 and later; before, `Container "
                    "action is only supported on Linux`). Upload the built distributions as "
                    "artifacts and publish them from a separate job with `runs-on: "
                    "ubuntu-latest` (or limit the step with `if: runner.os == 'Linux'`)."
                    + got.doubt(),
                    severity=severity,
                )


def _reach_on(project: Project, runner: Runner, step: Step) -> Reach:
    """Whether ``step`` runs on ``runner`` (on the matrix legs that get it) under some
    trigger of its workflow, and whether its failure there fails the run."""
    job = step.job
    workflow = job.workflow
    if workflow is None:
        return CERTAIN

    def on_runner(leg: Leg) -> bool:
        if runner.matrix_value is None or leg.nodes is None:
            return True
        return all(
            leg.value(tuple(key.split("."))) == runner.matrix_value for key in runner.matrix_keys
        )

    only = on_runner if runner.from_matrix else None
    return trigger_reach(project, workflow, job, step, runner.facts(), only)


def _packages_dir(step: Step) -> str:
    text = input_text(step, "packages-dir", "packages_dir") or "dist"
    text = text.removeprefix("./").rstrip("/")
    return text or "."


#: a value no literal in a condition equals (an output with some other text)
_OTHER = "\x00other"


def _context_path(node: Node) -> tuple[str, ...] | None:
    if node[0] == "ctx":
        return (node[1],)
    if node[0] == "get" and node[2] not in (None, "*"):
        base = _context_path(node[1])
        return None if base is None else (*base, node[2])
    return None


def _compared_values(step: Step, into: dict[tuple[str, ...], set[Value]]) -> None:
    """Every context path the step's ``if:`` compares with a literal, and the literals."""
    if step.condition is None or step.condition.is_null:
        return
    tree = parse_expr(condition_expression(step.condition.value))
    stack = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        if node[0] == "cmp" and node[1] in ("==", "!="):
            for this, other in ((node[2], node[3]), (node[3], node[2])):
                path = _context_path(this)
                if path is not None and other[0] == "lit":
                    into.setdefault(path, set()).add(other[1])
        stack.extend(part for part in node[1:] if isinstance(part, tuple) and part)


def _may_run_together(first: Step, second: Step) -> bool:
    """False only when no run can execute both steps: a trigger scenario, or one value of
    something both conditions compare (`needs.build.outputs.target == 'pypi'` vs
    `== 'testpypi'`) keeps one of them off whatever else is unknown."""
    workflow = first.job.workflow
    if workflow is None:
        return True
    compared: dict[tuple[str, ...], set[Value]] = {}
    _compared_values(first, compared)
    _compared_values(second, compared)
    for facts in trigger_scenarios(workflow):
        scenario = Scenario(workflow, facts)
        if not (scenario.step_can_run(first) and scenario.step_can_run(second)):
            continue
        exclusive = False
        for path, literals in compared.items():
            if any(path[:size] in facts for size in range(1, len(path) + 1)):
                continue  # the scenario fixes it already
            candidates: list[Value] = [*literals, _OTHER, "", True, False, None]
            if all(
                not (pinned.step_can_run(first) and pinned.step_can_run(second))
                for pinned in (Scenario(workflow, {**facts, path: v}) for v in candidates)
            ):
                exclusive = True
                break
        if not exclusive:
            return True
    return False


@register
class PypiPublishAttestationConflict(Rule):
    """Two pypa/gh-action-pypi-publish steps in one job, both making attestations.

    From v1.11.0 the action signs PEP 740 attestations by default and writes them next to
    the distributions (`dist/*.publish.attestation`). A second publish step in the same job
    (typically TestPyPI, then PyPI) finds them and stops:

    `Attestation generation failure: /github/workspace/dist/x.tar.gz already has a publish
    attestation: /github/workspace/dist/x.tar.gz.publish.attestation`

    The action's README says invoking it more than once per job is not supported. Steps
    with different `packages-dir` do not clash, nor steps whose `if:` never hold together:
    under no trigger, or for no value of something both compare (`if:
    needs.build.outputs.target == 'testpypi'` on one, `== 'pypi'` on the other).

    Fix: publish to each index from its own job (each downloads the artifacts), or set
    `attestations: false` on the first (TestPyPI) step.
    """

    code = "SL205"
    name = "pypi-publish-attestation-conflict"
    severity = Severity.ERROR
    summary = "Two pypi-publish steps in one job both make attestations: the second fails"
    catalogue = ("B-5",)
    before = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository-url: https://test.pypi.org/legacy/\n"
        "- uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    attestations: false\n"
        "    repository-url: https://test.pypi.org/legacy/\n"
        "- uses: pypa/gh-action-pypi-publish@release/v1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        by_job: dict[int, list[tuple[Upload, Step]]] = {}
        for upload, step in action_uploads(project):
            by_job.setdefault(id(step.job), []).append((upload, step))
        for uploads in by_job.values():
            attesting = [(u, s) for u, s in uploads if attestations_on(u, s) is True]
            attesting.sort(key=lambda pair: pair[1].index)
            reported: set[int] = set()
            for i, (_upload, first) in enumerate(attesting):
                for _later, second in attesting[i + 1 :]:
                    if id(first) in reported or _packages_dir(first) != _packages_dir(second):
                        continue
                    if not _may_run_together(first, second):
                        continue
                    reported.add(id(first))
                    setting = first.with_.get_scalar("attestations") if first.with_ else None
                    src = step_source(first)
                    if setting is not None and src is not None:
                        loc: Loc | None = Loc(src, setting.start, setting.end)
                    else:
                        loc = uses_loc(first)
                    second_line = uses_loc(second)
                    line = second_line.pos.line if second_line is not None else 0
                    yield self.at(
                        loc,
                        "this publish step makes attestations and so does the one on line "
                        f"{line} in the same job: that one will fail",
                        "The first step writes `dist/*.publish.attestation`; the second then "
                        "stops with `Attestation generation failure: … already has a publish "
                        "attestation`. Publish to each index from its own job, or set "
                        "`attestations: false` on this step.",
                        fix=set_input_fix(
                            first,
                            "attestations",
                            "false",
                            "set `attestations: false` on the first publish step",
                        ),
                    )


@register
class PypiPublishAttestationsReusable(Rule):
    """pypa/gh-action-pypi-publish makes attestations inside a reusable workflow.

    Attestations are signed with the run's OIDC identity, whose Build Config URI names the
    *calling* (top-level) workflow, while PyPI checks them against the trusted publisher,
    which for the token exchange must name the reusable workflow that holds the publish job
    (warehouse matches the `job_workflow_ref` claim). No publisher satisfies both, and the
    upload is rejected:

    `400 Invalid attestations supplied during upload: Could not verify the uploaded artifact
    using the included attestation: Verification failed: Certificate's Build Config URI
    (…/release.yml@refs/tags/v1.0) does not match expected Trusted Publisher (publish.yml @
    owner/repo)`

    This holds for pypi/warehouse as of 2026-08 (`GitHubPublisher.lookup_by_claims`, and
    pypi-attestations 0.0.29, whose GitHub policy compares the Build Config URI only); PyPI's
    documentation still calls reusable workflows unsupported, and the action (v1.14) only
    warns about them (`Potential workflow misconfiguration`). Attestations are made from
    v1.11.0 on by default (v1.10.x with `attestations: true`). With a `password:` the action
    uses the token and skips attestations, so that case is not reported; trusted publishing
    without attestations there is SL303.

    Reported when a run of the workflow can be a call: its only trigger is `workflow_call`,
    or a workflow of this repository calls it. It is an error when a call certainly reaches
    the step; a warning when an `if:` shiplint cannot evaluate (an input, a step output)
    decides; information under `continue-on-error`. A workflow that also has triggers of its own
    (`release`, `push`) and that nothing here calls publishes fine on those; a caller in
    another repository cannot use trusted publishing at all (the publisher's repository
    must hold the called workflow), which SL303 covers.

    Fix: move the publish job into the top-level workflow, or set `attestations: false`.
    """

    code = "SL206"
    name = "pypi-publish-attestations-reusable"
    severity = Severity.ERROR
    summary = "Attestations from a reusable workflow are rejected by PyPI"
    catalogue = ("B-6",)
    before = (
        "on:\n  workflow_call:\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      id-token: write\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    after = (
        "on:\n  workflow_call:\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      id-token: write\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n"
        "          attestations: false\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for upload, step in action_uploads(project):
            job = workflow_job(upload)
            if job is None or job.workflow is None:
                continue
            workflow = job.workflow
            if not runs_as_call(project, workflow) or attestations_on(upload, step) is not True:
                continue
            setting = step.with_.get_scalar("attestations") if step.with_ else None
            src = step_source(step)
            loc = (
                Loc(src, setting.start, setting.end)
                if setting is not None and src
                else uses_loc(step)
            )
            if loc is None or _dedupe_key(loc) in seen:
                continue
            got = reach(project, workflow, job, step, {})  # a call: the caller's event
            severity = got.severity(
                Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
            )
            if severity is None:
                continue
            seen.add(_dedupe_key(loc))
            calling = sorted(
                {c.workflow.source.rel for c in callers(project.model, workflow) if c.workflow}
            )
            if calling:
                where = ", ".join(f"`{rel}`" for rel in calling)
                note = f" It is called from {where}."
            else:
                note = (
                    " No workflow here calls it: a caller in another repository cannot use "
                    "trusted publishing at all (the publisher's repository must hold the "
                    "called workflow)."
                )
            yield self.at(
                loc,
                "attestations made in a reusable workflow (`on: workflow_call`) are rejected "
                "by PyPI",
                "They are signed for the calling workflow while PyPI checks them against the "
                "publisher of this file, and the upload fails with `400 Invalid attestations "
                "supplied`. Publish from the top-level workflow, or set "
                "`attestations: false` here." + note + got.doubt(),
                severity=severity,
                fix=set_input_fix(step, "attestations", "false", "set `attestations: false`"),
            )


def runs_as_call(project: Project, workflow: Workflow) -> bool:
    """Whether a run of ``workflow`` can be a reusable-workflow call: its only trigger is
    ``workflow_call``, or a workflow of this repository calls it."""
    if not workflow.is_reusable:
        return False
    if set(workflow.triggers) == {"workflow_call"}:
        return True
    return any(True for _ in callers(project.model, workflow))
