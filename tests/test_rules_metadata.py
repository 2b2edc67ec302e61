"""SL731-SL740: package metadata PyPI refuses, and the removed ``setup.py upload``."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from shiplint.findings import Finding, Severity
from shiplint.rules import by_key
from tests.conftest import AuditFn, hit, write_tree
from tests.rule_examples import assert_examples

FindingsFn = Callable[..., "list[Finding]"]

PP = "pyproject.toml"
CFG = "setup.cfg"
PY = "setup.py"
WF = ".github/workflows/release.yml"

# A trusted-publishing release job (PyPI).
PYPI_WF = """
    name: release
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with: {name: dist, path: dist}
          - uses: pypa/gh-action-pypi-publish@release/v1
"""

# Uploads only to a private index.
PRIVATE_WF = """
    name: release
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - run: twine upload --repository-url https://pypi.example.com/legacy/ dist/*
            env:
              TWINE_USERNAME: ci
              TWINE_PASSWORD: ${{ secrets.INTERNAL_INDEX_PASSWORD }}
"""


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fixed(text: str, finding: Finding) -> str:
    """``text`` (as written in the fixture) with the finding's fix applied."""
    assert finding.fix is not None
    body = dedent(text)
    assert finding.source is not None and finding.source.text == body
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        body = body[: edit.start] + edit.replacement + body[edit.end :]
    return body


# --- before/after examples of every rule -------------------------------------------------------

CODES = [f"SL{n}" for n in range(731, 741)]


@pytest.mark.parametrize("code", CODES)
def test_before_fires_and_after_is_clean(code: str, audit: AuditFn, tmp_path: Path) -> None:
    rule = by_key(code)
    assert rule is not None
    extra = {WF: PYPI_WF} if code == "SL738" else None
    # SL731's example holds two invalid classifiers
    assert_examples(audit, tmp_path, rule, extra, count=2 if code == "SL731" else 1)


# --- SL731 invalid-classifier ------------------------------------------------------------------

CLASSIFIERS_PP = """
    [project]
    name = "stardust"
    version = "2.1.0"
    classifiers = [
      "Development Status :: 4 - Beta",
      "License :: MIT",
      "Frameworks :: Ansible",
      "Natural Language :: Ukranian",
      "Private :: Do Not Upload",
      "Topic :: Scientific/Engineering :: Astronomy",
    ]
"""


def test_invalid_and_deprecated_classifiers_in_pyproject(audit_findings: FindingsFn) -> None:
    found = audit_findings({PP: CLASSIFIERS_PP}, select=["SL731"])
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        hit("SL731", PP, CLASSIFIERS_PP, "License :: MIT"),
        hit("SL731", PP, CLASSIFIERS_PP, "Frameworks :: Ansible"),
        hit("SL731", PP, CLASSIFIERS_PP, "Natural Language :: Ukranian"),
    ]
    invalid, typo, deprecated = found
    assert "400 'License :: MIT' is not a valid classifier." in invalid.message
    assert invalid.fix is None
    assert "did you mean `Framework :: Ansible`?" in typo.help
    assert "has been deprecated, use one of ['Natural Language :: Ukrainian']" in (
        deprecated.message
    )
    assert fixed(CLASSIFIERS_PP, deprecated) == dedent(CLASSIFIERS_PP).replace(
        "Ukranian", "Ukrainian"
    )


def test_invalid_classifier_severity_follows_what_refuses_it(audit_findings: FindingsFn) -> None:
    # (each call adds files to the same tree: the upload comes last)
    # no upload in sight and setuptools, which leaves classifiers to PyPI: a warning
    found = audit_findings({PP: CLASSIFIERS_PP}, select=["SL731"])
    assert [f.severity for f in found] == [Severity.WARNING] * 3
    assert "configures no upload to PyPI or TestPyPI" in found[0].message
    # hatchling >= 1.7 stops the build on an unknown classifier, upload or not
    hatch = (
        CLASSIFIERS_PP
        + """
    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"
"""
    )
    found = audit_findings({PP: hatch}, select=["SL731"])
    assert [f.severity for f in found] == [Severity.ERROR] * 3
    assert (
        "the build fails: `ValueError: Unknown classifier in field `project.classifiers`: "
        "Frameworks :: Ansible`" in found[1].message
    )
    # ... but not a hatchling pinned below 1.7
    old = hatch.replace('["hatchling"]', '["hatchling<1.7"]')
    assert {f.severity for f in audit_findings({PP: old}, select=["SL731"])} == {Severity.WARNING}
    # an upload to PyPI: PyPI refuses it
    found = audit_findings({PP: CLASSIFIERS_PP, WF: PYPI_WF}, select=["SL731"])
    assert [f.severity for f in found] == [Severity.ERROR] * 3
    assert "configures no upload" not in found[0].message


