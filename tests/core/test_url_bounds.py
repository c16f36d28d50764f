"""Numbers in URLs that no record can have: a 404 or a 400, never a 500.

An id past PostgreSQL's INTEGER (2^31 - 1) failed the query there; past 2^63 - 1 it failed on
SQLite too; a page number that large overflowed the OFFSET.  Every route with an id in its path
is tried here, signed in as an administrator so that the view would really run.
"""

from __future__ import annotations

import re

import pytest

from registry import create_app
from registry.core.routing import IdConverter

BEYOND_POSTGRES = 2**31  # one past the largest PostgreSQL INTEGER
BEYOND_SQLITE = 10**20  # past the largest 64-bit integer (about 9.2 * 10^18)
_ARGUMENT = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>")


def _rules_with_ids():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if any(isinstance(converter, IdConverter) for converter in rule._converters.values())),
        key=lambda rule: rule.rule,
    )


RULES = _rules_with_ids()


def _path(rule, number: int) -> str:
    ids = {name for name, converter in rule._converters.items() if isinstance(converter, IdConverter)}
    return _ARGUMENT.sub(lambda m: str(number) if m.group(1) in ids else "x", rule.rule)


def test_every_id_in_a_route_uses_the_bounded_converter():
    # Read from the source, not from the converter: a route declared with <int:..._id> is missed.
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    unbounded = [rule.rule for rule in app.url_map.iter_rules()
                 for name, converter in rule._converters.items()
                 if name.endswith("_id") and not isinstance(converter, IdConverter)]
    assert unbounded == []
    assert len(RULES) >= 28  # the issue counted about 28 routes with ids


@pytest.mark.parametrize("number", [BEYOND_POSTGRES, BEYOND_SQLITE, 0])
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.endpoint)
def test_an_id_out_of_range_is_not_found(client, login, rule, number):
    login("admin")
    for method in ("GET", "POST"):
        response = client.open(_path(rule, number), method=method)
        assert response.status_code in (404, 405), (method, response.status_code)


@pytest.mark.parametrize("number", [1, 2**31 - 1])
def test_ids_inside_the_range_still_reach_the_view(client, login, number):
    login("admin")
    # No subject has these ids: the view ran and answered its own 404 page.
    assert client.get(f"/officer/subjects/{number}").status_code == 404
    assert client.get(f"/officer/entries/{number}").status_code == 404


@pytest.mark.parametrize("path", [
    "/subjects/99999999999999999999",
    f"/subjects/{2**31}",
    "/documents/99999999999999999999",
])
def test_public_pages_with_huge_ids_are_not_found(client, path):
    assert client.get(path).status_code in (404, 405)


LISTINGS = ["/lists/red", "/lists/black", "/?q=公司", "/disclosures",
            "/officer/entries/", "/officer/cases/", "/admin/audit"]


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize("number", ["9223372036854775807", "100001", "+100001", "1" + "0" * 5000,
                                    "99999999999999999999"])
def test_a_page_beyond_any_listing_is_a_bad_request(client, login, path, number):
    login("admin")
    separator = "&" if "?" in path else "?"
    assert client.get(f"{path}{separator}page=2").status_code == 200  # the listing itself answers
    assert client.get(f"{path}{separator}page={number}").status_code == 400


@pytest.mark.parametrize("number", ["100000", "0", "-3", "x", "0000000000002"])
def test_ordinary_or_meaningless_pages_still_answer(client, login, number):
    login("admin")
    assert client.get(f"/officer/entries/?page={number}").status_code == 200
    assert client.get(f"/lists/red?page={number}").status_code == 200
