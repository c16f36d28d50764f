"""Concurrency and faults on PostgreSQL (PRODUCT §9, §13): real connections that commit.

- the same form submitted twice at the same moment: exactly one wins, no duplicate, no 500;
- two schedulers reaching the same check at once: it runs once;
- the database connection killed in the middle of a request: a clean 503 page, nothing half-written;
- the connection killed in the middle of a long import (the app "restarted"): nothing half-imported.

(Two concurrent approvals of one entry: tests/listing/test_concurrency.py.)

These tests run outside the rolled-back test transaction, on an application of their own bound
to REGISTRY_TEST_DATABASE_URL; they remove what they created, and of the audit chain only the
events they appended at its end, so the chain stays intact (verified when the session ends).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from registry import create_app
from registry.accounts.models import Unit, User
from registry.core.audit import AuditEvent
from registry.extensions import db as _db
from registry.subjects.models import Subject
from tests.conftest import TEST_DATABASE_URL
from tests.factories import TEST_PASSWORD, valid_uscc

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="needs REGISTRY_TEST_DATABASE_URL pointing at PostgreSQL"),
]

FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1")


@pytest.fixture
def live(app, tmp_path):
    """An application as production runs it (not TESTING: unexpected errors become the error page)."""
    live_app = create_app({"SECRET_KEY": "concurrency", "DATABASE_URL": TEST_DATABASE_URL, "WTF_CSRF_ENABLED": False,
                           "RATELIMIT_ENABLED": False, "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    engine = sa.create_engine(TEST_DATABASE_URL)
    with Session(engine) as session:
        mark = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))
        unit_id = session.scalar(sa.select(Unit.id).where(Unit.code == "JJC"))
        users = [User(email=f"pg-fault-{n}-{mark}@test.hn", name="并发", unit_id=unit_id, role="clerk",
                      password_hash=FAST_HASH) for n in range(2)]
        session.add_all(users)
        session.commit()
        user_ids = [user.id for user in users]
        emails = [user.email for user in users]
    state = {"identifiers": [], "mark": mark, "emails": emails, "engine": engine}
    try:
        yield live_app, state
    finally:
        with live_app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        with Session(engine) as session:
            session.execute(sa.delete(AuditEvent).where(AuditEvent.id > mark))
            for cleanup in state.get("cleanups", []):
                cleanup(session)
            session.execute(sa.delete(Subject).where(Subject.identifier.in_(state["identifiers"])))
            session.execute(sa.delete(User).where(User.id.in_(user_ids)))
            session.commit()
        engine.dispose()


def _signed_in_client(live_app, email):
    client = live_app.test_client()
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _subjects(engine, identifier) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            sa.select(sa.func.count()).select_from(Subject).where(Subject.identifier == identifier))


def test_the_same_form_submitted_twice_at_once_stores_one_subject(live):
    live_app, state = live
    identifier = valid_uscc()
    state["identifiers"].append(identifier)
    clients = [_signed_in_client(live_app, email) for email in state["emails"]]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit(client):
        barrier.wait(timeout=30)
        response = client.post("/officer/subjects/new", data={"kind": "organisation", "identifier": identifier,
                                                             "name": "并发提交有限公司"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 302], statuses  # one stored, the other told it exists: no 500
    assert _subjects(state["engine"], identifier) == 1


@contextmanager
def killed_at(live_app, engine, table: str, after: int = 0):
    """Terminate the request's database connection (from another connection) just before its
    ``after``-th INSERT into ``table``: what a crash, restart or network cut looks like to it."""
    seen = {"n": 0}
    killer = engine.connect()

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            seen["n"] += 1
            if seen["n"] > after:
                pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                killer.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                killer.commit()

    with live_app.app_context():
        target = _db.engine
    sa.event.listen(target, "before_cursor_execute", before_execute)
    try:
        yield seen
    finally:
        sa.event.remove(target, "before_cursor_execute", before_execute)
        killer.close()


def test_a_connection_dropped_mid_request_gives_a_clean_error_and_writes_nothing(live):
    live_app, state = live
    identifier = valid_uscc()
    state["identifiers"].append(identifier)
    client = _signed_in_client(live_app, state["emails"][0])
    with live_app.app_context():
        events_before = _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        _db.session.remove()
    # The subject row is inserted, then the connection dies before its audit event is written.
    with killed_at(live_app, state["engine"], "audit_events") as seen:
        response = client.post("/officer/subjects/new", data={"kind": "organisation", "identifier": identifier,
                                                             "name": "断线测试有限公司"})
    assert seen["n"] >= 1
    assert response.status_code == 503  # the database went away: temporarily unavailable
    html = response.get_data(as_text=True)
    assert "text/html" in response.content_type and "Traceback" not in html and "psycopg" not in html
    assert _subjects(state["engine"], identifier) == 0  # the half-done request left nothing
    with live_app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events_before
        _db.session.remove()
    # The next request gets a fresh connection and works.
    again = client.post("/officer/subjects/new", data={"kind": "organisation", "identifier": identifier,
                                                      "name": "断线测试有限公司"})
    assert again.status_code == 302
    assert _subjects(state["engine"], identifier) == 1


def test_an_import_killed_half_way_imports_nothing(live):
    from registry.core import clock
    from registry.disclosures.imports import import_disclosures
    from registry.disclosures.models import Disclosure
    from tests.disclosures.test_import import TODAY, penalty_row, to_csv

    live_app, state = live
    rows = [penalty_row() for _ in range(30)]
    numbers = [row["决定书文号"] for row in rows]
    state["identifiers"] += [row["统一社会信用代码或身份证号码"] for row in rows]
    state["cleanups"] = [lambda session: session.execute(
        sa.delete(Disclosure).where(Disclosure.decision_number.in_(numbers)))]
    with live_app.app_context():
        actor = _db.session.scalar(sa.select(User).where(User.email == state["emails"][0]))
        # Killed when the rows (and new subjects) are inserted and the audit events are next.
        with clock.frozen_at(TODAY), killed_at(live_app, state["engine"], "audit_events") as seen, \
                pytest.raises(sa.exc.DBAPIError):
            import_disclosures(to_csv(rows), "batch.csv", unit_id=actor.unit_id, actor=actor)
            _db.session.commit()
        _db.session.rollback()
        _db.session.remove()
    assert seen["n"] == 1
    with state["engine"].connect() as connection:
        stored = connection.scalar(sa.select(sa.func.count()).select_from(Disclosure)
                                   .where(Disclosure.decision_number.in_(numbers)))
    assert stored == 0


def test_two_schedulers_at_once_run_each_check_once(live, monkeypatch):
    """Runner A is inside a check when runner B reaches it: B skips it (the check's database
    lock), and the check has exactly one completed run.  (Idempotence of a second run, one after
    the other, is tested per check in tests/checks/.)"""
    import dataclasses

    from registry.checks.models import CheckRun
    from registry.checks.registry import CHECKS

    live_app, state = live
    name = "calendar_coverage"
    original = CHECKS[name]
    entered, release = threading.Event(), threading.Event()

    def held(today):
        entered.set()
        assert release.wait(timeout=60)
        return original.run(today)

    monkeypatch.setitem(CHECKS, name, dataclasses.replace(original, run=held))
    with state["engine"].connect() as connection:
        run_mark = connection.scalar(sa.select(sa.func.coalesce(sa.func.max(CheckRun.id), 0)))
    state.setdefault("cleanups", []).append(
        lambda session: session.execute(sa.delete(CheckRun).where(CheckRun.id > run_mark)))
    outputs = {}

    def runner(label):
        result = live_app.test_cli_runner().invoke(args=["run-checks", "--today", "2026-06-01", "--only", name])
        outputs[label] = result.output

    first = threading.Thread(target=runner, args=("A",))
    first.start()
    assert entered.wait(timeout=60)
    runner("B")  # while A holds the check
    release.set()
    first.join(timeout=60)
    assert "skipped, another process is running it" in outputs["B"], outputs
    assert "FAILED" not in outputs["A"] and "skipped" not in outputs["A"], outputs
    with state["engine"].connect() as connection:
        runs = connection.scalar(sa.select(sa.func.count()).select_from(CheckRun)
                                 .where(CheckRun.id > run_mark, CheckRun.name == name))
    assert runs == 1
