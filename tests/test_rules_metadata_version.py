"""SL711-SL712: the core-metadata version the backend writes vs. publisher and backend pins."""

from __future__ import annotations

from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.rules.metadata_version.backends import BackendTooOldForLicenseMetadata
from shiplint.rules.metadata_version.publishers import PublisherTooOldForMetadata
from tests.conftest import AuditFn, hit

FindingsFn = Callable[..., "list[Finding]"]
WF = ".github/workflows/release.yml"


def pyproject(requires: str, backend: str = "setuptools.build_meta", project: str = "") -> str:
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "example"\nversion = "1.0"\n{project}'
    )


SETUPTOOLS = pyproject('"setuptools>=61"')  # unpinned: setuptools 77+ writes 2.4
HATCHLING = pyproject('"hatchling>=1.27"', "hatchling.build")  # 1.32+ writes 2.5
OLD_SETUPTOOLS = pyproject('"setuptools>=61,<77"')  # writes 2.1/2.2
PEP639 = pyproject('"setuptools>=77"', project='license = "MIT"\nlicense-files = ["LICENSE"]\n')


def release(ref: str, extra: str = "") -> str:
    return f"""
        on:
          push:
            tags: ['v*']
        jobs:
          publish:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: actions/checkout@v4
              - run: python -m build
              - uses: pypa/gh-action-pypi-publish@{ref}{extra}
        """


# --- SL711: the action -------------------------------------------------------------------------


def test_old_action_with_metadata_24(audit: AuditFn) -> None:
    # dynamicslab/pysindy#614: setuptools 77 and the action at v1.10.x.
    wf = release("v1.10.3")
    got = audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"])
    assert got == [hit("SL711", WF, wf, "v1.10.3")]


def test_old_action_message_quotes_the_error(audit_findings: FindingsFn) -> None:
    got = audit_findings({WF: release("v1.12.2"), "pyproject.toml": SETUPTOOLS}, select=["SL711"])
    assert len(got) == 1
    finding = got[0]
    assert "cannot read Metadata-Version 2.4" in finding.message
    assert "setuptools 77.0.0 and later" in finding.message
    assert "supported Metadata-Version: 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, 2.3" in finding.help
    assert finding.severity is Severity.ERROR
    assert finding.fix is not None and not finding.fix.safe
    assert finding.fix.edits[0].replacement == "v1.14.2"


