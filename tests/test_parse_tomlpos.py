"""TOML with positions: exact key/value/header locations, errors, and generated documents."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import sys
from pathlib import Path
from typing import Any, Union

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiplint.parse import ParseProblem
from shiplint.parse.tomlpos import TomlDoc, TomlPath, _error_problem, _Locator, lookup, parse_toml
from shiplint.source import Pos, SourceFile
from tests.conftest import CORPUS as SHARED_CORPUS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = SHARED_CORPUS / "real-repos"


def make_src(text: str | None, name: str = "pyproject.toml") -> SourceFile:
    return SourceFile(Path(name), name, ".", "pyproject", text)


def parse(text: str) -> TomlDoc:
    doc, problem = parse_toml(make_src(text))
    assert problem is None, problem
    assert doc is not None
    return doc


def text_at(doc: TomlDoc, pos: Pos | None) -> str:
    assert pos is not None
    assert doc.src.text is not None
    return doc.src.text[doc.src.index(pos) :]


PYPROJECT = """\
[build-system]
requires = ["setuptools>=77", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "demo-pkg"  # the distribution name
version = "1.2.3"
license = "MIT"
authors = [
  { name = "Ada Lovelace", email = "ada@example.org" },
  {name="Bob"},
]
classifiers = [
    # maturity
    "Development Status :: 4 - Beta",
    "License :: OSI Approved :: MIT License",  # legacy
    "Programming Language :: Python :: 3",
]
dependencies = []

[project.urls]
Homepage = "https://example.org"

[tool.tox.env.release]
description = "build and upload"
commands = [
    ["python", "-m", "build"],
    ["twine", "upload", "--skip-existing", "dist/*"],
]

[[tool.uv.index]]
name = "pytorch"
url = "https://download.pytorch.org/whl/cpu"
explicit = true

[[tool.uv.index]]
name = "internal"
url = 'https://pypi.internal/simple'
"""


# --- realistic pyproject.toml ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key", "value", "text"),
    [
        (("build-system", "requires"), (2, 1), (2, 12), '["setuptools>=77", "wheel"]'),
        (("build-system", "requires", 0), None, (2, 13), '"setuptools>=77"'),
        (("build-system", "requires", 1), None, (2, 31), '"wheel"'),
        (("build-system", "build-backend"), (3, 1), (3, 17), '"setuptools.build_meta"'),
        (("project", "name"), (6, 1), (6, 8), '"demo-pkg"'),
        (("project", "license"), (8, 1), (8, 11), '"MIT"'),
        (("project", "authors", 0), None, (10, 3), None),
        (("project", "authors", 0, "name"), (10, 5), (10, 12), '"Ada Lovelace"'),
        (("project", "authors", 0, "email"), (10, 28), (10, 36), '"ada@example.org"'),
        (("project", "authors", 1), None, (11, 3), '{name="Bob"}'),
        (("project", "authors", 1, "name"), (11, 4), (11, 9), '"Bob"'),
        (("project", "classifiers"), (13, 1), (13, 15), None),
        (("project", "classifiers", 0), None, (15, 5), '"Development Status :: 4 - Beta"'),
        (("project", "classifiers", 1), None, (16, 5), None),
        (("project", "classifiers", 2), None, (17, 5), None),
        (("project", "dependencies"), (19, 1), (19, 16), "[]"),
        (("project", "urls", "Homepage"), (22, 1), (22, 12), '"https://example.org"'),
        (("tool", "tox", "env", "release", "commands"), (26, 1), (26, 12), None),
        (("tool", "tox", "env", "release", "commands", 0), None, (27, 5), None),
        (("tool", "tox", "env", "release", "commands", 0, 2), None, (27, 22), '"build"'),
        (("tool", "tox", "env", "release", "commands", 1, 3), None, (28, 44), '"dist/*"'),
        (("tool", "uv", "index", 0, "name"), (32, 1), (32, 8), '"pytorch"'),
        (("tool", "uv", "index", 0, "explicit"), (34, 1), (34, 12), "true"),
        (("tool", "uv", "index", 1, "name"), (37, 1), (37, 8), '"internal"'),
        (("tool", "uv", "index", 1, "url"), (38, 1), (38, 7), "'https://pypi.internal/simple'"),
    ],
)
def test_pyproject_positions(
    path: TomlPath,
    key: tuple[int, int] | None,
    value: tuple[int, int],
    text: str | None,
) -> None:
    doc = parse(PYPROJECT)
    assert doc.key_pos(path) == (Pos(*key) if key else None)
    assert doc.value_pos(path) == Pos(*value)
    if text is not None:
        assert doc.value_text(path) == text
    span = doc.value_span(path)
    assert span is not None
    assert doc.src.pos(span[0]) == Pos(*value)
    assert tomllib.loads("x = " + PYPROJECT[span[0] : span[1]])["x"] == doc.get(path)


def test_pyproject_multiline_array_span() -> None:
    doc = parse(PYPROJECT)
    classifiers = doc.value_text(("project", "classifiers"))
    assert classifiers is not None
    assert classifiers.startswith("[\n    # maturity\n")
    assert classifiers.endswith('"Programming Language :: Python :: 3",\n]')
    span = doc.value_span(("tool", "tox", "env", "release", "commands"))
    assert span is not None
    assert doc.src.pos(span[1] - 1) == Pos(29, 1)  # the closing bracket


def test_pyproject_tables() -> None:
    doc = parse(PYPROJECT)
    assert doc.table_pos(("build-system",)) == Pos(1, 1)
    assert doc.table_pos(("project",)) == Pos(5, 1)
    assert doc.key_pos(("project",)) == Pos(5, 2)
    assert doc.table_pos(("project", "urls")) == Pos(21, 1)
    assert doc.key_pos(("project", "urls")) == Pos(21, 10)
    assert doc.table_pos(("tool", "tox", "env", "release")) == Pos(24, 1)
    # the key of a header path is its last segment; earlier segments keep their first sighting
    assert doc.key_pos(("tool",)) == Pos(24, 2)
    assert doc.key_pos(("tool", "tox")) == Pos(24, 7)
    assert doc.key_pos(("tool", "tox", "env")) == Pos(24, 11)
    assert doc.key_pos(("tool", "tox", "env", "release")) == Pos(24, 15)
    assert doc.key_pos(("tool", "uv")) == Pos(31, 8)
    # tables from headers have no value text; implicit super-tables have no header
    assert doc.value_pos(("project",)) is None
    assert doc.value_span(("tool", "uv", "index", 0)) is None
    assert doc.table_pos(("tool",)) is None
    assert doc.table_pos(("tool", "tox")) is None
    assert doc.table_pos(("project", "authors", 0)) is None  # inline table


def test_array_of_tables_positions() -> None:
    doc = parse(PYPROJECT)
    assert doc.table_pos(("tool", "uv", "index")) == Pos(31, 1)  # first header
    assert doc.table_pos(("tool", "uv", "index", 0)) == Pos(31, 1)
    assert doc.table_pos(("tool", "uv", "index", 1)) == Pos(36, 1)
    assert doc.key_pos(("tool", "uv", "index")) == Pos(31, 11)
    assert doc.key_pos(("tool", "uv", "index", 0)) == Pos(31, 11)
    assert doc.key_pos(("tool", "uv", "index", 1)) == Pos(36, 11)
    assert doc.table_pos(("tool", "uv", "index", 2)) is None
    assert doc.get(("tool", "uv", "index", 1, "name")) == "internal"


def test_negative_indexes() -> None:
    doc = parse(PYPROJECT)
    assert doc.value_pos(("project", "classifiers", -1)) == Pos(17, 5)
    assert doc.value_pos(("project", "authors", -1, "name")) == Pos(11, 9)
    assert doc.table_pos(("tool", "uv", "index", -1)) == Pos(36, 1)
    assert doc.value_pos(("project", "classifiers", -4)) is None


def test_missing_paths() -> None:
    doc = parse(PYPROJECT)
    assert doc.key_pos(("project", "readme")) is None
    assert doc.value_pos(("project", "readme")) is None
    assert doc.value_span(("nope",)) is None
    assert doc.value_text(("nope",)) is None
    assert doc.table_pos(("project", "readme")) is None
    assert doc.value_pos(("project", "classifiers", 3)) is None
    assert doc.value_pos(("project", "name", 0)) is None
    assert doc.get(("project", "readme"), "dflt") == "dflt"


def test_best_pos_falls_back() -> None:
    doc = parse(PYPROJECT)
    assert doc.best_pos(("project", "license")) == Pos(8, 11)  # the value
    assert doc.best_pos(("project",)) == Pos(5, 2)  # the key in the header
    assert doc.best_pos(("project", "readme")) == Pos(5, 2)  # missing: enclosing table
    assert doc.best_pos(("tool", "uv", "index", 1, "explicit")) == Pos(36, 11)
    assert doc.best_pos(("tool", "uv", "index", 0, "explicit")) == Pos(34, 12)
    assert doc.best_pos(("nope", "x")) == Pos(1, 1)
    assert doc.best_pos(()) == Pos(1, 1)


def test_lookup() -> None:
    data: dict[str, Any] = {"a": {"b": [1, {"c": "d"}]}}
    assert lookup(data, ()) is data
    assert lookup(data, ("a", "b", 1, "c")) == "d"
    assert lookup(data, ("a", "b", -1, "c")) == "d"
    assert lookup(data, ("a", "b", 2)) is None
    assert lookup(data, ("a", "b", -3)) is None
    assert lookup(data, ("a", "x"), 7) == 7
    assert lookup(data, ("a", 0)) is None  # int into a dict
    assert lookup(data, ("a", "b", "c")) is None  # str into a list
    assert lookup(data, ("a", "b", 0, "c")) is None  # into a scalar


# --- tox.toml ------------------------------------------------------------------------

TOX_TOML = """\
requires = ["tox>=4.21"]
env_list = ["3.13", "3.12", "lint"]

[env_run_base]
deps = ["pytest>=8"]
commands = [["pytest", { replace = "posargs", default = ["tests"], extend = true }]]

[env.release]
skip_install = true
commands = [
  ["python", "-m", "build", "--sdist", "--wheel"],
  ["twine", "upload", "dist/*"],
]
set_env.TWINE_USERNAME = "__token__"
"""


def test_tox_toml_positions() -> None:
    doc = parse(TOX_TOML)
    assert doc.value_pos(("env_list", 2)) == Pos(2, 29)
    cmd: TomlPath = ("env_run_base", "commands", 0, 1)
    assert doc.value_pos(cmd) == Pos(6, 24)
    assert doc.key_pos((*cmd, "replace")) == Pos(6, 26)
    assert doc.value_pos((*cmd, "replace")) == Pos(6, 36)
    assert doc.key_pos((*cmd, "default")) == Pos(6, 47)
    assert doc.value_pos((*cmd, "default")) == Pos(6, 57)
    assert doc.value_pos((*cmd, "default", 0)) == Pos(6, 58)
    assert doc.value_text((*cmd, "extend")) == "true"
    assert doc.value_pos((*cmd, "extend")) == Pos(6, 77)
    assert doc.value_pos(("env", "release", "commands", 1, 2)) == Pos(12, 23)
    assert doc.value_text(("env", "release", "commands", 1, 2)) == '"dist/*"'
    assert doc.table_pos(("env", "release")) == Pos(8, 1)
    assert doc.key_pos(("env", "release", "set_env")) == Pos(14, 1)
    assert doc.key_pos(("env", "release", "set_env", "TWINE_USERNAME")) == Pos(14, 9)
    assert doc.value_pos(("env", "release", "set_env", "TWINE_USERNAME")) == Pos(14, 26)
    assert doc.value_pos(("env", "release", "set_env")) is None  # implied by a dotted key


# --- keys ----------------------------------------------------------------------------

KEYS = """\
a.b.c = 1
"quoted.key" = 2
'lit key' = 3
"esc\\u0041" = 4
site."google.com" . x = true
[ "tbl" . 'sub' ]
v = 5
[dotted]
x.y = 1
x.z = 2
"" = 'empty key'
"""


def test_key_forms() -> None:
    doc = parse(KEYS)
    assert doc.data["a"] == {"b": {"c": 1}}
    assert doc.key_pos(("a",)) == Pos(1, 1)
    assert doc.key_pos(("a", "b")) == Pos(1, 3)
    assert doc.key_pos(("a", "b", "c")) == Pos(1, 5)
    assert doc.value_pos(("a", "b", "c")) == Pos(1, 9)
    assert doc.key_pos(("quoted.key",)) == Pos(2, 1)
    assert doc.value_pos(("quoted.key",)) == Pos(2, 16)
    assert doc.key_pos(("lit key",)) == Pos(3, 1)
    assert doc.value_pos(("lit key",)) == Pos(3, 13)
    assert doc.key_pos(("escA",)) == Pos(4, 1)
    assert doc.value_pos(("escA",)) == Pos(4, 15)
    assert doc.key_pos(("site", "google.com")) == Pos(5, 6)
    assert doc.key_pos(("site", "google.com", "x")) == Pos(5, 21)
    assert doc.value_pos(("site", "google.com", "x")) == Pos(5, 25)
    assert doc.table_pos(("tbl", "sub")) == Pos(6, 1)
    assert doc.key_pos(("tbl",)) == Pos(6, 3)
    assert doc.key_pos(("tbl", "sub")) == Pos(6, 11)
    assert doc.value_pos(("tbl", "sub", "v")) == Pos(7, 5)
    assert doc.key_pos(("dotted", "x")) == Pos(9, 1)  # first sighting
    assert doc.key_pos(("dotted", "x", "z")) == Pos(10, 3)
    assert doc.value_pos(("dotted", "x", "z")) == Pos(10, 7)
    assert doc.key_pos(("dotted", "")) == Pos(11, 1)
    assert doc.value_text(("dotted", "")) == "'empty key'"


def test_quoted_key_escapes() -> None:
    text = '"tab\\there" = 1\n"\\U0001F40D" = 2\n"q\\"uote\\\\" = 3\n"e\\be\\f\\n\\r" = 4\n'
    doc = parse(text)
    for i, key in enumerate(["tab\there", "\U0001f40d", 'q"uote\\', "e\be\f\n\r"], start=1):
        assert key in doc.data
        assert doc.key_pos((key,)) == Pos(i, 1)
        assert doc.value_text((key,)) == str(i)


# --- strings, comments, scalars -------------------------------------------------------

STRINGS = '''\
basic = "tab\\there \\"quoted\\" \\\\ end"  # comment "with quotes"
literal = 'C:\\path\\"x"'
ml_basic = """
first line "one" ""two"" \\"""
second \\
   continued"""
ml_literal = \'\'\'
raw \\n "quotes" ''two'' \'\'\'
after = 1
edge = """"quoted""""
edge2 = \'\'\'\'\'\'
edge3 = \'\'\'\'\'x\'\'\'\'\'
hash = "not # a comment"
'''


def test_string_kinds() -> None:
    doc = parse(STRINGS)
    assert doc.value_text(("basic",)) == '"tab\\there \\"quoted\\" \\\\ end"'
    assert doc.value_text(("literal",)) == "'C:\\path\\\"x\"'"
    ml = doc.value_text(("ml_basic",))
    assert ml is not None
    assert ml.startswith('"""\nfirst line')
    assert ml.endswith('continued"""')
    assert doc.value_pos(("ml_basic",)) == Pos(3, 12)
    assert doc.value_pos(("ml_literal",)) == Pos(7, 14)
    assert doc.value_text(("ml_literal",)) == "'''\nraw \\n \"quotes\" ''two'' '''"
    assert doc.key_pos(("after",)) == Pos(9, 1)
    assert doc.value_pos(("after",)) == Pos(9, 9)
    assert doc.value_text(("edge",)) == '""""quoted""""'
    assert doc.data["edge"] == '"quoted"'
    assert doc.value_text(("edge2",)) == "''''''"
    assert doc.value_text(("edge3",)) == "'''''x'''''"
    assert doc.value_text(("hash",)) == '"not # a comment"'
    for key, value in doc.data.items():
        span = doc.value_span((key,))
        assert span is not None
        assert tomllib.loads("x = " + STRINGS[span[0] : span[1]])["x"] == value


SCALARS = """\
int = +1_000
hex = 0xDEAD_beef
oct = 0o755
bin = 0b1010
flt = -3.14e-2
inf = -inf
nan = nan
yes = true
no = false
odt = 1979-05-27T07:32:00.999999-07:00
spaced = 1979-05-27 07:32:00Z # a space separates date and time
ldt = 1979-05-27 07:32:00
ld = 1979-05-27 # just a date
lt = 07:32:00.5
arr = [1979-05-27 07:32:00, 1979-05-27, 1, -inf,]
"""


def test_scalars() -> None:
    doc = parse(SCALARS)
    assert doc.value_text(("spaced",)) == "1979-05-27 07:32:00Z"
    assert doc.value_text(("ld",)) == "1979-05-27"
    assert doc.value_text(("ldt",)) == "1979-05-27 07:32:00"
    assert doc.value_text(("arr", 0)) == "1979-05-27 07:32:00"
    assert doc.value_text(("arr", 1)) == "1979-05-27"
    assert doc.value_text(("arr", 3)) == "-inf"
    assert doc.value_pos(("arr", 2)) == Pos(15, 41)
    for key, value in doc.data.items():
        text = doc.value_text((key,))
        assert text is not None
        parsed = tomllib.loads("x = " + text)["x"]
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(parsed)
        else:
            assert parsed == value, key


COMMENTS = """\
# leading comment
[tool.shiplint] # header comment
# between
rules = [ # open
  "a", # one
  # alone
  "b" # two
  , "c",
] # close
inline = { x = 1, y = [1, 2,] }  # nested trailing comma
  [ tool.other ]  # indented header
  k = 'v'
"""


def test_comments_everywhere() -> None:
    doc = parse(COMMENTS)
    assert doc.table_pos(("tool", "shiplint")) == Pos(2, 1)
    assert doc.key_pos(("tool", "shiplint", "rules")) == Pos(4, 1)
    assert doc.value_pos(("tool", "shiplint", "rules", 0)) == Pos(5, 3)
    assert doc.value_pos(("tool", "shiplint", "rules", 1)) == Pos(7, 3)
    assert doc.value_pos(("tool", "shiplint", "rules", 2)) == Pos(8, 5)
    assert doc.value_text(("tool", "shiplint", "rules"))  # spans the comments
    assert doc.value_pos(("tool", "shiplint", "inline", "y", 1)) == Pos(10, 27)
    assert doc.value_text(("tool", "shiplint", "inline")) == "{ x = 1, y = [1, 2,] }"
    assert doc.table_pos(("tool", "other")) == Pos(11, 3)
    assert doc.key_pos(("tool", "other")) == Pos(11, 10)
    assert doc.value_pos(("tool", "other", "k")) == Pos(12, 7)


def test_nested_arrays_of_tables() -> None:
    text = (
        "[[a]]\nx = 1\n[[a.b]]\ny = 2\n[[a.b]]\ny = 3\n[[a]]\nx = 4\n[a.c]\nz = 5\n[[a.b]]\ny = 6\n"
    )
    doc = parse(text)
    assert doc.data == {
        "a": [{"x": 1, "b": [{"y": 2}, {"y": 3}]}, {"x": 4, "c": {"z": 5}, "b": [{"y": 6}]}]
    }
    assert doc.value_pos(("a", 0, "b", 1, "y")) == Pos(6, 5)
    assert doc.value_pos(("a", 1, "x")) == Pos(8, 5)
    assert doc.value_pos(("a", 1, "c", "z")) == Pos(10, 5)
    assert doc.value_pos(("a", 1, "b", 0, "y")) == Pos(12, 5)
    assert doc.table_pos(("a", 0, "b")) == Pos(3, 1)
    assert doc.table_pos(("a", 0, "b", 1)) == Pos(5, 1)
    assert doc.table_pos(("a", 1, "c")) == Pos(9, 1)
    assert doc.table_pos(("a", 1, "b", 0)) == Pos(11, 1)
    assert doc.key_pos(("a", 1)) == Pos(7, 3)
    assert doc.key_pos(("a", 1, "b")) == Pos(11, 5)


def test_crlf_positions_match_lf() -> None:
    lf = parse(PYPROJECT)
    crlf = parse(PYPROJECT.replace("\n", "\r\n"))
    assert crlf.data == lf.data
    for path in [*lf._keys, *lf._values, *lf._tables]:
        assert crlf.key_pos(path) == lf.key_pos(path)
        assert crlf.value_pos(path) == lf.value_pos(path)
        assert crlf.table_pos(path) == lf.table_pos(path)
    assert crlf.value_text(("project", "dependencies")) == "[]"
    text = crlf.value_text(("project", "classifiers"))
    assert text is not None
    assert "\r\n" in text
    assert text.endswith(",\r\n]")


def test_crlf_multiline_string() -> None:
    text = 'a = """\r\nline "1"\r\nline 2"""\r\nb = \'\'\'x\r\n\'\'\'\r\nc = 3\r\n'
    doc = parse(text)
    assert doc.value_pos(("b",)) == Pos(4, 5)
    assert doc.value_text(("b",)) == "'''x\r\n'''"
    assert doc.value_pos(("c",)) == Pos(6, 5)


def test_columns_count_characters() -> None:
    text = 'name = "Ünïcödé"\n"ключ" = "значение"\nemoji = "🐍" # 🐍\nafter = "🐍🐍", x = 1\n'
    text = text.replace(", x = 1", "")
    doc = parse(text)
    assert doc.value_pos(("ключ",)) == Pos(2, 10)
    assert doc.value_pos(("emoji",)) == Pos(3, 9)
    assert doc.value_text(("emoji",)) == '"🐍"'
    assert doc.value_pos(("after",)) == Pos(4, 9)
    assert doc.value_span(("after",)) == (text.index('"🐍🐍"'), text.index('"🐍🐍"') + 4)


MISC = """\
a = { b.c = 1, "d" . e = 2, f={g=[1,[2,3]]} }
["h]i" . j]
k=true#no space before the comment
[[ "x]]" ]]
l = [1,2,[3,4],{m=5}]
[1.2]
3.14 = "pi"
\t  [ tbl . 'sub' ]  # spaced header
\tn = "\\\\"
o = '\\'
"""


def test_misc_layouts() -> None:
    doc = parse(MISC)
    assert doc.key_pos(("a", "b", "c")) == Pos(1, 9)
    assert doc.value_pos(("a", "b", "c")) == Pos(1, 13)
    assert doc.key_pos(("a", "d")) == Pos(1, 16)
    assert doc.key_pos(("a", "d", "e")) == Pos(1, 22)
    assert doc.value_pos(("a", "d", "e")) == Pos(1, 26)
    assert doc.value_pos(("a", "f", "g", 1, 1)) == Pos(1, 40)
    assert doc.table_pos(("h]i", "j")) == Pos(2, 1)
    assert doc.key_pos(("h]i", "j")) == Pos(2, 10)
    assert doc.value_text(("h]i", "j", "k")) == "true"
    assert doc.table_pos(("x]]", 0)) == Pos(4, 1)
    assert doc.key_pos(("x]]", 0)) == Pos(4, 4)
    assert doc.value_pos(("x]]", 0, "l", 2, 1)) == Pos(5, 13)
    assert doc.value_pos(("x]]", 0, "l", 3, "m")) == Pos(5, 19)
    assert doc.key_pos(("1", "2")) == Pos(6, 4)
    assert doc.key_pos(("1", "2", "3", "14")) == Pos(7, 3)
    assert doc.value_pos(("1", "2", "3", "14")) == Pos(7, 8)
    assert doc.table_pos(("tbl", "sub")) == Pos(8, 4)
    assert doc.key_pos(("tbl", "sub")) == Pos(8, 12)
    assert doc.value_text(("tbl", "sub", "n")) == '"\\\\"'
    assert doc.value_text(("tbl", "sub", "o")) == "'\\'"
    check_positions(doc)


def test_string_span() -> None:
    doc = parse(STRINGS)
    for key in ["literal", "ml_literal", "edge", "edge2", "edge3", "hash"]:
        span = doc.string_span((key,))
        assert span is not None, key
        assert STRINGS[span[0] : span[1]] == doc.data[key], key
    span = doc.string_span(("basic",))
    assert span is not None
    assert STRINGS[span[0] : span[1]] == 'tab\\there \\"quoted\\" \\\\ end'  # escapes kept
    assert doc.string_span(("after",)) is None
    assert doc.string_span(("nope",)) is None
    crlf = parse("a = '''\r\nx\r\n'''\r\n")
    span = crlf.string_span(("a",))
    assert span is not None
    assert crlf.src.pos(span[0]) == Pos(2, 1)


def test_empty_and_whitespace_documents() -> None:
    for text in ["", "\n\n", "# only a comment", "   \t\n"]:
        doc = parse(text)
        assert doc.data == {}
        assert doc.best_pos(("a",)) == Pos(1, 1)


def test_empty_containers() -> None:
    doc = parse("a = []\nb = {}\nc = [[], {}, [[]]]\n[d]\n")
    assert doc.value_text(("a",)) == "[]"
    assert doc.value_text(("b",)) == "{}"
    assert doc.value_text(("c", 1)) == "{}"
    assert doc.value_text(("c", 2, 0)) == "[]"
    assert doc.table_pos(("d",)) == Pos(4, 1)


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "pos"),
    [
        ("a = 1\nb = \n", "Invalid value", (2, 5)),
        ('[project]\nname = "x"\nname = "y"\n', "Cannot overwrite a value", (3, 11)),
        ("[a]\n[a]\n", "Cannot declare ('a',) twice", (2, 3)),
        ('a = "é" b', "Expected newline or end of document after a statement", (1, 9)),
        ("a = 1\r\nb = 2\r", "Expected newline or end of document after a statement", (2, 6)),
        ('a = "x', "Unterminated string", (1, 7)),  # end of document
        ("x = 1\nk = '''abc\n", "Expected \"'''\"", (3, 1)),  # end of document
        ("classifiers = [\n  'a',\n  'b'\n  'c',\n]\n", "Unclosed array", (4, 3)),
    ],
)
def test_parse_errors(text: str, message: str, pos: tuple[int, int]) -> None:
    doc, problem = parse_toml(make_src(text))
    assert doc is None
    assert problem == ParseProblem(message, Pos(*pos))


