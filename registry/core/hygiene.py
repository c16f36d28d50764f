"""Request hygiene that no single form can do for all of them.

PostgreSQL text cannot hold the NUL character, and no field of the registry needs one: a request
carrying one anywhere in its address, query or form would reach a query and fail there (a 500 on
PostgreSQL, while SQLite accepts it).  It is refused as a bad request before any view reads it.
"""

from __future__ import annotations

from flask import abort, request


def _texts():
    yield request.path
    for values in (request.args, request.form):
        for key, items in values.lists():
            yield key
            yield from items


def refuse_nul_characters() -> None:
    if any("\x00" in text for text in _texts()):
        abort(400)
