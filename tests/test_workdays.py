"""Working days on the Chinese statutory calendar (SPEC §8), the overrides, and the calendar CLI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.core import workdays
from registry.core.audit import AuditEvent
from registry.core.workdays import CalendarDay, WorkdayCalendar, _package_covers

D = date.fromisoformat


def first_uncovered_year() -> int:
    return next(year for year in range(2027, 2200) if not _package_covers(year))


UNCOVERED = first_uncovered_year()  # 2027 with chinesecalendar 1.11


def first_weekday(year: int, weekday: int) -> date:
    day = date(year, 1, 1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def cli(app, db):
    runner = app.test_cli_runner()
    return lambda *args, **kwargs: runner.invoke(args=list(args), **kwargs)


# --- the package's years ------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2026-09-30", 7, "2026-10-15"),  # the SPEC's example: National Day, then the 调休 Saturday 10-10
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),  # Saturday 10-10 is a working day
        ("2026-10-09", 1, "2026-10-10"),
        ("2026-10-10", 1, "2026-10-12"),  # Sunday 10-11 is not
        ("2026-02-13", 1, "2026-02-14"),  # Spring Festival: Saturday 02-14 is a 调休 working day
        ("2026-02-14", 1, "2026-02-24"),  # then nine days off
        ("2026-02-14", 5, "2026-02-28"),  # and Saturday 02-28 works too
        ("2026-09-19", 1, "2026-09-20"),  # a 调休 Sunday before National Day
        ("2026-01-03", 1, "2026-01-04"),
        ("2026-05-08", 1, "2026-05-09"),
    ],
)
def test_nth_working_day_strictly_after(db, start, n, expected):
    assert workdays.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize("start", ["2026-10-01", "2026-10-04", "2026-10-07", "2026-09-30"])
def test_a_start_on_a_holiday_counts_from_the_next_working_day(db, start):
    # Strictly after D: a start inside the holiday (or on its eve) gives the first day back.
    assert workdays.add_working_days(D(start), 1) == D("2026-10-08")


@pytest.mark.parametrize("day", ["2026-10-01", "2026-10-05", "2026-10-10", "2026-09-30", "2026-02-17"])
def test_zero_working_days_is_the_start_itself(db, day):
    assert workdays.add_working_days(D(day), 0) == D(day)


def test_negative_n_is_refused():
    with pytest.raises(ValueError):
        WorkdayCalendar().add(D("2026-09-30"), -1)


@pytest.mark.parametrize(
    "day, expected",
    [("2026-10-01", False), ("2026-10-07", False), ("2026-10-08", True), ("2026-10-10", True),
     ("2026-10-11", False), ("2026-02-14", True), ("2026-02-17", False), ("2026-02-28", True),
     ("2026-03-07", False), ("2026-03-09", True)],
)
def test_is_workday_follows_the_statutory_calendar(db, day, expected):
    assert workdays.is_workday(D(day)) is expected


@pytest.mark.parametrize(
    "start, end, expected",
    [("2026-09-30", "2026-10-15", 7), ("2026-09-30", "2026-10-07", 0), ("2026-09-30", "2026-09-30", 0),
     ("2026-10-15", "2026-09-30", 0), ("2026-02-13", "2026-02-24", 2), ("2026-02-13", "2026-03-02", 7)],
)
def test_count_between_counts_working_days_after_start_up_to_end(db, start, end, expected):
    assert workdays.working_days_between(D(start), D(end)) == expected


@pytest.mark.parametrize("start", ["2026-01-01", "2026-02-10", "2026-09-25", "2026-10-03", "2026-12-20"])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 10, 20])
def test_count_between_inverts_add(start, n):
    calendar = WorkdayCalendar()
    assert calendar.count_between(D(start), calendar.add(D(start), n)) == n


@pytest.mark.parametrize(
    "n, deadline, expected",
    [(7, "2026-10-15", "2026-10-07"), (7, "2026-10-14", "2026-09-29"), (1, "2026-10-08", "2026-10-07"),
     (1, "2026-10-07", "2026-09-29"),
     (0, "2026-10-03", "2026-10-03")],
)
def test_latest_start_examples(n, deadline, expected):
    assert WorkdayCalendar().latest_start(n, D(deadline)) == D(expected)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 12, 10)),
    n=st.integers(min_value=0, max_value=15),
    deadline=st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 12, 31)),
)
def test_latest_start_agrees_with_add(start, n, deadline):
    """add(D, n) <= X exactly when D <= latest_start(n, X): what set-based "due by" SQL relies on."""
    calendar = WorkdayCalendar()
    assert (calendar.add(start, n) <= deadline) == (start <= calendar.latest_start(n, deadline))


def test_latest_start_agrees_with_add_around_national_day():
    calendar = WorkdayCalendar()
    days = [D("2026-09-20") + timedelta(days=i) for i in range(40)]
    for n in range(0, 9):
        for deadline in days:
            latest = calendar.latest_start(n, deadline)
            assert calendar.add(latest, n) <= deadline
            assert calendar.add(latest + timedelta(days=1), n) > deadline


# --- overrides and uncovered years --------------------------------------------------------


def test_an_override_beats_the_package(db):
    assert workdays.add_working_days(D("2026-09-30"), 7) == D("2026-10-15")
    workdays.set_day(D("2026-10-12"), False, "extra holiday")
    workdays.set_day(D("2026-10-03"), True, "extra working Saturday")
    assert not workdays.is_workday(D("2026-10-12"))
    assert workdays.is_workday(D("2026-10-03"))
    assert workdays.add_working_days(D("2026-09-30"), 7) == D("2026-10-15")  # one lost, one gained
    assert workdays.add_working_days(D("2026-09-30"), 1) == D("2026-10-03")


def test_set_day_replaces_an_earlier_ruling_and_is_audited(db):
    workdays.set_day(D("2026-10-12"), False, "first")
    workdays.set_day(D("2026-10-12"), True, "second")
    row = db.session.get(CalendarDay, D("2026-10-12"))
    assert (row.is_workday, row.note) == (True, "second")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "calendar.set").order_by(AuditEvent.id)
    ).all()[-2:]
    assert [e.details_dict for e in events] == [
        {"day": "2026-10-12", "is_workday": False, "before": None},
        {"day": "2026-10-12", "is_workday": True, "before": False},
    ]


def test_remove_day_returns_to_the_package(db):
    workdays.set_day(D("2026-10-12"), False, None)
    assert workdays.remove_day(D("2026-10-12")) is True
    assert workdays.is_workday(D("2026-10-12"))
    assert workdays.remove_day(D("2026-10-12")) is False


def test_an_uncovered_year_counts_monday_to_friday_and_is_recorded():
    calendar = WorkdayCalendar()
    assert not calendar.covers(UNCOVERED)
    monday = first_weekday(UNCOVERED, 0)
    saturday = monday + timedelta(days=5)
    assert calendar.uncovered_years == set()
    assert calendar.is_workday(monday) and not calendar.is_workday(saturday)
    assert calendar.add(monday, 5) == monday + timedelta(days=7)  # the next Monday
    assert calendar.uncovered_years == {UNCOVERED}


def test_a_deadline_crossing_into_an_uncovered_year(db):
    calendar = workdays.current_calendar()
    last_workday = max(d for d in (date(UNCOVERED - 1, 12, 31) - timedelta(days=i) for i in range(10))
                       if calendar.is_workday(d))
    assert calendar.uncovered_years == set()
    deadline = calendar.add(last_workday, 1)
    assert deadline.year == UNCOVERED and deadline.weekday() < 5
    assert UNCOVERED in calendar.uncovered_years


def test_a_year_covered_by_overrides_only(db):
    new_year = date(UNCOVERED, 1, 1)
    saturday = first_weekday(UNCOVERED, 5) + timedelta(days=28)
    weekday_holiday = first_weekday(UNCOVERED, 2) + timedelta(days=35)
    workdays.set_day(new_year, False, "元旦")
    workdays.set_day(saturday, True, "调休")
    workdays.set_day(weekday_holiday, False, "holiday")
    calendar = workdays.current_calendar()
    assert calendar.covers(UNCOVERED)
    assert calendar.is_workday(saturday)
    assert not calendar.is_workday(weekday_holiday)
    assert not calendar.is_workday(saturday + timedelta(days=7))  # other Saturdays stay weekends
    assert calendar.is_workday(weekday_holiday + timedelta(days=1))  # other weekdays work
    assert calendar.add(saturday - timedelta(days=1), 1) == saturday
    assert calendar.uncovered_years == set()


# --- the CLI ------------------------------------------------------------------------------


def test_cli_deadline_prints_the_date(cli):
    result = cli("calendar", "deadline", "2026-09-30", "7")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-10-15"


@pytest.mark.parametrize(
    "args",
    [["2026-02-30", "7"], ["30/09/2026", "7"], ["tomorrow", "7"], ["2026-09-30", "seven"],
     ["2026-09-30", "--", "-1"], ["2026-09-30", "-1"], ["2026-09-30"], []],
    ids=["impossible-date", "wrong-format", "word", "n-not-a-number", "negative", "negative-as-option",
         "missing-n", "missing-both"],
)
def test_cli_deadline_bad_input_is_a_usage_error(cli, args):
    result = cli("calendar", "deadline", *args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output or "Error" in result.output
    assert "Traceback" not in result.output


def test_cli_set_overrides_a_date(cli, db):
    result = cli("calendar", "set", "2026-10-12", "holiday", "--note", "台风")
    assert result.exit_code == 0, result.output
    assert db.session.get(CalendarDay, D("2026-10-12")).is_workday is False
    assert cli("calendar", "deadline", "2026-10-09", "2").output.strip() == "2026-10-13"


def test_cli_set_refuses_an_unknown_kind(cli, db):
    result = cli("calendar", "set", "2026-10-12", "weekend")
    assert result.exit_code == 2
    assert db.session.get(CalendarDay, D("2026-10-12")) is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_cli_import_of_a_csv(cli, db, tmp_path, encoding):
    path = tmp_path / "calendar.csv"
    year = UNCOVERED
    friday = first_weekday(year, 4) + timedelta(days=14)
    saturday = friday + timedelta(days=1)
    path.write_text(
        f"date,kind,note\n{year}-01-01,holiday,元旦\n{friday.isoformat()},HOLIDAY,调休放假\n"
        f"{saturday.isoformat()}, workday ,调休上班\n",
        encoding=encoding,
    )
    result = cli("calendar", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 3 dates" in result.output
    assert db.session.get(CalendarDay, saturday).note == "调休上班"
    deadline = cli("calendar", "deadline", (friday - timedelta(days=1)).isoformat(), "1").output.strip()
    assert deadline == saturday.isoformat()


@pytest.mark.parametrize(
    "content, line",
    [("2027-01-01,holiday\n2027-01-02,weekend\n", 2), ("2027-13-01,holiday\n", 1),
     ("day,kind\n2027-01-01,holiday\n", 1), ("2027-01-01\n", 1)],
    ids=["unknown-kind", "bad-date", "wrong-header", "missing-kind"],
)
def test_cli_import_of_a_bad_csv_stores_nothing(cli, db, tmp_path, content, line):
    path = tmp_path / "calendar.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("calendar", "import", str(path))
    assert result.exit_code == 2
    assert f"line {line}" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 0