def test_error_from_exception_attributes() -> None:
    """Python 3.14+ puts msg/lineno/colno on the exception."""

    class NewStyleError(ValueError):
        def __init__(self, msg: str, lineno: int, colno: int) -> None:
            super().__init__(f"{msg} (at line {lineno}, column {colno})")
            self.msg = msg
            self.lineno = lineno
            self.colno = colno

    src = make_src("a = 1\nb = \n")
    assert _error_problem(src, NewStyleError("Invalid value", 2, 5)) == ParseProblem(
        "Invalid value", Pos(2, 5)
    )
    assert _error_problem(src, ValueError("odd")) == ParseProblem("odd", None)


def test_unreadable_file() -> None:
    src = SourceFile(Path("p"), "p", ".", "pyproject", None, "file is not valid UTF-8", Pos(2, 3))
    assert parse_toml(src) == (None, ParseProblem("file is not valid UTF-8", Pos(2, 3)))
    assert parse_toml(make_src(None)) == (None, ParseProblem("file could not be read", None))


def test_deep_nesting_does_not_raise() -> None:
    text = "a = " + "[" * 5000 + "]" * 5000 + "\n"
    doc, problem = parse_toml(make_src(text))
    assert (doc is None) != (problem is None)


# --- generated documents ---------------------------------------------------------------

