"""A full disk during a disclosure import is a clear refusal and stores nothing.

The database's disk fills up while the rows are written: on SQLite for real (``max_page_count``
caps the file, and SQLite answers SQLITE_FULL "database or disk is full" like a full disk), on
PostgreSQL by the server's own error (SQLSTATE 53100 disk_full, raised by a trigger on the table).
The error report of a refused file cannot be written (ENOSPC): the page still lists the problems.
Any other request that meets a full disk answers 503, not 500.
"""

from __future__ import annotations

import errno
import io
import os

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core import clock, uploads
from registry.core.seeding import SEED_STEPS
from registry.disclosures.models import Disclosure
from registry.extensions import db as _db
from tests.disclosures.test_import import TODAY, penalty_row, to_csv
from tests.factories import TEST_PASSWORD, Factories
from tests.served import own_database

FULL = "storage is full, so nothing was stored"
ROWS = 300  # far more than the few pages the database may still grow by


def _import(client, data: bytes):
    return client.post("/officer/disclosures/import?lang=en", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "batch.csv")})


@pytest.fixture
def own_app(tmp_path):
    """An application on a database of its own (a file, or a PostgreSQL database): a disk that
    fills up ends the whole transaction, which the shared test database must not see."""
    with own_database(tmp_path) as url:
        app = create_app({"SECRET_KEY": "full", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "UPLOAD_FOLDER": str(tmp_path / "uploads")})
        with app.app_context():
            _db.create_all()
            for step in SEED_STEPS.ordered():
                step.run()
            email = Factories(_db).user("clerk").email
            _db.session.commit()
            _db.session.remove()
        try:
            yield app, email
        finally:
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()


def _fill_the_disk(engine) -> None:
    """From now on the database cannot grow: SQLite's file is capped a few pages above its size
    (on every connection); PostgreSQL answers disk_full to an INSERT of disclosures."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        engine.dispose()

        @sa.event.listens_for(engine, "connect")
        def capped(dbapi_connection, record):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 4}")
        return

    with engine.begin() as connection:  # the server's own disk_full, where the rows would go
        connection.exec_driver_sql(
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
            "'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$")
        connection.exec_driver_sql(
            "CREATE TRIGGER disk_full BEFORE INSERT ON disclosures FOR EACH ROW EXECUTE FUNCTION disk_full()")


def test_a_full_disk_during_an_import_is_a_refusal_that_stores_nothing(own_app):
    app, email = own_app
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302
    rows = [penalty_row(违法事实="超限运输" * 40) for _ in range(ROWS)]
    with app.app_context():
        _fill_the_disk(_db.engine)
    with clock.frozen_at(TODAY):
        response = _import(client, to_csv(rows))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert FULL in html and "Traceback" not in html
    with app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(Disclosure)) == 0
        _db.session.remove()
    # The registry goes on: the page answers, and once there is room again the import goes through.
    assert client.get("/officer/disclosures/import").status_code == 200


def test_an_error_report_that_cannot_be_stored_still_shows_the_problems(app, client, login, frozen, monkeypatch):
    login("clerk")
    rows = [penalty_row(决定日期="not a date")]

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads.os, "fsync", disk_full)
    with frozen(TODAY):
        response = _import(client, to_csv(rows))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "决定日期" in html and "Download the error report" not in html
    reports = os.path.join(app.config["UPLOAD_FOLDER"], "import-reports")
    assert not [name for name in os.listdir(reports) if name.endswith(".partial")]


@pytest.mark.parametrize(("code", "status"), [(errno.ENOSPC, 503), (errno.EDQUOT, 503), (errno.EROFS, 503),
                                              (errno.ENOENT, 500)])
def test_a_full_disk_anywhere_else_answers_503(tmp_path, code, status):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})

    def writes_a_file():
        raise OSError(code, os.strerror(code))

    app.add_url_rule("/_test/write", "test_write", writes_a_file)
    response = app.test_client().get("/_test/write?lang=en")
    assert response.status_code == status
    assert ("temporarily unavailable" in response.get_data(as_text=True)) is (status == 503)
    with app.app_context():
        _db.engine.dispose()
