"""SL201-SL206: pypa/gh-action-pypi-publish refs, inputs, runners and attestations."""

from __future__ import annotations

import textwrap
from typing import Callable

from shiplint.findings import Finding, Severity
from tests.conftest import AuditFn, hit, pos_of

WF = ".github/workflows/release.yml"
FindingsFn = Callable[..., list[Finding]]


def publish_workflow(uses: str, with_: str = "", runs_on: str = "ubuntu-latest") -> str:
    block = f"\n                with:\n{textwrap.indent(with_, ' ' * 18)}" if with_ else ""
    return f"""
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: {runs_on}
            environment: pypi
            permissions:
              id-token: write
            steps:
              - uses: actions/download-artifact@v4
              - uses: {uses}{block}
    """


def body(text: str) -> str:
    """A fixture as written to disk."""
    return textwrap.dedent(text).lstrip("\n")


def fixed_text(finding: Finding) -> str:
    """The file text with ``finding``'s fix applied."""
    assert finding.fix is not None and finding.source is not None
    text = finding.source.text or ""
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


# --- SL201 -------------------------------------------------------------------------------------


def test_master_ref_is_sunset(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = publish_workflow("pypa/gh-action-pypi-publish@master")
    assert audit({WF: wf}, select=["SL201", "SL202"]) == [hit("SL201", WF, wf, "master")]
    (finding,) = audit_findings({WF: wf}, select=["SL201"])
    assert "sunset" in finding.message
    # a token upload of Metadata-Version <= 2.4 still works there: a warning (the failing
    # cases are SL304 and SL711)
    assert finding.severity is Severity.WARNING
    assert finding.fix is not None and finding.fix.safe
    fixed = fixed_text(finding)
    assert "pypa/gh-action-pypi-publish@release/v1\n" in fixed
    assert audit({WF: fixed}, select=["SL2"]) == []


def test_master_ref_quoted_and_in_composite_action(audit: AuditFn) -> None:
    action = """
        name: publish
        runs:
          using: composite
          steps:
            - uses: "pypa/gh-action-pypi-publish@master"
    """
    assert audit({"action.yml": action}, select=["SL201"]) == [
        hit("SL201", "action.yml", action, "master"),
    ]


def test_maintained_refs_are_not_sunset(audit: AuditFn) -> None:
    for ref in ("release/v1", "v1.12.4", "dc37677b2e1c63e2034f94d8a5b11f265b73ba33 # v1.14.2"):
        wf = publish_workflow(f"pypa/gh-action-pypi-publish@{ref}")
        assert audit({WF: wf}, select=["SL201"]) == [], ref


# --- SL202 -------------------------------------------------------------------------------------


def test_v1_and_main_do_not_exist(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = publish_workflow("pypa/gh-action-pypi-publish@v1")
    assert audit({WF: wf}, select=["SL2"]) == [hit("SL202", WF, wf, "v1\n")]
    (finding,) = audit_findings({WF: wf}, select=["SL202"])
    assert "no `v1` tag or branch" in finding.message
    assert "unable to find version `v1`" in finding.help
    assert "pypa/gh-action-pypi-publish@release/v1\n" in fixed_text(finding)

    wf = publish_workflow("pypa/gh-action-pypi-publish@main")
    assert audit({WF: wf}, select=["SL202"]) == [hit("SL202", WF, wf, "main")]


def test_release_branch_with_version_suggests_the_tag(audit_findings: FindingsFn) -> None:
    wf = publish_workflow("pypa/gh-action-pypi-publish@release/v1.5.0")
    (finding,) = audit_findings({WF: wf}, select=["SL202"])
    assert (finding.line, finding.column) == hit("SL202", WF, wf, "release/v1.5.0")[2:]
    assert "pypa/gh-action-pypi-publish@v1.5.0\n" in fixed_text(finding)

    wf = publish_workflow("pypa/gh-action-pypi-publish@release/v1.0.0a0")
    (finding,) = audit_findings({WF: wf}, select=["SL202"])
    assert "pypa/gh-action-pypi-publish@release/v1\n" in fixed_text(finding)


def test_minor_line_branches_exist(audit: AuditFn) -> None:
    # release/v1.4 ... release/v1.8 are branches of the action, one per minor line; later
    # lines get theirs the same way, so release/v1.N is never reported as missing
    for ref in ("release/v1.8", "release/v1.4", "release/v1.12"):
        wf = publish_workflow(f"pypa/gh-action-pypi-publish@{ref}")
        assert audit({WF: wf}, select=["SL202"]) == [], ref


def test_missing_and_short_refs(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = publish_workflow("pypa/gh-action-pypi-publish")
    assert audit({WF: wf}, select=["SL202"]) == [
        hit("SL202", WF, wf, "pypa/gh-action-pypi-publish"),
    ]
    (finding,) = audit_findings({WF: wf}, select=["SL202"])
    assert "pypa/gh-action-pypi-publish@release/v1\n" in fixed_text(finding)

    wf = publish_workflow("pypa/gh-action-pypi-publish@dc37677")
    (finding,) = audit_findings({WF: wf}, select=["SL202"])
    assert "shortened commit SHA" in finding.message
    assert finding.fix is None


def test_existing_refs_are_accepted(audit: AuditFn) -> None:
    refs = (
        "release/v1",
        "unstable/v1",
        "v1.14.2",
        "v1.8.0",
        "v2.0.0",  # newer than the facts know: accepted
        "ba38be9e461d3875417946c167d0b5f3d385a247 # v1.14.1",
        "0123456789abcdef0123456789abcdef01234567",  # any full SHA
        "master",  # exists (SL201's business)
    )
    for ref in refs:
        wf = publish_workflow(f"pypa/gh-action-pypi-publish@{ref}")
        assert audit({WF: wf}, select=["SL202"]) == [], ref


# --- SL203 -------------------------------------------------------------------------------------


def test_underscore_inputs_reported_at_the_key(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@release/v1",
        "repository_url: https://test.pypi.org/legacy/\nskip_existing: true\nverbose: true\n",
    )
    assert audit({WF: wf}, select=["SL203"]) == [
        hit("SL203", WF, wf, "repository_url"),
        hit("SL203", WF, wf, "skip_existing"),
    ]
    findings = audit_findings({WF: wf}, select=["SL203"])
    assert findings[0].message == "`repository_url` is deprecated: the input is `repository-url`"
    assert "normalized to use kebab-case" in findings[0].help
    fixed = fixed_text(findings[0])
    assert "repository-url: https://test.pypi.org/legacy/" in fixed
    assert "skip_existing: true" in fixed


def test_underscore_inputs_with_sha_pins(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # actionlint misses SHA pins; the version comment (or the SHA table) tells the release
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc",
        "packages_dir: wheelhouse/\n",
    )
    assert audit({WF: wf}, select=["SL203"]) == [hit("SL203", WF, wf, "packages_dir")]
    (finding,) = audit_findings({WF: wf}, select=["SL203"])
    assert "packages-dir: wheelhouse/" in fixed_text(finding)

    # an unknown SHA: reported, but the rename is not offered (it may predate v1.7.0)
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@0123456789abcdef0123456789abcdef01234567",
        "print_hash: true\n",
    )
    (finding,) = audit_findings({WF: wf}, select=["SL203"])
    assert (finding.line, finding.column) == hit("SL203", WF, wf, "print_hash")[2:]
    assert finding.fix is None


def test_underscore_inputs_before_v1_7_and_kebab_inputs(audit: AuditFn) -> None:
    old = publish_workflow(
        "pypa/gh-action-pypi-publish@v1.5.1", "repository_url: https://test.pypi.org/legacy/\n"
    )
    assert audit({WF: old}, select=["SL203"]) == []
    kebab = publish_workflow(
        "pypa/gh-action-pypi-publish@release/v1",
        "repository-url: https://test.pypi.org/legacy/\nverify-metadata: false\n",
    )
    assert audit({WF: kebab}, select=["SL203"]) == []


def test_underscore_inputs_where_they_are_the_only_names(audit: AuditFn) -> None:
    # master and the release/v1.4-v1.6 branches predate the kebab-case names
    for ref in ("master", "release/v1.6", "release/v1.4"):
        wf = publish_workflow(f"pypa/gh-action-pypi-publish@{ref}", "skip_existing: true\n")
        assert audit({WF: wf}, select=["SL203"]) == [], ref
    wf = publish_workflow("pypa/gh-action-pypi-publish@release/v1.8", "skip_existing: true\n")
    assert audit({WF: wf}, select=["SL203"]) == [hit("SL203", WF, wf, "skip_existing")]


def test_underscore_inputs_after_line_comments(audit_findings: FindingsFn) -> None:
    # an unknown SHA with `# v1`: some 1.x release, perhaps before v1.7.0: no rename offered
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@0123456789abcdef0123456789abcdef01234567 # v1",
        "skip_existing: true\n",
    )
    (finding,) = audit_findings({WF: wf}, select=["SL203"])
    assert finding.fix is None
    # a table SHA with a branch comment: v1.14.2 has both names, so the rename is offered
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@dc37677b2e1c63e2034f94d8a5b11f265b73ba33 # release/v1",
        "skip_existing: true\n",
    )
    (finding,) = audit_findings({WF: wf}, select=["SL203"])
    assert "skip-existing: true" in fixed_text(finding)