Scalar = Union[str, int, float, bool, dt.date, dt.datetime, dt.time]

_BARE_RE = re.compile(r"[A-Za-z0-9_-]+")
_KEY_TOKEN = re.compile(r'[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_KEY_CHARS = st.sampled_from([*"abcxyz019_-", " ", ".", '"', "'", "\\", "é", "#", "=", "\t"])
_STR_CHARS = st.sampled_from(
    [*"ab z09", '"', "'", "\\", "\n", "\t", "#", ",", "]", "}", "=", "é", "🐍", "\x01", "\r"]
)

keys = st.text(_KEY_CHARS, max_size=6)
scalars: st.SearchStrategy[Scalar] = st.one_of(
    st.text(_STR_CHARS, max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.timezone.utc])),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=10,
)
documents = st.dictionaries(keys, values, max_size=5)


class Dumper:
    """A tiny TOML writer that picks random but valid layouts for the same data."""

    def __init__(self, rnd: random.Random, newline: str) -> None:
        self.rnd = rnd
        self.nl = newline
        self.out: list[str] = []

    def ws(self) -> str:
        return self.rnd.choice(["", " ", " ", "  ", "\t"])

    def comment(self) -> str:
        return self.rnd.choice(["", "", "", f"{self.ws()}# c [x] = 'y' \"z\""])

    def key(self, k: str) -> str:
        choice = self.rnd.random()
        if _BARE_RE.fullmatch(k) and choice < 0.7:
            return k
        if (
            choice < 0.85
            and "'" not in k
            and not any(c in k for c in "\n\r\x7f")
            and (all(c == "\t" or c >= " " for c in k))
        ):
            return f"'{k}'"
        return self.basic(k)

    def basic(self, s: str) -> str:
        out = ['"']
        for c in s:
            if c in '"\\':
                out.append("\\" + c)
            elif c == "\n":
                out.append("\\n")
            elif c == "\t" and self.rnd.random() < 0.5:
                out.append("\\t")
            elif c == "\t":
                out.append(c)
            elif c < " " or c == "\x7f":
                out.append(self.rnd.choice([f"\\u{ord(c):04x}", f"\\U{ord(c):08X}"]))
            else:
                out.append(c)
        out.append('"')
        return "".join(out)

    def string(self, s: str) -> str:
        kind = self.rnd.randrange(4)
        controls = any((c < " " and c not in "\t\n") or c == "\x7f" for c in s)
        if kind == 1 and "'" not in s and "\n" not in s and not controls:
            return f"'{s}'"
        if kind == 2:  # multi-line basic; escape a quote that would make a run of three
            out = ['"""']
            if s.startswith("\n") or self.rnd.random() < 0.5:
                out.append(self.nl)
            run = 0
            for c in s:
                if c == '"' and run < 2:
                    out.append(c)
                    run += 1
                    continue
                run = 0
                if c in '"\\':
                    out.append("\\" + c)
                elif c == "\n":
                    out.append("\\n" if self.nl == "\r\n" else "\n")
                elif c == "\t":
                    out.append(c)
                elif c < " " or c == "\x7f":
                    out.append(f"\\u{ord(c):04x}")
                else:
                    out.append(c)
            out.append('"""')
            return "".join(out)
        if (
            kind == 3
            and "'''" not in s
            and not controls
            and not s.endswith("'''")
            and (self.nl == "\n" or "\n" not in s)
        ):
            lead = self.nl if s.startswith("\n") or self.rnd.random() < 0.5 else ""
            return f"'''{lead}{s}'''"
        return self.basic(s)

    def scalar(self, v: Scalar) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            if v >= 0 and self.rnd.random() < 0.3:
                return hex(v)
            return str(v)
        if isinstance(v, float):
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return repr(v)
        if isinstance(v, str):
            return self.string(v)
        if isinstance(v, dt.datetime):
            return v.isoformat(sep=self.rnd.choice(["T", " "]))
        return v.isoformat()

    def inline(self, v: Any, depth: int = 0) -> str:
        if isinstance(v, dict):
            items = [f"{self.key(k)}{self.ws()}={self.ws()}{self.inline(x)}" for k, x in v.items()]
            if not items:
                return "{" + self.ws() + "}"
            return "{" + self.ws() + ("," + self.ws()).join(items) + self.ws() + "}"
        if isinstance(v, list):
            if self.rnd.random() < 0.5:
                parts = [self.ws() + self.inline(x) + self.ws() for x in v]
                trail = "," if v and self.rnd.random() < 0.3 else ""
                return "[" + ",".join(parts) + trail + "]"
            lines = ["[" + self.comment()]
            for x in v:
                lines.append(f"  {self.inline(x)},{self.comment()}")
                if self.rnd.random() < 0.2:
                    lines.append("  # between")
            lines.append("]")
            return self.nl.join(lines)
        return self.scalar(v)

    def dotted(self, prefix: str, v: Any) -> None:
        """Write ``v`` under ``prefix`` with dotted keys."""
        if isinstance(v, dict) and v and self.rnd.random() < 0.5:
            for k, x in v.items():
                self.dotted(f"{prefix}{self.ws()}.{self.ws()}{self.key(k)}", x)
        else:
            self.out.append(f"{prefix}{self.ws()}={self.ws()}{self.inline(v)}{self.comment()}")

    def table(self, header: list[str], table: dict[str, Any], kind: str) -> None:
        later: list[tuple[str, Any, str]] = []
        body_start = len(self.out)
        for k, v in table.items():
            choice = self.rnd.random()
            if isinstance(v, dict) and choice < 0.5:
                later.append((k, v, "table"))
            elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and choice < 0.6:
                later.append((k, v, "array"))
            else:
                self.dotted(self.key(k), v)
        if header:
            name = f"{self.ws()}.{self.ws()}".join(header)
            if kind == "array":
                line = f"{self.ws()}[[{self.ws()}{name}{self.ws()}]]{self.comment()}"
            else:
                line = f"{self.ws()}[{self.ws()}{name}{self.ws()}]{self.comment()}"
            implicit = kind == "table" and len(self.out) == body_start and later
            if not (implicit and self.rnd.random() < 0.5):
                self.out.insert(body_start, line)
        if self.rnd.random() < 0.2:
            self.out.append("")
        for k, v, sub in later:
            if sub == "table":
                self.table([*header, self.key(k)], v, "table")
            else:
                for element in v:
                    self.table([*header, self.key(k)], element, "array")

    def dump(self, data: dict[str, Any]) -> str:
        self.table([], data, "table")
        return self.nl.join(self.out) + self.nl


