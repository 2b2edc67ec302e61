"""SL701-SL705: actions/upload-artifact and actions/download-artifact (catalogue A-1..A-5)."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.cli import main
from shiplint.engine import open_project
from shiplint.findings import Finding, Severity
from shiplint.gha.conditions import Scenario
from shiplint.gha.context import StepContext
from shiplint.gha.expr_eval import Unknown, eval_text
from shiplint.gha.instance import after_success_text
from shiplint.gha.matrix import job_legs, matrix_axes
from shiplint.gha.scenarios import trigger_scenarios
from shiplint.model.artifacts import RunScenarios, runs
from shiplint.project import Project
from shiplint.rules import by_key
from shiplint.rules.artifact_names import raw_name
from tests.conftest import CORPUS, AuditFn, hit, pos_of, write_tree
from tests.rule_examples import assert_examples

FindingsFn = Callable[..., "list[Finding]"]

WF = ".github/workflows/release.yml"
ALL = ["SL701", "SL702", "SL703", "SL704", "SL705"]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fixed(text: str, finding: Finding) -> str:
    assert finding.fix is not None
    body = dedent(text)
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        body = body[: edit.start] + edit.replacement + body[edit.end :]
    return body


# --- realistic fixtures ---------------------------------------------------------------------

# A build → publish pipeline of 2023 (cibuildwheel + sdist, artifacts v3, one shared name).
CIBW_V3 = dedent("""
    name: Build and upload to PyPI
    on:
      push:
        tags: ["v*"]
    jobs:
      build_wheels:
        name: Build wheels on ${{ matrix.os }}
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-22.04, windows-2022, macos-13]
        steps:
          - uses: actions/checkout@v4
          - uses: pypa/cibuildwheel@v2.16.2
          - uses: actions/upload-artifact@v3
            with:
              path: ./wheelhouse/*.whl
      build_sdist:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pipx run build --sdist
          - uses: actions/upload-artifact@v3
            with:
              path: dist/*.tar.gz
      upload_pypi:
        needs: [build_wheels, build_sdist]
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v3
            with:
              name: artifact
              path: dist
          - uses: pypa/gh-action-pypi-publish@release/v1
""")

# The same pipeline with unique names: safe to move to v4.
CIBW_V3_UNIQUE = dedent("""
    name: Build and upload to PyPI
    on:
      push:
        tags: ["v*"]
    jobs:
      build_wheels:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-22.04, windows-2022, macos-13]
        steps:
          - uses: actions/checkout@v4
          - uses: pypa/cibuildwheel@v2.16.2
          - uses: actions/upload-artifact@v3.1.3
            with:
              name: cibw-wheels-${{ matrix.os }}
              path: ./wheelhouse/*.whl
      build_sdist:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pipx run build --sdist
          - uses: "actions/upload-artifact@v3"
            with:
              name: cibw-sdist
              path: dist/*.tar.gz
      upload_pypi:
        needs: [build_wheels, build_sdist]
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v3  # all artifacts, one folder each
            with:
              path: dist
          - run: mv dist/*/* dist/ && find dist -mindepth 1 -type d -delete
          - uses: pypa/gh-action-pypi-publish@release/v1
""")


# --- SL701 artifact-action-retired ----------------------------------------------------------


def test_retired_tags_are_reported_on_the_ref(audit: AuditFn) -> None:
    assert audit({WF: CIBW_V3}, select=["SL701"]) == [
        hit("SL701", WF, CIBW_V3, "v3\n"),
        hit("SL701", WF, CIBW_V3, "v3\n", 2),
        hit("SL701", WF, CIBW_V3, "v3\n", 3),
    ]


def test_retired_message_quotes_githubs_error(audit_findings: FindingsFn) -> None:
    first = audit_findings({WF: CIBW_V3}, select=["SL701"])[0]
    assert first.severity is Severity.ERROR
    assert "`actions/upload-artifact@v3` is retired (since 2025-01-30)" in first.message
    assert (
        "This request has been automatically failed because it uses a deprecated version of "
        "`actions/upload-artifact: v3`. Learn more: "
        "https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/"
    ) in first.help


def test_v1_v2_and_node20_tags(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = dedent("""
        on: push
        jobs:
          docs:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v2.3.1
                with: {name: html, path: build/html}
              - uses: actions/upload-artifact@v1
                with: {name: log, path: build.log}
              - uses: actions/download-artifact@v3-node20
                with: {name: html}
    """)
    assert audit({WF: wf}, select=["SL701"]) == [
        hit("SL701", WF, wf, "v2.3.1"),
        hit("SL701", WF, wf, "v1\n"),
        hit("SL701", WF, wf, "v3-node20"),
    ]
    v2 = audit_findings({WF: wf}, select=["SL701"])[0]
    assert "since 2024-06-30" in v2.message
    assert "2024-02-13-deprecation-notice-v1-and-v2-of-the-artifact-actions" in v2.help


def test_sha_pins_are_read_through_their_comment(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    wf = dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@0b7f8abb1508181956e8e162db84b466c27e18ce # v3.1.2
                with: {name: sbom, path: sbom.json}
              - uses: actions/upload-artifact@a8a3f3ad30e3422c9c7b888a15615d19a852ae32
                with: {name: sbom2, path: sbom2.json}
              - uses: actions/upload-artifact@1111111111111111111111111111111111111111
                with: {name: other, path: x}
              - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
                with: {name: fine, path: y}
    """)
    assert audit({WF: wf}, select=["SL701"]) == [
        hit("SL701", WF, wf, "0b7f8abb"),
        hit("SL701", WF, wf, "a8a3f3ad"),  # known SHA of v3.1.3, no comment needed
    ]
    first, second = audit_findings({WF: wf}, select=["SL701"])
    assert first.fix is None and second.fix is None  # we cannot know the v4 SHA offline
    assert "Pin the commit SHA of a v4+ release" in first.help
    assert "`actions/upload-artifact: v3`" in first.help