def test_invalid_classifiers_in_setup_cfg_and_setup_py(audit: AuditFn) -> None:
    cfg = """
        [metadata]
        name = stardust
        classifiers =
            Programming Language :: Python :: 3
            Topic :: Scientific/Engineering :: Biophysics
    """
    py = """
        from setuptools import setup

        setup(
            name="stardust",
            classifiers=[
                "Programming Language :: Python :: 3",
                "Topic :: Scientific/Engineering :: Biophysics",
                "Programming Language :: Python :: " + PY_VERSION,
            ],
        )
    """
    assert audit({CFG: cfg, PY: py}, select=["SL731"]) == [
        hit("SL731", CFG, cfg, "Topic :: Scientific/Engineering :: Biophysics"),
        hit("SL731", PY, py, "Topic :: Scientific/Engineering :: Biophysics"),
    ]


def test_classifiers_run_together_by_a_missing_comma_in_setup_py(
    audit_findings: FindingsFn,
) -> None:
    # generated lines without commas: Python joins the adjacent literals into one string
    py = """
        from setuptools import setup

        setup(
            name="stardust",
            classifiers=[
                "Programming Language :: Python :: 3",
                # [[[cog for v in versions: cog.outl(f'"Programming Language :: Python :: {v}"')]]]
                "Programming Language :: Python :: 3.12"
                "Programming Language :: Python :: 3.13"
                # [[[end]]]
                "Typing :: Typed",
            ],
        )
    """
    [finding] = audit_findings({PY: py}, select=["SL731"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL731", PY, py, '"Programming Language :: Python :: 3.12"'
    )
    joined = (
        "Programming Language :: Python :: 3.12Programming Language :: Python :: 3.13"
        "Typing :: Typed"
    )
    assert f"400 {joined!r} is not a valid classifier." in finding.message
    assert "These are 3 classifiers run together" in finding.help
    assert "`Programming Language :: Python :: 3.13`" in finding.help
    assert "`Typing :: Typed`" not in finding.help


def test_valid_classifiers_and_private_index_are_fine(audit: AuditFn) -> None:
    good = """
        [project]
        name = "stardust"
        version = "2.1.0"
        classifiers = [
          "Development Status :: 4 - Beta",
          "Private :: Do Not Upload",
          "Programming Language :: Python :: 3 :: Only",
        ]
    """
    assert audit({PP: good}, select=["SL731"]) == []
    # uploads only to a private index: PyPI's list does not apply
    assert audit({PP: CLASSIFIERS_PP, WF: PRIVATE_WF}, select=["SL731"]) == []


# --- SL732 license-classifier-with-expression ---------------------------------------------------

LICENSE_PP = """
    [build-system]
    requires = ["setuptools>=77"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "stardust"
    version = "2.1.0"
    license = "BSD-3-Clause"
    classifiers = [
      "Development Status :: 4 - Beta",
      "License :: OSI Approved :: BSD License",
      "Programming Language :: Python :: 3",
    ]
"""


def test_license_classifier_with_expression_setuptools_is_an_error(
    audit_findings: FindingsFn,
) -> None:
    [finding] = audit_findings({PP: LICENSE_PP}, select=["SL732"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL732", PP, LICENSE_PP, "License :: OSI"
    )
    assert finding.severity is Severity.ERROR
    assert "InvalidConfigError: License classifiers have been superseded" in finding.message
    assert finding.fix is not None
    assert fixed(LICENSE_PP, finding) == dedent(LICENSE_PP).replace(
        '  "License :: OSI Approved :: BSD License",\n', ""
    )


def _with_backend(requires: str, backend: str) -> str:
    return LICENSE_PP.replace('"setuptools>=77"', requires).replace(
        "setuptools.build_meta", backend
    )


@pytest.mark.parametrize(
    ("requires", "backend", "words"),
    [
        ('"flit_core>=3.11,<4"', "flit_core.buildapi", "flit-core >= 3.11.0 stops the build"),
        ('"pdm-backend"', "pdm.backend", "pdm-backend >= 2.4.0 stops the build"),
        ('"scikit-build-core>=0.11"', "scikit_build_core.build", "scikit-build-core >= 0.11.0"),
        ('"meson-python"', "mesonpy", "the build fails: `ConfigurationError: Setting"),
    ],
)
def test_license_classifier_with_backends_that_refuse_it_is_an_error(
    audit_findings: FindingsFn, requires: str, backend: str, words: str
) -> None:
    body = _with_backend(requires, backend)
    [finding] = audit_findings({PP: body}, select=["SL732"])
    assert (finding.line, finding.column) == hit("SL732", PP, body, "License :: OSI")[2:]
    assert finding.severity is Severity.ERROR
    assert words in finding.message


@pytest.mark.parametrize(
    ("requires", "backend", "package"),
    [
        ('"hatchling"', "hatchling.build", "hatchling"),
        ('"maturin>=1.9,<2"', "maturin", "maturin"),
        ('"poetry-core>=2.2"', "poetry.core.masonry.api", "poetry-core"),
        ('"uv_build>=0.9,<0.10"', "uv_build", "uv-build"),
    ],
)
def test_license_classifier_with_backends_that_build_it_is_info(
    audit_findings: FindingsFn, requires: str, backend: str, package: str
) -> None:
    # PyPI accepts License-Expression with License :: classifiers: nothing fails
    body = _with_backend(requires, backend)
    [finding] = audit_findings({PP: body}, select=["SL732"])
    assert (finding.line, finding.column) == hit("SL732", PP, body, "License :: OSI")[2:]
    assert finding.severity is Severity.INFO
    assert f"{package} " in finding.message and "PyPI accepts the pair" in finding.message


def test_license_classifier_with_an_unknown_backend_is_a_warning(
    audit_findings: FindingsFn,
) -> None:
    body = _with_backend('"setuptools>=77"', "backend").replace(
        'build-backend = "backend"', 'build-backend = "backend"\nbackend-path = ["_build"]'
    )
    [finding] = audit_findings({PP: body}, select=["SL732"])
    assert (finding.line, finding.column) == hit("SL732", PP, body, "License :: OSI")[2:]
    assert finding.severity is Severity.WARNING
    assert "whether `backend` does is unknown" in finding.message


def test_license_classifier_with_setuptools_pinned_below_77(audit_findings: FindingsFn) -> None:
    # a string [project].license: setuptools < 77 refuses the string, >= 77 the classifier
    body = LICENSE_PP.replace('"setuptools>=77"', '"setuptools>=61,<77"')
    [finding] = audit_findings({PP: body}, select=["SL732"])
    assert finding.severity is Severity.ERROR
    assert "setuptools < 77.0.0 refuses a string `license` (SL712)" in finding.message


def test_license_expression_in_setup_cfg_with_setup_py_classifier(
    audit_findings: FindingsFn,
) -> None:
    cfg = """
        [metadata]
        name = stardust
        license_expression = MIT
        classifiers =
            License :: OSI Approved :: MIT License
    """
    py = """
        from setuptools import setup
        setup(classifiers=["License :: OSI Approved :: MIT License"])
    """
    # setuptools >= 77 refuses the pair from any configuration file (dist.py runs the check
    # for setup.cfg and setup.py too); no [build-system]: the newest setuptools builds
    found = audit_findings({CFG: cfg, PY: py}, select=["SL732"])
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        hit("SL732", CFG, cfg, "License :: OSI"),
        hit("SL732", PY, py, "License :: OSI"),
    ]
    assert {f.severity for f in found} == {Severity.ERROR}
    assert "setuptools >= 77.0.0 stops the build" in found[0].message


def test_license_expression_in_setup_cfg_with_setuptools_pinned_below_77(
    audit_findings: FindingsFn,
) -> None:
    # setuptools < 77 ignores setup.cfg license_expression: the build works
    cfg = """
        [metadata]
        name = stardust
        license_expression = MIT
        classifiers =
            License :: OSI Approved :: MIT License
    """
    pp = """
        [build-system]
        requires = ["setuptools>=61,<77"]
        build-backend = "setuptools.build_meta"
    """
    [finding] = audit_findings({CFG: cfg, PP: pp}, select=["SL732"])
    assert (finding.path, finding.line) == (CFG, hit("SL732", CFG, cfg, "License :: OSI")[2])
    assert finding.severity is Severity.INFO
    assert "the pinned setuptools (< 77.0.0) ignores the license expression" in finding.message


def test_license_classifier_without_expression_is_fine(audit: AuditFn) -> None:
    legacy = LICENSE_PP.replace('license = "BSD-3-Clause"', 'license = {text = "BSD"}')
    assert audit({PP: legacy}, select=["SL732"]) == []
    no_classifier = LICENSE_PP.replace('  "License :: OSI Approved :: BSD License",\n', "")
    assert audit({PP: no_classifier}, select=["SL732"]) == []


def test_license_classifier_with_legacy_license_field_is_fine(audit: AuditFn) -> None:
    cfg = "[metadata]\nlicense = MIT\nclassifiers =\n    License :: OSI Approved :: MIT License\n"
    assert audit({CFG: cfg}, select=["SL732"]) == []


# --- SL733 invalid-license-expression -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "needle", "guess"),
    [
        (
            PP,
            '[project]\nname = "stardust"\nversion = "1.0"\nlicense = "MIT License"\n',
            "MIT License",
            "MIT",
        ),
        (CFG, "[metadata]\nlicense_expression = BSD\n", "BSD", None),
        (
            PY,
            'from setuptools import setup\nsetup(license_expression="Apache 2.0")\n',
            "Apache 2.0",
            "Apache-2.0",
        ),
    ],
)
def test_invalid_license_expressions(
    audit_findings: FindingsFn, path: str, text: str, needle: str, guess: str | None
) -> None:
    [finding] = audit_findings({path: text}, select=["SL733"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL733", path, text, needle
    )
    assert f"{needle!r} is invalid for 'license-expression'" in finding.message
    if guess is None:
        assert "spdx.org" in finding.help and finding.fix is None
    else:
        assert f"`{guess}`" in finding.help
        assert finding.fix is not None and not finding.fix.safe
        assert fixed(text, finding) == dedent(text).replace(needle, guess)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (PP, '[project]\nname = "stardust"\nversion = "1.0"\nlicense = "mit OR Apache-2.0"\n'),
        (PP, '[project]\nname = "stardust"\nlicense = {text = "MIT License"}\n'),
        (CFG, "[metadata]\nlicense_expression = LicenseRef-Proprietary\nlicense = Free text\n"),
        (PY, 'from setuptools import setup\nsetup(license="Some free text license")\n'),
    ],
)
def test_valid_license_expressions_are_fine(audit: AuditFn, path: str, text: str) -> None:
    assert audit({path: text}, select=["SL733"]) == []


