"""gha_expr/gha_scenarios: what a scenario knows beyond its facts (event payloads, inputs,
runner.os, the repository), three-valued reach (step outputs, gate steps) and
continue-on-error, per matrix leg."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiplint.engine import open_project
from shiplint.findings import Severity
from shiplint.gha.conditions import Facts, Scenario, is_gate, overrides_status, pr_facts
from shiplint.gha.expr_eval import Shaped
from shiplint.gha.scenarios import (
    Reach,
    branch_run_facts,
    push_refs,
    reach,
    tag_push_facts,
)
from shiplint.model import Step, Workflow
from shiplint.project import Project
from tests.conftest import write_tree

WF = ".github/workflows/release.yml"

BRANCH_PUSH = branch_run_facts("push", "refs/heads/main")


def load(tmp_path: Path, text: str, extra: dict[str, str] | None = None) -> Project:
    write_tree(tmp_path, {WF: text, **(extra or {})})
    return open_project(str(tmp_path))


def workflow_of(project: Project, rel: str = WF) -> Workflow:
    return next(w for w in project.model.workflows if w.source.rel == rel)


def step_named(workflow: Workflow, name: str) -> Step:
    for job in workflow.jobs.values():
        for step in job.steps:
            if step.name == name:
                return step
    raise AssertionError(name)


def runs(project: Project, name: str, facts: Facts) -> bool | None:
    workflow = workflow_of(project)
    return Scenario(workflow, facts).step_runs(step_named(workflow, name))


# --- github.event.ref ---------------------------------------------------------------------------

# jsonschema/yt style: publish only for tags, tested on the push payload's ref
EVENT_REF = """
    on:
      push:
        branches-ignore: ["wip*"]
        tags: ["v*"]
      pull_request:
      workflow_dispatch:
    jobs:
      packaging:
        runs-on: ubuntu-latest
        steps:
          - run: python -m build
          - name: publish
            if: github.event_name == 'push' && startsWith(github.event.ref, 'refs/tags')
            uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_event_ref_is_the_ref_on_push(tmp_path: Path) -> None:
    project = load(tmp_path, EVENT_REF)
    assert runs(project, "publish", BRANCH_PUSH) is False
    assert runs(project, "publish", branch_run_facts("push")) is False
    assert runs(project, "publish", tag_push_facts()) is True
    assert runs(project, "publish", pr_facts("pull_request")) is False


def test_event_ref_on_a_dispatch_follows_the_chosen_ref(tmp_path: Path) -> None:
    project = load(tmp_path, EVENT_REF.replace("github.event_name == 'push' && ", ""))
    assert runs(project, "publish", branch_run_facts("workflow_dispatch")) is False
    # a dispatch runs on the branch or tag picked in the form: unknown
    assert runs(project, "publish", {("github", "event_name"): "workflow_dispatch"}) is None


def test_event_ref_of_other_events_stays_unknown(tmp_path: Path) -> None:
    project = load(tmp_path, EVENT_REF.replace("github.event_name == 'push' && ", ""))
    # `create` sends the short ref name in `github.event.ref`
    facts = {**branch_run_facts("create"), ("github", "ref"): "refs/heads/main"}
    assert runs(project, "publish", facts) is None


# --- event inputs --------------------------------------------------------------------------------

INPUTS = """
    on:
      push:
        branches: [main]
      pull_request:
      workflow_dispatch:
        inputs:
          upload:
            default: "0"
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: python -m build
          - name: event-input
            if: github.event.inputs.upload == '1'
            uses: pypa/gh-action-pypi-publish@release/v1
          - name: input
            if: inputs.upload == '1'
            uses: pypa/gh-action-pypi-publish@release/v1
          - name: not-input
            if: ${{ !inputs.upload }}
            run: echo dev build
"""


def test_event_inputs_are_empty_outside_workflow_dispatch(tmp_path: Path) -> None:
    project = load(tmp_path, INPUTS)
    for facts in (pr_facts("pull_request"), BRANCH_PUSH):
        assert runs(project, "event-input", facts) is False
        assert runs(project, "input", facts) is False
        assert runs(project, "not-input", facts) is True
    dispatch = branch_run_facts("workflow_dispatch")
    assert runs(project, "event-input", dispatch) is None
    assert runs(project, "input", dispatch) is None


