"""shiplint.pkg.metadata: the declared metadata of pyproject.toml, setup.cfg and setup.py,
literal values only, each with its exact position."""

from __future__ import annotations

from pathlib import Path

from shiplint.engine import open_project
from shiplint.pkg.metadata import project_metadata
from shiplint.pkg.metadata_files import file_state, in_checkout
from shiplint.pkg.metadata_types import ProjectMetadata, Text
from tests.conftest import pos_of, write_tree


def _meta(tmp_path: Path, files: dict[str, str]) -> ProjectMetadata:
    write_tree(tmp_path, files)
    return project_metadata(open_project(str(tmp_path)))


def _at(text: Text | None) -> tuple[str, int, int]:
    assert text is not None
    pos = text.loc.pos
    return text.value, pos.line, pos.col


def _expect(body: str, value: str, needle: str | None = None, nth: int = 1) -> tuple[str, int, int]:
    return (value, *pos_of(body, needle or value, nth))


PYPROJECT = """
    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"

    [project]
    name = "stardust"
    version = "2.1.0"
    license = "MIT"
    requires-python = ">=3.10"
    readme = {file = "README.rst", content-type = "text/x-rst"}
    classifiers = [
      "Development Status :: 4 - Beta",
      'Topic :: Scientific/Engineering :: Astronomy',
    ]
    dependencies = ["numpy>=1.24", "astropy"]

    [project.optional-dependencies]
    test = ["pytest>=8"]

    [tool.uv.workspace]
    members = ["packages/*"]
"""


def test_pyproject_values_and_positions(tmp_path: Path) -> None:
    md = _meta(tmp_path, {"pyproject.toml": PYPROJECT})
    assert md.backend == "hatchling.build"
    assert not md.setuptools
    assert md.has_project_table and md.workspace_root
    [d] = md.declared
    assert d.kind == "pyproject"
    assert _at(d.name) == _expect(PYPROJECT, "stardust")
    assert _at(d.version) == _expect(PYPROJECT, "2.1.0")
    assert _at(d.license_expression) == _expect(PYPROJECT, "MIT")
    assert _at(d.requires_python) == _expect(PYPROJECT, ">=3.10")
    assert [_at(t) for t in d.classifiers] == [
        _expect(PYPROJECT, "Development Status :: 4 - Beta"),
        _expect(PYPROJECT, "Topic :: Scientific/Engineering :: Astronomy"),
    ]
    assert [(dep.field, _at(dep.text)) for dep in d.dependencies] == [
        ("dependencies", _expect(PYPROJECT, "numpy>=1.24")),
        ("dependencies", _expect(PYPROJECT, "astropy")),
        ("optional-dependencies.test", _expect(PYPROJECT, "pytest>=8")),
    ]
    assert d.readme is not None and d.readme.form == "pyproject-table"
    assert [_at(t) for t in d.readme.files] == [_expect(PYPROJECT, "README.rst")]
    assert _at(d.readme.content_type) == _expect(PYPROJECT, "text/x-rst")
    # a string with quotes: `loc` is the body, `token` the quoted token
    name = d.name
    assert name is not None and name.exact and name.token is not None
    assert name.token.text == '"stardust"'


def test_pyproject_dynamic_and_non_literal_fields_are_unknown(tmp_path: Path) -> None:
    body = """
        [project]
        name = "stardust"
        dynamic = ["version", "readme", "dependencies", "classifiers"]
        license = {text = "MIT License"}
        readme = "README.md"
        classifiers = ["Not :: Read"]
        dependencies = ["not read"]
        requires-python = "\\u003e=3.9"
    """
    md = _meta(tmp_path, {"pyproject.toml": body})
    [d] = md.declared
    assert md.backend is None and md.setuptools
    assert d.version is None and d.license_expression is None and d.readme is None
    assert d.classifiers == [] and d.dependencies == []
    # an escaped string: the value is decoded, the location is the whole token
    rp = d.requires_python
    assert rp is not None and rp.value == ">=3.9" and not rp.exact
    assert rp.loc.text == '"\\u003e=3.9"'


def test_pyproject_without_project_table(tmp_path: Path) -> None:
    md = _meta(tmp_path, {"pyproject.toml": "[tool.black]\nline-length = 100\n"})
    assert not md.has_project_table
    assert [d.name for d in md.declared] == [None]


SETUP_CFG = """
    [metadata]
    name = stardust
    version = 2.1.0
    license_expression = MIT
    long-description = file: README.md, CHANGES.rst
    long_description_content_type = text/markdown
    classifiers =
        Development Status :: 4 - Beta
        # a comment line
        Programming Language :: Python :: 3

    [options]
    python_requires = >=3.9
    install_requires =
        numpy>=1.24  # the array library
        # comment
        attrs

    [options.extras_require]
    test = pytest>=8; hypothesis

    [aliases]
    release = sdist bdist_wheel upload
"""


