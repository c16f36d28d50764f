"""Queueing change notifications from the feed and sending them, signed (Standard Webhooks).

Runs in the scheduler process only (``watch.checks`` registers the job), committing as it goes:

1. ``queue_deliveries``: for every active key (neither revoked nor expired) with an endpoint, one
   ``Delivery`` per feed item after the endpoint's cursor about a subject the key watches, then
   the cursor moves to the feed's head.  The feed carries only what the public sees, so nothing
   else is ever sent.
2. ``deliver_round``: claims the deliveries that are due and at the head of their subject's queue
   (a subject's next item waits until the one before it was delivered or given up), sends them in
   parallel with a short timeout, and records the outcome: done on a 2xx; otherwise the attempt
   counts, the next one waits longer (10 s, 20 s, 40 s … at most an hour), and after the
   ``watch_max_attempts`` setting the delivery is given up (failed, with its last error).

At least once: a delivery whose outcome was not recorded (the process died) is sent again when
its lease runs out; the ``webhook-id`` stays the same, so a receiver can drop the repeat.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from registry.accounts.apikeys import KEY_PREFIX, ApiKey, usable
from registry.core import clock, outbound
from registry.core.audit import record_events
from registry.core.changes import ChangeEvent, encode_cursor, public_event_ids
from registry.core.settings import get_setting
from registry.extensions import db
from registry.subjects.models import Subject
from registry.watch import recovery, sender
from registry.watch.models import Delivery, DeliveryStatus, WatchedIdentifier, WatchEndpoint
from registry.watch.operations import feed_head, watching
from registry.watch.subject_ids import feed_items, subject_ref

ROUND_SIZE = 200
MAX_BACKOFF_SECONDS = 3600


def _config(name: str, default):
    return current_app.config.get(name) or default


# ---------------------------------------------------------------------------------------------
# Queueing


def queue_deliveries() -> int:
    """Queue a delivery per new feed item about a watched subject, for every key with an endpoint."""
    head = feed_head()
    endpoints = db.session.execute(
        sa.select(WatchEndpoint.key_id, WatchEndpoint.cursor).join(ApiKey, ApiKey.id == WatchEndpoint.key_id)
        .where(WatchEndpoint.url.is_not(None), usable(clock.utcnow()), WatchEndpoint.cursor < head)
    ).all()
    now = clock.utcnow()
    columns = Delivery.__table__.c
    queued = 0
    for key_id, cursor in endpoints:
        rows = (
            sa.select(sa.literal(key_id), ChangeEvent.id, ChangeEvent.subject_id,
                      sa.literal(DeliveryStatus.PENDING.value), sa.literal(0),
                      sa.literal(now, columns.next_attempt_at.type), sa.literal(now, columns.created_at.type))
            .join(Subject, Subject.id == ChangeEvent.subject_id)
            .where(ChangeEvent.id > cursor, ChangeEvent.id <= head, watching(key_id))
            .order_by(ChangeEvent.id)
        )
        inserted = db.session.execute(sa.insert(Delivery.__table__).from_select(
            ["key_id", "event_id", "subject_id", "status", "attempts", "next_attempt_at", "created_at"], rows,
        ).returning(columns.id))
        queued += len(inserted.all())
        db.session.execute(sa.update(WatchEndpoint).where(WatchEndpoint.key_id == key_id).values(cursor=head))
    return queued


# ---------------------------------------------------------------------------------------------
# Claiming what is due


def claim_due(limit: int = ROUND_SIZE) -> list[int]:
    """The deliveries due now and first in their subject's queue, leased to this process."""
    now = clock.utcnow()
    earlier = aliased(Delivery)
    blocked = sa.select(earlier.id).where(
        earlier.key_id == Delivery.key_id, earlier.subject_id == Delivery.subject_id,
        earlier.status == DeliveryStatus.PENDING, earlier.event_id < Delivery.event_id,
    ).exists()
    due = list(db.session.scalars(
        sa.select(Delivery.id)
        .join(WatchEndpoint, WatchEndpoint.key_id == Delivery.key_id)
        .join(ApiKey, ApiKey.id == Delivery.key_id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now,
               WatchEndpoint.url.is_not(None), usable(now), ~blocked)
        .order_by(Delivery.id).limit(limit)
    ))
    if not due:
        return []
    lease = now + timedelta(seconds=2 * float(_config("WATCH_TIMEOUT_SECONDS", 5)) + 60)
    claimed = list(db.session.scalars(
        sa.update(Delivery)
        .where(Delivery.id.in_(due), Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .values(next_attempt_at=lease)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ))
    return sorted(claimed)


# ---------------------------------------------------------------------------------------------
# Building and sending


@dataclass(frozen=True)
class Message:
    delivery_id: int
    url: str
    message_id: str
    body: str
    secrets: tuple[str, ...]  # the current signing secret, and the rotated one during its grace period


def _state(subject: Subject, reference: str | None) -> dict:
    """A newly watched subject's first notification: its public records now (``recovery.queue_first_states``)."""
    head = feed_head()
    events = db.session.scalars(sa.select(ChangeEvent).where(
        ChangeEvent.id.in_(public_event_ids(head, subject.id))).order_by(ChangeEvent.id)).all()
    return {"subject": subject_ref(subject), "reference": reference, "cursor": encode_cursor(head),
            "records": feed_items(events, {subject.identifier: reference})}


def _body(delivery: Delivery, event: ChangeEvent | None, subject: Subject | None, key_prefix: str,
          missed: int, reference: str | None) -> str:
    stamp = clock.utcnow().isoformat().replace("+00:00", "Z")
    if event is None and subject is not None:
        body = {"type": "watchlist.state", "timestamp": stamp, "data": _state(subject, reference)}
    elif event is None:
        body = {"type": "watchlist.test", "timestamp": stamp,
                "data": {"key": f"{KEY_PREFIX}{key_prefix}", "message": "A test event: the endpoint is reachable."}}
    else:
        body = {"type": "watchlist.change", "timestamp": stamp,
                "data": {"subject": None if subject is None else subject_ref(subject), "reference": reference,
                         "changes": feed_items([event], {subject.identifier: reference} if subject else {}),
                         "given_up_before": missed}}  # watch.recovery: earlier ones of the subject missed
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)


