"""The application served for real: its own database, a threaded Werkzeug server on a free port.

For tests that need what the test client cannot give: a reverse proxy in front of the app, or
several clients whose requests really run at the same time on separate database connections.
The database is a SQLite file of the test's own, or (``own_database``) a new database on the
PostgreSQL server the tests run on.
"""

from __future__ import annotations

import http.client
import os
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from registry import create_app
from registry.accounts.models import Unit, User
from registry.core.seeding import SEED_STEPS
from registry.extensions import db, limiter
from tests.factories import TEST_PASSWORD, Factories

# One PBKDF2 round: these tests sign in many times and measure nothing about hashing.
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1")


@dataclass
class Served:
    app: object
    port: int
    emails: list[str]
    extra: object = None


@contextmanager
def own_database(folder) -> Iterator[str]:
    """The URL of an empty database of the test's own: a SQLite file in ``folder``, or, when the
    tests run on PostgreSQL (REGISTRY_TEST_DATABASE_URL), a new database on that server, dropped
    afterwards."""
    url = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{folder / 'served.sqlite'}"
        return
    base = sa.engine.make_url(url)
    name = f"{base.database}_served_{secrets.token_hex(4)}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def served_app(folder, *, officers: int = 1, setup: Callable | None = None, database_url: str | None = None,
               **config) -> Iterator[Served]:
    """Serve a fresh application (schema from the models, seed data, ``officers`` clerks of JJC).

    ``setup(make)``, when given, adds more records through the factories before the server
    starts; what it returns is ``Served.extra``.  The database is a SQLite file in ``folder``
    unless ``database_url`` names another (empty) one.
    """
    # The limiter is one object shared by every app of the process, and init_app sets its switch:
    # say it explicitly (off unless asked), and put it back afterwards as the shared app wants it.
    previous = limiter.enabled
    app = create_app({"SECRET_KEY": "served", "DATABASE_URL": database_url or f"sqlite:///{folder / 'served.sqlite'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "AUDIT_ANCHOR_FILE": str(folder / "anchors.jsonl"),
                      "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URL": "memory://", **config})
    with app.app_context():
        if limiter.enabled:  # a limiter switched off has no storage (until an app switches it on)
            limiter.reset()
    with app.app_context():
        db.create_all()
        for step in SEED_STEPS.ordered():
            step.run()
        unit = db.session.query(Unit).filter_by(code="JJC").one()
        emails = [f"served-{n}@test.hn" for n in range(officers)]
        db.session.add_all(User(email=email, name="服务", unit=unit, role="clerk", password_hash=FAST_HASH)
                           for email in emails)
        extra = setup(Factories(db)) if setup else None
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(app, server.server_port, emails, extra)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        with app.app_context():
            if limiter.enabled:
                limiter.reset()
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = previous


def buffered(app):
    """The WSGI app with every answer read whole and closed before the server writes it.

    Werkzeug's development server leaves a response unclosed when the client drops the
    connection mid-answer (a browser leaving a page while its favicon or a PDF is on the way):
    the open file then surfaces as a ResourceWarning in some later test.  Test servers only.
    """
    def application(environ, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return application


def request(port: int, method: str, path: str, *, form: dict | None = None, headers: dict | None = None,
            source: str = "127.0.0.1", cookie: str | None = None) -> http.client.HTTPResponse:
    """One HTTP request to 127.0.0.1:``port`` from the loopback address ``source`` (body read)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    headers = dict(headers or {})
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        return response
    finally:
        connection.close()


def sign_in(port: int, email: str, password: str = TEST_PASSWORD, *, lang: str = "en") -> str:
    """Sign in through the real form; returns the session cookie (``name=value``)."""
    response = request(port, "POST", f"/login?lang={lang}", form={"email": email, "password": password})
    assert response.status == 302, (response.status, response.text[:500])
    return session_cookie(response)


def session_cookie(response) -> str:
    cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
    return "; ".join(cookie for cookie in cookies if cookie.startswith("session="))