def test_setup_cfg_values_and_positions(tmp_path: Path) -> None:
    md = _meta(tmp_path, {"setup.cfg": SETUP_CFG})
    [d] = md.declared
    assert d.kind == "setup-cfg"
    assert _at(d.name) == _expect(SETUP_CFG, "stardust")
    assert _at(d.version) == _expect(SETUP_CFG, "2.1.0")
    assert _at(d.license_expression) == _expect(SETUP_CFG, "MIT")
    assert _at(d.requires_python) == _expect(SETUP_CFG, ">=3.9")
    assert [_at(t) for t in d.classifiers] == [
        _expect(SETUP_CFG, "Development Status :: 4 - Beta"),
        _expect(SETUP_CFG, "Programming Language :: Python :: 3"),
    ]
    deps = [(dep.field, _at(dep.text), dep.split_at_semicolon) for dep in d.dependencies]
    assert deps == [
        ("install_requires", _expect(SETUP_CFG, "numpy>=1.24"), False),
        ("install_requires", _expect(SETUP_CFG, "attrs"), False),
        ("test (options.extras_require)", _expect(SETUP_CFG, "pytest>=8"), True),
        ("test (options.extras_require)", _expect(SETUP_CFG, "hypothesis"), True),
    ]
    readme = d.readme
    assert readme is not None and readme.form == "setup-cfg"
    assert [_at(t) for t in readme.files] == [
        _expect(SETUP_CFG, "README.md"),
        _expect(SETUP_CFG, "CHANGES.rst"),
    ]
    assert _at(readme.content_type) == _expect(SETUP_CFG, "text/markdown")
    assert [_at(t) for t in d.aliases] == [
        _expect(SETUP_CFG, "sdist"),
        _expect(SETUP_CFG, "bdist_wheel"),
        _expect(SETUP_CFG, "upload"),
    ]


def test_setup_cfg_directives_and_one_line_lists(tmp_path: Path) -> None:
    body = """
        [metadata]
        version = attr: stardust.__version__
        classifiers = file: classifiers.txt
        long_description = Just a sentence.

        [options]
        install_requires = file: requirements.txt
    """
    md = _meta(tmp_path, {"setup.cfg": body})
    [d] = md.declared
    assert d.version is None and d.classifiers == [] and d.dependencies == []
    assert d.readme is None
    one_line = "[metadata]\nclassifiers = Framework :: Flask, Typing :: Typed\n"
    md = _meta(tmp_path, {"setup.cfg": one_line})
    assert [_at(t) for t in md.declared[0].classifiers] == [
        _expect(one_line, "Framework :: Flask"),
        _expect(one_line, "Typing :: Typed"),
    ]


def test_setup_cfg_and_setup_py_ignored_with_another_backend(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[build-system]\nbuild-backend = "flit_core.buildapi"\n',
        "setup.cfg": "[metadata]\nname = old name\n",
        "setup.py": 'from setuptools import setup\nsetup(name="old name")\n',
    }
    md = _meta(tmp_path, files)
    assert [d.kind for d in md.declared] == ["pyproject"]


SETUP_PY = """
    import io
    import os
    from pathlib import Path

    from setuptools import setup

    here = os.path.abspath(os.path.dirname(__file__))
    with io.open(os.path.join(here, "README.md"), encoding="utf-8") as fh:
        long_description = fh.read()

    setup(
        name="stardust",
        version=get_version(),
        python_requires=">=3.9",
        classifiers=[
            "Development Status :: 4 - Beta",
            f"Programming Language :: Python :: {PY}",
            "Programming Language :: Python :: 3",
        ],
        install_requires=["numpy>=1.24", "attrs  # comment"],
        extras_require={"test": ["pytest"], "docs": "sphinx\\nfuro"},
        long_description=long_description + "\\n" + Path("CHANGES.md").read_text(),
        license_expression="MIT",
    )
"""


def test_setup_py_literals_and_positions(tmp_path: Path) -> None:
    md = _meta(tmp_path, {"setup.py": SETUP_PY})
    [d] = md.declared
    assert d.kind == "setup-py"
    assert _at(d.name) == _expect(SETUP_PY, "stardust")
    assert d.version is None  # computed: unknown
    assert _at(d.requires_python) == _expect(SETUP_PY, ">=3.9")
    assert _at(d.license_expression) == _expect(SETUP_PY, "MIT")
    assert [_at(t) for t in d.classifiers] == [
        _expect(SETUP_PY, "Development Status :: 4 - Beta"),
        _expect(SETUP_PY, "Programming Language :: Python :: 3"),
    ]
    assert [(dep.field, dep.text.value) for dep in d.dependencies] == [
        ("install_requires", "numpy>=1.24"),
        ("install_requires", "attrs"),
        ("extras_require['test']", "pytest"),
    ]
    # a one-string extra is a list of lines; "\n" in the source is an escape: unknown
    readme = d.readme
    assert readme is not None and readme.form == "setup-py"
    assert [_at(t) for t in readme.files] == [
        _expect(SETUP_PY, "README.md"),
        _expect(SETUP_PY, "CHANGES.md"),
    ]
    assert readme.content_type is None and not readme.content_type_unknown