def _license_project(requires: str, backend: str, license_line: str) -> str:
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "stardust"\nversion = "2.1.0"\n{license_line}\n'
    )


@pytest.mark.parametrize(
    ("requires", "backend"),
    [
        # poetry-core writes free text as the old License field (checked up to 2.5.0)
        ('"poetry-core>=2.0"', "poetry.core.masonry.api"),
        ('"poetry-core>=2.2,<3"', "poetry.core.masonry.api"),
        # maturin before 1.9.2 writes any string as License
        ('"maturin>=1.5,<1.9"', "maturin"),
        ('"maturin==1.9.1"', "maturin"),
    ],
)
def test_free_text_license_that_the_backend_writes_as_license_is_fine(
    audit: AuditFn, requires: str, backend: str
) -> None:
    pp = _license_project(requires, backend, 'license = "MIT License"')
    assert audit({PP: pp}, select=["SL733"]) == []


@pytest.mark.parametrize(
    ("requires", "backend"),
    [
        ('"maturin>=1.9.2,<2"', "maturin"),
        ('"maturin>=1.4"', "maturin"),  # unpinned above: the newest writes License-Expression
        ('"pdm-backend"', "pdm.backend"),  # writes License-Expression, which twine refuses
        ('"hatchling"', "hatchling.build"),
        ('"setuptools>=61"', "setuptools.build_meta"),
    ],
)
def test_free_text_license_is_an_error_where_it_becomes_license_expression(
    audit_findings: FindingsFn, requires: str, backend: str
) -> None:
    pp = _license_project(requires, backend, 'license = "MIT License"')
    [finding] = audit_findings({PP: pp}, select=["SL733"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL733", PP, pp, "MIT License"
    )
    assert finding.severity is Severity.ERROR


def test_free_text_license_with_maturin_pins_that_disagree_is_a_warning(
    audit_findings: FindingsFn,
) -> None:
    pp = _license_project(
        '"maturin>=1.8", "maturin<1.9.2; python_version < \'3.9\'"',
        "maturin",
        'license = "MIT License"',
    )
    [finding] = audit_findings({PP: pp}, select=["SL733"])
    assert finding.severity is Severity.WARNING
    assert "disagree on which maturin" in finding.help


def test_setup_cfg_license_expression_ignored_by_setuptools_below_77(audit: AuditFn) -> None:
    cfg = "[metadata]\nname = stardust\nversion = 2.1.0\nlicense_expression = MIT License\n"
    old = '[build-system]\nrequires = ["setuptools>=64,<77"]\nbuild-backend = "setuptools.build_meta"\n'
    new = old.replace("<77", "")
    assert audit({PP: old, CFG: cfg}, select=["SL733"]) == []
    assert audit({PP: new, CFG: cfg}, select=["SL733"]) == [hit("SL733", CFG, cfg, "MIT License")]


# --- SL734 invalid-project-name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "needle"),
    [
        (PP, '[project]\nname = "star dust"\nversion = "1.0"\n', "star dust"),
        (CFG, "[metadata]\nname = -stardust\n", "-stardust"),
        (PY, 'from setuptools import setup\nsetup(name="stärdust")\n', "stärdust"),
    ],
)
def test_invalid_names(audit_findings: FindingsFn, path: str, text: str, needle: str) -> None:
    [finding] = audit_findings({path: text}, select=["SL734"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL734", path, text, needle
    )
    # warehouse's upload form checks the name before the metadata (forklift/forms.py)
    assert f"400 {needle!r} is an invalid value for Name. Error: Start and end" in finding.message
    if needle == "star dust":
        assert "`star-dust`" in finding.help


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (PP, '[project]\nname = "Star_Dust.core-2"\nversion = "1.0"\n'),
        (CFG, "[metadata]\nname = star.dust\n"),
        (PY, "from setuptools import setup\nsetup(name=NAME)\n"),
    ],
)
def test_valid_names_are_fine(audit: AuditFn, path: str, text: str) -> None:
    assert audit({path: text}, select=["SL734"]) == []