def test_current_majors_and_other_actions_are_clean(audit: AuditFn) -> None:
    wf = dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v4
                with: {name: a, path: a}
              - uses: actions/upload-artifact@v7.0.1
                with: {name: b, path: b}
              - uses: actions/download-artifact@main
                with: {name: a}
              - uses: actions/upload-artifact/merge@v4
                with: {name: all, pattern: "*"}
              - uses: dawidd6/action-download-artifact@v3
              - uses: actions/upload-pages-artifact@v3
    """)
    assert audit({WF: wf}, select=ALL) == []


def test_safe_fix_moves_every_retired_step_to_v4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: CIBW_V3_UNIQUE})
    assert main(["check", "--fix", "--select", "SL701", str(tmp_path)]) == 0
    assert "Fixed 3 problems." in capsys.readouterr().err
    expected = (
        dedent(CIBW_V3_UNIQUE)
        .replace("upload-artifact@v3.1.3", "upload-artifact@v4")
        .replace('"actions/upload-artifact@v3"', '"actions/upload-artifact@v4"')
        .replace("download-artifact@v3  #", "download-artifact@v4  #")
    )
    assert (tmp_path / WF).read_bytes() == expected.encode()
    assert main(["check", "--fix", "--select", "SL7", str(tmp_path)]) == 0
    assert "Fixed 0 problems." in capsys.readouterr().err
    assert (tmp_path / WF).read_bytes() == expected.encode()


def test_fix_description_names_the_v4_differences(audit_findings: FindingsFn) -> None:
    upload, _sdist, download = audit_findings({WF: CIBW_V3_UNIQUE}, select=["SL701"])
    assert upload.fix is not None and upload.fix.safe
    assert upload.fix.description.startswith("use actions/upload-artifact@v4: ")
    assert "include-hidden-files: true" in upload.fix.description
    assert download.fix is not None
    assert "own sub-folder" in download.fix.description


def test_no_fix_when_names_would_collide_under_v4(audit_findings: FindingsFn) -> None:
    # the matrix legs and the sdist job all upload `artifact`: v3 merged them, v4 refuses
    assert [f.fix for f in audit_findings({WF: CIBW_V3}, select=["SL701"])] == [None] * 3


def test_no_fix_when_another_step_of_the_run_cannot_be_fixed(
    audit_findings: FindingsFn,
) -> None:
    sha = CIBW_V3_UNIQUE.replace(
        "actions/download-artifact@v3  #",
        "actions/download-artifact@9bc31d5ccc31df68ecc42ccf4149144866c47d8a  #",
    )
    assert [f.fix for f in audit_findings({WF: sha}, select=["SL701"])] == [None] * 3


def test_fix_when_the_other_side_is_already_v4(audit_findings: FindingsFn) -> None:
    mixed = CIBW_V3_UNIQUE.replace("download-artifact@v3", "download-artifact@v4")
    findings = audit_findings({WF: mixed}, select=["SL701"])
    assert len(findings) == 2
    assert all(f.fix is not None and f.fix.safe for f in findings)


def test_no_fix_for_hidden_files_or_v1_default_folder(audit_findings: FindingsFn) -> None:
    wf = dedent("""
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v3
                with:
                  name: coverage
                  path: .coverage
              - uses: actions/download-artifact@v1
                with:
                  name: coverage
    """)
    assert [f.fix for f in audit_findings({WF: wf}, select=["SL701"])] == [None, None]
    # with include-hidden-files, and a v1 download that names its folder, both are fixed
    hidden_ok = wf.replace(
        "path: .coverage\n", "path: .coverage\n          include-hidden-files: true\n"
    )
    hidden_ok += "          path: coverage\n"
    fixes = [f.fix for f in audit_findings({WF: hidden_ok}, select=["SL701"])]
    assert len(fixes) == 2 and all(fix is not None for fix in fixes)
    workspace = wf.replace("path: .coverage\n", "path: ${{ github.workspace }}\n")
    workspace += "          path: coverage\n"
    assert [f.fix for f in audit_findings({WF: workspace}, select=["SL701"])] == [None, None]


@pytest.mark.parametrize(
    ("path", "fixable"),
    [
        ("docs/_build/.jupyter_cache", False),  # the search root itself is hidden
        (".tox/**/log/", False),
        ("dist/**/.coverage*", False),
        (".", False),  # the workspace: .git and friends are left out
        ("~/.cargo/bin/dist", True),  # hidden parent, visible search root
        (".build/dist/*.whl", True),
        ("dist/*\n!dist/.gitignore", True),
    ],
)
def test_hidden_file_paths(audit_findings: FindingsFn, path: str, fixable: bool) -> None:
    body = "|\n            " + path.replace("\n", "\n            ") if "\n" in path else path
    wf = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/upload-artifact@v3\n        with:\n"
        f"          name: out\n          path: {body}\n"
    )
    [finding] = audit_findings({WF: wf}, select=["SL701"])
    assert (finding.fix is not None) is fixable


def test_no_fix_when_a_reusable_workflow_uploads_twice(audit_findings: FindingsFn) -> None:
    caller = dedent("""
        on: push
        jobs:
          linux:
            uses: ./.github/workflows/build.yml
            with: {os: ubuntu-latest}
          macos:
            uses: ./.github/workflows/build.yml
            with: {os: macos-latest}
    """)
    callee = dedent("""
        on:
          workflow_call:
            inputs:
              os: {type: string, required: true}
        jobs:
          build:
            runs-on: ${{ inputs.os }}
            steps:
              - uses: actions/upload-artifact@v3
                with: {name: wheels, path: wheelhouse}
    """)
    files = {WF: caller, ".github/workflows/build.yml": callee}
    [finding] = audit_findings(files, select=["SL701"])
    assert finding.fix is None
    per_os = {
        WF: caller,
        ".github/workflows/build.yml": callee.replace(
            "name: wheels", "name: 'wheels-${{ inputs.os }}'"
        ),
    }
    [finding] = audit_findings(per_os, select=["SL701"])
    assert finding.fix is not None


def test_composite_action_steps(audit: AuditFn, audit_findings: FindingsFn, tmp_path: Path) -> None:
    action = dedent("""
        name: upload
        inputs:
          name: {required: true}
        runs:
          using: composite
          steps:
            - uses: actions/upload-artifact@v3
              with:
                name: ${{ inputs.name }}
                path: dist
    """)
    wf = dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: ./.github/actions/upload
                with: {name: dist}
    """)
    act = ".github/actions/upload/action.yml"
    assert audit({act: action, WF: wf}, select=["SL701"]) == [
        hit("SL701", act, action, "v3"),
    ]
    [used] = audit_findings({act: action, WF: wf}, select=["SL701"])
    assert used.fix is not None
    (tmp_path / WF).unlink()
    [unused] = audit_findings({act: action}, select=["SL701"])
    assert unused.fix is None  # nobody here calls it: its counterparts are unknown


