"""Nothing lost silently: given-up notifications stay, are listed and sent again
(API and admin page), and each notification says how many earlier ones of its subject were given
up; a key can ask for a test event itself (§6)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from registry.core.audit import AuditEvent
from registry.core.settings import set_setting
from registry.watch import delivery
from registry.watch.models import Delivery, DeliveryStatus
from tests.watch.conftest import publish

GIVEN_UP = "/api/v1/watchlist/given-up"


pytestmark = pytest.mark.usefixtures("local_receivers_allowed")


@pytest.fixture
def failing_once(db, make, receiver):
    """A watcher whose endpoint refuses everything, with one attempt per notification: one change
    of its subject given up.  ``(key, headers, subject, receiver)``."""
    set_setting("watch_max_attempts", 1, make.user("admin", unit="FGC"))
    subject = make.subject()
    key, raw, _secret = make.watcher(subject.identifier, url=receiver.url)
    receiver.respond = lambda body: 500
    publish(make, subject)
    assert delivery.run()["given_up"] == 1
    db.session.commit()
    receiver.requests.clear()
    receiver.respond = lambda body: 204
    return key, {"X-API-Key": raw}, subject, receiver


def test_a_given_up_notification_is_listed_and_sent_again_with_its_webhook_id(client, db, failing_once):
    key, headers, subject, receiver = failing_once
    page = client.get(GIVEN_UP, headers=headers).get_json()
    (item,) = page["notifications"]
    row = db.session.scalar(sa.select(Delivery).where(Delivery.key_id == key.id))
    assert (page["count"], page["has_more"]) == (1, False)
    assert item["webhook_id"] == row.message_id and item["attempts"] == 1 and "HTTP 500" in item["last_error"]
    assert item["subject"]["identifier"] == subject.identifier and item["change"]["change"] == "publicity_started"
    answer = client.post(f"{GIVEN_UP}/redeliver", headers=headers)
    assert answer.status_code == 200 and answer.get_json() == {"redelivered": 1, "given_up": 0}
    assert delivery.run()["delivered"] == 1
    (sent,) = receiver.requests
    assert sent["headers"]["webhook-id"] == row.message_id
    assert sent["body"]["data"]["changes"][0]["cursor"] == item["change"]["cursor"]
    assert client.get(GIVEN_UP, headers=headers).get_json()["notifications"] == []
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "watch.redeliver")) == 1


def test_each_notification_says_how_many_earlier_ones_were_given_up(client, db, make, failing_once):
    _key, headers, subject, receiver = failing_once
    publish(make, subject)
    assert delivery.run()["delivered"] == 1
    assert receiver.requests[-1]["body"]["data"]["given_up_before"] == 1
    client.post(f"{GIVEN_UP}/redeliver", headers=headers, json={})
    delivery.run()
    publish(make, subject)
    delivery.run()
    assert receiver.requests[-1]["body"]["data"]["given_up_before"] == 0
    other = make.subject()  # another subject of the same key: not counted against it
    client.post("/api/v1/watchlist", headers=headers, json={"identifiers": [other.identifier]})
    publish(make, other)
    delivery.run()
    changes = [r["body"]["data"] for r in receiver.requests if r["body"]["type"] == "watchlist.change"]
    assert changes[-1]["subject"]["identifier"] == other.identifier and changes[-1]["given_up_before"] == 0


def test_only_the_keys_own_ids_are_sent_again(client, db, make, failing_once):
    key, headers, _subject, _receiver = failing_once
    _other, other_raw, _secret = make.watcher(url="https://example.cn/h")
    (row,) = db.session.scalars(sa.select(Delivery).where(Delivery.key_id == key.id))
    answer = client.post(f"{GIVEN_UP}/redeliver", headers={"X-API-Key": other_raw}, json={"ids": [row.id]})
    assert answer.get_json() == {"redelivered": 0, "given_up": 0}
    db.session.refresh(row)
    assert row.status is DeliveryStatus.FAILED
    answer = client.post(f"{GIVEN_UP}/redeliver", headers=headers, json={"ids": [float(row.id)]})
    assert answer.get_json() == {"redelivered": 1, "given_up": 0}  # 7.0 is an integer to JSON Schema


@pytest.mark.parametrize("body", [{"ids": "all"}, {"ids": [0]}, {"ids": ["1"]}, {"ids": [True]}, [1, 2]])
def test_a_bad_redeliver_body_is_refused_and_nothing_changes(client, db, failing_once, body):
    key, headers, _subject, _receiver = failing_once
    answer = client.post(f"{GIVEN_UP}/redeliver", headers=headers, json=body)
    assert answer.status_code == 400 and answer.get_json()["code"] == "bad_request"
    assert db.session.scalar(sa.select(Delivery.status).where(Delivery.key_id == key.id)) is DeliveryStatus.FAILED


def test_a_key_sends_itself_a_test_event(client, db, make, receiver):
    _key, raw, _secret = make.watcher(url=receiver.url)
    answer = client.post("/api/v1/watchlist/test", headers={"X-API-Key": raw})
    assert answer.status_code == 200 and answer.get_json()["queued"] is True
    assert delivery.run()["delivered"] == 1
    assert receiver.requests[0]["body"]["type"] == "watchlist.test"
    assert receiver.requests[0]["headers"]["webhook-id"] == answer.get_json()["webhook_id"]


def test_a_key_without_an_endpoint_is_told_so(client, db, make):
    _key, raw, _secret = make.watcher()
    answer = client.post("/api/v1/watchlist/test", headers={"X-API-Key": raw, "Accept-Language": "en"})
    assert answer.status_code == 409 and answer.get_json()["code"] == "no_endpoint"
    assert "administrator" in answer.get_json()["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_the_admin_page_sends_them_again_and_an_auditor_cannot(client, db, login, failing_once):
    key, _headers, _subject, _receiver = failing_once
    login("auditor", unit="FGC")
    page = client.get(f"/admin/watch/{key.id}").get_data(as_text=True)
    assert f"/admin/watch/{key.id}/redeliver" not in page
    assert client.post(f"/admin/watch/{key.id}/redeliver").status_code == 403
    login("admin", unit="FGC")
    assert f"/admin/watch/{key.id}/redeliver" in client.get(f"/admin/watch/{key.id}").get_data(as_text=True)
    assert client.post(f"/admin/watch/{key.id}/redeliver").status_code == 302
    assert db.session.scalar(sa.select(Delivery.status).where(Delivery.key_id == key.id)) is DeliveryStatus.PENDING


def test_the_answers_match_the_document(client, db, failing_once):
    _key, headers, _subject, _receiver = failing_once
    document = client.get("/api/v1/openapi.json").get_json()

    def check(schema, value):
        Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
                             ).validate(value)

    check("GivenUpPage", client.get(GIVEN_UP, headers=headers).get_json())
    check("Redelivered", client.post(f"{GIVEN_UP}/redeliver", headers=headers).get_json())


def test_the_job_ticks_often_enough_for_the_documented_schedule():
    """Retries at 10, 20, 40 s and a first delivery within a second or two need a tick of a
    second or two (issue 33 §5: with a 10 s tick retries came at 20, 30, 50 s)."""
    from registry.checks.registry import JOBS

    assert JOBS["watch_notifications"].seconds <= 2


def test_the_sandbox_key_watches_subjects_with_public_records_and_notifies(app, db, make, receiver):
    from registry.accounts.apikeys import ApiKey, ApiScope
    from registry.watch.models import WatchedIdentifier, WatchEndpoint

    subject = make.subject()
    publish(make, subject)
    make.user("admin", unit="FGC")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["apikeys", "sandbox", "--endpoint", receiver.url, "--watch", "1"])
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip().splitlines()[-1]
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.name == "sandbox"))
    assert raw.startswith("hcr_") and set(key.scopes.split()) == {scope.value for scope in ApiScope}
    assert db.session.scalar(sa.select(sa.func.count()).where(WatchedIdentifier.key_id == key.id)) == 1
    assert db.session.get(WatchEndpoint, key.id).url == receiver.url
    client = app.test_client()
    assert client.post("/api/v1/watchlist/test", headers={"X-API-Key": raw}).status_code == 200
    assert delivery.run()["delivered"] == 1
