"""SL301-SL307: trusted publishing (OIDC) and token uploads to PyPI."""

from __future__ import annotations

import textwrap
from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.gha.conditions import Facts, pr_facts
from shiplint.gha.expr_eval import UNKNOWN, Evaluator, Value
from tests.conftest import AuditFn, hit, pos_of

WF = ".github/workflows/release.yml"
FindingsFn = Callable[..., list[Finding]]
ACTION = "pypa/gh-action-pypi-publish@release/v1"


def body(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fixed_text(finding: Finding) -> str:
    assert finding.fix is not None and finding.source is not None
    text = finding.source.text or ""
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


# --- SL301 -------------------------------------------------------------------------------------

NO_PERMISSIONS = """
    on:
      release:
        types: [published]
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        steps:
          - uses: actions/checkout@v4
          - run: pipx run build
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_no_permissions_anywhere(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: NO_PERMISSIONS}, select=["SL3"]) == [
        hit("SL301", WF, NO_PERMISSIONS, "publish:"),
    ]
    (finding,) = audit_findings({WF: NO_PERMISSIONS}, select=["SL301"])
    assert "default GITHUB_TOKEN" in finding.message
    assert "ACTIONS_ID_TOKEN_REQUEST_TOKEN" in finding.help
    assert "permissions:\n      contents: read\n      id-token: write" in finding.help
    # inserting a job-level block drops the default token's other scopes: unsafe
    assert finding.fix is not None and not finding.fix.safe
    fixed = fixed_text(finding)
    assert fixed == body(
        NO_PERMISSIONS.replace(
            "      publish:\n",
            "      publish:\n        permissions:\n          contents: read\n"
            "          id-token: write\n",
        )
    )
    assert audit({WF: fixed}, select=["SL301"]) == []


def test_workflow_level_block_without_id_token(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = NO_PERMISSIONS.replace(
        "    jobs:\n", "    permissions:\n      contents: read\n      actions: read\n    jobs:\n"
    )
    assert audit({WF: wf}, select=["SL301"]) == [hit("SL301", WF, wf, "publish:")]
    (finding,) = audit_findings({WF: wf}, select=["SL301"])
    assert "workflow's `permissions:`" in finding.message
    assert "permissions:\n      contents: read\n      actions: read\n      id-token: write" in (
        finding.help
    )
    assert finding.fix is not None and finding.fix.safe
    assert audit({WF: fixed_text(finding)}, select=["SL301"]) == []


def test_job_level_block_without_id_token(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = NO_PERMISSIONS.replace(
        "        environment: pypi\n",
        "        environment: pypi\n        permissions:\n          contents: read\n",
    )
    assert audit({WF: wf}, select=["SL301"]) == [hit("SL301", WF, wf, "permissions:")]
    (finding,) = audit_findings({WF: wf}, select=["SL301"])
    fixed = fixed_text(finding)
    assert fixed == body(
        wf.replace(
            "          contents: read\n", "          id-token: write\n          contents: read\n"
        )
    )
    assert audit({WF: fixed}, select=["SL301"]) == []

    read = wf.replace(
        "          contents: read\n", "          contents: read\n          id-token: read\n"
    )
    (finding,) = audit_findings({WF: read}, select=["SL301"])
    assert "      contents: read\n      id-token: write\n" in fixed_text(finding)
    assert audit({WF: fixed_text(finding)}, select=["SL301"]) == []

    empty = NO_PERMISSIONS.replace(
        "        environment: pypi\n", "        environment: pypi\n        permissions: {}\n"
    )
    (finding,) = audit_findings({WF: empty}, select=["SL301"])
    assert "permissions: {id-token: write}" in fixed_text(finding)


def test_granted_id_token_or_token_auth(audit: AuditFn) -> None:
    ok = {
        "job grants it": NO_PERMISSIONS.replace(
            "        environment: pypi\n",
            "        environment: pypi\n        permissions:\n          id-token: write\n",
        ),
        "workflow grants it": NO_PERMISSIONS.replace(
            "    jobs:\n", "    permissions:\n      id-token: write\n    jobs:\n"
        ),
        "write-all": NO_PERMISSIONS.replace(
            "    jobs:\n", "    permissions: write-all\n    jobs:\n"
        ),
        "password": NO_PERMISSIONS
        + ("            with:\n              password: ${{ secrets.PYPI_API_TOKEN }}\n"),
    }
    for label, wf in ok.items():
        assert audit({WF: wf}, select=["SL301"]) == [], label


def test_cli_trusted_publishing(audit: AuditFn) -> None:
    wf = """
        on:
          push:
            tags: ["v*"]
        permissions:
          contents: read
        jobs:
          uv:
            runs-on: ubuntu-latest
            steps:
              - uses: astral-sh/setup-uv@v6
              - run: uv build && uv publish
          uv-token:
            runs-on: ubuntu-latest
            steps:
              - run: uv publish
                env:
                  UV_PUBLISH_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
          uv-private:
            runs-on: ubuntu-latest
            steps:
              - run: uv publish --publish-url https://pkgs.example.com/upload/
          pdm:
            runs-on: ubuntu-latest
            steps:
              - run: pdm publish
          twine:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
          pdm-configured:
            runs-on: ubuntu-latest
            steps:
              - run: pdm config repository.pypi.password "$PYPI_TOKEN"
              - run: pdm publish
          uv-github-env:
            runs-on: ubuntu-latest
            steps:
              - run: echo "UV_PUBLISH_TOKEN=${{ secrets.PYPI_TOKEN }}" >> "$GITHUB_ENV"
              - run: uv publish
    """
    assert audit({WF: wf}, select=["SL301"]) == [
        hit("SL301", WF, wf, "uv:"),
        hit("SL301", WF, wf, "pdm:"),
    ]


def test_missing_id_token_severity_follows_the_way_to_the_upload(
    audit_findings: FindingsFn,
) -> None:
    def found(wf: str) -> list[tuple[int, Severity]]:
        return [(f.line or 0, f.severity) for f in audit_findings({WF: wf}, select=["SL301"])]

    line = pos_of(NO_PERMISSIONS, "publish:")[0]
    assert found(NO_PERMISSIONS) == [(line, Severity.ERROR)]
    # a repository variable decides: check it
    gated = NO_PERMISSIONS.replace(
        "      publish:\n", "      publish:\n        if: vars.PUBLISH == 'true'\n"
    )
    assert found(gated) == [(line, Severity.WARNING)]
    # the run stays green when it fails
    tolerated = NO_PERMISSIONS.replace(
        "      publish:\n", "      publish:\n        continue-on-error: true\n"
    )
    assert found(tolerated) == [(line, Severity.INFO)]
    # a trigger the workflow does not have: the job never runs
    never = NO_PERMISSIONS.replace(
        "      publish:\n", "      publish:\n        if: github.event_name == 'schedule'\n"
    )
    assert found(never) == []


def test_each_tool_says_its_own_error(audit_findings: FindingsFn) -> None:
    wf = """
        on:
          release:
            types: [published]
        permissions:
          contents: read
        jobs:
          action:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
          uv:
            runs-on: ubuntu-latest
            steps:
              - run: uv publish
          pdm:
            runs-on: ubuntu-latest
            steps:
              - run: pdm publish
    """
    findings = audit_findings({WF: wf}, select=["SL301"])
    assert [f.line for f in findings] == [pos_of(wf, j)[0] for j in ("action:", "uv:", "pdm:")]
    action, uv, pdm = (f.help for f in findings)
    assert "Trusted publishing exchange failure: OpenID Connect token retrieval failed" in action
    assert "Failed to obtain OIDC token: is the `id-token: write` permission missing?" in uv
    assert "Unable to detect OIDC token for CI platform" in pdm


def test_reusable_workflow_permissions_come_from_the_caller(audit: AuditFn) -> None:
    wf = """
        on:
          workflow_call:
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - run: uv publish
    """
    assert audit({WF: wf}, select=["SL301"]) == []
    explicit = wf.replace(
        "            runs-on: ubuntu-latest\n",
        "            runs-on: ubuntu-latest\n            permissions:\n"
        "              contents: read\n",
    )
    assert audit({WF: explicit}, select=["SL301"]) == [
        hit("SL301", WF, explicit, "permissions:"),
    ]


# --- SL302 -------------------------------------------------------------------------------------

ON_PR = """
    on:
      push:
        branches: [main]
        tags: ["v*"]
      pull_request:
    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_publish_reachable_from_pull_request(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: ON_PR}, select=["SL302"]) == [hit("SL302", WF, ON_PR, ACTION)]
    (finding,) = audit_findings({WF: ON_PR}, select=["SL302"])
    assert "`pull_request`" in finding.message
    assert "fork pull requests get no OIDC token" in finding.message
    # a repository-owner guard does not keep fork pull requests out
    wf = ON_PR.replace(
        "        runs-on: ubuntu-latest\n",
        "        if: github.repository == 'octo/pkg'\n        runs-on: ubuntu-latest\n",
    )
    assert audit({WF: wf}, select=["SL302"]) == [hit("SL302", WF, wf, ACTION)]


