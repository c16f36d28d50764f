"""core.pagination: one way to page through a list, used by every paged officer and public list."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/officer/entries/", "/officer/cases/", "/cases/typical", "/disclosures",
                                  "/officer/disclosures/", "/admin/audit", "/officer/evaluations/",
                                  "/officer/commitments/", "/objections/officer/"])
@pytest.mark.parametrize(("number", "status"), [("100001", 400), ("9223372036854775807", 400), ("0", 200),
                                                ("-1", 200), ("abc", 200), ("１", 200)])
def test_a_page_past_any_list_is_a_bad_request_and_no_page_the_first(client, login, path, number, status):
    login("admin")
    assert client.get(f"{path}?page={number}").status_code == status


def test_the_pages_of_a_list_hold_its_rows_once_each_in_order(db, make, client, login):
    import sqlalchemy as sa

    from registry.core.pagination import paginate
    from registry.listing.models import ListEntry

    login("admin")
    for _ in range(7):
        make.entry()
    statement = sa.select(ListEntry.id).order_by(ListEntry.id.desc())
    with client.application.test_request_context("/?page=1"):
        first = paginate(statement, 3)
    with client.application.test_request_context("/?page=2"):
        second = paginate(statement, 3)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ListEntry))
    assert first.number == 1 and second.number == 2
    assert total >= 7 and len(first.items) == 3 and first.has_next is True
    assert first.items[-1] > second.items[0]  # newest first, no row on two pages
    assert set(first.items).isdisjoint(second.items)