@pytest.mark.parametrize("ref", ["v1.12.3", "v1.14.2", "release/v1"])
def test_action_that_reads_24(audit: AuditFn, ref: str) -> None:
    assert audit({WF: release(ref), "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []


def test_old_backend_writes_old_metadata(audit: AuditFn) -> None:
    """setuptools < 77 writes Metadata-Version 2.1/2.2, which every action release reads."""
    assert audit({WF: release("v1.8.14"), "pyproject.toml": OLD_SETUPTOOLS}, select=["SL711"]) == []


def test_metadata_25_needs_1_14_2(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # AuthPlane/python-sdk#26: current hatchling writes 2.5, v1.14.0's twine rejects it.
    wf = release("v1.14.0")
    files = {WF: wf, "pyproject.toml": HATCHLING}
    assert audit(files, select=["SL711"]) == [hit("SL711", WF, wf, "v1.14.0")]
    finding = audit_findings(files, select=["SL711"])[0]
    assert "'2.5' is not a valid metadata version" in finding.help
    assert "hatchling 1.32.0 and later" in finding.message


def test_hatchling_capped_below_2_5(audit: AuditFn) -> None:
    files = {
        WF: release("v1.14.0"),
        "pyproject.toml": pyproject('"hatchling>=1.27,<1.30"', "hatchling.build"),
    }
    assert audit(files, select=["SL711"]) == []


@pytest.mark.parametrize(
    ("requires", "found"),
    [
        # flit_core 4.0 writes Metadata-Version 2.5 for every project (common.py)
        ('"flit_core>=3.12"', "2.5"),
        ('"flit_core>=3.11,<5"', "2.5"),
        # capped below 4: 3.11/3.12 write 2.4, which v1.14.1's twine 6.1.0 reads
        ('"flit_core>=3.11,<4"', None),
    ],
)
def test_flit_core_4_writes_metadata_25(
    audit_findings: FindingsFn, requires: str, found: str | None
) -> None:
    wf = release("v1.14.1")
    files = {WF: wf, "pyproject.toml": pyproject(requires, "flit_core.buildapi")}
    got = audit_findings(files, select=["SL711"])
    if found is None:
        assert got == []
        return
    (finding,) = got
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL711", WF, wf, "v1.14.1"
    )
    assert f"cannot read Metadata-Version {found}" in finding.message
    assert "flit-core 4.0.0 and later" in finding.message


def test_sha_pin_with_version_comment(audit: AuditFn) -> None:
    sha = "ab" * 20
    wf = release(sha, "  # v1.11.0")
    got = audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"])
    assert got == [hit("SL711", WF, wf, sha)]


def test_known_sha_without_comment(audit: AuditFn) -> None:
    sha = "cef221092ed1bacb1cc03d23a2d87d1d172e277b"  # v1.14.0, from facts.toml
    wf = release(sha)
    got = audit({WF: wf, "pyproject.toml": HATCHLING}, select=["SL711"])
    assert got == [hit("SL711", WF, wf, sha)]


def test_table_sha_wins_over_a_branch_comment(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # holoviz/param pins cef2210 with `# release/v1`: the commit is v1.14.0, not "1"
    sha = "cef221092ed1bacb1cc03d23a2d87d1d172e277b"
    wf = release(sha, " # release/v1")
    files = {WF: wf, "pyproject.toml": HATCHLING}
    assert audit(files, select=["SL711"]) == [hit("SL711", WF, wf, sha)]
    (finding,) = audit_findings(files, select=["SL711"])
    assert finding.message.startswith("pypa/gh-action-pypi-publish 1.14.0 (commit cef2210) ")
    assert finding.fix is None  # a SHA pin is not rewritten to a tag
    # v1.14.2's commit with the same comment reads 2.5
    newer = release("dc37677b2e1c63e2034f94d8a5b11f265b73ba33", " # release/v1")
    assert audit({WF: newer, "pyproject.toml": HATCHLING}, select=["SL711"]) == []


def test_table_sha_wins_over_a_wrong_version_comment(audit_findings: FindingsFn) -> None:
    wf = release("cef221092ed1bacb1cc03d23a2d87d1d172e277b", "  # v1.14.2")
    (finding,) = audit_findings({WF: wf, "pyproject.toml": HATCHLING}, select=["SL711"])
    assert "1.14.0 (commit cef2210, not v1.14.2 as its comment says)" in finding.message


@pytest.mark.parametrize("comment", [" # v1", " # release/v1", " # main", "  # v1.14"])
def test_line_or_branch_comment_on_an_unknown_sha_tells_nothing(
    audit: AuditFn, comment: str
) -> None:
    wf = release("0123456789abcdef0123456789abcdef01234567", comment)
    for backend in (SETUPTOOLS, HATCHLING):
        assert audit({WF: wf, "pyproject.toml": backend}, select=["SL711"]) == []


def test_exact_comment_on_an_unknown_sha(audit: AuditFn) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    old = release(sha, "  # v1.14.0")
    assert audit({WF: old, "pyproject.toml": HATCHLING}, select=["SL711"]) == [
        hit("SL711", WF, old, sha)
    ]
    new = release(sha, "  # 1.14.2")
    assert audit({WF: new, "pyproject.toml": HATCHLING}, select=["SL711"]) == []


def test_frozen_minor_branch(audit: AuditFn) -> None:
    # release/v1.8 stopped at v1.8.14 (twine 5.0.0): too old for 2.4 whatever its last commit
    wf = release("release/v1.8")
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == [
        hit("SL711", WF, wf, "release/v1.8")
    ]
    assert audit({WF: wf, "pyproject.toml": OLD_SETUPTOOLS}, select=["SL711"]) == []


def test_sunset_master_reads_24_not_25(audit: AuditFn, audit_findings: FindingsFn) -> None:
    # master installs the newest twine for its Python 3.9 on every run: 6.2, which reads 2.4
    wf = release("master")
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []
    assert audit({WF: wf, "pyproject.toml": PEP639}, select=["SL711"]) == []
    files = {WF: wf, "pyproject.toml": HATCHLING}
    assert audit(files, select=["SL711"]) == [hit("SL711", WF, wf, "master")]
    (finding,) = audit_findings(files, select=["SL711"])
    assert "`@master` (sunset; it installs twine 6.2" in finding.message
    assert finding.severity is Severity.ERROR


def test_pep639_fields_with_v1_12_3_warn(audit_findings: FindingsFn) -> None:
    got = audit_findings({WF: release("v1.12.3"), "pyproject.toml": PEP639}, select=["SL711"])
    assert [(f.rule, f.severity) for f in got] == [("SL711", Severity.WARNING)]
    assert "drops the PEP 639 license fields" in got[0].message


def test_unknown_ref_is_not_guessed(audit: AuditFn) -> None:
    assert audit({WF: release("main"), "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []


def test_no_pyproject_no_setup_py(audit: AuditFn) -> None:
    assert audit({WF: release("v1.5.1")}, select=["SL711"]) == []


def test_monorepo_member_built_elsewhere(audit: AuditFn) -> None:
    """The build runs in a sub-directory: the root's backend says nothing about it."""
    wf = """
        on: {push: {tags: ['v*']}}
        jobs:
          publish:
            runs-on: ubuntu-latest
            defaults:
              run:
                working-directory: packages/client
            steps:
              - uses: actions/checkout@v4
              - run: python -m build
              - uses: pypa/gh-action-pypi-publish@v1.10.3
                with:
                  packages-dir: packages/client/dist
        """
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []
    wf2 = wf.replace(
        "            defaults:\n              run:\n                working-directory: packages/client\n",
        "",
    ).replace("python -m build", "python -m build packages/client")
    assert "defaults" not in wf2 and "build packages/client" in wf2
    assert audit({WF: wf2, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []
    wf3 = wf2.replace("build packages/client", "build")
    assert audit({WF: wf3, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == [
        hit("SL711", WF, wf3, "v1.10.3")
    ]


# --- SL711: twine pins -------------------------------------------------------------------------


TWINE_WF = """
    on: {push: {tags: ['v*']}}
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pip install build twine==5.1.1
          - run: python -m build
          - run: twine upload dist/*
            env:
              TWINE_USERNAME: __token__
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
    """


def test_twine_pin_too_old(audit: AuditFn, audit_findings: FindingsFn) -> None:
    files = {WF: TWINE_WF, "pyproject.toml": SETUPTOOLS}
    assert audit(files, select=["SL711"]) == [hit("SL711", WF, TWINE_WF, "twine==5.1.1")]
    finding = audit_findings(files, select=["SL711"])[0]
    assert "`twine==5.1.1`" in finding.message and "twine>=6.0.0" in finding.help


def test_twine_check_with_old_pin(audit: AuditFn) -> None:
    wf = TWINE_WF.replace("twine upload dist/*", "python -m twine check --strict dist/*")
    wf = wf.replace("twine==5.1.1", "'twine<6'")
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == [
        hit("SL711", WF, wf, "twine<6")
    ]


def test_twine_pin_recent_enough(audit: AuditFn) -> None:
    wf = TWINE_WF.replace("twine==5.1.1", "twine==6.2.0")
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []
    wf2 = TWINE_WF.replace("twine==5.1.1", "twine")
    assert audit({WF: wf2, "pyproject.toml": HATCHLING}, select=["SL711"]) == []


def test_twine_6_with_metadata_25(audit: AuditFn) -> None:
    wf = TWINE_WF.replace("twine==5.1.1", "twine~=6.2")
    assert audit({WF: wf, "pyproject.toml": HATCHLING}, select=["SL711"]) == [
        hit("SL711", WF, wf, "twine~=6.2")
    ]


def test_twine_pin_in_another_job_does_not_count(audit: AuditFn) -> None:
    wf = """
        on: {push: {tags: ['v*']}}
        jobs:
          lint:
            runs-on: ubuntu-latest
            steps:
              - run: pip install twine==5.1.1
          publish:
            runs-on: ubuntu-latest
            steps:
              - run: python -m build
              - run: twine upload dist/*
        """
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []


def test_packaging_pin_too_old(audit: AuditFn) -> None:
    wf = TWINE_WF.replace("twine==5.1.1", "twine==6.1.0 packaging==24.1")
    assert audit({WF: wf, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == [
        hit("SL711", WF, wf, "packaging==24.1")
    ]


def test_twine_6_0_with_pep639_warns(audit_findings: FindingsFn) -> None:
    wf = TWINE_WF.replace("twine==5.1.1", "twine==6.0.1")
    got = audit_findings({WF: wf, "pyproject.toml": PEP639}, select=["SL711"])
    assert [(f.rule, f.severity) for f in got] == [("SL711", Severity.WARNING)]


def test_twine_pin_in_requirements_file(audit: AuditFn) -> None:
    wf = TWINE_WF.replace(
        "pip install build twine==5.1.1", "pip install -r requirements/release.txt"
    )
    req = "build==1.2.2\ntwine==5.1.1 \\\n    --hash=sha256:abc\n"
    files = {WF: wf, "pyproject.toml": SETUPTOOLS, "requirements/release.txt": req}
    assert audit(files, select=["SL711"]) == [
        hit("SL711", "requirements/release.txt", req, "twine==5.1.1")
    ]


def test_twine_pin_in_tox_deps(audit: AuditFn) -> None:
    tox = """
        [testenv:release]
        deps =
            build
            twine==4.0.2
        commands =
            python -m build
            twine upload dist/*
        """
    assert audit({"tox.ini": tox, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == [
        hit("SL711", "tox.ini", tox, "twine==4.0.2")
    ]


# --- SL712 -------------------------------------------------------------------------------------


def test_license_expression_with_setuptools_below_77(audit: AuditFn) -> None:
    # flagos-ai/FlagGems#4738 capped setuptools<77; a license string then fails the build.
    text = pyproject('"setuptools>=61,<77", "wheel"', project='license = "MIT"\n')
    assert audit({"pyproject.toml": text}, select=["SL712"]) == [
        hit("SL712", "pyproject.toml", text, "setuptools>=61,<77")
    ]


def test_license_files_with_setuptools_star_pin(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = pyproject('"setuptools==74.*"', project='license-files = ["LICENSE"]\n')
    assert audit({"pyproject.toml": text}, select=["SL712"]) == [
        hit("SL712", "pyproject.toml", text, "setuptools==74.*")
    ]
    finding = audit_findings({"pyproject.toml": text}, select=["SL712"])[0]
    assert "license-file introduced in metadata version 2.4, not 2.2" in finding.help
    assert "setuptools>=77.0.0" in finding.help


@pytest.mark.parametrize(
    ("requires", "backend"),
    [
        ('"hatchling<1.26"', "hatchling.build"),
        ('"flit_core >=3.2,<3.11"', "flit_core.buildapi"),
        ('"pdm-backend<2.4"', "pdm.backend"),
    ],
)
def test_other_backends_below_pep639(audit: AuditFn, requires: str, backend: str) -> None:
    text = pyproject(requires, backend, 'license = "MIT"\n')
    needle = requires.strip('"')
    assert audit({"pyproject.toml": text}, select=["SL712"]) == [
        hit("SL712", "pyproject.toml", text, needle)
    ]


def test_maturin_checks_license_files_only(audit: AuditFn) -> None:
    text = pyproject('"maturin>=1.0,<1.8"', "maturin", 'license = "MIT"\n')
    assert audit({"pyproject.toml": text}, select=["SL712"]) == []
    text2 = pyproject('"maturin>=1.0,<1.8"', "maturin", 'license-files = ["LICENSE"]\n')
    assert audit({"pyproject.toml": text2}, select=["SL712"]) == [
        hit("SL712", "pyproject.toml", text2, "maturin>=1.0,<1.8")
    ]


@pytest.mark.parametrize(
    "requires", ['"setuptools>=61"', '"setuptools>=77"', '"setuptools"', '"setuptools>=61,<90"']
)
def test_setuptools_that_reaches_77(audit: AuditFn, requires: str) -> None:
    text = pyproject(requires, project='license = "MIT"\nlicense-files = ["LICENSE"]\n')
    assert audit({"pyproject.toml": text}, select=["SL712"]) == []


def test_old_backend_without_license_fields(audit: AuditFn) -> None:
    text = pyproject('"setuptools<77"', project='license = {text = "MIT"}\n')
    assert audit({"pyproject.toml": text}, select=["SL712"]) == []


UV_PUBLISH = """
    on: {push: {tags: ['v*']}}
    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
        steps:
          - uses: actions/checkout@v4
          - run: uv build
          - run: uv publish
    """


def test_default_license_file_with_old_setuptools_and_uv_publish(audit: AuditFn) -> None:
    # astral-sh/uv#9513, yehoshuadimarsky/bcpandas#219: a LICENSE file, setuptools < 77.
    text = OLD_SETUPTOOLS
    files = {"pyproject.toml": text, "LICENSE": "MIT License\n", WF: UV_PUBLISH}
    assert audit(files, select=["SL712"]) == [
        hit("SL712", "pyproject.toml", text, "setuptools>=61,<77")
    ]


def test_default_license_file_with_twine_is_fine(audit: AuditFn) -> None:
    """twine drops License-File below Metadata-Version 2.4."""
    files = {"pyproject.toml": OLD_SETUPTOOLS, "LICENSE": "MIT\n", WF: release("release/v1")}
    assert audit(files, select=["SL712"]) == []


def test_license_files_switched_off(audit: AuditFn) -> None:
    text = OLD_SETUPTOOLS + "\n[tool.setuptools]\nlicense-files = []\n"
    files = {"pyproject.toml": text, "LICENSE": "MIT\n", WF: UV_PUBLISH}
    assert audit(files, select=["SL712"]) == []


def test_hatchling_1_25_with_hatch_publish(audit: AuditFn) -> None:
    # pypa/hatch#1818, #1834: LICENSE.txt picked up by the default globs.
    text = pyproject('"hatchling==1.25.0"', "hatchling.build")
    wf = UV_PUBLISH.replace("uv build", "hatch build").replace("uv publish", "hatch publish")
    files = {"pyproject.toml": text, "LICENSE.txt": "MIT\n", WF: wf}
    assert audit(files, select=["SL712"]) == [
        hit("SL712", "pyproject.toml", text, "hatchling==1.25.0")
    ]


def test_setuptools_older_than_license_file_support(audit: AuditFn) -> None:
    files = {
        "pyproject.toml": pyproject('"setuptools<50"'),
        "LICENSE": "MIT\n",
        WF: UV_PUBLISH,
    }
    assert audit(files, select=["SL712"]) == []


# --- examples ----------------------------------------------------------------------------------


def test_sl711_examples(audit: AuditFn) -> None:
    rule = PublisherTooOldForMetadata
    before = "jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n" + "".join(
        "      " + line + "\n" for line in rule.before.splitlines()
    )
    assert audit({WF: before, "pyproject.toml": SETUPTOOLS}, select=["SL711"])
    after = before.replace("v1.10.3", "v1.14.2")
    assert "v1.14.2" in rule.after
    assert audit({WF: after, "pyproject.toml": SETUPTOOLS}, select=["SL711"]) == []


def test_sl712_examples(audit: AuditFn) -> None:
    rule = BackendTooOldForLicenseMetadata
    assert audit({"pyproject.toml": rule.before}, select=["SL712"])
    assert audit({"pyproject.toml": rule.after}, select=["SL712"]) == []
