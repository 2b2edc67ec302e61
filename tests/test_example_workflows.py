"""Example and template workflows (``examples/``, ``docs/examples/`` ...): discovered, kept
when their content is a workflow, audited with findings marked as examples; the rules that
need this repository's own facts stay silent on them; ``extend-include``/``extend-exclude``.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.config import ConfigError, load_config
from shiplint.discover import PRE_COMMIT_FILES, Walk, classify, discover, workflow_shaped
from shiplint.engine import open_configured
from shiplint.findings import Finding
from shiplint.report import json_, sarif
from tests.conftest import AuditFn, hit, run_audit, write_tree
from tests.test_cache import assert_miss_then_same, is_hit, repo

FindingsFn = Callable[..., list[Finding]]

PYPROJECT = '[project]\nname = "demo"\nversion = "1.0"\n'

# modeled on the release workflows projects document for their users (pypa's guide)
RELEASE = """
    name: release
    on:
      push:
        tags: ["v*"]
    jobs:
      pypi:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pipx run build
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              password: ${{ secrets.PYPI_API_TOKEN }}
"""

TRUSTED_NO_ID_TOKEN = """
    on:
      release:
        types: [published]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/download-artifact@v4
          - uses: pypa/gh-action-pypi-publish@release/v1
"""

NOT_A_WORKFLOW = """
    name: config
    settings:
      jobs: 3
      on: push
"""

JINJA_WORKFLOW = """
    on:
      push:
        tags: ["v*"]
    jobs:
      pypi:
        runs-on: {{ cookiecutter.runner }}
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def kinds(root: Path, walk: Walk | None = None) -> dict[str, str]:
    return {d.rel: d.kind for d in discover(root, walk=walk)}


def audited(root: Path) -> dict[str, tuple[str, bool]]:
    project, _config = open_configured(str(root))
    return {src.rel: (src.kind, src.example) for src in project.files}


# --- discovery -------------------------------------------------------------------------------


def test_example_folders_are_candidates_by_path() -> None:
    for rel in (
        "examples/release.yml",
        "example/publish.yaml",
        "examples/pypi/.github/workflows/release.yml",
        "docs/examples/release.yml",
        "doc/examples/ci/release.yml",
        "templates/release.yml",
        "workflow-templates/python-publish.yml",
    ):
        assert classify(rel) == "example", rel
        assert re.search(PRE_COMMIT_FILES, rel), rel
    for rel in ("docs/release.yml", "docs/api/release.yml", "examples/vendor/x.yml", "src/x.yml"):
        assert classify(rel) is None, rel


def test_examples_kept_only_when_their_content_is_a_workflow(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "examples/release.yml": RELEASE,
            "examples/config.yml": NOT_A_WORKFLOW,
            "examples/notes.md": "on:\njobs:\n",
            "docs/examples/publish.yml": TRUSTED_NO_ID_TOKEN,
            "docs/conf/release.yml": RELEASE,  # docs is walked only along docs/examples
        },
    )
    assert kinds(tmp_path) == {
        "docs/examples/publish.yml": "example",
        "examples/config.yml": "example",
        "examples/release.yml": "example",
        "pyproject.toml": "pyproject",
    }
    assert audited(tmp_path) == {
        "docs/examples/publish.yml": ("workflow", True),
        "examples/release.yml": ("workflow", True),
        "pyproject.toml": ("pyproject", False),
    }


def test_workflow_shape_is_top_level_on_and_jobs() -> None:
    assert workflow_shaped(textwrap.dedent(RELEASE))
    assert workflow_shaped('"on": push\njobs: {}\n')
    assert not workflow_shaped(textwrap.dedent(NOT_A_WORKFLOW))  # nested keys only
    assert not workflow_shaped("on: push\n")
    assert not workflow_shaped("jobs:\n  a: 1\n")


def test_jinja_template_is_not_a_workflow(audit: AuditFn) -> None:
    found = audit({"pyproject.toml": PYPROJECT, "templates/release.yml": JINJA_WORKFLOW})
    assert found == [hit("SL007", "templates/release.yml", JINJA_WORKFLOW, "{{ cookiecutter")]


def test_jinja_template_finding_is_not_marked_as_example(audit_findings: FindingsFn) -> None:
    (finding,) = audit_findings({"templates/release.yml": JINJA_WORKFLOW})
    assert finding.message == "a Jinja template, not YAML: not read"
    assert "example" not in finding.extra


# --- auditing ---------------------------------------------------------------------------------


