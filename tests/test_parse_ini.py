"""INI with line numbers: configparser's rules, exact positions, problems that do not stop parsing."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiplint.parse import ParseProblem
from shiplint.parse.ini import IniDoc, IniLine, IniValue, parse_ini
from shiplint.source import Pos, SourceFile
from tests.conftest import CORPUS as SHARED_CORPUS

CORPUS = SHARED_CORPUS / "real-repos"


def make_src(text: str | None, name: str = "tox.ini") -> SourceFile:
    return SourceFile(Path(name), name, ".", "tox", text)


def parse(text: str) -> IniDoc:
    doc, problems = parse_ini(make_src(text))
    assert problems == []
    return doc


def get(doc: IniDoc, section: str, key: str) -> IniValue:
    value = doc.get(section, key)
    assert value is not None, (section, key)
    return value


def configparser_values(text: str, strict: bool = False) -> dict[str, dict[str, str]]:
    """What configparser (as tox uses it) reads; raises like configparser."""
    cp = configparser.ConfigParser(interpolation=None, strict=strict)
    cp.read_string(text)
    return {name: dict(cp.items(name, raw=True)) for name in cp.sections()}


def check_consistent(src: SourceFile, doc: IniDoc) -> None:
    """Positions point at the text they describe; lines are the value's non-empty lines."""
    for section in doc.sections.values():
        header = src.line_text(section.pos.line)
        assert header[section.pos.col - 2] == "["
        assert header[section.pos.col - 1 :].startswith(section.name)
        for key, value in section.values.items():
            assert key == value.key
            assert value.section == section.name
            line = src.line_text(value.key_pos.line)
            assert line[value.key_pos.col - 1 :].startswith(key)
            assert [x.text for x in value.lines] == [p for p in value.value.split("\n") if p]
            for text, pos in value.lines:
                here = src.line_text(pos.line)
                assert here[pos.col - 1 : pos.col - 1 + len(text)] == text
                assert pos.line >= value.key_pos.line


def check_matches_configparser(text: str) -> IniDoc:
    doc = parse(text)
    expected = configparser_values(text, strict=True)
    got = {
        name: {key.lower(): v.value for key, v in sect.values.items()}
        for name, sect in doc.sections.items()
    }
    assert got == expected
    check_consistent(make_src(text), doc)
    return doc


# --- tox.ini ------------------------------------------------------------------------------

TOX_INI = """\
# tox configuration
[tox]
envlist = py39, py310, release
isolated_build = true

[testenv]
deps =
    pytest>=8
    -r requirements.txt
commands = pytest {posargs}

[testenv:release]
description = build and upload to PyPI
skip_install = true
passenv = TWINE_USERNAME, TWINE_PASSWORD
setenv =
    TWINE_REPOSITORY = pypi
commands =
    # build both distributions
    python -m build --sdist --wheel

    twine check dist/*
    twine upload --skip-existing \\
        dist/*   ; not a comment
"""


def test_tox_ini_sections() -> None:
    doc = check_matches_configparser(TOX_INI)
    assert list(doc.sections) == ["tox", "testenv", "testenv:release"]
    assert doc.sections["tox"].pos == Pos(2, 2)
    assert doc.sections["testenv"].pos == Pos(6, 2)
    assert doc.sections["testenv:release"].pos == Pos(12, 2)
    assert doc.sections["testenv:release"].name == "testenv:release"


def test_tox_ini_single_line_values() -> None:
    doc = parse(TOX_INI)
    envlist = get(doc, "tox", "envlist")
    assert envlist.key == "envlist"
    assert envlist.key_pos == Pos(3, 1)
    assert envlist.value == "py39, py310, release"
    assert envlist.lines == [IniLine("py39, py310, release", Pos(3, 11))]
    assert envlist.value_pos == Pos(3, 11)
    assert get(doc, "testenv", "commands").lines == [IniLine("pytest {posargs}", Pos(10, 12))]
    assert get(doc, "testenv:release", "passenv").value_pos == Pos(15, 11)


