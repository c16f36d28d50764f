"""Issuing and revoking API keys: the admin page (key shown once) and the command line."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.accounts.apikeys import ApiKey, find_key, issue_key
from registry.core.errors import ValidationFailed
from tests.factories import valid_uscc


def test_admin_issues_a_key_shown_once(client, login):
    login("admin", unit="FGC")
    response = client.post("/admin/api-keys/", data={
        "name": "高速公路收费系统", "scopes": ["credit:read", "changes:read"], "rate_limit": "100/minute",
    })
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    raw = re.search(r'id="new-key">(hcr_[^<]+)<', response.get_data(as_text=True)).group(1)
    assert client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": raw}).status_code == 200
    assert raw not in client.get("/admin/api-keys/").get_data(as_text=True)
    key = find_key(raw)
    assert key.scope_set == {"credit:read", "changes:read"} and key.rate_limit == "100/minute"


@pytest.mark.parametrize("data, message", [
    ({"name": "", "scopes": ["credit:read"], "rate_limit": "1/minute"}, "This field is required"),
    ({"name": "x", "rate_limit": "1/minute"}, "Choose at least one scope"),
    ({"name": "x", "scopes": ["admin:all"], "rate_limit": "1/minute"}, "not a valid choice"),
    ({"name": "x", "scopes": ["credit:read"], "rate_limit": "lots"}, "600/minute"),
])
def test_bad_key_forms(client, login, data, message):
    login("admin", unit="FGC")
    response = client.post("/admin/api-keys/?lang=en", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_admin_revokes_a_key(client, login, make):
    row, raw = make.api_key()
    login("admin", unit="FGC")
    assert client.post(f"/admin/api-keys/{row.id}/revoke").status_code == 302
    response = client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": raw})
    assert response.get_json()["error"]["code"] == "revoked_key"


@pytest.mark.parametrize("role, view, issue", [("auditor", 200, 403), ("clerk", 403, 403), ("reviewer", 403, 403)])
def test_who_may_see_and_issue(client, login, make, role, view, issue):
    row, _ = make.api_key()
    login(role, unit="FGC")
    assert client.get("/admin/api-keys/").status_code == view
    assert client.get(f"/admin/api-keys/{row.id}").status_code == view
    assert client.post("/admin/api-keys/", data={"name": "x", "scopes": ["credit:read"],
                                                 "rate_limit": "1/minute"}).status_code == issue
    assert client.post(f"/admin/api-keys/{row.id}/revoke").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/admin/api-keys/").status_code == 302


def test_key_page_lists_requests_without_identifiers(client, login, make):
    row, raw = make.api_key()
    code = valid_uscc()
    client.get(f"/api/v1/credit/{code}", headers={"X-API-Key": raw})
    login("admin", unit="FGC")
    body = client.get(f"/admin/api-keys/{row.id}").get_data(as_text=True)
    assert "api.credit" in body and code not in body


def test_cli_create_prints_a_working_key(app, client, db):
    result = app.test_cli_runner().invoke(args=["apikeys", "create", "--name", "招投标系统", "--scope", "credit:read",
                                                "--scope", "report:read", "--rate", "60/minute"])
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip().splitlines()[-1]
    assert raw.startswith("hcr_")
    key = find_key(raw)
    assert key.name == "招投标系统" and key.scope_set == {"credit:read", "report:read"}
    listing = app.test_cli_runner().invoke(args=["apikeys", "list"])
    assert key.prefix in listing.output and raw not in listing.output
    assert app.test_cli_runner().invoke(args=["apikeys", "revoke", str(key.id)]).exit_code == 0
    assert db.session.get(ApiKey, key.id).revoked_at is not None


def test_cli_refuses_an_unknown_scope(app, db):
    result = app.test_cli_runner().invoke(args=["apikeys", "create", "--name", "x", "--scope", "everything"])
    assert result.exit_code != 0 and "everything" in result.output
    assert db.session.scalar(sa.select(ApiKey).where(ApiKey.name == "x")) is None


@pytest.mark.parametrize("rate", ["", "0/minute", "abc", "5/fortnight"])
def test_bad_rates_are_refused(db, rate):
    with pytest.raises(ValidationFailed):
        issue_key(name="x", scopes=["credit:read"], rate_limit=rate or "  ")