def leaf_paths(node: Any, path: TomlPath = ()) -> list[tuple[TomlPath, Any]]:
    out: list[tuple[TomlPath, Any]]
    if isinstance(node, dict):
        out = [(path, node)] if path else []
        for k, v in node.items():
            out.extend(leaf_paths(v, (*path, k)))
        return out
    if isinstance(node, list):
        out = [(path, node)]
        for i, v in enumerate(node):
            out.extend(leaf_paths(v, (*path, i)))
        return out
    return [(path, node)]


def reparse(texts: list[str], template: str) -> list[Any]:
    """``tomllib`` values of ``template.format(text)`` for many texts, in one parse."""
    body = "".join(f"v{i} = {template.format(t)}\n" for i, t in enumerate(texts))
    data = tomllib.loads(body)
    return [data[f"v{i}"] for i in range(len(texts))]


def check_positions(doc: TomlDoc) -> None:
    """Every located value re-parses to the data; every scalar and key is located."""
    text = doc.src.text
    assert text is not None
    values: list[tuple[TomlPath, str, Any]] = []
    keys: list[tuple[TomlPath, str, str]] = []
    for path, node in leaf_paths(doc.data):
        span = doc.value_span(path)
        if span is not None:
            assert doc.value_pos(path) == doc.src.pos(span[0])
            values.append((path, text[span[0] : span[1]], node))
            body = doc.string_span(path)
            assert (body is not None) == isinstance(node, str), path
            if body is not None:
                raw = text[body[0] : body[1]].replace("\r\n", "\n")
                if text[span[0]] == "'" or "\\" not in raw:
                    assert raw == node, path
        else:
            assert isinstance(node, (dict, list)), path  # only tables may lack a value
            assert doc.key_pos(path) is not None or doc.table_pos(path) is not None, path
        last = path[-1]
        if isinstance(last, str):
            pos = doc.key_pos(path)
            assert pos is not None, path
            m = _KEY_TOKEN.match(text, doc.src.index(pos))
            assert m is not None, path
            keys.append((path, m.group(), last))
        else:
            table = doc.table_pos(path)
            if table is not None:
                assert text[doc.src.index(table)] == "["
    # re-parse everything at once; on a mismatch, find the culprit one by one
    try:
        ok = reparse([t for _, t, _ in values], "{}") == [n for _, _, n in values]
        ok = ok and reparse([t for _, t, _ in keys], "{{ {} = 0 }}") == [{k: 0} for _, _, k in keys]
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        for path, value_text, node in values:
            assert tomllib.loads("x = " + value_text)["x"] == node, path
        for path, token, key in keys:
            assert tomllib.loads(token + " = 0") == {key: 0}, path


@settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=documents, rnd=st.randoms(use_true_random=False), crlf=st.booleans())
def test_generated_documents(data: dict[str, Any], rnd: random.Random, crlf: bool) -> None:
    text = Dumper(rnd, "\r\n" if crlf else "\n").dump(data)
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - a dumper bug
        raise AssertionError(f"dumper wrote invalid TOML: {exc}\n{text}") from exc
    assert expected == data
    _Locator(text).run()  # raises if the scanner trips (parse_toml would swallow it)
    check_positions(parse(text))


@settings(max_examples=20, deadline=None, database=None)
@given(data=documents)
def test_tomlkit_documents(data: dict[str, Any]) -> None:
    text = tomlkit.dumps(data)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:  # tomlkit does not round-trip everything
        return
    check_positions(parse(text))


_FUZZ_CHARS = st.sampled_from([*"ab1 =.[]{},\"'#\n\t-:+_", "\r\n", '"""', "'''", "\\", "é"])


@settings(max_examples=100, deadline=None, database=None)
@given(chunks=st.lists(_FUZZ_CHARS, max_size=40), base=st.sampled_from([KEYS, STRINGS, COMMENTS]))
def test_scanner_never_raises_on_accepted_text(chunks: list[str], base: str) -> None:
    for text in ["".join(chunks), base[: len(base) // 2] + "".join(chunks)]:
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        _Locator(text).run()
        check_positions(parse(text))


def test_scanner_tolerates_invalid_text() -> None:
    """The scanner only sees accepted text, but garbage must not hang or raise either."""
    for text in [
        "[",
        "[[a",
        "a = ",
        "a = [1,",
        'a = "x',
        "a = {b",
        "= 1",
        "a.",
        "[a.]",
        "'''",
        "]]",
    ]:
        _Locator(text).run()


# --- real-world corpus -------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus of real repositories")
def test_real_pyprojects() -> None:
    files = sorted(CORPUS.glob("*/pyproject.toml")) + sorted(CORPUS.glob("*/tox.toml"))
    assert files
    for path in files:
        src = SourceFile(path, path.name, str(path.parent), "pyproject", path.read_text("utf-8"))
        doc, problem = parse_toml(src)
        if problem is not None:  # pragma: no cover - the corpus holds valid files
            continue
        assert doc is not None
        assert src.text is not None
        _Locator(src.text).run()
        check_positions(doc)
