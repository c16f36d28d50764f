"""Periods the rules state in months or years, counted as calendar months and years.

The NDRC credit-repair measures (《信用修复管理办法》) and the list categories speak of months and
years (a general penalty is disclosed 3 months to 1 year, a serious one 1 to 3 years, counted from
the decision; a black list category is valid 3 years from publication).  The Civil Code counts
such periods by the calendar: the start day itself is not counted (art. 201) and

    按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日。
    (art. 202)

so a period of N months that starts on day D has ``add_months(D, N)`` as its **last day,
included**: a penalty decided on 2026-01-31 and disclosed for 1 month is public through
2026-02-28 and not on 2026-03-01; a minimum period of N months has run out at the end of that day,
so what it withholds is possible from the next one.  Every such period in the registry is counted
through these functions, never as a number of days.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` calendar months after ``day`` (before it, if negative).

    Where the target month has no such day (31 January + 1 month), its last day (28 February).
    """
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """``years`` calendar years after ``day``: 29 February → 28 February in a common year."""
    return add_months(day, 12 * years)


def earliest_start(months: int, today: date) -> date:
    """The first start day D whose ``months``-month period still includes ``today``.

    That is the smallest D with ``add_months(D, months) >= today``, so that set-based SQL can ask
    "still within its period" as ``start >= earliest_start(n, today)``.  ``add_months`` is
    monotone but not invertible at month ends: for today 2026-03-31 and one month no February day
    reaches 31 March (2026-02-28 + 1 month = 2026-03-28), so the answer is 2026-03-01.
    """
    candidate = add_months(today, -months)
    if add_months(candidate, months) >= today:
        return candidate
    # ``today``'s day of the month does not exist in the candidate's month, which was clamped to
    # its last day; the first day of the next month is the first start that reaches ``today``.
    return candidate + timedelta(days=1)