def test_inputs_of_a_reusable_workflow_come_from_the_caller(tmp_path: Path) -> None:
    project = load(tmp_path, INPUTS.replace("      pull_request:\n", "      workflow_call:\n"))
    # called by a workflow triggered by a push: the caller's `with:` decides
    assert runs(project, "input", BRANCH_PUSH) is None
    # `github.event` is the caller's event: no `inputs` unless that was a dispatch
    assert runs(project, "event-input", BRANCH_PUSH) is False


def test_payload_keys_of_other_events_are_null(tmp_path: Path) -> None:
    wf = """
        on: [push, pull_request, release]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - name: same-repo
                if: github.event.pull_request.head.repo.full_name == github.repository
                run: uv publish
              - name: prerelease
                if: github.event.release.prerelease
                run: uv publish
              - name: head-ref
                if: github.head_ref == ''
                run: uv publish
    """
    project = load(tmp_path, wf)
    assert runs(project, "same-repo", BRANCH_PUSH) is False
    assert runs(project, "same-repo", pr_facts("pull_request")) is False
    assert runs(project, "prerelease", BRANCH_PUSH) is False
    assert runs(project, "prerelease", {("github", "event_name"): "release"}) is None
    assert runs(project, "head-ref", BRANCH_PUSH) is True
    assert runs(project, "head-ref", pr_facts("pull_request")) is None


def test_single_trigger_fixes_the_event(tmp_path: Path) -> None:
    wf = """
        on:
          push:
            branches: [main]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - name: dispatch-only
                if: github.event_name == 'workflow_dispatch'
                run: uv publish
              - name: no-inputs
                if: inputs.publish
                run: uv publish
    """
    project = load(tmp_path, wf)
    assert runs(project, "dispatch-only", {}) is False
    assert runs(project, "no-inputs", {}) is False


# --- the repository ------------------------------------------------------------------------------


def test_repository_guards_hold_in_the_repository(tmp_path: Path) -> None:
    wf = """
        on: [push, pull_request]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - name: upstream
                if: github.repository == 'GenericMappingTools/pygmt'
                run: uv publish
              - name: owner
                if: github.repository_owner == 'scikit-hep'
                run: uv publish
              - name: not-upstream
                if: github.repository != 'octo/pkg'
                run: uv publish
              - name: not-fork
                if: github.event.repository.fork == false
                run: uv publish
    """
    project = load(tmp_path, wf)
    for facts in (BRANCH_PUSH, pr_facts("pull_request")):
        assert runs(project, "upstream", facts) is True
        assert runs(project, "owner", facts) is True
        assert runs(project, "not-upstream", facts) is False
        assert runs(project, "not-fork", facts) is True


# --- runner.os -----------------------------------------------------------------------------------

RUNNERS = """
    on: push
    jobs:
      wheels:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-24.04, macos-latest]
        steps:
          - name: linux-only
            if: runner.os == 'Linux'
            uses: actions/upload-artifact@v4
      sdist:
        runs-on: macos-14
        steps:
          - name: on-linux
            if: runner.os == 'Linux'
            run: uv publish
          - name: on-mac
            if: runner.os == 'macOS'
            run: uv publish
"""


def test_runner_os_follows_runs_on(tmp_path: Path) -> None:
    project = load(tmp_path, RUNNERS)
    assert runs(project, "on-linux", {}) is False
    assert runs(project, "on-mac", {}) is True


def test_runner_os_per_matrix_leg(tmp_path: Path) -> None:
    project = load(tmp_path, RUNNERS)
    assert runs(project, "linux-only", {("matrix", "os"): "ubuntu-24.04"}) is True
    assert runs(project, "linux-only", {("matrix", "os"): "macos-latest"}) is False
    # the leg unknown: either
    assert runs(project, "linux-only", {}) is None
    workflow = workflow_of(project)
    job = workflow.jobs["wheels"]
    assert reach(project, workflow, job, step_named(workflow, "linux-only"), {}) == Reach(True)


