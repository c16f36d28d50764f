"""Growing delays after failed attempts: throttling, never locking out.

A key names who tries what from where (an e-mail address with a client address, a client address
alone); each failure is a row.  After ``Policy.free`` failures that the ``Policy.memory`` still
remembers, the next attempt under the key must wait ``first_wait``, doubling with each further
failure up to ``longest_wait``, counted from the latest failure.  A success forgets the key.
Nothing is locked: a wait ends by itself, and a key that others fail under is not the owner's.

Keys are stored as keyed hashes (HMAC-SHA256 with ``SECRET_KEY``): the table shows neither the
addresses nor the e-mail addresses tried.  ``subject`` groups the keys of one account, so that
an administrator's password reset forgets them all.  The ``throttle_cleanup`` check (in
``checks``) deletes failures no policy remembers.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.extensions import db

# No policy remembers failures longer than this; older rows are deleted.
LONGEST_MEMORY = timedelta(days=7)


class ThrottleFailure(db.Model):
    """One failed attempt under a key (and the account it concerns, when there is one)."""

    __tablename__ = "throttle_failures"
    __table_args__ = (sa.Index("ix_throttle_failures_key_at", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    subject_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())


@dataclass(frozen=True)
class Policy:
    free: int  # failures without any wait
    first_wait: timedelta
    longest_wait: timedelta
    memory: timedelta  # failures older than this no longer count

    def wait_after(self, failures: int) -> timedelta:
        """How long the attempt after ``failures`` remembered failures waits from the last one."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 30)  # 2**30 first waits exceed any longest wait
        return min(self.first_wait * 2 ** doublings, self.longest_wait)


def key(*parts: str) -> str:
    """The stored form of a key: HMAC-SHA256 (``SECRET_KEY``) over its parts."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def wait_left(key_hash: str, policy: Policy, now: datetime | None = None) -> timedelta:
    """How much longer an attempt under ``key_hash`` must wait (zero: it may go ahead)."""
    now = now or clock.utcnow()
    failures, last = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(ThrottleFailure.at))
        .where(ThrottleFailure.key_hash == key_hash, ThrottleFailure.at > now - policy.memory)
    ).one()
    if not failures:
        return timedelta(0)
    last = last if last.tzinfo else last.replace(tzinfo=now.tzinfo)  # max() of a UTC column comes back naive
    return max(last + policy.wait_after(failures) - now, timedelta(0))


def note_failure(*key_hashes: str, subject: str | None = None, now: datetime | None = None) -> None:
    at = now or clock.utcnow()
    db.session.add_all(ThrottleFailure(key_hash=key_hash, subject_hash=subject, at=at) for key_hash in key_hashes)
    db.session.flush()


def forget(key_hash: str) -> None:
    db.session.execute(sa.delete(ThrottleFailure).where(ThrottleFailure.key_hash == key_hash))


def forget_subject(subject: str) -> None:
    db.session.execute(sa.delete(ThrottleFailure).where(ThrottleFailure.subject_hash == subject))


def purge(now: datetime | None = None) -> int:
    """Delete failures older than any policy remembers; the number deleted."""
    cutoff = (now or clock.utcnow()) - LONGEST_MEMORY
    return db.session.execute(sa.delete(ThrottleFailure).where(ThrottleFailure.at < cutoff)).rowcount or 0
