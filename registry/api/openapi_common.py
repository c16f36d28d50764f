"""What every operation of the OpenAPI document shares: the problem-details error model (RFC 9457,
``core.problems``), the headers (ETag, If-None-Match, X-RateLimit-*, Retry-After) and the error
responses (400, 401, 403, 404, 405, 413, 429, 500, 503), so that a generated client knows each.
"""

from __future__ import annotations

from registry.core.problems import MEDIA_TYPE, PROBLEMS, TYPE_PREFIX


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


PROBLEM_SCHEMAS: dict = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details, the shape of every error answer (application/problem+json). "
        "title and detail are in the language of the request's Accept-Language (Chinese or English; Chinese "
        "when it asks for neither).  Branch on code, never on the text.",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference",
                     "description": f"{TYPE_PREFIX}<code>: the kind of problem (a relative URI)."},
            "title": {"type": "string", "description": "The kind of problem, for people."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What is wrong with this request, for people."},
            "code": {"enum": sorted(PROBLEMS), "description": "The registry's stable machine-readable code."},
            "limit": {"type": "integer", "description": "too_many_identifiers, watchlist_full: the limit."},
            "scope": {"type": "string", "description": "insufficient_scope: the scope the endpoint needs."},
            "head": {"type": "string", "description": "cursor_ahead: the cursor of the feed's last change."},
            "errors": {"type": "array", "items": ref("IdentifierError"),
                       "description": "invalid_identifiers, not_a_string: one item per identifier in error."},
        },
    },
    "IdentifierError": {
        "type": "object",
        "required": ["index", "code", "message"],
        "properties": {"index": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}},
    },
}

_INTEGER = {"schema": {"type": "integer"}}
HEADERS: dict = {
    "ETag": {"description": "Changes only when the answer does; send it back in If-None-Match.",
             "schema": {"type": "string"}},
    "X-RateLimit-Limit": {"description": "Requests the key (or, without a valid key, the client address) may "
                          "make in the current window.", **_INTEGER},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window.", **_INTEGER},
    "X-RateLimit-Reset": {"description": "When the window ends (seconds since the Unix epoch).", **_INTEGER},
    "Retry-After": {"description": "Seconds to wait before trying again.", **_INTEGER},
}


def header(name: str, *, required: bool = False) -> dict:
    return {"$ref": f"#/components/headers/{name}"} if not required else {**HEADERS[name], "required": True}


RATE_HEADERS = {name: header(name) for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")}

IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": "The ETag of an earlier answer: 304 Not Modified when the answer is still the same.",
    "schema": {"type": "string"},
}


def _problem(description: str, headers: dict | None = None) -> dict:
    return {"description": description, "headers": {**RATE_HEADERS, **(headers or {})},
            "content": {MEDIA_TYPE: {"schema": ref("Problem")}}}


RESPONSES = {
    "BadRequest": _problem("The request is not valid; code says why."),
    "Unauthorized": _problem("No API key, an unknown key, a revoked key or an expired one (missing_key, invalid_key, "
                             "revoked_key, expired_key: a key opens the API up to the end of its last day, which "
                             "the administrator who issued it gave you). "
                             "These refusals are rate-limited per client address."),
    "Forbidden": _problem("The key lacks the scope this endpoint needs (insufficient_scope)."),
    "NotFound": _problem("No such endpoint (not_found)."),
    "MethodNotAllowed": _problem("The endpoint does not accept this method (method_not_allowed).", {
        "Allow": {"schema": {"type": "string"}, "description": "The methods the endpoint accepts."}}),
    "Conflict": _problem("The key's state does not allow it: no_endpoint (the key has no notification endpoint)."),
    "TooLarge": _problem("The request body is too large (too_large)."),
    "RateLimited": _problem("The key's rate limit is used up (or, without a valid key, the client address's): "
                            "rate_limited; retry after the Retry-After header's seconds.",
                            {"Retry-After": header("Retry-After", required=True)}),
    "ServerError": _problem("An internal error; it has been logged (server_error)."),
    "Unavailable": _problem("The registry is unavailable for now, or the request could not be logged "
                            "(unavailable, log_unavailable); retry after Retry-After.",
                            {"Retry-After": header("Retry-After", required=True)}),
    "NotModified": {"description": "Unchanged since the ETag given in If-None-Match.",
                    "headers": {"ETag": header("ETag")}},
}


def responses(ok: dict, *extra: str) -> dict:
    """An operation's responses: ``ok`` as 200 with the rate-limit headers, every error, and the
    optional ones named in ``extra`` (``NotModified``, ``TooLarge``)."""
    answers = {"200": {**ok, "headers": {**RATE_HEADERS, **ok.get("headers", {})}}}
    for status, name in (("304", "NotModified"), ("400", "BadRequest"), ("401", "Unauthorized"),
                         ("403", "Forbidden"), ("404", "NotFound"), ("405", "MethodNotAllowed"),
                         ("409", "Conflict"), ("413", "TooLarge"), ("429", "RateLimited"), ("500", "ServerError"),
                         ("503", "Unavailable")):
        if name in ("NotModified", "TooLarge", "Conflict") and name not in extra:
            continue
        answers[status] = {"$ref": f"#/components/responses/{name}"}
    return answers


def json_ok(description: str, schema: str, *, etag: bool = False) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": ref(schema)}}}
    if etag:
        answer["headers"] = {"ETag": header("ETag")}
    return answer