def test_rule_finding_on_example_is_marked(
    tmp_path: Path, audit: AuditFn, audit_findings: FindingsFn
) -> None:
    files = {"pyproject.toml": PYPROJECT, "examples/release.yml": TRUSTED_NO_ID_TOKEN}
    assert audit(files, select=["SL301"]) == [
        hit("SL301", "examples/release.yml", TRUSTED_NO_ID_TOKEN, "publish:"),
    ]
    (finding,) = audit_findings(files, select=["SL301"])
    assert finding.message.endswith(" (example workflow)")
    assert finding.extra == {"example": "workflow"}
    result = run_audit(tmp_path, select=["SL301"])
    (row,) = json.loads(json_.render([result], "warning"))["findings"]
    assert row["example"] is True
    (sarif_result,) = json.loads(sarif.render([result]))["runs"][0]["results"]
    assert sarif_result["properties"] == {"example": True}


def test_the_same_finding_in_a_real_workflow_is_not_marked(audit_findings: FindingsFn) -> None:
    files = {"pyproject.toml": PYPROJECT, ".github/workflows/r.yml": TRUSTED_NO_ID_TOKEN}
    (finding,) = audit_findings(files, select=["SL301"])
    assert not finding.message.endswith("(example workflow)")
    assert finding.extra == {}


def test_sl801_not_reported_on_example(audit: AuditFn) -> None:
    assert audit({"pyproject.toml": PYPROJECT, "examples/release.yml": RELEASE}, ["SL8"]) == []
    # the same workflow as this repository's own upload has no deploy record
    own = {"pyproject.toml": PYPROJECT, ".github/workflows/release.yml": RELEASE}
    assert audit(own, ["SL801"]) == [
        hit("SL801", ".github/workflows/release.yml", RELEASE, "pypa/gh-action-pypi-publish")
    ]


def test_example_upload_does_not_make_the_record_used(audit: AuditFn) -> None:
    record = (
        '\n[tool.shiplint.deploy.pypi]\nindex = "pypi"\nauth = "token"\n'
        'secret = "PYPI_API_TOKEN"\naccount = "someone"\nmaintainers = ["a", "b"]\n'
        "email-verified = 2026-01-01\ntoken-expires = 2027-01-01\n"
    )
    found = audit(
        {"pyproject.toml": PYPROJECT + record, "examples/release.yml": RELEASE}, ["SL814"]
    )
    assert [h[0] for h in found] == ["SL814"]  # stale: the example is not this repo's upload


def test_example_upload_does_not_publish_this_package(audit: AuditFn) -> None:
    """SL735 reports a local version only for a project the repository uploads to PyPI."""
    local = '[project]\nname = "demo"\nversion = "1.0+local"\n'
    assert audit({"pyproject.toml": local, "examples/release.yml": RELEASE}, ["SL735"]) == []
    own = audit({"pyproject.toml": local, ".github/workflows/release.yml": RELEASE}, ["SL735"])
    assert [h[:2] for h in own] == [("SL735", "pyproject.toml")]


def test_example_make_target_is_its_users(tmp_path: Path) -> None:
    files = {
        "Makefile": "release:\n\ttwine upload dist/*\n",
        "examples/release.yml": """
            on: push
            jobs:
              pypi:
                runs-on: ubuntu-latest
                steps:
                  - run: make release
        """,
    }
    write_tree(tmp_path, files)
    project, _ = open_configured(str(tmp_path))
    assert project.model.task_calls == {}


# --- extend-include / extend-exclude ----------------------------------------------------------


def test_extend_include_adds_workflows_discovery_does_not_find(audit_findings: FindingsFn) -> None:
    files = {
        "pyproject.toml": PYPROJECT + '\n[tool.shiplint]\nextend-include = ["guide/ci/*.yml"]\n',
        "guide/ci/publish.yml": TRUSTED_NO_ID_TOKEN,
        "guide/ci/settings.yml": NOT_A_WORKFLOW,
        "guide/other/publish.yml": TRUSTED_NO_ID_TOKEN,
    }
    found = audit_findings(files, select=["SL301"])
    assert [(f.rule, f.path, f.line) for f in found] == [("SL301", "guide/ci/publish.yml", 5)]
    assert found[0].message.endswith("(example workflow)")


def test_without_extend_include_the_folder_is_not_read(audit: AuditFn) -> None:
    files = {"pyproject.toml": PYPROJECT, "guide/ci/publish.yml": TRUSTED_NO_ID_TOKEN}
    assert audit(files, select=["SL301"]) == []


