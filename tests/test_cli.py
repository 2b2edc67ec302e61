"""The CLI contract: formats, selection, configuration, ignores and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiplint.cli import main
from tests.conftest import hit, write_tree

RELEASE = """
    on:
      release:
        types: [published]
    jobs:
      pypi:
        runs-on: ubuntu-latest
        environment: testpypi
        permissions:
          id-token: write
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              repository-url: https://testpypi.python.org/pypi
"""

NIGHTLY_SCRIPT = """
    #!/bin/bash
    ANACONDA_ORG="scipy-wheels-nightly"
    anaconda -t "$TOKEN" upload -u "$ANACONDA_ORG" dist/*.whl
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {".github/workflows/release.yml": RELEASE, "ci/upload.sh": NIGHTLY_SCRIPT})
    code, out, _ = run(capsys, "check", "--format", "json", "--select", "SL1", str(tmp_path))
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 1
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in doc["findings"]] == [
        hit("SL102", ".github/workflows/release.yml", RELEASE, "https://testpypi"),
        hit("SL101", "ci/upload.sh", NIGHTLY_SCRIPT, "scipy-wheels-nightly"),
    ]
    first = doc["findings"][0]
    assert set(first) == {
        "rule",
        "name",
        "severity",
        "path",
        "root",
        "line",
        "column",
        "message",
        "help",
    }
    assert first["name"] == "legacy-pypi-url"
    assert first["severity"] == "error"
    assert first["root"] == str(tmp_path)
    assert "https://test.pypi.org/legacy/" in first["help"]
    assert doc["summary"]["error"] == 1
    assert doc["summary"]["warning"] == 1
    assert doc["summary"]["total"] == 2


def test_exit_zero_when_clean_and_text_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'})
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 0
    assert out.startswith("All checks passed")


def test_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"ci/upload.sh": NIGHTLY_SCRIPT})
    code, out, _ = run(capsys, "check", "--select", "SL101", str(tmp_path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"{tmp_path}/ci/upload.sh:2:15: SL101 [*] [warning] upload goes to the retired Anaconda org "
        "`scipy-wheels-nightly`"
    )
    assert lines[1] == '    2 | ANACONDA_ORG="scipy-wheels-nightly"'
    assert lines[2] == " " * 22 + "^"
    assert lines[3].startswith("  help: `scipy-wheels-nightly` is frozen since mid-2023")
    assert "\033[" not in out  # no colour when not a terminal
    assert lines[-1] == "[*] 1 fixable with `shiplint check --fix`."


def test_select_and_ignore_by_code_name_and_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {".github/workflows/release.yml": RELEASE, "ci/upload.sh": NIGHTLY_SCRIPT})

    def rules(*argv: str) -> list[str]:
        _, out, _ = run(capsys, "check", "--format", "json", *argv, str(tmp_path))
        return [f["rule"] for f in json.loads(out)["findings"]]

    assert rules("--select", "deprecated-anaconda-org") == ["SL101"]
    assert rules("--select", "SL10", "--ignore", "legacy-") == ["SL101"]
    assert rules("--select", "SL101,SL102") == ["SL102", "SL101"]
    assert rules("--select", "SL1", "--ignore", "SL101") == ["SL102"]


def test_unknown_rule_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--select", "SL999", str(tmp_path))
    assert code == 2
    assert "unknown rule code or name: SL999" in err


def test_unknown_format_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "junit", str(tmp_path)])
    assert exc.value.code == 2
    assert "invalid choice: 'junit'" in capsys.readouterr().err


def test_missing_path_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope"))
    assert code == 2
    assert "no such file or directory" in err


def test_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An unused ignore is a warning: it fails by default, not with --fail-on error.
    write_tree(tmp_path, {"ci/x.sh": "echo hi  # shiplint: ignore[SL101]\n"})
    assert run(capsys, "check", str(tmp_path))[0] == 1
    assert run(capsys, "check", "--fail-on", "error", str(tmp_path))[0] == 0


def test_inline_ignore_and_unused_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = """
        ANACONDA_ORG="scipy-wheels-nightly"  # shiplint: ignore[SL101] frozen mirror, kept on purpose
        anaconda -t "$T" upload -u "$ANACONDA_ORG" x.whl  # shiplint: ignore[legacy-pypi-url, SL9]
    """
    write_tree(tmp_path, {"ci/upload.sh": script})
    code, out, _ = run(capsys, "check", "--format", "json", "--ignore", "SL8", str(tmp_path))
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("SL004", 2, 51)]
    assert "legacy-pypi-url" in findings[0]["message"]
    assert "SL9 (unknown rule)" in findings[0]["message"]
    assert code == 1


def test_config_in_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """
            [project]
            name = "x"
            [tool.shiplint]
            ignore = ["SL102", "undocumented-deploy-account"]
            fail-on = "error"
            [tool.shiplint.per-file-ignores]
            "ci/*" = ["deprecated-anaconda-org"]
        """,
            ".github/workflows/release.yml": RELEASE,
            "ci/upload.sh": NIGHTLY_SCRIPT,
        },
    )
    code, out, _ = run(capsys, "check", "--format", "json", str(tmp_path))
    assert json.loads(out)["findings"] == []
    assert code == 0


def test_shiplint_toml_and_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"shiplint.toml": 'select = ["SL102"]\n', "ci/upload.sh": NIGHTLY_SCRIPT})
    code, out, _ = run(capsys, "check", "--format", "json", str(tmp_path))
    assert (code, json.loads(out)["findings"]) == (0, [])
    write_tree(tmp_path, {"shiplint.toml": 'selct = ["SL102"]\n'})
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert "unknown key(s) selct" in err


def test_parse_error_is_positioned_and_run_continues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        tmp_path,
        {
            ".github/workflows/broken.yml": "on: [push]\njobs:\n  x: [\n",
            "pyproject.toml": "[project\nname = 1\n",
            "ci/upload.sh": NIGHTLY_SCRIPT,
        },
    )
    (tmp_path / "setup.cfg").write_bytes(b"[metadata]\nname = \xff\xfe\n")
    code, out, _ = run(capsys, "check", "--format", "json", str(tmp_path))
    found = [(f["rule"], f["path"], f["line"]) for f in json.loads(out)["findings"]]
    assert found == [
        ("SL001", ".github/workflows/broken.yml", 4),
        ("SL101", "ci/upload.sh", 2),
        ("SL001", "pyproject.toml", 1),
        ("SL001", "setup.cfg", 2),
    ]
    assert code == 1


def test_several_roots_and_single_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path / "a", {"ci/upload.sh": NIGHTLY_SCRIPT})
    write_tree(tmp_path / "b", {"ci/upload.sh": NIGHTLY_SCRIPT})
    write_tree(tmp_path, {"deploy/pipeline.yaml": RELEASE})
    code, out, _ = run(
        capsys,
        "check",
        "--format",
        "json",
        "--select",
        "SL1",
        str(tmp_path / "a"),
        str(tmp_path / "b"),
        str(tmp_path / "deploy" / "pipeline.yaml"),
    )
    found = [(f["root"], f["path"], f["rule"]) for f in json.loads(out)["findings"]]
    assert found == [
        (str(tmp_path / "a"), "ci/upload.sh", "SL101"),
        (str(tmp_path / "b"), "ci/upload.sh", "SL101"),
        (str(tmp_path / "deploy"), "pipeline.yaml", "SL102"),
    ]
    assert code == 1


def test_explain_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "deprecated-anaconda-org")
    assert code == 0
    assert out.startswith("SL101 deprecated-anaconda-org [warning]")
    assert "scientific-python-nightly-wheels" in out
    assert run(capsys, "explain", "sl101")[1] == out
    assert run(capsys, "explain", "nope")[0] == 2
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = json.loads(out)
    assert {"SL001", "SL101", "SL102", "SL103"} <= {r["code"] for r in rules}
    assert all(r["name"] == r["name"].lower() and " " not in r["name"] for r in rules)


def test_docs_rules_md_is_generated_from_registry() -> None:
    from shiplint.docs import rules_markdown

    path = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `shiplint rules --format markdown > docs/rules.md`"
    )


def test_every_rule_is_documented() -> None:
    from shiplint.rules import all_rules

    for rule in all_rules():
        assert rule.code.startswith("SL") and len(rule.code) == 5, rule.code
        assert rule.summary and rule.doc() != rule.summary, f"{rule.code} needs a docstring"
        if rule.code >= "SL100":
            assert rule.catalogue, f"{rule.code} should name the failure modes it covers"
            assert rule.before, f"{rule.code} needs a before example"


def test_every_failure_mode_a_rule_names_is_defined() -> None:
    """Each id in a rule's ``catalogue`` is an entry of the shared failure catalogue or of
    docs/failure-modes.md (shiplint's own additions)."""
    import re

    from shiplint.rules import all_rules
    from tests.conftest import SHARED

    repo = Path(__file__).resolve().parents[1]
    own = set(re.findall(r"\*\*([A-Z]-\d+) ", (repo / "docs/failure-modes.md").read_text()))
    shared_file = SHARED / "reference" / "failure-catalogue.md"
    if not shared_file.exists():
        pytest.skip("../shared is not beside the repository")
    shared = set(re.findall(r"\*\*([A-Z]-\d+)\b", shared_file.read_text()))
    assert not own & shared, "an id is defined twice"
    named = {c for rule in all_rules() for c in rule.catalogue}
    assert named - own - shared == set()
    assert own <= named, "docs/failure-modes.md defines a mode no rule covers"


def test_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wf = """
        on:
          schedule: [{cron: "0 0 * * *"}]
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - run: bash tools/upload.sh
                env:
                  TOKEN: ${{ secrets.NIGHTLY_TOKEN }}
    """
    write_tree(
        tmp_path,
        {
            ".github/workflows/nightly.yml": wf,
            "tools/upload.sh": 'anaconda -t "$TOKEN" upload -u scientific-python-nightly-wheels x.whl\n',
        },
    )
    code, out, _ = run(capsys, "map", "--format", "json", str(tmp_path))
    assert code == 0
    (root,) = json.loads(out)["roots"]
    (upload,) = root["uploads"]
    assert upload["location"] == "tools/upload.sh:1:1"
    assert upload["tool"] == "anaconda"
    assert upload["target"] == "scientific-python-nightly-wheels"
    assert upload["credentials"] == ["token from secret NIGHTLY_TOKEN via flag -t"]
    assert upload["job"] == "upload"
    assert upload["triggers"] == ["schedule"]
    code, text, _ = run(capsys, "map", str(tmp_path))
    assert "anaconda → scientific-python-nightly-wheels" in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from shiplint import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"shiplint {__version__}"


def test_inline_ignore_with_ini_semicolon_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tox = """
        [testenv:nightly]
        install_command = pip install -i https://pypi.anaconda.org/scipy-wheels-nightly/simple {opts} {packages}
        ; shiplint: ignore[SL101] nothing on this line
    """
    write_tree(tmp_path, {"tox.ini": tox})
    _, out, _ = run(capsys, "check", "--format", "json", str(tmp_path))
    found = [(f["rule"], f["line"]) for f in json.loads(out)["findings"]]
    assert found == [("SL101", 2), ("SL004", 3)]
