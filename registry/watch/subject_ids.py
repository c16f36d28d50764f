"""The opaque, stable subject id every API answer and notification carries.

Resident ID numbers are masked everywhere a business system reads them, so the masked number
cannot tell two persons apart; the id can.  It is a keyed hash of the subject's normalised
identifier (``sub_`` and 26 base32 characters): the same for the same subject in the credit
check, the change feed, the watchlist and every notification, the same for an identifier watched
before the registry knows it, and it reveals nothing of the number.  It changes only if the
registry's ``SECRET_KEY`` does (or the subject's identifier is corrected), which the operators
announce (docs/INTEGRATION.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app

from registry.core.changes import change_json
from registry.extensions import db
from registry.subjects.models import Subject

PREFIX = "sub_"
PATTERN = "^sub_[a-z2-7]{26}$"


def subject_id(identifier: str) -> str:
    key = hashlib.sha256(b"subject-id\0" + current_app.config["SECRET_KEY"].encode()).digest()
    digest = hmac.new(key, identifier.encode(), hashlib.sha256).digest()
    return PREFIX + base64.b32encode(digest[:16]).decode().rstrip("=").lower()


def subject_ref(subject) -> dict:
    """The one shape of a subject in the feed and in notifications, for every record type."""
    return {"id": subject_id(subject.identifier), "name": subject.name, "kind": subject.kind.value,
            "identifier": subject.public_identifier}


def feed_items(events, references: dict[str, str | None] | None = None) -> list[dict]:
    """The feed items of ``events`` as the API and notifications send them: ``change_json`` with
    the subject in one place (``subject``, or null for a change about no subject) and, for a
    watchlist (``references`` given, identifier → the client's reference), its ``reference``."""
    wanted = {event.subject_id for event in events if event.subject_id is not None}
    subjects = {s.id: s for s in db.session.scalars(sa.select(Subject).where(Subject.id.in_(wanted)))} \
        if wanted else {}
    items = []
    for event in events:
        subject = subjects.get(event.subject_id)
        item = {**change_json(event), "subject": None if subject is None else subject_ref(subject)}
        if references is not None:
            item["reference"] = None if subject is None else references.get(subject.identifier)
        items.append(item)
    return items