def test_runner_os_unknown_when_runs_on_is_an_input(tmp_path: Path) -> None:
    wf = RUNNERS.replace("runs-on: macos-14", "runs-on: ${{ inputs.os }}")
    project = load(tmp_path, wf)
    assert runs(project, "on-linux", {}) is None


# --- step and job outputs ------------------------------------------------------------------------

# pyhf style: a shell script decides the target, the publish job reads it through outputs
STEP_OUTPUT = """
    on:
      push:
        branches: [main]
        tags: ["v*"]
      pull_request:
      release:
        types: [published]
    jobs:
      build:
        runs-on: ubuntu-latest
        outputs:
          publish-target: ${{ steps.gate.outputs.target }}
        steps:
          - id: gate
            run: |
              target=""
              if [ "${GITHUB_EVENT_NAME}" == "release" ]; then target="pypi"; fi
              echo "target=${target}" >> "$GITHUB_OUTPUT"
      publish:
        needs: build
        if: needs.build.outputs.publish-target != ''
        runs-on: ubuntu-latest
        steps:
          - name: publish
            if: needs.build.outputs.publish-target == 'pypi'
            uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_step_outputs_are_unknown(tmp_path: Path) -> None:
    project = load(tmp_path, STEP_OUTPUT)
    assert runs(project, "publish", pr_facts("pull_request")) is None
    assert runs(project, "publish", BRANCH_PUSH) is None


def test_job_outputs_written_from_known_values_are_followed(tmp_path: Path) -> None:
    wf = STEP_OUTPUT.replace(
        "${{ steps.gate.outputs.target }}",
        "${{ github.event_name == 'release' && 'pypi' || '' }}",
    )
    project = load(tmp_path, wf)
    assert runs(project, "publish", pr_facts("pull_request")) is False
    assert runs(project, "publish", {("github", "event_name"): "release"}) is True


# --- gate steps ----------------------------------------------------------------------------------

# asyncpg/uvloop style: a release PR must be approved, checked by an action's output
GATED = """
    on:
      pull_request:
        paths: ["pkg/_version.py"]
    jobs:
      validate:
        runs-on: ubuntu-latest
        steps:
          - uses: edgedb/action-release/validate-pr@master
            id: checkver
          - name: Stop if not approved
            if: steps.checkver.outputs.approved != 'true'
            run: |
              echo ::error::PR is not approved yet.
              exit 1
          - name: after-gate
            run: echo approved
      publish:
        needs: validate
        runs-on: ubuntu-latest
        steps:
          - name: publish
            uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_a_gate_step_makes_what_follows_uncertain(tmp_path: Path) -> None:
    project = load(tmp_path, GATED)
    facts = pr_facts("pull_request")
    assert runs(project, "after-gate", facts) is None
    assert runs(project, "publish", facts) is None
    assert is_gate(step_named(workflow_of(project), "Stop if not approved"))


def test_a_gate_step_that_certainly_fires_stops_the_job(tmp_path: Path) -> None:
    wf = GATED.replace(
        "if: steps.checkver.outputs.approved != 'true'",
        "if: github.event_name == 'pull_request'",
    )
    project = load(tmp_path, wf)
    facts = pr_facts("pull_request")
    assert runs(project, "after-gate", facts) is False
    assert runs(project, "publish", facts) is False


def test_steps_that_are_not_gates(tmp_path: Path) -> None:
    project = load(tmp_path, GATED)
    step = step_named(workflow_of(project), "Stop if not approved")
    for script in (
        "echo $(cat VERSION); exit 1",  # runs a command
        "python check.py\nexit 1",
        'if [ -z "$TOKEN" ]; then exit 1; fi',
        "echo done\nexit 0",
    ):
        assert step.run is not None
        step.run.value = script
        assert not is_gate(step), script
    # a gate that runs only after a failure is not on the normal path
    wf = GATED.replace(
        "if: steps.checkver.outputs.approved != 'true'", "if: failure() || cancelled()"
    )
    project = load(tmp_path, wf)
    assert runs(project, "publish", pr_facts("pull_request")) is True


# --- continue-on-error ---------------------------------------------------------------------------