def test_shared_steps_are_fixed_only_when_every_run_can_be(
    audit_findings: FindingsFn,
) -> None:
    action = dedent("""
        name: upload
        runs:
          using: composite
          steps:
            - uses: actions/upload-artifact@v3
              with: {name: dist, path: dist}
    """)
    clean = dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: ./.github/actions/upload
          publish:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v3
                with: {name: dist, path: dist}
    """)
    # a second workflow uses the action in a matrix: `dist` would collide under v4
    matrix = dedent("""
        on: push
        jobs:
          build:
            strategy:
              matrix:
                os: [ubuntu-latest, macos-latest]
            runs-on: ${{ matrix.os }}
            steps:
              - uses: ./.github/actions/upload
    """)
    act = ".github/actions/upload/action.yml"
    files = {act: action, WF: clean}
    assert all(f.fix is not None for f in audit_findings(files, select=["SL701"]))
    files[".github/workflows/matrix.yml"] = matrix
    findings = audit_findings(files, select=["SL701"])
    assert len(findings) == 2 and all(f.fix is None for f in findings)


def test_workflow_run_reader_is_fixed_with_its_source(audit_findings: FindingsFn) -> None:
    build = dedent("""
        name: Build
        on: push
        jobs:
          dist:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@9bc31d5ccc31df68ecc42ccf4149144866c47d8a # v3
                with: {name: dist, path: dist}
    """)
    deploy = dedent("""
        on:
          workflow_run:
            workflows: [Build]
            types: [completed]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v3
                with:
                  name: dist
                  run-id: ${{ github.event.workflow_run.id }}
                  github-token: ${{ secrets.GITHUB_TOKEN }}
    """)
    files = {".github/workflows/build.yml": build, WF: deploy}
    # once on v4 the download reads the Build run, whose upload stays on v3 (a SHA pin)
    assert [f.fix for f in audit_findings(files, select=["SL701"])] == [None, None]
    files[".github/workflows/build.yml"] = build.replace(
        "9bc31d5ccc31df68ecc42ccf4149144866c47d8a # v3", "v3"
    )
    assert all(f.fix is not None for f in audit_findings(files, select=["SL701"]))


# --- SL702 artifact-version-mismatch --------------------------------------------------------

VAULTPAL = dedent("""
    name: release
    on:
      push:
        tags: ["*"]
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: docker buildx build --metadata-file digests/meta.json .
          - uses: actions/upload-artifact@v3
            with:
              name: digests
              path: digests/*
      merge:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - uses: actions/download-artifact@v4
            with:
              name: digests
              path: digests
""")


def test_v4_download_of_a_v3_upload(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: VAULTPAL}, select=["SL702"]) == [
        hit("SL702", WF, VAULTPAL, "v4"),
    ]
    [finding] = audit_findings({WF: VAULTPAL}, select=["SL702"])
    assert "`actions/upload-artifact@v3` (line 10, job `build`)" in finding.message
    assert "Artifact not found for name:" in finding.help
    assert "compatible version of toolkit/upload-artifact" in finding.help


def test_v3_download_of_a_v4_upload(audit: AuditFn) -> None:
    reverse = VAULTPAL.replace("upload-artifact@v3", "upload-artifact@v4").replace(
        "download-artifact@v4", "download-artifact@v3"
    )
    assert audit({WF: reverse}, select=["SL702"]) == [hit("SL702", WF, reverse, "v3\n")]


def test_mismatch_only_for_the_artifacts_a_download_asks_for(audit: AuditFn) -> None:
    wf = VAULTPAL.replace(
        "  merge:",
        "  docs:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/upload-artifact@v4\n"
        "        with: {name: html, path: html}\n"
        "  merge:",
    ).replace("name: digests\n          path: digests\n", "name: html\n          path: html\n")
    assert "name: html\n          path: html\n" in wf
    assert audit({WF: wf}, select=["SL702"]) == []
    by_pattern = VAULTPAL.replace("name: digests\n          path: digests\n", "pattern: dig*\n")
    assert "pattern: dig*" in by_pattern
    assert audit({WF: by_pattern}, select=["SL702"]) == [hit("SL702", WF, by_pattern, "v4")]
    braces = VAULTPAL.replace("name: digests\n          path: digests\n", "pattern: '{a,dig}*'\n")
    assert audit({WF: braces}, select=["SL702"]) == [hit("SL702", WF, braces, "v4")]
    same = VAULTPAL.replace("upload-artifact@v3", "upload-artifact@v4")
    assert audit({WF: same}, select=["SL702"]) == []


def test_mismatch_across_a_workflow_run_pair(audit: AuditFn, audit_findings: FindingsFn) -> None:
    build = dedent("""
        name: Build
        on: [push]
        jobs:
          dist:
            runs-on: ubuntu-latest
            steps:
              - run: pipx run build
              - uses: actions/upload-artifact@v3
                with: {name: dist, path: dist}
    """)
    deploy = dedent("""
        on:
          workflow_run:
            workflows: [Build]
            types: [completed]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            permissions: {actions: read, id-token: write}
            steps:
              - uses: actions/download-artifact@v4
                with:
                  name: dist
                  path: dist
                  run-id: ${{ github.event.workflow_run.id }}
                  github-token: ${{ secrets.GITHUB_TOKEN }}
              - uses: pypa/gh-action-pypi-publish@release/v1
    """)
    files = {".github/workflows/build.yml": build, ".github/workflows/deploy.yml": deploy}
    assert audit(files, select=["SL702", "SL705"]) == [
        hit("SL702", ".github/workflows/deploy.yml", deploy, "v4"),
    ]
    [finding] = audit_findings(files, select=["SL702"])
    assert "(.github/workflows/build.yml:8, job `dist`)" in finding.message
    other = {
        ".github/workflows/build.yml": build.replace("name: Build", "name: Other"),
        ".github/workflows/deploy.yml": deploy,
    }
    assert audit(other, select=["SL702"]) == []


def test_merge_sub_action_reads_what_its_pattern_matches(audit: AuditFn) -> None:
    wf = dedent("""
        on: push
        jobs:
          wheels:
            strategy:
              matrix:
                os: [ubuntu-latest, macos-latest]
            runs-on: ${{ matrix.os }}
            steps:
              - uses: actions/upload-artifact@v3
                with: {name: 'wheels-${{ matrix.os }}', path: wheelhouse}
          merge:
            needs: wheels
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact/merge@v4
                with: {name: all-wheels, pattern: wheels-*}
    """)
    assert audit({WF: wf}, select=["SL702"]) == [hit("SL702", WF, wf, "v4")]
    other = wf.replace("pattern: wheels-*", "pattern: docs-*")
    assert audit({WF: other}, select=["SL702"]) == []


# --- SL703 artifact-name-collision ----------------------------------------------------------

CHGNET = dedent("""
    name: Release
    on:
      release:
        types: [published]
    jobs:
      build:
        strategy:
          matrix:
            os: [ubuntu-latest, macos-14, windows-latest]
            python-version: ["3.10", "3.11"]
        runs-on: ${{ matrix.os }}
        steps:
          - uses: pypa/cibuildwheel@v2.17.0
          - uses: actions/upload-artifact@v4
            with:
              name: dist
              path: wheelhouse
""")


def test_constant_name_in_a_matrix(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: CHGNET}, select=["SL703"]) == [hit("SL703", WF, CHGNET, "dist\n")]
    [finding] = audit_findings({WF: CHGNET}, select=["SL703"])
    assert finding.severity is Severity.ERROR
    assert "more than one leg of the `build` matrix" in finding.message
    assert "(409) Conflict: an artifact with this name already exists" in finding.help
    assert "name: dist-${{ matrix.os }}-${{ matrix.python-version }}" in finding.help


def test_names_that_vary_per_leg_are_clean(audit: AuditFn) -> None:
    for name in (
        "dist-${{ matrix.os }}-${{ matrix.python-version }}",
        "dist-${{ strategy.job-index }}",
        "${{ format('dist-{0}-{1}', matrix.os, matrix.python-version) }}",
        "dist-${{ runner.os }}-py${{ matrix.python-version }}",
    ):
        wf = CHGNET.replace("name: dist\n", f'name: "{name}"\n')
        assert audit({WF: wf}, select=["SL703"]) == [], name


def test_names_that_miss_an_axis_collide(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = CHGNET.replace("name: dist\n", "name: wheels-${{ matrix.os }}\n")
    assert audit({WF: wf}, select=["SL703"]) == [hit("SL703", WF, wf, "wheels-")]
    [finding] = audit_findings({WF: wf}, select=["SL703"])
    assert "`wheels-${{ matrix.os }}` (`wheels-ubuntu-latest`)" in finding.message
    assert "{os: ubuntu-latest, python-version: 3.10}" in finding.message
    assert "wheels-${{ matrix.os }}-${{ matrix.python-version }}" in finding.help
    # runner.os is the same on both macOS legs
    same_os = (
        CHGNET.replace("name: dist\n", "name: wheels-${{ runner.os }}\n")
        .replace('python-version: ["3.10", "3.11"]', "arch: [x86_64]")
        .replace("windows-latest]", "windows-latest, macos-13]")
    )
    assert audit({WF: same_os}, select=["SL703"]) == [hit("SL703", WF, same_os, "wheels-")]


def test_runner_arch_in_names_follows_the_runner_labels(audit: AuditFn) -> None:
    # os and arch from the labels: two x64 Linux images give the same name
    base = CHGNET.replace("name: dist\n", "name: wheels-${{ runner.os }}-${{ runner.arch }}\n")
    same_arch = base.replace(
        "os: [ubuntu-latest, macos-14, windows-latest]", "os: [ubuntu-22.04, ubuntu-24.04]"
    ).replace('python-version: ["3.10", "3.11"]', "python-version: ['3.12']")
    assert audit({WF: same_arch}, select=["SL703"]) == [hit("SL703", WF, same_arch, "wheels-")]
    # an arm image differs; a label list names its system and architecture too
    arm = same_arch.replace("ubuntu-24.04]", "ubuntu-24.04-arm]")
    assert audit({WF: arm}, select=["SL703"]) == []
    listed = arm.replace(
        "runs-on: ${{ matrix.os }}", "runs-on: [self-hosted, linux, '${{ matrix.os }}']"
    )
    assert audit({WF: listed}, select=["SL703"]) == []


def test_include_can_repeat_a_combination(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # cartopy's test matrix: the include entry cannot extend (ubuntu, 3.12, true) because it
    # changes use-network, so it adds a second ubuntu/3.12 leg with the same name. The
    # uploads only run after a failure: no passing run fails (info).
    wf = dedent("""
        on: push
        jobs:
          tests:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-latest, macos-latest]
                python-version: ['3.12', '3.13']
                use-network: [true]
                include:
                  - os: ubuntu-latest
                    python-version: '3.12'
                    use-network: false
            steps:
              - uses: actions/upload-artifact@v4
                if: failure()
                with:
                  name: image-failures-${{ matrix.os }}-${{ matrix.python-version }}
                  path: output
    """)
    assert audit({WF: wf}, select=["SL703"]) == [hit("SL703", WF, wf, "image-failures")]
    [finding] = audit_findings({WF: wf}, select=["SL703"])
    assert finding.severity is Severity.INFO
    extended = wf.replace("use-network: false", "coverage: true")  # extends, adds no leg
    assert audit({WF: extended}, select=["SL703"]) == []


def test_step_limited_to_one_leg_is_clean(audit: AuditFn) -> None:
    wf = CHGNET.replace(
        "      - uses: actions/upload-artifact@v4\n",
        "      - uses: actions/upload-artifact@v4\n"
        "        if: matrix.os == 'ubuntu-latest' && matrix.python-version == '3.11'\n",
    )
    assert "if: matrix.os" in wf
    assert audit({WF: wf}, select=["SL703"]) == []
    one_leg = CHGNET.replace('python-version: ["3.10", "3.11"]', "").replace(
        "[ubuntu-latest, macos-14, windows-latest]", "[ubuntu-latest]"
    )
    assert audit({WF: one_leg}, select=["SL703"]) == []


def test_v3_uploads_are_left_to_sl701(audit: AuditFn) -> None:
    wf = CHGNET.replace("upload-artifact@v4", "upload-artifact@v3")
    assert audit({WF: wf}, select=["SL703"]) == []


# PyLoad (2024): the sdist and the wheel job both upload `dist--${{ github.run_id }}`.
PYLOAD = dedent("""
    name: Build
    on:
      push:
        branches: [develop]
    jobs:
      sdist:
        runs-on: ubuntu-latest
        steps:
          - run: python -m build --sdist
          - uses: actions/upload-artifact@v4
            with:
              name: dist--${{ github.run_id }}
              path: dist/*.tar.gz
      bdist:
        runs-on: ubuntu-latest
        steps:
          - run: python -m build --wheel
          - uses: actions/upload-artifact@v4
            with:
              name: dist--${{ github.run_id }}
              path: dist/*.whl
""")


def test_same_name_in_two_jobs(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: PYLOAD}, select=["SL703"]) == [
        hit("SL703", WF, PYLOAD, "dist--", 2),
    ]
    [finding] = audit_findings({WF: PYLOAD}, select=["SL703"])
    assert "also uploaded by the step on line 10 (job `sdist`)" in finding.message


def test_same_name_kept_apart_by_conditions_or_overwrite(audit: AuditFn) -> None:
    exclusive = PYLOAD.replace(
        "  sdist:\n    runs-on",
        "  sdist:\n    if: github.event_name == 'schedule'\n    runs-on",
    )
    assert "schedule" in exclusive
    assert audit({WF: exclusive}, select=["SL703"]) == []
    replaced = PYLOAD.replace(
        "  bdist:\n    runs-on", "  bdist:\n    needs: sdist\n    runs-on"
    ).replace("path: dist/*.whl", "path: dist/*.whl\n          overwrite: true")
    assert "needs: sdist" in replaced
    assert audit({WF: replaced}, select=["SL703"]) == []
    unordered = PYLOAD.replace("path: dist/*.whl", "path: dist/*.whl\n          overwrite: true")
    assert audit({WF: unordered}, select=["SL703"]) == [
        hit("SL703", WF, unordered, "dist--", 2),
    ]


def test_default_name_is_artifact(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v4
                with: {path: dist}
              - uses: actions/upload-artifact@v4
                with: {path: docs/_build}
    """)
    assert audit({WF: wf}, select=["SL703"]) == [
        hit("SL703", WF, wf, "actions/upload-artifact@v4", 2),
    ]
    # nothing shiplint knows writes dist/ or docs/_build: either may upload nothing
    [finding] = audit_findings({WF: wf}, select=["SL703"])
    assert finding.severity is Severity.WARNING


def test_names_from_env_and_inputs(audit: AuditFn) -> None:
    env = CHGNET.replace(
        "    steps:\n",
        "    env:\n      TAG: ${{ matrix.os }}-${{ matrix.python-version }}\n    steps:\n",
    ).replace("name: dist\n", "name: dist-${{ env.TAG }}\n")
    assert "TAG: ${{ matrix.os }}" in env
    assert audit({WF: env}, select=["SL703"]) == []
    same_env = env.replace("TAG: ${{ matrix.os }}-${{ matrix.python-version }}", "TAG: all")
    assert audit({WF: same_env}, select=["SL703"]) == [hit("SL703", WF, same_env, "dist-")]
    unknown = CHGNET.replace("name: dist\n", "name: ${{ steps.meta.outputs.name }}\n")
    assert audit({WF: unknown}, select=["SL703"]) == []
    caller = dedent("""
        on: push
        jobs:
          linux:
            uses: ./.github/workflows/build.yml
            with: {os: ubuntu-latest}
          macos:
            uses: ./.github/workflows/build.yml
            with: {os: macos-latest}
    """)
    callee = dedent("""
        on:
          workflow_call:
            inputs:
              os: {type: string, required: true}
        jobs:
          build:
            runs-on: ${{ inputs.os }}
            steps:
              - uses: actions/upload-artifact@v4
                with: {name: wheels, path: wheelhouse}
    """)
    lib = ".github/workflows/build.yml"
    assert audit({WF: caller, lib: callee}, select=["SL703"]) == [
        hit("SL703", lib, callee, "wheels"),
    ]
    per_os = callee.replace("name: wheels", "name: 'wheels-${{ inputs.os }}'")
    assert audit({WF: caller, lib: per_os}, select=["SL703"]) == []


def test_nested_matrix_values_and_exclusive_reusable_calls(audit: AuditFn) -> None:
    # pypa/hatch: one reusable workflow called for dev builds and for releases, never both
    caller = dedent("""
        on:
          push:
            tags: ["hatch-v*"]
            branches: [master]
        jobs:
          distributions-dev:
            if: ${{ !startsWith(github.event.ref, 'refs/tags') }}
            uses: ./.github/workflows/build-distributions.yml
          distributions-release:
            if: startsWith(github.event.ref, 'refs/tags')
            uses: ./.github/workflows/build-distributions.yml
    """)
    callee = dedent("""
        on:
          workflow_call:
        jobs:
          linux:
            runs-on: ubuntu-22.04
            strategy:
              matrix:
                job:
                  - target: x86_64-unknown-linux-gnu
                  - target: aarch64-unknown-linux-gnu
            steps:
              - uses: actions/upload-artifact@v4
                with:
                  name: distribution-${{ matrix.job.target }}
                  path: hatch-dist-${{ matrix.job.target }}.tar.gz
    """)
    lib = ".github/workflows/build-distributions.yml"
    assert audit({WF: caller, lib: callee}, select=["SL703"]) == []
    both = caller.replace("    if: startsWith(github.event.ref, 'refs/tags')\n", "")
    assert audit({WF: both, lib: callee}, select=["SL703"]) == [
        hit("SL703", lib, callee, "distribution-"),
    ]
    same_target = callee.replace("aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu")
    assert audit({WF: caller, lib: same_target}, select=["SL703"]) == [
        hit("SL703", lib, same_target, "distribution-"),
    ]


def test_dynamic_matrix(audit: AuditFn) -> None:
    wf = dedent("""
        on: push
        jobs:
          build:
            strategy:
              matrix:
                include: ${{ fromJSON(needs.plan.outputs.matrix) }}
            runs-on: ${{ matrix.os }}
            steps:
              - uses: actions/upload-artifact@v4
                with: {name: wheels, path: wheelhouse}
    """)
    assert audit({WF: wf}, select=["SL703"]) == [hit("SL703", WF, wf, "wheels")]
    per_leg = wf.replace("name: wheels", "name: 'wheels-${{ matrix.os }}'")
    assert audit({WF: per_leg}, select=["SL703"]) == []


# --- SL703: only uploads that can both create an artifact in one run collide ----------------


def graded(findings: list[Finding]) -> list[tuple[int, Severity]]:
    """(line, severity) of each finding, in report order."""
    return sorted((f.line or 0, f.severity) for f in findings)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    return pos_of(text, needle, nth)[0]


# A test matrix that builds in every leg and uploads once: the `if:` picks one leg.
ONE_LEG = dedent("""
    name: Tests
    on: [push, pull_request]
    jobs:
      test:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-latest, macos-latest, windows-latest]
            python-version: ["3.11", "3.12", "3.13"]
        steps:
          - uses: actions/checkout@v4
          - run: pipx run build
          - name: Keep one build
            if: matrix.os == 'ubuntu-latest' && matrix.python-version == '3.12'
            uses: actions/upload-artifact@v4
            with:
              name: dist
              path: dist/
""")


def test_condition_on_matrix_values_keeps_one_leg(audit_findings: FindingsFn) -> None:
    assert audit_findings({WF: ONE_LEG}, select=["SL703"]) == []
    # `3.10` unquoted is the number 3.1 for GitHub, and so is the comparison
    floats = ONE_LEG.replace('["3.11", "3.12", "3.13"]', "[3.10, 3.11]").replace(
        "== '3.12'", "== '3.10'"
    )
    assert audit_findings({WF: floats}, select=["SL703"]) == []
    every_python = ONE_LEG.replace(" && matrix.python-version == '3.12'", "")
    [finding] = audit_findings({WF: every_python}, select=["SL703"])
    assert finding.severity is Severity.ERROR
    assert finding.line == line_of(every_python, "name: dist")
    assert "{os: ubuntu-latest, python-version: 3.11} and {os: ubuntu-latest" in finding.message


def test_matrix_keys_a_leg_lacks_are_null(audit_findings: FindingsFn) -> None:
    # lxml-style: extra keys only in some include entries, booleans nested in a map
    wf = dedent("""
        on: push
        jobs:
          ci:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [ubuntu-22.04, macos-latest]
                env: [{STATIC_DEPS: true}, {STATIC_DEPS: false}]
                include:
                  - os: ubuntu-latest
                    env: {STATIC_DEPS: false, COVERAGE: true}
                    extra_hash: "-docs"
            steps:
              - run: make html
              - uses: actions/upload-artifact@v4
                if: matrix.extra_hash == '-docs'
                with: {name: website_html, path: doc/html, if-no-files-found: error}
              - uses: actions/upload-artifact@v4
                if: matrix.env.COVERAGE
                with: {name: pycoverage_html, path: "coverage*", if-no-files-found: error}
    """)
    assert audit_findings({WF: wf}, select=["SL703"]) == []
    # COVERAGE: false is a boolean: still only the coverage leg
    falsy = wf.replace("{STATIC_DEPS: true}, {STATIC_DEPS: false}", "{COVERAGE: false}")
    assert audit_findings({WF: falsy}, select=["SL703"]) == []
    two_docs = wf.replace("os: [ubuntu-22.04, macos-latest]", "os: [ubuntu-22.04]").replace(
        "env: [{STATIC_DEPS: true}, {STATIC_DEPS: false}]", "extra_hash: ['-docs']"
    )
    assert graded(audit_findings({WF: two_docs}, select=["SL703"])) == [
        (line_of(two_docs, "name: website_html"), Severity.ERROR),
    ]


# bokeh-style: only the Linux leg collects and uploads.
LINUX_ONLY = dedent("""
    name: BokehJS-CI
    on:
      push:
        branches: [main]
      pull_request:
    jobs:
      test:
        runs-on: ${{ matrix.os }}
        strategy:
          matrix:
            os: [ubuntu-24.04, macos-latest, windows-latest]
            node-version: [20.x]
        steps:
          - run: node make build
          - name: Upload report
            if: runner.os == 'Linux' && (success() || failure())
            uses: actions/upload-artifact@v4
            with:
              name: bokehjs-report
              path: bokehjs-report
              if-no-files-found: error
""")


def test_runner_os_follows_from_the_leg(audit_findings: FindingsFn) -> None:
    assert audit_findings({WF: LINUX_ONLY}, select=["SL703"]) == []
    two_linux = LINUX_ONLY.replace("macos-latest, windows-latest", "ubuntu-22.04")
    [finding] = audit_findings({WF: two_linux}, select=["SL703"])
    assert finding.severity is Severity.ERROR
    assert finding.line == line_of(two_linux, "name: bokehjs-report")
    # a self-hosted runner named after its system is that system (gha_runners)
    self_hosted = LINUX_ONLY.replace(
        "runs-on: ${{ matrix.os }}", "runs-on: [self-hosted, '${{ matrix.os }}']"
    )
    assert audit_findings({WF: self_hosted}, select=["SL703"]) == []
    # labels that name no system: which legs upload is uncertain
    gpus = self_hosted.replace(
        "os: [ubuntu-24.04, macos-latest, windows-latest]", "os: [gpu-a100, gpu-h100]"
    )
    [finding] = audit_findings({WF: gpus}, select=["SL703"])
    assert finding.severity is Severity.WARNING
    assert "whether each upload's `if:` (or its job's) holds" in finding.help


# A reusable wheel workflow called once per platform (one run of it per calling job).
WHEELS_LIB = ".github/workflows/wheels.yml"
WHEELS_CALLEE = dedent("""
    name: Build wheels
    on:
      workflow_call:
        inputs:
          platform: {type: string, default: linux}
          upload-logs: {type: boolean, required: false}
          sanitize: {type: string, required: false, default: }
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: pypa/cibuildwheel@v3.1.4
            with: {output-dir: wheelhouse}
          - uses: actions/upload-artifact@v4
            with:
              name: wheels-${{ inputs.platform }}
              path: wheelhouse/*.whl
          - uses: actions/upload-artifact@v4
            if: inputs.upload-logs
            with:
              name: build-logs
              path: logs/
          - uses: actions/upload-artifact@v4
            if: ${{ inputs.sanitize && always() }}
            with:
              name: ${{ inputs.sanitize }}-logs
              path: san_log.*
              if-no-files-found: ignore
""")
WHEELS_CALLER = dedent("""
    name: Release
    on:
      push:
        tags: ["v*"]
    jobs:
      linux:
        uses: ./.github/workflows/wheels.yml
      macos:
        uses: ./.github/workflows/wheels.yml
        with:
          platform: macos
""")


def test_reusable_workflow_callers_with_their_own_inputs(audit_findings: FindingsFn) -> None:
    # defaults: `linux` and `macos` names, no logs, no sanitizer logs (null default: "")
    assert audit_findings({WF: WHEELS_CALLER, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"]) == []
    # the default and an explicit value that equals it give one name twice
    same = WHEELS_CALLER.replace("platform: macos", "platform: linux")
    [finding] = audit_findings({WF: same, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"])
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line) == (WHEELS_LIB, line_of(WHEELS_CALLEE, "name: wheels-"))
    assert "`wheels-${{ inputs.platform }}` (`wheels-linux`)" in finding.message
    # logs: one caller asks for them, the other keeps the default (false)
    one_log = WHEELS_CALLER.replace("platform: macos", "platform: macos\n      upload-logs: true")
    assert audit_findings({WF: one_log, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"]) == []
    both_logs = one_log.replace(
        "uses: ./.github/workflows/wheels.yml\n  macos",
        "uses: ./.github/workflows/wheels.yml\n    with: {upload-logs: true}\n  macos",
    )
    assert "with: {upload-logs: true}" in both_logs
    [finding] = audit_findings({WF: both_logs, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"])
    assert finding.line == line_of(WHEELS_CALLEE, "name: build-logs")
    # nothing builds into logs/: whether both uploads find files is not known
    assert finding.severity is Severity.WARNING
    assert "whether each upload's `path` matches files" in finding.help


def test_reusable_workflow_inputs_from_expressions(audit_findings: FindingsFn) -> None:
    # both callers ask for logs only on pull requests, and the workflow runs on tags
    on_prs = "${{ github.event_name == 'pull_request' }}"
    caller = WHEELS_CALLER.replace(
        "platform: macos", f"platform: macos\n      upload-logs: {on_prs}"
    ).replace(
        "uses: ./.github/workflows/wheels.yml\n  macos",
        f'uses: ./.github/workflows/wheels.yml\n    with: {{upload-logs: "{on_prs}"}}\n  macos',
    )
    assert caller.count("upload-logs:") == 2
    assert audit_findings({WF: caller, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"]) == []
    on_push = caller.replace("'pull_request'", "'push'")
    [finding] = audit_findings({WF: on_push, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"])
    assert finding.line == line_of(WHEELS_CALLEE, "name: build-logs")
    # sanitizer logs: the same name only when both callers sanitize alike
    sanitized = WHEELS_CALLER.replace("platform: macos", "platform: macos\n      sanitize: thread")
    sanitized = sanitized.replace(
        "uses: ./.github/workflows/wheels.yml\n  macos",
        "uses: ./.github/workflows/wheels.yml\n    with: {sanitize: address}\n  macos",
    )
    assert audit_findings({WF: sanitized, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"]) == []
    alike = sanitized.replace("sanitize: thread", "sanitize: address")
    [finding] = audit_findings({WF: alike, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"])
    assert "(`address-logs`)" in finding.message
    assert finding.severity is Severity.WARNING  # `if-no-files-found: ignore`
    # a value from a job output is unknown: the `if:` may hold in both calls
    unknown = alike.replace("sanitize: address}", "sanitize: '${{ needs.plan.outputs.san }}'}")
    unknown = unknown.replace("sanitize: address", "sanitize: ${{ needs.plan.outputs.san }}")
    callee = WHEELS_CALLEE.replace("name: ${{ inputs.sanitize }}-logs", "name: sanitizer-logs")
    [finding] = audit_findings({WF: unknown, WHEELS_LIB: callee}, select=["SL703"])
    assert finding.severity is Severity.WARNING
    assert "whether each upload's `if:` (or its job's) holds" in finding.help


def test_reusable_workflow_caller_legs(audit_findings: FindingsFn) -> None:
    matrix_caller = dedent("""
        on: push
        jobs:
          wheels:
            strategy:
              matrix:
                platform: [linux, macos, windows]
            uses: ./.github/workflows/wheels.yml
            with:
              platform: ${{ matrix.platform }}
              upload-logs: ${{ matrix.platform == 'windows' }}
    """)
    assert audit_findings({WF: matrix_caller, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"]) == []
    every_leg_logs = matrix_caller.replace("${{ matrix.platform == 'windows' }}", "true")
    [finding] = audit_findings({WF: every_leg_logs, WHEELS_LIB: WHEELS_CALLEE}, select=["SL703"])
    assert finding.line == line_of(WHEELS_CALLEE, "name: build-logs")


# Two jobs of one run upload `dist`; whether both create it depends on their files.
TWO_JOBS = dedent("""
    name: Build
    on:
      push:
        tags: ["v*"]
    jobs:
      sdist:
        runs-on: ubuntu-latest
        steps:
          - run: ./tools/make-sdist.sh
          - uses: actions/upload-artifact@v4
            with:
              name: dist
              path: dist/*.tar.gz
      wheel:
        runs-on: ubuntu-latest
        steps:
          - run: ./tools/make-wheel.sh
          - uses: actions/upload-artifact@v4
            with:
              name: dist
              path: dist/*.whl
""")


def test_files_nothing_known_writes_make_a_warning(audit_findings: FindingsFn) -> None:
    [finding] = audit_findings({WF: TWO_JOBS}, select=["SL703"])
    assert finding.severity is Severity.WARNING
    assert finding.line == line_of(TWO_JOBS, "name: dist", 2)
    assert "if both uploads create an artifact, the second fails with 409" in finding.message
    assert "`if-no-files-found: warn` or `ignore`" in finding.help
    ignore = TWO_JOBS.replace(
        "path: dist/*.whl", "path: dist/*.whl\n          if-no-files-found: ignore"
    )
    assert graded(audit_findings({WF: ignore}, select=["SL703"]))[0][1] is Severity.WARNING
    # `error`: each upload creates its artifact or fails the job
    error = TWO_JOBS.replace(".whl\n", ".whl\n          if-no-files-found: error\n").replace(
        ".tar.gz\n", ".tar.gz\n          if-no-files-found: error\n"
    )
    assert graded(audit_findings({WF: error}, select=["SL703"])) == [
        (line_of(error, "name: dist", 2), Severity.ERROR),
    ]
    only_one = TWO_JOBS.replace(".whl\n", ".whl\n          if-no-files-found: error\n")
    assert graded(audit_findings({WF: only_one}, select=["SL703"]))[0][1] is Severity.WARNING


def test_known_builds_certainly_write_their_files(audit_findings: FindingsFn) -> None:
    built = TWO_JOBS.replace("./tools/make-sdist.sh", "python -m build --sdist").replace(
        "./tools/make-wheel.sh", "pipx run build --wheel --outdir dist/"
    )
    assert graded(audit_findings({WF: built}, select=["SL703"])) == [
        (line_of(built, "name: dist", 2), Severity.ERROR),
    ]
    # a wheel-only build writes no sdist: that path may match nothing
    swapped = built.replace("--sdist", "--wheel")
    assert graded(audit_findings({WF: swapped}, select=["SL703"]))[0][1] is Severity.WARNING
    # a script of several commands may go on after a failed build
    script = built.replace(
        "run: python -m build --sdist",
        "run: |\n          python -m build --sdist || true\n          ls dist",
    )
    assert graded(audit_findings({WF: script}, select=["SL703"]))[0][1] is Severity.WARNING
    # an upload that also runs after a failure may find no files
    always = built.replace(
        "      - uses: actions/upload-artifact@v4\n        with:\n          name: dist\n          path: dist/*.whl",
        "      - uses: actions/upload-artifact@v4\n        if: always()\n        with:\n          name: dist\n          path: dist/*.whl",
    )
    assert "if: always()" in always
    assert graded(audit_findings({WF: always}, select=["SL703"]))[0][1] is Severity.WARNING
    # cibuildwheel: the action's output-dir, the command's --output-dir
    cibw = built.replace(
        "run: pipx run build --wheel --outdir dist/",
        "uses: pypa/cibuildwheel@v3.1.4\n        with: {output-dir: dist}",
    )
    assert graded(audit_findings({WF: cibw}, select=["SL703"]))[0][1] is Severity.ERROR
    command = built.replace(
        "pipx run build --wheel --outdir dist/", "cibuildwheel --output-dir dist"
    )
    assert graded(audit_findings({WF: command}, select=["SL703"]))[0][1] is Severity.ERROR
    empty_ok = command.replace("--output-dir dist", "--output-dir dist --allow-empty")
    assert graded(audit_findings({WF: empty_ok}, select=["SL703"]))[0][1] is Severity.WARNING


def test_overwrite_replaces_instead_of_failing(audit_findings: FindingsFn) -> None:
    # every leg of a matrix replaces the artifact: nothing fails, one leg's files remain
    matrix = CHGNET.replace("path: wheelhouse", "path: wheelhouse\n          overwrite: true")
    [finding] = audit_findings({WF: matrix}, select=["SL703"])
    assert finding.severity is Severity.INFO
    assert "only the last upload's files are kept" in finding.message
    # before v4.2.0 the input does not exist: the second upload fails
    old = matrix.replace("upload-artifact@v4", "upload-artifact@v4.1.0")
    assert graded(audit_findings({WF: old}, select=["SL703"])) == [
        (line_of(old, "name: dist"), Severity.ERROR),
    ]
    moving = matrix.replace("upload-artifact@v4", "upload-artifact@v4.3.1")
    assert graded(audit_findings({WF: moving}, select=["SL703"]))[0][1] is Severity.INFO
    built = TWO_JOBS.replace("./tools/make-sdist.sh", "python -m build --sdist").replace(
        "./tools/make-wheel.sh", "python -m build --wheel"
    )
    # two parallel jobs, one with overwrite: the other fails if it uploads second
    one = built.replace("path: dist/*.whl", "path: dist/*.whl\n          overwrite: true")
    [finding] = audit_findings({WF: one}, select=["SL703"])
    assert finding.severity is Severity.WARNING
    assert "which upload runs last" in finding.help
    both = one.replace("path: dist/*.tar.gz", "path: dist/*.tar.gz\n          overwrite: true")
    assert graded(audit_findings({WF: both}, select=["SL703"]))[0][1] is Severity.INFO
    ordered = one.replace("  wheel:\n    runs-on", "  wheel:\n    needs: sdist\n    runs-on")
    assert audit_findings({WF: ordered}, select=["SL703"]) == []
    # the overwriting upload certainly runs first: the later one still fails
    first = built.replace(
        "path: dist/*.tar.gz", "path: dist/*.tar.gz\n          overwrite: true"
    ).replace("  wheel:\n    runs-on", "  wheel:\n    needs: sdist\n    runs-on")
    assert graded(audit_findings({WF: first}, select=["SL703"])) == [
        (line_of(first, "name: dist", 2), Severity.ERROR),
    ]
    expression = built.replace(
        "path: dist/*.whl", "path: dist/*.whl\n          overwrite: ${{ inputs.replace }}"
    )
    assert graded(audit_findings({WF: expression}, select=["SL703"]))[0][1] is Severity.WARNING


def test_uploads_after_a_failure_or_with_continue_on_error(audit_findings: FindingsFn) -> None:
    # Cirq-style: failure outputs of every partition under one name
    wf = dedent("""
        on:
          schedule:
            - cron: '0 0 * * 0'
        jobs:
          notebooks:
            strategy:
              matrix:
                partition: [partition-0, partition-1, partition-2]
            runs-on: ubuntu-22.04
            steps:
              - run: check/pytest -k ${{ matrix.partition }}
              - uses: actions/upload-artifact@v4
                if: failure()
                with:
                  name: notebook-outputs
                  path: out
                  if-no-files-found: error
    """)
    [finding] = audit_findings({WF: wf}, select=["SL703"])
    assert finding.severity is Severity.INFO
    assert "only run after a failure" in finding.message
    on_success = wf.replace("if: failure()", "if: success() || failure()")
    assert graded(audit_findings({WF: on_success}, select=["SL703"]))[0][1] is Severity.ERROR
    tolerant = on_success.replace(
        "      - uses: actions/upload-artifact@v4\n",
        "      - uses: actions/upload-artifact@v4\n        continue-on-error: true\n",
    )
    [finding] = audit_findings({WF: tolerant}, select=["SL703"])
    assert finding.severity is Severity.INFO
    assert "`continue-on-error`" in finding.message
    per_leg = on_success.replace(
        "    runs-on: ubuntu-22.04\n",
        "    runs-on: ubuntu-22.04\n    continue-on-error: ${{ matrix.partition == 'partition-2' }}\n",
    )
    assert graded(audit_findings({WF: per_leg}, select=["SL703"]))[0][1] is Severity.ERROR
    # two jobs in a fixed order: only the later upload's continue-on-error matters
    jobs = dedent("""
        on: push
        jobs:
          sdist:
            runs-on: ubuntu-latest
            steps:
              - run: python -m build --sdist
              - uses: actions/upload-artifact@v4
                with: {name: dist, path: dist/}
          wheel:
            needs: sdist
            runs-on: ubuntu-latest
            steps:
              - run: python -m build --wheel
              - uses: actions/upload-artifact@v4
                with: {name: dist, path: dist/}
    """)
    assert graded(audit_findings({WF: jobs}, select=["SL703"]))[0][1] is Severity.ERROR
    later_tolerant = jobs.replace(
        "    needs: sdist\n", "    needs: sdist\n    continue-on-error: true\n"
    )
    assert graded(audit_findings({WF: later_tolerant}, select=["SL703"]))[0][1] is Severity.INFO
    earlier_tolerant = jobs.replace(
        "  sdist:\n    runs-on", "  sdist:\n    continue-on-error: true\n    runs-on"
    )
    assert "continue-on-error: true\n    runs-on" in earlier_tolerant
    assert graded(audit_findings({WF: earlier_tolerant}, select=["SL703"]))[0][1] is Severity.ERROR
    experimental = per_leg.replace(
        "${{ matrix.partition == 'partition-2' }}", "${{ vars.EXPERIMENTAL == 'true' }}"
    )
    assert graded(audit_findings({WF: experimental}, select=["SL703"]))[0][1] is Severity.WARNING


def test_conditions_on_step_outputs_are_uncertain(audit_findings: FindingsFn) -> None:
    wf = CHGNET.replace(
        "      - uses: actions/upload-artifact@v4\n",
        "      - id: check\n        run: echo upload=true >> $GITHUB_OUTPUT\n"
        "      - uses: actions/upload-artifact@v4\n"
        "        if: steps.check.outputs.upload == 'true'\n",
    )
    [finding] = audit_findings({WF: wf}, select=["SL703"])
    assert finding.severity is Severity.WARNING
    assert "whether each upload's `if:` (or its job's) holds" in finding.help


def test_dynamic_matrix_is_uncertain(audit_findings: FindingsFn) -> None:
    wf = CHGNET.replace(
        'os: [ubuntu-latest, macos-14, windows-latest]\n        python-version: ["3.10", "3.11"]',
        "include: ${{ fromJSON(needs.plan.outputs.matrix) }}",
    )
    assert "fromJSON" in wf
    [finding] = audit_findings({WF: wf}, select=["SL703"])
    assert finding.severity is Severity.WARNING
    assert "how many legs the matrix computed at run time has" in finding.help


def test_unarchived_uploads_take_the_file_name(audit_findings: FindingsFn) -> None:
    wf = dedent("""
        on: release
        jobs:
          sbom:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v7
                with: {name: sbom, path: out/sbom.spdx.json, archive: false, if-no-files-found: error}
              - uses: actions/upload-artifact@v7
                with: {name: sbom, path: out/sbom.cdx.json, archive: false, if-no-files-found: error}
    """)
    assert audit_findings({WF: wf}, select=["SL703"]) == []
    same_file = wf.replace("out/sbom.cdx.json", "build/sbom.spdx.json").replace(
        "name: sbom,", "name: sbom-cdx,", 1
    )
    assert graded(audit_findings({WF: same_file}, select=["SL703"])) == [
        (line_of(same_file, "name: sbom,"), Severity.ERROR),
    ]
    # v6 has no `archive` input: the artifacts are called `sbom` twice
    v6 = wf.replace("@v7", "@v6")
    assert graded(audit_findings({WF: v6}, select=["SL703"]))[0][1] is Severity.ERROR


def test_composite_action_steps_with_their_inputs(audit_findings: FindingsFn) -> None:
    action = dedent("""
        name: Package
        inputs:
          kind: {required: true}
          keep: {default: 'false'}
        runs:
          using: composite
          steps:
            - run: python -m build --${{ inputs.kind }}
              shell: bash
            - uses: actions/upload-artifact@v4
              if: inputs.keep == 'true'
              with: {name: packages, path: dist/}
    """)
    wf = dedent("""
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: ./.github/actions/package
                with: {kind: sdist, keep: 'true'}
              - uses: ./.github/actions/package
                with: {kind: wheel}
    """)
    lib = ".github/actions/package/action.yml"
    assert audit_findings({WF: wf, lib: action}, select=["SL703"]) == []
    both = wf.replace("{kind: wheel}", "{kind: wheel, keep: 'true'}")
    [finding] = audit_findings({WF: both, lib: action}, select=["SL703"])
    assert (finding.path, finding.severity) == (lib, Severity.WARNING)


# --- SL704 artifact-download-nested ---------------------------------------------------------

# OpenTimelineIO (2025): wheels and sdist downloaded with a pattern, not merged.
OTIO = dedent("""
    name: Build and publish
    on:
      release:
        types: [published]
    jobs:
      upload_pypi:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with:
              pattern: wheel-*
              path: dist
          - uses: actions/download-artifact@v4
            with:
              name: sdist
              path: dist
          - uses: pypa/gh-action-pypi-publish@release/v1
""")


def test_pattern_download_into_the_packages_dir(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: OTIO}, select=["SL704"]) == [hit("SL704", WF, OTIO, "dist\n")]
    [finding] = audit_findings({WF: OTIO}, select=["SL704"])
    assert "publish step on line 19" in finding.message
    assert "InvalidDistribution: Unknown distribution format" in finding.help
    assert "no Python distribution packages to publish in the directory 'dist/'" in finding.help
    assert finding.fix is not None and not finding.fix.safe
    assert fixed(OTIO, finding) == dedent(OTIO).replace(
        "pattern: wheel-*\n", "merge-multiple: true\n          pattern: wheel-*\n"
    )


def test_merged_or_named_downloads_are_clean(audit: AuditFn, audit_findings: FindingsFn) -> None:
    merged = OTIO.replace("path: dist\n", "path: dist\n          merge-multiple: true\n", 1)
    assert audit({WF: merged}, select=["SL704"]) == []
    since = merged.replace("download-artifact@v4\n", "download-artifact@v4.1.0\n", 1)
    assert audit({WF: since}, select=["SL704"]) == []
    # v4.0.0 has neither `pattern` nor `merge-multiple`: every artifact, one folder each
    first_v4 = merged.replace("download-artifact@v4\n", "download-artifact@v4.0.0\n", 1)
    [finding] = audit_findings({WF: first_v4}, select=["SL704"])
    assert finding.severity is Severity.ERROR and finding.fix is None
    elsewhere = OTIO.replace("path: dist\n", "path: wheels\n", 1)
    assert audit({WF: elsewhere}, select=["SL704"]) == []
    custom = OTIO.replace(
        "gh-action-pypi-publish@release/v1",
        "gh-action-pypi-publish@release/v1\n        with:\n          packages-dir: out/",
    )
    assert audit({WF: custom}, select=["SL704"]) == []


def test_download_all_into_dist_then_twine(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = dedent("""
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
                with:
                  path: ./dist/
              - run: ls -R dist
              - run: |
                  pip install twine
                  twine upload --skip-existing dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
    """)
    assert audit({WF: wf}, select=["SL704"]) == [hit("SL704", WF, wf, "./dist/")]
    [finding] = audit_findings({WF: wf}, select=["SL704"])
    assert "twine stops with `InvalidDistribution: Unknown distribution format" in finding.help
    assert finding.fix is None  # without a pattern, merging could mix in other artifacts
    only_wheels = wf.replace("dist/*\n", "dist/*.whl\n")
    [finding] = audit_findings({WF: only_wheels}, select=["SL704"])
    assert "Cannot find file (or expand pattern): 'dist/*.whl'" in finding.help
    nested_glob = wf.replace("dist/*\n", "dist/*/*\n")
    assert audit({WF: nested_glob}, select=["SL704"]) == []
    flattened = wf.replace(
        "run: ls -R dist", "run: find dist -mindepth 2 -type f -exec mv {} dist \\;"
    )
    assert audit({WF: flattened}, select=["SL704"]) == []


