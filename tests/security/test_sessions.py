"""Sessions, sign-in throttling and redirects (PRODUCT §13), beyond tests/accounts/test_accounts.py and
tests/core/test_security_headers.py: the sliding memory of failures, the officer session's lifetime,
secure cookies behind HTTPS, and every ``next`` the application follows being same-site."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core.audit import AuditEvent
from tests.factories import TEST_PASSWORD

T0 = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
WRONG = "not-the-password"


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def signed_in(client) -> bool:
    return client.get("/review/").status_code == 200


# --- failed sign-ins: a sliding memory ---------------------------------------------------------


def test_failures_spread_across_a_fixed_window_boundary_still_count(client, make, frozen):
    """Failures at minutes 0, 12, 13, 14, 16: all five within the memory (a day), so the next
    attempt waits, although no fixed quarter of an hour holds five."""
    user = make.user("clerk")
    for minute in (0, 12, 13, 14, 16):
        with frozen(T0 + timedelta(minutes=minute)):
            assert sign_in(client, user, WRONG).status_code == 200
    with frozen(T0 + timedelta(minutes=16, seconds=30)):
        assert sign_in(client, user).status_code == 429 and not signed_in(client)


def test_failures_are_counted_per_account(client, make, frozen):
    first, second = make.user("clerk"), make.user("clerk")
    with frozen(T0):
        for _ in range(4):
            sign_in(client, first, WRONG)
            sign_in(client, second, WRONG)
        assert sign_in(client, first).status_code == 302
        client.post("/logout")
        assert sign_in(client, second).status_code == 302


def test_an_unknown_email_writes_nothing_and_says_the_same(client, db):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    response = client.post("/login", data={"email": "nobody@test.hn", "password": WRONG})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


# --- the session's lifetime ----------------------------------------------------------------


def test_an_officer_session_is_permanent_with_the_configured_lifetime(app, client, make):
    user = make.user("clerk")
    sign_in(client, user)
    cookie = client.get_cookie("session")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert lifetime <= timedelta(hours=8)
    assert cookie.expires is not None
    remaining = cookie.expires - datetime.now(UTC)
    assert lifetime - timedelta(minutes=5) < remaining <= lifetime + timedelta(minutes=1)


def test_a_session_older_than_its_lifetime_is_refused_by_the_server(app, client, make, monkeypatch):
    """Not only the browser's expiry: the signed cookie carries its age, and an old one is ignored."""
    user = make.user("clerk")
    sign_in(client, user)
    assert signed_in(client)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    import itsdangerous.timed

    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: int(time.time() + lifetime + 60))
    assert not signed_in(client)


def test_behind_https_cookies_are_secure(database_url):
    strict = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": database_url, "FORCE_HTTPS": True})
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
                 "REMEMBER_COOKIE_HTTPONLY"):
        assert strict.config[name] is True, name
    assert strict.config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    with strict.test_client() as client:
        response = client.get("/login?lang=en")  # sets the language in the session: a cookie is sent
        header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_signing_out_clears_the_cookie_and_ends_every_copy(client, make, db):
    user = make.user("clerk")
    sign_in(client, user)
    version = user.session_version
    client.post("/logout")
    db.session.refresh(user)
    assert user.session_version == version + 1
    assert not signed_in(client)


# --- redirects: only to this site ----------------------------------------------------------

UNSAFE = ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "javascript:alert(1)",
          "\\\\evil.example"]


@pytest.mark.parametrize("target", UNSAFE)
def test_the_review_decision_never_redirects_off_site(client, login, make, target):
    entry = make.entry("pending_review")
    login("reviewer")
    response = client.post(f"/review/list_entry/{entry.id}/approve", data={"version": entry.version, "next": target})
    assert response.status_code == 302
    assert response.location.startswith("/review") or response.location.startswith("http://localhost/review")


@pytest.mark.parametrize("target", UNSAFE)
def test_the_ledger_acknowledgement_never_redirects_off_site(client, make, login, target):
    task = make.ledger_task(units=("CS",))
    login(make.user("reviewer", unit="FGC"))
    response = client.post("/officer/ledger/reports/999999/acknowledge", data={"next": target})
    assert response.status_code == 404
    from registry.ledger import operations as ledger_ops

    clerk = make.user("clerk", unit="CS")
    from registry.core import clock

    with clock.frozen_at(datetime(2026, 2, 3, tzinfo=UTC)):
        report = ledger_ops.submit_report(task.assignments[0], actor=clerk, month=1, progress="完成").report
    response = client.post(f"/officer/ledger/reports/{report.id}/acknowledge", data={"revision": 1, "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response.location and not response.location.startswith("javascript")


def test_a_safe_next_is_still_followed(client, login, make):
    entry = make.entry("pending_review")
    login("reviewer")
    response = client.post(f"/review/list_entry/{entry.id}/approve",
                           data={"version": entry.version, "next": "/officer/entries/"})
    assert response.location.endswith("/officer/entries/")
