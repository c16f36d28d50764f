"""The watchlist admin pages: endpoint and secret (shown once), rotation, test event, counts and errors."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from registry.core.audit import AuditEvent
from registry.watch import operations
from registry.watch.models import Delivery, DeliveryStatus, WatchEndpoint
from tests.factories import valid_uscc

SECRET = re.compile(r'id="new-secret">(whsec_[^<]+)<')


def test_admin_sets_the_endpoint_and_sees_the_secret_once(client, login, make, db):
    key, _raw, _ = make.watcher(valid_uscc(1), valid_uscc(2))
    login("admin", unit="FGC")
    response = client.post(f"/admin/watch/{key.id}", data={"url": "https://bidding.example.cn/hooks/credit"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    endpoint = db.session.get(WatchEndpoint, key.id)
    assert endpoint.url == "https://bidding.example.cn/hooks/credit" and endpoint.secret == secret
    page = client.get(f"/admin/watch/{key.id}").get_data(as_text=True)
    assert secret not in page and "https://bidding.example.cn/hooks/credit" in page
    again = client.post(f"/admin/watch/{key.id}", data={"url": "https://other.example.cn/h"})
    assert SECRET.search(again.get_data(as_text=True)) is None  # changing the address keeps the secret
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "watch.endpoint")
                               .order_by(AuditEvent.id)).all()[-1]
    assert json.loads(event.details)["to"] == "https://other.example.cn/h" and secret not in event.details


@pytest.mark.parametrize("url", ["ftp://example.cn/x", "example.cn/hooks", "https://user:pw@example.cn/",
                                 "https:///nohost", "http://example.cn:99999/", "https://exa mple.cn/"])
def test_a_bad_endpoint_is_refused_at_the_field(client, login, make, db, url):
    key, _raw, _ = make.watcher()
    login("admin", unit="FGC")
    response = client.post(f"/admin/watch/{key.id}?lang=en", data={"url": url})
    assert response.status_code == 400
    assert "http:// or https://" in response.get_data(as_text=True)
    assert db.session.get(WatchEndpoint, key.id) is None


def test_rotating_makes_a_new_secret_shown_once(client, login, make, db):
    key, _raw, old = make.watcher(url="https://example.cn/h")
    login("admin", unit="FGC")
    response = client.post(f"/admin/watch/{key.id}/rotate")
    new = SECRET.search(response.get_data(as_text=True)).group(1)
    assert new != old and db.session.get(WatchEndpoint, key.id).secret == new
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "watch.rotate_secret")) == 1


def test_the_test_event_button_queues_an_audited_delivery(client, login, make, db):
    key, _raw, _ = make.watcher(url="https://example.cn/h")
    login("admin", unit="FGC")
    assert client.post(f"/admin/watch/{key.id}/test").status_code == 302
    delivery = db.session.scalar(sa.select(Delivery))
    assert delivery.key_id == key.id and delivery.event_id is None and delivery.status is DeliveryStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "watch.test_event")) == 1


def test_no_test_event_without_an_endpoint(client, login, make, db):
    key, _raw, _ = make.watcher()
    login("admin", unit="FGC")
    response = client.post(f"/admin/watch/{key.id}/test?lang=en", follow_redirects=True)
    assert "Set the endpoint first" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_the_pages_show_counts_and_the_last_error(client, login, make, db):
    key, _raw, _ = make.watcher(valid_uscc(1), valid_uscc(2), valid_uscc(3), url="https://example.cn/h")
    admin = make.user("admin", unit="FGC")
    failed = operations.queue_test_event(key, actor=admin)
    failed.status, failed.attempts, failed.last_error = DeliveryStatus.FAILED, 8, "HTTP 500 Internal Server Error"
    operations.queue_test_event(key, actor=admin)
    db.session.flush()
    login(admin)
    index = client.get("/admin/watch/?lang=en").get_data(as_text=True)
    assert "https://example.cn/h" in index and "HTTP 500 Internal Server Error" in index
    row = re.search(rf'<tr>\s*<td><a href="/admin/watch/{key.id}">.*?</tr>', index, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["3", "1", "1", "0"]  # watched, pending, failed, delivered
    page = client.get(f"/admin/watch/{key.id}?lang=en").get_data(as_text=True)
    assert "1 pending, 1 failed, 0 delivered" in page and "given up" in page


@pytest.mark.parametrize("role, view", [("auditor", 200), ("clerk", 403), ("reviewer", 403)])
def test_who_may_see_and_change(client, login, make, role, view):
    key, _raw, _ = make.watcher(url="https://example.cn/h")
    login(role, unit="FGC")
    assert client.get("/admin/watch/").status_code == view
    assert client.get(f"/admin/watch/{key.id}").status_code == view
    assert client.post(f"/admin/watch/{key.id}", data={"url": "https://evil.example/"}).status_code == 403
    assert client.post(f"/admin/watch/{key.id}/rotate").status_code == 403
    assert client.post(f"/admin/watch/{key.id}/test").status_code == 403


def test_an_unknown_key_is_a_404(client, login):
    login("admin", unit="FGC")
    assert client.get("/admin/watch/999999").status_code == 404