def test_tox_ini_multiline_values() -> None:
    doc = parse(TOX_INI)
    deps = get(doc, "testenv", "deps")
    assert deps.value == "\npytest>=8\n-r requirements.txt"
    assert deps.lines == [
        IniLine("pytest>=8", Pos(8, 5)),
        IniLine("-r requirements.txt", Pos(9, 5)),
    ]
    assert deps.value_pos == Pos(8, 5)
    setenv = get(doc, "testenv:release", "setenv")
    assert setenv.lines == [IniLine("TWINE_REPOSITORY = pypi", Pos(17, 5))]
    commands = get(doc, "testenv:release", "commands")
    assert commands.key_pos == Pos(18, 1)
    # the comment line is dropped, the empty line kept; the backslash is left to tox
    assert commands.value == (
        "\npython -m build --sdist --wheel\n\ntwine check dist/*\n"
        "twine upload --skip-existing \\\ndist/*   ; not a comment"
    )
    assert commands.lines == [
        IniLine("python -m build --sdist --wheel", Pos(20, 5)),
        IniLine("twine check dist/*", Pos(22, 5)),
        IniLine("twine upload --skip-existing \\", Pos(23, 5)),
        IniLine("dist/*   ; not a comment", Pos(24, 9)),
    ]


def test_case_insensitive_keys_case_sensitive_sections() -> None:
    doc = parse("[Tox]\nEnvList = py3\nmy key = spaced\n")
    section = doc.sections["Tox"]
    assert list(section.values) == ["EnvList", "my key"]  # as written
    assert section.get("envlist") is section.get("ENVLIST") is section.values["EnvList"]
    assert "envList" in section
    assert 3 not in section
    assert doc.get("Tox", "my KEY") is not None
    assert doc.get("tox", "envlist") is None  # sections are case-sensitive
    assert doc.get("nope", "envlist") is None
    assert section.get("missing") is None


# --- setup.cfg and .pypirc -------------------------------------------------------------------

SETUP_CFG = """\
[metadata]
name = demo
version = attr: demo.__version__
long_description = file: README.md
classifiers =
\tDevelopment Status :: 4 - Beta
\tLicense :: OSI Approved :: MIT License

[options]
packages = find:
install_requires =
    requests>=2
python_requires = >=3.9

[options.extras_require]
test = pytest; hypothesis # not a comment either
"""


def test_setup_cfg() -> None:
    doc = check_matches_configparser(SETUP_CFG)
    version = get(doc, "metadata", "version")
    assert version.value == "attr: demo.__version__"
    assert version.value_pos == Pos(3, 11)
    classifiers = get(doc, "metadata", "classifiers")
    assert classifiers.lines == [
        IniLine("Development Status :: 4 - Beta", Pos(6, 2)),
        IniLine("License :: OSI Approved :: MIT License", Pos(7, 2)),
    ]
    assert get(doc, "options", "packages").value == "find:"
    requires = get(doc, "options", "python_requires")
    assert requires.value == ">=3.9"
    assert requires.value_pos == Pos(13, 19)
    assert get(doc, "options.extras_require", "test").value == (
        "pytest; hypothesis # not a comment either"
    )
    assert doc.sections["options.extras_require"].pos == Pos(15, 2)


PYPIRC = """\
[distutils]
index-servers =
    pypi
    testpypi

[pypi]
username: __token__
password:pypi-AgEIcHlwaS5vcmcCJGE

[testpypi]
repository = https://test.pypi.org/legacy/
url: https://example.org:8080/x = y
"""


def test_pypirc() -> None:
    doc = check_matches_configparser(PYPIRC)
    servers = get(doc, "distutils", "index-servers")
    assert servers.value == "\npypi\ntestpypi"
    assert [line.text for line in servers.lines] == ["pypi", "testpypi"]
    username = get(doc, "pypi", "username")
    assert username.key_pos == Pos(7, 1)
    assert username.value == "__token__"
    assert username.value_pos == Pos(7, 11)
    password = get(doc, "pypi", "password")
    assert password.lines == [IniLine("pypi-AgEIcHlwaS5vcmcCJGE", Pos(8, 10))]
    repository = get(doc, "testpypi", "repository")
    assert repository.value == "https://test.pypi.org/legacy/"
    assert repository.value_pos == Pos(11, 14)
    url = get(doc, "testpypi", "url")  # the first delimiter wins
    assert url.value == "https://example.org:8080/x = y"
    assert url.value_pos == Pos(12, 6)


# --- configparser's rules in detail -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        # empty lines inside a value are kept, trailing ones dropped
        ("[s]\na =\n  x\n\n  y\n\n\nb = 2\n", "a", "\nx\n\ny"),
        # a comment line does not end a value, an empty line after it is kept if more follows
        ("[s]\na = 1\n  # c\n\n  z\n", "a", "1\n\nz"),
        ("[s]\na = 1\n  ; c\n  z\n", "a", "1\nz"),
        ("[s]\nb = 2\n  # comment\n\nc = 3\n", "b", "2"),
        # an empty line does not end a value: deeper lines after it still continue it
        ("[s]\nc = 3\n\n  z\n", "c", "3\n\nz"),
        # deeper-indented lines continue the value even if they look like sections/options
        ("[s]\na = 1\n  [t]\n  b = 2\n", "a", "1\n[t]\nb = 2"),
        # continuation is relative to the option's own indentation
        ("[s]\n  a = 1\n  b = 2\n    c\n", "b", "2\nc"),
        ("[s]\n  a = 1\n b = 2\n", "b", "2"),
        # no inline comments
        ("[s]\na = b # c ; d\n", "a", "b # c ; d"),
        ("[s]\na=\tb\t\n", "a", "b"),
        ("[s]\na b :c=d\n", "a b", "c=d"),
        ("[s]\na =\n", "a", ""),
    ],
)
def test_values_like_configparser(text: str, key: str, value: str) -> None:
    doc = check_matches_configparser(text)
    assert get(doc, "s", key).value == value


