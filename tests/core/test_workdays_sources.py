"""The holidays package against chinesecalendar, every day of 2004–2026 (the years both carry).

chinesecalendar transcribes the State Council's yearly notices and is independent of the code
under test; where the two differ, the notice decides, and the registry keeps ``holidays``
(``core.workdays``' docstring).  A new difference fails this test until it is looked up.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

chinese_calendar = pytest.importorskip("chinese_calendar")

from registry.core.workdays import source_year  # noqa: E402

# The days where chinesecalendar is wrong, with the notice that says so.
KNOWN_DIFFERENCES = {
    # 国务院办公厅关于2006年部分节假日安排的通知 (国办发明电〔2005〕35号): "元旦：1月1日—3日放假……
    # 12月31日（星期六）上班" — a working Saturday; chinesecalendar 1.11 has it as a day off.
    date(2005, 12, 31): True,
}


def registry_is_workday(day: date) -> bool:
    return (day.weekday() < 5) != (day in source_year(day.year).days)


@pytest.mark.parametrize("year", range(2004, 2027))
def test_the_package_agrees_with_chinesecalendar_or_with_the_notice(year):
    differences = {}
    day = date(year, 1, 1)
    while day.year == year:
        ours = registry_is_workday(day)
        if ours != chinese_calendar.is_workday(day):
            differences[day] = ours
        day += timedelta(days=1)
    assert differences == {d: v for d, v in KNOWN_DIFFERENCES.items() if d.year == year}


@pytest.mark.parametrize("year", range(2004, 2027))
def test_every_compared_year_carries_the_arrangement(year):
    assert source_year(year).kind.value == "arrangement"