def test_uv_publish_and_nightly_action(audit: AuditFn) -> None:
    wf = dedent("""
        on: [workflow_dispatch]
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
                with:
                  pattern: wheels-*
                  path: dist
              - run: uv publish
              - uses: actions/download-artifact@v4
                with:
                  path: wheelhouse
              - uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4
                with:
                  artifacts_path: wheelhouse
                  anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """)
    assert audit({WF: wf}, select=["SL704"]) == [
        hit("SL704", WF, wf, "dist\n"),
        hit("SL704", WF, wf, "wheelhouse\n"),
    ]
    in_subdir = wf.replace("run: uv publish", "run: uv publish\n        working-directory: pkg")
    assert audit({WF: in_subdir}, select=["SL704"]) == [
        hit("SL704", WF, in_subdir, "wheelhouse\n"),
    ]


# download-artifact v5+: a download that finds one artifact extracts it into `path` itself.
V5_RELEASE = dedent("""
    name: Release
    on:
      release:
        types: [published]
    jobs:
      wheels:
        strategy:
          matrix:
            os: [ubuntu-latest, macos-14]
        runs-on: ${{ matrix.os }}
        steps:
          - uses: pypa/cibuildwheel@v3.1.4
          - uses: actions/upload-artifact@v4
            with: {name: "wheel-${{ matrix.os }}", path: wheelhouse/*.whl}
      sdist:
        runs-on: ubuntu-latest
        steps:
          - run: pipx run build --sdist
          - uses: actions/upload-artifact@v4
            with: {name: sdist, path: dist/*.tar.gz}
      publish:
        needs: [wheels, sdist]
        runs-on: ubuntu-latest
        permissions: {id-token: write}
        steps:
          - uses: actions/download-artifact@v5
            with: {pattern: wheel-*, path: dist}
          - uses: actions/download-artifact@v5
            with: {name: sdist, path: dist}
          - uses: pypa/gh-action-pypi-publish@release/v1
""")


