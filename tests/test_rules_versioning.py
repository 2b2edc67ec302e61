"""SL721-SL723: VCS versions from shallow clones, local versions uploaded, static versions
re-uploaded."""

from __future__ import annotations

import textwrap
from typing import Any, Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.rules.base import Rule
from shiplint.rules.versioning.local_version import LocalVersionUpload
from shiplint.rules.versioning.shallow_checkout import VcsVersionShallowCheckout
from shiplint.rules.versioning.static_version import StaticVersionUploadOnPush
from tests.conftest import AuditFn, hit

FindingsFn = Callable[..., "list[Finding]"]
WF = ".github/workflows/release.yml"

HATCH_VCS = """
    [build-system]
    requires = ["hatchling", "hatch-vcs"]
    build-backend = "hatchling.build"

    [project]
    name = "example"
    dynamic = ["version"]

    [tool.hatch.version]
    source = "vcs"
    """
HATCH_VCS_NO_LOCAL = HATCH_VCS + 'raw-options = { local_scheme = "no-local-version" }\n'
SCM = """
    [build-system]
    requires = ["setuptools>=64", "setuptools-scm>=8"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "example"
    dynamic = ["version"]

    [tool.setuptools_scm]
    """
STATIC = """
    [build-system]
    requires = ["setuptools>=77"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "example"
    version = "0.4.1"
    """


def fixed(text: str, finding: Finding) -> str:
    assert finding.fix is not None
    body = textwrap.dedent(text).lstrip("\n")
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        body = body[: edit.start] + edit.replacement + body[edit.end :]
    return body


# --- SL721 -------------------------------------------------------------------------------------

# The TestPyPI job of a VCS-versioned project (labgrid-project/labgrid#1080, hubtty#144).
DEV_UPLOAD = """
    on:
      push:
        branches: [main]
        tags: ['v*']
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: actions/setup-python@v5
          - run: |
              python -m pip install build
              python -m build
          - uses: actions/upload-artifact@v4
            with: {name: dist, path: dist}
      testpypi:
        needs: build
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with: {name: dist, path: dist}
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              repository-url: https://test.pypi.org/legacy/
    """


