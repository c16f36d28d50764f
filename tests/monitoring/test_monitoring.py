"""Operating the registry: /healthz, /readyz, /metrics and JSON logs."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.checks.models import Alert, CheckRun
from registry.core import clock
from registry.core.logs import JsonFormatter, _JsonHandler
from tests.factories import valid_uscc

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _head_revision() -> str:
    """The one revision no other migration builds on, read from the files themselves."""
    revisions, parents = set(), set()
    for script in MIGRATIONS.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revisions.add(re.search(r"^revision\s*=\s*['\"](\w+)['\"]", text, re.M).group(1))
        down = re.search(r"^down_revision\s*=\s*(.+)$", text, re.M).group(1)
        parents.update(re.findall(r"['\"](\w+)['\"]", down))
    (head,) = revisions - parents
    return head


def _stamp(db, revision: str) -> None:
    """Give the test database (built by create_all) an Alembic version, inside the test's transaction."""
    db.session.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    db.session.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})


def _ran(db, hours_ago: float, name: str = "publish_due_entries") -> None:
    db.session.add(CheckRun(name=name, run_for=clock.today(), started_at=clock.utcnow() - timedelta(hours=hours_ago)))
    db.session.flush()


# --- /healthz and /readyz -----------------------------------------------------------------------

def test_healthz_answers_without_a_database(tmp_path):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'no.sqlite'}"})
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_ready_when_the_schema_is_current_and_the_scheduler_ran(client, db):
    _stamp(db, _head_revision())
    _ran(db, hours_ago=1)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "ready"


def test_not_ready_when_the_database_lacks_migrations(client, db):
    _ran(db, hours_ago=1)
    _stamp(db, "0000older0000")
    body = client.get("/readyz")
    assert body.status_code == 503
    assert body.get_json()["checks"]["migrations"] == {
        "ok": False, "database": ["0000older0000"], "code": [_head_revision()]}


def test_not_ready_when_the_database_was_never_migrated(client, db):
    _ran(db, hours_ago=1)
    assert client.get("/readyz").get_json()["checks"]["migrations"]["ok"] is False


@pytest.mark.parametrize("hours_ago, stale", [(25.9, False), (26.1, True), (None, True)])
def test_a_stopped_scheduler_does_not_make_the_instance_unready(client, db, hours_ago, stale):
    """Readiness is about serving: a stale scheduler is said, not a 503."""
    _stamp(db, _head_revision())
    if hours_ago is not None:
        _ran(db, hours_ago)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready" and set(body["checks"]) == {"database", "migrations"}
    assert body["scheduler"]["stale"] is stale


def test_the_stale_scheduler_note_can_be_turned_off(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "READYZ_MAX_CHECK_AGE_HOURS", 0)
    _stamp(db, _head_revision())
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["scheduler"]["stale"] is False


# --- /metrics -----------------------------------------------------------------------------------