def test_v5_nests_only_when_more_than_one_artifact_matches(audit_findings: FindingsFn) -> None:
    assert graded(audit_findings({WF: V5_RELEASE}, select=["SL704"])) == [
        (line_of(V5_RELEASE, "{pattern: wheel-*"), Severity.ERROR),
    ]
    one_wheel = V5_RELEASE.replace("os: [ubuntu-latest, macos-14]", "os: [ubuntu-latest]")
    assert audit_findings({WF: one_wheel}, select=["SL704"]) == []
    # the same single artifact with v4: always a sub-folder
    v4 = one_wheel.replace("download-artifact@v5", "download-artifact@v4")
    assert graded(audit_findings({WF: v4}, select=["SL704"]))[0][1] is Severity.ERROR
    # everything: the wheel and the sdist
    every = one_wheel.replace("{pattern: wheel-*, path: dist}", "{path: dist}")
    assert graded(audit_findings({WF: every}, select=["SL704"]))[0][1] is Severity.ERROR
    # two artifacts whose files nothing known writes: maybe one, maybe two
    scripted = V5_RELEASE.replace(
        "- uses: pypa/cibuildwheel@v3.1.4", "- run: ./tools/build-wheels.sh"
    )
    [finding] = audit_findings({WF: scripted}, select=["SL704"])
    assert finding.severity is Severity.WARNING
    assert "may be extracted into its own sub-folder" in finding.message
    # a release shiplint cannot place (an unknown SHA) with one artifact: v4 would nest it
    unknown = one_wheel.replace(
        "download-artifact@v5\n        with: {pattern",
        "download-artifact@0123456789abcdef0123456789abcdef01234567\n        with: {pattern",
    )
    assert graded(audit_findings({WF: unknown}, select=["SL704"]))[0][1] is Severity.WARNING


