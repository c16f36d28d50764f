"""Working days on the Chinese statutory calendar (PRODUCT §8), the overrides, and the calendar CLI.

Expected dates come from the State Council's notices (2026: 国办发明电〔2025〕7号 as the package
and chinesecalendar carry it; the example of PRODUCT §8) and, for 2027 whose arrangement is not announced,
from 《全国年节及纪念日放假办法》 (2025 revision) with the lunar dates of a published table
(春节 2027 = 6 February, so 除夕 is 5 February and 初三 8 February).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.core import calendar_changes, workdays
from registry.core.audit import AuditEvent
from registry.core.workdays import CalendarDay, CalendarYear, WorkdayCalendar, YearKind

D = date.fromisoformat
UNANNOUNCED = 2027  # no State Council arrangement in holidays 0.109


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
        ("2026-09-30", 7, "2026-10-15"),  # PRODUCT §8 example: National Day, then the 调休 Saturday 10-10
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


# --- overrides and years without an announced arrangement --------------------------------


def test_an_override_beats_the_package(db):
    assert workdays.add_working_days(D("2026-09-30"), 7) == D("2026-10-15")
    calendar_changes.set_day(D("2026-10-12"), False, "extra holiday")
    calendar_changes.set_day(D("2026-10-03"), True, "extra working Saturday")
    assert not workdays.is_workday(D("2026-10-12"))
    assert workdays.is_workday(D("2026-10-03"))
    assert workdays.add_working_days(D("2026-09-30"), 7) == D("2026-10-15")  # one lost, one gained
    assert workdays.add_working_days(D("2026-09-30"), 1) == D("2026-10-03")


def test_set_day_replaces_an_earlier_ruling_and_is_audited(db):
    calendar_changes.set_day(D("2026-10-12"), False, "first")
    calendar_changes.set_day(D("2026-10-12"), True, "second")
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
    calendar_changes.set_day(D("2026-10-12"), False, None)
    assert calendar_changes.remove_day(D("2026-10-12")) is True
    assert workdays.is_workday(D("2026-10-12"))
    assert calendar_changes.remove_day(D("2026-10-12")) is False


# 《全国年节及纪念日放假办法》 (2025): 元旦 1; 春节 4 (除夕 to 初三); 清明 1; 劳动节 2; 端午 1; 中秋 1; 国庆 3.
STATUTORY_2027_FIXED = ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05",
                        "2027-05-01", "2027-05-02", "2027-10-01", "2027-10-02", "2027-10-03"]


@pytest.mark.parametrize("day", STATUTORY_2027_FIXED)
def test_the_statutory_holidays_of_an_unannounced_year_are_days_off(day):
    assert not WorkdayCalendar().is_workday(D(day))


def test_an_unannounced_year_counts_the_statutory_days_only():
    calendar = WorkdayCalendar()
    year = [date(UNANNOUNCED, 1, 1) + timedelta(days=i) for i in range(365)]
    off_on_weekdays = {d for d in year if d.weekday() < 5 and not calendar.is_workday(d)}
    working_weekends = {d for d in year if d.weekday() >= 5 and calendar.is_workday(d)}
    assert working_weekends == set()  # no 调休 is guessed
    # Thirteen statutory days; those of them on a weekend are not moved to a weekday (no 补假 guessed).
    statutory_weekdays = {D(d) for d in STATUTORY_2027_FIXED if D(d).weekday() < 5}
    assert statutory_weekdays <= off_on_weekdays
    assert len(off_on_weekdays) == len(statutory_weekdays) + 2  # 端午 and 中秋 fall on weekdays in 2027
    assert D("2027-02-09") not in off_on_weekdays and D("2027-05-03") not in off_on_weekdays
    assert D("2027-10-04") not in off_on_weekdays


def test_an_unannounced_year_is_recorded_as_provisional():
    calendar = WorkdayCalendar()
    assert not calendar.is_complete(UNANNOUNCED)
    assert calendar.is_complete(2026)
    assert calendar.provisional_years == set()
    assert calendar.add(D("2026-12-30"), 1) == D("2026-12-31")
    assert calendar.provisional_years == set()
    assert calendar.add(D("2026-12-30"), 2) == D("2027-01-04")
    assert calendar.provisional_years == {UNANNOUNCED}


def test_the_administrators_arrangement_on_top_of_the_statutory_days(db):
    saturday = D("2027-02-20")
    calendar_changes.set_day(D("2027-02-09"), False, "春节调休")
    calendar_changes.set_day(saturday, True, "调休上班")
    calendar = workdays.current_calendar()
    assert calendar.is_workday(saturday)
    assert not calendar.is_workday(D("2027-02-09"))
    assert not calendar.is_workday(saturday + timedelta(days=7))  # other Saturdays stay weekends
    assert not calendar.is_workday(D("2027-01-01"))  # the statutory day is still off
    assert calendar.add(D("2027-02-04"), 1) == D("2027-02-10")


def test_declaring_an_arrangement_entered_completes_the_year_audited(db, make):
    admin = make.user("admin")
    calendar_changes.set_day(D("2027-02-20"), True, "调休上班")
    calendar_changes.declare_arrangement(UNANNOUNCED, True, admin)
    assert workdays.current_calendar().is_complete(UNANNOUNCED)
    row = db.session.get(CalendarYear, UNANNOUNCED)
    assert row.arrangement_entered_by_id == admin.id
    calendar_changes.declare_arrangement(UNANNOUNCED, False, admin)
    assert not workdays.current_calendar().is_complete(UNANNOUNCED)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "calendar_year")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["calendar.arrangement_entered", "calendar.arrangement_withdrawn"]


@pytest.mark.parametrize("year, entered, prepare, message", [
    (UNANNOUNCED, True, False, "before declaring"),  # nothing entered for the year yet
    (2026, True, True, "already in the package"),
    (UNANNOUNCED, True, "twice", "already declared"),
    (UNANNOUNCED, False, True, "not declared"),
    (1999, True, True, "between"),
    (2201, True, True, "between"),
], ids=["empty-year", "package-year", "twice", "withdraw-undeclared", "too-early", "too-late"])
def test_declaring_an_arrangement_refusals(db, make, year, entered, prepare, message):
    from registry.core.errors import ValidationFailed

    admin = make.user("admin")
    if prepare:
        calendar_changes.set_day(date(min(max(year, 2000), 2200), 2, 20), True, "调休")
    if prepare == "twice":
        calendar_changes.declare_arrangement(year, True, admin)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        calendar_changes.declare_arrangement(year, entered, admin)
    with force_locale("en"):
        assert message in str(refused.value.message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


# --- applying a new version of the package -------------------------------------------------


def announce_2027(monkeypatch):
    """Simulate an upgrade that brings an arrangement for 2027: 2027-02-09 off, Saturday 02-20 works."""
    real = workdays.source_year

    def upgraded(year):
        source = real(year)
        if year != UNANNOUNCED:
            return source
        return workdays.SourceYear(source.days | {D("2027-02-09"), D("2027-02-20")}, YearKind.ARRANGEMENT,
                                   "holidays (upgraded)")

    monkeypatch.setattr(workdays, "source_year", upgraded)


def test_an_upgrade_changes_nothing_until_applied(db, monkeypatch):
    first = calendar_changes.apply_sources(D("2026-12-01"))
    assert first.years == []  # the first application keeps the days already counted with
    assert workdays.add_working_days(D("2027-02-04"), 1) == D("2027-02-09")
    announce_2027(monkeypatch)
    workdays.forget_loaded_calendar()
    assert workdays.add_working_days(D("2027-02-04"), 1) == D("2027-02-09")  # still as applied
    assert workdays.current_calendar().state(UNANNOUNCED).pending
    applied = calendar_changes.apply_sources(D("2026-12-01"))
    assert applied.years == [UNANNOUNCED]
    assert workdays.add_working_days(D("2027-02-04"), 1) == D("2027-02-10")
    assert workdays.current_calendar().is_complete(UNANNOUNCED)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "calendar.apply")).one()
    assert event.details_dict["changed_days"] == ["2027-02-09", "2027-02-20"]
    assert calendar_changes.apply_sources(D("2026-12-01")).years == []  # idempotent


def test_a_year_counted_monday_to_friday_before_the_upgrade_is_recounted(db):
    # What the migration records for a year chinesecalendar did not know.
    db.session.add(CalendarYear(year=UNANNOUNCED, applied_days="[]", applied_kind=YearKind.WEEKDAYS,
                                applied_source="Monday to Friday", applied_at=datetime(2026, 12, 1, tzinfo=UTC)))
    db.session.flush()
    workdays.forget_loaded_calendar()
    assert workdays.add_working_days(D("2026-12-31"), 1) == D("2027-01-01")
    assert calendar_changes.apply_sources(D("2026-12-01")).years == [UNANNOUNCED]
    assert workdays.add_working_days(D("2026-12-31"), 1) == D("2027-01-04")


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
    year = UNANNOUNCED
    friday = first_weekday(year, 4) + timedelta(days=14)
    saturday = friday + timedelta(days=1)
    path.write_text(
        f"date,kind,note\n{year}-01-01,holiday,元旦\n{friday.isoformat()},HOLIDAY,调休放假\n"
        f"{saturday.isoformat()}, workday ,调休上班\n",
        encoding=encoding,
    )
    result = cli("calendar", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 3 dates; 0 open deadlines recounted" in result.output
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


@pytest.mark.parametrize("start, n, expected", [
    ("2026-12-30", 3, "2027-01-05"),  # 12-31, (01-01 元旦 off, weekend), 01-04, 01-05
    ("2026-12-30", 2, "2027-01-04"),
    ("2026-12-31", 1, "2027-01-04"),
    ("2027-02-04", 1, "2027-02-09"),  # 除夕 02-05 (Fri), weekend, 初三 02-08 (Mon) off
    ("2027-02-03", 2, "2027-02-09"),
    ("2027-02-04", 5, "2027-02-15"),
    ("2027-04-02", 1, "2027-04-06"),  # 清明 04-05 (Mon)
    ("2027-09-30", 1, "2027-10-04"),  # 国庆 10-01 (Fri), then the weekend 10-02, 10-03
])
def test_cli_deadline_across_the_statutory_holidays_of_2027(cli, start, n, expected):
    result = cli("calendar", "deadline", start, str(n))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == expected


def test_cli_remove_and_its_refusal(cli, db):
    calendar_changes.set_day(D("2026-10-12"), False, None)
    result = cli("calendar", "remove", "2026-10-12")
    assert result.exit_code == 0, result.output
    assert db.session.get(CalendarDay, D("2026-10-12")) is None
    result = cli("calendar", "remove", "2026-10-12")
    assert result.exit_code == 2 and "no override" in result.output


def test_cli_recompute_and_declare(cli, db):
    result = cli("calendar", "recompute", "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "years changed: none; 0 open deadlines recounted" in result.output
    assert db.session.get(CalendarYear, 2027).applied_kind is YearKind.STATUTORY
    refused = cli("calendar", "declare", "2027")  # nothing entered for 2027 yet
    assert refused.exit_code == 2 and "2027" in refused.output
    assert db.session.get(CalendarYear, 2027).arrangement_entered_at is None
    cli("calendar", "set", "2027-02-20", "workday", "--note", "调休")
    result = cli("calendar", "declare", "2027")
    assert result.exit_code == 0, result.output
    assert db.session.get(CalendarYear, 2027).arrangement_entered_at is not None
    assert cli("calendar", "declare", "2027", "--withdraw").exit_code == 0
    assert db.session.get(CalendarYear, 2027).arrangement_entered_at is None
