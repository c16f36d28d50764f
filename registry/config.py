"""Every setting of the application with its default, in one place.

Order of precedence, lowest first: the defaults below, ``instance/config.py``, then environment
variables named ``REGISTRY_<SETTING>`` (for example ``REGISTRY_DATABASE_URL``).  Secrets have no
default: ``SECRET_KEY`` must come from the instance folder or the environment.

Rules that the department changes through the admin pages (publicity days, deadlines, validity)
are not here: they live in the database, see ``registry.core.settings``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from datetime import timedelta

# The checkout (or installed tree) holding registry/, templates/ and migrations/.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DEFAULTS: dict[str, object] = {
    # Database: SQLite in the instance folder unless REGISTRY_DATABASE_URL says otherwise.
    "DATABASE_URL": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # PostgreSQL streaming replicas (hot standbys of DATABASE_URL), comma-separated: the public
    # pages, the credit check, the name search and the change feed read from them (core.replicas).
    # A replica that fails is skipped for DATABASE_REPLICA_RETRY_SECONDS.
    "DATABASE_REPLICA_URLS": "",
    "DATABASE_REPLICA_RETRY_SECONDS": 30,
    # Sessions: officers are signed out after 8 hours, and cookies never travel to scripts.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "PREFERRED_URL_SCHEME": "http",
    # Forms
    "WTF_CSRF_TIME_LIMIT": 3600 * 8,
    # Languages: Chinese first, English everywhere.
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    # Rate limits (Flask-Limiter).  Memory storage suits one process; give a Redis URL for several.
    "RATELIMIT_STORAGE_URL": "memory://",
    "RATELIMIT_PUBLIC": "120 per minute",
    # Credit reports newly numbered for one client address (a repeat download of an unchanged
    # report takes no number and does not count): a crawler cannot burn the year's sequence.
    "RATELIMIT_REPORT_ISSUE": "20 per hour; 100 per day",
    "RATELIMIT_LOGIN": "20 per minute",
    "RATELIMIT_APPLICATIONS": "20 per hour",  # objection and repair forms, per client address
    "RATELIMIT_APPLICATION_LOOKUP": "30 per minute",  # status page look-ups, per client address
    "RATELIMIT_API_BAD_KEY": "30 per minute",  # API requests without a valid key, per client address
    "RATELIMIT_HEADERS_ENABLED": True,
    # Uploads: requests larger than this are refused before they are read.
    "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
    "UPLOAD_FOLDER": None,  # defaults to <instance>/uploads
    # PDF font: an embeddable TrueType CJK font; STSong-Light is used when it is missing.
    "PDF_FONT_PATH": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "PDF_FONT_SUBFONT_INDEX": 0,
    # Public base URL printed in PDF QR codes (verification links); ``make run`` sets it to the
    # address it serves.  Unset, documents print LOCAL_BASE_URL and production start-up warns.
    "PUBLIC_BASE_URL": None,
    # Mail: nothing is sent unless a server is configured.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "credit-registry@localhost",
    # Monthly exchange batches: POST to a URL, or write to a folder.
    "EXCHANGE_URL": None,
    "EXCHANGE_DIR": None,
    "EXCHANGE_TIMEOUT_SECONDS": 30,
    # Watchlist notifications (sent by the scheduler process): per-request timeout, parallel
    # senders, and the first retry's delay (doubling, at most an hour).
    "WATCH_TIMEOUT_SECONDS": 5,
    "WATCH_DELIVERY_WORKERS": 4,
    "WATCH_RETRY_SECONDS": 10,
    # Outbound requests (watchlist notifications, exchange batches) go to public addresses only;
    # networks listed here are allowed too, e.g. ["10.20.0.0/16"] for a partner on the 政务外网.
    "OUTBOUND_ALLOWED_NETWORKS": [],
    # HTTPS: turn on behind TLS to send HSTS and secure cookies.
    "FORCE_HTTPS": False,
    # Reverse proxies in front of the app (nginx: 1).  Their X-Forwarded-For and -Proto headers
    # give the client's real address (rate limits, sign-in records, audit) and scheme.  0 trusts
    # no such header: a client reaching the app directly could otherwise claim any address.
    "TRUSTED_PROXIES": 0,
    # Logs: "text", or "json" (one object a line) for a log collector.
    "LOG_FORMAT": "text",
    # One access line per request (method, path, status, duration, client, request id).
    "ACCESS_LOG": True,
    # Operations: /metrics answers only these client networks or a request with the token
    # ("Authorization: Bearer <token>"); /readyz says the scheduler is stale when no check ran for this
    # many hours (0: never), for information: readiness is the database and the schema only.
    "METRICS_ALLOWED_NETWORKS": ["127.0.0.1/32", "::1/128"],
    "METRICS_TOKEN": None,
    "READYZ_MAX_CHECK_AGE_HOURS": 26,
    # The audit chain: its HMAC key (a secret like SECRET_KEY, required, never in the database) and
    # the append-only file its head is anchored in daily (default <instance>/audit-anchors.jsonl).
    "AUDIT_HMAC_KEY": None,
    "AUDIT_ANCHOR_FILE": None,
}


LOCAL_BASE_URL = "http://127.0.0.1:5000"


def warn_about_unset_settings(app) -> None:
    """Log, at start in production (neither debug nor testing), what works but should be set."""
    if app.debug or app.testing or app.config["PUBLIC_BASE_URL_CONFIGURED"]:
        return

    logging.getLogger("registry.config").warning(
        "PUBLIC_BASE_URL is not set: PDFs print verification links to %s, which readers cannot open. "
        "Set REGISTRY_PUBLIC_BASE_URL (or PUBLIC_BASE_URL in instance/config.py) to the public address.",
        LOCAL_BASE_URL)


def _check_networks(name: str, value) -> None:
    """A setting that lists networks: refused at start, naming the entry, when it does not."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RuntimeError(f'{name} must be a list of networks, e.g. ["10.20.0.0/16"], not {value!r}.')
    for network in value:
        try:
            ipaddress.ip_network(str(network), strict=False)
        except ValueError:
            raise RuntimeError(f"{name}: {network!r} is not a network (e.g. 10.20.0.0/16).") from None