# --- SL705 workflow-run-artifact-download ---------------------------------------------------

# PyLoad deploy.yml before commit 9376854e7 (2024): a workflow_run deploy that never saw the
# build's artifacts.
PYLOAD_DEPLOY = dedent("""
    name: Deploy
    on:
      workflow_run:
        workflows: [Build]
        types: [completed]
    jobs:
      pypi:
        if: github.event.workflow_run.conclusion == 'success'
        runs-on: ubuntu-latest
        steps:
          - uses: actions/download-artifact@v4
            with:
              name: dist--${{ github.event.workflow_run.id }}
              path: dist
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              password: ${{ secrets.PYPI_API_TOKEN }}
""")


def test_workflow_run_download_without_run_id(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: PYLOAD_DEPLOY}, select=["SL705"]) == [
        hit("SL705", WF, PYLOAD_DEPLOY, "v4"),
    ]
    [finding] = audit_findings({WF: PYLOAD_DEPLOY}, select=["SL705"])
    assert finding.severity is Severity.WARNING
    assert "run-id: ${{ github.event.workflow_run.id }}" in finding.help


def test_workflow_run_download_variants(audit: AuditFn, audit_findings: FindingsFn) -> None:
    v3 = PYLOAD_DEPLOY.replace("download-artifact@v4", "download-artifact@v3")
    [finding] = audit_findings({WF: v3}, select=["SL705"])
    assert "only reads artifacts of its own run" in finding.message
    no_token = PYLOAD_DEPLOY.replace(
        "path: dist\n", "path: dist\n          run-id: ${{ github.event.workflow_run.id }}\n"
    )
    assert audit({WF: no_token}, select=["SL705"]) == [hit("SL705", WF, no_token, "run-id")]
    ok = no_token.replace("run-id:", "github-token: ${{ secrets.GITHUB_TOKEN }}\n          run-id:")
    assert audit({WF: ok}, select=["SL705"]) == []
    third_party = PYLOAD_DEPLOY.replace(
        "actions/download-artifact@v4", "dawidd6/action-download-artifact@v6"
    )
    assert audit({WF: third_party}, select=["SL705"]) == []