# --- SL735 invalid-static-version ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "needle"),
    [
        (PP, '[project]\nname = "stardust"\nversion = "2.1.0-SNAPSHOT"\n', "2.1.0-SNAPSHOT"),
        (CFG, "[metadata]\nversion = 2.1.0-final-2\n", "2.1.0-final-2"),
        (PY, 'from setuptools import setup\nsetup(version="v2.1 beta")\n', "v2.1 beta"),
    ],
)
def test_invalid_versions(audit_findings: FindingsFn, path: str, text: str, needle: str) -> None:
    [finding] = audit_findings({path: text}, select=["SL735"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL735", path, text, needle
    )
    assert f"400 {needle!r} is invalid for 'version'" in finding.message


def test_local_version_with_a_pypi_upload(audit_findings: FindingsFn) -> None:
    pp = '[project]\nname = "stardust"\nversion = "2.1.0+cu121"\n'
    [finding] = audit_findings({PP: pp, WF: PYPI_WF}, select=["SL735"])
    assert (finding.line, finding.column) == hit("SL735", PP, pp, "2.1.0+cu121")[2:]
    assert "The use of local versions in '2.1.0+cu121' is not allowed." in finding.message
    assert "`2.1.0`" in finding.help


def test_local_version_without_pypi_upload_or_in_a_workspace_root(audit: AuditFn) -> None:
    pp = '[project]\nname = "stardust"\nversion = "2.1.0+private"\n'
    assert audit({PP: pp}, select=["SL735"]) == []
    assert audit({PP: pp, WF: PRIVATE_WF}, select=["SL735"]) == []
    workspace = pp + '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    assert audit({PP: workspace, WF: PYPI_WF}, select=["SL735"]) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (PP, '[project]\nname = "stardust"\nversion = "2.1.0rc1.post2.dev3"\n'),
        (PP, '[project]\nname = "stardust"\nversion = "bad version"\ndynamic = ["version"]\n'),
        (CFG, "[metadata]\nversion = attr: stardust.__version__\n"),
        (CFG, "[metadata]\nversion = 2.1.0\n"),
        (PY, "from setuptools import setup\nsetup(version=__version__)\n"),
    ],
)
def test_valid_and_dynamic_versions_are_fine(audit: AuditFn, path: str, text: str) -> None:
    assert audit({path: text, WF: PYPI_WF}, select=["SL735"]) == []


