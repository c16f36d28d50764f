"""Change notifications: signed per Standard Webhooks, only public changes, retried, in order per subject."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from registry.checks.registry import JOBS
from registry.core import clock
from registry.core.audit import AuditEvent
from registry.core.settings import set_setting
from registry.listing import operations as entries
from registry.listing.models import EntryStatus as S
from registry.watch import delivery, operations
from registry.watch.models import Delivery, DeliveryStatus
from tests.watch.conftest import publish
from tests.watch_receiver import closed_port_url

pytestmark = pytest.mark.usefixtures("local_receivers_allowed")


@pytest.fixture
def fast(app):
    """Short timeouts so a hanging receiver costs the test little."""
    before = {name: app.config.get(name) for name in ("WATCH_TIMEOUT_SECONDS",)}
    app.config["WATCH_TIMEOUT_SECONDS"] = 0.3
    yield
    app.config.update(before)


def later(seconds: float):
    return clock.frozen_at(clock.utcnow() + timedelta(seconds=seconds))


def test_the_job_is_registered_for_the_scheduler_not_the_web(app):
    from registry.checks.scheduler import build_scheduler

    assert JOBS["watch_notifications"].seconds <= 60
    job = build_scheduler(app).get_job("job:watch_notifications")
    assert job.trigger.interval == timedelta(seconds=JOBS["watch_notifications"].seconds)


def test_a_notification_verifies_with_the_librarys_own_verifier(db, make, receiver):
    subject = make.subject()
    _key, _raw, secret = make.watcher(subject.identifier, url=receiver.url)
    entry = publish(make, subject)
    counts = delivery.run()
    assert counts["queued"] == 1 and counts["delivered"] == 1
    (request,) = receiver.requests
    payload = Webhook(secret).verify(request["raw"], request["headers"])
    assert payload["type"] == "watchlist.change"
    assert payload["data"]["subject"]["identifier"] == subject.identifier
    (item,) = payload["data"]["changes"]
    assert (item["record_type"], item["record_id"], item["change"]) == ("list_entry", entry.id, "publicity_started")
    assert item["payload"]["status"] == "in_publicity"
    assert request["headers"]["webhook-id"] == f"msg_{_key.id}_{db.session.scalar(sa.select(Delivery.id))}"
    tampered = request["raw"].replace(b"publicity_started", b"withdrawn")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, request["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request["raw"], request["headers"])  # another key's secret


def test_an_old_timestamp_is_refused_by_the_verifier(db, make):
    key, _raw, secret = make.watcher(url="http://127.0.0.1:9/x")
    operations.queue_test_event(key, actor=make.user("admin", unit="FGC"))
    (message,) = delivery.build_messages(delivery.claim_due())
    now = int(time.time())
    Webhook(secret).verify(message.body, delivery.signed_headers(message, now))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(message.body, delivery.signed_headers(message, now - 600))


def test_no_notification_for_a_draft_an_entry_in_review_or_an_unwatched_subject(db, make, receiver):
    watched, other = make.subject(), make.subject()
    make.watcher(watched.identifier, url=receiver.url)
    clerk = make.user("clerk")
    draft = entries.create_entry(
        actor=clerk, subject=watched, list_kind="black", category_id=make.category().id, reason="弄虚作假。",
        legal_basis="《公路建设市场信用信息管理办法》", decision_number="湘交〔2026〕7号",
        deciding_unit="湖南省交通运输厅",
        decision_date=clock.today() - timedelta(days=3), measure_ids=[])
    assert delivery.run()["queued"] == 0
    entries.submit_entry(draft, clerk, draft.version)
    assert draft.status is S.PENDING_REVIEW
    publish(make, other)  # public, but nobody watches it
    assert delivery.run() == {"queued": 0, "delivered": 0, "retrying": 0, "given_up": 0}
    assert receiver.requests == []
    entries.approve_entry(draft, make.user("reviewer"), draft.version)  # now the public sees it
    assert delivery.run()["delivered"] == 1
    assert [r["body"]["data"]["changes"][0]["record_id"] for r in receiver.requests] == [draft.id]


@pytest.mark.parametrize("failure", ["500", "timeout", "refused"])
def test_a_failure_is_retried_with_backoff_then_delivered(db, make, receiver, fast, failure):
    subject = make.subject()
    answers = iter([503 if failure == "500" else "hang" if failure == "timeout" else 204])
    receiver.respond = lambda body: next(answers, 204)
    key, _raw, _secret = make.watcher(subject.identifier,
                                      url=closed_port_url() if failure == "refused" else receiver.url)
    publish(make, subject)
    assert delivery.run()["retrying"] == 1
    row = db.session.scalar(sa.select(Delivery))
    db.session.refresh(row)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1
    assert {"500": "HTTP 503", "timeout": "no answer within 0.3 s", "refused": "connection refused"}[failure] \
        in row.last_error
    if failure == "refused":
        operations.set_endpoint(key, receiver.url, actor=make.user("admin", unit="FGC"))
    assert delivery.run()["delivered"] == 0  # backing off: not due yet
    with later(11):
        assert delivery.run()["delivered"] == 1
    db.session.refresh(row)
    assert row.status is DeliveryStatus.DONE and row.attempts == 2 and row.last_error is None
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert ids == {row.message_id}  # a repeat keeps its webhook-id


def test_backoff_doubles_up_to_an_hour(app):
    with app.app_context():
        assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
        assert delivery.backoff(30) == timedelta(hours=1)


def test_given_up_after_the_configured_attempts_and_audited(db, make, receiver):
    set_setting("watch_max_attempts", 2, make.user("admin", unit="FGC"))
    receiver.respond = lambda body: 500
    subject = make.subject()
    make.watcher(subject.identifier, url=receiver.url)
    publish(make, subject)
    delivery.run()
    with later(11):
        assert delivery.run()["given_up"] == 1
    with later(3600):
        assert delivery.run()["delivered"] == 0
    row = db.session.scalar(sa.select(Delivery))
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 2, "HTTP 500 Internal Server Error")
    assert len(receiver.requests) == 2
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "watch.delivery_failed"))
    assert event.object_id == row.id and json.loads(event.details)["attempts"] == 2


def test_a_subjects_changes_arrive_in_order_even_when_one_fails(db, make, receiver):
    first, second = make.subject(), make.subject()
    make.watcher(first.identifier, second.identifier, url=receiver.url)
    a1, a2 = publish(make, first).id, publish(make, first).id
    b1 = publish(make, second).id
    failed_once = []

    def respond(body):
        record = body["data"]["changes"][0]["record_id"]
        if record == a1 and not failed_once:
            failed_once.append(record)
            return 502
        return 200

    receiver.respond = respond
    delivery.run()
    sent = [r["body"]["data"]["changes"][0]["record_id"] for r in receiver.requests]
    assert sorted(sent) == [a1, b1]  # a2 waits behind a1
    with later(11):
        delivery.run()
    ok = [r["body"]["data"]["changes"][0]["record_id"] for r in receiver.delivered()]
    assert [record for record in ok if record in (a1, a2)] == [a1, a2]
    assert db.session.scalar(sa.select(sa.func.count()).where(Delivery.status == DeliveryStatus.DONE)) == 3


def test_a_delivery_whose_outcome_was_lost_is_sent_again_with_the_same_id(db, make, receiver):
    subject = make.subject()
    make.watcher(subject.identifier, url=receiver.url)
    publish(make, subject)
    delivery.queue_deliveries()
    claimed = delivery.claim_due()
    delivery.send_all(delivery.build_messages(claimed))  # sent, but the process "dies" before recording
    assert delivery.run()["delivered"] == 0  # leased
    with later(120):
        assert delivery.run()["delivered"] == 1
    first, again = receiver.requests
    assert first["headers"]["webhook-id"] == again["headers"]["webhook-id"]


def test_nothing_is_sent_for_a_revoked_key_or_without_an_endpoint(db, make, receiver):
    from registry.accounts.apikeys import revoke_key

    subject = make.subject()
    key, _raw, _secret = make.watcher(subject.identifier, url=receiver.url)
    pull_only, _raw2, _ = make.watcher(subject.identifier)
    revoke_key(key)
    publish(make, subject)
    assert delivery.run()["queued"] == 0
    assert receiver.requests == [] and operations.endpoint_of(pull_only) is None


def test_changes_from_before_the_endpoint_was_set_are_not_pushed(db, make, receiver):
    subject = make.subject()
    publish(make, subject)
    make.watcher(subject.identifier, url=receiver.url)
    assert delivery.run()["queued"] == 0


def test_the_test_event_is_signed_and_sent(db, make, receiver):
    key, _raw, secret = make.watcher(url=receiver.url)
    operations.queue_test_event(key, actor=make.user("admin", unit="FGC"))
    assert delivery.run()["delivered"] == 1
    (request,) = receiver.requests
    body = Webhook(secret).verify(request["raw"], request["headers"])
    assert body["type"] == "watchlist.test" and body["data"]["key"] == f"hcr_{key.prefix}"


def test_an_objection_on_a_watched_public_record_is_notified_when_filed_and_closed(db, make, receiver):
    from registry.objections import operations as objections

    subject = make.subject()
    entry = make.entry(S.PUBLISHED, subject=subject)
    make.watcher(subject.identifier, url=receiver.url)
    objection, _code = make.objection(entry)
    delivery.run()
    (filed,) = [r["body"]["data"]["changes"][0] for r in receiver.delivered()]
    assert (filed["record_id"], filed["change"], filed["reason"]) == (entry.id, "updated", "objection_opened")
    assert filed["payload"]["markers"] == {"in_publicity": False, "objection_pending": True, "under_repair": False}
    reviewer, other = make.user("reviewer"), make.user("reviewer")
    objections.reject(objection, reviewer, objection.version, "不属于受理范围。")
    objections.confirm_rejection(objection, other, objection.version)
    delivery.run()
    closed = receiver.delivered()[-1]["body"]["data"]["changes"][0]
    assert closed["reason"] == "objection_closed" and closed["payload"]["markers"]["objection_pending"] is False


def test_no_hold_notification_for_a_record_the_public_does_not_see(db, make, receiver):
    from registry.applications.targets import feed_hold
    from registry.core.holds import HoldKind

    subject = make.subject()
    draft = make.entry(S.DRAFT, subject=subject)
    make.watcher(subject.identifier, url=receiver.url)
    feed_hold("list_entry", draft.id, HoldKind.OBJECTION, opened=True)
    assert delivery.run()["queued"] == 0
