"""shiplint.pkg.build_backend: backend, core-metadata version, license inputs, version source."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from shiplint.engine import open_project
from shiplint.pkg.build_backend import BuildInfo, analyze, metadata_facts, reaches
from tests.conftest import write_tree


def info_of(tmp_path: Path, files: dict[str, str]) -> BuildInfo:
    write_tree(tmp_path, files)
    return analyze(open_project(str(tmp_path), 5 * 1024 * 1024))


def pyproject(requires: str, backend: str, project: str = "", tool: str = "") -> str:
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "example"\n{project}\n{tool}'
    )


# --- specifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", True),
        (">=61", True),
        (">=77.0.3", True),
        ("<77", False),
        ("<=76.9", False),
        ("==74.*", False),
        ("~=76.1", False),
        ("==77.*", True),
        ("~=77.0", True),
        (">=61,<78", True),
        ("<77.0.3", True),
        ("!=77.0.0", True),
        ("==76.1.0", False),
    ],
)
def test_reaches_setuptools_77(spec: str, expected: bool) -> None:
    assert reaches(SpecifierSet(spec), Version("77.0.0")) is expected


# --- facts -------------------------------------------------------------------------------------


def test_facts_thresholds() -> None:
    mf = metadata_facts()
    assert mf.backends["setuptools"].threshold("metadata-2-4-since") == Version("77.0.0")
    assert mf.backends["hatchling"].threshold("metadata-2-4-since") == Version("1.27.0")
    assert mf.backends["hatchling"].threshold("metadata-2-5-since") == Version("1.32.0")
    assert mf.backends["maturin"].threshold("metadata-2-4-since") == Version("1.7.6")
    assert mf.backends["flit-core"].threshold("pep639-since") == Version("3.11.0")
    assert mf.backends["pdm-backend"].metadata_2_4_with_pep639
    assert mf.twine["pep639-since"] == Version("6.1.0")
    assert mf.packaging["metadata-2-4-since"] == Version("24.2")
    assert mf.backend_for("flit_core.buildapi") is mf.backends["flit-core"]


def test_every_metadata_fact_has_a_source_comment() -> None:
    """Each backend block of [metadata-versions] carries a comment saying where it is from."""
    text = (Path(__file__).resolve().parents[1] / "src/shiplint/data/facts.toml").read_text()
    section = text[text.index("[metadata-versions]") :]
    lines = section.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("[metadata-versions.")]
    assert len(headers) >= 8
    for n, i in enumerate(headers):
        end = headers[n + 1] if n + 1 < len(headers) else len(lines)
        block = lines[i:end]
        before = i - 1
        while before >= 0 and lines[before].startswith("#"):
            block.insert(0, lines[before])
            before -= 1
        assert any("#" in line for line in block), lines[i]


# --- backends and metadata versions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("requires", "backend", "project", "expected"),
    [
        ('"setuptools>=61"', "setuptools.build_meta", "", "2.4"),
        ('"setuptools>=61,<77"', "setuptools.build_meta", "", None),
        ('"setuptools==74.*"', "setuptools.build_meta", 'license = "MIT"', None),
        ('"hatchling"', "hatchling.build", "", "2.5"),
        ('"hatchling>=1.27,<1.30"', "hatchling.build", "", "2.4"),
        ('"hatchling<1.27"', "hatchling.build", "", None),
        ('"maturin>=1,<2"', "maturin", "", "2.4"),
        ('"maturin==1.7.5"', "maturin", "", None),
        ('"flit_core >=3.2,<4"', "flit_core.buildapi", "", "2.4"),
        ('"flit_core >=3.2,<3.11"', "flit_core.buildapi", "", None),
        ('"pdm-backend"', "pdm.backend", "", None),
        ('"pdm-backend"', "pdm.backend", 'license = "MIT"', "2.4"),
        ('"poetry-core>=2.0"', "poetry.core.masonry.api", "", "2.4"),
        ('"scikit-build-core"', "scikit_build_core.build", "", None),
        ('"scikit-build-core"', "scikit_build_core.build", 'license = "MIT"', "2.4"),
        ('"setuptools"', "setuptools.build_meta", 'import-names = ["example"]', "2.5"),
    ],
)
def test_metadata_version(
    tmp_path: Path, requires: str, backend: str, project: str, expected: str | None
) -> None:
    info = info_of(tmp_path, {"pyproject.toml": pyproject(requires, backend, project)})
    got = info.metadata_version()
    assert (str(got) if got is not None else None) == expected


def test_markers_that_disagree_give_no_answer(tmp_path: Path) -> None:
    requires = "\"setuptools<77; python_version<'3.9'\", \"setuptools>=77; python_version>='3.9'\""
    info = info_of(tmp_path, {"pyproject.toml": pyproject(requires, "setuptools.build_meta")})
    assert info.reaches("metadata-2-4-since") is None
    assert info.metadata_version() is None


def test_hatchling_core_metadata_version_override(tmp_path: Path) -> None:
    tool = (
        '[tool.hatch.build.targets.wheel]\ncore-metadata-version = "2.3"\n'
        '[tool.hatch.build.targets.sdist]\ncore-metadata-version = "2.3"\n'
    )
    info = info_of(
        tmp_path, {"pyproject.toml": pyproject('"hatchling"', "hatchling.build", "", tool)}
    )
    assert info.metadata_version() is None


def test_setup_py_only_is_the_newest_setuptools(tmp_path: Path) -> None:
    info = info_of(tmp_path, {"setup.py": "from setuptools import setup\nsetup(name='x')\n"})
    assert info.build_backend == "setuptools.build_meta:__legacy__"
    assert info.metadata_version() == Version("2.4")


def test_requires_entry_position(tmp_path: Path) -> None:
    info = info_of(
        tmp_path,
        {"pyproject.toml": pyproject('"wheel", "setuptools>=61,<77"', "setuptools.build_meta")},
    )
    pin = info.pin
    assert pin is not None and pin.loc is not None
    assert pin.loc.text == "setuptools>=61,<77"
    assert pin.loc.pos.line == 2


# --- license inputs ----------------------------------------------------------------------------


def test_license_inputs(tmp_path: Path) -> None:
    info = info_of(
        tmp_path,
        {
            "pyproject.toml": pyproject(
                '"setuptools"',
                "setuptools.build_meta",
                'license = "MIT"\nlicense-files = ["LICENSE"]',
                '[tool.setuptools]\nlicense-files = ["LICENSE"]\n',
            ),
            "LICENSE.txt": "MIT\n",
        },
    )
    lic = info.license
    assert lic.expression is not None and lic.expression.text == '"MIT"'
    assert lic.files is not None and lic.files.text == "license-files"
    assert lic.tool_files is not None
    assert lic.default_file == "LICENSE.txt"
    assert lic.pep639 is lic.expression


def test_license_files_switched_off(tmp_path: Path) -> None:
    info = info_of(
        tmp_path,
        {
            "pyproject.toml": pyproject(
                '"setuptools"',
                "setuptools.build_meta",
                "",
                "[tool.setuptools]\nlicense-files = []\n",
            ),
        },
    )
    assert info.license.tool_files_off and info.license.tool_files is None


def test_setup_cfg_license_files(tmp_path: Path) -> None:
    info = info_of(
        tmp_path,
        {"setup.cfg": "[metadata]\nname = x\nlicense_files =\n    LICENSE\n", "setup.py": ""},
    )
    assert info.license.tool_files is not None and info.license.tool_files.text == "LICENSE"


# --- version source ----------------------------------------------------------------------------


def test_static_project_version(tmp_path: Path) -> None:
    info = info_of(
        tmp_path,
        {"pyproject.toml": pyproject('"hatchling"', "hatchling.build", 'version = "1.2.3"')},
    )
    assert info.version.kind == "static" and info.version.text == "1.2.3"
    assert info.version.loc is not None and info.version.loc.text == '"1.2.3"'


@pytest.mark.parametrize(
    ("requires", "backend", "tool", "plugin", "no_local"),
    [
        (
            '"hatchling", "hatch-vcs"',
            "hatchling.build",
            '[tool.hatch.version]\nsource = "vcs"\n',
            "hatch-vcs",
            False,
        ),
        (
            '"hatchling", "hatch-vcs"',
            "hatchling.build",
            '[tool.hatch.version]\nsource = "vcs"\n'
            'raw-options = { local_scheme = "no-local-version" }\n',
            "hatch-vcs",
            True,
        ),
        (
            '"hatchling", "hatch-vcs"',
            "hatchling.build",
            '[tool.hatch.version]\nsource = "vcs"\n[tool.hatch.version.raw-options]\n'
            'local_scheme = "dirty-tag"\n',
            "hatch-vcs",
            True,
        ),
        (
            '"setuptools>=64", "setuptools-scm>=8"',
            "setuptools.build_meta",
            "[tool.setuptools_scm]\n",
            "setuptools-scm",
            False,
        ),
        (
            '"setuptools>=64", "setuptools-scm>=8"',
            "setuptools.build_meta",
            "",
            "setuptools-scm",
            False,
        ),
        (
            '"setuptools>=64", "setuptools-scm>=8"',
            "setuptools.build_meta",
            '[tool.setuptools_scm]\nlocal_scheme = "no-local-version"\n',
            "setuptools-scm",
            True,
        ),
        (
            '"setuptools", "versioningit"',
            "setuptools.build_meta",
            "[tool.versioningit]\n",
            "versioningit",
            False,
        ),
        (
            '"setuptools", "versioningit"',
            "setuptools.build_meta",
            '[tool.versioningit.format]\ndistance = "{base_version}.post{distance}"\n'
            'dirty = "{base_version}"\ndistance-dirty = "{base_version}.post{distance}"\n',
            "versioningit",
            True,
        ),
        (
            '"pdm-backend"',
            "pdm.backend",
            '[tool.pdm.version]\nsource = "scm"\n',
            "pdm-backend",
            False,
        ),
        (
            '"poetry-core", "poetry-dynamic-versioning"',
            "poetry_dynamic_versioning.backend",
            "[tool.poetry-dynamic-versioning]\nenable = true\nmetadata = false\n",
            "poetry-dynamic-versioning",
            True,
        ),
    ],
)
def test_vcs_version(
    tmp_path: Path, requires: str, backend: str, tool: str, plugin: str, no_local: bool
) -> None:
    info = info_of(
        tmp_path,
        {"pyproject.toml": pyproject(requires, backend, 'dynamic = ["version"]', tool)},
    )
    assert (info.version.kind, info.version.plugin, info.version.no_local) == (
        "vcs",
        plugin,
        no_local,
    )
    assert info.version.no_local_hint


def test_dynamic_version_from_code_is_not_vcs(tmp_path: Path) -> None:
    info = info_of(
        tmp_path,
        {
            "pyproject.toml": pyproject(
                '"flit_core>=3.11"', "flit_core.buildapi", 'dynamic = ["version"]'
            )
        },
    )
    assert info.version.kind == "dynamic"


def test_setup_py_use_scm_version(tmp_path: Path) -> None:
    setup = textwrap.dedent(
        """
        from setuptools import setup
        setup(name="x", use_scm_version={"local_scheme": "no-local-version"})
        """
    )
    info = info_of(tmp_path, {"setup.py": setup})
    assert (info.version.kind, info.version.plugin, info.version.no_local) == (
        "vcs",
        "setuptools-scm",
        True,
    )
    info2 = info_of(
        tmp_path, {"setup.py": "import setuptools\nsetuptools.setup(use_scm_version=True)\n"}
    )
    assert info2.version.kind == "vcs"


def test_setup_py_and_setup_cfg_static_versions(tmp_path: Path) -> None:
    info = info_of(tmp_path, {"setup.py": "from setuptools import setup\nsetup(version='2.0')\n"})
    assert (info.version.kind, info.version.text) == ("static", "2.0")
    info2 = info_of(
        tmp_path,
        {
            "setup.py": "from setuptools import setup\nsetup()\n",
            "setup.cfg": "[metadata]\nversion = 3.1\n",
        },
    )
    assert (info2.version.kind, info2.version.text) == ("static", "3.1")
    assert info2.version.loc is not None and info2.version.loc.pos.line == 2
    (tmp_path / "setup.cfg").write_text("[metadata]\nversion = attr: pkg.__version__\n")
    info3 = analyze(open_project(str(tmp_path), 5 * 1024 * 1024))
    assert info3.version.kind == "dynamic"


def test_poetry_static_version(tmp_path: Path) -> None:
    text = (
        '[build-system]\nrequires = ["poetry-core"]\n'
        'build-backend = "poetry.core.masonry.api"\n\n'
        '[tool.poetry]\nname = "x"\nversion = "0.4.1"\n'
    )
    info = info_of(tmp_path, {"pyproject.toml": text})
    assert (info.version.kind, info.version.text) == ("static", "0.4.1")
