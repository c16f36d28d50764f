"""What a key does with its watchlist, and what the administrator does with its endpoint.

The API views (``api.watch_views``) and the admin pages call these; none commits.  Identifiers
are normalised by ``core.identifiers``; a batch with any invalid identifier is refused whole,
each invalid one named by its index, and nothing is stored.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from registry.accounts.apikeys import KEY_PREFIX, ApiKey
from registry.core import clock, outbound
from registry.core.audit import record_event
from registry.core.changes import ChangeEvent
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.identifiers import (
    InvalidIdentifier,
    ParsedIdentifier,
    SubjectKind,
    normalize_uscc,
    parse_identifier,
)
from registry.core.permissions import Role
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.extensions import db
from registry.subjects.models import Subject
from registry.watch import recovery
from registry.watch.models import MAX_REFERENCE, MAX_URL, Delivery, DeliveryStatus, WatchedIdentifier, WatchEndpoint

MAX_BATCH = 1000
MAX_IDENTIFIER_LENGTH = 64
SECRET_PREFIX = "whsec_"

register_setting(SettingSpec("watch_max_identifiers", 100_000, _l("Identifiers one API key may watch"),
                             1, 1_000_000))
register_setting(SettingSpec("watch_max_attempts", 8, _l("Attempts to deliver a change notification"), 1, 50))
register_setting(SettingSpec("watch_secret_grace_hours", 24, _l(
    "Hours a rotated signing secret still signs notifications beside the new one"), 0, 720))


class InvalidIdentifiers(ValidationFailed):
    """Some identifiers of a batch are invalid: ``errors`` lists ``(index, message)``."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(_l("Some identifiers are not valid; nothing was changed."), field="identifiers")
        self.errors = errors


class WatchlistFull(ValidationFailed):
    """The key would watch more identifiers than the ``watch_max_identifiers`` setting allows."""

    def __init__(self, message, limit: int):
        super().__init__(message, field="identifiers")
        self.limit = limit


@dataclass(frozen=True)
class Watched:
    identifier: str
    kind: SubjectKind
    reference: str | None = None  # the client's own; None: keep the one it has


def _key_label(key: ApiKey) -> str:
    return f"api key {KEY_PREFIX}{key.prefix}"


def _reading(text: str) -> ParsedIdentifier:
    if len(text) == 18 and text.isascii() and not text[:17].isdigit():
        # As systems send a USCC: it cannot be a resident ID number, so skip that attempt (as the
        # credit check does); parse_identifier explains a wrong one.
        try:
            return ParsedIdentifier(SubjectKind.ORGANISATION, normalize_uscc(text))
        except InvalidIdentifier:
            pass
    return parse_identifier(text)[0]


def _item(entry) -> tuple[str | None, str | None, object]:
    """``(identifier text, reference, refusal)`` of one batch item: a string, or an object
    ``{"identifier": ..., "reference": ...}`` naming the client's own reference for it."""
    if isinstance(entry, str):
        return entry, None, None
    if not isinstance(entry, dict) or not isinstance(entry.get("identifier"), str) \
            or not set(entry) <= {"identifier", "reference"}:
        return None, None, _l('Each item must be a JSON string or an object {"identifier": ..., "reference": ...}.')
    reference = entry.get("reference")
    if reference is not None and (not isinstance(reference, str) or not 1 <= len(reference) <= MAX_REFERENCE):
        return None, None, _l("A reference must be a text of 1 to %(n)d characters.", n=MAX_REFERENCE)
    return entry["identifier"], reference, None


def parse_batch(items) -> list[Watched]:
    """The normalised identifiers of a batch, in order; raises ``InvalidIdentifiers`` naming each bad one."""
    if not isinstance(items, list):
        raise ValidationFailed(_l('Send a JSON object with a list "identifiers".'), field="identifiers")
    if len(items) > MAX_BATCH:
        raise ValidationFailed(_l("A batch may have at most %(n)d identifiers.", n=MAX_BATCH), field="identifiers")
    parsed, errors = [], []
    for index, entry in enumerate(items):
        item, reference, problem = _item(entry)
        if problem is not None:
            errors.append((index, str(problem)))
            continue
        if len(item) > MAX_IDENTIFIER_LENGTH:
            errors.append((index, str(_l("This is not a valid identifier: it is far too long."))))
            continue
        try:
            reading = _reading(item)
        except InvalidIdentifier as invalid:
            errors.append((index, str(invalid.message)))
            continue
        parsed.append(Watched(reading.value, reading.kind, reference))
    if errors:
        raise InvalidIdentifiers(errors)
    return parsed


def watched_count(key_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(WatchedIdentifier.key_id == key_id)) or 0


