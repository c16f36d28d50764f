"""One way to page through a list: the requested page number, and one page of a query's rows.

Pages are counted from 1 and fetched with one extra row, which says whether a next page exists
without counting the whole result.  ``templates/_macros.html``'s ``pager`` draws the links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask import abort, request

from registry.extensions import db

T = TypeVar("T")
MAX_PAGE = 10_000  # deeper pages are no use to a reader and cost a long OFFSET


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool


def requested_page() -> int:
    """``?page=`` as a number from 1 to MAX_PAGE; anything else is a bad request (400), never a 500."""
    text = request.args.get("page", "1").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        abort(400)
    return int(text)


def paginate(statement: sa.Select, per_page: int, page: int | None = None) -> Page:
    """The requested page of ``statement``'s rows (scalars), in the statement's order."""
    number = requested_page() if page is None else page
    rows = db.session.scalars(statement.offset((number - 1) * per_page).limit(per_page + 1)).all()
    return Page(list(rows[:per_page]), number, len(rows) > per_page)
