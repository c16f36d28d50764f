"""Publication and expiry: set-based, idempotent, held by open objections; the run-checks command."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from registry.core.audit import AuditEvent, history
from registry.core.changes import ChangeEvent, ChangeKind
from registry.core.holds import HoldKind, close_hold, open_hold
from registry.extensions import db as _db
from registry.listing import operations as ops
from registry.listing.models import EntryStatus
from tests.conftest import count

S = EntryStatus
END = date(2026, 10, 13)  # last day of publicity


def _in_publicity(make, **fields):
    fields.setdefault("publicity_start", date(2026, 9, 30))
    fields.setdefault("publicity_end", END)
    return make.entry(S.IN_PUBLICITY, **fields)


def _updates(db):
    """Count the UPDATE statements on list_entries issued while the block runs."""
    seen = []

    def listener(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE LIST_ENTRIES"):
            seen.append(statement)

    return seen, listener


def test_publicity_includes_its_last_day(db, make):
    entry = _in_publicity(make)
    assert ops.publish_due_entries(END) == 0
    assert entry.status is S.IN_PUBLICITY


def test_publish_on_the_day_after_publicity(db, make):
    entry = _in_publicity(make)
    day = END + timedelta(days=1)
    assert ops.publish_due_entries(day) == 1
    db.session.refresh(entry)
    assert entry.status is S.PUBLISHED and entry.version == 2
    assert entry.valid_from == day == date(2026, 10, 14)
    assert entry.valid_until == date(2029, 10, 14)  # 3 years (36 months), the corresponding day its last
    event_ = history("list_entry", entry.id)[-1]
    assert (event_.action, event_.actor_label, event_.to_state) == ("list_entry.publish", "system", "published")
    change = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)).one()
    assert change.change is ChangeKind.PUBLISHED and change.payload_dict["valid_from"] == day.isoformat()


def test_publish_keeps_a_decided_end_and_uses_each_category_validity(db, make):
    own_end = _in_publicity(make, valid_until=date(2027, 6, 30))
    red = _in_publicity(make, category="道路运输守信")
    day = date(2026, 10, 20)
    ops.publish_due_entries(day)
    db.session.refresh(own_end)
    db.session.refresh(red)
    assert own_end.valid_until == date(2027, 6, 30)
    assert red.valid_until == date(2028, 10, 20)  # 2 years


@pytest.mark.parametrize(("published", "months", "last_valid"), [
    (date(2028, 2, 29), 36, date(2031, 2, 28)),   # 29 February: no corresponding day, the month's end
    (date(2028, 2, 29), 48, date(2032, 2, 29)),
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 12, 30), 2, date(2027, 2, 28)),
])
def test_validity_is_counted_in_calendar_months(db, make, published, months, last_valid):
    category = make.category()
    category.validity_months = months
    entry = _in_publicity(make, publicity_start=published - timedelta(days=9),
                          publicity_end=published - timedelta(days=1))
    ops.publish_due_entries(published)
    db.session.refresh(entry)
    assert (entry.valid_from, entry.valid_until) == (published, last_valid)
    assert ops.expire_due_entries(last_valid) == 0
    assert ops.expire_due_entries(last_valid + timedelta(days=1)) == 1


def test_a_decided_end_already_past_ends_validity_on_the_publication_day(db, make):
    entry = _in_publicity(make, valid_until=date(2026, 10, 14))
    ops.publish_due_entries(date(2026, 10, 20))
    db.session.refresh(entry)
    assert entry.valid_from == entry.valid_until == date(2026, 10, 20)


def test_publish_is_set_based_and_idempotent(db, make):
    entries = [_in_publicity(make) for _ in range(5)]
    not_due = _in_publicity(make, publicity_end=date(2026, 10, 30))
    statements, listener = _updates(db)
    engine = _db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert ops.publish_due_entries(date(2026, 10, 14)) == 5
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    events_after_first = count(AuditEvent)
    changes_after_first = count(ChangeEvent)
    assert ops.publish_due_entries(date(2026, 10, 14)) == 0
    assert ops.publish_due_entries(date(2026, 10, 15)) == 0
    assert (count(AuditEvent), count(ChangeEvent)) == (events_after_first, changes_after_first)
    for entry in entries:
        db.session.refresh(entry)
        assert entry.status is S.PUBLISHED
    db.session.refresh(not_due)
    assert not_due.status is S.IN_PUBLICITY


@pytest.mark.parametrize("state", [s for s in EntryStatus if s is not S.IN_PUBLICITY])
def test_publish_touches_no_other_state(db, make, state):
    entry = make.entry(state, publicity_start=date(2026, 9, 1), publicity_end=date(2026, 9, 8))
    before = (entry.status, entry.version)
    ops.publish_due_entries(date(2026, 12, 1))
    db.session.refresh(entry)
    assert (entry.status, entry.version) == before


def test_an_open_objection_holds_publication_until_it_is_closed(db, make):
    held, free = _in_publicity(make), _in_publicity(make)
    open_hold("list_entry", held.id, HoldKind.OBJECTION, source_id=held.id)
    open_hold("list_entry", free.id, HoldKind.REPAIR, source_id=free.id)  # a repair hold does not block
    assert ops.publish_due_entries(date(2026, 10, 20)) == 1
    db.session.refresh(held)
    assert held.status is S.IN_PUBLICITY
    close_hold(HoldKind.OBJECTION, held.id)
    assert ops.publish_due_entries(date(2026, 10, 21)) == 1
    db.session.refresh(held)
    assert held.status is S.PUBLISHED and held.valid_from == date(2026, 10, 21)


def test_expire_after_the_last_valid_day_idempotently(db, make):
    entry = make.entry(S.PUBLISHED, valid_from=date(2024, 1, 1), valid_until=date(2026, 1, 31))
    assert ops.expire_due_entries(date(2026, 1, 31)) == 0
    assert ops.expire_due_entries(date(2026, 2, 1)) == 1
    assert ops.expire_due_entries(date(2026, 2, 1)) == 0
    db.session.refresh(entry)
    assert entry.status is S.EXPIRED
    changes = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == entry.id)).all()
    assert [c.change for c in changes] == [ChangeKind.EXPIRED]


@pytest.mark.parametrize("state", [s for s in EntryStatus if s is not S.PUBLISHED])
def test_expire_touches_no_other_state(db, make, state):
    entry = make.entry(state)
    before = (entry.status, entry.version)
    ops.expire_due_entries(date(2040, 1, 1))
    db.session.refresh(entry)
    assert (entry.status, entry.version) == before


def test_run_checks_command_publishes_and_expires(app, db, make):
    due = _in_publicity(make)
    old = make.entry(S.PUBLISHED, valid_from=date(2023, 1, 1), valid_until=date(2025, 12, 31))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["run-checks", "--today", "2026-10-14", "--only", "publicity_end",
                                 "--only", "validity_end"])
    assert result.exit_code == 0, result.output
    assert "publicity_end: published=1" in result.output
    assert "validity_end: expired=1" in result.output
    db.session.refresh(due)
    db.session.refresh(old)
    assert (due.status, old.status) == (S.PUBLISHED, S.EXPIRED)
    again = runner.invoke(args=["run-checks", "--today", "2026-10-14", "--only", "publicity_end"])
    assert "publicity_end: published=0" in again.output
