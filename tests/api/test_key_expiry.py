"""API keys carry an expiry, show their last use, and an unused key is found and revoked, each step
audited.

Days are counted here by hand (a key issued on 2026-03-01 with the default 365-day lifetime works
through 2027-03-01, Asia/Shanghai) rather than by the functions under test.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import flask_migrate
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry import create_app
from registry.accounts.apikeys import ApiKey, issue_key, log_request, revoke_key
from registry.api.checks import api_key_expiry
from registry.core.audit import AuditEvent
from registry.core.errors import ValidationFailed
from registry.core.settings import set_setting
from registry.extensions import db
from registry.watch import delivery
from registry.watch import operations as watch
from registry.watch.models import Delivery
from tests.conftest import TEST_DATABASE_URL
from tests.factories import valid_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED = date(2026, 3, 1)


def at(day: date, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def credit(client, raw):
    return client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": raw})


def events(action: str, key_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == "api_key", AuditEvent.object_id == key_id)
        .order_by(AuditEvent.id)))


# --- the expiry ---------------------------------------------------------------------------------

def test_a_key_works_through_its_last_day_and_is_refused_after_it(client, db, frozen):
    with frozen(ISSUED):
        key, raw = issue_key(name="收费系统", scopes=["credit:read"])
        db.session.commit()
    assert key.last_day == date(2027, 3, 1)  # 2026-03-01 + 365 days (2026 and the 2027 span have no 29 Feb)
    assert key.expires_at == datetime(2027, 3, 2, tzinfo=SHANGHAI).astimezone(UTC)
    with frozen(at(date(2027, 3, 1), 23, 59, 59)):
        assert credit(client, raw).status_code == 200
    with frozen(at(date(2027, 3, 2), 0, 0, 0)):
        refused = credit(client, raw)
    assert refused.status_code == 401 and refused.mimetype == "application/json"
    error = refused.get_json()["error"]
    assert error["code"] == "expired_key" and "2027-03-01" in error["message"]
    issued = events("api_key.issue", key.id)
    assert issued[-1].details_dict["last_day"] == "2027-03-01"


def test_the_lifetime_is_a_setting(db, frozen, make):
    set_setting("api_key_lifetime_days", 30, make.user("admin", unit="FGC"))
    with frozen(ISSUED):
        key, _raw = issue_key(name="收费系统", scopes=["credit:read"])
        assert key.last_day == date(2026, 3, 31)
        chosen, _raw = issue_key(name="收费系统", scopes=["credit:read"], expires_on=date(2026, 3, 2))
        assert chosen.last_day == date(2026, 3, 2)


@pytest.mark.parametrize("last_day", [ISSUED - timedelta(days=1), ISSUED, ISSUED + timedelta(days=366)])
def test_a_last_day_outside_today_and_the_lifetime_is_refused(db, frozen, last_day):
    with frozen(ISSUED), pytest.raises(ValidationFailed) as refused:
        issue_key(name="收费系统", scopes=["credit:read"], expires_on=last_day)
    assert refused.value.field == "expires_on"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


@pytest.mark.parametrize(("typed", "message"), [
    ("2026-02-28", "no later than 2027-03-01"),  # before today
    ("2026-03-01", "no later than 2027-03-01"),  # today: a key must work at least a day
    ("2027-03-02", "no later than 2027-03-01"),  # past the lifetime
    ("2026-13-01", "Not a valid date"),
    ("soon", "Not a valid date"),
])
def test_the_form_refuses_a_bad_last_day_at_its_field(client, login, db, frozen, typed, message):
    with frozen(ISSUED):
        login("admin", unit="FGC")
        response = client.post("/admin/api-keys/?lang=en", data={
            "name": "收费系统", "scopes": ["credit:read"], "rate_limit": "60/minute", "expires_on": typed})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and 'id="expires_on"' in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_the_form_issues_a_key_with_the_chosen_last_day(client, login, db, frozen):
    with frozen(ISSUED):
        login("admin", unit="FGC")
        response = client.post("/admin/api-keys/", data={
            "name": "收费系统", "scopes": ["credit:read"], "rate_limit": "60/minute", "expires_on": "2026-06-30"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(ApiKey)).last_day == date(2026, 6, 30)


# --- what the administrator sees -------------------------------------------------------------------

def test_the_keys_page_shows_last_use_and_warns_before_expiry(client, login, db, frozen):
    with frozen(ISSUED):
        issue_key(name="即将到期系统", scopes=["credit:read"], expires_on=date(2026, 3, 20))
        later, raw = issue_key(name="长期系统", scopes=["credit:read"])
        db.session.commit()
    with frozen(at(date(2026, 3, 5), 9, 30)):
        credit(client, raw)
    with frozen(date(2026, 3, 6)):
        login("admin", unit="FGC")
        body = client.get("/admin/api-keys/?lang=en").get_data(as_text=True)
        page = client.get(f"/admin/api-keys/{later.id}?lang=en").get_data(as_text=True)
    assert "Keys expiring within 30 days: 1" in body and "last day 2026-03-20" in body
    assert "expires soon" in body and "2027-03-01" in body
    assert "last 2026-03-05 09:30" in body and "never used" in body
    assert "2026-03-05 09:30" in page and "2027-03-01" in page


def test_expired_and_revoked_keys_say_so(client, login, db, frozen):
    with frozen(ISSUED):
        issue_key(name="过期系统", scopes=["watch:write"], expires_on=date(2026, 3, 2))
        revoked, _ = issue_key(name="撤销系统", scopes=["watch:write"])
        revoke_key(revoked)
        db.session.commit()
    with frozen(date(2026, 3, 10)):
        login("admin", unit="FGC")
        body = client.get("/admin/api-keys/?lang=en").get_data(as_text=True)
        watch_page = client.get("/admin/watch/?lang=en").get_data(as_text=True)
    for text in (body, watch_page):
        assert ">expired</span>" in text and ">revoked</span>" in text


@pytest.fixture
def fleet(db, frozen):
    """Keys issued 2026-01-01 and one issued 2026-05-01, looked at on 2026-05-10 (unused: 90 days)."""
    with frozen(date(2026, 1, 1)):
        keys = {name: issue_key(name=name, scopes=["credit:read"])[0]
                for name in ("recent", "stale", "never", "revoked", "expired")}
        keys["expired"].expires_at = datetime(2026, 2, 1, tzinfo=UTC)
        revoke_key(keys["revoked"])
    with frozen(date(2026, 1, 20)):  # 110 days before the look
        log_request(key_id=keys["stale"].id, method="GET", endpoint="api.credit", status=200,
                    identifier_hash=None, identifier_count=1, result_size=10)
    with frozen(date(2026, 5, 1)):
        keys["new"] = issue_key(name="new", scopes=["credit:read"])[0]
        log_request(key_id=keys["recent"].id, method="GET", endpoint="api.credit", status=200,
                    identifier_hash=None, identifier_count=1, result_size=10)
    db.session.commit()
    return keys


def test_unused_keys_are_found_and_revoked_with_an_audit_event(client, login, db, frozen, fleet):
    with frozen(date(2026, 5, 10)):
        login("admin", unit="FGC")
        body = client.get("/admin/api-keys/?show=unused&lang=en").get_data(as_text=True)
        listed = {name for name, key in fleet.items() if f"/admin/api-keys/{key.id}\"" in body}
        assert listed == {"stale", "never"}
        response = client.post(f"/admin/api-keys/{fleet['never'].id}/revoke?show=unused")
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/api-keys/?show=unused")
    event = events("api_key.revoke", fleet["never"].id)[-1]
    assert event.from_state == "active" and event.to_state == "revoked"
    assert event.details_dict["last_request"] is None and event.actor_id is not None
    stale = events("api_key.revoke", fleet["stale"].id)
    assert stale == []
    with frozen(date(2026, 5, 10)):
        revoke_key(db.session.get(ApiKey, fleet["stale"].id))
    last_request = events("api_key.revoke", fleet["stale"].id)[-1].details_dict["last_request"]
    assert last_request == "2026-01-20T02:00:00+00:00"  # 10:00 in Shanghai


def test_the_workbench_counts_what_the_page_lists(client, login, db, frozen, fleet):
    with frozen(date(2026, 5, 10)):
        issue_key(name="soon", scopes=["credit:read"], expires_on=date(2026, 5, 30))
        db.session.commit()
        login("admin", unit="FGC")
        body = client.get("/workbench?lang=en").get_data(as_text=True)
        expiring = client.get("/admin/api-keys/?show=expiring&lang=en").get_data(as_text=True)
    assert "API keys without a request for 90 days" in body and "API keys expiring within 30 days" in body
    assert "/admin/api-keys/?show=unused" in body and "/admin/api-keys/?show=expiring" in body
    assert expiring.count('<td><a href="/admin/api-keys/') == 1 and "soon" in expiring


def test_the_command_line_lists_unused_keys_and_issues_with_a_last_day(app, db, frozen, fleet):
    runner = app.test_cli_runner()
    with frozen(date(2026, 5, 10)):
        listing = runner.invoke(args=["apikeys", "list", "--only", "unused"])
        created = runner.invoke(args=["apikeys", "create", "--name", "x", "--last-day", "2026-06-01"])
        too_late = runner.invoke(args=["apikeys", "create", "--name", "y", "--last-day", "2030-01-01"])
    lines = listing.output.strip().splitlines()
    assert len(lines) == 2 and all("active" in line for line in lines)
    assert any("never used" in line for line in lines) and any("2026-01-20" in line for line in lines)
    assert created.exit_code == 0 and "last day 2026-06-01" in created.output
    assert too_late.exit_code != 0 and "2027-05-10" in too_late.output


# --- the expiry in the audit log, and nothing more sent for an expired key -----------------------

def test_each_expiry_is_audited_once(db, frozen, fleet):
    with frozen(date(2026, 5, 10)):
        assert api_key_expiry(date(2026, 5, 10)) == {"expired": 1}
        assert api_key_expiry(date(2026, 5, 10)) == {"expired": 0}
    recorded = events("api_key.expire", fleet["expired"].id)
    assert len(recorded) == 1 and recorded[0].to_state == "expired"
    assert events("api_key.expire", fleet["revoked"].id) == []


def test_an_expired_key_gets_no_notifications(db, frozen, make):
    with frozen(ISSUED):
        key, _raw, _secret = make.watcher(valid_uscc(3), url="https://hooks.example.org/registry")
        key.expires_at = datetime(2026, 3, 5, 16, tzinfo=UTC)
        watch.queue_test_event(key, actor=make.user("admin", unit="FGC"))
        db.session.flush()
    with frozen(date(2026, 3, 10)):
        assert delivery.claim_due() == []
        with pytest.raises(ValidationFailed) as refused:
            watch.queue_test_event(key, actor=make.user("admin", unit="FGC"))
        with force_locale("en"):
            assert str(refused.value.message) == "This key has expired."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 1


# --- the upgrade ---------------------------------------------------------------------------------

@pytest.fixture
def database_before_expiry(tmp_path):
    """A fresh database migrated to the revision before keys expired (SQLite, or a temporary
    PostgreSQL database when the suite runs there)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite'}"
        return
    name = f"registry_key_expiry_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_keys_issued_before_the_upgrade_get_the_full_lifetime_from_it(database_before_expiry):
    """The migration's rule: last day = the upgrade's date (Asia/Shanghai) + 365 days."""
    upgraded = create_app({"TESTING": True, "SECRET_KEY": "upgrade", "DATABASE_URL": database_before_expiry,
                           "RATELIMIT_ENABLED": False})
    with upgraded.app_context():
        try:
            flask_migrate.upgrade(revision="3d7e5b8c2f14")
            db.session.execute(sa.text(
                "INSERT INTO api_keys (name, prefix, key_hash, scopes, rate_limit, created_at) "
                "VALUES ('旧系统', 'oldkey01', :hash, 'credit:read', '600/minute', :created)"),
                {"hash": "0" * 64, "created": datetime(2025, 1, 1)})
            db.session.commit()
            flask_migrate.upgrade()
            upgrade_day = datetime.now(SHANGHAI).date()
            key = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == "oldkey01"))
            assert key.last_day in (upgrade_day + timedelta(days=365), upgrade_day + timedelta(days=364))
            assert key.is_active
        finally:
            db.session.remove()
            db.engine.dispose()
