"""PEP 740 attestations of pypa/gh-action-pypi-publish: whether a step makes them, and
SL205, SL206: two attesting steps in one job, attestations from a reusable workflow (B-5,
B-6)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.gha.conditions import Scenario
from shiplint.gha.expr_eval import Value
from shiplint.gha.expr_parse import condition_expression
from shiplint.gha.expr_parse import parse as parse_expr
from shiplint.gha.scenarios import reach, trigger_scenarios
from shiplint.model import Loc
from shiplint.model.workflows import callers, composite_callers
from shiplint.pkg.upload_commands import program_of
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.publish_action.steps import (
    action_uploads,
    action_uses_oidc,
    dedupe_key,
    input_scalar,
    input_text,
    release_of,
    set_input_fix,
    step_source,
    uses_loc,
    workflow_job,
)

if TYPE_CHECKING:
    from shiplint.gha.expr_parse import Node
    from shiplint.model import Step, Upload, Workflow
    from shiplint.project import Project


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


def _packages_dir(step: Step) -> str:
    text = input_text(step, "packages-dir", "packages_dir") or "dist"
    text = text.removeprefix("./").rstrip("/")
    return text or "."


#: a value no literal in a condition equals (an output with some other text)
_OTHER = "\x00other"

#: programs that delete files: a `run:` between two publish steps that runs one of them on
#: the attestation files or the packages folder clears the way for the second step
_REMOVERS = {"rm", "rmdir", "find", "git", "Remove-Item", "del", "rd", "shutil"}


def _cleans_between(project: Project, first: Step, second: Step, packages: str) -> bool:
    """Whether a step between ``first`` and ``second`` of the job may delete the
    ``*.publish.attestation`` files the first wrote: a `run:` whose deleting command names
    them, the packages folder or a glob in it (`rm dist/*.attestation`, `rm -rf dist`,
    `find dist -name '*.attestation' -delete`, `git clean -fdx`), or one that rebuilds
    into a fresh folder. Unknown actions between are not assumed to delete anything."""
    commands = project.model.step_commands()
    for step in first.job.steps:
        if not first.index < step.index < second.index or step.run is None:
            continue
        text = step.run.value
        if "attestation" in text and any(word in text for word in _REMOVERS):
            return True
        for cmd in commands.get(id(step), []):
            _at, program = program_of(cmd)
            if program not in _REMOVERS:
                continue
            words = [a.text.removeprefix("./").rstrip("/") for a in cmd.args[1:]]
            if program == "git" and "clean" in words:
                return True
            if any(_deletes_attestations(w, packages) for w in words):
                return True
    return False


#: what an attestation file of the packages folder is called
_ATTESTATION_NAME = "x-1.0-py3-none-any.whl.publish.attestation"


def _deletes_attestations(word: str, packages: str) -> bool:
    """Whether a removal of ``word`` takes the attestation files of ``packages`` with it: the
    folder itself, or a name or glob in it that matches an attestation file."""
    if word == packages:
        return True
    if not word.startswith(packages + "/"):
        return False
    return fnmatch.fnmatchcase(_ATTESTATION_NAME, word[len(packages) + 1 :])


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

    The action's `attestations.py` (`attest_dist`, in every stored version) signs every
    `*.tar.gz` and `*.whl` in `packages-dir` and stops when `<dist>.publish.attestation`
    already exists; it runs only when the step makes attestations (`twine-upload.sh`: not
    with a `password:`, not for an index other than pypi.org/test.pypi.org). So the job
    fails exactly when both steps make attestations, read the same `packages-dir`, can run
    in one run, and no step between deletes the attestation files (`rm
    dist/*.attestation`, `rm -rf dist` and a rebuild, `git clean`). The action's README
    says invoking it more than once per job is not supported. Steps with different
    `packages-dir` do not clash, nor steps whose `if:` never hold together: under no
    trigger, or for no value of something both compare (`if: needs.build.outputs.target ==
    'testpypi'` on one, `== 'pypi'` on the other).

    Fix: publish to each index from its own job (each downloads the artifacts), or set
    `attestations: false` on the first (TestPyPI) step, or delete
    `dist/*.publish.attestation` between the two steps.

    Sources: pypa/gh-action-pypi-publish:attestations.py (`attest_dist`: "already has a
    publish attestation"; the `pypi_attestation_models` and the `pypi_attestations`
    versions alike), twine-upload.sh of the attestations era (when `attestations.py` runs);
    pypa/gh-action-pypi-publish#319; astro-informatics/s2fft#259.
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
                    if _cleans_between(project, first, second, _packages_dir(first)):
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

    A local composite action (`uses: ./.github/actions/publish`) that runs the publish
    action with attestations is reported at the step of the reusable workflow that uses it.

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
            if loc is None or dedupe_key(loc) in seen:
                continue
            got = reach(project, workflow, job, step, {})  # a call: the caller's event
            severity = got.severity(
                Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
            )
            if severity is None:
                continue
            seen.add(dedupe_key(loc))
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
        yield from self._through_composite(project, seen)

    def _through_composite(self, project: Project, seen: set[tuple[str, int]]) -> Iterator[Finding]:
        """A local composite action that publishes with attestations, used by a step of a
        reusable workflow: the attestations are made in the called workflow's job all the
        same. Reported at that step (the action may have other, top-level users)."""
        for upload, step in action_uploads(project):
            if upload.context.origin != "action" or upload.context.job is None:
                continue
            action = upload.context.job.workflow
            if action is None or attestations_on(upload, step) is not True:
                continue
            for calling in composite_callers(project.model, action):
                job = calling.job
                workflow = job.workflow
                if workflow is None or not runs_as_call(project, workflow):
                    continue
                loc = uses_loc(calling)
                if loc is None or dedupe_key(loc) in seen:
                    continue
                got = reach(project, workflow, job, calling, {})
                severity = got.severity(
                    Severity.ERROR, uncertain=Severity.WARNING, tolerated=Severity.INFO
                )
                if severity is None:
                    continue
                seen.add(dedupe_key(loc))
                yield self.at(
                    loc,
                    f"this composite action publishes with attestations (`{action.source.rel}`) "
                    "inside a reusable workflow (`on: workflow_call`): PyPI rejects them",
                    "The attestations are signed for the calling workflow while PyPI checks "
                    "them against the publisher of this file, and the upload fails with `400 "
                    "Invalid attestations supplied`. Publish from the top-level workflow, or "
                    "set `attestations: false` on the action's publish step." + got.doubt(),
                    severity=severity,
                )


def runs_as_call(project: Project, workflow: Workflow) -> bool:
    """Whether a run of ``workflow`` can be a reusable-workflow call: its only trigger is
    ``workflow_call``, or a workflow of this repository calls it."""
    if not workflow.is_reusable:
        return False
    if set(workflow.triggers) == {"workflow_call"}:
        return True
    return any(True for _ in callers(project.model, workflow))
