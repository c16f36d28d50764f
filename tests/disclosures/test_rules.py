"""Deadlines across holidays, visibility windows at their boundary days, on-time rate, DB constraints."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from registry.core.settings import set_setting
from registry.disclosures import queries
from registry.disclosures.models import Disclosure, DisclosureStatus, Severity
from registry.disclosures.public import is_publicly_visible, publicly_visible

S = DisclosureStatus


@pytest.mark.parametrize(("decision", "deadline"), [
    (date(2026, 9, 30), date(2026, 10, 15)),  # National Day: 1–7 Oct off, Sat 10 Oct worked
    (date(2026, 9, 25), date(2026, 10, 12)),  # Oct 1–7 off, Sat 10 Oct worked
    (date(2026, 9, 17), date(2026, 9, 28)),   # Sun 20 Sep is a worked day (调休)
    (date(2026, 2, 13), date(2026, 3, 2)),    # Spring Festival: 15–23 Feb off, Sat 14 and Sat 28 Feb worked
    (date(2026, 2, 14), date(2026, 3, 3)),    # a decision on the worked Saturday: counting starts after it
    (date(2026, 3, 2), date(2026, 3, 11)),    # an ordinary fortnight
])
def test_publication_deadline_counts_chinese_working_days(db, decision, deadline):
    assert queries.publication_deadline(decision, Severity.GENERAL) == deadline


def test_minor_penalty_has_no_deadline(db):
    assert queries.publication_deadline(date(2026, 9, 30), Severity.MINOR) is None


def test_deadline_follows_the_setting(db):
    set_setting("disclosure_deadline_working_days", 3, actor=None)
    assert queries.publication_deadline(date(2026, 9, 30), None) == date(2026, 10, 10)


def test_deadline_is_stored_and_on_time_shown(make):
    row = make.disclosure(decision_date=date(2026, 9, 30))
    assert row.publication_deadline == date(2026, 10, 15)


def _visible_ids(db, today):
    return set(db.session.scalars(sa.select(Disclosure.id).where(publicly_visible(today))))


# General penalties 1 year, serious 3 years from the decision, in calendar years: the corresponding
# day is the last one (民法典 art. 202), the month's end where there is none.  Dates by hand.
@pytest.mark.parametrize(("severity", "decided", "last_day"), [
    (Severity.GENERAL, date(2025, 1, 10), date(2026, 1, 10)),
    (Severity.SERIOUS, date(2025, 1, 10), date(2028, 1, 10)),
    (Severity.GENERAL, date(2024, 2, 29), date(2025, 2, 28)),
    (Severity.SERIOUS, date(2024, 2, 29), date(2027, 2, 28)),
    (Severity.GENERAL, date(2025, 12, 31), date(2026, 12, 31)),
])
def test_penalty_visible_through_its_last_day_and_not_the_next(db, make, severity, decided, last_day):
    row = make.disclosure(S.PUBLISHED, decision_date=decided, severity=severity)
    assert queries.visible_until(row) == last_day
    assert row.id in _visible_ids(db, decided)
    assert row.id in _visible_ids(db, last_day)
    assert row.id not in _visible_ids(db, last_day + timedelta(days=1))
    assert is_publicly_visible(row, last_day)
    assert not is_publicly_visible(row, last_day + timedelta(days=1))


def test_visibility_follows_the_settings(db, make):
    row = make.disclosure(S.PUBLISHED, decision_date=date(2026, 1, 10))
    set_setting("penalty_general_visible_months", 1, actor=None)
    assert row.id in _visible_ids(db, date(2026, 2, 10))
    assert row.id not in _visible_ids(db, date(2026, 2, 11))


def test_visibility_at_month_ends_agrees_in_sql_and_in_python(db, make):
    """With a one-month period, decisions of 28–31 January all end on 28 February 2026."""
    set_setting("penalty_general_visible_months", 1, actor=None)
    rows = {day: make.disclosure(S.PUBLISHED, decision_date=date(2026, *day))
            for day in ((1, 27), (1, 28), (1, 29), (1, 31), (2, 1), (2, 28), (3, 1))}
    visible_on = {  # by hand, from a calendar
        date(2026, 2, 27): {(1, 27), (1, 28), (1, 29), (1, 31), (2, 1), (2, 28), (3, 1)},
        date(2026, 2, 28): {(1, 28), (1, 29), (1, 31), (2, 1), (2, 28), (3, 1)},
        date(2026, 3, 1): {(2, 1), (2, 28), (3, 1)},
        date(2026, 3, 28): {(2, 28), (3, 1)},
        date(2026, 3, 31): {(3, 1)},   # 28 February + 1 month is 28 March; 1 March + 1 month is 1 April
        date(2026, 4, 2): set(),
    }
    for today, expected in visible_on.items():
        expected_ids = {rows[day].id for day in expected}
        assert _visible_ids(db, today) & {row.id for row in rows.values()} == expected_ids, today
        assert {row.id for row in rows.values() if is_publicly_visible(row, today)} == expected_ids, today


def test_licence_visible_while_valid(db, make):
    dated = make.disclosure(S.PUBLISHED, kind="licence", decision_date=date(2026, 1, 5),
                            licence_valid_from=date(2026, 1, 5), licence_valid_to=date(2026, 6, 30))
    open_ended = make.disclosure(S.PUBLISHED, kind="licence", decision_date=date(2026, 1, 5),
                                 licence_valid_from=date(2026, 1, 5), licence_valid_to=None)
    assert dated.id in _visible_ids(db, date(2026, 6, 30))
    assert dated.id not in _visible_ids(db, date(2026, 7, 1))
    assert open_ended.id in _visible_ids(db, date(2040, 1, 1))


@pytest.mark.parametrize("status", [S.DRAFT, S.PENDING_REVIEW, S.CORRECTED, S.EXPIRED, S.REMOVED, S.NOT_PUBLIC])
def test_only_published_records_are_visible(db, make, status):
    extra = {"severity": Severity.MINOR, "publication_deadline": None} if status is S.NOT_PUBLIC else {}
    if status is S.CORRECTED:
        extra["superseded_by_id"] = make.disclosure(S.PUBLISHED).id
    if status is S.REMOVED:
        extra["removal_reason"] = "repaired"
    row = make.disclosure(status, decision_date=date(2026, 3, 2), **extra)
    assert row.id not in _visible_ids(db, date(2026, 3, 10))


def test_on_time_rate_counts_deadlines_of_the_month(db, make):
    unit = make.unit("JJC")
    # deadlines: 2026-10-15 (decided 30 Sep) and 2026-10-12 (decided 25 Sep)
    make.disclosure(S.PUBLISHED, decision_date=date(2026, 9, 30), published_on=date(2026, 10, 15))  # on time
    make.disclosure(S.PUBLISHED, decision_date=date(2026, 9, 25), published_on=date(2026, 10, 13))  # late
    make.disclosure(S.DRAFT, decision_date=date(2026, 9, 30))  # not yet published: late
    make.disclosure(S.PUBLISHED, unit="YSC", decision_date=date(2026, 9, 30),
                    published_on=date(2026, 10, 12))  # other unit
    rate = queries.on_time_rate(unit.id, 2026, 10)
    assert (rate.due, rate.on_time, rate.late) == (3, 1, 2)
    assert rate.rate == pytest.approx(1 / 3)
    assert queries.on_time_rate(unit.id, 2026, 11).rate is None
    rates = queries.on_time_rates(2026, 10)  # every unit in one query
    ysc = make.unit("YSC")
    assert (rates[unit.id].due, rates[ysc.id].due, rates[ysc.id].on_time) == (3, 1, 1)
    assert queries.on_time_rates(2026, 11) == {}


def test_due_soon_and_overdue(db, make):
    due = make.disclosure(S.PENDING_REVIEW, decision_date=date(2026, 9, 30))  # deadline 15 Oct
    late = make.disclosure(S.DRAFT, decision_date=date(2026, 9, 25))  # deadline 12 Oct
    published = make.disclosure(S.PUBLISHED, decision_date=date(2026, 9, 30), published_on=date(2026, 10, 9))
    soon = {d.id for d in db.session.scalars(queries.due_soon(date(2026, 10, 13), 2))}
    assert soon == {due.id}  # 15 Oct is two working days after 13 Oct; 12 Oct is already past
    assert due.id not in {d.id for d in db.session.scalars(queries.due_soon(date(2026, 10, 12), 2))}
    overdue = {d.id for d in db.session.scalars(queries.overdue(date(2026, 10, 13)))}
    assert overdue == {late.id}
    assert published.id not in overdue


@pytest.mark.parametrize(("fields", "constraint"), [
    ({"fine_amount": Decimal("-1"), "penalty_type": "warning"}, "fine_not_negative"),
    ({"kind": "licence", "fine_amount": Decimal("1")}, "fine_only_on_penalty"),
    ({"licence_valid_from": date(2026, 5, 1), "licence_valid_to": date(2026, 4, 1), "kind": "licence",
      "penalty_type": None, "severity": None, "fine_amount": None}, "licence_dates_ordered"),
    ({"status": S.PUBLISHED, "published_on": None}, "published_has_date"),
    ({"status": S.PUBLISHED, "severity": Severity.MINOR, "publication_deadline": None,
      "published_on": date(2026, 3, 3)}, "minor_never_published"),
    ({"decision_date": date(1999, 12, 31)}, "decision_date_from_2000"),
])
def test_database_refuses_what_must_never_hold(db, make, fields, constraint):
    row = make.disclosure(S.DRAFT)
    for name, value in fields.items():
        setattr(row, name, value)
    with pytest.raises(IntegrityError, match=constraint):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_second_decision_number_in_the_unit(db, make):
    first = make.disclosure()
    with pytest.raises(IntegrityError):
        make.disclosure(decision_number=first.decision_number)
    db.session.rollback()


def test_same_number_allowed_in_another_unit_and_for_corrections(db, make):
    first = make.disclosure(S.PUBLISHED)
    make.disclosure(unit="YSC", decision_number=first.decision_number)
    make.disclosure(decision_number=first.decision_number, corrects_id=first.id)
