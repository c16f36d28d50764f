"""Security headers on every response, and CSRF protection on every form (PRODUCT §13)."""

from __future__ import annotations

import re

import pytest

from registry import create_app
from registry.accounts.models import User
from registry.core.audit import AuditEvent
from registry.core.throttle import ThrottleFailure
from registry.extensions import db as _db
from tests.conftest import count
from tests.factories import TEST_PASSWORD

PATHS = ["/", "/login", "/subjects/99999999", "/admin/users", "/review/", "/static/registry.css", "/no/such/page"]


def check_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")


@pytest.mark.parametrize("path", PATHS)
def test_headers_on_anonymous_responses(client, path):
    with client.get(path) as response:
        check_headers(response)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit", "/officer/subjects/"])
def test_headers_on_officer_and_error_responses(client, login, path):
    login("clerk")
    response = client.get(path)
    check_headers(response)
    check_headers(client.post("/logout"))


@pytest.mark.parametrize("path", ["/", "/login"])
def test_pages_carry_no_inline_script_or_style_that_the_csp_would_block(client, path):
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_session_cookie_is_http_only_and_same_site(client, make):
    user = make.user("clerk")
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_hsts_only_when_https_is_forced(app, database_url):
    strict = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": database_url, "FORCE_HTTPS": True})
    with strict.test_client().get("/login") as response:
        assert "max-age=" in response.headers["Strict-Transport-Security"]
    with app.test_client().get("/login") as response:
        assert "Strict-Transport-Security" not in response.headers


# --- CSRF ---------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app, db, database_url):
    """A client of an app with CSRF on, sharing the test's database transaction."""
    strict = create_app({"TESTING": True, "SECRET_KEY": "csrf-test", "DATABASE_URL": database_url,
                         "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "SERVER_NAME": "localhost"})
    connection = _db.engines[None]  # the db fixture's connection, inside the test's transaction
    db.session.commit()
    with strict.app_context():
        original = _db.engines[None]
        _db.engines[None] = connection
        try:
            yield strict.test_client()
        finally:
            _db.session.remove()
            _db.engines[None] = original


def test_login_without_a_token_is_refused_and_nothing_is_stored(csrf_client, make, db):
    user = make.user("clerk")
    db.session.commit()
    events = count(AuditEvent)
    for password in (TEST_PASSWORD, "wrong-password"):
        response = csrf_client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 400
    _db.session.expire_all()
    assert count(AuditEvent) == events
    assert count(ThrottleFailure) == 0  # not even a failed attempt was counted
    assert csrf_client.get("/review/").status_code == 302  # not signed in


def test_login_with_the_forms_token_works(csrf_client, make, db):
    user = make.user("clerk")
    db.session.commit()
    page = csrf_client.get("/login")
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    response = csrf_client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert csrf_client.get("/review/").status_code == 200
    # Signed in, a form posted without the token is still refused, and stores nothing.
    before = count(User)
    response = csrf_client.post("/logout")
    assert response.status_code == 400
    assert csrf_client.get("/review/").status_code == 200
    assert count(User) == before
