"""The chain's daily heads published outside the database: an insider who holds the
instance folder (key and anchor file) and the database rewrites the chain, the anchor file and
the published table; a copy of the feed archived by someone else still catches it."""

from __future__ import annotations

import json
import threading
from datetime import date
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.checks.checks import audit_anchor
from registry.core.audit import AuditEvent, record_event
from tests.core.test_audit import TEST_KEY, _hmac_sha256, _rewrite_from, tamper

DAY = date(2026, 12, 7)


@pytest.fixture
def cli(app, db):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def anchor_file(app, db) -> Path:
    return Path(app.config["AUDIT_ANCHOR_FILE"])


@pytest.fixture
def history(db, make):
    """Three days of work, each anchored and published by the daily check."""
    subject = make.subject()
    published = []
    for offset in range(3):
        record_event("test.work", obj=subject, comment=f"day {offset}")
        record_event("test.work", obj=subject, comment=f"day {offset}, later")
        audit_anchor(date(2026, 12, 5 + offset))
        published.append(db.session.scalar(sa.select(sa.func.max(AuditEvent.id))))
    return subject, published


def _archive(client, tmp_path) -> Path:
    """What an outsider does every day: download the public feed and keep it."""
    answer = client.get("/audit/heads.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    path = tmp_path / "archived-heads.json"
    path.write_bytes(answer.get_data())
    return path


def test_the_daily_check_publishes_one_head_a_day_on_a_public_feed(client, db, history):
    _subject, published = history
    audit_anchor(DAY)  # a second run of the same day keeps the head others may have archived
    record_event("test.more")
    audit_anchor(DAY)
    feed = client.get("/audit/heads.json").get_json()  # anonymous
    days = {item["day"]: item["event_id"] for item in feed["heads"]}
    assert [days["2026-12-05"], days["2026-12-06"], days["2026-12-07"]] == published
    stored = sa.select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(published))
    hashes = dict(db.session.execute(stored).all())
    assert [item["hash"] for item in feed["heads"][-3:]] == [hashes[event_id] for event_id in published]
    assert set(feed["heads"][0]) == {"day", "event_id", "hash"}  # ids and hashes only, nothing of the content


def test_an_insider_rewrite_with_the_key_passes_locally_but_not_against_an_archived_copy(
        cli, client, db, history, anchor_file, tmp_path):
    _subject, published = history
    archived = _archive(client, tmp_path)
    first_day_event = published[0]
    # The insider: gives the first day's last event another content, recomputes every later hash with
    # the key from the instance folder, rewrites the published table and removes the anchor file.
    _rewrite_from(db, first_day_event, lambda message: _hmac_sha256(TEST_KEY, message), actor_label="someone else")
    tamper(db, "UPDATE audit_published_heads SET hash = (SELECT hash FROM audit_events WHERE id = event_id)")
    anchor_file.unlink()

    local = cli("audit", "verify")
    assert local.exit_code == 0  # the database alone cannot tell …
    assert "WARNING: no anchor file" in local.output  # … but says loudly that nothing outside vouches for it
    assert cli("audit", "verify", "--strict").exit_code == 2

    outside = cli("audit", "verify", "--published", str(archived))
    assert outside.exit_code == 1
    assert f"BROKEN at event {first_day_event}" in outside.output and "2026-12-05" in outside.output


def test_verify_against_an_archived_copy_of_an_intact_chain(cli, client, history, tmp_path):
    archived = _archive(client, tmp_path)
    result = cli("audit", "verify", "--published", str(archived))
    assert result.exit_code == 0, result.output
    assert "held against 3 published heads" in result.output and "WARNING" not in result.output


def test_an_anchor_file_shorter_than_the_published_history_is_a_warning(cli, client, history, anchor_file, tmp_path):
    archived = _archive(client, tmp_path)
    lines = anchor_file.read_text(encoding="utf-8").splitlines()
    anchor_file.write_text(lines[0] + "\n", encoding="utf-8")  # truncated to its first day
    result = cli("audit", "verify", "--published", str(archived))
    assert result.exit_code == 0
    assert "WARNING: the anchor file is shorter than the published history" in result.output