def test_setup_cfg_version_counts_only_when_pyproject_leaves_it_dynamic(audit: AuditFn) -> None:
    cfg = "[metadata]\nversion = 2.1.0-SNAPSHOT\n"
    static = '[project]\nname = "stardust"\nversion = "2.1.0"\n'
    assert audit({PP: static, CFG: cfg}, select=["SL735"]) == []
    dynamic = '[project]\nname = "stardust"\ndynamic = ["version"]\n'
    assert audit({PP: dynamic, CFG: cfg}, select=["SL735"]) == [
        hit("SL735", CFG, cfg, "2.1.0-SNAPSHOT")
    ]


# --- SL736 invalid-requires-python --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "needle", "advice"),
    [
        (PP, '[project]\nname = "stardust"\nrequires-python = "^3.9"\n', "^3.9", "Poetry"),
        (CFG, "[options]\npython_requires = >=3.6.*\n", ">=3.6.*", "`.*`"),
        (PY, 'from setuptools import setup\nsetup(python_requires="3.8")\n', "3.8", "`>=3.8`"),
    ],
)
def test_invalid_requires_python(
    audit_findings: FindingsFn, path: str, text: str, needle: str, advice: str
) -> None:
    [finding] = audit_findings({path: text}, select=["SL736"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL736", path, text, needle
    )
    assert f"400 {needle!r} is invalid for 'requires-python'" in finding.message
    assert advice in finding.help


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (PP, '[project]\nname = "stardust"\nrequires-python = ">=3.9, !=3.9.0, <4"\n'),
        (CFG, "[options]\npython_requires = ~=3.10\n"),
        (PY, 'from setuptools import setup\nsetup(python_requires=">=3.8")\n'),
    ],
)
def test_valid_requires_python_is_fine(audit: AuditFn, path: str, text: str) -> None:
    assert audit({path: text}, select=["SL736"]) == []


# --- SL737 invalid-dependency -------------------------------------------------------------------


def test_invalid_dependencies_in_pyproject(audit_findings: FindingsFn) -> None:
    pp = """
        [project]
        name = "stardust"
        dependencies = [
          "numpy>=1.24",
          "requests >= 2.31 < 3",
        ]

        [project.optional-dependencies]
        test = ["pytest>=8", "hypothesis[numpy"]
    """
    found = audit_findings({PP: pp}, select=["SL737"])
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        hit("SL737", PP, pp, "requests >= 2.31 < 3"),
        hit("SL737", PP, pp, "hypothesis[numpy"),
    ]
    assert "'requests >= 2.31 < 3' is invalid for 'requires-dist'" in found[0].message
    assert "`[project].dependencies`" in found[0].message
    assert "`[project].optional-dependencies.test`" in found[1].message


def test_invalid_dependencies_in_setup_cfg(audit_findings: FindingsFn) -> None:
    cfg = """
        [options]
        install_requires = attrs; python_version < "3.8"

        [options.extras_require]
        docs =
            sphinx>=7  # the docs tool
            furo ==
    """
    found = audit_findings({CFG: cfg}, select=["SL737"])
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        hit("SL737", CFG, cfg, 'python_version < "3.8"'),
        hit("SL737", CFG, cfg, "furo =="),
    ]
    assert "splits a one-line value at `;`" in found[0].help
    assert "splits" not in found[1].help


