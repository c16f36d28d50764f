"""Two simultaneous first downloads of one credit report take one number, on PostgreSQL.

Outside the rolled-back test transaction: two threads, each with its own application context,
session and connection, ask for the same report at the same moment; both are held just before
numbering (so that neither finds the other's document first), then both insert.  The database's
unique ``issue_key`` makes the second wait for the first and fail; it then answers with the
first's document.  Before, it took the next serial: two numbers for one document.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.core.audit import AuditEvent
from registry.documents import operations
from registry.documents.models import IssuedDocument
from registry.extensions import db as _db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import valid_uscc

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="needs REGISTRY_TEST_DATABASE_URL pointing at PostgreSQL"),
]


@pytest.fixture
def identifier(app):
    """A valid code nobody is registered under (its report certifies "no record"); its documents and
    the audit events appended meanwhile are removed afterwards (the chain stays intact)."""
    engine = sa.create_engine(TEST_DATABASE_URL)
    with Session(engine) as session:
        mark = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))
    code = valid_uscc()
    try:
        yield code
    finally:
        with Session(engine) as session:
            session.execute(sa.delete(IssuedDocument).where(IssuedDocument.record_key == code))
            session.execute(sa.delete(AuditEvent).where(AuditEvent.id > mark))
            session.commit()
        engine.dispose()


def test_two_first_downloads_at_once_take_one_number(app, identifier, monkeypatch):
    from registry.readmodel.report import credit_report_pdf

    barrier = threading.Barrier(2)
    original = operations._insert

    def insert_together(*args, **kwargs):
        barrier.wait(timeout=20)
        return original(*args, **kwargs)

    monkeypatch.setattr(operations, "_insert", insert_together)
    numbers, errors = [], []

    def download():
        with app.app_context():
            try:
                _pdf, document = credit_report_pdf(identifier)
                number = document.number
                _db.session.commit()
                numbers.append(number)
            except Exception as error:  # reported below: a thread's exception is otherwise lost
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(numbers) == 2 and numbers[0] == numbers[1]
    with app.app_context():
        issued = _db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.record_key == identifier)).all()
        _db.session.remove()
    assert [document.number for document in issued] == [numbers[0]]