def test_workflow_run_with_own_uploads_or_other_events(audit: AuditFn) -> None:
    own = dedent("""
        on:
          workflow_run:
            workflows: [CI]
            types: [completed]
          push:
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v4
                with: {name: report, path: report}
          comment:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
                with: {name: report}
    """)
    assert audit({WF: own}, select=["SL705"]) == []
    guarded = PYLOAD_DEPLOY.replace("on:\n  workflow_run:", "on:\n  push:\n  workflow_run:")
    guarded = guarded.replace(
        "      - uses: actions/download-artifact@v4\n",
        "      - uses: actions/download-artifact@v4\n        if: github.event_name == 'push'\n",
    )
    assert "if: github.event_name == 'push'" in guarded
    assert audit({WF: guarded}, select=["SL705"]) == []


# --- documentation examples -----------------------------------------------------------------


@pytest.mark.parametrize("code", ALL)
def test_before_fires_and_after_is_clean(code: str, audit: AuditFn, tmp_path: Path) -> None:
    rule = by_key(code)
    assert rule is not None and rule.example_file == WF
    # SL701's example has a retired upload and a retired download
    assert_examples(audit, tmp_path, rule, count=2 if code == "SL701" else 1)


REAL = CORPUS / "real-repos"
_ARTIFACT_REF = re.compile(r"(actions/(?:upload|download)-artifact)@[^\s\"']+(\"?)(\s*#[^\n]*)?")


