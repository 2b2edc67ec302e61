"""Cron arithmetic for GitHub ``schedule`` triggers: on which days a cron expression fires
and the longest pause between runs.

Only the five-field POSIX syntax GitHub accepts is understood (lists, ranges, steps,
month and day names; ``7`` is Sunday too). When both day-of-month and day-of-week are
restricted, a day matching either fires, as in cron. Days are simulated over eight
years, so leap days and months of every length are included.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["CRON_SPAN", "cron_days", "cron_values", "longest_pause"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH_NAMES = {m: i for i, m in enumerate(_MONTHS, 1)}
_DAY_NAMES = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
#: days simulated to find the longest pause between runs (eight years: leap days included)
CRON_SPAN = (dt.date(2024, 1, 1), dt.date(2031, 12, 31))


def cron_values(text: str, low: int, high: int, names: dict[str, int]) -> set[int] | None:
    """The values one cron field allows, within ``low``-``high`` (None: not understood)."""
    out: set[int] = set()

    def value(word: str) -> int:
        return names[word] if word in names else int(word)

    try:
        for part in text.upper().split(","):
            base, slash, step_text = part.partition("/")
            step = int(step_text) if slash else 1
            if step < 1:
                return None
            if base == "*":
                lo, hi = low, high
            elif "-" in base:
                first, _, last = base.partition("-")
                lo, hi = value(first), value(last)
            else:
                lo = value(base)
                hi = high if slash else lo
            if lo < low or hi > high or lo > hi:
                return None
            out.update(range(lo, hi + 1, step))
    except (KeyError, ValueError):
        return None
    return out


def cron_days(expr: str) -> list[int] | None:
    """Ordinals of the days in :data:`CRON_SPAN` on which cron ``expr`` fires (None: invalid)."""
    fields = expr.split()
    if len(fields) != 5:
        return None
    minutes = cron_values(fields[0], 0, 59, {})
    hours = cron_values(fields[1], 0, 23, {})
    doms = cron_values(fields[2], 1, 31, {})
    months = cron_values(fields[3], 1, 12, _MONTH_NAMES)
    dows = cron_values(fields[4], 0, 7, _DAY_NAMES)
    if not (minutes and hours and doms and months and dows):
        return None
    if 7 in dows:
        dows.add(0)
    dom_any, dow_any = fields[2].startswith("*"), fields[4].startswith("*")
    days: list[int] = []
    first, last = CRON_SPAN
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = dt.date.fromordinal(ordinal)
        if day.month not in months:
            continue
        dom_ok = day.day in doms
        dow_ok = day.isoweekday() % 7 in dows
        # cron: when both day fields are restricted, either one matching is enough
        fires = (dom_ok or dow_ok) if not (dom_any or dow_any) else (dom_ok and dow_ok)
        if fires:
            days.append(ordinal)
    return days


def longest_pause(crons: list[str]) -> int | None:
    """The longest run of days between two firings of any of ``crons`` (None: some cron is
    invalid; a schedule that never fires gives the whole simulated span)."""
    days: set[int] = set()
    for expr in crons:
        got = cron_days(expr)
        if got is None:
            return None
        days.update(got)
    first, last = CRON_SPAN
    if not days:
        return last.toordinal() - first.toordinal()
    ordered = sorted(days)
    gaps = [b - a for a, b in zip(ordered, ordered[1:])]
    return max(gaps) if gaps else last.toordinal() - first.toordinal()