def test_guards_that_exclude_pull_requests(audit: AuditFn) -> None:
    guards = (
        "startsWith(github.ref, 'refs/tags/')",
        "${{ github.event_name == 'push' && github.ref_type == 'tag' }}",
        "github.event_name != 'pull_request'",
        "contains(github.ref, 'refs/tags')",
        "github.event.pull_request.head.repo.full_name == github.repository",
        "github.event_name == 'push' || github.event_name == 'workflow_dispatch'",
    )
    for guard in guards:
        job_if = ON_PR.replace(
            "        runs-on: ubuntu-latest\n",
            f"        if: {guard}\n        runs-on: ubuntu-latest\n",
        )
        assert audit({WF: job_if}, select=["SL302"]) == [], guard
    step_if = ON_PR.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - if: startsWith(github.ref, 'refs/tags/')\n"
        "            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    assert audit({WF: step_if}, select=["SL302"]) == []


def test_guard_inherited_through_needs_and_outputs(audit: AuditFn) -> None:
    wf = """
        on: [push, pull_request]
        jobs:
          settings:
            runs-on: ubuntu-latest
            outputs:
              release: >-
                ${{ github.event_name == 'push' && startsWith(github.ref, 'refs/tags/') }}
            steps:
              - run: echo
          gate:
            needs: settings
            if: fromJSON(needs.settings.outputs.release)
            runs-on: ubuntu-latest
            steps:
              - run: echo
          publish:
            needs: [gate]
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: uv publish
    """
    assert audit({WF: wf}, select=["SL302"]) == []
    # `always()` runs the job even when `gate` was skipped
    runs_anyway = wf.replace(
        "            needs: [gate]\n", "            needs: [gate]\n            if: always()\n"
    )
    assert audit({WF: runs_anyway}, select=["SL302"]) == [
        hit("SL302", WF, runs_anyway, "uv publish"),
    ]


