"""The append-only, tamper-evident audit log (PRODUCT §13) and `flask audit verify`."""

from __future__ import annotations

import json
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


# --- the keyed chain and its anchors ------------------------------------------------

TEST_KEY = b"test-audit-hmac-key"  # what tests/conftest.py configures


def _hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC as RFC 2104 defines it, written out here rather than taken from the hmac module."""
    import hashlib

    block = 64
    key = hashlib.sha256(key).digest() if len(key) > block else key
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + message).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).hexdigest()


def test_the_rfc2104_helper_matches_rfc4231():
    # RFC 4231, test case 2
    assert _hmac_sha256(b"Jefe", b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")


def _canonical(row) -> bytes:
    import json

    payload = {name: row[name] for name in ("actor_id", "actor_label", "action", "object_type", "object_id",
                                            "unit_id", "from_state", "to_state", "comment", "details",
                                            "prev_hash")}
    at = row["occurred_at"]  # as the driver returns it: naive UTC (SQLite) or aware (PostgreSQL)
    at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    payload["occurred_at"] = at.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _rows(db, from_id: int = 0):
    return [dict(row._mapping) for row in db.session.execute(
        sa.text("SELECT * FROM audit_events WHERE id >= :id ORDER BY id"), {"id": from_id})]


def test_each_hash_is_an_hmac_with_the_configured_key(db, events):
    for row in _rows(db, events[0].id):
        assert row["hash"] == _hmac_sha256(TEST_KEY, _canonical(row))


def _rewrite_from(db, first_id: int, digest, **changes) -> None:
    """An insider's rewrite: change the event ``first_id`` and recompute every later hash and link."""
    previous = None
    for row in _rows(db, first_id):
        if row["id"] == first_id:
            row.update(changes)
        if previous is not None:
            row["prev_hash"] = previous
        row["hash"] = previous = digest(_canonical(row))
        tamper(db, "UPDATE audit_events SET actor_id = :actor_id, actor_label = :actor_label, "
                   "prev_hash = :prev_hash, hash = :hash WHERE id = :id", **{
                       k: row[k] for k in ("actor_id", "actor_label", "prev_hash", "hash", "id")})


@pytest.fixture
def approval(db, make):
    """An approval by one reviewer, with events after it."""
    reviewer, other = make.user("reviewer"), make.user("reviewer")
    entry = make.entry("pending_review")
    record_event("test.before", obj=entry)  # not the chain's first event: a rewrite of the whole chain is another test
    event = record_event("list_entry.approve", actor=reviewer, obj=entry, from_state="pending_review",
                         to_state="published")
    later = [record_event("test.later", obj=entry, comment=str(n)) for n in range(3)]
    return event, other, later


@pytest.mark.parametrize("digest", [
    lambda message: __import__("hashlib").sha256(message).hexdigest(),  # the old, unkeyed scheme
    lambda message: _hmac_sha256(b"a guessed key", message),
])
def test_an_approval_given_another_actor_with_recomputed_hashes_is_found(db, approval, digest):
    event, other, _later = approval
    _rewrite_from(db, event.id, digest, actor_id=other.id, actor_label=other.email)
    report = verify_chain()
    assert not report.ok and report.broken_event_id == event.id and "altered" in report.reason


def test_a_rewrite_with_the_real_key_is_found_against_the_anchor(db, approval):
    from registry.core.audit import write_anchor

    event, other, later = approval
    anchor = write_anchor()
    assert anchor.event_id == later[-1].id
    _rewrite_from(db, event.id, lambda message: _hmac_sha256(TEST_KEY, message),
                  actor_id=other.id, actor_label=other.email)
    report = verify_chain()
    assert not report.ok and report.broken_event_id == later[-1].id and "rewritten" in report.reason
    assert verify_chain(anchors=False).ok  # only the anchor tells


def test_events_removed_from_the_end_after_an_anchor_are_found(db, approval):
    from registry.core.audit import write_anchor

    _event, _other, later = approval
    write_anchor()
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=later[-1].id)
    report = verify_chain()
    assert not report.ok and report.broken_event_id == later[-1].id and "removed" in report.reason


def test_the_daily_check_appends_the_head_to_the_anchor_file(app, db, events):
    import json
    from datetime import date
    from pathlib import Path

    from registry.checks.checks import audit_anchor

    path = Path(app.config["AUDIT_ANCHOR_FILE"])
    assert audit_anchor(date(2026, 5, 1)) == {"anchored_event": events[-1].id}
    more = record_event("test.four", obj=None, object_type="subjects", object_id=1)
    audit_anchor(date(2026, 5, 2))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["event_id"], line["hash"]) for line in lines] == [(events[-1].id, events[-1].hash),
                                                                   (more.id, more.hash)]
    assert verify_chain().ok


