"""Conda environment files recognised by content in CI folders (`ci/py312-min.yml`,
`.github/ci-deps.yaml`), whatever their name; other YAML there stays what it was or is
not read."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shiplint.discover import conda_env_shaped
from shiplint.engine import open_project
from tests.conftest import AuditFn, hit, write_tree

ENV = textwrap.dedent(
    """\
    name: nightly-deps
    channels:
      - conda-forge
    dependencies:
      - python=3.12
      - pip
      - pip:
          - --pre
          - --extra-index-url https://pypi.anaconda.org/scipy-wheels-nightly/simple
          - scipy
    """
)


@pytest.mark.parametrize(
    "rel",
    [
        "ci/py312-nightly.yml",
        "ci/deps/nightly.yaml",
        ".ci/nightly.yml",
        ".github/ci-deps.yaml",
        "tools/requirements/nightly.yml",
        "continuous_integration/nightly.yml",
        "azure/deps-nightly.yml",
        "build_tools/nightly.yml",
    ],
)
def test_env_file_by_content_is_read_as_one(audit: AuditFn, tmp_path: Path, rel: str) -> None:
    # its pip index is seen like that of an `environment.yml`
    assert audit({rel: ENV}, select=["SL101"]) == [hit("SL101", rel, ENV, "scipy-wheels-nightly")]
    assert {f.rel: f.kind for f in open_project(str(tmp_path)).files} == {rel: "conda-env"}


NOT_ENV = {
    # a CI template with a `dependencies:` list is still a CI file
    "ci/azure/job.yml": "parameters:\n  name: ''\ndependencies:\n  - build\nsteps:\n  - script: make\n",
    # a GitHub workflow stays a workflow
    ".github/workflows/deps.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: make\ndependencies:\n  - x\n",
    # `dependencies:` that is a mapping, not a list
    "ci/deps-map.yml": "name: x\ndependencies:\n  python: '3.12'\n",
}


def test_other_yaml_keeps_its_kind_or_is_not_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {**NOT_ENV, ".github/labeler.yml": "docs:\n  - docs/**\n"})
    kinds = {f.rel: f.kind for f in open_project(str(tmp_path)).files}
    assert kinds == {
        "ci/azure/job.yml": "ci",
        ".github/workflows/deps.yml": "workflow",
        "ci/deps-map.yml": "ci",
    }


def test_a_templated_env_file_in_a_ci_folder_is_no_yaml_error(audit: AuditFn) -> None:
    text = "name: test\ndependencies:\n  - python={{ python_version }}\n  - numpy\n"
    assert conda_env_shaped(text)
    assert audit({"ci/py-template.yml": text}, select=["SL0"]) == []


def test_an_env_file_named_on_the_command_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ci/py312.yml": ENV, ".github/other.yml": "x: 1\n"})
    (src,) = open_project(str(tmp_path / "ci/py312.yml")).files
    assert src.kind == "conda-env"
    (other,) = open_project(str(tmp_path / ".github/other.yml")).files
    assert other.kind == "workflow"  # as before: a YAML file that matches no kind


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        (ENV, True),
        ("dependencies:\n- numpy\n", True),
        ("name: x\ndependencies: [numpy, pip]\n", True),
        ("# comment\nname: x\n\ndependencies:\n\n  # pinned\n  - numpy\n", True),
        ("name: x\nchannels: [conda-forge]\n", False),  # no dependencies
        ("dependencies:\n  - numpy\nscript:\n  - make\n", False),  # a CI key
        ("on: push\ndependencies:\n  - numpy\n", False),
        ("'dependencies': x\n", False),
    ],
)
def test_conda_env_shaped(text: str, shaped: bool) -> None:
    assert conda_env_shaped(text) is shaped