TOLERANT = """
    on:
      push:
        branches: [main]
    jobs:
      testpypi:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-latest]
            experimental: [false]
            include:
              - os: ubuntu-latest
                experimental: true
        steps:
          - name: step-tolerant
            continue-on-error: true
            uses: pypa/gh-action-pypi-publish@release/v1
          - name: per-leg
            continue-on-error: ${{ matrix.experimental }}
            uses: pypa/gh-action-pypi-publish@release/v1
          - name: unknown
            continue-on-error: ${{ vars.ALLOW_FAILURE == 'true' }}
            uses: pypa/gh-action-pypi-publish@release/v1
          - name: strict
            uses: pypa/gh-action-pypi-publish@release/v1
      nightly:
        runs-on: ubuntu-latest
        continue-on-error: true
        steps:
          - name: job-tolerant
            run: uv publish
"""


def reach_of(project: Project, name: str, facts: Facts) -> Reach:
    workflow = workflow_of(project)
    step = step_named(workflow, name)
    return reach(project, workflow, step.job, step, facts)


def test_continue_on_error(tmp_path: Path) -> None:
    project = load(tmp_path, TOLERANT)
    assert reach_of(project, "step-tolerant", BRANCH_PUSH) == Reach(True, True)
    assert reach_of(project, "job-tolerant", BRANCH_PUSH) == Reach(True, True)
    assert reach_of(project, "unknown", BRANCH_PUSH) == Reach(True, None)
    assert reach_of(project, "strict", BRANCH_PUSH) == Reach(True, False)


def test_continue_on_error_per_matrix_leg(tmp_path: Path) -> None:
    project = load(tmp_path, TOLERANT)
    # the leg with `experimental: false` fails the run
    assert reach_of(project, "per-leg", BRANCH_PUSH) == Reach(True, False)
    only_experimental = TOLERANT.replace("experimental: [false]", "experimental: [true]")
    project = load(tmp_path, only_experimental)
    assert reach_of(project, "per-leg", BRANCH_PUSH) == Reach(True, True)


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        (Reach(True, False), Severity.ERROR),
        (Reach(None, False), Severity.INFO),
        (Reach(True, None), Severity.INFO),
        (Reach(True, True), Severity.WARNING),
        (Reach(None, True), Severity.INFO),
        (Reach(False, False), None),
    ],
)
def test_reach_severity(got: Reach, expected: Severity | None) -> None:
    severity = got.severity(Severity.ERROR, uncertain=Severity.INFO, tolerated=Severity.WARNING)
    assert severity is expected
    assert (got.doubt() == "") is (got.runs is not None and got.tolerated is False)
    assert got.severity(Severity.ERROR, uncertain=Severity.INFO, tolerated=None) is (
        None if got.tolerated is True else expected
    )


# --- refs of push triggers -----------------------------------------------------------------------


def test_push_refs(tmp_path: Path) -> None:
    wf = """
        on:
          push:
            branches: [main, "release/**", "!release/old"]
            tags: ["v*"]
        jobs: {}
    """
    project = load(tmp_path, wf)
    node = workflow_of(project).triggers["push"]
    never_branch = ("refs/tags", "refs/pull")
    assert push_refs(node, "branch") == [
        "refs/heads/main",
        Shaped("refs/heads/release/", "", never_branch),
    ]
    assert push_refs(node, "tag") == [Shaped("refs/tags/v", "", ("refs/heads", "refs/pull"))]
    assert push_refs(None, "branch") == [Shaped("refs/heads/", "", never_branch)]


def test_status_functions_replace_the_implicit_success(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - {name: plain, run: make, if: "github.ref == 'refs/heads/main'"}
              - {name: spaced, run: make, if: "Always ( )"}
              - {name: after-failure, run: make, if: "${{ failure() && matrix.os }}"}
              - {name: lookalike, run: make, if: "steps.always.outputs.failure == 'x'"}
              - {name: boolean, run: make, if: true}
        """,
    )
    workflow = workflow_of(project)
    status = {
        name: overrides_status(step_named(workflow, name).condition)
        for name in ("plain", "spaced", "after-failure", "lookalike", "boolean")
    }
    assert status == {
        "plain": False,
        "spaced": True,
        "after-failure": True,
        "lookalike": False,
        "boolean": False,
    }