def test_invalid_dependencies_in_setup_py(audit: AuditFn) -> None:
    py = """
        from setuptools import setup
        setup(
            install_requires=["click>=8.0 python_version>'3.8'"],
            extras_require={"dev": ["ruff", "mypy>=1.0.*"]},
        )
    """
    assert audit({PY: py}, select=["SL737"]) == [
        hit("SL737", PY, py, "click>=8.0"),
        hit("SL737", PY, py, "mypy>=1.0.*"),
    ]


def test_direct_url_dependency_with_pypi_upload(audit_findings: FindingsFn) -> None:
    pp = """
        [project]
        name = "stardust"
        dependencies = ["numpy", "astro-utils @ git+https://github.com/example/astro-utils@v1"]
    """
    [finding] = audit_findings({PP: pp, WF: PYPI_WF}, select=["SL737"])
    assert (finding.line, finding.column) == hit("SL737", PP, pp, "astro-utils @")[2:]
    assert "Can't have direct dependency" in finding.message


def test_valid_dependencies_and_private_url_dependencies_are_fine(audit: AuditFn) -> None:
    pp = """
        [project]
        name = "stardust"
        dependencies = [
          "numpy>=1.24,<3; python_version >= '3.10'",
          "astropy[recommended]",
          "astro-utils @ git+https://github.com/example/astro-utils@v1",
        ]
    """
    cfg = "[options]\ninstall_requires = file: requirements.txt\n"
    assert audit({PP: pp, CFG: cfg}, select=["SL737"]) == []
    assert audit({PP: pp, WF: PRIVATE_WF}, select=["SL737"]) == []


# A project between releases: a development version, and a dependency on the development
# branch of a sibling project; only published GitHub releases upload.
DEV_PP = """
    [project]
    name = "stardust"
    version = "2.5.0.dev0"
    dependencies = [
      "stardust-core @ git+https://github.com/example/stardust-core.git",
      "numpy>=1.24",
    ]
"""