def test_shallow_checkout_in_build_job(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {WF: DEV_UPLOAD, "pyproject.toml": HATCH_VCS_NO_LOCAL}
    assert audit(files, select=["SL721"]) == [hit("SL721", WF, DEV_UPLOAD, "actions/checkout@v4")]
    finding = audit_findings(files, select=["SL721"])[0]
    assert "job `build`" in finding.message and "hatch-vcs" in finding.message
    assert "a push to `main`" in finding.message
    assert "0.1.dev1+g" in finding.help
    after = fixed(DEV_UPLOAD, finding)
    assert "actions/checkout@v4\n        with:\n          fetch-depth: 0\n" in after
    assert audit({WF: after, "pyproject.toml": HATCH_VCS_NO_LOCAL}, select=["SL721"]) == []


def test_fix_sets_existing_fetch_depth(audit: AuditFn, audit_findings: FindingsFn) -> None:
    wf = DEV_UPLOAD.replace(
        "- uses: actions/checkout@v4\n",
        "- uses: actions/checkout@v4\n            with:\n              fetch-depth: 1\n",
    )
    files = {WF: wf, "pyproject.toml": HATCH_VCS_NO_LOCAL}
    finding = audit_findings(files, select=["SL721"])[0]
    after = fixed(wf, finding)
    assert "fetch-depth: 0" in after and "fetch-depth: 1" not in after


@pytest.mark.parametrize(
    "checkout_with",
    [
        "with:\n              fetch-depth: 0\n",
        "with:\n              fetch-depth: ${{ inputs.depth }}\n",
        "with:\n              fetch-depth: '0'\n",
    ],
)
def test_full_or_unknown_history(audit: AuditFn, checkout_with: str) -> None:
    wf = DEV_UPLOAD.replace(
        "- uses: actions/checkout@v4\n", "- uses: actions/checkout@v4\n            " + checkout_with
    )
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == []


def test_fetch_tags_alone_is_not_enough(audit: AuditFn) -> None:
    wf = DEV_UPLOAD.replace(
        "- uses: actions/checkout@v4\n",
        "- uses: actions/checkout@v4\n            with:\n              fetch-tags: true\n",
    )
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == [
        hit("SL721", WF, wf, "actions/checkout@v4")
    ]


def test_unshallow_later(audit: AuditFn) -> None:
    wf = DEV_UPLOAD.replace(
        "- uses: actions/setup-python@v5\n",
        "- run: git fetch --prune --unshallow --tags\n          - uses: actions/setup-python@v5\n",
    )
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == []


def test_tag_only_publishing_is_fine(audit: AuditFn) -> None:
    """A tag run checks out the tagged commit, which carries the tag (psf/black)."""
    wf = DEV_UPLOAD.replace("        branches: [main]\n", "")
    assert "branches" not in wf
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == []
    wf2 = DEV_UPLOAD.replace(
        "      testpypi:\n        needs: build\n",
        "      testpypi:\n        needs: build\n        if: startsWith(github.ref, 'refs/tags/')\n",
    )
    assert "if: startsWith" in wf2
    assert audit({WF: wf2, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == []


def test_static_version_is_not_reported(audit: AuditFn) -> None:
    assert audit({WF: DEV_UPLOAD, "pyproject.toml": STATIC}, select=["SL721"]) == []


def test_build_job_not_published(audit: AuditFn) -> None:
    wf = DEV_UPLOAD[: DEV_UPLOAD.index("      testpypi:")]
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == []


@pytest.mark.parametrize(
    "build",
    [
        "- uses: pypa/cibuildwheel@v2.21",
        "- uses: hynek/build-and-inspect-python-package@v2",
        "- run: uv build",
        "- run: pipx run build --sdist",
        "- run: python setup.py sdist bdist_wheel",
        "- run: cibuildwheel --output-dir wheelhouse",
        "- uses: PyO3/maturin-action@v1\n            with:\n              command: sdist",
    ],
)
def test_build_commands(audit: AuditFn, build: str) -> None:
    wf = DEV_UPLOAD.replace(
        "- run: |\n              python -m pip install build\n              python -m build", build
    )
    assert build in wf
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL721"]) == [
        hit("SL721", WF, wf, "actions/checkout@v4")
    ]


@pytest.mark.parametrize(
    "not_build",
    [
        "- run: cibuildwheel --print-build-identifiers --platform linux",
        "- run: python -m pytest",
        "- uses: PyO3/maturin-action@v1\n            with:\n              command: upload",
    ],
)
def test_not_builds(audit: AuditFn, not_build: str) -> None:
    wf = DEV_UPLOAD.replace(
        "- run: |\n              python -m pip install build\n              python -m build",
        not_build,
    )
    assert not_build in wf
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL721"]) == []


def test_build_through_tox_env(audit: AuditFn) -> None:
    wf = DEV_UPLOAD.replace(
        "- run: |\n              python -m pip install build\n              python -m build",
        "- run: tox -e build",
    )
    tox = "[testenv:build]\ndeps = build\ncommands = python -m build\n"
    assert audit({WF: wf, "pyproject.toml": SCM, "tox.ini": tox}, select=["SL721"]) == [
        hit("SL721", WF, wf, "actions/checkout@v4")
    ]


def test_build_in_subdirectory_is_another_project(audit: AuditFn) -> None:
    wf = DEV_UPLOAD.replace("python -m build\n", "python -m build packages/plugin\n")
    assert "build packages/plugin" in wf
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL721"]) == []


def test_build_in_reusable_workflow(audit: AuditFn) -> None:
    caller = """
        on:
          schedule:
            - cron: '0 3 * * *'
        jobs:
          build:
            uses: ./.github/workflows/build.yml
          publish:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  repository-url: https://test.pypi.org/legacy/
        """
    callee = """
        on: workflow_call
        jobs:
          dist:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: python -m build
              - uses: actions/upload-artifact@v4
        """
    path = ".github/workflows/build.yml"
    files = {WF: caller, path: callee, "pyproject.toml": SCM}
    assert audit(files, select=["SL721"]) == [hit("SL721", path, callee, "actions/checkout@v4")]


# --- SL722 -------------------------------------------------------------------------------------


def test_local_version_uploaded_on_push(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # DeiC-HPC/cotainr#116, treeverse/dvc#10720: TestPyPI uploads from main.
    wf = DEV_UPLOAD.replace(
        "- uses: actions/checkout@v4\n",
        "- uses: actions/checkout@v4\n            with:\n              fetch-depth: 0\n",
    )
    files = {WF: wf, "pyproject.toml": HATCH_VCS}
    needle = "pypa/gh-action-pypi-publish@release/v1"
    assert audit(files, select=["SL722"]) == [hit("SL722", WF, wf, needle)]
    finding = audit_findings(files, select=["SL722"])[0]
    assert "TestPyPI" in finding.message and "a push to `main`" in finding.message
    assert "The use of local versions" in finding.help
    assert 'local_scheme = "no-local-version"' in finding.help


def test_no_local_version_scheme(audit: AuditFn) -> None:
    assert audit({WF: DEV_UPLOAD, "pyproject.toml": HATCH_VCS_NO_LOCAL}, select=["SL722"]) == []
    scm = SCM + 'local_scheme = "no-local-version"\n'
    assert audit({WF: DEV_UPLOAD, "pyproject.toml": scm}, select=["SL722"]) == []


def test_pretend_version_in_workflow(audit: AuditFn) -> None:
    wf = DEV_UPLOAD.replace(
        "      build:\n        runs-on: ubuntu-latest\n",
        "      build:\n        runs-on: ubuntu-latest\n        env:\n"
        "          SETUPTOOLS_SCM_PRETEND_VERSION: ${{ inputs.version }}\n",
    )
    assert "PRETEND" in wf
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL722"]) == []


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        ("on:\n  release:\n    types: [published]\n", False),
        ("on:\n  push:\n    tags: ['v*']\n", False),
        ("on:\n  push:\n    branches: [main]\n", True),
        ("on: [push]\n", True),
        ("on:\n  schedule:\n    - cron: '0 0 * * *'\n", True),
        ("on: workflow_dispatch\n", True),
        ("on:\n  pull_request:\n", True),
    ],
)
def test_triggers(audit: AuditFn, trigger: str, expected: bool) -> None:
    wf = trigger + (
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
        "      - run: uv build\n"
        "      - run: uv publish\n"
    )
    got = audit({WF: wf, "pyproject.toml": SCM}, select=["SL722"])
    assert got == ([hit("SL722", WF, wf, "uv publish")] if expected else [])


def test_event_condition_keeps_it_to_releases(audit: AuditFn) -> None:
    wf = (
        "on: [push, release]\njobs:\n  publish:\n"
        "    if: github.event_name == 'release'\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL722"]) == []


