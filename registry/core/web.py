"""What every view shares: the one commit per request, error pages, security headers, languages."""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from flask import Flask, Response, current_app, flash, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from registry.core import clock, datalabels, labels, problems
from registry.core.db import database_unavailable, storage_full
from registry.core.errors import RegistryError, StorageFull, ValidationFailed
from registry.core.forms import unplaced
from registry.core.registry import Registry
from registry.extensions import db

log = logging.getLogger(__name__)


@contextlib.contextmanager
def committing():
    """The request's one commit: the block's changes are committed when it ends, and rolled back
    when it raises (the exception goes on, for the view to show its refusal).

    Views commit only through this (or ``perform`` and ``perform_form`` built on it); operations
    never commit.  Mail queued by an operation leaves after the commit.
    """
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def perform(operation, *args, success: str | None = None, **kwargs):
    """Run one operation and commit, or roll back and flash its refusal.

    Returns ``(True, result)`` after a commit, ``(False, error)`` when the operation refused.
    """
    try:
        with committing():
            result = operation(*args, **kwargs)
    except RegistryError as error:
        flash(str(error.message), "error")
        return False, error
    if success:
        flash(success, "success")
    return True, result


def perform_form(form, operation, *args, marked: str | None = None, **kwargs):
    """``perform`` for a form page: a refusal that names one of ``form``'s fields is shown on that
    field (and ``marked``, when given, is flashed to point at it); any other refusal is flashed.

    Returns ``(True, result)`` after a commit, ``(False, error)`` when the operation refused.
    """
    try:
        with committing():
            result = operation(*args, **kwargs)
    except RegistryError as error:
        left = unplaced(form, error) if isinstance(error, ValidationFailed) else [str(error.message)]
        for message in left:
            flash(message, "error")
        if marked and not left:
            flash(marked, "error")
        return False, error
    return True, result


@contextlib.contextmanager
def refusing_a_full_disk():
    """A full disk inside the block (the database's or a file's) is rolled back and refused with
    ``StorageFull``, for the page to show like any refusal; other errors pass through."""
    try:
        yield
    except (sa.exc.DBAPIError, OSError) as error:
        if not storage_full(error):
            raise
        with contextlib.suppress(Exception):
            db.session.rollback()
        log.error("storage full on %s %s: %s", request.method, request.path, error)
        raise StorageFull() from error


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths may be used as a post-login redirect."""
    if not target:
        return False
    # Browsers read "/\\host" and "/<tab>/host" as "//host": no backslash or control character at all.
    if "\\" in target or any(ord(char) < 32 or char.isspace() for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def remember_language() -> None:
    """Store a ``?lang=`` choice in the session on every request, also one that only redirects.

    (Flask-Babel asks for the locale only when something is translated, which a redirect may not do.)
    """
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"] and session.get("lang") != wanted:
        session["lang"] = wanted


def language_url(code: str) -> str:
    """The page being shown, with its query, in the language ``code`` (the language switch's link)."""
    pairs = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*pairs, ('lang', code)])}"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and scheduled checks speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if wants_json():
        # The API has no session and no language switch: it answers in the language the client's
        # Accept-Language asks for, the default language when it asks for none we have.
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in languages:
        return session["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("FORCE_HTTPS"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 429: "rate_limited", 500: "server_error",
               503: "unavailable"}


def _http_error(error: HTTPException):
    # The exception's own headers (a 405's Allow) belong on the answer too;
    # its Content-Type does not, the page or JSON below sets its own.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if wants_json():
        code = ERROR_CODES.get(error.code, "error")
        return problems.problem_response(error.code, code, _api_detail(error), headers)
    return render_template("errors/error.html", error=error, back=page_before()), error.code, headers


def page_before() -> str | None:
    """The page of this site the reader came from (the Referer), for a way back from an error page.

    Only a path on this host, never the refused page itself, so that the link cannot lead away.
    """
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host or parts.scheme not in ("http", "https") or parts.path == request.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


# The details of the HTTP errors the API answers, translated (werkzeug's own descriptions are English).
_API_DETAILS = {
    404: _l("There is no such endpoint or record; the OpenAPI document lists the endpoints."),
    405: _l("The endpoint does not accept this method; the Allow header lists those it does."),
    413: _l("The request body is too large."),
    429: _l("Too many requests: the rate limit is used up; retry after the seconds the Retry-After header gives."),
}


def _api_detail(error: HTTPException) -> str:
    return str(_API_DETAILS.get(error.code, error.description))


def _unexpected_error(error: Exception):
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    message = _("An internal error occurred. It has been logged; please try again later.")
    if wants_json():
        return problems.problem_response(500, "server_error", message)
    return render_template("errors/error.html", error=None, message=message), 500


# A disk that is full, over its quota, read-only or failing: the server cannot store, for now.
STORAGE_UNAVAILABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})
RETRY_AFTER_SECONDS = 60


