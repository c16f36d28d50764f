"""The JSON body of a batch request (PRODUCT §11), read within its size limit: the credit batch check and
the watchlist's batch edits take the same body."""

from __future__ import annotations

import json

from flask import request

from registry.api.keys import api_error

MAX_BATCH_BYTES = 256 * 1024


def batch_body():
    """The batch's JSON body, or the error answer.

    The size limit holds for the bytes actually read, so a chunked body (no Content-Length) cannot
    get past it; the JSON is parsed here rather than by ``request.get_json`` so that a body nested
    deeper than the parser's recursion limit is a 400 like any other bad JSON, not a 500.
    """
    too_large = api_error(413, "too_large", f"The request body may have at most {MAX_BATCH_BYTES} bytes.")
    if (request.content_length or 0) > MAX_BATCH_BYTES:
        return too_large
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        return bad_json()
    data = request.stream.read(MAX_BATCH_BYTES + 1)
    if len(data) > MAX_BATCH_BYTES:
        return too_large
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and over-long integers too
        return bad_json()
    return bad_json() if body is None else body


def bad_json():
    return api_error(400, "bad_json", 'The body must be JSON: {"identifiers": ["...", ...]}.')