def test_dispatch_with_chosen_ref(audit: AuditFn) -> None:
    """`workflow_dispatch` that checks out a tag given as input builds that tag's version."""
    wf = (
        "on:\n  workflow_dispatch:\n    inputs:\n      tag: {required: true}\n"
        "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n        with:\n"
        "          ref: ${{ inputs.tag }}\n"
        "      - run: python -m build\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL721", "SL722"]) == []
    plain = wf.replace("        with:\n          ref: ${{ inputs.tag }}\n", "")
    assert "ref:" not in plain
    assert [h[0] for h in audit({WF: plain, "pyproject.toml": SCM}, select=["SL721", "SL722"])] == [
        "SL721",
        "SL722",
    ]


def test_custom_index_is_not_pypi(audit: AuditFn) -> None:
    wf = DEV_UPLOAD.replace(
        "https://test.pypi.org/legacy/", "https://nexus.example.com/repository/pypi/"
    )
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL722"]) == []


def test_setup_py_use_scm_version(audit: AuditFn) -> None:
    setup = "from setuptools import setup\nsetup(name='x', use_scm_version=True)\n"
    needle = "pypa/gh-action-pypi-publish@release/v1"
    assert audit({WF: DEV_UPLOAD, "setup.py": setup}, select=["SL722"]) == [
        hit("SL722", WF, DEV_UPLOAD, needle)
    ]