def _insert_ignoring_duplicates():
    """An INSERT (run with many rows at once) that skips an identifier a concurrent request just added."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(WatchedIdentifier.__table__).on_conflict_do_nothing(index_elements=["key_id", "identifier"])


def add_identifiers(key: ApiKey, items) -> dict:
    """Watch the identifiers of a batch; ``{"added", "already_watched", "count"}``.

    Refused whole when one is invalid or when the key would watch more than the setting allows.
    """
    wanted = {w.identifier: w for w in parse_batch(items)}
    existing = set(db.session.scalars(sa.select(WatchedIdentifier.identifier).where(
        WatchedIdentifier.key_id == key.id, WatchedIdentifier.identifier.in_(list(wanted)))))
    for value in existing:  # watched already: a reference sent now replaces the one it had
        if wanted[value].reference is not None:
            db.session.execute(sa.update(WatchedIdentifier).where(
                WatchedIdentifier.key_id == key.id, WatchedIdentifier.identifier == value,
            ).values(reference=wanted[value].reference))
    new = [w for value, w in wanted.items() if value not in existing]
    limit = get_setting("watch_max_identifiers")
    count = watched_count(key.id)
    if count + len(new) > limit:
        raise WatchlistFull(
            _l("A key may watch at most %(limit)d identifiers; it watches %(count)d and this batch adds %(new)d.",
               limit=limit, count=count, new=len(new)), limit)
    if new:
        now = clock.utcnow()
        db.session.execute(_insert_ignoring_duplicates(), [
            {"key_id": key.id, "identifier": w.identifier, "kind": w.kind, "added_at": now, "reference": w.reference}
            for w in new])
        record_event("watch.add", obj=key, actor_label=_key_label(key), details={"added": len(new)})
        recovery.queue_first_states(key, [w.identifier for w in new])
    return {"added": len(new), "already_watched": len(wanted) - len(new), "count": count + len(new)}


def remove_identifiers(key: ApiKey, items) -> dict:
    """Stop watching the identifiers of a batch; ``{"removed", "not_watched", "count"}``."""
    wanted = {w.identifier for w in parse_batch(items)}
    removed = db.session.execute(sa.delete(WatchedIdentifier).where(
        WatchedIdentifier.key_id == key.id, WatchedIdentifier.identifier.in_(list(wanted)))).rowcount if wanted else 0
    if removed:
        record_event("watch.remove", obj=key, actor_label=_key_label(key), details={"removed": removed})
    return {"removed": removed, "not_watched": len(wanted) - removed, "count": watched_count(key.id)}


def watchlist_page(key_id: int, after: int, limit: int) -> tuple[list[WatchedIdentifier], bool]:
    """Keyset page of a key's watchlist: the rows after id ``after``, and whether more follow."""
    rows = list(db.session.scalars(
        sa.select(WatchedIdentifier).where(WatchedIdentifier.key_id == key_id, WatchedIdentifier.id > after)
        .order_by(WatchedIdentifier.id).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def watching(key_id):
    """A SQL condition: the key watches the identifier of the ``Subject`` in the statement."""
    return (sa.select(WatchedIdentifier.id).where(WatchedIdentifier.key_id == key_id,
                                                 WatchedIdentifier.identifier == Subject.identifier).exists())


def watched_events(key_id: int, after: int):
    """A statement for the feed items after position ``after`` about subjects the key watches, in order."""
    return (sa.select(ChangeEvent).join(Subject, Subject.id == ChangeEvent.subject_id)
            .where(ChangeEvent.id > after, watching(key_id)).order_by(ChangeEvent.id))


def references_of(key_id: int, identifiers) -> dict[str, str | None]:
    """The key's own references of these watched identifiers (identifier → reference)."""
    values = list(set(identifiers))
    return dict(db.session.execute(sa.select(WatchedIdentifier.identifier, WatchedIdentifier.reference).where(
        WatchedIdentifier.key_id == key_id, WatchedIdentifier.identifier.in_(values))).tuples().all()) if values else {}


def feed_head() -> int:
    """The last position of the change feed (0 when it is empty)."""
    return db.session.scalar(sa.select(sa.func.max(ChangeEvent.id))) or 0


def watched_changes(key_id: int, after: int, limit: int) -> tuple[list[ChangeEvent], int, bool]:
    """For the pull endpoint: ``(events, next position, more)``.

    Reads up to the feed's head as it is now, so that a page with no change still moves the
    cursor past everything it looked at.
    """
    head = feed_head()
    events = list(db.session.scalars(watched_events(key_id, after).where(ChangeEvent.id <= head).limit(limit + 1)))
    if len(events) > limit:
        return events[:limit], events[limit - 1].id, True
    return events, max(after, head), False


# ---------------------------------------------------------------------------------------------
# The endpoint: set by the administrator


def _ensure_admin(actor) -> None:
    if getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can change where notifications go."))


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


# Why a destination is refused (core.outbound.REASONS), for the administrator.
_NOT_PUBLIC = {
    "loopback": _l("a loopback address (this machine)"), "link-local": _l("a link-local address (such as the "
                                                                            "cloud metadata service)"),
    "unspecified": _l("an unspecified address"), "multicast": _l("a multicast address"),
    "private": _l("a private network address"), "shared": _l("a shared address (carrier-grade NAT, such as a "
                                                             "cloud metadata service)"),
    "reserved": _l("a reserved address"), "site-local": _l("a site-local address"),
    "non-public": _l("not a public address"),
}


def _check_destination(parts) -> None:
    """The host's addresses must be public or allowed (``core.outbound``): checked now, for a clear
    refusal, and again by the sender at each connection."""
    try:
        outbound.destinations().resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except outbound.RefusedDestination as refused:
        if refused.address is None:
            raise ValidationFailed(_l("The host %(host)s cannot be resolved to an address; check the name.",
                                      host=refused.host), field="url") from None
        raise ValidationFailed(_l(
            "%(host)s resolves to %(address)s, %(reason)s: notifications are not sent there unless the "
            "configuration's OUTBOUND_ALLOWED_NETWORKS names that network.", host=refused.host,
            address=refused.address, reason=_NOT_PUBLIC[refused.reason]), field="url") from None


def validated_url(url: str | None) -> str | None:
    """An http(s) URL with a host whose addresses are public (or allowed), or None for "no
    endpoint" (pull only)."""
    text = (url or "").strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = None, False
    if (parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.hostname
            or len(text) > MAX_URL or any(c.isspace() for c in text) or parts.username or parts.password):
        raise ValidationFailed(
            _l("Enter the endpoint as an http:// or https:// address with a host, without a user name or password."),
            field="url")
    _check_destination(parts)
    return text


def endpoint_of(key: ApiKey) -> WatchEndpoint | None:
    return db.session.get(WatchEndpoint, key.id)


def set_endpoint(key: ApiKey, url: str | None, *, actor) -> tuple[WatchEndpoint, str | None]:
    """Set (or clear) where the key's notifications go; ``(endpoint, secret shown once or None)``.

    The first time, a signing secret is made, and notifications start from the feed's head:
    changes from before the endpoint existed are read through the pull endpoint.
    """
    _ensure_admin(actor)
    url = validated_url(url)
    endpoint = endpoint_of(key)
    secret = None
    if endpoint is None:
        secret = new_secret()
        endpoint = WatchEndpoint(key_id=key.id, secret=secret, secret_created_at=clock.utcnow(), cursor=feed_head())
        db.session.add(endpoint)
    before = endpoint.url
    endpoint.url = url
    endpoint.updated_at = clock.utcnow()
    db.session.flush()
    record_event("watch.endpoint", actor=actor, obj=key, details={"key": key.prefix, "from": before, "to": url})
    return endpoint, secret


def rotate_secret(key: ApiKey, *, actor) -> str:
    """A new signing secret, in force from the next attempt on; returned once.

    The secret it replaces keeps signing beside it for the ``watch_secret_grace_hours`` setting
    (Standard Webhooks: several space-separated signatures in ``webhook-signature``), so the
    receiver verifies with either while it switches; a secret older than that one is dropped.
    """
    _ensure_admin(actor)
    endpoint = endpoint_of(key)
    if endpoint is None:
        raise ValidationFailed(_l("Set the endpoint first."), field="url")
    now = clock.utcnow()
    grace = get_setting("watch_secret_grace_hours")
    endpoint.previous_secret = endpoint.secret if grace > 0 else None
    endpoint.previous_secret_until = now + timedelta(hours=grace) if grace > 0 else None
    endpoint.secret = new_secret()
    endpoint.secret_created_at = now
    db.session.flush()
    record_event("watch.rotate_secret", actor=actor, obj=key, details={"key": key.prefix})
    return endpoint.secret


def queue_test_event(key: ApiKey, *, actor) -> Delivery:
    """Queue a test notification for the key's endpoint (the scheduler sends it)."""
    _ensure_admin(actor)
    endpoint = endpoint_of(key)
    if endpoint is None or not endpoint.url:
        raise ValidationFailed(_l("Set the endpoint first."), field="url")
    if key.revoked_at is not None:
        raise ValidationFailed(_l("This key has been revoked."), field="url")
    if key.is_expired:
        raise ValidationFailed(_l("This key has expired."), field="url")
    now = clock.utcnow()
    delivery = Delivery(key_id=key.id, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    db.session.flush()
    record_event("watch.test_event", actor=actor, obj=key, details={"key": key.prefix, "delivery": delivery.id})
    return delivery


def delivery_counts(key_ids=None) -> dict[int, dict[str, int]]:
    """Per key, how many deliveries are pending, done and failed."""
    statement = sa.select(Delivery.key_id, Delivery.status, sa.func.count()).group_by(Delivery.key_id, Delivery.status)
    if key_ids is not None:
        statement = statement.where(Delivery.key_id.in_(list(key_ids)))
    counts: dict[int, dict[str, int]] = {}
    for key_id, status, n in db.session.execute(statement):
        counts.setdefault(key_id, {s.value: 0 for s in DeliveryStatus})[status.value] = n
    return counts
