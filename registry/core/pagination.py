"""One way to page through a list: the requested page number, and one page of a query's rows.

Pages are counted from 1 and fetched with one extra row, which says whether a next page exists
without counting the whole result.  ``templates/_macros.html``'s ``pager`` draws the links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask import abort, request

from registry.core.routing import MAX_PAGE, page_number
from registry.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool


def requested_page() -> int:
    """``?page=`` as a page number: text that is no page means the first page, and a number past
    ``core.routing.MAX_PAGE`` is a bad request (400), as ``core.routing`` answers before any view."""
    number = page_number(request.args.get("page"))
    if number is None:
        return 1
    if number > MAX_PAGE:
        abort(400)
    return number


def paginate(statement: sa.Select, per_page: int, page: int | None = None) -> Page:
    """The requested page of ``statement``'s rows (scalars), in the statement's order."""
    number = requested_page() if page is None else page
    rows = db.session.scalars(statement.offset((number - 1) * per_page).limit(per_page + 1)).all()
    return Page(list(rows[:per_page]), number, len(rows) > per_page)