def build_messages(ids: list[int]) -> list[Message]:
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(Delivery, ChangeEvent, Subject, WatchEndpoint, ApiKey.prefix, recovery.given_up_before(),
                  WatchedIdentifier.reference)
        .join(WatchEndpoint, WatchEndpoint.key_id == Delivery.key_id)
        .join(ApiKey, ApiKey.id == Delivery.key_id)
        .outerjoin(ChangeEvent, ChangeEvent.id == Delivery.event_id)
        .outerjoin(Subject, Subject.id == Delivery.subject_id)
        .outerjoin(WatchedIdentifier, sa.and_(WatchedIdentifier.key_id == Delivery.key_id,
                                              WatchedIdentifier.identifier == Subject.identifier))
        .where(Delivery.id.in_(ids)).order_by(Delivery.id)
    ).all()
    now = clock.utcnow()
    return [Message(d.id, endpoint.url, d.message_id, _body(d, event, subject, prefix, missed or 0, reference),
                    tuple(endpoint.signing_secrets(now)))
            for d, event, subject, endpoint, prefix, missed, reference in rows]


def signed_headers(message: Message, timestamp: int) -> dict[str, str]:
    """The Standard Webhooks headers of ``message`` signed at ``timestamp``."""
    return sender.signed_headers(message.message_id, message.body, message.secrets, timestamp)


def new_sender() -> sender.Sender:
    return sender.Sender(int(_config("WATCH_DELIVERY_WORKERS", 4)), float(_config("WATCH_TIMEOUT_SECONDS", 5)),
                         outbound.destinations())


def send_all(messages: list[Message], via: sender.Sender | None = None) -> dict[int, str | None]:
    """Send messages in parallel; delivery id → error or None (a ``Sender`` of its own unless given one)."""
    if not messages:
        return {}
    if via is None:
        with new_sender() as own:
            errors = own.send_all(messages)
    else:
        errors = via.send_all(messages)
    return {message.delivery_id: error for message, error in zip(messages, errors, strict=True)}


# ---------------------------------------------------------------------------------------------
# Recording the outcome


def backoff(attempts: int) -> timedelta:
    base = float(_config("WATCH_RETRY_SECONDS", 10))
    return timedelta(seconds=min(base * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def record_outcomes(outcomes: dict[int, str | None]) -> dict[str, int]:
    now = clock.utcnow()
    done = [delivery_id for delivery_id, error in outcomes.items() if error is None]
    if done:
        db.session.execute(sa.update(Delivery).where(Delivery.id.in_(done)).values(
            status=DeliveryStatus.DONE, attempts=Delivery.attempts + 1, delivered_at=now, last_error=None,
        ).execution_options(synchronize_session=False))
    failed = {delivery_id: error for delivery_id, error in outcomes.items() if error is not None}
    limit = get_setting("watch_max_attempts")
    given_up = []
    for delivery in db.session.scalars(sa.select(Delivery).where(Delivery.id.in_(list(failed)))) if failed else ():
        delivery.attempts += 1
        delivery.last_error = failed[delivery.id]
        if delivery.attempts >= limit:
            delivery.status = DeliveryStatus.FAILED
            given_up.append(delivery)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    db.session.flush()
    record_events([
        {"action": "watch.delivery_failed", "object_type": "watch_delivery", "object_id": d.id,
         "to_state": DeliveryStatus.FAILED, "details": {"key_id": d.key_id, "attempts": d.attempts,
                                                         "error": d.last_error}}
        for d in given_up
    ])
    return {"delivered": len(done), "retrying": len(failed) - len(given_up), "given_up": len(given_up)}


def deliver_round(limit: int = ROUND_SIZE, via: sender.Sender | None = None) -> dict[str, int]:
    """Claim (commit), send, record (commit): one round of at most ``limit`` deliveries."""
    ids = claim_due(limit)
    messages = build_messages(ids)
    db.session.commit()
    if not messages:
        return {"delivered": 0, "retrying": 0, "given_up": 0}
    counts = record_outcomes(send_all(messages, via))
    db.session.commit()
    return counts


def run(budget_seconds: float = 50.0) -> dict[str, int]:
    """The scheduler's job: queue from the feed, then send rounds until nothing is due or time is up."""
    totals = {"queued": queue_deliveries(), "delivered": 0, "retrying": 0, "given_up": 0}
    db.session.commit()
    deadline = time.monotonic() + budget_seconds
    with new_sender() as via:
        while time.monotonic() < deadline:
            counts = deliver_round(via=via)
            for name, n in counts.items():
                totals[name] += n
            if not any(counts.values()):
                break
    return totals