RELEASE_WF = """
    name: release
    on:
      release:
        types: [published]
    jobs:
      upload:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with: {name: dist, path: dist}
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_url_dependency_of_a_development_version_released_from_tags_is_info(
    audit_findings: FindingsFn,
) -> None:
    [finding] = audit_findings({PP: DEV_PP, WF: RELEASE_WF}, select=["SL737"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL737", PP, DEV_PP, "stardust-core @"
    )
    assert finding.severity is Severity.INFO
    assert "`2.5.0.dev0` (pyproject.toml:3) is a development version" in finding.message
    assert "Can't have direct dependency" in finding.message
    # a tag push (not a release) keeps it to tags as well
    [tagged] = audit_findings({PP: DEV_PP, WF: PYPI_WF}, select=["SL737"])
    assert tagged.severity is Severity.INFO


@pytest.mark.parametrize(
    ("pp", "files"),
    [
        # a release version: this commit is what a release publishes
        (DEV_PP.replace("2.5.0.dev0", "2.5.0"), {WF: RELEASE_WF}),
        # uploads on every push (branches too) publish this very commit
        (DEV_PP, {WF: RELEASE_WF.replace("release:\n        types: [published]", "push:")}),
        # a manual upload (Makefile) may run on any commit
        (DEV_PP, {"Makefile": "release:\n\ttwine upload dist/*\n"}),
        # workflow_dispatch runs on whatever branch is chosen
        (DEV_PP, {WF: RELEASE_WF.replace("[published]", "[published]\n      workflow_dispatch:")}),
    ],
)
def test_url_dependency_stays_an_error_when_this_commit_can_be_published(
    audit_findings: FindingsFn, pp: str, files: dict[str, str]
) -> None:
    [finding] = audit_findings({PP: pp, **files}, select=["SL737"])
    assert (finding.line, finding.column) == hit("SL737", PP, pp, "stardust-core @")[2:]
    assert finding.severity is Severity.ERROR


# --- SL738 private-classifier-uploaded ----------------------------------------------------------


def test_private_classifier_with_pypi_upload(audit_findings: FindingsFn) -> None:
    pp = """
        [project]
        name = "stardust"
        classifiers = ["Private :: Do Not Upload", "Typing :: Typed"]
    """
    [finding] = audit_findings({PP: pp, WF: PYPI_WF}, select=["SL738"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL738", PP, pp, "Private ::"
    )
    upload_line = (
        dedent(PYPI_WF).splitlines().index("      - uses: pypa/gh-action-pypi-publish@release/v1")
    )
    assert f"{WF}:{upload_line + 1}" in finding.message
    assert "'Private :: Do Not Upload' is not a valid classifier." in finding.message
    # the classifier is PyPI's documented upload stop: both together may well be meant
    assert finding.severity is Severity.INFO


def test_private_classifier_of_a_template_with_a_release_workflow_is_info(
    audit_findings: FindingsFn,
) -> None:
    # a project template: the release job is for projects made from it, the classifier
    # keeps the template itself off PyPI
    pp = """
        [build-system]
        requires = ["scikit-build-core>=0.11"]
        build-backend = "scikit_build_core.build"

        [project]
        name = "example_ext"
        version = "0.0.1"
        classifiers = [
          "Programming Language :: Python :: 3 :: Only",
          "Private :: Do Not Upload",
        ]
    """
    [finding] = audit_findings({PP: pp, WF: RELEASE_WF}, select=["SL738"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL738", PP, pp, "Private ::"
    )
    assert finding.severity is Severity.INFO
    assert "stops every upload to PyPI" in finding.message


def test_private_classifier_in_setup_py_with_twine_to_testpypi(audit: AuditFn) -> None:
    py = """
        from setuptools import setup
        setup(classifiers=["Private :: Internal only"])
    """
    make = "release:\n\ttwine upload --repository testpypi dist/*\n"
    assert audit({PY: py, "Makefile": make}, select=["SL738"]) == [
        hit("SL738", PY, py, "Private ::")
    ]


def test_private_classifier_without_pypi_upload_is_fine(audit: AuditFn) -> None:
    pp = '[project]\nname = "stardust"\nclassifiers = ["Private :: Do Not Upload"]\n'
    assert audit({PP: pp}, select=["SL738"]) == []
    assert audit({PP: pp, WF: PRIVATE_WF}, select=["SL738"]) == []


# --- SL739 readme-content-type ------------------------------------------------------------------


def test_setup_cfg_markdown_without_content_type(audit_findings: FindingsFn) -> None:
    cfg = """
        [metadata]
        name = stardust
        long_description = file: README.md
        author = Jane Doe
    """
    [finding] = audit_findings({CFG: cfg}, select=["SL739"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL739", CFG, cfg, "README.md"
    )
    assert "failed to render in the default format of reStructuredText" in finding.message
    # whether the Markdown also parses as reStructuredText decides: not certain to fail
    assert finding.severity is Severity.WARNING
    assert "twine check --strict" in finding.help
    assert finding.fix is not None and finding.fix.safe
    assert fixed(cfg, finding) == dedent(cfg).replace(
        "README.md\n", "README.md\nlong_description_content_type = text/markdown\n"
    )


def test_setup_py_markdown_without_content_type(audit_findings: FindingsFn) -> None:
    py = """
        from pathlib import Path
        from setuptools import setup

        this_directory = Path(__file__).parent
        setup(
            name="stardust",
            long_description=(this_directory / "README.md").read_text(),
        )
    """
    [finding] = audit_findings({PY: py}, select=["SL739"])
    assert (finding.line, finding.column) == hit("SL739", PY, py, "README.md")[2:]
    assert finding.fix is not None and not finding.fix.safe
    assert 'read_text(), long_description_content_type="text/markdown",' in fixed(py, finding)


@pytest.mark.parametrize(
    ("path", "text", "needle", "detail"),
    [
        (
            PP,
            '[project]\nname = "stardust"\n'
            'readme = {file = "README.md", content-type = "text/x-markdown"}\n',
            "text/x-markdown",
            "must be one of text/markdown, text/x-rst, text/plain",
        ),
        (
            CFG,
            "[metadata]\nlong_description = file: README.md\n"
            "long_description_content_type = text/markdown; variant=MyST\n",
            "text/markdown; variant=MyST",
            "GFM",
        ),
        (
            PY,
            "from setuptools import setup\n"
            'setup(long_description=DESCRIPTION, long_description_content_type="text/md")\n',
            "text/md",
            "must be one of",
        ),
    ],
)
def test_invalid_content_types(
    audit_findings: FindingsFn, path: str, text: str, needle: str, detail: str
) -> None:
    [finding] = audit_findings({path: text}, select=["SL739"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL739", path, text, needle
    )
    assert detail in finding.message
    assert finding.severity is Severity.ERROR
    if needle == "text/x-markdown":
        # warehouse validates with packaging.metadata since 2024-03 (pypi/warehouse#15631)
        assert (
            "`400 'description-content-type' must be one of ['text/markdown', 'text/plain', "
            "'text/x-rst'], not 'text/x-markdown'. See https://packaging.python.org/"
            "specifications/core-metadata for more information.`"
        ) in finding.message
        assert "is an invalid value for Description-Content-Type" not in finding.message
        assert fixed(text, finding) == dedent(text).replace("text/x-markdown", "text/markdown")
    else:
        assert finding.fix is None


def test_pyproject_readme_unknown_extension(audit: AuditFn) -> None:
    pp = '[project]\nname = "stardust"\nreadme = "README"\n'
    table = '[project]\nname = "stardust"\nreadme = {file = "README.markdown"}\n'
    assert audit({PP: pp}, select=["SL739"]) == [hit("SL739", PP, pp, "README")]
    assert audit({PP: table}, select=["SL739"]) == [hit("SL739", PP, table, "README.markdown")]


def test_readme_missing_or_blank_in_a_checkout(audit_findings: FindingsFn, tmp_path: Path) -> None:
    pp = '[project]\nname = "stardust"\nreadme = "docs/README.md"\n'
    write_tree(tmp_path, {".git/HEAD": "ref: refs/heads/main\n"})
    [finding] = audit_findings({PP: pp}, select=["SL739"])
    assert (finding.rule, finding.path, finding.line, finding.column) == hit(
        "SL739", PP, pp, "docs/README.md"
    )
    assert finding.severity is Severity.ERROR
    assert "Readme file does not exist: docs/README.md" in finding.message
    # a Markdown readme of blank lines is refused by PyPI
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/README.md").write_text("\n\n", encoding="utf-8")
    [finding] = audit_findings({PP: pp}, select=["SL739"])
    assert finding.severity is Severity.ERROR
    assert "failed to render for 'text/markdown'" in finding.message


def test_setup_cfg_readme_missing_or_empty_in_a_checkout(
    audit_findings: FindingsFn, tmp_path: Path
) -> None:
    cfg = "[metadata]\nlong_description = file: README.rst, CHANGES.rst, NEWS.rst\n"
    write_tree(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "README.rst": "x\n"})
    (tmp_path / "CHANGES.rst").write_text("", encoding="utf-8")
    found = audit_findings({CFG: cfg}, select=["SL739"])
    assert [(f.rule, f.path, f.line, f.column, f.severity) for f in found] == [
        (*hit("SL739", CFG, cfg, "CHANGES.rst"), Severity.WARNING),
        (*hit("SL739", CFG, cfg, "NEWS.rst"), Severity.WARNING),
    ]
    assert "is empty" in found[0].message
    assert "silently skips it" in found[1].message


def test_missing_readme_outside_a_checkout_is_not_reported(audit: AuditFn) -> None:
    pp = '[project]\nname = "stardust"\nreadme = "README.md"\n'
    assert audit({PP: pp}, select=["SL739"]) == []


def test_good_readmes_are_fine(audit: AuditFn, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "README.md": "# stardust\n",
            "README.rst": "stardust\n========\n",
        },
    )
    pp = '[project]\nname = "stardust"\nreadme = "README.md"\n'
    assert audit({PP: pp}, select=["SL739"]) == []
    (tmp_path / PP).unlink()
    cfg = """
        [metadata]
        long_description = file: README.md
        long-description-content-type = text/markdown; charset=UTF-8; variant=GFM
    """
    py = """
        from setuptools import setup
        with open("README.md") as f:
            readme = f.read()
        setup(long_description=readme, **metadata)
    """
    assert audit({CFG: cfg, PY: py}, select=["SL739"]) == []
    rst = """
        from setuptools import setup
        setup(long_description=open("README.rst").read())
    """
    assert audit({PY: rst}, select=["SL739"]) == []


# --- SL740 setup-py-upload ----------------------------------------------------------------------


def test_setup_py_upload_in_workflow_makefile_and_aliases(audit_findings: FindingsFn) -> None:
    wf = """
        name: release
        on:
          push:
            tags: ["v*"]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - run: python setup.py sdist bdist_wheel upload
                env:
                  TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
    """
    make = "register:\n\tpython setup.py register -r pypi\n"
    cfg = """
        [aliases]
        test = pytest
        release = sdist bdist_wheel
            upload
    """
    found = audit_findings({WF: wf, "Makefile": make, CFG: cfg}, select=["SL740"])
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        hit("SL740", WF, wf, "upload"),
        hit("SL740", "Makefile", make, "register", nth=2),
        hit("SL740", CFG, cfg, "upload"),
    ]
    # the workflow step fails the release job; the Makefile target and the alias fail when
    # someone runs them, which no CI job does
    assert [f.severity for f in found] == [Severity.ERROR, Severity.WARNING, Severity.WARNING]
    assert "the Makefile target `register` fails" in found[1].message
    assert "no CI job runs it" in found[2].message


def test_setup_py_upload_in_a_target_and_an_alias_that_ci_runs(
    audit_findings: FindingsFn,
) -> None:
    wf = """
        name: release
        on:
          push:
            tags: ["v*"]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: make release
              - run: python setup.py publish
    """
    make = "release:\n\tpython setup.py register sdist upload\n"
    cfg = "[aliases]\npublish = sdist bdist_wheel upload\n"
    found = audit_findings({WF: wf, "Makefile": make, CFG: cfg}, select=["SL740"])
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        hit("SL740", "Makefile", make, "register"),
        hit("SL740", CFG, cfg, "upload"),
    ]
    assert {f.severity for f in found} == {Severity.ERROR}
    step_line = hit("SL740", WF, wf, "python setup.py publish")[2]
    assert f"(CI runs it at {WF}:{step_line})" in found[1].message


def test_modern_upload_is_fine(audit: AuditFn) -> None:
    wf = """
        name: release
        on:
          push:
            tags: ["v*"]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - run: python -m build && twine upload dist/*
    """
    cfg = "[aliases]\nrelease = sdist bdist_wheel\n"
    assert audit({WF: wf, CFG: cfg}, select=["SL740"]) == []
