"""Nothing lost silently: the notifications given up after their last attempt stay,
and a key (through the API) or an administrator (on the watch page) lists them and has them sent
again; a test event can be asked for by the key itself (the sandbox's "send a test event").

The rule a delivery states: each notification's ``data.given_up_before`` counts the earlier
notifications about the same subject, for the same key, that were given up and not yet sent again.
Zero means the receiver has seen every earlier change of that subject it was sent; more than zero
means it missed some: it redelivers them (``POST /api/v1/watchlist/deliveries/redeliver``) or
reads them from the pull (``GET /api/v1/watchlist/changes``).  The subject is not blocked: later
changes keep coming, so a receiver is never further behind than it must be.  A redelivered
notification arrives after later ones of its subject; its change's ``cursor`` gives its place in
the feed.  None of these functions commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from registry.accounts.apikeys import KEY_PREFIX, ApiKey
from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import ValidationFailed
from registry.extensions import db
from registry.subjects.models import Subject
from registry.watch.models import Delivery, DeliveryStatus, WatchEndpoint

MAX_REDELIVER = 1000


def given_up_page(key_id: int, after: int, limit: int) -> tuple[list[Delivery], bool]:
    """The key's given-up notifications after delivery id ``after``, oldest first, and whether more follow."""
    rows = list(db.session.scalars(
        sa.select(Delivery).where(Delivery.key_id == key_id, Delivery.status == DeliveryStatus.FAILED,
                                  Delivery.id > after)
        .order_by(Delivery.id).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def given_up_count(key_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(
        Delivery.key_id == key_id, Delivery.status == DeliveryStatus.FAILED)) or 0


def given_up_before():
    """A SQL expression for the statement's ``Delivery``: how many earlier notifications of its
    subject, for its key, were given up (and not sent again since)."""
    earlier = aliased(Delivery)
    return (sa.select(sa.func.count(earlier.id)).where(
        earlier.key_id == Delivery.key_id, earlier.subject_id == Delivery.subject_id,
        earlier.status == DeliveryStatus.FAILED, earlier.event_id < Delivery.event_id)
        .correlate(Delivery).scalar_subquery())


def redeliver(key: ApiKey, ids: list[int] | None, *, actor=None) -> int:
    """Queue the key's given-up notifications again (those of ``ids``, or all of them): they are
    sent as new, with their first ``webhook-id``; returns how many.  An id that is not a given-up
    notification of this key is skipped (it may have been redelivered already)."""
    if ids is not None and len(ids) > MAX_REDELIVER:
        raise ValidationFailed(_l("At most %(n)d notifications can be sent again at once.", n=MAX_REDELIVER),
                               field="ids")
    condition = [Delivery.key_id == key.id, Delivery.status == DeliveryStatus.FAILED]
    if ids is not None:
        condition.append(Delivery.id.in_(ids))
    now = clock.utcnow()
    redelivered = db.session.execute(
        sa.update(Delivery).where(*condition)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if redelivered:
        record_event("watch.redeliver", actor=actor, obj=key, details={"key": key.prefix, "count": redelivered},
                     actor_label=None if actor is not None else f"api key {KEY_PREFIX}{key.prefix}")
    return redelivered


def queue_first_states(key: ApiKey, identifiers: list[str]) -> int:
    """A first notification for each newly watched identifier the registry knows, when the key
    has an endpoint: ``watchlist.state``, the subject's public records as they are when it is
    sent, with the feed cursor they are consistent with (``watch.delivery`` builds it).  The
    notifications of its later changes follow as usual."""
    endpoint = db.session.get(WatchEndpoint, key.id)
    if endpoint is None or not endpoint.url or not identifiers:
        return 0
    subject_ids = db.session.scalars(sa.select(Subject.id).where(Subject.identifier.in_(identifiers))).all()
    now = clock.utcnow()
    db.session.add_all([Delivery(key_id=key.id, subject_id=subject_id, status=DeliveryStatus.PENDING, attempts=0,
                                 next_attempt_at=now, created_at=now) for subject_id in subject_ids])
    return len(subject_ids)


def queue_key_test_event(key: ApiKey) -> Delivery:
    """A test notification the key asked for itself (``POST /api/v1/watchlist/test``)."""
    endpoint = db.session.get(WatchEndpoint, key.id)
    if endpoint is None or not endpoint.url:
        raise ValidationFailed(_l("This key has no notification endpoint: ask the registry's administrator to "
                                  "set one."), field="url")
    now = clock.utcnow()
    delivery = Delivery(key_id=key.id, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    db.session.flush()
    record_event("watch.test_event", obj=key, actor_label=f"api key {KEY_PREFIX}{key.prefix}",
                 details={"key": key.prefix, "delivery": delivery.id})
    return delivery
