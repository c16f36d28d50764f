"""Bounds on the numbers a URL may carry: record ids in paths and page numbers in queries.

An id beyond the database's integer range (2^31 - 1 for PostgreSQL's INTEGER; SQLite fails past
2^63 - 1) would reach the query and fail there as a 500; a page number that large overflows the
OFFSET.  Neither can name anything that exists, so a path id out of range does not match the
route (404) and such a page is refused as a bad request (400).
"""

from __future__ import annotations

import re

from flask import abort, request
from werkzeug.routing import BaseConverter, IntegerConverter

# The largest value of a PostgreSQL INTEGER primary key (and far inside SQLite's range).
MAX_ID = 2**31 - 1
# No listing has this many pages; far below, page x page size stays a small OFFSET.
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """``<id:name>``: a record id, a whole number from 1 to ``MAX_ID``."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=MAX_ID)


class SegmentConverter(BaseConverter):
    """``<segment("batch"):name>``: one path segment, any but the words given.

    For a dynamic route beside a static one (``/credit/<identifier>`` and ``/credit/batch``): a
    method the static route does not take is then its 405 (with ``Allow``), instead of falling
    through to the dynamic route, which would read the word as a value.
    """

    def __init__(self, map, *excluded: str) -> None:
        super().__init__(map)
        words = "|".join(re.escape(word) for word in excluded)
        self.regex = f"(?!(?:{words})$)[^/]+" if excluded else "[^/]+"


def page_number(text: str | None) -> int | None:
    """The one reading of ``?page=``: a whole number from 1, in ASCII digits (spaces around it
    allowed); ``None`` for anything else (text, empty, 0, a sign, other digits).  A number past
    ``MAX_PAGE`` comes back as ``MAX_PAGE + 1``, whatever its length (``int()`` refuses strings of
    more than 4300 digits), for the caller to refuse or clamp."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0")
    if not digits:
        return None
    if len(digits) > len(str(MAX_PAGE)):
        return MAX_PAGE + 1
    return min(int(digits), MAX_PAGE + 1)


def refuse_out_of_range_page() -> None:
    """``?page=`` of any listing: a whole number above ``MAX_PAGE`` is a 400, before any view
    (which reads the page through ``page_number`` too: no page is the first page)."""
    number = page_number(request.args.get("page"))
    if number is not None and number > MAX_PAGE:
        abort(400)


def init_app(app) -> None:
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["segment"] = SegmentConverter
    app.before_request(refuse_out_of_range_page)
