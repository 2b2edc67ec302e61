"""SL401-SL407: credentials missing in CI, reusable-workflow secret plumbing, the secrets
context where it is unavailable, blanket inheritance, fork pull requests, secrets in run:."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from shiplint.findings import Finding, Severity
from tests.conftest import AuditFn, hit

NIGHTLY = "scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
WF = ".github/workflows/wheels.yml"
FindingsFn = Callable[..., "list[Finding]"]

# --- SL401 upload-without-credential -----------------------------------------------------------


def test_nightly_action_without_token_input(audit: AuditFn) -> None:
    wf = f"""
        on:
          schedule: [{{cron: "0 2 * * 1"}}]
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
                with: {{pattern: cibw-*, merge-multiple: true, path: dist}}
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ""
    """
    assert audit({WF: wf}, select=["SL401"]) == [
        hit("SL401", WF, wf, NIGHTLY),
        hit("SL401", WF, wf, "anaconda_nightly_upload_token"),
    ]


def test_missing_token_severity_follows_the_way_to_the_upload(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    wf = f"""
        on:
          schedule: [{{cron: "0 2 * * 1"}}]
          workflow_dispatch:
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
    """

    def found(text: str) -> list[Severity]:
        return [f.severity for f in audit_findings({WF: text}, select=["SL401"])]

    assert found(wf) == [Severity.ERROR]
    step = f"              - uses: {NIGHTLY} # 0.6.4\n"
    assert step in wf

    def guarded(key: str) -> str:
        return wf.replace(step, f"              - {key}\n                uses: {NIGHTLY} # 0.6.4\n")

    # a variable decides whether it runs: check it
    assert found(guarded("if: vars.NIGHTLY == 'true'")) == [Severity.WARNING]
    # a failure there leaves the run green
    assert found(guarded("continue-on-error: true")) == [Severity.INFO]
    # only on pushes, which do not start this workflow: never runs
    never = guarded("if: github.event_name == 'push'")
    assert found(never) == []


def test_nightly_token_fix_adds_the_input(
    tmp_path: Path, audit_findings: Callable[..., list[Finding]]
) -> None:
    wf = f"""
        on: {{schedule: [{{cron: "0 2 * * 1"}}]}}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist  # wheels only
                  anaconda_nightly_upload_labels: |
                    main
              - run: echo done
    """
    (finding,) = audit_findings({WF: wf}, select=["SL401"])
    assert finding.fix is not None and not finding.fix.safe
    path = tmp_path / WF
    text = path.read_text(encoding="utf-8")
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    token_line = (
        "          anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    original = path.read_text(encoding="utf-8")
    assert text == original.replace("            main\n", "            main\n" + token_line)
    path.write_text(text, encoding="utf-8")
    assert audit_findings({}, select=["SL401"]) == []


def test_nightly_action_with_token_is_fine(audit: AuditFn) -> None:
    wf = f"""
        on: {{schedule: [{{cron: "0 2 * * 1"}}]}}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
    """
    assert audit({WF: wf}, select=["SL401"]) == []


def test_anaconda_upload_without_token_in_run_and_called_script(audit: AuditFn) -> None:
    wf = """
        on: {schedule: [{cron: "0 2 * * 1"}]}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  pixi global install anaconda-client
                  anaconda upload --force -u scientific-python-nightly-wheels dist/*.whl
              - run: bash tools/upload_wheels.sh
    """
    script = """
        #!/bin/bash
        set -euo pipefail
        anaconda -q upload --force -u scientific-python-nightly-wheels wheelhouse/*.whl
    """
    assert audit({WF: wf, "tools/upload_wheels.sh": script}, select=["SL401"]) == [
        hit("SL401", WF, wf, "anaconda upload"),
        hit("SL401", "tools/upload_wheels.sh", script, "anaconda -q upload"),
    ]


def test_anaconda_token_given_in_every_accepted_way(audit: AuditFn) -> None:
    wf = """
        on: {schedule: [{cron: "0 2 * * 1"}]}
        jobs:
          upload:
            runs-on: ubuntu-latest
            env:
              BINSTAR_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
            steps:
              - run: anaconda upload --force dist/*.whl
          flag:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda --token "$TOKEN" upload --force dist/*.whl
                env:
                  TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
          login:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  anaconda login --username "$USER" --password "$PASSWORD"
                  anaconda upload dist/*.whl
          exported:
            runs-on: ubuntu-latest
            steps:
              - run: echo "ANACONDA_API_TOKEN=$(cat token)" >> "$GITHUB_ENV"
              - run: anaconda upload dist/*.whl
          script:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
                env:
                  ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    script = "anaconda upload --force wheelhouse/*.whl\n"
    # a local Makefile may rely on `anaconda login`; a composite action on its caller's env
    makefile = "upload:\n\tanaconda upload dist/*.whl\n"
    action = """
        name: upload
        runs:
          using: composite
          steps:
            - run: anaconda upload --force dist/*.whl
              shell: bash
    """
    files = {
        WF: wf,
        "tools/upload.sh": script,
        "Makefile": makefile,
        ".github/actions/upload/action.yml": action,
    }
    assert audit(files, select=["SL401"]) == []


def test_twine_in_workflow_needs_password_or_oidc(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - run: python -m twine upload --skip-existing dist/*
                env:
                  TWINE_USERNAME: __token__
          oidc:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: python -m twine upload dist/*
          token:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
    """
    tox = "[testenv:release]\ncommands = twine upload dist/*\n"
    assert audit({WF: wf, "tox.ini": tox}, select=["SL401"]) == [
        hit("SL401", WF, wf, "twine upload"),
    ]


def test_twine_in_called_workflow_gets_its_permissions_from_the_caller(
    audit: AuditFn, audit_findings: Callable[..., list[Finding]]
) -> None:
    callee = ".github/workflows/upload.yml"
    reusable = """
        on:
          workflow_call:
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
              - run: python -m twine upload dist/*
    """
    caller = """
        on:
          release:
            types: [published]
        jobs:
          publish:
            uses: ./.github/workflows/upload.yml
            permissions:
              id-token: write
    """
    # no caller here: one elsewhere may grant id-token: write (twine >= 6.1 uses it)
    assert audit({callee: reusable}, select=["SL401"]) == []
    # the caller here grants it
    assert audit({callee: reusable, WF: caller}, select=["SL401"]) == []
    # the only caller withholds it: the upload has no credential at all
    withheld = caller.replace("              id-token: write\n", "              contents: read\n")
    findings = audit_findings({callee: reusable, WF: withheld}, select=["SL401"])
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [
        hit("SL401", callee, reusable, "twine upload"),
    ]
    assert "Unable to retrieve an OIDC token" in findings[0].help


# --- SL402 undeclared-workflow-secret ----------------------------------------------------------

REUSABLE = ".github/workflows/upload.yml"


UPLOAD_CALLER = """
    on: {release: {types: [published]}}
    jobs:
      upload:
        uses: ./.github/workflows/upload.yml
        secrets:
          anaconda_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
"""


def _graded(findings: list[Finding]) -> list[tuple[str, str, int, int, str]]:
    return [(f.rule, f.path, f.line or 0, f.column or 0, f.severity.value) for f in findings]


def test_reusable_workflow_uploads_with_an_undeclared_secret(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    """The upload's token is empty whenever release.yml calls the workflow: an error. The
    same workflow's other undeclared secrets feed no upload: information."""
    wf = """
        on:
          workflow_call:
            inputs:
              org: {type: string, default: scientific-python-nightly-wheels}
            secrets:
              anaconda_token:
                required: true
        jobs:
          upload:
            runs-on: ubuntu-latest
            if: secrets.UPLOAD_TOKEN != ''
            steps:
              - name: Upload
                env:
                  ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_TOKEN }}
                  GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                  STAGING: ${{ secrets.STAGING_UPLOAD_TOKEN }}
                run: anaconda upload --force -u ${{ inputs.org }} dist/*.whl
              - run: echo "${{ secrets['NIGHTLY_TOKEN'] }}" > /dev/null
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
    """
    findings = audit_findings(
        {REUSABLE: wf, ".github/workflows/release.yml": UPLOAD_CALLER}, select=["SL402"]
    )
    assert _graded(findings) == [
        (*hit("SL402", REUSABLE, wf, "secrets.UPLOAD_TOKEN"), "info"),
        (*hit("SL402", REUSABLE, wf, "secrets.STAGING_UPLOAD_TOKEN"), "info"),
        (*hit("SL402", REUSABLE, wf, "secrets['NIGHTLY_TOKEN']"), "info"),
        (*hit("SL402", REUSABLE, wf, "secrets.PYPI_API_TOKEN"), "error"),
    ]
    assert findings[3].message == (
        "secret `PYPI_API_TOKEN` is not declared in on.workflow_call.secrets (declared: "
        "ANACONDA_TOKEN): `twine upload` gets an empty token when "
        "`.github/workflows/release.yml` calls this workflow"
    )
    assert findings[1].message.endswith(
        "it is empty when this workflow is called, but no package upload reads it"
    )


def test_undeclared_upload_secret_that_something_else_may_supply(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    """dipy: `token: ${{ inputs.codecov-token || secrets.CODECOV_TOKEN }}` in a test
    workflow. An environment's own secrets, a fallback value in the expression, trusted
    publishing, or a caller in another repository with `secrets: inherit` may give the
    upload its credential: information saying what to check, not an error."""
    wf = """
        on:
          workflow_call:
            inputs:
              token: {type: string, required: false}
            secrets:
              codecov-token: {required: false}
        jobs:
          coverage:
            runs-on: ubuntu-latest
            steps:
              - uses: codecov/codecov-action@v5
                with:
                  token: ${{ inputs.codecov-token || secrets.CODECOV_TOKEN }}
          env-secret:
            runs-on: ubuntu-latest
            environment: pypi
            steps:
              - run: twine upload dist/*
                env: {TWINE_USERNAME: __token__, TWINE_PASSWORD: "${{ secrets.PYPI_TOKEN }}"}
          fallback:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.TEST_TOKEN || secrets.codecov-token }}
          trusted:
            runs-on: ubuntu-latest
            permissions: {id-token: write}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{ secrets.LEGACY_TOKEN }}
    """
    caller = """
        on: {push: {branches: [main]}}
        jobs:
          test:
            uses: ./.github/workflows/upload.yml
            secrets:
              codecov-token: ${{ secrets.CODECOV_TOKEN }}
    """
    files = {REUSABLE: wf, ".github/workflows/test.yml": caller}
    findings = audit_findings(files, select=["SL402"])
    assert _graded(findings) == [
        (*hit("SL402", REUSABLE, wf, "secrets.CODECOV_TOKEN"), "info"),
        (*hit("SL402", REUSABLE, wf, "secrets.PYPI_TOKEN"), "info"),
        (*hit("SL402", REUSABLE, wf, "secrets.TEST_TOKEN"), "info"),
        (*hit("SL402", REUSABLE, wf, "secrets.LEGACY_TOKEN"), "info"),
    ]
    assert [f.message.split("called, ", 1)[1] for f in findings] == [
        "but no package upload reads it",
        "unless environment `pypi` of job `env-secret` holds it",
        "and the expression has another value to use then",
        "and the job may publish by trusted publishing instead (`id-token: write`)",
    ]


def test_undeclared_upload_secret_of_a_workflow_nothing_here_calls(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    """A caller in another repository may pass every secret with `secrets: inherit`."""
    wf = """
        on:
          workflow_call:
            secrets:
              PYPI_TOKEN: {required: false}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env: {TWINE_USERNAME: __token__, TWINE_PASSWORD: "${{ secrets.TEST_PYPI_TOKEN }}"}
    """
    (finding,) = audit_findings({REUSABLE: wf}, select=["SL402"])
    assert (finding.line, finding.severity.value) == (10, "info")
    assert finding.message.endswith(
        "it is empty when this workflow is called, and no workflow here calls it"
    )


def test_undeclared_secret_near_misses(audit: AuditFn) -> None:
    no_block = """
        on: {workflow_call: {inputs: {org: {type: string}}}}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda upload dist/*.whl
                env: {ANACONDA_API_TOKEN: "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}"}
    """
    not_reusable = """
        on: {push: {branches: [main]}}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: echo "secrets.X is not an expression here"
                env: {T: "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}"}
    """
    files = {".github/workflows/a.yml": no_block, ".github/workflows/b.yml": not_reusable}
    assert audit(files, select=["SL402"]) == []


def test_undeclared_secret_passed_by_inherit_is_not_reported(audit: AuditFn) -> None:
    callee = """
        on:
          workflow_call:
            secrets:
              PYPI_TOKEN: {required: false}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env:
                  TWINE_PASSWORD: ${{ secrets.TEST_PYPI_TOKEN }}
    """
    caller = """
        on: {push: {tags: ["v*"]}}
        jobs:
          release:
            uses: ./.github/workflows/upload.yml
            secrets: inherit
    """
    files = {REUSABLE: callee, ".github/workflows/release.yml": caller}
    assert audit(files, select=["SL402"]) == []


# --- SL403 undeclared-secret-passed ------------------------------------------------------------

CALLER = ".github/workflows/release.yml"


def test_caller_passes_secret_the_callee_does_not_declare(audit: AuditFn) -> None:
    callee = """
        on:
          workflow_call:
            secrets:
              PYPI_TOKEN:
                required: true
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
                env: {TWINE_USERNAME: __token__, TWINE_PASSWORD: "${{ secrets.PYPI_TOKEN }}"}
    """
    no_secrets = """
        on: workflow_call
        jobs:
          docs:
            runs-on: ubuntu-latest
            steps: [{run: make html}]
    """
    caller = """
        on: {push: {tags: ["v*"]}}
        jobs:
          publish:
            uses: ./.github/workflows/upload.yml
            secrets:
              pypi_token: ${{ secrets.PYPI_API_TOKEN }}
              TX_TOKEN: ${{ secrets.TX_TOKEN }}
          docs:
            uses: ./.github/workflows/docs.yml
            secrets:
              RTD_TOKEN: ${{ secrets.RTD_TOKEN }}
          remote:
            uses: octo-org/workflows/.github/workflows/upload.yml@v1
            secrets:
              ANYTHING: ${{ secrets.ANYTHING }}
          missing:
            uses: ./.github/workflows/not-here.yml
            secrets:
              X: ${{ secrets.X }}
    """
    files = {REUSABLE: callee, ".github/workflows/docs.yml": no_secrets, CALLER: caller}
    assert audit(files, select=["SL403"]) == [
        hit("SL403", CALLER, caller, "TX_TOKEN:"),
        hit("SL403", CALLER, caller, "RTD_TOKEN:"),
    ]


def test_call_secrets_by_callee_trigger_syntax(audit: AuditFn) -> None:
    # `on: [workflow_call, ...]` declares no secrets: any passed one is rejected; a call
    # with `secrets: inherit` passes what it has and GitHub checks nothing
    listed = """
        on: [workflow_call, workflow_dispatch]
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload dist/*
    """
    caller = """
        on: {release: {types: [published]}}
        jobs:
          passed:
            uses: ./.github/workflows/upload.yml
            secrets:
              PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
          inherited:
            uses: ./.github/workflows/upload.yml
            secrets: inherit
    """
    files = {REUSABLE: listed, CALLER: caller}
    assert audit(files, select=["SL403"]) == [hit("SL403", CALLER, caller, "PYPI_TOKEN:")]


# --- SL404 secrets-in-if -----------------------------------------------------------------------


def test_secrets_in_job_and_step_if(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          publish:
            if: ${{ secrets.PYPI_API_TOKEN != '' }}
            runs-on: ubuntu-latest
            steps:
              - name: Publish
                if: github.event_name == 'push' && secrets.PYPI_API_TOKEN
                run: twine upload dist/*
          call:
            uses: ./.github/workflows/upload.yml
            with:
              token: ${{ secrets.PYPI_API_TOKEN }}
              label: nightly
    """
    assert audit({CALLER: wf}, select=["SL404"]) == [
        hit("SL404", CALLER, wf, "secrets.PYPI_API_TOKEN"),
        hit("SL404", CALLER, wf, "secrets.PYPI_API_TOKEN", 2),
        hit("SL404", CALLER, wf, "secrets.PYPI_API_TOKEN", 3),
    ]


def test_secrets_in_composite_action(audit: AuditFn) -> None:
    action = """
        name: Upload wheels
        description: Pass the token as ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} from the caller
        inputs:
          token:
            description: the Anaconda token
            required: true
        runs:
          using: composite
          steps:
            - if: secrets.ANACONDA_ORG_UPLOAD_TOKEN != ''
              shell: bash
              run: anaconda --token "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}" upload dist/*
    """
    path = ".github/actions/upload/action.yml"
    assert audit({path: action}, select=["SL404"]) == [
        hit("SL404", path, action, "secrets.ANACONDA_ORG_UPLOAD_TOKEN", 2),
        hit("SL404", path, action, "secrets.ANACONDA_ORG_UPLOAD_TOKEN", 3),
    ]


def test_env_in_if_is_the_fix(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          publish:
            runs-on: ubuntu-latest
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
            steps:
              - id: get-secrets
                run: echo ok
              - if: env.TWINE_PASSWORD != '' && steps.get-secrets.outputs.secrets == 'x'
                run: twine upload dist/*
              - if: "!contains(github.event.head_commit.message, 'secrets.rotate')"
                run: echo "${{ secrets.PYPI_API_TOKEN }}" | wc -c
          call:
            uses: ./.github/workflows/upload.yml
            with: {label: nightly}
            secrets: {token: "${{ secrets.PYPI_API_TOKEN }}"}
    """
    action = """
        name: x
        runs:
          using: composite
          steps:
            - run: anaconda --token "${{ inputs.token }}" upload dist/*
              shell: bash
    """
    files = {CALLER: wf, ".github/actions/x/action.yml": action}
    assert audit(files, select=["SL404"]) == []


# --- SL405 secrets-inherit ---------------------------------------------------------------------


def test_inherit_into_uploading_workflows(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    """Another repository's publishing workflow gets every secret: a warning. A workflow of
    this repository reads only what its expressions name: information saying which."""
    uploads = f"""
        on: workflow_call
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
    """
    nested = """
        on: workflow_call
        jobs:
          nightly:
            uses: ./.github/workflows/upload.yml
            secrets: {ANACONDA_ORG_UPLOAD_TOKEN: "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}"}
    """
    tests = """
        on: workflow_call
        jobs:
          test:
            runs-on: ubuntu-latest
            steps: [{run: pytest}]
    """
    caller = """
        on: {schedule: [{cron: "0 2 * * 1"}]}
        jobs:
          nightly:
            uses: ./.github/workflows/upload.yml
            secrets: inherit
          via:
            uses: ./.github/workflows/nested.yml
            secrets: inherit
          tests:
            uses: ./.github/workflows/tests.yml
            secrets: inherit
          remote:
            uses: octo-org/shared/.github/workflows/pypi-publish.yml@v2
            secrets: inherit
          remote-ci:
            uses: octo-org/shared/.github/workflows/ci.yml@v2
            secrets: inherit
          named:
            uses: octo-org/shared/.github/workflows/release.yml@v2
            secrets:
              PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
    """
    files = {
        REUSABLE: uploads,
        ".github/workflows/nested.yml": nested,
        ".github/workflows/tests.yml": tests,
        CALLER: caller,
    }
    findings = audit_findings(files, select=["SL405"])
    assert _graded(findings) == [
        (*hit("SL405", CALLER, caller, "inherit"), "info"),
        (*hit("SL405", CALLER, caller, "inherit", 2), "info"),
        (*hit("SL405", CALLER, caller, "inherit", 4), "warning"),
    ]
    assert [f.message for f in findings] == [
        "job `nightly` passes every secret to `.github/workflows/upload.yml`, which uploads "
        "with upload-nightly-action and reads `ANACONDA_ORG_UPLOAD_TOKEN`",
        "job `via` passes every secret to `.github/workflows/nested.yml`, which uploads with "
        "upload-nightly-action and reads `ANACONDA_ORG_UPLOAD_TOKEN`",
        "job `remote` passes every secret to `octo-org/shared/.github/workflows/"
        "pypi-publish.yml` of another repository",
    ]
    assert findings[0].help.endswith(
        "Pass those instead: `secrets: {ANACONDA_ORG_UPLOAD_TOKEN: ${{ secrets."
        "ANACONDA_ORG_UPLOAD_TOKEN }}}`, declared in its `on.workflow_call.secrets`."
    )


def test_inherit_through_self_repository_references(
    audit_findings: Callable[..., list[Finding]],
) -> None:
    """`uses: $/.github/workflows/x.yml` names a workflow of this repository, like `./`
    (GitHub changelog 2026-07-30; astral-sh/ruff's cargo-dist release.yml). Only the callee
    that uploads a package is reported, not the docs, playground or mirror deploys whose
    file names say "publish"."""
    pypi = """
        on: {workflow_call: {inputs: {plan: {type: string}}}}
        jobs:
          pypi-publish:
            runs-on: ubuntu-latest
            environment: {name: release}
            permissions: {id-token: write}
            steps:
              - uses: actions/download-artifact@v4
                with: {pattern: wheels-*, path: wheels, merge-multiple: true}
              - run: uv publish -v wheels/*
    """
    docs = """
        on: {workflow_call: {inputs: {plan: {type: string}}}}
        jobs:
          docs:
            runs-on: ubuntu-latest
            steps:
              - run: mkdocs build --strict
              - run: git push https://x-access-token:${DOCS_PAT}@github.com/acme/docs.git HEAD
                env: {DOCS_PAT: "${{ secrets.DOCS_PAT }}"}
    """
    caller = """
        on: {push: {tags: ["*"]}}
        jobs:
          custom-publish-pypi:
            uses: $/.github/workflows/publish-pypi.yml
            with: {plan: "${{ needs.plan.outputs.val }}"}
            secrets: inherit
          custom-publish-docs:
            uses: $/.github/workflows/publish-docs.yml
            with: {plan: "${{ needs.plan.outputs.val }}"}
            secrets: inherit
    """
    files = {
        ".github/workflows/publish-pypi.yml": pypi,
        ".github/workflows/publish-docs.yml": docs,
        CALLER: caller,
    }
    findings = audit_findings(files, select=["SL405"])
    assert _graded(findings) == [(*hit("SL405", CALLER, caller, "inherit"), "info")]
    assert findings[0].message.endswith("which uploads with uv and reads no secret")
    assert findings[0].help.endswith("Drop `secrets: inherit`.")


# --- SL406 upload-on-fork-pr -------------------------------------------------------------------


def test_token_upload_reachable_on_pull_request(audit: AuditFn) -> None:
    wf = """
        on:
          push:
            branches: [main]
          pull_request:
        jobs:
          build:
            runs-on: ubuntu-latest
            steps: [{run: python -m build}]
          upload-staging:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload_wheels.sh
                env:
                  ANACONDA_TOKEN: ${{ secrets.STARDUST_STAGING_UPLOAD_TOKEN }}
              - if: env.TWINE_PASSWORD != ''
                run: twine upload --repository testpypi dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.TEST_PYPI_API_TOKEN }}
    """
    script = """
        #!/bin/bash
        if [[ -n "${ANACONDA_TOKEN}" ]]; then
            anaconda -t "${ANACONDA_TOKEN}" upload --force -u stardust-staging wheelhouse/*.whl
        fi
    """
    files = {WF: wf, "tools/upload_wheels.sh": script}
    assert audit(files, select=["SL406"]) == [
        hit("SL406", WF, wf, "twine upload"),
        hit("SL406", "tools/upload_wheels.sh", script, "anaconda -t"),
    ]


def test_pull_request_target_and_reusable_callee(audit: AuditFn) -> None:
    wf = """
        on: pull_request_target
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{ secrets.PYPI_API_TOKEN }}
    """
    callee = """
        on:
          workflow_call:
            secrets: {ANACONDA_ORG_UPLOAD_TOKEN: {required: true}}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: anaconda upload dist/*.whl
                env: {ANACONDA_API_TOKEN: "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}"}
    """
    ci = """
        on: [push, pull_request]
        jobs:
          nightly:
            uses: ./.github/workflows/upload.yml
            secrets: {ANACONDA_ORG_UPLOAD_TOKEN: "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}"}
    """
    files = {CALLER: wf, REUSABLE: callee, ".github/workflows/ci.yml": ci}
    found = audit(files, select=["SL406"])
    assert found == [
        hit("SL406", CALLER, wf, "pypa/gh-action-pypi-publish@release/v1"),
        hit("SL406", REUSABLE, callee, "anaconda upload"),
    ]


# uvloop style: the release PR's approval is checked by an action; a gate step stops the run
RELEASE_PR = """
    on:
      pull_request:
        branches: [master]
        paths: ["pkg/_version.py"]
    jobs:
      validate:
        runs-on: ubuntu-latest
        steps:
          - uses: edgedb/action-release/validate-pr@master
            id: checkver
            with:
              github_token: ${{ secrets.RELEASE_BOT_GITHUB_TOKEN }}
          - name: Stop if not approved
            if: steps.checkver.outputs.approved != 'true'
            run: |
              echo ::error::PR is not approved yet.
              exit 1
      publish:
        needs: validate
        runs-on: ubuntu-latest
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              user: __token__
              password: ${{ secrets.PYPI_TOKEN }}
"""
PUBLISH = "pypa/gh-action-pypi-publish@release/v1"


def graded(findings: list[Finding]) -> list[tuple[str, str, int, int, Severity]]:
    return [(f.rule, f.path, f.line or 0, f.column or 0, f.severity) for f in findings]


def test_gate_on_an_unknown_output_is_information(audit_findings: FindingsFn) -> None:
    assert graded(audit_findings({WF: RELEASE_PR}, select=["SL406"])) == [
        (*hit("SL406", WF, RELEASE_PR, PUBLISH), Severity.INFO)
    ]
    ungated = RELEASE_PR.replace("exit 1", "echo going on")
    assert graded(audit_findings({WF: ungated}, select=["SL406"])) == [
        (*hit("SL406", WF, ungated, PUBLISH), Severity.WARNING)
    ]


def test_continue_on_error_upload_is_information(audit_findings: FindingsFn) -> None:
    ungated = RELEASE_PR.replace("exit 1", "echo going on")
    tolerant = ungated.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "            continue-on-error: true\n",
    )
    (finding,) = audit_findings({WF: tolerant}, select=["SL406"])
    assert finding.severity is Severity.INFO
    assert "`continue-on-error` keeps the workflow green" in finding.help


def test_dispatch_inputs_are_empty_on_pull_requests(audit: AuditFn) -> None:
    wf = RELEASE_PR.replace("exit 1", "echo going on").replace(
        "        needs: validate\n",
        "        needs: validate\n        if: github.event.inputs.upload == '1'\n",
    )
    assert audit({WF: wf}, select=["SL406"]) == []


def test_guards_that_keep_fork_pull_requests_out(audit: AuditFn) -> None:
    wf = f"""
        on: [push, pull_request, schedule, workflow_dispatch]
        jobs:
          build:
            if: github.event_name != 'pull_request'
            runs-on: ubuntu-latest
            steps: [{{run: python -m build}}]
          after-build:
            needs: [build]
            runs-on: ubuntu-latest
            steps:
              - run: anaconda upload dist/*.whl
                env: {{ANACONDA_API_TOKEN: "${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}"}}
          same-repo:
            if: github.event.pull_request.head.repo.full_name == github.repository
            runs-on: ubuntu-latest
            steps:
              - run: twine upload -r testpypi dist/*
                env: {{TWINE_USERNAME: __token__, TWINE_PASSWORD: "${{{{ secrets.T }}}}"}}
          nightly:
            runs-on: ubuntu-latest
            steps:
              - if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
                uses: {NIGHTLY} # 0.6.4
                with:
                  artifacts_path: dist
                  anaconda_nightly_upload_token: ${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}
          tags:
            if: startsWith(github.ref, 'refs/tags/v')
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with: {{password: "${{{{ secrets.PYPI_API_TOKEN }}}}"}}
          shell-guard:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  if [[ "$GITHUB_EVENT_NAME" == "push" ]]; then
                    anaconda upload dist/*.whl
                  fi
                env: {{ANACONDA_API_TOKEN: "${{{{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}}}"}}
          oidc:
            runs-on: ubuntu-latest
            permissions: {{id-token: write}}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
          numpy-style:
            runs-on: ubuntu-latest
            env:
              IS_SCHEDULE_DISPATCH: ${{{{ github.event_name == 'schedule' }}}}
            steps:
              - run: source tools/wheels/upload_wheels.sh && upload_wheels
                env: {{NIGHTLY_TOKEN: "${{{{ secrets.NIGHTLY_UPLOAD_TOKEN }}}}"}}
    """
    script = """
        upload_wheels() {
            if [[ "$IS_SCHEDULE_DISPATCH" == "true" ]]; then
                anaconda -q -t "${NIGHTLY_TOKEN}" upload --force -u org ./wheelhouse/*.whl
            fi
        }
    """
    files = {WF: wf, "tools/wheels/upload_wheels.sh": script}
    assert audit(files, select=["SL406"]) == []
    # the same script without the event variable is reachable from pull requests
    files["tools/wheels/upload_wheels.sh"] = script.replace("$IS_SCHEDULE_DISPATCH", "$X")
    assert [h[1] for h in audit(files, select=["SL406"])] == ["tools/wheels/upload_wheels.sh"]


# --- SL407 secret-in-run -----------------------------------------------------------------------


def test_upload_token_interpolated_into_an_upload_command(audit: AuditFn) -> None:
    wf = """
        on: {schedule: [{cron: "0 2 * * 1"}], push: {tags: ["v*"]}}
        jobs:
          nightlies:
            runs-on: ubuntu-latest
            steps:
              - run: >
                  anaconda --token ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} upload
                  --user scientific-python-nightly-wheels --skip-existing dist/*.whl
              - run: binstar --token ${{ secrets.CONDA_UPLOAD_TOKEN }} upload --user pyviz x.conda
              - run: |
                  for v in $(cat old.txt); do
                    anaconda --token ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} remove --force "o/p/$v"
                  done
              - run: python -m twine upload -u __token__ -p "${{ secrets.PYPI_API_TOKEN }}" dist/*
              - run: anaconda upload dist/*.whl
                env:
                  ANACONDA_API_TOKEN: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    assert audit({WF: wf}, select=["SL407"]) == [
        hit("SL407", WF, wf, "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} upload"),
        hit("SL407", WF, wf, "${{ secrets.CONDA_UPLOAD_TOKEN }}"),
        hit("SL407", WF, wf, "${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }} remove"),
        hit("SL407", WF, wf, "${{ secrets.PYPI_API_TOKEN }}"),
    ]


def test_secrets_of_other_services_in_run_are_not_release_credentials(audit: AuditFn) -> None:
    """google/jax posts to a chat webhook, astral-sh/ruff clones its docs repository with a
    token, holoviz/panel logs in to its gallery server: none of them is a package index
    credential, so SL407 leaves them alone."""
    wf = """
        on: {release: {types: [published]}}
        jobs:
          notify:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  curl --location --request POST '${{ secrets.RELEASES_WEBHOOK }}' \\
                    --header 'Content-Type: application/json' --data-raw '{"text": "x"}'
              - run: git clone https://${{ secrets.DOCS_PAT }}@github.com/o/docs.git
              - run: |
                  ae5 login --hostname demo.example.com --username ${{ secrets.AE5_USERNAME }} \\
                    --password ${{ secrets.AE5_PASSWORD }}
                  gh release view --repo o/r  # GH_TOKEN=${{ secrets.GITHUB_TOKEN }}
    """
    assert audit({WF: wf}, select=["SL407"]) == []


def test_publish_tools_with_no_credential_variable(
    audit: AuditFn, audit_findings: Callable[..., list[Finding]]
) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          poetry:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: snok/install-poetry@v1
              - run: |
                  echo "VERSION=${GITHUB_REF#refs/tags/}" >> "$GITHUB_ENV"
                  poetry build
                  poetry publish
          hatch:
            runs-on: ubuntu-latest
            env:
              PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}
            steps:
              - run: hatch publish
          flit:
            runs-on: ubuntu-22.04
            steps:
              - run: flit publish
          uv:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: uv publish --trusted-publishing never
    """
    assert audit({WF: wf}, select=["SL401"]) == [
        hit("SL401", WF, wf, "poetry publish"),
        hit("SL401", WF, wf, "hatch publish"),
        hit("SL401", WF, wf, "flit publish"),
        hit("SL401", WF, wf, "uv publish"),
    ]
    first = audit_findings({WF: wf}, select=["SL401"])[0]
    assert first.severity == Severity.ERROR
    assert "nothing sets `POETRY_PYPI_TOKEN_PYPI`" in first.message
    assert "POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_API_TOKEN }}" in first.help


def test_publish_tools_that_may_get_a_credential_are_left_alone(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          env:
            runs-on: ubuntu-latest
            steps:
              - run: poetry publish
                env:
                  POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_TOKEN }}
          config:
            runs-on: ubuntu-latest
            steps:
              - run: poetry config pypi-token.pypi "$TOKEN"
                env:
                  TOKEN: ${{ secrets.PYPI_TOKEN }}
              - run: poetry publish
          github-env:
            runs-on: ubuntu-latest
            steps:
              - run: cat secrets.env >> "$GITHUB_ENV"
              - run: hatch publish
          action:
            runs-on: ubuntu-latest
            steps:
              - uses: some-org/load-secrets@v2
              - run: flit publish
          script:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  source ci/env.sh
                  hatch publish
          self-hosted:
            runs-on: [self-hosted, linux]
            steps:
              - run: poetry publish
          from-json:
            runs-on: ubuntu-latest
            steps:
              - run: poetry publish
                env: ${{ fromJSON(vars.PUBLISH_ENV) }}
          flag:
            runs-on: ubuntu-latest
            steps:
              - run: poetry publish -u __token__ -p "$TOKEN"
          args:
            runs-on: ubuntu-latest
            steps:
              - run: hatch publish $PUBLISH_ARGS
          container:
            runs-on: ubuntu-latest
            container: {image: "python:3.12", env: {HATCH_ENV: x}}
            steps:
              - run: hatch publish
          dry-run:
            runs-on: ubuntu-latest
            steps:
              - run: poetry publish --dry-run
          uv-oidc:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: uv publish
    """
    # tox runs on a maintainer's machine too; a composite action inherits its caller's env
    tox = "[testenv:release]\ncommands = poetry publish\n"
    assert audit({WF: wf, "tox.ini": tox}, select=["SL401"]) == []
    # flit reads a .pypirc the repository holds
    flit = """
        on: {push: {tags: ["v*"]}}
        jobs:
          flit:
            runs-on: ubuntu-latest
            steps:
              - run: flit publish
    """
    pypirc = "[pypi]\nusername = __token__\npassword = ${PYPI_TOKEN}\n"
    assert audit({WF: flit, ".pypirc": pypirc}, select=["SL401"]) == []


# --- SL408 token-shared-across-projects --------------------------------------------------------


def _two_projects(second_secret: str = "PYPI_TOKEN", second_env: str = "pypi") -> str:
    return f"""
        on: {{push: {{tags: ["v*"]}}}}
        jobs:
          core:
            runs-on: ubuntu-latest
            environment: {{name: pypi, url: "https://pypi.org/p/foo-core"}}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{{{ secrets.PYPI_TOKEN }}}}
                  packages-dir: core/dist
          cli:
            runs-on: ubuntu-latest
            environment: {{name: {second_env}, url: "https://pypi.org/project/Foo_CLI/"}}
            steps:
              - run: twine upload cli/dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{{{ secrets.{second_secret} }}}}
    """


def test_one_secret_for_two_projects_is_an_account_token(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = _two_projects()
    assert audit({WF: wf}, select=["SL408"]) == [
        hit("SL408", WF, wf, "${{ secrets.PYPI_TOKEN }}"),
        hit("SL408", WF, wf, "${{ secrets.PYPI_TOKEN }}", nth=2),
    ]
    finding = audit_findings({WF: wf}, select=["SL408"])[0]
    assert finding.severity == Severity.WARNING
    assert "`foo-cli`, `foo-core`" in finding.message


def test_one_secret_per_project_or_uncertain_projects(audit: AuditFn) -> None:
    # one secret per project
    assert audit({WF: _two_projects("PYPI_TOKEN_CLI")}, select=["SL408"]) == []
    # another environment may hold its own secret of that name
    assert audit({WF: _two_projects(second_env="pypi-cli")}, select=["SL408"]) == []
    # the same project twice (normalised names)
    same = _two_projects().replace("foo-core", "foo.cli")
    assert audit({WF: same}, select=["SL408"]) == []
    # a project named by an expression is not known
    unknown = _two_projects().replace("https://pypi.org/p/foo-core", "${{ vars.URL }}")
    assert audit({WF: unknown}, select=["SL408"]) == []