def test_both_spellings_no_fix(audit_findings: FindingsFn) -> None:
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@v1.12.4",
        "packages-dir: dist/\npackages_dir: wheelhouse/\n",
    )
    (finding,) = audit_findings({WF: wf}, select=["SL203"])
    assert finding.fix is None
    assert "takes precedence" in finding.help


# --- SL204 -------------------------------------------------------------------------------------


def test_macos_runner(audit: AuditFn) -> None:
    wf = publish_workflow("pypa/gh-action-pypi-publish@release/v1", runs_on="macos-latest")
    assert audit({WF: wf}, select=["SL204"]) == [hit("SL204", WF, wf, "macos-latest")]
    wf = publish_workflow("pypa/gh-action-pypi-publish@release/v1", runs_on="windows-2022")
    assert audit({WF: wf}, select=["SL204"]) == [hit("SL204", WF, wf, "windows-2022")]


def test_runner_label_list(audit: AuditFn) -> None:
    wf = publish_workflow(
        "pypa/gh-action-pypi-publish@release/v1", runs_on="[self-hosted, macOS, ARM64]"
    )
    assert audit({WF: wf}, select=["SL204"]) == [hit("SL204", WF, wf, "macOS")]


MATRIX = """
    on:
      push:
        tags: ["v*"]
    jobs:
      build:
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest, macos-14]
        runs-on: ${{ matrix.os }}
        permissions:
          id-token: write
        steps:
          - uses: actions/checkout@v4
          - run: pipx run build
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              skip-existing: true
"""


