"""When the calendar changes, the stored working-day deadlines of open records follow (PRODUCT §8).

Expected dates are counted by hand in each test on the 2026/2027 calendar: 2027-01-01 (Friday) is
元旦 under 《全国年节及纪念日放假办法》; 2027 has no announced arrangement, so its other weekdays work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from registry.checks.registry import ordered_checks
from registry.checks.runner import run_check
from registry.core import calendar_changes, clock, workdays
from registry.core.audit import AuditEvent
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.settings import set_setting
from registry.core.workdays import CalendarYear, YearKind
from registry.disclosures.models import DisclosureStatus
from registry.listing import operations as listing_ops
from registry.listing.models import EntryStatus
from registry.objections import operations as objection_ops
from tests.factories.objections import applicant, pdf_upload

D = date.fromisoformat


def events(action: str) -> list[AuditEvent]:
    from registry.extensions import db

    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def counted_monday_to_friday(db, year: int = 2027) -> None:
    """The state the migration leaves: deadlines in ``year`` were counted Monday to Friday."""
    db.session.add(CalendarYear(year=year, applied_days="[]", applied_kind=YearKind.WEEKDAYS,
                                applied_source="Monday to Friday", applied_at=datetime(2026, 12, 1, tzinfo=UTC)))
    db.session.flush()
    workdays.forget_loaded_calendar()


def approved_on(make, frozen, day: date):
    entry = make.entry(EntryStatus.PENDING_REVIEW)
    with frozen(day):
        listing_ops.approve_entry(entry, make.user("reviewer"), entry.version)
    return entry


def publish_on(day: date) -> int:
    with clock.frozen_at(day):
        return listing_ops.publish_due_entries(day)


# --- list entries: the example ---------------------------------------------------------

def test_the_publicity_end_counted_monday_to_friday_moves_when_new_year_becomes_a_holiday(db, make, frozen):
    counted_monday_to_friday(db)
    entry = approved_on(make, frozen, D("2026-12-28"))
    # Monday to Friday: 12-29, 12-30, 12-31, 01-01, 01-04.
    assert entry.publicity_end == D("2027-01-04")
    applied = calendar_changes.apply_sources(D("2026-12-28"))
    assert applied.years == [2027] and applied.moved == 1
    db.session.refresh(entry)
    assert entry.publicity_end == D("2027-01-05")  # 01-01 is 元旦: the fifth day is 01-05
    (event,) = events("list_entry.recount_publicity")
    assert event.object_id == entry.id and event.details_dict == {
        "publicity_end": "2027-01-05", "before": "2027-01-04", "counted_from": "2026-12-28", "working_days": 5}
    assert publish_on(D("2027-01-05")) == 0  # under the old end it would have been published today
    assert publish_on(D("2027-01-06")) == 1


def test_the_nightly_checks_recount_before_they_publish(db, make, frozen):
    counted_monday_to_friday(db)
    entry = approved_on(make, frozen, D("2026-12-28"))
    names = [check.name for check in ordered_checks()]
    assert names.index("calendar_apply") < names.index("publicity_end")
    for check in ordered_checks():
        if check.name in ("calendar_apply", "publicity_end"):
            with frozen(D("2027-01-05")):
                run_check(check, D("2027-01-05"))
    db.session.refresh(entry)
    assert (entry.status, entry.publicity_end) == (EntryStatus.IN_PUBLICITY, D("2027-01-05"))


def test_an_administrators_holiday_moves_the_open_publicity_end(client, login, db, make, frozen):
    entry = approved_on(make, frozen, D("2026-12-28"))
    assert entry.publicity_end == D("2027-01-05")  # 12-29, 12-30, 12-31, 01-04, 01-05
    admin = login("admin")
    response = client.post("/admin/calendar", data={"day": "2027-01-04", "kind": "holiday", "note": "冰冻停工"})
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.publicity_end == D("2027-01-06")
    (event,) = events("list_entry.recount_publicity")
    assert event.actor_id == admin.id and event.unit_id == entry.unit_id
    change = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)
                                .order_by(ChangeEvent.id.desc())).first()
    assert change.change is ChangeKind.UPDATED and change.payload_dict["publicity_end"] == "2027-01-06"
    assert publish_on(D("2027-01-06")) == 0
    assert publish_on(D("2027-01-07")) == 1


def test_removing_the_holiday_gives_the_day_back(client, login, db, make, frozen):
    entry = approved_on(make, frozen, D("2026-12-28"))
    calendar_changes.set_day(D("2027-01-04"), False, "停工")
    assert entry.publicity_end == D("2027-01-06")
    login("admin")
    assert client.post("/admin/calendar/2027-01-04/delete").status_code == 302
    db.session.refresh(entry)
    assert entry.publicity_end == D("2027-01-05")
    assert [e.details_dict["publicity_end"] for e in events("list_entry.recount_publicity")] == [
        "2027-01-06", "2027-01-05"]


def test_a_changed_setting_does_not_move_an_old_deadline(db, make, frozen):
    entry = approved_on(make, frozen, D("2026-12-28"))
    set_setting("publicity_working_days", 10, make.user("admin", unit="FGC"))
    calendar_changes.set_day(D("2027-01-04"), False, "停工")
    assert entry.publicity_end == D("2027-01-06")  # still five working days, not ten


def test_only_entries_in_publicity_move(db, make, frozen):
    published = make.entry(EntryStatus.PUBLISHED, publicity_start=D("2026-12-28"), publicity_end=D("2027-01-05"),
                           valid_from=D("2027-01-06"), valid_until=D("2029-01-05"))
    calendar_changes.set_day(D("2027-01-04"), False, "停工")
    assert published.publicity_end == D("2027-01-05")
    assert events("list_entry.recount_publicity") == []


def test_a_deadline_not_counted_on_the_calendar_is_left_alone(db, make):
    # 2027-01-02 is a Saturday: no count of working days ends there.
    entry = make.entry(EntryStatus.IN_PUBLICITY, publicity_start=D("2026-12-28"), publicity_end=D("2027-01-02"))
    calendar_changes.set_day(D("2026-12-29"), False, "停工")
    assert entry.publicity_end == D("2027-01-02")


def test_a_change_outside_every_open_period_moves_nothing(db, make, frozen):
    entry = approved_on(make, frozen, D("2026-12-28"))
    assert calendar_changes.set_days([(D("2027-03-01"), False, "x")]) == 0
    assert entry.publicity_end == D("2027-01-05")
    assert events("list_entry.recount_publicity") == []


# --- disclosures --------------------------------------------------------------------------------

def test_an_unpublished_disclosures_deadline_moves_a_published_ones_does_not(db, make, frozen):
    with frozen(D("2026-12-30")):
        draft = make.disclosure(DisclosureStatus.DRAFT, decision_date=D("2026-12-24"))
        published = make.disclosure(DisclosureStatus.PUBLISHED, decision_date=D("2026-12-24"))
    # Seven working days after Thursday 12-24: 12-25, 12-28, 12-29, 12-30, 12-31, (01-01 off), 01-04, 01-05.
    assert draft.publication_deadline == published.publication_deadline == D("2027-01-05")
    assert calendar_changes.set_days([(D("2026-12-31"), False, "停工")]) == 1
    assert draft.publication_deadline == D("2027-01-06")
    assert published.publication_deadline == D("2027-01-05")
    (event,) = events("disclosure.recount_deadline")
    assert event.object_id == draft.id and event.details_dict["working_days"] == 7


# --- objections and repairs -----------------------------------------------------------------

def test_an_objections_acceptance_deadline_moves(db, make, frozen):
    record = make.entry("published")
    with frozen(D("2026-12-30")):
        objection, _code = objection_ops.file_objection(
            target=_target(record), applicant=applicant(), grounds="认定有误。", uploads=[pdf_upload()])
    assert objection.accept_due == D("2027-01-05")  # 3 working days: 12-31, 01-04, 01-05
    calendar_changes.set_day(D("2027-01-04"), False, "停工")
    assert objection.accept_due == D("2027-01-06")
    assert [e.object_id for e in events("objection.recount_accept_due")] == [objection.id]


def test_an_accepted_objection_moves_its_decision_deadline_only(db, make, frozen):
    record = make.entry("published")
    with frozen(D("2026-12-28")):
        objection, _code = objection_ops.file_objection(
            target=_target(record), applicant=applicant(), grounds="认定有误。", uploads=[pdf_upload()])
    with frozen(D("2026-12-29")):
        objection_ops.accept(objection, make.user("clerk"), objection.version)
    accept_due = objection.accept_due
    # Ten working days after 12-29: 12-30, 12-31, 01-04 … 01-08, 01-11, 01-12, 01-13.
    assert objection.decide_due == D("2027-01-13")
    calendar_changes.set_day(D("2026-12-31"), False, "停工")
    assert objection.decide_due == D("2027-01-14")
    assert objection.accept_due == accept_due
    assert events("objection.recount_accept_due") == []


def test_a_repair_applications_acceptance_deadline_moves(db, make, frozen):
    with frozen(D("2026-12-30")):
        entry = make.repairable_entry()
        application, _code = make.repair(entry)
    assert application.accept_due == D("2027-01-07")  # 5 working days: 12-31, 01-04 … 01-07
    calendar_changes.set_day(D("2027-01-04"), False, "停工")
    assert application.accept_due == D("2027-01-08")
    assert [e.object_id for e in events("repair.recount_accept_due")] == [application.id]


def _target(record):
    from registry.applications.targets import target_key

    return target_key(record)