def test_setup_py_non_ascii_columns(tmp_path: Path) -> None:
    body = '# é\nfrom setuptools import setup\nsetup(description="héllo", name="naïve pkg")\n'
    md = _meta(tmp_path, {"setup.py": body})
    assert _at(md.declared[0].name) == _expect(body, "naïve pkg")


def test_setup_py_readme_helpers_and_splat(tmp_path: Path) -> None:
    body = """
        import os
        from setuptools import setup

        def read(*parts):
            with open(os.path.join(os.path.dirname(__file__), *parts)) as f:
                return f.read()

        setup(
            name="stardust",
            long_description=read("docs", "README.md"),
            **extra,
        )
    """
    md = _meta(tmp_path, {"setup.py": body})
    readme = md.declared[0].readme
    assert readme is not None
    # the path is joined from the literal parts; it is reported at the last one
    assert [_at(t) for t in readme.files] == [("docs/README.md", *pos_of(body, "README.md"))]
    assert readme.content_type_unknown  # it may come from **extra


def test_setup_py_readme_paths_relative_to_setup_py(tmp_path: Path) -> None:
    body = """
        import os
        from pathlib import Path
        from setuptools import setup

        here = Path(__file__).resolve().parent
        up = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        setup(
            long_description=(
                (here / "docs" / "README.md").read_text()
                + open(os.path.join(os.path.dirname(__file__), "..", "NEWS.md")).read()
                + open(os.path.join(up, "README.md")).read()
                + open(os.path.join(docs_dir(), "README.md")).read()
                + here.joinpath("CHANGES.md").read_text()
            ),
        )
    """
    md = _meta(tmp_path, {"setup.py": body})
    readme = md.declared[0].readme
    assert readme is not None
    # a folder other than setup.py's (`up`, `docs_dir()`) makes the path unknown
    assert [t.value for t in readme.files] == ["docs/README.md", "../NEWS.md", "CHANGES.md"]


def test_setup_py_without_setup_call_or_unparsable(tmp_path: Path) -> None:
    md = _meta(tmp_path, {"setup.py": "import setuptools\nsetuptools.setup()\n"})
    assert md.declared == []
    md = _meta(tmp_path, {"setup.py": "setup(name='x'\n"})
    assert md.declared == []


def test_memoized_once_per_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "a"\n'})
    project = open_project(str(tmp_path))
    assert project_metadata(project) is project_metadata(project)


def test_file_state_and_checkout(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "a"\n',
            "README.md": "# a\n",
            "docs/x.txt": "x\n",
        },
    )
    (tmp_path / "EMPTY.md").write_text("", encoding="utf-8")
    (tmp_path / "BLANK.md").write_text("\n \n", encoding="utf-8")
    project = open_project(str(tmp_path))
    src = project.by_rel["pyproject.toml"]
    assert file_state(project, src, "README.md") == "ok"
    assert file_state(project, src, "BLANK.md") == "blank"
    assert file_state(project, src, "EMPTY.md") == "empty"
    assert file_state(project, src, "NOPE.md") == "missing"
    assert file_state(project, src, "docs") is None
    assert file_state(project, src, "../outside.md") is None
    assert file_state(project, src, "/etc/hostname") is None
    assert not in_checkout(project)
    (tmp_path / ".git").mkdir()
    assert in_checkout(open_project(str(tmp_path)))


def test_setup_cfg_and_setup_py_fields_only_when_dynamic(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": """
            [project]
            name = "stardust"
            dynamic = ["version", "dependencies", "readme"]
        """,
        "setup.cfg": """
            [metadata]
            name = stardust
            version = 1.0
            classifiers = Bad :: Classifier
            long_description = file: README.md

            [options]
            python_requires = >=3.9
            install_requires = numpy

            [options.extras_require]
            test = pytest
        """,
        "setup.py": 'from setuptools import setup\nsetup(name="x", license_expression="MIT")\n',
    }
    md = _meta(tmp_path, files)
    cfg, py = md.declared[1:]
    assert cfg.name is None and cfg.version is not None and cfg.version.value == "1.0"
    assert cfg.classifiers == [] and cfg.requires_python is None
    assert [d.text.value for d in cfg.dependencies] == ["numpy"]
    assert cfg.readme is not None
    assert py.name is None and py.license_expression is None
