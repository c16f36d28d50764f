"""Conditional answers: an ETag that changes only when the answer does, and 304 when it has not."""

from __future__ import annotations

import hashlib

from flask import Response, request


def conditional(response: Response, *, etag_source: bytes | None = None, private: bool = False) -> Response:
    """Give ``response`` an ETag and a revalidation policy; answer 304 if the client has it.

    The ETag is the SHA-256 of ``etag_source`` (the answer without its time stamp) or of the body,
    so it changes exactly when what the answer says changes.  Clients must revalidate every time
    (``no-cache``): a record withdrawn a minute ago must not be served from a cache.
    """
    if response.status_code != 200 or response.direct_passthrough:
        return response
    source = etag_source if etag_source is not None else response.get_data()
    response.set_etag(hashlib.sha256(source).hexdigest()[:40], weak=True)
    response.headers["Cache-Control"] = ("private, " if private else "") + "no-cache"
    response.vary.add("Accept-Language")
    if request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(response.get_etag()[0]):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Length", None)
        response.headers.pop("Content-Type", None)
    return response