def test_section_header_forms() -> None:
    doc = parse("[s] ; trailing text is ignored\n[a] b]\n[ spaced ]\n  [indented]\n")
    assert list(doc.sections) == ["s", "a] b", " spaced ", "indented"]
    assert doc.sections[" spaced "].pos == Pos(3, 2)
    assert doc.sections["indented"].pos == Pos(4, 4)


def test_value_pos_without_value() -> None:
    doc = parse("[s]\nempty =\nafter = 1\n")
    empty = get(doc, "s", "empty")
    assert empty.lines == []
    assert empty.value == ""
    assert empty.value_pos == Pos(2, 1)


def test_crlf() -> None:
    lf = parse(TOX_INI)
    crlf = parse(TOX_INI.replace("\n", "\r\n"))
    for name, section in lf.sections.items():
        other = crlf.sections[name]
        assert other.pos == section.pos
        for key, value in section.values.items():
            assert other.values[key].value == value.value
            assert other.values[key].lines == value.lines
            assert "\r" not in other.values[key].value


def test_columns_count_characters() -> None:
    doc = parse("[設定]\n名前 = 値の値 🐍\n\t絵文字 = 🐍🐍\n\n[s]\nk = v\n")
    assert doc.sections["設定"].pos == Pos(1, 2)
    # the tab-indented line continues the previous value
    assert get(doc, "設定", "名前").lines == [
        IniLine("値の値 🐍", Pos(2, 6)),
        IniLine("絵文字 = 🐍🐍", Pos(3, 2)),
    ]
    assert get(doc, "s", "k").value_pos == Pos(6, 5)


def test_default_section_is_plain() -> None:
    doc, problems = parse_ini(make_src("[DEFAULT]\na = 1\n[s]\nb = 2\n[DEFAULT]\nc = 3\n"))
    assert problems == []  # configparser accepts a repeated [DEFAULT]
    assert set(doc.sections["DEFAULT"].values) == {"a", "c"}
    assert doc.get("s", "a") is None  # defaults are not merged


def test_empty_documents() -> None:
    for text in ["", "\n", "# only a comment\n; another\n", "   \n\t\n"]:
        doc, problems = parse_ini(make_src(text))
        assert doc.sections == {}
        assert problems == []


# --- problems --------------------------------------------------------------------------------

BROKEN = """\
key = before any section
also = ignored
[main]
novalue line
  indented after bogus
= empty key
Key = 1
[main]
KEY = 2
[other]
x = 1
"""


def test_problems_do_not_stop_parsing() -> None:
    doc, problems = parse_ini(make_src(BROKEN))
    assert [p.pos for p in problems] == [
        Pos(1, 1),
        Pos(4, 1),
        Pos(5, 3),
        Pos(6, 1),
        Pos(8, 2),
        Pos(9, 1),
    ]
    assert "before the first [section]" in problems[0].message
    assert "'novalue line'" in problems[1].message
    assert "without a name" in problems[3].message
    assert problems[4].message == "section [main] is defined twice (first at line 3)"
    assert problems[5].message == "option 'KEY' is set twice in section [main] (first at line 7)"
    # the later duplicate wins, written as the later spelling; the sections are merged
    assert list(doc.sections) == ["main", "other"]
    assert doc.sections["main"].pos == Pos(3, 2)
    assert list(doc.sections["main"].values) == ["KEY"]
    assert get(doc, "main", "key").value == "2"
    assert get(doc, "main", "key").key_pos == Pos(9, 1)
    assert get(doc, "other", "x").value == "1"
    with pytest.raises(configparser.MissingSectionHeaderError):
        configparser_values(BROKEN)


