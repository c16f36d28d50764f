"""The chain's daily heads, published where others keep a copy.

The anchor file sits beside the database: an insider who holds the instance folder, the key and
the database can rewrite the chain, re-key it and rewrite that file too.  What he cannot rewrite
is a copy someone else holds.  So the daily ``audit_anchor`` check also *publishes* the day's head
(``audit_published_heads``): the public feed ``/audit/heads.json`` lists every day's head for
anyone to archive, and each monthly exchange manifest sent to the ministry carries its month's
heads.  ``flask audit verify --published FILE_OR_URL`` (an archived feed, or a manifest) holds the
chain against such an outside copy and says loudly when the local anchor file is missing or
shorter than it.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.anchors import Anchor
from registry.core.audit import AuditEvent, chain_head, chain_identity
from registry.extensions import db

FEED_FORMAT = "registry-audit-heads/1"


class PublishedHead(db.Model):
    """The chain's head as the daily check found it, one row per day (Asia/Shanghai)."""

    __tablename__ = "audit_published_heads"

    day: Mapped[date] = mapped_column(primary_key=True)
    event_id: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))
    published_at: Mapped[datetime]


def publish_head(day: date) -> PublishedHead | None:
    """Publish the chain's head for ``day`` (once: a second run that day keeps the first head,
    which others may already have archived)."""
    existing = db.session.get(PublishedHead, day)
    if existing is not None:
        return existing
    head = chain_head()
    if head is None:
        return None
    published = PublishedHead(day=day, event_id=head.event_id, hash=head.hash, published_at=clock.utcnow())
    db.session.add(published)
    db.session.flush()
    return published


def heads(start: date | None = None, end: date | None = None) -> list[PublishedHead]:
    """Published heads from ``start`` up to (not including) ``end``, oldest first."""
    statement = sa.select(PublishedHead).order_by(PublishedHead.day)
    if start is not None:
        statement = statement.where(PublishedHead.day >= start)
    if end is not None:
        statement = statement.where(PublishedHead.day < end)
    return list(db.session.scalars(statement))


def head_item(head: PublishedHead) -> dict:
    return {"day": head.day.isoformat(), "event_id": head.event_id, "hash": head.hash}


def feed(base_url: str) -> dict:
    """The public feed: every published head, and what chain they belong to."""
    return {"format": FEED_FORMAT, "registry": base_url, "chain": chain_identity(),
            "heads": [head_item(head) for head in heads()]}


def republish_after_rekey() -> int:
    """A rekey gives every event a new hash: the published heads follow (archives made before it
    verify only with the old hashes; ``audit rekey`` prints the old and new head to record)."""
    rows = db.session.execute(
        sa.select(PublishedHead, AuditEvent.hash).join(AuditEvent, AuditEvent.id == PublishedHead.event_id)).all()
    for head, new_hash in rows:
        head.hash = new_hash
    db.session.flush()
    return len(rows)


def outside_anchors(document: dict, source: str) -> list[Anchor]:
    """The anchors an outside copy holds: a feed's heads, or a manifest's anchor and daily heads."""
    items = list(document.get("heads") or document.get("audit_heads") or [])
    if document.get("audit_anchor"):
        items.append({**document["audit_anchor"], "day": document.get("month", "")})
    try:
        return [Anchor(int(item["event_id"]), str(item["hash"]), f"{source} ({item.get('day', '')})")
                for item in items]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{source}: not a feed of audit heads nor a manifest") from error


def load_outside_copy(source: str, timeout: float = 10) -> list[Anchor]:
    """Read an archived feed or a delivered manifest from a file or an http(s) URL."""
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=timeout) as answer:
                text = answer.read().decode("utf-8")
        else:
            with open(source, encoding="utf-8") as file:
                text = file.read()
        document = json.loads(text)
    except (OSError, ValueError) as error:
        raise ValueError(f"{source}: cannot be read ({error})") from error
    if not isinstance(document, dict):
        raise ValueError(f"{source}: not a feed of audit heads nor a manifest")
    return outside_anchors(document, source)
