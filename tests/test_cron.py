"""Cron arithmetic (shiplint.gha.cron): field values, firing days and the longest pause."""

from __future__ import annotations

import datetime as dt

import pytest

from shiplint.gha.cron import CRON_SPAN, cron_days, cron_values, longest_pause

_DAY_NAMES = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}


@pytest.mark.parametrize(
    ("text", "low", "high", "values"),
    [
        ("*", 0, 6, {0, 1, 2, 3, 4, 5, 6}),
        ("*/15", 0, 59, {0, 15, 30, 45}),
        ("1-5", 0, 6, {1, 2, 3, 4, 5}),
        ("1-10/3", 0, 59, {1, 4, 7, 10}),
        ("5/20", 0, 59, {5, 25, 45}),  # a start with a step runs to the end of the range
        ("1,15,30", 1, 31, {1, 15, 30}),
        ("mon-fri", 0, 7, {1, 2, 3, 4, 5}),
        ("SUN,sat", 0, 7, {0, 6}),
    ],
)
def test_cron_values(text: str, low: int, high: int, values: set[int]) -> None:
    assert cron_values(text, low, high, _DAY_NAMES) == values


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("60", 0, 59), ("0", 1, 31), ("5-1", 0, 59), ("*/0", 0, 59), ("x", 0, 59), ("", 0, 59)],
)
def test_cron_values_not_understood(text: str, low: int, high: int) -> None:
    assert cron_values(text, low, high, {}) is None


def test_cron_days_weekly_on_sunday_written_as_7() -> None:
    days = cron_days("0 3 * * 7")
    assert days is not None
    assert {dt.date.fromordinal(d).isoweekday() for d in days} == {7}
    assert {b - a for a, b in zip(days, days[1:])} == {7}
    first, last = CRON_SPAN
    assert days[0] - first.toordinal() < 7 and last.toordinal() - days[-1] < 7


def test_cron_days_either_day_field_when_both_are_restricted() -> None:
    days = cron_days("0 0 13 * 5")
    assert days is not None
    dates = [dt.date.fromordinal(d) for d in days]
    assert all(d.day == 13 or d.isoweekday() == 5 for d in dates)
    assert any(d.day == 13 and d.isoweekday() != 5 for d in dates)
    assert any(d.day != 13 and d.isoweekday() == 5 for d in dates)


def test_cron_days_month_names() -> None:
    days = cron_days("0 0 1 jan,jul *")
    assert days is not None
    assert {(dt.date.fromordinal(d).month, dt.date.fromordinal(d).day) for d in days} == {
        (1, 1),
        (7, 1),
    }


@pytest.mark.parametrize(
    ("crons", "pause"),
    [
        (["0 3 * * *"], 1),
        (["0 3 * * 0"], 7),
        (["0 0 1 * *"], 31),
        (["0 0 1 */2 *"], 62),
        (["0 0 31 * *"], 61),  # only months with 31 days
        (["0 0 29 2 *"], 1461),  # leap days only
        (["0 0 1 * *", "0 0 15 * *"], 17),
        (["0 0 13 * 5"], 7),  # day of month OR Friday
        (["0 0 * 1 *"], 336),  # January only (leap years)
        (["0 0 30 2 *"], 2921),  # never fires
    ],
)
def test_longest_pause(crons: list[str], pause: int) -> None:
    assert longest_pause(crons) == pause


@pytest.mark.parametrize("cron", ["0 3 * *", "61 3 * * *", "0 3 * * FOO", "@daily"])
def test_longest_pause_invalid(cron: str) -> None:
    assert longest_pause([cron]) is None
