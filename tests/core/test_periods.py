"""Calendar months and years (民法典 art. 202): hand-written expectations and an independent model.

The expected days below are written out by hand from a calendar, not computed with the code under
test; the property tests compare it with a deliberately naive implementation that walks the
calendar one day at a time.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.core.periods import add_months, add_years, earliest_start


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 15), 3, date(2026, 4, 15)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),     # no 31 February: the month's last day
    (date(2028, 1, 31), 1, date(2028, 2, 29)),     # leap year
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 8, 30), 6, date(2027, 2, 28)),
    (date(2026, 8, 29), 6, date(2027, 2, 28)),
    (date(2026, 8, 28), 6, date(2027, 2, 28)),
    (date(2026, 8, 27), 6, date(2027, 2, 27)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2026, 10, 31), 3, date(2027, 1, 31)),    # across New Year
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 31), 2, date(2027, 2, 28)),
    (date(2026, 2, 28), 1, date(2026, 3, 28)),     # a month end is not carried forward
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2028, 2, 29), 48, date(2032, 2, 29)),
    (date(2026, 5, 31), 36, date(2029, 5, 31)),
    (date(2026, 4, 1), 0, date(2026, 4, 1)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2027, 1, 15), -3, date(2026, 10, 15)),
    (date(2026, 6, 30), -12, date(2025, 6, 30)),
])
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("start", "years", "expected"), [
    (date(2024, 2, 29), 1, date(2025, 2, 28)),
    (date(2024, 2, 29), 4, date(2028, 2, 29)),
    (date(2024, 2, 29), 3, date(2027, 2, 28)),
    (date(2026, 4, 1), 3, date(2029, 4, 1)),
    (date(2026, 12, 31), 1, date(2027, 12, 31)),
])
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


@pytest.mark.parametrize(("months", "today", "expected"), [
    (1, date(2026, 3, 31), date(2026, 3, 1)),      # no February day reaches 31 March
    (1, date(2026, 3, 29), date(2026, 3, 1)),
    (1, date(2026, 3, 28), date(2026, 2, 28)),
    (1, date(2028, 3, 30), date(2028, 3, 1)),
    (1, date(2028, 3, 29), date(2028, 2, 29)),
    (12, date(2025, 2, 28), date(2024, 2, 28)),    # 2024-02-29 + 1 year is 2025-02-28 as well
    (12, date(2026, 7, 15), date(2025, 7, 15)),
    (3, date(2026, 5, 31), date(2026, 3, 1)),      # February has no 31st; March 1st + 3 months = June 1st
    (6, date(2027, 2, 28), date(2026, 8, 28)),
    (36, date(2029, 4, 1), date(2026, 4, 1)),
    (0, date(2026, 3, 31), date(2026, 3, 31)),
])
def test_earliest_start(months, today, expected):
    assert earliest_start(months, today) == expected


def test_the_day_before_the_earliest_start_has_its_period_over():
    # 2026-02-28 + 1 month = 2026-03-28: its period ended before 31 March.
    assert add_months(date(2026, 2, 28), 1) < date(2026, 3, 31)
    assert add_months(date(2026, 3, 1), 1) == date(2026, 4, 1)


# -----------------------------------------------------------------------------------------------
# An independent model: walk the calendar a day at a time to the "corresponding day".

def _naive_add_months(start: date, months: int) -> date:
    """Step month by month through the first days of months, then find the same day or the last."""
    first = date(start.year, start.month, 1)
    step = 1 if months >= 0 else -1
    for _ in range(abs(months)):
        # the first day of the next (previous) month, by walking days
        first = first + timedelta(days=32) if step > 0 else first - timedelta(days=1)
        first = date(first.year, first.month, 1)
    day = first
    while day.month == first.month and day.day < start.day:
        following = day + timedelta(days=1)
        if following.month != first.month:
            break
        day = following
    return day


def _naive_earliest_start(months: int, today: date) -> date:
    """Scan upwards from a start whose period surely ended (no month is longer than 31 days)."""
    day = today - timedelta(days=31 * months + 1)
    assert _naive_add_months(day, months) < today
    while _naive_add_months(day, months) < today:
        day += timedelta(days=1)
    return day


DAYS = st.dates(min_value=date(1999, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=400, deadline=None)
@given(DAYS, st.integers(min_value=-60, max_value=120))
def test_add_months_agrees_with_walking_the_calendar(start, months):
    assert add_months(start, months) == _naive_add_months(start, months)


@settings(max_examples=200, deadline=None)
@given(DAYS, st.integers(min_value=0, max_value=48))
def test_earliest_start_is_the_smallest_start_still_in_its_period(today, months):
    found = earliest_start(months, today)
    assert found == _naive_earliest_start(months, today)
    assert add_months(found, months) >= today
    assert add_months(found - timedelta(days=1), months) < today


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS, st.integers(min_value=0, max_value=48))
def test_add_months_is_monotone(a, b, months):
    a, b = min(a, b), max(a, b)
    assert add_months(a, months) <= add_months(b, months)
