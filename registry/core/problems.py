"""Problem details (RFC 9457) for every error the JSON API answers.

One shape for every refusal under ``/api/``: ``application/problem+json`` with ``type`` (a
relative URI naming the kind of problem, ``/api/v1/problems/<code>``), ``title`` (the kind, for
people), ``status``, ``detail`` (this occurrence, for people) and the registry's stable ``code`` as
an extension member, plus what the code needs (``limit``, ``scope``, ``errors``).  ``title`` and
``detail`` are in the language the request asks for (``Accept-Language``, ``core.web.select_locale``).
The API's own refusals (``api.keys.api_error``) and the HTTP errors ``core.web`` renders both come
here, so no error is shaped differently.
"""

from __future__ import annotations

from flask import Response, json
from flask_babel import lazy_gettext as _l

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "/api/v1/problems/"

# code -> (HTTP status it comes with, title).  A code not listed here still works (title: the
# generic one), but the OpenAPI document lists exactly these (tests/api/test_problems.py).
PROBLEMS: dict[str, tuple[int, object]] = {
    "bad_request": (400, _l("The request is not valid")),
    "bad_json": (400, _l("The body is not the JSON expected")),
    "not_a_string": (400, _l("An identifier is not a JSON string")),
    "too_many_identifiers": (400, _l("Too many identifiers in one request")),
    "invalid_identifier": (400, _l("The identifier is not valid")),
    "invalid_identifiers": (400, _l("Some identifiers are not valid")),
    "watchlist_full": (400, _l("The watchlist is full")),
    "bad_cursor": (400, _l("The cursor is not valid")),
    "cursor_ahead": (400, _l("The cursor is ahead of the change feed")),
    "bad_limit": (400, _l("The limit is not valid")),
    "bad_query": (400, _l("The search query is not valid")),
    "bad_page": (400, _l("The page is not valid")),
    "no_endpoint": (409, _l("The key has no notification endpoint")),
    "missing_key": (401, _l("No API key")),
    "invalid_key": (401, _l("The API key is not valid")),
    "revoked_key": (401, _l("The API key has been revoked")),
    "expired_key": (401, _l("The API key has expired")),
    "unauthorized": (401, _l("Not authorised")),
    "insufficient_scope": (403, _l("The API key lacks the scope")),
    "forbidden": (403, _l("Forbidden")),
    "not_found": (404, _l("Not found")),
    "method_not_allowed": (405, _l("Method not allowed")),
    "too_large": (413, _l("The request body is too large")),
    "rate_limited": (429, _l("Too many requests")),
    "server_error": (500, _l("Internal error")),
    "unavailable": (503, _l("Temporarily unavailable")),
    "log_unavailable": (503, _l("The request could not be logged")),
}


def problem_type(code: str) -> str:
    return f"{TYPE_PREFIX}{code}"


def problem_body(status: int, code: str, detail, **extensions) -> dict:
    title = PROBLEMS.get(code, (status, _l("The request could not be answered")))[1]
    return {"type": problem_type(code), "title": str(title), "status": status, "detail": str(detail),
            "code": code, **extensions}


def problem_response(status: int, code: str, detail, headers=None, **extensions) -> Response:
    """The problem-details answer; never cached (an error is not the resource's state)."""
    body = json.dumps(problem_body(status, code, detail, **extensions), ensure_ascii=False)
    response = Response(body, status=status, mimetype=MEDIA_TYPE, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response