def test_pull_request_target(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = ON_PR.replace("      pull_request:\n", "      pull_request_target:\n").replace(
        "        runs-on: ubuntu-latest\n",
        "        if: github.event_name != 'pull_request'\n        runs-on: ubuntu-latest\n",
    )
    assert audit({WF: wf}, select=["SL302"]) == [hit("SL302", WF, wf, ACTION)]
    (finding,) = audit_findings({WF: wf}, select=["SL302"])
    assert "PyPI refuses trusted publishing from `pull_request_target`" in finding.message


def test_token_uploads_and_workflows_without_pr_triggers(audit: AuditFn) -> None:
    token = ON_PR + "            with:\n              password: ${{ secrets.PYPI_API_TOKEN }}\n"
    assert audit({WF: token}, select=["SL302"]) == []  # SL406's business
    no_pr = ON_PR.replace("      pull_request:\n", "")
    assert audit({WF: no_pr}, select=["SL302"]) == []


def graded(findings: list[Finding]) -> list[tuple[str, str, int, int, Severity]]:
    """(rule, path, line, column, severity) of each finding."""
    return [(f.rule, f.path, f.line or 0, f.column or 0, f.severity) for f in findings]


def at(
    severity: Severity, rule: str, text: str, needle: str
) -> tuple[str, str, int, int, Severity]:
    return (*hit(rule, WF, text, needle), severity)


# pyhf style: the target is computed by a shell script; the publish steps read it
STEP_OUTPUT_GATE = """
    on:
      push:
        branches: [main]
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
        permissions:
          id-token: write
        steps:
          - if: needs.build.outputs.publish-target == 'pypi'
            uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_undecidable_condition_is_information(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: STEP_OUTPUT_GATE}, select=["SL302"]) == [
        hit("SL302", WF, STEP_OUTPUT_GATE, ACTION)
    ]
    (finding,) = audit_findings({WF: STEP_OUTPUT_GATE}, select=["SL302"])
    assert finding.severity is Severity.INFO
    assert "may run on `pull_request`" in finding.message
    assert "condition shiplint cannot evaluate" in finding.help
    # a label test (flox style) cannot be decided either
    labels = ON_PR.replace(
        "        runs-on: ubuntu-latest\n",
        "        if: contains(github.event.pull_request.labels.*.name, 'test-build')\n"
        "        runs-on: ubuntu-latest\n",
    )
    assert graded(audit_findings({WF: labels}, select=["SL302"])) == [
        at(Severity.INFO, "SL302", labels, ACTION)
    ]


def test_event_inputs_are_empty_on_pull_requests(audit: AuditFn) -> None:
    wf = ON_PR.replace(
        "        runs-on: ubuntu-latest\n",
        "        if: github.event.inputs.publish == 'true' || inputs.publish\n"
        "        runs-on: ubuntu-latest\n",
    ).replace("      pull_request:\n", "      pull_request:\n      workflow_dispatch:\n")
    assert audit({WF: wf}, select=["SL302"]) == []


# asyncpg style: a release PR is checked by an action, and a gate step stops the run
APPROVAL_GATE = """
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
      publish:
        needs: validate
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_gate_step_makes_the_publish_uncertain(audit_findings: FindingsFn) -> None:
    assert graded(audit_findings({WF: APPROVAL_GATE}, select=["SL302"])) == [
        at(Severity.INFO, "SL302", APPROVAL_GATE, ACTION)
    ]
    ungated = APPROVAL_GATE.replace("exit 1", "echo continuing")
    assert graded(audit_findings({WF: ungated}, select=["SL302"])) == [
        at(Severity.ERROR, "SL302", ungated, ACTION)
    ]


def test_continue_on_error_publish_is_not_reported(audit: AuditFn) -> None:
    step = ON_PR.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "            continue-on-error: true\n",
    )
    assert audit({WF: step}, select=["SL302"]) == []
    job = ON_PR.replace(
        "        runs-on: ubuntu-latest\n",
        "        runs-on: ubuntu-latest\n        continue-on-error: true\n",
    )
    assert audit({WF: job}, select=["SL302"]) == []