def configure(app, test_config: dict | None = None) -> None:
    """Fill ``app.config`` from the defaults, the instance file, the environment and tests."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="REGISTRY")
    if test_config:
        app.config.from_mapping(test_config)

    app.config["PUBLIC_BASE_URL_CONFIGURED"] = bool(app.config.get("PUBLIC_BASE_URL"))
    if not app.config["PUBLIC_BASE_URL_CONFIGURED"]:
        app.config["PUBLIC_BASE_URL"] = LOCAL_BASE_URL
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "registry.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if app.config["DATABASE_URL"].startswith("sqlite"):
        # SQLite allows one writer; a short wait is better than an immediate "database is locked".
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    elif app.config["DATABASE_URL"].startswith("postgresql"):
        # No JIT compilation: the registry's queries are short, and a poor row estimate made
        # PostgreSQL spend 150 ms compiling a search that runs in 40 (a web request's budget is 10).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"options": "-c jit=off"}}
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    proxies = app.config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise RuntimeError(f"TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {proxies!r}.")
    _check_networks("OUTBOUND_ALLOWED_NETWORKS", app.config["OUTBOUND_ALLOWED_NETWORKS"])
    if app.config["LOG_FORMAT"] not in ("text", "json"):
        raise RuntimeError(f"LOG_FORMAT must be text or json, not {app.config['LOG_FORMAT']!r}.")
    if app.config["FORCE_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set: put SECRET_KEY = '...' in instance/config.py "
            "or set REGISTRY_SECRET_KEY (make run generates one)."
        )
    if not app.config.get("AUDIT_HMAC_KEY"):
        raise RuntimeError(
            "AUDIT_HMAC_KEY is not set: put AUDIT_HMAC_KEY = '...' in instance/config.py or set "
            "REGISTRY_AUDIT_HMAC_KEY (make run generates one; an existing chain needs `audit rekey`, see SECURITY.md)."
        )
