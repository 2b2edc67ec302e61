"""Jinja templates are not YAML: conda-build recipes and other templated files are not parse
errors (SL007 says they were not read), while GitHub's and Azure's ``${{ }}`` expressions are
not Jinja and broken plain YAML is still SL001."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from shiplint.cli import main
from shiplint.findings import Finding
from shiplint.parse.templates import jinja_marker
from tests.conftest import AuditFn, hit, write_tree

# A conda-build recipe kept with the CI configuration.
RECIPE = """
    {% set data = load_setup_py_data() %}
    {% set version = environ.get('GIT_DESCRIBE_TAG', '0.0.0').lstrip('v') %}

    package:
      name: stardust
      version: {{ version }}

    source:
      path: ../..

    build:
      number: 0
      script: {{ PYTHON }} -m pip install . --no-deps -vv

    requirements:
      host:
        - python
        - pip
        - setuptools-scm
      run:
        - python
        - numpy >=1.22
        {% if py < 310 %}
        - importlib-metadata
        {% endif %}

    test:
      imports:
        - stardust
"""

# A recipe without statements: only expressions where values begin.
RECIPE_EXPRESSIONS_ONLY = """
    package:
      name: stardust
      version: {{ environ.get('GIT_DESCRIBE_TAG', '0.0.0') }}
    requirements:
      build:
        - {{ compiler('c') }}
"""

# An Azure Pipelines template: ${{ }} template expressions, valid YAML.
AZURE_TEMPLATE = """
    parameters:
      - name: python
        type: string
        default: "3.12"
      - name: upload
        type: boolean
        default: false

    steps:
      - ${{ if eq(parameters.upload, true) }}:
        - script: |
            python -m pip install twine
            twine upload --repository-url https://test.pypi.org/simple/ dist/*
          displayName: Upload to TestPyPI
          env:
            TWINE_PASSWORD: $(TESTPYPI_TOKEN)
      - script: echo "Python ${{ parameters.python }}"
"""

BROKEN_PLAIN = """
    steps:
      - script: python -m build
        displayName: [Build
"""


def test_conda_recipe_under_ci_is_not_a_parse_error(audit: AuditFn) -> None:
    files = {
        "ci/conda/meta.yaml": RECIPE,
        "continuous_integration/recipe/meta.yaml": RECIPE_EXPRESSIONS_ONLY,
    }
    assert audit(files, select=["SL001", "SL007"]) == [
        hit("SL007", "ci/conda/meta.yaml", RECIPE, "{% set data"),
        hit(
            "SL007",
            "continuous_integration/recipe/meta.yaml",
            RECIPE_EXPRESSIONS_ONLY,
            "{{ environ",
        ),
    ]


def test_template_findings_are_notes(audit_findings: Callable[..., list[Finding]]) -> None:
    findings = audit_findings({"ci/conda/meta.yaml": RECIPE})
    assert [(f.rule, f.severity.value, f.message) for f in findings] == [
        ("SL007", "info", "a Jinja template, not YAML: not read"),
    ]


def test_template_commands_are_not_read_as_ci_commands(audit: AuditFn) -> None:
    # read as YAML, `script:` would become CI commands; a template is not read at all
    recipe = RECIPE.replace(
        "script: {{ PYTHON }} -m pip install . --no-deps -vv",
        "script: twine upload --repository-url https://test.pypi.org/simple/ dist/*",
    )
    assert audit({"ci/conda/meta.yaml": recipe}, select=["SL103"]) == []
    plain = "build:\n  script: twine upload --repository-url https://test.pypi.org/simple/ dist/*\n"
    assert audit({"ci/conda/meta.yaml": plain}, select=["SL103"]) == [
        hit("SL103", "ci/conda/meta.yaml", plain, "https://test.pypi.org/simple/"),
    ]


def test_azure_template_expressions_are_yaml(audit: AuditFn) -> None:
    files = {"azure/templates/upload.yml": AZURE_TEMPLATE}
    # read and checked like any CI file: the TestPyPI download index is no upload endpoint
    assert audit(files, select=["SL001", "SL007", "SL103"]) == [
        hit("SL103", "azure/templates/upload.yml", AZURE_TEMPLATE, "https://test.pypi.org/simple/"),
    ]


def test_broken_plain_yaml_is_still_a_parse_error(audit: AuditFn) -> None:
    files = {"ci/azure/steps.yml": BROKEN_PLAIN}
    [finding] = audit(files, select=["SL001", "SL007"])
    assert finding[:2] == ("SL001", "ci/azure/steps.yml")


def test_jinja_in_files_ci_systems_read_is_a_parse_error(audit: AuditFn) -> None:
    # GitHub, Travis, GitLab do not render Jinja: a tag there breaks the file for them too
    workflow = """
        {% set python = "3.12" %}
        on: [push]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo {{ python }}
    """
    files = {".github/workflows/build.yml": workflow, ".travis.yml": RECIPE}
    assert [(rule, path) for rule, path, _, _ in audit(files, select=["SL001", "SL007"])] == [
        ("SL001", ".github/workflows/build.yml"),
        ("SL001", ".travis.yml"),
    ]


def test_recipe_named_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        tmp_path,
        {"recipe/meta.yaml": RECIPE, "conda.recipe/meta.yaml": BROKEN_PLAIN},
    )
    code = main(["check", "--format", "json", str(tmp_path / "recipe" / "meta.yaml")])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["severity"], f["line"]) for f in findings] == [("SL007", "info", 1)]
    assert code == 0
    # a broken file that is no template is still reported
    code = main(["check", "--format", "json", str(tmp_path / "conda.recipe" / "meta.yaml")])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [f["rule"] for f in findings] == ["SL001"]
    assert code == 1


@pytest.mark.parametrize(
    ("text", "is_template"),
    [
        ("version: {{ version }}\n", True),
        ("  - {{ compiler('c') }}\n", True),
        ("{# a comment #}\npackage: x\n", True),
        ("    {% if win %}\n", True),
        ("run: echo a - {{ x }}\n", False),
        ("  - run: docker inspect -f '{{.Id}}' c\n", False),
        ("url: https://example.org/{{ version }}.tar.gz\n", False),
        ("key: ${{ parameters.x }}\n", False),
        ("- ${{ each step in parameters.steps }}:\n  - ${{ step }}\n", False),
        ("run: echo '100%'\n", False),
    ],
)
def test_what_counts_as_jinja(text: str, is_template: bool) -> None:
    assert (jinja_marker(text) is not None) is is_template
