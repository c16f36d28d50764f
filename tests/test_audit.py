"""The append-only, tamper-evident audit log (SPEC §13) and `flask audit verify`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from registry.core.audit import GENESIS_HASH, AuditEvent, history, record_event, verify_chain


@pytest.fixture
def events(db, make):
    """Three fresh events at the end of the chain, about one subject, by one officer."""
    actor = make.user("clerk")
    subject = make.subject()
    return [
        record_event("test.one", actor=actor, obj=subject, comment="first", details={"n": 1}),
        record_event("test.two", actor=actor, obj=subject, from_state="draft", to_state="pending_review"),
        record_event("test.three", actor=None, obj=subject, comment="第三", details={"名": "值"}),
    ]


def tamper(db, sql: str, **params) -> None:
    db.session.execute(sa.text(sql), params)


def test_each_event_links_to_the_one_before(db, events):
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    before = db.session.scalar(
        sa.select(AuditEvent.hash).where(AuditEvent.id < events[0].id).order_by(AuditEvent.id.desc()).limit(1)
    )
    assert events[0].prev_hash == (before or GENESIS_HASH)


def test_record_event_fills_object_actor_and_states(events, make):
    first, second, third = events
    assert (first.object_type, first.object_id) == ("subjects", third.object_id)
    assert first.actor_label.endswith("@test.hn") and third.actor_label == "system"
    assert (second.from_state, second.to_state) == ("draft", "pending_review")
    assert first.details_dict == {"n": 1} and third.details_dict == {"名": "值"}


def test_an_intact_chain_verifies(db, events):
    report = verify_chain()
    assert report.ok, report
    assert report.checked >= 3


def test_hash_survives_a_round_trip_through_the_database(db, events):
    ids = [e.id for e in events]
    db.session.expire_all()
    for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(ids))):
        assert event.content_hash() == event.hash


@pytest.mark.parametrize(
    "column, value",
    [("comment", "nothing to see here"), ("action", "test.harmless"), ("to_state", "published"),
     ("details", '{"n": 2}'), ("actor_label", "someone@else.hn")],
)
@pytest.mark.parametrize("which", [0, 1, 2])
def test_an_edited_row_is_named(db, events, column, value, which):
    target = events[which].id
    tamper(db, f"UPDATE audit_events SET {column} = :value WHERE id = :id", value=value, id=target)
    report = verify_chain()
    assert not report.ok
    assert report.broken_event_id == target
    assert "altered" in report.reason


def test_an_edited_timestamp_is_named(db, events):
    tamper(db, "UPDATE audit_events SET occurred_at = :at WHERE id = :id",
           at=datetime(2020, 1, 1, 8, 0), id=events[1].id)
    assert verify_chain().broken_event_id == events[1].id


def test_a_deleted_row_in_the_middle_names_the_event_after_it(db, events):
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    report = verify_chain()
    assert not report.ok
    assert report.broken_event_id == events[2].id
    assert "deleted" in report.reason


def test_a_rehashed_edit_still_breaks_the_next_link(db, events):
    """Recomputing the edited row's own hash does not help: the next event still points at the old one."""
    event = events[1]
    event.comment = "rewritten"
    event.hash = event.content_hash()
    db.session.flush()
    report = verify_chain()
    assert report.broken_event_id == events[2].id


@pytest.fixture
def cli(app, db):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_cli_verify_exits_0_on_an_intact_chain(cli, events):
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_cli_verify_exits_1_naming_the_first_broken_event(cli, db, events):
    tamper(db, "UPDATE audit_events SET comment = 'x' WHERE id = :id", id=events[0].id)
    tamper(db, "UPDATE audit_events SET comment = 'y' WHERE id = :id", id=events[2].id)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"event {events[0].id}" in result.output
    assert f"event {events[2].id}" not in result.output


def test_cli_verify_exits_1_after_a_deletion(cli, db, events):
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"event {events[2].id}" in result.output


def test_history_lists_one_records_events_oldest_first(db, make, events):
    other = make.subject()
    record_event("test.other", obj=other)
    record_event("test.four", obj=db.session.get(type(other), events[0].object_id))
    found = history("subjects", events[0].object_id)
    assert [e.action for e in found] == ["test.one", "test.two", "test.three", "test.four"]
    assert [e.id for e in found] == sorted(e.id for e in found)
    assert all(e.object_id == events[0].object_id for e in found)
    assert [e.action for e in history("subjects", other.id)] == ["test.other"]


def test_occurred_at_is_utc_and_aware(db, events, frozen):
    with frozen(datetime(2026, 10, 9, 2, 30, tzinfo=UTC)):
        event = record_event("test.clock")
    db.session.expire(event)
    assert event.occurred_at == datetime(2026, 10, 9, 2, 30, tzinfo=UTC)