def test_an_anchor_file_that_disagrees_with_the_archived_copy_breaks_the_chain(cli, client, history, anchor_file,
                                                                                tmp_path):
    _subject, published = history
    archived = _archive(client, tmp_path)
    lines = [json.loads(line) for line in anchor_file.read_text(encoding="utf-8").splitlines()]
    lines[1]["hash"] = "0" * 64
    anchor_file.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = cli("audit", "verify", "--published", str(archived))
    assert result.exit_code == 1 and f"BROKEN at event {published[1]}" in result.output


def test_an_archived_copy_is_read_from_a_url(cli, client, history, tmp_path):
    _archive(client, tmp_path)
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/archived-heads.json"
        result = cli("audit", "verify", "--published", url)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0 and "held against 3 published heads" in result.output, result.output


def test_an_unreadable_copy_is_an_error_not_a_pass(cli, history, tmp_path):
    (tmp_path / "not-heads.json").write_text('{"something": "else", "heads": [{"day": "x"}]}', encoding="utf-8")
    for source in (str(tmp_path / "missing.json"), str(tmp_path / "not-heads.json")):
        result = cli("audit", "verify", "--published", source)
        assert result.exit_code == 1 and "unreadable" in result.output


def test_a_second_database_is_refused_the_first_one_s_anchor_file(app, cli, db, history, anchor_file):
    lines = [json.loads(line) for line in anchor_file.read_text(encoding="utf-8").splitlines()]
    assert {line["chain"] for line in lines} == {db.session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id))}
    foreign = {**lines[0], "chain": "f" * 64}  # the file another registry's database anchors in
    anchor_file.write_text(json.dumps(foreign) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="another database"):
        audit_anchor(DAY)
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "anchors another database's audit chain" in result.output
    assert anchor_file.read_text(encoding="utf-8") == json.dumps(foreign) + "\n"  # left as it was


def test_the_monthly_manifest_carries_the_month_s_heads(cli, db, history, anchor_file, tmp_path):
    from registry.exchange.batches import write_files

    _subject, published = history
    manifest = json.loads(write_files(2026, 12, tmp_path))  # as delivered to the ministry
    assert [item["day"] for item in manifest["audit_heads"]] == ["2026-12-05", "2026-12-06", "2026-12-07"]
    _rewrite_from(db, published[1], lambda message: _hmac_sha256(TEST_KEY, message), actor_label="someone else")
    anchor_file.unlink()
    assert cli("audit", "verify").exit_code == 0
    result = cli("audit", "verify", "--manifest", str(tmp_path / "registry-manifest-2026-12.json"))
    assert result.exit_code == 1 and f"BROKEN at event {published[1]}" in result.output


def test_a_rekey_republishes_the_heads(cli, db, history):
    import hashlib

    first = db.session.scalar(sa.select(sa.func.min(AuditEvent.id)))
    _rewrite_from(db, first, lambda message: hashlib.sha256(message).hexdigest())  # written before the key
    assert cli("audit", "rekey").exit_code == 0
    rows = db.session.execute(sa.text(
        "SELECT h.hash, e.hash FROM audit_published_heads h JOIN audit_events e ON e.id = h.event_id")).all()
    assert len(rows) == 3 and all(published == event for published, event in rows)


def test_an_older_anchor_file_without_chain_names_is_judged_by_its_anchors(cli, db, history, anchor_file):
    lines = [json.loads(line) for line in anchor_file.read_text(encoding="utf-8").splitlines()]
    unnamed = [{key: value for key, value in line.items() if key != "chain"} for line in lines]
    anchor_file.write_text("".join(json.dumps(line) + "\n" for line in unnamed), encoding="utf-8")
    assert cli("audit", "anchor").exit_code == 0  # this database's own anchors, written before lines named it
    foreign = [{**line, "hash": "e" * 64} for line in unnamed]  # another database's, same event ids
    anchor_file.write_text("".join(json.dumps(line) + "\n" for line in foreign), encoding="utf-8")
    result = cli("audit", "anchor")
    assert result.exit_code == 1 and "another database's file" in result.output
    assert anchor_file.read_text(encoding="utf-8").count("\n") == len(foreign)  # nothing appended
