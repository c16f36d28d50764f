"""Rate limits (per API key; per client address on public pages) and JSON 500s, on an app of their own.

The shared test app runs with RATELIMIT_ENABLED=False; these tests build one with limits on (and
not in testing mode, so that unexpected errors are rendered as they are in production), on an
SQLite file of their own, and put the shared limiter back as they found it.
"""

from __future__ import annotations

import pytest

from registry import create_app
from registry.accounts.apikeys import issue_key
from registry.extensions import db, limiter
from tests.factories import valid_uscc


@pytest.fixture
def limited_app(tmp_path):
    previous = limiter.enabled
    app = create_app({
        "SECRET_KEY": "limits", "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite'}",
        "RATELIMIT_ENABLED": True, "RATELIMIT_PUBLIC": "3 per minute", "RATELIMIT_STORAGE_URL": "memory://",
        "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
    })

    @app.route("/api/v1/test-failure")
    def failing():
        raise RuntimeError("boom")

    with app.app_context():
        db.create_all()
        limiter.reset()
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    limiter.reset()
    limiter.enabled = previous


def _key(app, rate: str, scopes=("credit:read",)) -> str:
    _, raw = issue_key(name="测试系统", scopes=scopes, rate_limit=rate)
    db.session.commit()
    return raw


def test_each_key_has_its_own_limit(limited_app):
    first, second = _key(limited_app, "2/minute"), _key(limited_app, "5/minute")
    client = limited_app.test_client()
    path = f"/api/v1/credit/{valid_uscc()}"
    assert [client.get(path, headers={"X-API-Key": first}).status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get(path, headers={"X-API-Key": first})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    assert client.get(path, headers={"X-API-Key": second}).status_code == 200


def test_the_limit_is_shared_by_every_endpoint_of_a_key(limited_app):
    key = _key(limited_app, "2/minute", scopes=("credit:read", "changes:read"))
    client = limited_app.test_client()
    assert client.get(f"/api/v1/credit/{valid_uscc()}", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/api/v1/changes", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/api/v1/changes", headers={"X-API-Key": key}).status_code == 429


def test_public_pages_are_limited_per_client_address(limited_app):
    client = limited_app.test_client()
    statuses = [client.get("/lists/black", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/lists/black", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_unexpected_errors_under_api_are_json(limited_app):
    response = limited_app.test_client().get("/api/v1/test-failure")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"


def test_oversized_request_is_json_413(limited_app):
    limited_app.config["MAX_CONTENT_LENGTH"] = 1000
    key = _key(limited_app, "10/minute")
    response = limited_app.test_client().post(
        "/api/v1/credit/batch", data="x" * 5000, content_type="application/json", headers={"X-API-Key": key}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