def _json_findings(capsys: pytest.CaptureFixture[str], *args: str) -> set[tuple[str, str, int]]:
    capsys.readouterr()
    main(["check", "--format", "json", *args])
    data = json.loads(capsys.readouterr().out)
    return {(f["rule"], f["path"], f["line"]) for f in data["findings"]}


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus is not available")
def test_fix_on_real_repos_downgraded_to_v3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every artifact ref of the real repositories set back to `@v3`: the safe fixes never
    leave a run mixing v3 and v4 or colliding (no new SL702/SL703), and are idempotent."""
    fixed = 0
    for repo in sorted(p for p in REAL.iterdir() if p.is_dir()):
        root = tmp_path / repo.name
        shutil.copytree(repo, root, symlinks=True)
        for path in [*root.glob(".github/workflows/*.y*ml"), *root.glob("**/action.y*ml")]:
            if path.is_file() and not path.is_symlink():
                text = path.read_text(encoding="utf-8")
                path.write_text(_ARTIFACT_REF.sub(r"\1@v3\2", text), encoding="utf-8")
        before = _json_findings(capsys, "--select", "SL702,SL703", str(root))
        main(["check", "--fix", "--select", "SL701", str(root)])
        done = re.search(r"Fixed (\d+) problem", capsys.readouterr().err)
        assert done is not None
        fixed += int(done.group(1))
        after = _json_findings(capsys, "--select", "SL702,SL703", str(root))
        assert after <= before, repo.name
        files = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
        main(["check", "--fix", "--select", "SL701", str(root)])
        assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == files, repo.name
    capsys.readouterr()
    assert fixed >= 250  # most runs move to v4; the rest have names shiplint cannot evaluate


# --- the shared machinery: matrix legs, per-leg names, trigger scenarios ----------------------


def _project(tmp_path: Path, text: str) -> Project:
    write_tree(tmp_path, {WF: text})
    return open_project(str(tmp_path))


def test_job_legs_follow_githubs_exclude_then_include(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        """
        on: push
        jobs:
          wheels:
            strategy:
              matrix:
                os: [ubuntu-latest, windows-latest]
                py: ['3.11', '3.12']
                exclude:
                  - {os: windows-latest, py: '3.11'}
                include:
                  - {os: ubuntu-latest, arch: aarch64}
                  - {os: macos-14, py: '3.12'}
            runs-on: ${{ matrix.os }}
            steps:
              - run: 'true'
        """,
    )
    job = project.model.workflows[0].jobs["wheels"]
    legs = job_legs(project, job)
    assert [leg.values for leg in legs] == [
        {"os": "ubuntu-latest", "py": "3.11", "arch": "aarch64"},
        {"os": "ubuntu-latest", "py": "3.12", "arch": "aarch64"},
        {"os": "windows-latest", "py": "3.12"},
        {"os": "macos-14", "py": "3.12"},
    ]
    assert {leg.total for leg in legs} == {4}
    assert matrix_axes(job) == ["os", "py"]


def test_matrix_from_an_expression_gives_two_unknown_legs(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        """
        on: push
        jobs:
          wheels:
            strategy:
              matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}
            runs-on: ubuntu-latest
            steps:
              - run: 'true'
        """,
    )
    legs = job_legs(project, project.model.workflows[0].jobs["wheels"])
    assert [(leg.index, leg.values) for leg in legs] == [(0, None), (1, None)]


def test_names_are_evaluated_per_leg_with_runner_os_and_env(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        """
        on: push
        env:
          KIND: wheels
        jobs:
          build:
            strategy:
              matrix:
                os: [ubuntu-latest, macos-14]
            runs-on: ${{ matrix.os }}
            steps:
              - uses: actions/upload-artifact@v4
                with:
                  name: ${{ env.KIND }}-${{ runner.os }}-${{ strategy.job-index }}-${{ github.sha }}
        """,
    )
    occ = runs(project)[0].occurrences[0]
    names = [
        eval_text(
            raw_name(occ.art),
            StepContext(project, occ.instance, occ.job, leg, occ.via, occ.art.step).lookup,
        )
        for leg in job_legs(project, occ.job)
    ]
    assert names == ["wheels-Linux-0-<github.sha>", "wheels-macOS-1-<github.sha>"]
    assert eval_text("${{ fromJSON(inputs.x) }}", lambda path: "1") is None  # unknown


def test_trigger_scenarios_split_push_into_tag_and_branch(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        """
        on:
          push:
          release:
          workflow_call:
        jobs:
          noop:
            runs-on: ubuntu-latest
            steps:
              - run: 'true'
        """,
    )
    workflow = project.model.workflows[0]
    plain = trigger_scenarios(workflow)
    assert [(f.get(("github", "event_name")), f.get(("github", "ref_type"))) for f in plain] == [
        ("push", "tag"),
        ("push", "branch"),
        ("release", "tag"),
        (None, None),
    ]
    # on a push the payload's ref is github.ref (Scenario derives it from the facts)
    event_refs = [Scenario(workflow, f).lookup_for(None)(("github", "event", "ref")) for f in plain]
    assert [ref == f.get(("github", "ref")) for ref, f in zip(event_refs, plain)] == [
        True,
        True,
        False,
        False,
    ]


def test_leg_scenarios_answer_matrix_runner_and_caller_inputs(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            WF: """
                on: push
                jobs:
                  call:
                    strategy:
                      matrix:
                        os: [ubuntu-24.04, windows-2022]
                        include:
                          - {os: ubuntu-24.04, docs: true, py: 3.10}
                    uses: ./.github/workflows/lib.yml
                    with:
                      label: ${{ matrix.os }}
                      publish: ${{ github.event_name == 'push' }}
            """,
            ".github/workflows/lib.yml": """
                on:
                  workflow_call:
                    inputs:
                      label: {type: string}
                      publish: {type: boolean}
                      count: {type: number}
                      flavour: {type: string, default: plain}
                jobs:
                  build:
                    runs-on: ${{ inputs.label }}
                    steps:
                      - uses: actions/upload-artifact@v4
                        with: {name: x, path: x}
            """,
        },
    )
    project = open_project(str(tmp_path))
    [run] = runs(project)
    scenarios = RunScenarios(project, {("github", "event_name"): "push"})
    called = run.occurrences[0].instance.caller
    assert called is not None
    root, caller, _leg = called
    legs = job_legs(project, caller)
    first = scenarios.get(root, caller, legs[0])
    lookup = first.lookup_for(caller)
    assert lookup(("matrix", "docs")) is True
    assert lookup(("matrix", "py")) == 3.1  # YAML reads 3.10 as a number
    assert lookup(("matrix", "missing")) is None
    assert isinstance(lookup(("runner", "os")), Unknown)  # a calling job has no runner
    # each leg of the caller is its own call, with its own inputs
    got = []
    for occ in run.occurrences:
        instance = occ.instance
        scenario = scenarios.get(instance, occ.job, job_legs(project, occ.job)[0])
        inner = scenario.lookup_for(occ.job)
        paths = [("inputs", n) for n in ("label", "publish", "count", "flavour")]
        got.append(tuple(inner(path) for path in [*paths, ("runner", "os")]))
    assert got == [
        ("ubuntu-24.04", True, 0.0, "plain", "Linux"),
        ("windows-2022", True, 0.0, "plain", "Windows"),
    ]
    assert after_success_text("failure() || matrix.x") == "false || matrix.x"