def _unavailable():
    """503: the registry is temporarily unavailable (a page, or JSON under /api).

    Drawn without the context processors: the page must not touch the database it reports
    unavailable (the signed-in user is loaded from it, and may not be loaded yet).
    """
    with contextlib.suppress(Exception):  # a connection already lost may fail to roll back too
        db.session.rollback()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    message = _("The registry is temporarily unavailable. Please try again in a few minutes.")
    if wants_json():
        return problems.problem_response(503, "unavailable", message, headers)
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    html = template.render(message=message, lang="en" if str(get_locale()) == "en" else "zh-CN")
    return Response(html, 503, headers, mimetype="text/html")


def _database_error(error: sa.exc.DBAPIError):
    if database_unavailable(error):
        log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        return _unavailable()
    return _not_handled_here(error)


def _storage_error(error: OSError):
    if error.errno in STORAGE_UNAVAILABLE:
        log.error("storage unavailable on %s %s: %s", request.method, request.path, error)
        return _unavailable()
    return _not_handled_here(error)


def _not_handled_here(error: Exception):
    """Any other error: tests and the debugger see it, production answers the error page."""
    if current_app.testing or current_app.debug:
        raise error
    return _unexpected_error(error)


def init_app(app: Flask) -> None:
    # A Jinja global, not only a context variable: macros imported without context
    # (``audit_table`` in _macros.html) see globals only.
    app.jinja_env.globals["local_time"] = clock.local
    app.jinja_env.globals["action_label"] = labels.action_label
    app.jinja_env.globals["state_label"] = labels.state_label
    app.jinja_env.filters["data_label"] = datalabels.data_label
    app.jinja_env.globals["language_url"] = language_url
    app.jinja_env.globals["actor_label"] = labels.actor_label
    app.before_request(remember_language)
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(sa.exc.DBAPIError, _database_error)
    app.register_error_handler(OSError, _storage_error)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, _unexpected_error)


def _always(user) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    order: int
    visible: Callable[[object], bool] = lambda user: True
    group: str = "work"


@dataclass(frozen=True)
class NavGroup:
    """A labelled group of the officer navigation: the pages of one kind of task."""

    name: str
    label: object
    order: int


PUBLIC_NAV: Registry[NavItem] = Registry("public navigation item", key=lambda item: item.endpoint)
OFFICER_NAV: Registry[NavItem] = Registry("officer navigation item", key=lambda item: item.endpoint)
NAV_GROUPS: Registry[NavGroup] = Registry("officer navigation group")
for _group in (NavGroup("work", _l("Handle"), 10), NavGroup("review", _l("Review"), 20),
               NavGroup("monitor", _l("Monitor"), 30), NavGroup("system", _l("System"), 40)):
    NAV_GROUPS.add(_group)

# Where an officer page goes when its ``add_nav`` names no group: the longest matching prefix of
# its endpoint; anything else is a page where records are handled ("work").
DEFAULT_NAV_GROUPS = {
    "review.": "review", "ledger.acknowledgements": "review",
    "checks.": "monitor", "oversight.": "monitor", "monitoring.": "monitor", "ledger.": "monitor",
    "exchange.": "monitor", "catalogue.coverage": "monitor", "cases.effectiveness": "monitor",
    "admin.": "system", "accounts.": "system", "api.": "system", "catalogue.admin": "system",
    "listing.categories": "system", "cases.measures": "system",
}


def default_nav_group(endpoint: str) -> str:
    matches = [prefix for prefix in DEFAULT_NAV_GROUPS if endpoint.startswith(prefix)]
    return DEFAULT_NAV_GROUPS[max(matches, key=len)] if matches else "work"


def add_nav(endpoint: str, label, *, order: int, officer: bool = False, visible=None,
            group: str | None = None) -> None:
    """Put a page into the header navigation (public side, or officer side with ``visible(user)``).

    An officer page sits in a labelled group of ``NAV_GROUPS`` (办理, 审核, 监测, 系统): ``group``,
    or by default the one its endpoint's prefix falls in (``DEFAULT_NAV_GROUPS``).  ``visible``
    must be false for every user the page would refuse.
    """
    items = OFFICER_NAV if officer else PUBLIC_NAV
    items.add(NavItem(endpoint, label, order, visible or _always, group or default_nav_group(endpoint)))


def officer_nav(user) -> list[tuple[NavGroup, list[NavItem]]]:
    """The officer navigation ``user`` may use, by group; groups with no page for ``user`` left out."""
    registered = current_app.view_functions
    shown = [item for item in OFFICER_NAV.ordered() if item.endpoint in registered and item.visible(user)]
    groups = []
    for group in NAV_GROUPS.ordered():
        items = [item for item in shown if item.group == group.name]
        if items:
            groups.append((group, items))
    return groups


def template_globals() -> dict:
    locale = get_locale()
    registered = current_app.view_functions
    return {
        "public_nav_items": [item for item in PUBLIC_NAV.ordered() if item.endpoint in registered],
        "officer_nav": officer_nav,
        "current_locale": "en" if locale is not None and locale.language == "en" else "zh_CN",
        "today": clock.today(),
    }
