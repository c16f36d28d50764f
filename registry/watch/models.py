"""A key's watched identifiers, its notification endpoint, and the deliveries queued for it.

Notifications are built from the public change feed (``core.changes``): only what the public can
see is ever sent.  ``WatchEndpoint.cursor`` is the feed position up to which the key's deliveries
have been queued; each ``Delivery`` is one feed item (or a test event) for one key, sent in feed
order per subject.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.db import str_enum
from registry.core.identifiers import SubjectKind, register_stored_identifiers
from registry.extensions import db

MAX_URL = 500
MAX_ERROR = 500
MAX_REFERENCE = 100


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (again)
    DONE = "done"  # the endpoint answered 2xx
    FAILED = "failed"  # given up after the configured number of attempts


class WatchedIdentifier(db.Model):
    """One identifier a key watches, normalised (``core.identifiers``)."""

    __tablename__ = "watched_identifiers"
    __table_args__ = (sa.UniqueConstraint("key_id", "identifier", name="uq_watched_identifiers_key_identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id"))
    identifier: Mapped[str] = mapped_column(sa.String(20), index=True)
    kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "watched_kind"))
    added_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    # The client's own name for the party (its supplier number, its case number): echoed in every
    # notification and answer about the identifier, so the client knows which of its parties it is
    # although a person's number is masked.
    reference: Mapped[str | None] = mapped_column(sa.String(MAX_REFERENCE))


register_stored_identifiers("watched_identifiers.identifier", row_id=WatchedIdentifier.id,
                            value=WatchedIdentifier.identifier, kind=WatchedIdentifier.kind)


class WatchEndpoint(db.Model):
    """Where a key's notifications go and the secret they are signed with (Standard Webhooks)."""

    __tablename__ = "watch_endpoints"
    __audit_type__ = "watch_endpoint"
    __table_args__ = (
        sa.CheckConstraint("cursor >= 0", name="cursor_not_negative"),
        sa.CheckConstraint("(previous_secret IS NULL) = (previous_secret_until IS NULL)",
                           name="previous_secret_has_end"),
    )

    key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id"), primary_key=True)
    url: Mapped[str | None] = mapped_column(sa.String(MAX_URL))
    # The signing secret ("whsec_" + base64): the registry must sign with it, so it is kept, and
    # shown to the administrator only once, when it is made.
    secret: Mapped[str] = mapped_column(sa.String(100))
    secret_created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    # The secret a rotation replaced: messages are signed with it too until ``previous_secret_until``
    # (the ``watch_secret_grace_hours`` setting after the rotation), so that a receiver can switch
    # to the new secret at its own pace.
    previous_secret: Mapped[str | None] = mapped_column(sa.String(100))
    previous_secret_until: Mapped[datetime | None]
    cursor: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # feed position queued up to
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    key = relationship("ApiKey")

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a message sent at ``now`` is signed with: the current one, and the one it
        replaced while its grace period lasts."""
        if self.previous_secret is not None and self.previous_secret_until is not None \
                and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Delivery(db.Model):
    """One notification for one key: a feed item (``event_id``) or a test event (no event)."""

    __tablename__ = "watch_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("key_id", "event_id", name="uq_watch_deliveries_key_event"),
        sa.Index("ix_watch_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_watch_deliveries_subject", "key_id", "subject_id", "status", "event_id"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("status <> 'done' OR delivered_at IS NOT NULL", name="done_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("change_events.id"))
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id"))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status"),
                                                  default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(MAX_ERROR))

    @property
    def message_id(self) -> str:
        """The webhook-id: the same on every attempt, so a receiver can drop a repeat."""
        return f"msg_{self.key_id}_{self.id}"
