"""API keys for business systems and the log of their requests (PRODUCT §11, §13).

A key is shown once, when it is issued; the registry keeps only its SHA-256 (a key is 32 random
bytes, so a plain hash is as good as a slow one) and a short public prefix to find the row.
Each key has scopes, its own rate limit and an expiry: it opens the API up to the end of its last
day (Asia/Shanghai), at most ``api_key_lifetime_days`` after it was issued.
Every API request made with a key is logged with the key, the time, the outcome and the size of
the answer; identifiers are logged only as a keyed SHA-256 (HMAC), never raw, so that the log
holds no person ID numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.audit import AuditEvent, record_event, record_events
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.labels import register_state_labels
from registry.core.permissions import Role
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.extensions import db

KEY_PREFIX = "hcr_"
PREFIX_LENGTH = 8  # random characters kept in clear to find the key's row
DEFAULT_RATE = "600/minute"
MAX_NAME = 100

register_setting(SettingSpec("api_key_lifetime_days", 365, _l("Lifetime of a new API key, at most (days)"), 1, 1825))
register_setting(SettingSpec("api_key_expiry_warning_days", 30, _l("Warn this many days before an API key expires"),
                             0, 365))
register_setting(SettingSpec("api_key_unused_days", 90, _l("An API key without a request for this many days is "
                                                           "listed as unused"), 1, 3650))

# The states the audit log records for a key (issue, revoke, the daily expiry check).
register_state_labels("api_key", {"active": _l("active"), "expired": _l("expired"), "revoked": _l("revoked")})


class ApiScope(StrEnum):
    CREDIT_READ = "credit:read"
    CHANGES_READ = "changes:read"
    REPORT_READ = "report:read"
    WATCH_WRITE = "watch:write"
    SUPERVISION_READ = "supervision:read"  # supervision classes (PRODUCT §16): supervisors' systems only


SCOPE_LABELS = {
    ApiScope.CREDIT_READ: _l("Credit check (single and batch)"),
    ApiScope.CHANGES_READ: _l("Change feed"),
    ApiScope.REPORT_READ: _l("Credit report PDF"),
    ApiScope.WATCH_WRITE: _l("Watchlist and change notifications"),
    ApiScope.SUPERVISION_READ: _l("Supervision classes (supervisors only)"),
}


class ApiKey(db.Model):
    """A business system's key: who it is, what it may read, how often."""

    __tablename__ = "api_keys"
    __audit_type__ = "api_key"
    __table_args__ = (
        sa.CheckConstraint("revoked_at IS NULL OR revoked_at >= created_at", name="revoked_after_created"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    prefix: Mapped[str] = mapped_column(sa.String(PREFIX_LENGTH), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256, hex
    scopes: Mapped[str] = mapped_column(sa.String(200))  # space-separated ApiScope values
    rate_limit: Mapped[str] = mapped_column(sa.String(100), default=DEFAULT_RATE)
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    expires_at: Mapped[datetime]  # the instant it stops opening the API: midnight after its last day

    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def scope_set(self) -> set[ApiScope]:
        return {ApiScope(value) for value in self.scopes.split() if value in set(ApiScope)}

    @property
    def is_active(self) -> bool:
        """It opens the API now: neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.utcnow()

    @property
    def state(self) -> str:
        """``revoked``, ``expired``, ``expiring`` (within the warning setting's days) or ``active``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.is_expired:
            return "expired"
        warning = timedelta(days=get_setting("api_key_expiry_warning_days"))
        return "expiring" if self.expires_at <= clock.utcnow() + warning else "active"

    @property
    def last_day(self) -> date:
        """The last day (Asia/Shanghai) the key opens the API."""
        return clock.local(self.expires_at - timedelta(microseconds=1)).date()

    def has_scope(self, scope: ApiScope) -> bool:
        return scope in self.scope_set

    def __str__(self) -> str:
        return f"{self.name} ({KEY_PREFIX}{self.prefix}…)"


class ApiRequestLog(db.Model):
    """One API request made with a key: never a raw identifier, only its keyed hash."""

    __tablename__ = "api_request_log"
    __table_args__ = (sa.Index("ix_api_request_log_key_time", "key_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow(), index=True)
    method: Mapped[str] = mapped_column(sa.String(10))
    endpoint: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[int]
    identifier_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    identifier_count: Mapped[int] = mapped_column(default=0)
    result_size: Mapped[int] = mapped_column(default=0)  # bytes of the answer


# ---------------------------------------------------------------------------------------------
# Operations


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def identifier_hash(identifier: str, secret: str | bytes) -> str:
    """The keyed SHA-256 of a normalised identifier, as the request log stores it.

    Keyed with the application's secret because an 18-digit ID number has few enough plausible
    values that a plain hash could be reversed by trying them all.
    """
    key = hashlib.sha256(b"api-request-log:" + (secret if isinstance(secret, bytes) else secret.encode())).digest()
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()


def validated_scopes(scopes) -> list[ApiScope]:
    values = [scopes] if isinstance(scopes, str) else list(scopes or ())
    result = []
    for value in values:
        try:
            scope = ApiScope(str(value).strip())
        except ValueError:
            raise ValidationFailed(
                _l("Unknown scope %(scope)s: use %(known)s.", scope=value, known=", ".join(s.value for s in ApiScope)),
                field="scopes",
            ) from None
        if scope not in result:
            result.append(scope)
    if not result:
        raise ValidationFailed(_l("Choose at least one scope."), field="scopes")
    return result


def validated_rate(rate: str | None) -> str:
    text = " ".join((rate or DEFAULT_RATE).split())
    try:
        limits = parse_many(text)
    except ValueError:
        limits = []
    if not limits or len(text) > 100 or any(limit.amount < 1 for limit in limits):
        raise ValidationFailed(
            _l("Write the rate limit as a number per period, for example 600/minute or 10000/day."),
            field="rate_limit",
        )
    return text


def usable(now: datetime):
    """SQL: the key opens the API at ``now`` (not revoked, not expired)."""
    return sa.and_(ApiKey.revoked_at.is_(None), ApiKey.expires_at > now)


def expiry_of(last_day: date) -> datetime:
    """The instant a key whose last day is ``last_day`` expires: the midnight after it (Asia/Shanghai)."""
    return clock.local_midnight_utc(last_day + timedelta(days=1))


def latest_last_day(today: date) -> date:
    """The last day of a key issued today with the full lifetime (the default, and the most allowed)."""
    return today + timedelta(days=get_setting("api_key_lifetime_days"))


def validated_last_day(last_day: date | None) -> date:
    """The key's last day: the one chosen (after today, within the lifetime) or the lifetime's."""
    today = clock.today()
    latest = latest_last_day(today)
    if last_day is None:
        return latest
    if not today < last_day <= latest:
        raise ValidationFailed(_l("Choose a last day after today and no later than %(latest)s (the lifetime of "
                                  "a key is at most %(days)d days).", latest=latest.isoformat(),
                                  days=get_setting("api_key_lifetime_days")), field="expires_on")
    return last_day


def issue_key(*, name: str, scopes, rate_limit: str | None = None, actor=None,
              expires_on: date | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the key itself, which is never stored nor shown again.

    It opens the API up to the end of ``expires_on`` (by default the lifetime setting's last day).
    """
    if actor is not None and getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can issue API keys."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_l("Enter the name of the system that will use the key."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationFailed(_l("The name may have at most %(n)d characters.", n=MAX_NAME), field="name")
    scope_list = validated_scopes(scopes)
    rate = validated_rate(rate_limit)
    last_day = validated_last_day(expires_on)
    while True:
        secret = secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LENGTH]
        if db.session.scalar(sa.select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            break
    raw_key = KEY_PREFIX + secret
    key = ApiKey(
        name=name, prefix=prefix, key_hash=hash_key(raw_key), scopes=" ".join(s.value for s in scope_list),
        rate_limit=rate, created_at=clock.utcnow(), created_by_id=getattr(actor, "id", None),
        expires_at=expiry_of(last_day),
    )
    db.session.add(key)
    db.session.flush()
    record_event("api_key.issue", actor=actor, obj=key, actor_label=None if actor else "command line",
                 details={"name": name, "scopes": key.scopes, "rate_limit": rate, "prefix": prefix,
                          "last_day": last_day.isoformat()})
    return key, raw_key


def last_requests(key_ids=None) -> dict[int, datetime]:
    """Per key, its last logged request (any outcome); a key never used has none."""
    statement = sa.select(ApiRequestLog.key_id, sa.func.max(ApiRequestLog.occurred_at)).group_by(ApiRequestLog.key_id)
    if key_ids is not None:
        statement = statement.where(ApiRequestLog.key_id.in_(list(key_ids)))
    return dict(db.session.execute(statement).all())


def unused(now: datetime):
    """SQL: a key that opens the API but had no request for ``api_key_unused_days`` (counted from
    its issue when it never had one): a key to revoke unless its system still needs it."""
    since = now - timedelta(days=get_setting("api_key_unused_days"))
    recent = sa.select(ApiRequestLog.id).where(ApiRequestLog.key_id == ApiKey.id, ApiRequestLog.occurred_at >= since)
    return sa.and_(usable(now), ApiKey.created_at < since, ~recent.exists())


def revoke_key(key: ApiKey, *, actor=None) -> None:
    """Stop a key from working (from its next request on).  Revoking twice changes nothing."""
    if actor is not None and getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can revoke API keys."))
    if key.revoked_at is not None:
        return
    before = "expired" if key.is_expired else "active"
    key.revoked_at = clock.utcnow()
    key.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
    last = last_requests([key.id]).get(key.id)
    record_event("api_key.revoke", actor=actor, obj=key, actor_label=None if actor else "command line",
                 from_state=before, to_state="revoked",
                 details={"name": key.name, "prefix": key.prefix, "last_request": last.isoformat() if last else None,
                          "last_day": key.last_day.isoformat()})


def expiring(now: datetime):
    """SQL: a key that opens the API but expires within ``api_key_expiry_warning_days``."""
    return sa.and_(usable(now), ApiKey.expires_at <= now + timedelta(days=get_setting("api_key_expiry_warning_days")))


def record_expiries(now: datetime) -> int:
    """An audit event ``api_key.expire`` for each unrevoked key whose expiry has passed and that has
    none yet (the daily ``api_key_expiry`` check; idempotent); returns how many."""
    recorded = sa.select(AuditEvent.id).where(AuditEvent.object_type == ApiKey.__audit_type__,
                                              AuditEvent.object_id == ApiKey.id, AuditEvent.action == "api_key.expire")
    keys = db.session.scalars(sa.select(ApiKey).where(ApiKey.revoked_at.is_(None), ApiKey.expires_at <= now,
                                                      ~recorded.exists()).order_by(ApiKey.id)).all()
    return record_events([
        {"action": "api_key.expire", "object_type": ApiKey.__audit_type__, "object_id": key.id,
         "from_state": "active", "to_state": "expired", "actor_label": "system",
         "details": {"name": key.name, "prefix": key.prefix, "last_day": key.last_day.isoformat()}}
        for key in keys
    ])


def find_key(raw_key: str | None) -> ApiKey | None:
    """The key row that ``raw_key`` belongs to (revoked or not), or None.

    The row is found by its public prefix; the hash is compared in constant time.
    """
    if not raw_key or not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 200:
        return None
    prefix = raw_key[len(KEY_PREFIX):len(KEY_PREFIX) + PREFIX_LENGTH]
    if len(prefix) != PREFIX_LENGTH:
        return None
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw_key)):
        return None
    return key


def log_request(*, key_id: int, method: str, endpoint: str, status: int, identifier_hash: str | None,
                identifier_count: int, result_size: int) -> ApiRequestLog:
    row = ApiRequestLog(
        key_id=key_id, occurred_at=clock.utcnow(), method=method[:10], endpoint=endpoint[:100], status=status,
        identifier_hash=identifier_hash, identifier_count=identifier_count, result_size=result_size,
    )
    db.session.add(row)
    db.session.flush()
    return row