def test_twine_upload_from_schedule(audit: AuditFn) -> None:
    wf = """
        on:
          schedule:
            - cron: '0 0 * * 0'
        jobs:
          nightly:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0
              - run: python -m build
              - run: twine upload --repository testpypi dist/*
                env:
                  TWINE_PASSWORD: ${{ secrets.TEST_PYPI_TOKEN }}
        """
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL722"]) == [
        hit("SL722", WF, wf, "twine upload")
    ]


def graded(findings: list[Finding]) -> list[tuple[str, str, int, int, Severity]]:
    """(rule, path, line, column, severity) of each finding."""
    return [(f.rule, f.path, f.line or 0, f.column or 0, f.severity) for f in findings]


def at(severity: Severity, rule: str, text: str, needle: str) -> tuple[Any, ...]:
    return (*hit(rule, WF, text, needle), severity)


PUBLISH = "pypa/gh-action-pypi-publish@release/v1"

# jsonschema style: one CI workflow builds on every push and publishes on tags
CI_WITH_TAG_PUBLISH = """
    on:
      push:
        branches-ignore: ["wip*"]
        tags: ["v*"]
      pull_request:
      schedule:
        - cron: "21 3 * * *"
      workflow_dispatch:
    jobs:
      packaging:
        runs-on: ubuntu-latest
        environment: PyPI
        permissions:
          id-token: write
        steps:
          - uses: actions/checkout@v4
            with:
              fetch-depth: 0
          - run: uv run --with build -m build
          - name: Publish to PyPI
            if: github.event_name == 'push' && startsWith(github.event.ref, 'refs/tags')
            uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_event_ref_keeps_the_upload_to_tags(audit: AuditFn) -> None:
    files = {WF: CI_WITH_TAG_PUBLISH, "pyproject.toml": HATCH_VCS}
    assert audit(files, select=["SL721", "SL722"]) == []
    # anaconda-client style: one startsWith per leading digit of the tag
    digits = " ||\n".join(
        f"              startsWith(github.event.ref, 'refs/tags/{d}')" for d in range(10)
    )
    wf = CI_WITH_TAG_PUBLISH.replace(
        "            if: github.event_name == 'push' && startsWith(github.event.ref, 'refs/tags')\n",
        f"            if: |\n{digits}\n",
    ).replace('      pull_request:\n      schedule:\n        - cron: "21 3 * * *"\n', "")
    wf = wf.replace("      workflow_dispatch:\n", "")
    assert audit({WF: wf, "pyproject.toml": HATCH_VCS}, select=["SL722"]) == []
    # without the tag test every branch push uploads a local version
    open_wf = CI_WITH_TAG_PUBLISH.replace(
        "            if: github.event_name == 'push' && startsWith(github.event.ref, 'refs/tags')\n",
        "            if: github.event_name == 'push'\n",
    )
    assert audit({WF: open_wf, "pyproject.toml": HATCH_VCS}, select=["SL722"]) == [
        hit("SL722", WF, open_wf, PUBLISH)
    ]


def test_workflow_rewrites_the_local_scheme(audit: AuditFn) -> None:
    # pygmt style: non-tag builds switch setuptools-scm to no-local-version before building
    wf = DEV_UPLOAD.replace(
        "          - run: |\n",
        "          - if: ${{ !startsWith(github.ref, 'refs/tags') }}\n"
        '            run: sed --in-place "s/node-and-date/no-local-version/g" pyproject.toml\n'
        "          - run: |\n",
    ).replace(
        "- uses: actions/checkout@v4\n",
        "- uses: actions/checkout@v4\n            with:\n              fetch-depth: 0\n",
    )
    scm = SCM + 'local_scheme = "node-and-date"\n'
    assert audit({WF: wf, "pyproject.toml": scm}, select=["SL722"]) == []
    # flox style: the override in the environment of the build command
    env = DEV_UPLOAD.replace(
        "python -m build\n",
        "SETUPTOOLS_SCM_OVERRIDES_FOR_EXAMPLE='local_scheme = \"no-local-version\"' "
        "python -m build\n",
    )
    assert audit({WF: env, "pyproject.toml": SCM}, select=["SL722"]) == []


def test_manual_dispatch_from_a_branch_is_a_warning(audit_findings: FindingsFn) -> None:
    # specutils style: the publish step runs for releases and manual runs, not pull requests
    wf = """
        on:
          pull_request:
          release:
            types: [released]
          workflow_dispatch:
        jobs:
          build-n-publish:
            if: github.repository == 'astropy/specutils'
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0
              - run: python -m build --sdist --wheel .
              - name: Publish distribution to PyPI
                uses: pypa/gh-action-pypi-publish@release/v1
                if: github.event_name != 'pull_request'
    """
    files = {WF: wf, "pyproject.toml": SCM}
    found = audit_findings(files, select=["SL722"])
    assert graded(found) == [at(Severity.WARNING, "SL722", wf, PUBLISH)]
    assert "`workflow_dispatch` started from a branch" in found[0].message
    assert "A run started from a tag is not affected." in found[0].help


def test_pretend_version_makes_a_shallow_clone_harmless(audit: AuditFn) -> None:
    # pytest-xdist style: the version to release is typed into the dispatch form
    wf = """
        on:
          workflow_dispatch:
            inputs:
              version:
                required: true
        jobs:
          package:
            runs-on: ubuntu-latest
            env:
              SETUPTOOLS_SCM_PRETEND_VERSION: ${{ github.event.inputs.version }}
            steps:
              - uses: actions/checkout@v4
              - uses: hynek/build-and-inspect-python-package@v2
          deploy:
            needs: package
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
              - uses: pypa/gh-action-pypi-publish@release/v1
    """
    assert audit({WF: wf, "pyproject.toml": SCM}, select=["SL721"]) == []
    plain = wf.replace(
        "            env:\n              SETUPTOOLS_SCM_PRETEND_VERSION: "
        "${{ github.event.inputs.version }}\n",
        "",
    )
    assert audit({WF: plain, "pyproject.toml": SCM}, select=["SL721"]) == [
        hit("SL721", WF, plain, "actions/checkout@v4")
    ]
    # only the local part dropped: the shallow clone still gives 0.1.devN
    local = wf.replace("SETUPTOOLS_SCM_PRETEND_VERSION", "SETUPTOOLS_SCM_OVERRIDES_FOR_EXAMPLE")
    assert audit({WF: local, "pyproject.toml": SCM}, select=["SL721"]) == [
        hit("SL721", WF, local, "actions/checkout@v4")
    ]


def test_upload_behind_a_step_output_is_information(audit_findings: FindingsFn) -> None:
    wf = DEV_UPLOAD.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - id: check\n"
        '            run: echo "dev=$(python tools/is_dev.py)" >> "$GITHUB_OUTPUT"\n'
        "          - if: steps.check.outputs.dev == 'false'\n"
        "            uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    files = {WF: wf, "pyproject.toml": HATCH_VCS}
    found = audit_findings(files, select=["SL721", "SL722"])
    assert graded(found) == [
        at(Severity.INFO, "SL721", wf, "actions/checkout@v4"),
        at(Severity.INFO, "SL722", wf, PUBLISH),
    ]
    assert "condition shiplint cannot evaluate" in found[1].help


def test_continue_on_error_upload_of_a_local_version(audit_findings: FindingsFn) -> None:
    tolerant = DEV_UPLOAD.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "            continue-on-error: true\n",
    ).replace(
        "- uses: actions/checkout@v4\n",
        "- uses: actions/checkout@v4\n            with:\n              fetch-depth: 0\n",
    )
    found = audit_findings({WF: tolerant, "pyproject.toml": HATCH_VCS}, select=["SL722"])
    assert graded(found) == [at(Severity.WARNING, "SL722", tolerant, PUBLISH)]
    assert "`continue-on-error` keeps the workflow green" in found[0].help


def test_continue_on_error_per_matrix_leg(audit_findings: FindingsFn) -> None:
    wf = """
        on:
          push:
            branches: [main]
        jobs:
          upload:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                index: [testpypi]
                experimental: [false]
            continue-on-error: ${{ matrix.experimental }}
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0
              - run: python -m build
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  repository-url: https://test.pypi.org/legacy/
    """
    files = {WF: wf, "pyproject.toml": SCM}
    assert graded(audit_findings(files, select=["SL722"])) == [
        at(Severity.ERROR, "SL722", wf, PUBLISH)
    ]
    experimental = wf.replace("experimental: [false]", "experimental: [true]")
    files = {WF: experimental, "pyproject.toml": SCM}
    assert graded(audit_findings(files, select=["SL722"])) == [
        at(Severity.WARNING, "SL722", experimental, PUBLISH)
    ]


# --- SL723 -------------------------------------------------------------------------------------

PUSH_PUBLISH = """
    on:
      push:
        branches: [main]
    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/checkout@v4
          - run: python -m build
          - uses: pypa/gh-action-pypi-publish@release/v1
    """


def test_static_version_on_every_push(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # PoonLab/sierra-local#120: "File already exists ('sierralocal-0.4.1-py3-none-any.whl'".
    files = {WF: PUSH_PUBLISH, "pyproject.toml": STATIC}
    needle = "pypa/gh-action-pypi-publish@release/v1"
    assert audit(files, select=["SL723"]) == [hit("SL723", WF, PUSH_PUBLISH, needle)]
    finding = audit_findings(files, select=["SL723"])[0]
    assert "`0.4.1`" in finding.message and "File already exists" in finding.help
    assert "skip-existing: true" in finding.help


def test_skip_existing(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH + "        with:\n          skip-existing: true\n"
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_twine_skip_existing(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH.replace(
        "- uses: pypa/gh-action-pypi-publish@release/v1", "- run: twine upload dist/*"
    )
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == [
        hit("SL723", WF, wf, "twine upload")
    ]
    wf2 = wf.replace("twine upload dist/*", "twine upload --skip-existing dist/*")
    assert audit({WF: wf2, "pyproject.toml": STATIC}, select=["SL723"]) == []
    wf3 = wf.replace("twine upload dist/*", "uv publish --check-url https://pypi.org/simple/")
    assert audit({WF: wf3, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_tags_only(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH.replace("branches: [main]", "tags: ['v*']")
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_dispatch_only_is_not_every_push(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH.replace(
        "      push:\n        branches: [main]\n", "      workflow_dispatch:\n"
    )
    assert "workflow_dispatch" in wf
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_version_bumped_in_workflow(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH.replace(
        "- run: python -m build",
        '- run: sed -i "s/^version = .*/version = \\"0.4.${{ github.run_number }}\\"/" '
        "pyproject.toml\n          - run: python -m build",
    )
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_upload_only_when_a_release_was_created(audit_findings: FindingsFn) -> None:
    # openai-python style: release-please bumps the version in a release PR; the upload runs
    # only when its step output says a release was created
    wf = """
        on:
          push:
            branches: [main]
        jobs:
          release:
            if: github.ref == 'refs/heads/main'
            runs-on: ubuntu-latest
            outputs:
              releases_created: ${{ steps.release.outputs.releases_created }}
            steps:
              - uses: googleapis/release-please-action@v4
                id: release
          publish:
            needs: release
            if: ${{ needs.release.outputs.releases_created == 'true' }}
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: python -m build
              - uses: pypa/gh-action-pypi-publish@release/v1
    """
    found = audit_findings({WF: wf, "pyproject.toml": STATIC}, select=["SL723"])
    assert graded(found) == [at(Severity.INFO, "SL723", wf, PUBLISH)]


def test_release_branch_workflow(audit_findings: FindingsFn) -> None:
    # iminuit style: every push to `main` is a release, tagged by the same workflow
    wf = PUSH_PUBLISH.rstrip(" ").replace(
        "        runs-on: ubuntu-latest\n",
        "        if: ${{ github.ref == 'refs/heads/main' }}\n        runs-on: ubuntu-latest\n",
    ) + (
        "      release:\n        needs: publish\n        runs-on: ubuntu-latest\n"
        "        steps:\n          - uses: softprops/action-gh-release@v2\n"
        "            with:\n              tag_name: v${{ needs.publish.outputs.version }}\n"
    )
    found = audit_findings({WF: wf, "pyproject.toml": STATIC}, select=["SL723"])
    assert graded(found) == [at(Severity.INFO, "SL723", wf, PUBLISH)]
    assert "release branch" in found[0].help
    assert "a push to `main`" in found[0].message
    # the ref test alone keeps the finding certain
    plain = PUSH_PUBLISH.replace(
        "        runs-on: ubuntu-latest\n",
        "        if: ${{ github.ref == 'refs/heads/main' }}\n        runs-on: ubuntu-latest\n",
    )
    found = audit_findings({WF: plain, "pyproject.toml": STATIC}, select=["SL723"])
    assert graded(found) == [at(Severity.ERROR, "SL723", plain, PUBLISH)]
    other_branch = plain.replace("refs/heads/main", "refs/heads/stable")
    assert audit_findings({WF: other_branch, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_continue_on_error_reupload_is_not_reported(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH + "        continue-on-error: true\n"
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_tag_test_on_the_push_payload(audit: AuditFn) -> None:
    # yt style: push to branches and tags, upload only for `yt-` tags
    wf = PUSH_PUBLISH.replace(
        "branches: [main]", "branches: [main, stable]\n        tags: ['yt-*']"
    )
    wf = wf.replace(
        "        runs-on: ubuntu-latest\n",
        "        if: github.event_name == 'push' && startsWith(github.event.ref, 'refs/tags/yt-')\n"
        "        runs-on: ubuntu-latest\n",
    )
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_dry_run_is_no_upload(audit: AuditFn) -> None:
    wf = PUSH_PUBLISH.replace(
        "- uses: pypa/gh-action-pypi-publish@release/v1", "- run: uv publish --dry-run"
    )
    assert audit({WF: wf, "pyproject.toml": STATIC}, select=["SL723"]) == []
    poetry = wf.replace("uv publish --dry-run", "poetry publish --dry-run")
    assert audit({WF: poetry, "pyproject.toml": STATIC}, select=["SL723"]) == []


def test_vcs_version_is_not_static(audit: AuditFn) -> None:
    assert audit({WF: PUSH_PUBLISH, "pyproject.toml": HATCH_VCS}, select=["SL723"]) == []


def test_setup_cfg_static_version(audit: AuditFn) -> None:
    cfg = "[metadata]\nname = example\nversion = 1.2.0\n"
    files = {WF: PUSH_PUBLISH, "setup.cfg": cfg, "setup.py": "import setuptools\n"}
    needle = "pypa/gh-action-pypi-publish@release/v1"
    assert audit(files, select=["SL723"]) == [hit("SL723", WF, PUSH_PUBLISH, needle)]


def test_workspace_root_with_local_version(audit: AuditFn) -> None:
    """pypa/setuptools-scm's workspace root has `version = "0.1+private"`: not what is
    uploaded."""
    text = STATIC.replace('version = "0.4.1"', 'version = "0.1+private"')
    assert audit({WF: PUSH_PUBLISH, "pyproject.toml": text}, select=["SL723"]) == []


# --- examples ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "config"),
    [
        (VcsVersionShallowCheckout, HATCH_VCS_NO_LOCAL),
        (LocalVersionUpload, HATCH_VCS),
        (StaticVersionUploadOnPush, STATIC),
    ],
)
def test_examples(audit: AuditFn, rule: type[Rule], config: str) -> None:
    assert audit({WF: rule.before, "pyproject.toml": config}, select=[rule.code])
    assert audit({WF: rule.after, "pyproject.toml": config}, select=[rule.code]) == []


# --- SL724 -------------------------------------------------------------------------------------

# modelled on "rebuild wheels for a new Python" workflows: a fixed old tag, built and uploaded
FIXED_TAG = """
    on:
      workflow_dispatch:
    jobs:
      wheels:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: v1.4.2
          - uses: pypa/cibuildwheel@v3.1
            with:
              output-dir: dist
          - run: python -m build --sdist
          - uses: actions/upload-artifact@v4
            with:
              name: dist
              path: dist
      publish:
        needs: wheels
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with:
              name: dist
              path: dist
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


