"""Rotating the signing secret without an outage: during the grace period (the
``watch_secret_grace_hours`` setting, 24 hours unless changed) every message carries a signature
by the old secret and one by the new, space-separated as Standard Webhooks allows; after it, only
the new secret's.  Verified with the ``standardwebhooks`` library a receiver would use."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from registry.core import clock
from registry.core.settings import set_setting
from registry.watch import delivery, operations
from registry.watch.models import Delivery, WatchEndpoint


def _message_headers(db, key, admin):
    """A test event for ``key``, built and signed now: ``(body, headers)``."""
    db.session.execute(sa.delete(Delivery).where(Delivery.key_id == key.id))
    operations.queue_test_event(key, actor=admin)
    (message,) = delivery.build_messages(delivery.claim_due())
    return message.body, delivery.signed_headers(message, int(time.time()))


def _verifies(secret: str, body: str, headers: dict) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


@pytest.fixture
def rotated(db, make):
    admin = make.user("admin", unit="FGC")
    key, _raw, old = make.watcher(url="https://bidding.example.cn/hooks")
    new = operations.rotate_secret(key, actor=admin)
    return key, admin, old, new


def test_during_the_grace_period_both_secrets_verify(db, rotated):
    key, admin, old, new = rotated
    body, headers = _message_headers(db, key, admin)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert _verifies(old, body, headers) and _verifies(new, body, headers)
    assert not _verifies("whsec_" + "QUJD" * 8, body, headers)


def test_after_the_grace_period_only_the_new_secret_verifies(db, rotated):
    key, admin, old, new = rotated
    with clock.frozen_at(clock.utcnow() + timedelta(hours=23, minutes=59)):
        body, headers = _message_headers(db, key, admin)
        assert _verifies(old, body, headers)
    with clock.frozen_at(clock.utcnow() + timedelta(hours=24, seconds=1)):
        body, headers = _message_headers(db, key, admin)
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert _verifies(new, body, headers) and not _verifies(old, body, headers)


def test_the_grace_period_is_a_setting_and_zero_cuts_over_at_once(db, make):
    admin = make.user("admin", unit="FGC")
    set_setting("watch_secret_grace_hours", 0, admin)
    key, _raw, old = make.watcher(url="https://bidding.example.cn/hooks")
    new = operations.rotate_secret(key, actor=admin)
    body, headers = _message_headers(db, key, admin)
    assert _verifies(new, body, headers) and not _verifies(old, body, headers)
    endpoint = db.session.get(WatchEndpoint, key.id)
    assert endpoint.previous_secret is None and endpoint.previous_secret_until is None


def test_a_second_rotation_drops_the_first_secret(db, rotated):
    key, admin, first, second = rotated
    third = operations.rotate_secret(key, actor=admin)
    body, headers = _message_headers(db, key, admin)
    assert _verifies(second, body, headers) and _verifies(third, body, headers)
    assert not _verifies(first, body, headers)


def test_a_previous_secret_needs_an_end_in_the_database(db, rotated):
    key, *_ = rotated
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(WatchEndpoint).where(WatchEndpoint.key_id == key.id)
                           .values(previous_secret_until=None))
