"""The watchlist's part of the OpenAPI document (merged in by ``openapi.openapi_document``)."""

from __future__ import annotations

from registry.accounts.apikeys import ApiScope
from registry.api.openapi_params import IDENTIFIER_SCHEMA, cursor_parameter

MAX_BATCH = 1000


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


WATCH_SCHEMAS: dict = {
    "WatchlistChange": {
        "type": "object",
        "required": ["identifiers"],
        "properties": {
            "identifiers": {
                "type": "array", "maxItems": MAX_BATCH,
                "items": {"oneOf": [IDENTIFIER_SCHEMA, {
                    "type": "object", "required": ["identifier"], "additionalProperties": False,
                    "properties": {"identifier": IDENTIFIER_SCHEMA,
                                   "reference": {"type": ["string", "null"], "minLength": 1, "maxLength": 100,
                                                 "description": "null or left out: keep the one it has."}}}]},
                "description": "USCCs, resident ID numbers or plate numbers, in any spacing or case; or objects "
                "with the identifier and the client's own reference for it (its supplier or case number), echoed "
                "in every notification and answer about it.  Watching an identifier again with a reference "
                "replaces the one it had.",
            },
        },
    },
    "WatchlistAdded": {
        "type": "object",
        "required": ["added", "already_watched", "count"],
        "properties": {
            "added": {"type": "integer"},
            "already_watched": {"type": "integer"},
            "count": {"type": "integer", "description": "Identifiers the key watches now."},
        },
    },
    "WatchlistRemoved": {
        "type": "object",
        "required": ["removed", "not_watched", "count"],
        "properties": {
            "removed": {"type": "integer"},
            "not_watched": {"type": "integer"},
            "count": {"type": "integer", "description": "Identifiers the key watches now."},
        },
    },
    "WatchedIdentifier": {
        "type": "object",
        "required": ["identifier", "kind", "subject_id", "reference", "added_at"],
        "properties": {
            "identifier": {"type": "string", "description": "Normalised; resident ID numbers masked."},
            "subject_id": {"type": "string", "description": "The subject id the notifications will carry."},
            "reference": {"type": ["string", "null"]},
            "kind": {"enum": ["organisation", "person", "vehicle"]},
            "added_at": {"type": "string", "format": "date-time"},
        },
    },
    "WatchlistPage": {
        "type": "object",
        "required": ["identifiers", "count", "next_cursor", "has_more"],
        "properties": {
            "identifiers": {"type": "array", "items": _ref("WatchedIdentifier")},
            "count": {"type": "integer"},
            "next_cursor": {"type": "string", "description": "Pass as after= to get the next page."},
            "has_more": {"type": "boolean"},
        },
    },
    "GivenUpNotification": {
        "type": "object",
        "description": "A notification given up after its last attempt (the watch_max_attempts setting).",
        "required": ["webhook_id", "id", "attempts", "last_error", "created_at", "subject", "change"],
        "properties": {
            "webhook_id": {"type": "string", "description": "The webhook-id it was (and will be) sent with."},
            "id": {"type": "integer", "description": "Pass in ids to redeliver only this one."},
            "attempts": {"type": "integer"},
            "last_error": {"type": ["string", "null"], "description": "What went wrong the last time."},
            "created_at": {"type": "string", "format": "date-time"},
            "subject": {"oneOf": [{"type": "null"}, _ref("FeedSubject")]},
            "change": {"oneOf": [{"type": "null"}, _ref("Change")], "description": "null for a test event."},
        },
    },
    "GivenUpPage": {
        "type": "object",
        "required": ["notifications", "count", "next_cursor", "has_more"],
        "properties": {
            "notifications": {"type": "array", "items": _ref("GivenUpNotification")},
            "count": {"type": "integer", "description": "Given-up notifications of the key in all."},
            "next_cursor": {"type": "string", "description": "Pass as after= to get the next page."},
            "has_more": {"type": "boolean"},
        },
    },
    "RedeliverRequest": {
        "type": "object",
        "properties": {"ids": {"type": ["array", "null"], "maxItems": 1000,
                               "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                               "description": "Omit (or send no body) to redeliver every given-up notification."}},
    },
    "Redelivered": {
        "type": "object",
        "required": ["redelivered", "given_up"],
        "properties": {"redelivered": {"type": "integer", "description": "Queued again now."},
                       "given_up": {"type": "integer", "description": "Given-up notifications left."}},
    },
    "TestEventQueued": {
        "type": "object",
        "required": ["queued", "webhook_id"],
        "properties": {"queued": {"const": True}, "webhook_id": {"type": "string"}},
    },
}

NOTIFICATIONS = (
    "When the public credit status of a watched subject changes (a list entry enters publicity, is published, "
    "removed, withdrawn or expires; a disclosure or evaluation becomes public or leaves the public pages; an "
    "objection or repair is opened or closed on a public record: reason objection_opened, repair_closed, …), an "
    "administrator-set endpoint receives a POST with the change-feed item, signed per Standard Webhooks "
    "(headers webhook-id, webhook-timestamp, webhook-signature; the secret whsec_… is shown once to the "
    "administrator).  Body: the webhooks watchlistChange and watchlistTest of this document.  At least once, "
    "in feed order per subject; a repeat keeps its webhook-id; a given-up notification is kept for "
    "GET /api/v1/watchlist/given-up.  Sent within about two seconds of the change's commit.  Catch up with "
    "GET /api/v1/watchlist/changes."
)


def _batch(operation_id: str, summary: str, result: str, responses) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": f"At most {MAX_BATCH} identifiers a batch, 100,000 a key (a setting).  A batch with an "
        "invalid identifier is refused whole: 400 invalid_identifiers with one item in error.errors per invalid "
        "identifier (its index and message); nothing is changed.",
        "security": [{"ApiKey": [ApiScope.WATCH_WRITE.value]}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("WatchlistChange")}}},
        "responses": responses(json_ok("Done.", result), "TooLarge"),
    }