def test_matrix_runner_reported_at_the_matrix_value(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    assert audit({WF: MATRIX}, select=["SL204"]) == [
        hit("SL204", WF, MATRIX, "windows-latest"),
        hit("SL204", WF, MATRIX, "macos-14"),
    ]
    findings = audit_findings({WF: MATRIX}, select=["SL204"])
    assert "from the job's matrix" in findings[0].message
    assert "Container action is only supported on Linux" in findings[0].help


def test_step_condition_limits_to_linux(audit: AuditFn) -> None:
    for condition in (
        "runner.os == 'Linux'",
        "matrix.os == 'ubuntu-latest'",
        "${{ startsWith(matrix.os, 'ubuntu') }}",
    ):
        wf = MATRIX.replace(
            "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
            f"          - if: {condition}\n"
            "            uses: pypa/gh-action-pypi-publish@release/v1\n",
        )
        assert condition in wf
        assert audit({WF: wf}, select=["SL204"]) == [], condition
    # a condition on something else does not help
    wf = MATRIX.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - if: startsWith(github.ref, 'refs/tags/')\n"
        "            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    assert len(audit({WF: wf}, select=["SL204"])) == 2


def test_dotted_matrix_keys_and_label_templates(audit: AuditFn) -> None:
    # pypa/hatch's layout: `runs-on: ${{ matrix.job.os }}`, a step for the macOS legs only
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          build:
            runs-on: ${{ matrix.job.os }}
            strategy:
              matrix:
                job:
                  - {target: x86_64-pc-windows-msvc, os: windows-2022}
                  - {target: aarch64-apple-darwin, os: macos-14}
            steps:
              - if: startsWith(matrix.job.os, 'windows-')
                uses: pypa/gh-action-pypi-publish@release/v1
    """
    assert audit({WF: wf}, select=["SL204"]) == [hit("SL204", WF, wf, "windows-2022")]
    # `${{ matrix.os }}-latest`: the condition compares the matrix value, not the label
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          build:
            runs-on: ${{ matrix.os }}-latest
            strategy:
              matrix:
                os: [ubuntu, macos, windows]
            steps:
              - if: matrix.os != 'ubuntu' && matrix.os != 'macos'
                uses: pypa/gh-action-pypi-publish@release/v1
    """
    assert audit({WF: wf}, select=["SL204"]) == [hit("SL204", WF, wf, "windows]")]


def test_severity_follows_what_decides_the_step(audit_findings: FindingsFn) -> None:
    def found(wf: str) -> list[tuple[int, str]]:
        findings = audit_findings({WF: wf}, select=["SL204"])
        return [(f.line or 0, f.severity.value) for f in findings]

    windows, macos = pos_of(MATRIX, "windows-latest")[0], pos_of(MATRIX, "macos-14")[0]
    # a step output decides: the step may well run there, check it
    wf = MATRIX.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        '          - id: check\n            run: echo "new=$(python tools/is_new.py)" >> '
        "\"$GITHUB_OUTPUT\"\n          - if: steps.check.outputs.new == 'true'\n"
        "            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    assert found(wf) == [(windows, "warning"), (macos, "warning")]
    (finding, _) = audit_findings({WF: wf}, select=["SL204"])
    assert "condition shiplint cannot evaluate" in finding.help
    # continue-on-error: the failure leaves the run green, the Linux leg still publishes
    wf = MATRIX.replace(
        "              skip-existing: true\n",
        "              skip-existing: true\n            continue-on-error: true\n",
    )
    assert "continue-on-error: true" in wf
    assert found(wf) == [(windows, "info"), (macos, "info")]
    # the other matrix axis is known leg by leg: python 3.12 runs on every OS
    wf = MATRIX.replace(
        "            os: [ubuntu-latest, windows-latest, macos-14]\n",
        "            os: [ubuntu-latest, windows-latest, macos-14]\n"
        "            python: ['3.11', '3.12']\n",
    ).replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - if: matrix.python == '3.12'\n"
        "            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    assert found(wf) == [(windows, "error"), (macos, "error")]
    assert found(wf.replace("matrix.python == '3.12'", "matrix.python == '3.13'")) == []


def test_trigger_that_publishes_is_evaluated(audit_findings: FindingsFn) -> None:
    # a push to main builds, a release publishes: the release run certainly reaches it
    wf = """
        on:
          push:
            branches: [main]
          release:
            types: [published]
        jobs:
          wheels:
            runs-on: macos-14
            permissions:
              id-token: write
            steps:
              - run: pipx run cibuildwheel
              - if: github.event_name == 'release'
                uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  packages-dir: wheelhouse
    """
    findings = audit_findings({WF: wf}, select=["SL204"])
    assert [(f.rule, f.path, f.line, f.column, f.severity) for f in findings] == [
        (*hit("SL204", WF, wf, "macos-14"), Severity.ERROR)
    ]
    assert "only able to run under GNU/Linux environments" in findings[0].help
    # publishing only on a trigger the workflow does not have: never runs
    never = wf.replace("github.event_name == 'release'", "github.event_name == 'schedule'")
    assert audit_findings({WF: never}, select=["SL204"]) == []


def test_linux_runners_and_other_actions(audit: AuditFn) -> None:
    for runner in ("ubuntu-latest", "ubuntu-24.04-arm", "[self-hosted, linux]"):
        wf = publish_workflow("pypa/gh-action-pypi-publish@release/v1", runs_on=runner)
        assert audit({WF: wf}, select=["SL204"]) == [], runner
    nightly = publish_workflow(
        "scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99",
        "artifacts_path: dist\n",
        runs_on="macos-latest",
    )
    assert audit({WF: nightly}, select=["SL204"]) == []


# --- SL205 -------------------------------------------------------------------------------------

TWO_PUBLISHES = """
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with:
              name: dist
              path: dist/
          - name: Publish to TestPyPI
            uses: pypa/gh-action-pypi-publish@release/v1
            with:
              repository-url: https://test.pypi.org/legacy/
          - name: Publish to PyPI
            uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_two_attesting_publishes_in_one_job(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: TWO_PUBLISHES}, select=["SL205"]) == [
        hit("SL205", WF, TWO_PUBLISHES, "pypa/gh-action-pypi-publish@release/v1"),
    ]
    (finding,) = audit_findings({WF: TWO_PUBLISHES}, select=["SL205"])
    assert "line 19" in finding.message
    assert "already has a publish attestation" in finding.help
    fixed = fixed_text(finding)
    assert fixed == body(
        TWO_PUBLISHES.replace(
            "            with:\n              repository-url",
            "            with:\n              attestations: false\n              repository-url",
        )
    )
    assert audit({WF: fixed}, select=["SL205"]) == []


def test_fix_adds_with_block_and_flips_explicit_true(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = TWO_PUBLISHES.replace(
        "            with:\n              repository-url: https://test.pypi.org/legacy/\n", ""
    )
    (finding,) = audit_findings({WF: wf}, select=["SL205"])
    fixed = fixed_text(finding)
    assert fixed == body(
        wf.replace(
            "@release/v1\n          - name: Publish to PyPI",
            "@release/v1\n            with:\n              attestations: false\n"
            "          - name: Publish to PyPI",
        )
    )
    assert audit({WF: fixed}, select=["SL205"]) == []

    wf = TWO_PUBLISHES.replace(
        "repository-url: https://test.pypi.org/legacy/\n",
        "repository-url: https://test.pypi.org/legacy/\n              attestations: true\n",
    )
    assert audit({WF: wf}, select=["SL205"]) == [hit("SL205", WF, wf, "true")]


def test_no_conflict_cases(audit: AuditFn) -> None:
    cases = {
        "first opts out": TWO_PUBLISHES.replace(
            "repository-url: https://test.pypi.org/legacy/\n",
            "repository-url: https://test.pypi.org/legacy/\n              attestations: false\n",
        ),
        "different packages-dir": TWO_PUBLISHES.replace(
            "repository-url: https://test.pypi.org/legacy/\n",
            "repository-url: https://test.pypi.org/legacy/\n              packages-dir: test/\n",
        ),
        "v1.10 (opt-in only)": TWO_PUBLISHES.replace("@release/v1", "@v1.10.3"),
        "first uses a token": TWO_PUBLISHES.replace(
            "repository-url: https://test.pypi.org/legacy/\n",
            "repository-url: https://test.pypi.org/legacy/\n"
            "              password: ${{ secrets.TEST_PYPI_API_TOKEN }}\n",
        ),
        "exclusive conditions": TWO_PUBLISHES.replace(
            '        tags: ["v*"]\n', "        branches: [main]\n      release:\n"
        )
        .replace(
            "          - name: Publish to TestPyPI\n",
            "          - name: Publish to TestPyPI\n            if: github.event_name == 'push'\n",
        )
        .replace(
            "          - name: Publish to PyPI\n",
            "          - name: Publish to PyPI\n            if: github.event_name == 'release'\n",
        ),
    }
    for label, wf in cases.items():
        assert audit({WF: wf}, select=["SL205"]) == [], label


def test_one_output_selects_the_index(audit: AuditFn) -> None:
    # scikit-hep/pyhf: a build job output names the target; each step runs for one value
    wf = TWO_PUBLISHES.replace(
        "          - name: Publish to TestPyPI\n",
        "          - name: Publish to TestPyPI\n"
        "            if: needs.build.outputs.publish-target == 'testpypi'\n",
    ).replace(
        "          - name: Publish to PyPI\n",
        "          - name: Publish to PyPI\n"
        "            if: needs.build.outputs.publish-target == 'pypi'\n",
    )
    assert audit({WF: wf}, select=["SL205"]) == []
    negated = wf.replace("publish-target == 'pypi'", "publish-target != 'testpypi'")
    assert audit({WF: negated}, select=["SL205"]) == []


def test_outputs_that_can_hold_together_still_conflict(audit: AuditFn) -> None:
    both = "            if: needs.build.outputs.publish-target == 'pypi'\n"
    same_value = TWO_PUBLISHES.replace(
        "          - name: Publish to TestPyPI\n", "          - name: Publish to TestPyPI\n" + both
    ).replace("          - name: Publish to PyPI\n", "          - name: Publish to PyPI\n" + both)
    assert audit({WF: same_value}, select=["SL205"]) == [
        hit("SL205", WF, same_value, "pypa/gh-action-pypi-publish@release/v1"),
    ]
    two_outputs = TWO_PUBLISHES.replace(
        "          - name: Publish to TestPyPI\n",
        "          - name: Publish to TestPyPI\n            if: needs.build.outputs.test == 'true'\n",
    ).replace(
        "          - name: Publish to PyPI\n",
        "          - name: Publish to PyPI\n            if: needs.build.outputs.release == 'true'\n",
    )
    assert audit({WF: two_outputs}, select=["SL205"]) == [
        hit("SL205", WF, two_outputs, "pypa/gh-action-pypi-publish@release/v1"),
    ]


def test_attestations_unknown_for_a_line_comment(audit: AuditFn) -> None:
    # some 1.x release: attestations are on by default only from v1.11.0
    pinned = TWO_PUBLISHES.replace("@release/v1", "@0123456789abcdef0123456789abcdef01234567 # v1")
    assert audit({WF: pinned}, select=["SL205"]) == []
    table = TWO_PUBLISHES.replace(
        "@release/v1", "@ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e # release/v1"
    )
    assert [h[0] for h in audit({WF: table}, select=["SL205"])] == ["SL205"]


def test_overlapping_conditions_still_conflict(audit: AuditFn) -> None:
    wf = TWO_PUBLISHES.replace(
        "          - name: Publish to TestPyPI\n",
        "          - name: Publish to TestPyPI\n            if: github.event_name == 'push'\n",
    ).replace(
        "          - name: Publish to PyPI\n",
        "          - name: Publish to PyPI\n            if: startsWith(github.ref, 'refs/tags/')\n",
    )
    assert audit({WF: wf}, select=["SL205"]) == [
        hit("SL205", WF, wf, "pypa/gh-action-pypi-publish@release/v1"),
    ]


def test_cleanup_between_the_publishes(audit: AuditFn) -> None:
    # attestations.py stops only when `<dist>.publish.attestation` exists: a step between
    # the two publishes that deletes the files (or the folder) clears the way
    between = "          - name: Publish to PyPI\n"
    cleanups = [
        "rm dist/*.publish.attestation",
        "rm -f ./dist/*.attestation",
        "find dist -name '*.attestation' -delete",
        "rm -rf dist/ && python -m build",
        "git clean -fdx",
    ]
    for cleanup in cleanups:
        wf = TWO_PUBLISHES.replace(between, f"          - run: {cleanup}\n" + between)
        assert audit({WF: wf}, select=["SL205"]) == [], cleanup
    # a step between that deletes something else, or lists the folder, does not
    for other in ["rm -rf build/", "ls -l dist/", "rm dist/*.txt.bak"]:
        wf = TWO_PUBLISHES.replace(between, f"          - run: {other}\n" + between)
        assert audit({WF: wf}, select=["SL205"]) == [
            hit("SL205", WF, wf, "pypa/gh-action-pypi-publish@release/v1"),
        ], other
    # a cleanup before the first publish changes nothing
    wf = TWO_PUBLISHES.replace(
        "          - name: Publish to TestPyPI\n",
        "          - run: rm -f dist/*.attestation\n          - name: Publish to TestPyPI\n",
    )
    assert audit({WF: wf}, select=["SL205"]) == [
        hit("SL205", WF, wf, "pypa/gh-action-pypi-publish@release/v1"),
    ]


# --- SL206 -------------------------------------------------------------------------------------

REUSABLE = """
    on:
      workflow_call:
        inputs:
          version:
            type: string
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_attestations_in_reusable_workflow(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: REUSABLE}, select=["SL206", "SL303"]) == [
        hit("SL206", WF, REUSABLE, "pypa/gh-action-pypi-publish@release/v1"),
    ]
    (finding,) = audit_findings({WF: REUSABLE}, select=["SL206"])
    assert "Invalid attestations supplied" in finding.help
    fixed = fixed_text(finding)
    assert fixed == body(REUSABLE) + "        with:\n          attestations: false\n"
    # fixed: attestations are off; what remains is the trusted-publishing caveat (SL303)
    assert audit({WF: fixed}, select=["SL206", "SL303"]) == [
        hit("SL303", WF, fixed, "pypa/gh-action-pypi-publish@release/v1"),
    ]