def test_a_damaged_anchor_file_is_an_error(app, db, events):
    from pathlib import Path

    Path(app.config["AUDIT_ANCHOR_FILE"]).write_text("not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        verify_chain()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "unreadable" in result.output


def test_a_key_the_environment_gives_as_a_number_is_used_as_text(app, db, events, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", 1234)
    row = _rows(db, events[0].id)[0]
    assert events[0].content_hash() == _hmac_sha256(b"1234", _canonical(row))


def test_cli_rekey_keys_an_unkeyed_chain_once(app, cli, db, events):
    import hashlib

    first = db.session.scalar(sa.select(sa.func.min(AuditEvent.id)))
    _rewrite_from(db, first, lambda message: hashlib.sha256(message).hexdigest())  # as written before the key
    assert cli("audit", "verify").exit_code == 1
    assert cli("audit", "verify", "--unkeyed").exit_code == 0
    result = cli("audit", "rekey")
    assert result.exit_code == 0, result.output
    assert cli("audit", "verify").exit_code == 0
    for row in _rows(db, first):
        assert row["hash"] == _hmac_sha256(TEST_KEY, _canonical(row))
    from registry.core.audit import read_anchors

    assert [anchor.event_id for anchor in read_anchors()] == [events[-1].id]


def test_cli_rekey_refuses_a_broken_chain(cli, db, events):
    tamper(db, "UPDATE audit_events SET comment = 'x' WHERE id = :id", id=events[1].id)
    db.session.commit()  # (to the test's transaction: the command's rollback must not undo the tampering)
    result = cli("audit", "rekey")
    assert result.exit_code == 1 and "not rekeyed" in result.output
    assert db.session.scalar(sa.select(AuditEvent.comment).where(AuditEvent.id == events[1].id)) == "x"


def test_the_key_is_required(monkeypatch, tmp_path):
    from registry import create_app

    monkeypatch.delenv("REGISTRY_AUDIT_HMAC_KEY", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"})


def test_the_monthly_manifest_anchors_the_chain(cli, db, make, tmp_path):
    from datetime import date

    from registry.core import clock
    from registry.exchange import batches

    reviewer, other = make.user("reviewer"), make.user("reviewer")
    with clock.frozen_at(date(2026, 10, 20)):
        inside = record_event("list_entry.approve", actor=reviewer, object_type="list_entries", object_id=1)
    with clock.frozen_at(date(2026, 11, 2)):
        record_event("test.after", object_type="list_entries", object_id=1)
    manifest = json.loads(batches.write_files(2026, 10, tmp_path))
    assert manifest["audit_anchor"] == {"event_id": inside.id, "hash": inside.hash}
    path = tmp_path / "registry-manifest-2026-10.json"
    assert cli("audit", "verify", "--manifest", str(path)).exit_code == 0
    # an insider holding the key rewrites the approval's actor and every later hash
    _rewrite_from(db, inside.id, lambda message: _hmac_sha256(TEST_KEY, message),
                  actor_id=other.id, actor_label=other.email)
    assert cli("audit", "verify").exit_code == 0  # no anchor file in this test: the chain alone agrees
    result = cli("audit", "verify", "--manifest", str(path))
    assert result.exit_code == 1 and f"event {inside.id}" in result.output and "rewritten" in result.output


def _first_event_id(db) -> int:
    return db.session.scalar(sa.select(sa.func.min(AuditEvent.id)))


def test_cli_verify_says_a_chain_written_before_the_key_is_not_keyed_yet(cli, db, events):
    import hashlib

    _rewrite_from(db, _first_event_id(db), lambda message: hashlib.sha256(message).hexdigest())
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "NOT KEYED YET" in result.output and "audit rekey" in result.output
    assert "content was altered" not in result.output


def test_cli_verify_says_the_key_is_wrong(app, cli, db, events, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", "another registry's key")
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "WRONG KEY" in result.output
    assert "content was altered" not in result.output


def test_the_first_event_altered_alone_is_named_as_altered_not_as_a_key_problem(db, events):
    first = _first_event_id(db)
    tamper(db, "UPDATE audit_events SET comment = 'changed' WHERE id = :id", id=first)
    report = verify_chain()
    assert (report.ok, report.broken_event_id, report.problem) == (False, first, None)
    assert "altered" in report.reason


def test_cli_rekey_prints_the_old_and_the_new_head(app, cli, db, events):
    import hashlib

    first = _first_event_id(db)
    _rewrite_from(db, first, lambda message: hashlib.sha256(message).hexdigest())
    old = _rows(db, first)[-1]
    result = cli("audit", "rekey")
    assert result.exit_code == 0, result.output
    new = _rows(db, first)[-1]
    assert f"old head: event {old['id']} {old['hash']}" in result.output
    assert f"new head: event {new['id']} {new['hash']}" in result.output
    assert new["hash"] == _hmac_sha256(TEST_KEY, _canonical(new)) != old["hash"]