def test_extend_include_pattern_without_folder_matches_at_any_depth(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/b/publish.workflow.yml": RELEASE, "a/b/other.yml": RELEASE})
    walk = Walk(["*.workflow.yml"], None)
    assert kinds(tmp_path, walk) == {"a/b/publish.workflow.yml": "example"}


def test_extend_exclude_drops_discovered_paths(audit: AuditFn) -> None:
    files = {
        "pyproject.toml": PYPROJECT
        + '\n[tool.shiplint]\nextend-exclude = ["examples/legacy", "*.draft.yml"]\n',
        "examples/legacy/release.yml": TRUSTED_NO_ID_TOKEN,
        "examples/new.draft.yml": TRUSTED_NO_ID_TOKEN,
        "examples/current/release.yml": TRUSTED_NO_ID_TOKEN,
    }
    assert audit(files, select=["SL301"]) == [
        hit("SL301", "examples/current/release.yml", TRUSTED_NO_ID_TOKEN, "publish:")
    ]


def test_extend_exclude_also_drops_the_repository_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/a.yml": RELEASE, "ci/run.sh": "true\n"})
    walk = Walk(None, [".github/workflows/a.yml", "ci"])
    assert kinds(tmp_path, walk) == {}
    assert kinds(tmp_path, Walk(None, ["b.yml"])) == {
        ".github/workflows/a.yml": "workflow",
        "ci/run.sh": "shell",
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'extend-include = "examples/*.yml"\n',
            "shiplint.toml:1: extend-include must be a list of glob patterns relative to the root",
        ),
        (
            "# mine\n\nextend-exclude = [1]\n",
            "shiplint.toml:3: extend-exclude must be a list of glob",
        ),
        ('extend-exclude = [""]\n', "shiplint.toml:1: extend-exclude: '' names no file"),
        (
            'extend-include = ["../other/x.yml"]\n',
            "shiplint.toml:1: extend-include: '../other/x.yml' leaves the repository",
        ),
        (
            'extend-include = ["ci/[ab.yml"]\n',
            "shiplint.toml:1: extend-include: 'ci/[ab.yml' is not a valid glob",
        ),
    ],
)
def test_extend_include_exclude_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    write_tree(tmp_path, {"shiplint.toml": toml})
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value).startswith(message)


def test_config_error_in_pyproject_names_the_line_of_the_shiplint_table(tmp_path: Path) -> None:
    text = (
        '[tool.ruff]\nextend-exclude = ["x"]\n\n'
        '[tool.shiplint]\nselect = ["ALL"]\nextend-exclude = "x"\n'
    )
    write_tree(tmp_path, {"pyproject.toml": text})
    with pytest.raises(ConfigError, match=r"^pyproject\.toml:6 \[tool\.shiplint\]: extend-exclude"):
        load_config(tmp_path)


def test_changed_include_or_exclude_is_a_cache_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHIPLINT_NO_CACHE")
    root = repo(tmp_path, {"guide/publish.yml": TRUSTED_NO_ID_TOKEN, "shiplint.toml": ""})
    quiet = assert_miss_then_same(capsys, str(root))
    assert "SL301" not in quiet[1]
    assert is_hit(monkeypatch, capsys, str(root))
    write_tree(root, {"shiplint.toml": 'extend-include = ["guide/*.yml"]\n'})
    assert not is_hit(monkeypatch, capsys, str(root))
    included = assert_miss_then_same(capsys, str(root))
    assert "SL301" in included[1] and "(example workflow)" in included[1]
    write_tree(
        root, {"shiplint.toml": 'extend-include = ["guide/*.yml"]\nextend-exclude = ["guide"]\n'}
    )
    assert not is_hit(monkeypatch, capsys, str(root))
    assert "SL301" not in assert_miss_then_same(capsys, str(root))[1]


def test_an_examples_local_action_is_not_this_repositorys(audit: AuditFn) -> None:
    """`uses: ./.github/actions/publish` in an example names an action of the repository
    the example is copied into: this repository's action of that path does not run in it."""
    action = """
        runs:
          using: composite
          steps:
            - uses: pypa/gh-action-pypi-publish@release/v1
    """
    example = """
        on:
          pull_request:
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: ./.github/actions/publish
    """
    files = {".github/actions/publish/action.yml": action, "examples/release.yml": example}
    assert audit(files, select=["SL301", "SL302"]) == []
    own = {".github/actions/publish/action.yml": action, ".github/workflows/ci.yml": example}
    assert [h[0] for h in audit(own, select=["SL301", "SL302"])] == ["SL302", "SL301"]