def test_reusable_workflow_without_attestations(audit: AuditFn) -> None:
    opt_in_only = REUSABLE.replace("@release/v1", "@v1.10.3")
    assert audit({WF: opt_in_only}, select=["SL206"]) == []
    # a password disables trusted publishing and, with it, attestations
    token = REUSABLE + (
        "            with:\n              password: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    assert audit({WF: token}, select=["SL206", "SL303"]) == []
    top_level = publish_workflow("pypa/gh-action-pypi-publish@release/v1")
    assert audit({WF: top_level}, select=["SL206"]) == []


def test_attestations_in_reusable_workflow_depend_on_who_calls_it(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    # only `workflow_call` and no caller here: the callers are elsewhere
    (finding,) = audit_findings({WF: REUSABLE}, select=["SL206"])
    assert "cannot use trusted publishing at all" in finding.help
    # a workflow with a release trigger of its own that nothing here calls: its own runs
    # publish fine (what another repository's call would meet is SL303's)
    own_trigger = REUSABLE.replace(
        "    on:\n      workflow_call:\n",
        "    on:\n      release:\n        types: [published]\n      workflow_call:\n",
    )
    assert audit({WF: own_trigger}, select=["SL206", "SL303"]) == [
        hit("SL303", WF, own_trigger, "pypa/gh-action-pypi-publish@release/v1"),
    ]
    # called from this repository: those runs fail
    caller = """
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            uses: ./.github/workflows/release.yml
            permissions:
              id-token: write
    """
    files = {WF: own_trigger, ".github/workflows/tag.yml": caller}
    findings = audit_findings(files, select=["SL206", "SL303"])
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [
        hit("SL206", WF, own_trigger, "pypa/gh-action-pypi-publish@release/v1"),
    ]
    assert "It is called from `.github/workflows/tag.yml`." in findings[0].help


def test_attestations_in_reusable_workflow_behind_an_input(audit_findings: FindingsFn) -> None:
    # the caller decides through an input: a call with `publish: true` fails, check them
    gated = REUSABLE.replace(
        "          version:\n            type: string\n",
        "          version:\n            type: string\n"
        "          publish:\n            type: boolean\n            default: false\n",
    ).replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - if: inputs.publish\n            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    findings = audit_findings({WF: gated}, select=["SL206"])
    assert [(f.rule, f.line, f.severity) for f in findings] == [
        ("SL206", pos_of(gated, "pypa/gh-action-pypi-publish")[0], Severity.WARNING)
    ]
    assert "condition shiplint cannot evaluate" in findings[0].help
    tolerated = REUSABLE.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - continue-on-error: true\n"
        "            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    findings = audit_findings({WF: tolerated}, select=["SL206"])
    assert [f.severity for f in findings] == [Severity.INFO]


# --- SL206 through a local composite action ----------------------------------------------------

CALLED = """
    on:
      workflow_call:
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
          - uses: ./.github/actions/publish
"""
COMPOSITE = """
    name: publish
    runs:
      using: composite
      steps:
        - uses: pypa/gh-action-pypi-publish@release/v1
"""
ACTION = ".github/actions/publish/action.yml"
CALLED_WF = ".github/workflows/publish.yml"


def test_composite_action_in_reusable_workflow(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {CALLED_WF: CALLED, ACTION: COMPOSITE}
    assert audit(files, select=["SL206"]) == [
        hit("SL206", CALLED_WF, CALLED, "./.github/actions/publish")
    ]
    (finding,) = audit_findings(files, select=["SL206"])
    assert finding.severity is Severity.ERROR
    assert ACTION in finding.message and "400 Invalid attestations" in finding.help
    # the same action used by a top-level workflow is fine; so is the action without
    # attestations, or with a token
    top = CALLED.replace("      workflow_call:\n", "      release:\n        types: [published]\n")
    assert audit({CALLED_WF: top, ACTION: COMPOSITE}, select=["SL206"]) == []
    for with_ in ["attestations: false", "password: ${{ inputs.token }}"]:
        composite = COMPOSITE + f"          with:\n            {with_}\n"
        assert audit({CALLED_WF: CALLED, ACTION: composite}, select=["SL206"]) == [], with_
    # an input decides: unknown, no finding
    composite = COMPOSITE + "          with:\n            attestations: ${{ inputs.attest }}\n"
    assert audit({CALLED_WF: CALLED, ACTION: composite}, select=["SL206"]) == []