def json_ok(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def watch_paths(responses) -> dict:
    """The watchlist's paths; ``responses`` is the document's own helper."""
    cursor_limit = [{"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}]
    security = [{"ApiKey": [ApiScope.WATCH_WRITE.value]}]
    return {
        "/api/v1/watchlist": {
            "post": _batch("addToWatchlist", "Watch identifiers", "WatchlistAdded", responses),
            "get": {
                "operationId": "getWatchlist",
                "summary": "The key's watched identifiers (keyset pages)",
                "description": NOTIFICATIONS,
                "security": security,
                "parameters": [cursor_parameter("after", "w1", "next_cursor of the previous page."),
                               *cursor_limit],
                "responses": responses(json_ok("A page of identifiers.", "WatchlistPage")),
            },
        },
        "/api/v1/watchlist/remove": {
            "post": _batch("removeFromWatchlist", "Stop watching identifiers", "WatchlistRemoved", responses),
        },
        "/api/v1/watchlist/changes": {"get": {
            "operationId": "getWatchlistChanges",
            "summary": "The change feed, only for the watched subjects",
            "description": "Like /api/v1/changes (same cursors) but only about subjects the key watches now: "
            "for systems that cannot receive notifications, and to catch up on missed ones.  A cursor ahead of the "
            "feed: 400 cursor_ahead.",
            "security": security,
            "parameters": [cursor_parameter("since", "c1", "A cursor from an earlier answer or a notification."),
                           *cursor_limit],
            "responses": responses(json_ok("A page of changes.", "ChangesPage")),
        }},
        **_recovery_paths(responses, security, cursor_limit),
    }


def _recovery_paths(responses, security, cursor_limit) -> dict:
    """Given-up notifications and test events (``watch.recovery``)."""
    return {
        "/api/v1/watchlist/given-up": {"get": {
        "operationId": "getGivenUpNotifications",
        "summary": "Notifications given up after their last attempt (oldest first)",
        "description": "A given-up notification is kept until it is redelivered.  Each notification says in "
        "data.given_up_before how many earlier ones of its subject were given up and not yet redelivered.",
        "security": security,
        "parameters": [cursor_parameter("after", "g1", "next_cursor of the previous page."), *cursor_limit],
        "responses": responses(json_ok("A page of given-up notifications.", "GivenUpPage")),
    }},
    "/api/v1/watchlist/given-up/redeliver": {"post": {
        "operationId": "redeliverGivenUpNotifications",
        "summary": "Send given-up notifications again",
        "description": "Queued at once with their first webhook-id, and as many attempts as a new one; an id "
        "that is not a given-up notification of the key is skipped.  A redelivered notification arrives after "
        "later ones of its subject: order by the change's cursor.",
        "security": security,
        "requestBody": {"required": False,
                        "content": {"application/json": {"schema": _ref("RedeliverRequest")}}},
        "responses": responses(json_ok("Queued again.", "Redelivered"), "TooLarge"),
    }},
    "/api/v1/watchlist/test": {"post": {
        "operationId": "sendTestEvent",
        "summary": "Send a test notification to the key's endpoint",
        "description": "Queues a watchlist.test notification, sent like any other (signed, retried).  A key "
        "without an endpoint: 409 no_endpoint.",
        "security": security,
        "responses": responses(json_ok("Queued.", "TestEventQueued"), "TooLarge", "Conflict"),
    }},
    }


_SIGNED = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "The notification's id, the same on every attempt and redelivery: drop repeats by it."},
    {"name": "webhook-timestamp", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "When this attempt was signed (seconds since the Unix epoch)."},
    {"name": "webhook-signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "v1,<base64 HMAC-SHA256> per Standard Webhooks; two space-separated signatures while a "
     "rotated secret's grace period lasts (the watch_secret_grace_hours setting, 24 h)."},
]

WEBHOOK_SCHEMAS: dict = {
    "WatchlistChangeNotification": {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": "watchlist.change"},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {
                "type": "object",
                "required": ["subject", "reference", "changes", "given_up_before"],
                "properties": {
                    "subject": _ref("FeedSubject"),
                    "reference": {"type": ["string", "null"], "description": "The key's own reference of the "
                                  "watched identifier, or null."},
                    "changes": {"type": "array", "minItems": 1, "items": _ref("Change")},
                    "given_up_before": {"type": "integer", "minimum": 0, "description": "Earlier notifications "
                                        "of this subject given up and not redelivered: when above 0, redeliver "
                                        "them or read GET /api/v1/watchlist/changes."},
                },
            },
        },
    },
    "WatchlistStateNotification": {
        "type": "object",
        "description": "The first notification about a newly watched identifier the registry knows: the "
        "subject's public records as they were when it was sent, consistent with the feed at cursor.  Apply "
        "later change notifications whose change cursor comes after it.",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": "watchlist.state"},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {
                "type": "object",
                "required": ["subject", "reference", "cursor", "records"],
                "properties": {
                    "subject": _ref("FeedSubject"),
                    "reference": {"type": ["string", "null"]},
                    "cursor": {"type": "string", "description": "The feed position the records are as of."},
                    "records": {"type": "array", "items": _ref("Change"), "description": "Each public record "
                                "of the subject as its last change left it (that change's item)."},
                },
            },
        },
    },
    "WatchlistTestNotification": {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": "watchlist.test"},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {"type": "object", "required": ["key", "message"],
                     "properties": {"key": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}


def webhooks() -> dict:
    """OpenAPI 3.1 ``webhooks``: what the registry POSTs to a key's endpoint (``watch.delivery``)."""
    def hook(operation_id: str, summary: str, schema: str) -> dict:
        return {"post": {
            "operationId": operation_id, "summary": summary, "description": NOTIFICATIONS,
            "parameters": _SIGNED,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(schema)}}},
            "responses": {"200": {"description": "Received (any 2xx)."},
                          "default": {"description": "Anything else is retried (10, 20, 40 s …), then given up."}},
        }}

    return {"watchlistChange": hook("onWatchlistChange", "A watched subject's public record changed",
                                    "WatchlistChangeNotification"),
            "watchlistState": hook("onWatchlistState", "A newly watched subject's public records now",
                                   "WatchlistStateNotification"),
            "watchlistTest": hook("onWatchlistTest", "A test notification", "WatchlistTestNotification")}