def test_dry_run_is_not_a_publish(audit: AuditFn) -> None:
    # maturin style: dry-run the release pipeline on pull requests, publish on tags
    wf = """
        on:
          push:
            tags: ["v*"]
          pull_request:
        jobs:
          release:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - if: ${{ !startsWith(github.ref, 'refs/tags/') }}
                run: uv publish --dry-run '*'
              - if: startsWith(github.ref, 'refs/tags/')
                run: uv publish '*'
    """
    assert audit({WF: wf}, select=["SL302"]) == []
    always = wf.replace("uv publish --dry-run", "uv publish")
    assert audit({WF: always}, select=["SL302"]) == [hit("SL302", WF, always, "uv publish")]


# --- SL303 -------------------------------------------------------------------------------------

REUSABLE_UV = """
    on:
      workflow_call:
    jobs:
      pypi-publish:
        runs-on: ubuntu-latest
        environment:
          name: release
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with:
              pattern: wheels-*
              path: wheels
              merge-multiple: true
          - run: uv publish -v wheels/*
"""


def test_trusted_publishing_in_reusable_workflow(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    assert audit({WF: REUSABLE_UV}, select=["SL3"]) == [
        hit("SL303", WF, REUSABLE_UV, "uv publish"),
    ]
    (finding,) = audit_findings({WF: REUSABLE_UV}, select=["SL303"])
    assert finding.severity.value == "info"  # PyPI's publisher is not visible here
    assert "must name `release.yml`" in finding.message
    assert "invalid-publisher" in finding.help

    both = REUSABLE_UV.replace("      workflow_call:\n", "      workflow_call:\n      release:\n")
    (finding,) = audit_findings({WF: both}, select=["SL303"])
    assert "when it is called from another workflow" in finding.message


def test_reusable_workflow_negatives(audit: AuditFn) -> None:
    token = REUSABLE_UV.replace(
        "          - run: uv publish -v wheels/*\n",
        "          - run: uv publish -v wheels/*\n            env:\n"
        "              UV_PUBLISH_TOKEN: ${{ secrets.PYPI_API_TOKEN }}\n",
    )
    assert audit({WF: token}, select=["SL303"]) == []
    top_level = REUSABLE_UV.replace("      workflow_call:\n", "      release:\n")
    assert audit({WF: top_level}, select=["SL303"]) == []


# --- SL304 -------------------------------------------------------------------------------------


def _action_workflow(uses: str, with_: str = "") -> str:
    block = f"\n                with:\n{textwrap.indent(with_, ' ' * 18)}" if with_ else ""
    return f"""
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: {uses}{block}
    """


def test_action_predating_oidc(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = _action_workflow("pypa/gh-action-pypi-publish@v1.5.1")
    assert audit({WF: wf}, select=["SL304"]) == [hit("SL304", WF, wf, "v1.5.1")]
    (finding,) = audit_findings({WF: wf}, select=["SL304"])
    assert "1.5.1 predates trusted publishing (v1.8.0)" in finding.message
    assert finding.fix is not None and not finding.fix.safe
    assert audit({WF: fixed_text(finding)}, select=["SL304"]) == []

    sha = _action_workflow(
        "pypa/gh-action-pypi-publish@37f50c210e3d2f9450da2cd423303d6a14a6e29f # v1.6.4"
    )
    (finding,) = audit_findings({WF: sha}, select=["SL304"])
    assert (finding.line, finding.column) == hit("SL304", WF, sha, "37f50c21")[2:]
    assert finding.fix is None


def test_table_sha_wins_over_a_branch_comment(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # numba/llvmlite and zeromq/pyzmq pin dc37677 (v1.14.2) with `# release/v1`
    current = _action_workflow(
        "pypa/gh-action-pypi-publish@dc37677b2e1c63e2034f94d8a5b11f265b73ba33 # release/v1"
    )
    assert audit({WF: current}, select=["SL304"]) == []
    old = _action_workflow(
        "pypa/gh-action-pypi-publish@27b31702a0e7fc50959f5ad993c78deac1bdfc29 # release/v1"
    )
    assert audit({WF: old}, select=["SL304"]) == [hit("SL304", WF, old, "27b31702")]
    (finding,) = audit_findings({WF: old}, select=["SL304"])
    assert finding.message.startswith("pypa/gh-action-pypi-publish 1.4.2 (commit 27b3170) ")


def test_comments_after_an_unknown_sha(audit: AuditFn) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    for comment in ("# v1", "# release/v1", "# main", "# v1.14"):
        wf = _action_workflow(f"pypa/gh-action-pypi-publish@{sha} {comment}")
        assert audit({WF: wf}, select=["SL304"]) == [], comment
    exact = _action_workflow(f"pypa/gh-action-pypi-publish@{sha} # v1.7.0")
    assert audit({WF: exact}, select=["SL304"]) == [hit("SL304", WF, exact, sha)]


def test_sunset_master_has_no_trusted_publishing(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = _action_workflow("pypa/gh-action-pypi-publish@master")
    assert audit({WF: wf}, select=["SL304"]) == [hit("SL304", WF, wf, "master")]
    (finding,) = audit_findings({WF: wf}, select=["SL304"])
    assert "`@master` (sunset, frozen before trusted publishing)" in finding.message
    token = _action_workflow(
        "pypa/gh-action-pypi-publish@master", "password: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    assert audit({WF: token}, select=["SL304"]) == []


def test_action_with_oidc_or_password(audit: AuditFn) -> None:
    for wf in (
        _action_workflow("pypa/gh-action-pypi-publish@v1.8.0"),
        _action_workflow("pypa/gh-action-pypi-publish@release/v1"),
        _action_workflow(
            "pypa/gh-action-pypi-publish@v1.5.1", "password: ${{ secrets.PYPI_API_TOKEN }}\n"
        ),
    ):
        assert audit({WF: wf}, select=["SL304"]) == []


# --- SL305 / SL306 -----------------------------------------------------------------------------

TOKEN_WITH_ID_TOKEN = """
    on:
      release:
        types: [published]
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              user: __token__
              password: ${{ secrets.PYPI_API_TOKEN }}
"""


def test_password_disables_trusted_publishing(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: TOKEN_WITH_ID_TOKEN}, select=["SL3"]) == [
        hit("SL305", WF, TOKEN_WITH_ID_TOKEN, "password"),
    ]
    (finding,) = audit_findings({WF: TOKEN_WITH_ID_TOKEN}, select=["SL305"])
    assert finding.severity.value == "warning"
    assert "secret `PYPI_API_TOKEN`" in finding.message
    assert "disabling Trusted Publishing" in finding.help
    assert finding.fix is not None and not finding.fix.safe
    fixed = fixed_text(finding)
    assert fixed == body(
        TOKEN_WITH_ID_TOKEN.replace(
            "\n            with:\n              user: __token__\n"
            "              password: ${{ secrets.PYPI_API_TOKEN }}\n",
            "\n",
        )
    )
    assert audit({WF: fixed}, select=["SL3"]) == []


def test_password_fix_keeps_other_inputs(audit_findings: FindingsFn) -> None:
    wf = TOKEN_WITH_ID_TOKEN + "              skip-existing: true\n"
    (finding,) = audit_findings({WF: wf}, select=["SL305"])
    assert fixed_text(finding).endswith(
        "@release/v1\n        with:\n          skip-existing: true\n"
    )


def test_id_token_for_another_step_is_no_intent(audit: AuditFn) -> None:
    # the job asks for `id-token: write` to attest its files, or for a TestPyPI upload by
    # trusted publishing: the token upload to PyPI is only the general suggestion
    attest = TOKEN_WITH_ID_TOKEN.replace(
        "          - uses: actions/download-artifact@v4\n",
        "          - uses: actions/download-artifact@v4\n"
        "          - uses: actions/attest-build-provenance@v2\n"
        "            with: {subject-path: dist/*}\n",
    )
    assert audit({WF: attest}, select=["SL305", "SL306"]) == [
        hit("SL306", WF, attest, "password"),
    ]
    signed = TOKEN_WITH_ID_TOKEN.replace(
        "          - uses: actions/download-artifact@v4\n",
        "          - uses: actions/download-artifact@v4\n"
        "          - run: python -m sigstore sign dist/*\n",
    )
    assert audit({WF: signed}, select=["SL305", "SL306"]) == [
        hit("SL306", WF, signed, "password"),
    ]
    testpypi = TOKEN_WITH_ID_TOKEN.replace(
        "          - uses: actions/download-artifact@v4\n",
        "          - uses: actions/download-artifact@v4\n"
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "            with:\n"
        "              repository-url: https://test.pypi.org/legacy/\n"
        "              attestations: false\n",
    )
    assert audit({WF: testpypi}, select=["SL305", "SL306"]) == [
        hit("SL306", WF, testpypi, "password"),
    ]
    # a step that needs no token (checkout, a build) leaves the intent: still SL305
    built = TOKEN_WITH_ID_TOKEN.replace(
        "          - uses: actions/download-artifact@v4\n",
        "          - uses: actions/download-artifact@v4\n          - run: python -m build\n",
    )
    assert audit({WF: built}, select=["SL305", "SL306"]) == [
        hit("SL305", WF, built, "password"),
    ]


def test_token_without_id_token_is_a_suggestion(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = TOKEN_WITH_ID_TOKEN.replace("        permissions:\n          id-token: write\n", "")
    assert audit({WF: wf}, select=["SL3"]) == [hit("SL306", WF, wf, "password")]
    (finding,) = audit_findings({WF: wf}, select=["SL306"])
    assert finding.severity.value == "info"
    assert finding.message.startswith("pypa/gh-action-pypi-publish uploads to PyPI")
    testpypi = wf + "              repository-url: https://test.pypi.org/legacy/\n"
    (finding,) = audit_findings({WF: testpypi}, select=["SL306"])
    assert "uploads to TestPyPI" in finding.message


def test_custom_index_needs_its_token(audit: AuditFn) -> None:
    wf = TOKEN_WITH_ID_TOKEN + "              repository-url: https://pypi.example.com/legacy/\n"
    assert audit({WF: wf}, select=["SL3"]) == []


def test_cli_token_uploads(audit: AuditFn) -> None:
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          twine:
            runs-on: ubuntu-latest
            steps:
              - run: python -m twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
          uv:
            runs-on: ubuntu-latest
            steps:
              - run: uv publish --token "${{ secrets.PYPI_TOKEN }}"
          hatch:
            runs-on: ubuntu-latest
            steps:
              - run: hatch publish -r test
                env:
                  HATCH_INDEX_AUTH: ${{ secrets.TEST_PYPI_TOKEN }}
          private:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload --repository-url https://pkgs.example.com/ dist/*
                env:
                  TWINE_PASSWORD: ${{ secrets.NEXUS_TOKEN }}
          conda:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda -t ${{ secrets.ANACONDA_TOKEN }} upload dist/*.whl
    """
    assert audit({WF: wf}, select=["SL306"]) == [
        hit("SL306", WF, wf, "twine upload"),
        hit("SL306", WF, wf, "uv publish"),
        hit("SL306", WF, wf, "hatch publish"),
    ]


def test_token_uploads_where_trusted_publishing_cannot_work(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    shared = ".github/workflows/publish.yml"
    reusable = """
        on:
          workflow_call:
            secrets:
              PYPI_API_TOKEN:
                required: true
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{ secrets.PYPI_API_TOKEN }}
    """
    # only called, and not from here: PyPI wants the called workflow in the caller's
    # repository, so a caller elsewhere cannot publish by trusted publishing
    assert audit({shared: reusable}, select=["SL306"]) == []
    # PyPI refuses trusted publishing from pull_request_target runs
    target = """
        on:
          pull_request_target:
            types: [labeled]
        jobs:
          publish:
            if: github.event.label.name == 'publish-dev'
            runs-on: ubuntu-latest
            steps:
              - run: uv publish --index testpypi --token "$TOKEN"
                env:
                  TOKEN: ${{ secrets.TEST_PYPI_TOKEN }}
    """
    assert audit({WF: target}, select=["SL306"]) == []
    # called from this repository: it would work, with a publisher naming the called file
    caller = """
        on:
          release:
            types: [published]
        jobs:
          publish:
            uses: ./.github/workflows/publish.yml
            secrets:
              PYPI_API_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
    """
    files = {shared: reusable, WF: caller}
    findings = audit_findings(files, select=["SL306"])
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [
        hit("SL306", shared, reusable, "password"),
    ]
    assert "called from `.github/workflows/release.yml`" in findings[0].help
    assert "must name `publish.yml`, and `attestations: false`" in findings[0].help


def test_uploads_outside_github_workflows(audit: AuditFn) -> None:
    tox = """
        [testenv:release]
        passenv = TWINE_PASSWORD
        setenv =
            TWINE_USERNAME = __token__
            TWINE_PASSWORD = {env:PYPI_TOKEN}
        commands = twine upload dist/*
    """
    assert audit({"tox.ini": tox}, select=["SL306"]) == []


# --- SL307 -------------------------------------------------------------------------------------

NO_ENVIRONMENT = """
    on:
      push:
        tags: ["v*"]
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: python -m build
      publish:
        needs: build
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
          - uses: pypa/gh-action-pypi-publish@release/v1
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              repository-url: https://test.pypi.org/legacy/
              attestations: false
"""


def test_trusted_publishing_without_environment(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {WF: NO_ENVIRONMENT, "pyproject.toml": '[project]\nname = "sampleproject"\n'}
    # one finding per job, at the job's id
    assert audit(files, select=["SL307"]) == [hit("SL307", WF, NO_ENVIRONMENT, "publish:")]
    (finding,) = audit_findings(files, select=["SL307"])
    assert finding.severity is Severity.INFO
    assert "environment: {name: pypi, url: https://pypi.org/p/sampleproject}" in finding.help
    for environment in ["environment: pypi", "environment:\n          name: release"]:
        wf = NO_ENVIRONMENT.replace(
            "        needs: build\n", f"        needs: build\n        {environment}\n"
        )
        assert audit({WF: wf}, select=["SL307"]) == [], environment


def test_environment_rule_needs_trusted_publishing(audit: AuditFn) -> None:
    token = NO_ENVIRONMENT.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "            with:\n              password: ${{ secrets.PYPI_API_TOKEN }}\n",
    ).replace(
        "            with:\n              repository-url: https://test.pypi.org/legacy/\n"
        "              attestations: false\n",
        "",
    )
    assert audit({WF: token}, select=["SL307"]) == []
    uv = """
        on: {release: {types: [published]}}
        jobs:
          pypi:
            runs-on: ubuntu-latest
            permissions: {id-token: write}
            steps:
              - run: uv publish --trusted-publishing always --index testpypi
              - run: uv publish --dry-run
    """
    assert audit({WF: uv}, select=["SL307"]) == [hit("SL307", WF, uv, "pypi:")]
    dry = uv.replace(
        "              - run: uv publish --trusted-publishing always --index testpypi\n", ""
    )
    assert audit({WF: dry}, select=["SL307"]) == []


# --- the `if:` evaluator behind SL302/SL204/SL205 ----------------------------------------------


@pytest.mark.parametrize(
    ("condition", "pull_request", "pull_request_target"),
    [
        ("startsWith(github.ref, 'refs/tags/')", False, False),
        ("${{ github.event_name == 'release' }}", False, False),
        ("github.event_name != 'pull_request'", False, True),
        # the repository's own name: true in its runs, fork pull requests included
        ("github.repository == 'octo/pkg'", True, True),
        ("github.repository != 'octo/pkg'", False, False),
        ("github.ref == 'refs/heads/main'", False, None),
        ("github.ref_type == 'tag' && github.event_name == 'push'", False, False),
        ('contains(fromJSON(\'["push", "release"]\'), github.event_name)', False, False),
        ("github.event.pull_request.head.repo.full_name == github.repository", False, None),
        ("!github.event.pull_request.head.repo.fork", False, None),
        ("${{ !startsWith(github.ref, 'refs/tags') }}", True, True),
        ("always()", True, True),
        ("github.event.release.prerelease == false", True, True),  # null == false is true
        ("(github.event_name == 'push' && true) || false", False, False),
        ("garbage ((", None, None),
    ],
)
def test_condition_under_pull_requests(
    condition: str, pull_request: bool | None, pull_request_target: bool | None
) -> None:
    for event, expected in (
        ("pull_request", pull_request),
        ("pull_request_target", pull_request_target),
    ):
        facts = pr_facts(event)

        def lookup(path: tuple[str, ...], facts: Facts = facts) -> Value:
            for size in range(len(path), 0, -1):
                if path[:size] in facts:
                    value = facts[path[:size]]
                    return value if size == len(path) else (None if value is None else UNKNOWN)
            return UNKNOWN

        assert Evaluator(lookup).truth(condition) is expected, (condition, event)


# --- uploads in a local composite action run in the calling job -------------------------------

COMPOSITE = """
    name: publish
    runs:
      using: composite
      steps:
        - uses: actions/download-artifact@v4
          with: {name: dist, path: dist}
        - uses: pypa/gh-action-pypi-publish@release/v1
"""
CALLER = """
    on:
      pull_request:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: ./.github/actions/publish
"""
ACTION_FILE = ".github/actions/publish/action.yml"


def test_trusted_publishing_rules_follow_a_local_composite_action(audit: AuditFn) -> None:
    files = {ACTION_FILE: COMPOSITE, WF: CALLER}
    assert audit(files, select=["SL301", "SL302", "SL307"]) == [
        hit("SL302", ACTION_FILE, COMPOSITE, "pypa/gh-action-pypi-publish"),
        hit("SL301", WF, CALLER, "publish:"),
        hit("SL307", WF, CALLER, "publish:"),
    ]
    fixed = CALLER.replace("      pull_request:\n", "").replace(
        "        runs-on: ubuntu-latest\n",
        "        runs-on: ubuntu-latest\n        environment: pypi\n"
        "        permissions:\n          id-token: write\n",
    )
    assert "environment: pypi" in fixed
    selected = ["SL001", "SL301", "SL302", "SL307"]
    assert audit({ACTION_FILE: COMPOSITE, WF: fixed}, select=selected) == []
    # an action no workflow uses runs in no job: nothing to say about a job
    assert audit({ACTION_FILE: COMPOSITE}, select=["SL301", "SL302", "SL307"]) == []