#: the family reads build configuration: a project to publish
PYPROJECT = {"pyproject.toml": '[project]\nname = "sample"\nversion = "1.4.2"\n'}


def test_fixed_tag_rebuilt_and_uploaded(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({WF: FIXED_TAG, **PYPROJECT}, select=["SL724"]) == [
        hit("SL724", WF, FIXED_TAG, "v1.4.2")
    ]
    (finding,) = audit_findings({WF: FIXED_TAG, **PYPROJECT}, select=["SL724"])
    assert finding.severity is Severity.WARNING
    assert "job `publish`" in finding.message
    assert "older than 14 days is not allowed" in finding.help
    # the same job builds and uploads; refs/tags/ spelled out; a pre-release tag
    one_job = """
        on: {workflow_dispatch: {}}
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with: {ref: refs/tags/2.0.0rc1}
              - run: python -m build && twine upload dist/*
                env:
                  TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
    """
    assert audit({WF: one_job, **PYPROJECT}, select=["SL724"]) == [
        hit("SL724", WF, one_job, "refs/tags/2.0.0rc1")
    ]


def test_chosen_or_moving_refs_are_not_fixed_tags(audit: AuditFn) -> None:
    for ref in [
        "${{ inputs.tag }}",  # the release being made now, usually
        "${{ github.event.inputs.version || github.ref }}",
        "main",
        "0123456789abcdef0123456789abcdef01234567",  # a commit: maybe not a release
        "release/v1",
    ]:
        wf = FIXED_TAG.replace("ref: v1.4.2", f"ref: {ref}")
        assert audit({WF: wf, **PYPROJECT}, select=["SL724"]) == [], ref
    # another repository checked out at a tag (a dependency built alongside)
    other = FIXED_TAG.replace(
        "ref: v1.4.2", "repository: python/cpython\n              ref: v3.13.0"
    )
    assert audit({WF: other, **PYPROJECT}, select=["SL724"]) == []
    # nothing built after the checkout, or nothing uploaded
    no_build = FIXED_TAG.replace(
        "          - uses: pypa/cibuildwheel@v3.1\n            with:\n              output-dir: dist\n"
        "          - run: python -m build --sdist\n",
        "          - run: ls\n",
    )
    assert audit({WF: no_build, **PYPROJECT}, select=["SL724"]) == []
    dry = FIXED_TAG.replace(
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "          - run: uv publish --dry-run dist/*\n",
    )
    assert audit({WF: dry, **PYPROJECT}, select=["SL724"]) == []
