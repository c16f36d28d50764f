"""``GET /api/v1/subjects?q=``: the public name search for business systems.

The same search as the public lookup page (``subjects.search`` under the read model's
``searchable_condition``: a person only with public records, since a person's name is public only
on them), answered with public fields only (resident ID numbers masked), 20 a page, at most 50
pages, and a count of matches up to ``COUNT_CAP`` ("more than" past it).
"""

from __future__ import annotations

from flask import request, url_for

from registry.api.keys import api_error
from registry.core import clock
from registry.readmodel import queries
from registry.subjects.search import COUNT_CAP, MAX_QUERY_LENGTH, clean_query, search_subjects

PAGE_SIZE = 20
MAX_PAGE = 50


def _page() -> int | None:
    text = request.args.get("page", "1")
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        return None
    page = int(text)
    return page if 1 <= page <= MAX_PAGE else None


def subject_search_answer():
    """The answer's body, or an error answer (a Response) for a bad query or page."""
    raw = request.args.get("q") or ""
    if len(raw) > MAX_QUERY_LENGTH:  # as sent, as the document's maxLength counts it
        return api_error(400, "bad_query", f"q may have at most {MAX_QUERY_LENGTH} characters.")
    query = clean_query(raw)
    if not query:
        return api_error(400, "bad_query", "Pass the text to search for in q (a part of a name).")
    page = _page()
    if page is None:
        return api_error(400, "bad_page", f"page must be a whole number from 1 to {MAX_PAGE}.")
    condition = queries.searchable_condition(clock.today())
    found = search_subjects(query, page=page, per_page=PAGE_SIZE, condition=condition)
    matches = found.matches
    return {
        "query": query,
        "page": page,
        "has_next": found.has_next and page < MAX_PAGE,
        "count": min(matches, COUNT_CAP),
        "count_is_lower_bound": matches > COUNT_CAP,
        "results": [{
            "name": subject.name,
            "kind": subject.kind.value,
            "identifier": subject.public_identifier,
            "city": subject.city_name,
            "url": url_for("public.subject", subject_id=subject.id),
        } for subject in found.subjects],
    }
