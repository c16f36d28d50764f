"""Two reviewers approve the same entry at the same moment on PostgreSQL: exactly one wins.

This test cannot live inside the rolled-back test transaction: it needs two real connections that
commit.  It sets up its rows on its own engine, commits, runs the two approvals in two threads
(each with its own application context, session and connection), and deletes what it made.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.accounts.models import Unit, User
from registry.core import clock
from registry.core.audit import AuditEvent
from registry.core.changes import ChangeEvent
from registry.core.errors import StaleRecord
from registry.documents.models import IssuedDocument
from registry.extensions import db as _db
from registry.listing import operations as ops
from registry.listing.models import EntryStatus, ListCategory, ListEntry, entry_measures
from registry.subjects.models import Subject
from tests.conftest import TEST_DATABASE_URL
from tests.factories import TEST_PASSWORD, valid_uscc

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="needs REGISTRY_TEST_DATABASE_URL pointing at PostgreSQL"),
]


@pytest.fixture
def committed_entry(app):
    """A pending entry with a clerk and two reviewers, committed; removed again afterwards."""
    from werkzeug.security import generate_password_hash

    engine = sa.create_engine(TEST_DATABASE_URL)
    with Session(engine) as session:
        marks = {"audit": session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0))),
                 "change": session.scalar(sa.select(sa.func.coalesce(sa.func.max(ChangeEvent.id), 0)))}
        unit = session.scalar(sa.select(Unit).where(Unit.code == "JJC"))
        password = generate_password_hash(TEST_PASSWORD)
        users = [User(email=f"concurrency-{role}-{n}@test.hn", name=role, unit_id=unit.id, role=role,
                      password_hash=password) for n, role in enumerate(["clerk", "reviewer", "reviewer"])]
        subject = Subject(kind="organisation", identifier=valid_uscc(), name="并发测试有限公司")
        session.add_all([*users, subject])
        session.flush()
        category = session.scalar(sa.select(ListCategory).where(ListCategory.name == "公路建设市场严重失信"))
        entry = ListEntry(
            list_kind=category.list_kind, category_id=category.id, subject_id=subject.id, reason="并发",
            legal_basis="依据", decision_number="并发〔2026〕1号", deciding_unit="湖南省交通运输厅",
            decision_date=clock.today() - timedelta(days=1), unit_id=unit.id, created_by_id=users[0].id,
            submitted_by_id=users[0].id, submitted_at=clock.utcnow(), status=EntryStatus.PENDING_REVIEW,
            measures=list(category.measures),
        )
        session.add(entry)
        session.commit()
        ids = {"entry": entry.id, "subject": subject.id, "users": [u.id for u in users],
               "reviewers": [users[1].id, users[2].id]}
    try:
        yield ids
    finally:
        with Session(engine) as session:
            session.execute(sa.delete(ChangeEvent).where(ChangeEvent.id > marks["change"]))
            # Only the events this test appended, at the end of the chain: the chain stays intact.
            session.execute(sa.delete(AuditEvent).where(AuditEvent.id > marks["audit"]))
            session.execute(sa.delete(entry_measures).where(entry_measures.c.entry_id == ids["entry"]))
            # The winning approval issued the entry's decision notice.
            session.execute(sa.delete(IssuedDocument).where(IssuedDocument.subject_id == ids["subject"]))
            session.execute(sa.delete(ListEntry).where(ListEntry.id == ids["entry"]))
            session.execute(sa.delete(Subject).where(Subject.id == ids["subject"]))
            session.execute(sa.delete(User).where(User.id.in_(ids["users"])))
            session.commit()
        engine.dispose()


def test_two_concurrent_approvals_exactly_one_wins(app, committed_entry):
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def approve(reviewer_id: int) -> None:
        with app.app_context():
            try:
                reviewer = _db.session.get(User, reviewer_id)
                entry = _db.session.get(ListEntry, committed_entry["entry"])
                version = entry.version
                barrier.wait(timeout=30)  # both have loaded the same version before either acts
                ops.approve_entry(entry, reviewer, version)
                _db.session.commit()
                outcomes[reviewer_id] = "approved"
            except StaleRecord:
                _db.session.rollback()
                outcomes[reviewer_id] = "stale"
            except Exception as error:  # reported below rather than lost in the thread
                _db.session.rollback()
                outcomes[reviewer_id] = f"error: {error!r}"
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=approve, args=(rid,)) for rid in committed_entry["reviewers"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["approved", "stale"], outcomes

    with app.app_context():
        entry = _db.session.get(ListEntry, committed_entry["entry"])
        winner = next(rid for rid, outcome in outcomes.items() if outcome == "approved")
        assert entry.status is EntryStatus.IN_PUBLICITY and entry.version == 2
        assert entry.reviewed_by_id == winner
        approvals = _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "list_entry", AuditEvent.object_id == entry.id,
            AuditEvent.action == "list_entry.approve"))
        assert approvals == 1
        notices = _db.session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument).where(
            IssuedDocument.record_type == "list_entry", IssuedDocument.record_id == entry.id))
        assert notices == 1  # one decision, one notice
        _db.session.remove()