def test_bogus_line_keeps_current_option() -> None:
    text = "[s]\na = 1\nbogus\n    more\n"
    doc, problems = parse_ini(make_src(text))
    assert problems == [
        ParseProblem(
            "line is neither a [section] header nor a `key = value` option: 'bogus'", Pos(3, 1)
        )
    ]
    assert get(doc, "s", "a").value == "1\nmore"
    with pytest.raises(configparser.ParsingError):
        configparser_values(text)
    cp = configparser.ConfigParser(interpolation=None)
    with pytest.raises(configparser.ParsingError):
        cp.read_string(text)
    assert cp.get("s", "a") == "1\nmore"


def test_unreadable_file() -> None:
    src = SourceFile(Path("t"), "t", ".", "tox", None, "file contains NUL bytes", Pos(1, 4))
    doc, problems = parse_ini(src)
    assert doc.sections == {}
    assert problems == [ParseProblem("file contains NUL bytes", Pos(1, 4))]
    assert parse_ini(make_src(None))[1] == [ParseProblem("file could not be read", None)]


def test_reprs() -> None:
    doc = parse("[s]\na = 1\n")
    assert repr(doc) == "IniDoc(['s'])"
    assert repr(doc.sections["s"]) == "IniSection('s', ['a'])"
    assert repr(get(doc, "s", "a")) == "IniValue('a', '1', key_pos=(2, 1))"


# --- differential test against configparser ------------------------------------------------------

_INDENT = st.sampled_from(["", "", " ", "  ", "\t", "    "])
_WS = st.sampled_from(["", " ", "\t", "  "])
_TEXT = st.text(
    st.sampled_from([*"ab z", "=", ":", "#", ";", "[", "]", "\\", "é", "\x0c"]), max_size=8
)
_LINES = st.one_of(
    st.builds(lambda i, n: f"{i}[{n}]", _INDENT, st.sampled_from(["s", "t", "S", "a b", "x]y"])),
    st.builds(
        lambda i, k, w1, sep, w2, v: f"{i}{k}{w1}{sep}{w2}{v}",
        _INDENT,
        st.sampled_from(["a", "A", "b", "key", "my key", ""]),
        _WS,
        st.sampled_from(["=", ":"]),
        _WS,
        _TEXT,
    ),
    st.builds(lambda i, p, t: f"{i}{p}{t}", _INDENT, st.sampled_from(["#", ";"]), _TEXT),
    _WS,
    st.builds(lambda i, w: f"{i}{w}", _INDENT, st.sampled_from(["bogus", "x y", "[", "[]"])),
    st.builds(lambda i, t: f"{i}{t}", st.sampled_from([" ", "   ", "\t\t", "      "]), _TEXT),
)


@settings(max_examples=100, deadline=None, database=None)
@given(
    head=st.sampled_from([["[s]"], ["[s]"], ["[s]"], []]),
    lines=st.lists(_LINES, max_size=14),
    newline=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
)
def test_matches_configparser(head: list[str], lines: list[str], newline: str, final: bool) -> None:
    text = newline.join(head + lines) + (newline if final else "")
    src = make_src(text)
    doc, problems = parse_ini(src)
    check_consistent(src, doc)

    cp = configparser.ConfigParser(interpolation=None, strict=False)
    missing_header_line = 0
    parsing_error = False
    try:
        cp.read_string(text)
    except configparser.MissingSectionHeaderError as exc:
        missing_header_line = exc.lineno
    except configparser.ParsingError:
        parsing_error = True
    if missing_header_line:
        assert problems
        assert problems[0].pos is not None
        assert problems[0].pos.line == missing_header_line
        return
    if parsing_error:
        assert problems
    got = {
        name: {key.lower(): v.value for key, v in sect.values.items()}
        for name, sect in doc.sections.items()
    }
    expected = {
        name: {k: v for k, v in cp.items(name, raw=True) if k}  # we drop nameless options
        for name in cp.sections()
    }
    assert got == expected

    try:
        configparser_values(text, strict=True)
    except configparser.Error:
        assert problems
    else:
        assert problems == []


# --- real-world corpus ---------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus of real repositories")
def test_real_ini_files() -> None:
    files = [
        *sorted(CORPUS.glob("*/tox.ini")),
        *sorted(CORPUS.glob("*/setup.cfg")),
        *sorted(CORPUS.glob("*/.pypirc")),
    ]
    assert files
    for path in files:
        text = path.read_text("utf-8")
        src = SourceFile(path, path.name, str(path.parent), "tox", text)
        doc, problems = parse_ini(src)
        check_consistent(src, doc)
        try:
            expected = configparser_values(text, strict=True)
        except configparser.Error:  # pragma: no cover - the corpus files are valid
            assert problems
            continue
        assert problems == [], path
        got = {
            name: {key.lower(): v.value for key, v in sect.values.items()}
            for name, sect in doc.sections.items()
        }
        assert got == expected, path
