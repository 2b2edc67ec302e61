"""LazyPattern behaves like the compiled pattern and compiles once, on first use."""

from __future__ import annotations

import re

import pytest

from shiplint.lazyre import LazyPattern


def test_answers_like_re_compile() -> None:
    lazy = LazyPattern(r"(?P<op>[<>=!~]=?)\s*(\d+)", re.ASCII)
    real = re.compile(r"(?P<op>[<>=!~]=?)\s*(\d+)", re.ASCII)
    text = "a >= 1, <2 and ==3"
    assert lazy.search(text).group("op") == real.search(text).group("op")  # type: ignore[union-attr]
    assert lazy.findall(text) == real.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert lazy.sub("X", text) == real.sub("X", text)
    assert lazy.subn("X", text) == real.subn("X", text)
    assert lazy.split(text) == real.split(text)
    assert lazy.match(">=1") is not None and lazy.fullmatch(">=1 ") is None


def test_compiles_on_first_use_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_compile = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        calls.append(pattern)
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    lazy = LazyPattern("ab+")
    assert calls == []
    assert lazy.search("xabbb") is not None
    assert lazy.match("abb") is not None
    assert calls == ["ab+"]


def test_a_bad_pattern_fails_where_it_is_used_and_other_names_are_absent() -> None:
    with pytest.raises(re.error):
        LazyPattern("(").search("x")
    with pytest.raises(AttributeError):
        LazyPattern("a").groups  # noqa: B018 - only the matching methods are offered