def _sample(text: str, name: str, **labels) -> float:
    """The value of one series in the Prometheus text format (0 when absent), parsed here."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
            if found == {key: str(value) for key, value in labels.items()}:
                return float(match.group(3))
    return 0.0


def _scrape(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.get_data(as_text=True)


def test_requests_are_counted_and_timed_by_endpoint(client):
    before = _scrape(client)
    for _ in range(3):
        client.get("/healthz")
    after = _scrape(client)
    series = {"endpoint": "monitoring.healthz", "method": "GET"}
    assert _sample(after, "registry_http_requests_total", status=200, **series) - \
        _sample(before, "registry_http_requests_total", status=200, **series) == 3
    assert _sample(after, "registry_http_request_duration_seconds_count", **series) - \
        _sample(before, "registry_http_request_duration_seconds_count", **series) == 3
    # Unknown paths share one series instead of one per path.
    client.get("/no/such/page/12345")
    assert _sample(_scrape(client), "registry_http_requests_total", endpoint="unmatched", method="GET", status=404) >= 1


def test_api_requests_are_counted_by_key(client, make):
    key, raw = make.api_key()
    subject = make.subject(identifier=valid_uscc())
    # Rolled-back tests reuse key ids while this process's counters live on: count the difference.
    before = _sample(_scrape(client), "registry_api_requests_total", key_id=key.id, status=200)
    for _ in range(2):
        assert client.get(f"/api/v1/credit/{subject.identifier}", headers={"X-API-Key": raw}).status_code == 200
    assert client.get("/api/v1/credit/x", headers={"X-API-Key": raw + "x"}).status_code == 401
    assert _sample(_scrape(client), "registry_api_requests_total", key_id=key.id, status=200) - before == 2


def test_check_runs_and_open_alerts_come_from_the_database(client, db, make):
    _ran(db, 30, name="metrics_test_check")
    _ran(db, 2, name="metrics_test_check")
    now = clock.utcnow()
    for resolved in (None, None, now):
        db.session.add(Alert(kind="metrics_test_kind", record_type="list_entry", record_id=make.entry().id,
                             raised_at=now - timedelta(hours=1), resolved_at=resolved))
    db.session.flush()
    text = _scrape(client)
    assert _sample(text, "registry_check_runs_total", check="metrics_test_check") == 2
    latest = (now - timedelta(hours=2)).timestamp()
    assert abs(_sample(text, "registry_check_last_run_timestamp_seconds", check="metrics_test_check") - latest) < 1
    assert _sample(text, "registry_alerts_open", kind="metrics_test_kind") == 2
    assert _sample(text, "registry_database_up") == 1


@pytest.mark.parametrize("address, headers, allowed", [
    ("127.0.0.1", {}, True),
    ("::1", {}, True),
    ("203.0.113.5", {}, False),
    ("10.0.0.9", {}, True),  # the configured monitoring network
    ("203.0.113.5", {"Authorization": "Bearer scrape-token-123"}, True),
    ("203.0.113.5", {"Authorization": "Bearer wrong"}, False),
    ("203.0.113.5", {"Authorization": "scrape-token-123"}, False),
])
def test_metrics_are_not_public(app, client, monkeypatch, address, headers, allowed):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token-123")
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128", "10.0.0.0/24"])
    response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == (200 if allowed else 404)


def test_without_a_token_no_authorization_header_opens_metrics(client):
    response = client.get("/metrics", headers={"Authorization": "Bearer "},
                          environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert response.status_code == 404


def test_behind_a_trusted_proxy_the_real_client_is_checked():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "TRUSTED_PROXIES": 1})
    response = app.test_client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 404


# --- JSON logs ----------------------------------------------------------------------------------

def test_json_log_lines(app):
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("registry.x", logging.ERROR, __file__, 1, "failed %s", ("import",),
                                   exc_info=__import__("sys").exc_info())
    with app.test_request_context("/officer/entries/", method="POST", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR" and entry["logger"] == "registry.x" and entry["message"] == "failed import"
    assert (entry["method"], entry["path"], entry["client"]) == ("POST", "/officer/entries/", "192.0.2.7")
    assert "ValueError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_log_format_json_installs_one_json_handler(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [logging.StreamHandler()])
    for _ in range(2):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "LOG_FORMAT": "json"})
    assert [type(handler) for handler in root.handlers] == [_JsonHandler]
    assert isinstance(root.handlers[0].formatter, JsonFormatter)


def test_an_unknown_log_format_is_refused():
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app({"SECRET_KEY": "x", "LOG_FORMAT": "xml"})


def test_each_check_reports_how_long_its_latest_run_took(client, db, monkeypatch):
    """The runner stores the wall time of a run; the metrics give the latest run's per check."""
    from registry.checks import runner
    from registry.checks.registry import Check

    ticks = iter([100.0, 102.5, 200.0, 200.25])  # monotonic readings: start and end of two runs
    monkeypatch.setattr(runner.time, "monotonic", lambda: next(ticks))
    probe = Check("metrics_duration_probe", lambda today: {}, {}, 0)
    runner.run_check(probe, clock.today())
    assert _sample(_scrape(client), "registry_check_last_duration_seconds", check="metrics_duration_probe") == 2.5
    runner.run_check(probe, clock.today())
    assert _sample(_scrape(client), "registry_check_last_duration_seconds", check="metrics_duration_probe") == 0.25
