"""A database that is unreachable or read-only is a 503 "temporarily unavailable", never a 500
: a page for people, JSON under /api; reads go on where the database still reads.

The applications here are built as production runs them (not TESTING), each on a database of its
own: a SQLite file in a folder that does not exist, a PostgreSQL port where nothing listens, a
SQLite file opened read-only, and (on PostgreSQL) the test database with read-only transactions.
"""

from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core.seeding import SEED_STEPS
from registry.extensions import db
from registry.listing.models import EntryStatus
from tests.conftest import TEST_DATABASE_URL
from tests.factories import TEST_PASSWORD, Factories, valid_uscc

UNAVAILABLE = "temporarily unavailable"
A_KEY = "hcr_ABCDEFGH" + "x" * 40  # shaped like a key, so that it is looked up


def _app(url: str, tmp_path):
    return create_app({"SECRET_KEY": "unavailable", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "UPLOAD_FOLDER": str(tmp_path / "uploads")})


def _assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert UNAVAILABLE in html and "Traceback" not in html and "sqlite" not in html.lower()
    assert "psycopg" not in html


def _assert_unavailable_json(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data())["error"]["code"] == "unavailable"


UNREACHABLE = {
    "sqlite file that cannot be opened": lambda tmp_path: f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite'}",
    "postgresql server that does not answer": lambda tmp_path: "postgresql+psycopg://registry@127.0.0.1:1/registry",
}


@pytest.mark.parametrize("case", sorted(UNREACHABLE))
def test_an_unreachable_database_answers_503_everywhere(tmp_path, case):
    app = _app(UNREACHABLE[case](tmp_path), tmp_path)
    client = app.test_client()
    for path in ("/lists/red?lang=en", "/lists/black", "/subjects/1", f"/report/{valid_uscc()}.pdf",
                 "/disclosures", "/verify/0123456789ABCDEF"):
        _assert_unavailable_page(client.get(path))
    _assert_unavailable_page(client.post("/login?lang=en", data={"email": "a@example.cn", "password": "x" * 12}))
    _assert_unavailable_page(client.post("/objections/status?lang=en",
                                         data={"receipt_number": "YY20260101-0001", "access_code": "X"}))
    for path in (f"/api/v1/credit/{valid_uscc()}", "/api/v1/changes"):
        _assert_unavailable_json(client.get(path, headers={"X-API-Key": A_KEY}))
    with app.app_context():
        db.engine.dispose()


def test_the_page_speaks_the_chosen_language(tmp_path):
    app = _app(UNREACHABLE["sqlite file that cannot be opened"](tmp_path), tmp_path)
    page = app.test_client().get("/lists/red?lang=zh_CN")
    assert page.status_code == 503 and "暂时无法使用" in page.get_data(as_text=True)


def _seeded_file(tmp_path) -> tuple[str, dict]:
    """A registry database file with an officer, an API key and a published entry."""
    path = tmp_path / "registry.sqlite"
    app = _app(f"sqlite:///{path}", tmp_path)
    with app.app_context():
        db.create_all()
        for step in SEED_STEPS.ordered():
            step.run()
        make = Factories(db)
        officer = make.user("clerk")
        _, key = make.api_key()
        subject = make.subject(identifier=valid_uscc())
        make.entry(EntryStatus.PUBLISHED, subject=subject)
        facts = {"email": officer.email, "key": key, "identifier": subject.identifier}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return str(path), facts


def test_a_read_only_sqlite_database_reads_and_refuses_writes_with_503(tmp_path):
    path, facts = _seeded_file(tmp_path)
    os.chmod(path, 0o444)
    app = _app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path)
    client = app.test_client()
    assert client.get("/lists/black?lang=en").status_code == 200  # reading still works
    _assert_unavailable_page(client.post("/login?lang=en", data={"email": facts["email"], "password": TEST_PASSWORD}))
    _assert_unavailable_page(client.get(f"/report/{facts['identifier']}.pdf"))  # issuing writes
    # The API answers a key only after logging the answer, which cannot be written.
    answer = client.get(f"/api/v1/credit/{facts['identifier']}", headers={"X-API-Key": facts["key"]})
    assert answer.status_code == 503 and answer.mimetype == "application/json"
    with app.app_context():
        db.engine.dispose()


def _read_only_session(dbapi_connection, record):
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    dbapi_connection.commit()


@pytest.mark.postgres
@pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="needs PostgreSQL")
def test_a_read_only_postgresql_database_reads_and_refuses_writes_with_503(tmp_path, app):
    live = _app(TEST_DATABASE_URL, tmp_path)
    with live.app_context():  # every session of this app read-only, as on a standby
        sa.event.listen(db.engine, "connect", _read_only_session)
    client = live.test_client()
    assert client.get("/lists/black?lang=en").status_code == 200
    # A failed status lookup is counted (a row written): refused by the read-only database.
    _assert_unavailable_page(client.post("/objections/status?lang=en",
                                         data={"receipt_number": "YY20260101-0001", "access_code": "WRONG"}))
    with live.app_context():
        db.engine.dispose()
