"""Opening the API: the ``X-API-Key`` check, scopes, per-key rate limits and the request log.

``api_view(scope)`` wraps a view: it answers 401 without a valid, unrevoked, unexpired key (those
refusals are limited per client address, ``RATELIMIT_API_BAD_KEY``) and 403 without the scope, then
counts the request against the key's own limit (Flask-Limiter, keyed by the key's id, in the
storage ``RATELIMIT_STORAGE_URL`` names, shared by every endpoint of the API).  Every request made
with a known key is logged after its answer is ready and before it leaves (``log_api_request``):
when the log row cannot be written the answer is replaced by a 503.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, jsonify, request
from flask_limiter.util import get_remote_address

from registry.accounts import apikeys
from registry.core import clock
from registry.extensions import db, limiter

log = logging.getLogger(__name__)


def api_error(status: int, code: str, message: str, **extra):
    """A JSON error answer: ``{"error": {"code": ..., "message": ...}}`` with a stable code."""
    response = jsonify(error={"code": code, "message": str(message), **extra})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class KeyRow:
    """What a request needs to know of its key, read as one row (not an ORM object)."""

    id: int
    scopes: str
    rate_limit: str
    revoked_at: object
    expires_at: datetime

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.utcnow()

    def has_scope(self, scope: apikeys.ApiScope) -> bool:
        return scope.value in self.scopes.split()


_KEY_COLUMNS = apikeys.ApiKey.__table__.c
_FIND_KEY = sa.select(_KEY_COLUMNS.id, _KEY_COLUMNS.key_hash, _KEY_COLUMNS.scopes, _KEY_COLUMNS.rate_limit,
                      _KEY_COLUMNS.revoked_at, _KEY_COLUMNS.expires_at).where(
    _KEY_COLUMNS.prefix == sa.bindparam("prefix"))


def find_key_row(raw_key: str | None) -> KeyRow | None:
    """``apikeys.find_key`` for every request: the same rule (prefix, then a constant-time hash
    comparison), one prepared SELECT instead of an ORM load."""
    if not raw_key or not raw_key.startswith(apikeys.KEY_PREFIX) or len(raw_key) > 200:
        return None
    prefix = raw_key[len(apikeys.KEY_PREFIX):len(apikeys.KEY_PREFIX) + apikeys.PREFIX_LENGTH]
    if len(prefix) != apikeys.PREFIX_LENGTH:
        return None
    row = db.session.connection().execute(_FIND_KEY, {"prefix": prefix}).first()
    if row is None or not hmac.compare_digest(row.key_hash, apikeys.hash_key(raw_key)):
        return None
    return KeyRow(row.id, row.scopes, row.rate_limit, row.revoked_at, row.expires_at)


def _key_rate() -> str:
    key = g.get("api_key")
    return key.rate_limit if key is not None else apikeys.DEFAULT_RATE


def _key_id() -> str:
    key = g.get("api_key")
    return f"api-key-{key.id}" if key is not None else "api-key-none"


_per_key_limit = limiter.shared_limit(
    _key_rate, scope="api-key", key_func=_key_id, exempt_when=lambda: g.get("api_key") is None,
)


@limiter.shared_limit(lambda: current_app.config["RATELIMIT_API_BAD_KEY"], scope="api-bad-key",
                      key_func=get_remote_address)
def _refuse_key(code: str, message: str):
    """A 401 for a missing, unknown or revoked key, counted per client address: guessing keys, or
    hammering the API without one, runs into a limit as a keyed client does."""
    return api_error(401, code, message)


def api_view(scope: apikeys.ApiScope):
    def decorator(view):
        limited = _per_key_limit(view)

        @wraps(view)
        def wrapped(*args, **kwargs):
            raw = request.headers.get("X-API-Key", "").strip()
            if not raw:
                return _refuse_key("missing_key", "Send your API key in the X-API-Key header.")
            key = find_key_row(raw)
            if key is None:
                return _refuse_key("invalid_key", "This API key is not valid.")
            g.api_key_id = key.id
            if key.revoked_at is not None:
                return _refuse_key("revoked_key", "This API key has been revoked.")
            if key.is_expired:
                last_day = clock.local(key.expires_at - timedelta(microseconds=1)).date().isoformat()
                return _refuse_key("expired_key", f"This API key expired after {last_day} (Asia/Shanghai time); "
                                   "ask the registry's administrator for a new one.")
            if not key.has_scope(scope):
                return api_error(403, "insufficient_scope", f"This API key does not have the scope {scope.value}.",
                                 scope=scope.value)
            g.api_key = key
            return limited(*args, **kwargs)

        wrapped.api_scope = scope
        return wrapped

    return decorator


def note_identifiers(normalized: list[str]) -> None:
    """Remember which identifiers the request asked about, for the log (only as a keyed hash)."""
    secret = current_app.config["SECRET_KEY"]
    g.api_identifier_count = len(normalized)
    if len(normalized) == 1:
        g.api_identifier_hash = apikeys.identifier_hash(normalized[0], secret)
    elif normalized:
        g.api_identifier_hash = apikeys.identifier_hash("\n".join(normalized), secret)


_LOG_INSERT = sa.insert(apikeys.ApiRequestLog.__table__)


def log_api_request(response):
    """After every API answer to a known key: one log row, committed on its own.

    The row goes in as one prepared INSERT (what ``apikeys.log_request`` stores, without the ORM
    unit of work), after rolling back whatever the request left open: on SQLite a read
    transaction cannot always be turned into a write, and nothing of a request's own work is
    meant to be committed here.
    """
    key_id = g.get("api_key_id")
    if key_id is None:
        return response
    size = response.content_length
    if size is None and not response.direct_passthrough:
        size = len(response.get_data())
    try:
        db.session.rollback()
        connection = db.session.connection(bind_arguments={"clause": _LOG_INSERT})  # the primary, not a replica
        if connection.dialect.name == "postgresql":
            # The answer must not wait for a disk flush of its log row: a server crash may lose the
            # last fraction of a second of log rows (never corrupt them); records are unaffected.
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        connection.execute(_LOG_INSERT, {
            "key_id": key_id, "occurred_at": clock.utcnow(), "method": request.method[:10],
            "endpoint": (request.endpoint or request.path)[:100], "status": response.status_code,
            "identifier_hash": g.get("api_identifier_hash"), "identifier_count": g.get("api_identifier_count", 0),
            "result_size": size or 0,
        })
        db.session.commit()
    except Exception:
        # Every answer to a key is logged before it leaves (README, SECURITY.md): an answer that
        # cannot be logged is withheld, and the client is told to come back.
        db.session.rollback()
        log.exception("could not log API request of key %s", key_id)
        refused = api_error(503, "log_unavailable",
                            "The request could not be logged, so it is not answered; try again later.")
        refused.headers["Retry-After"] = "30"
        return refused
    return response
