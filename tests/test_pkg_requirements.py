"""pkg.requirements reads what packaging.requirements reads, without importing it for plain
requirements."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Full
from packaging.utils import InvalidName, canonicalize_name

from shiplint.pkg.requirements import canonical_name, parse_requirement, valid_name

EXAMPLES = [
    "setuptools",
    "setuptools>=61",
    "setuptools>=61,<77",
    "setuptools >= 61",
    "setuptools>=61, <77",
    "setuptools>=61,,<77",
    "setuptools>=61,",
    "Setuptools_SCM[toml]>=6.2",
    "hatch-vcs[ toml , x ]==0.4.*",
    "flit_core >=3.2,<4",
    "poetry-core (>=1.0)",
    "anaconda-client==1.12.3",
    "anaconda-client>=1.12; python_version>'3.8'",
    "anaconda-client @ https://example.com/a.tar.gz",
    "meson-python>=0.15.0",
    "Cython>=3.0.6",
    "numpy==2.0.0rc1",
    "numpy===2.0",
    "numpy>=1.0.*",
    "numpy>=1.0 <2",
    "pkg[",
    "pkg]",
    "-pkg",
    "pkg-",
    "pkg>=",
    "pkg~=1",
    "pkg~=1.0",
    "pkg!=1.0.*",
    "pkg<=1.0+local",
    "pkg==1.0+local",
    "",
    "  padded>=1  ",
    "a.b_c-d>1",
]


def _full(text: str) -> tuple[str, frozenset[str], str, str | None, str | None] | None:
    try:
        req = Full(text.strip())
    except InvalidRequirement:
        return None
    marker = str(req.marker) if req.marker is not None else None
    return req.name, frozenset(req.extras), str(req.specifier), req.url, marker


def _ours(text: str) -> tuple[str, frozenset[str], str, str | None, str | None] | None:
    req = parse_requirement(text)
    if req is None:
        return None
    return req.name, req.extras, str(req.specifier), req.url, req.marker


@pytest.mark.parametrize("text", EXAMPLES)
def test_reads_like_packaging(text: str) -> None:
    assert _ours(text) == _full(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcAZ09._-[], <>=!~*+;@:/'\"()", max_size=24))
def test_reads_like_packaging_on_any_text(text: str) -> None:
    assert _ours(text) == _full(text)


_NAMES = st.sampled_from(["pkg", "Pkg_x", "a.b-c", "x", "-bad", "bad-"])
_EXTRAS = st.sampled_from(["", "[toml]", "[a,b]", "[ a ]", "[]", "[a,]", "[-a]"])
_OPS = st.sampled_from(["", ">=", "<", "==", "!=", "~=", "===", "<=", ">", "=>"])
_VERSIONS = st.sampled_from(["1", "1.0", "1.0.*", "2.0rc1", "1.0+local", "1..0", "", "1.0.post1"])
_GLUE = st.sampled_from(["", ",", ", ", " ", ",,"])


@settings(max_examples=600, deadline=None)
@given(_NAMES, _EXTRAS, st.lists(st.tuples(_OPS, _VERSIONS, _GLUE), max_size=3))
def test_reads_like_packaging_on_requirement_shapes(
    name: str, extras: str, clauses: list[tuple[str, str, str]]
) -> None:
    text = name + extras + "".join(op + version + glue for op, version, glue in clauses)
    assert _ours(text) == _full(text)


@pytest.mark.parametrize(
    "name",
    ["Foo.Bar", "foo__bar", "FOO-_-bar", "a", "x.y.z", "-a", "a-", "star dust", "\u212a", ""],
)
def test_names_read_like_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        assert not valid_name(name)
    else:
        assert valid_name(name)


@given(st.text(max_size=12))
def test_names_read_like_packaging_on_any_text(name: str) -> None:
    test_names_read_like_packaging(name)


def test_a_plain_requirement_does_not_import_packaging_requirements() -> None:
    code = (
        "import sys; from shiplint.pkg.requirements import parse_requirement; "
        "r = parse_requirement('setuptools>=61,<77'); "
        "print(r.name, r.specifier, 'packaging.requirements' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["setuptools", "<77,>=61", "False"]
