"""The OpenAPI document's patterns say exactly what the API takes.

A cursor parameter's pattern matches every cursor the API hands out and nothing else it would
refuse; the name search's ``q`` pattern matches what the search answers.  What schemathesis checks
over the wire (tests/security/test_api_contract.py), here in-process and from both sides: values
computed in the test (base64 of ``c1:<n>``), and values drawn from the document's own patterns.
"""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.accounts.apikeys import ApiScope

DRAWN = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CURSORS = [("/api/v1/changes", "since", "c1"), ("/api/v1/watchlist", "after", "w1"),
           ("/api/v1/watchlist/changes", "since", "c1")]


@pytest.fixture
def api(client, make):
    document = client.get("/api/v1/openapi.json").get_json()
    _row, key = make.api_key(scopes=[scope.value for scope in ApiScope])

    def get(path: str, **query):
        return client.get(path, query_string=query, headers={"X-API-Key": key})

    return document, get


def parameter(document, path: str, name: str) -> dict:
    return next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)


def cursor(tag: str, position) -> str:
    return base64.urlsafe_b64encode(f"{tag}:{position}".encode()).decode().rstrip("=")


@pytest.mark.parametrize(("path", "name", "tag"), CURSORS)
def test_a_cursor_pattern_matches_the_cursors_and_nothing_else(api, path, name, tag):
    document, get = api
    pattern = re.compile(parameter(document, path, name)["schema"]["pattern"])
    other = "w1" if tag == "c1" else "c1"
    for position in (0, 1, 7, 10, 99, 100, 305, 4096, 12345, 999_999, 2**31 - 1, 9_999_999_999):
        assert pattern.fullmatch(cursor(tag, position)), position
        assert get(path, **{name: cursor(tag, position)}).status_code == 200, position
    assert pattern.fullmatch("")  # empty: from the start
    refused = [cursor(tag, "01"), cursor(tag, "-1"), cursor(tag, 10**10), cursor(tag, "1a"), cursor(other, 5),
               cursor(tag, 5) + "=", base64.b64encode(f"{tag}:5".encode()).decode(), "garbage", "YzE6", "!!"]
    for value in refused:
        assert not pattern.fullmatch(value), value
        response = get(path, **{name: value})
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_cursor", value


@pytest.mark.parametrize(("path", "name", "tag"), CURSORS)
@DRAWN
@given(data=st.data())
def test_whatever_a_cursor_pattern_matches_is_answered(api, path, name, tag, data):
    document, get = api
    value = data.draw(st.from_regex(parameter(document, path, name)["schema"]["pattern"], fullmatch=True))
    assert get(path, **{name: value}).status_code == 200, value


def _no_surrogates(text: str) -> bool:
    return not any("\ud800" <= char <= "\udfff" for char in text)


@DRAWN
@given(data=st.data())
def test_whatever_the_query_pattern_matches_is_searched(api, data):
    document, get = api
    schema = parameter(document, "/api/v1/subjects", "q")["schema"]
    q = data.draw(st.from_regex(schema["pattern"], fullmatch=True)
                  .filter(lambda text: len(text) <= schema["maxLength"] and _no_surrogates(text)))
    assert get("/api/v1/subjects", q=q).status_code == 200, q


@pytest.mark.parametrize("q", ["", " ", "\u3000\t", "\x1c", "长\x00", "长" + " " * 100, "长" * 101])
def test_a_query_outside_the_pattern_or_length_is_refused(api, q):
    document, get = api
    schema = parameter(document, "/api/v1/subjects", "q")["schema"]
    assert not (re.search(schema["pattern"], q) and len(q) <= schema["maxLength"])
    assert get("/api/v1/subjects", q=q).status_code == 400


def test_the_watchlist_items_have_the_identifier_pattern(api):
    document, _get = api
    identifier = parameter(document, "/api/v1/credit/{identifier}", "identifier")["schema"]
    items = document["components"]["schemas"]["WatchlistChange"]["properties"]["identifiers"]["items"]
    assert items == identifier and "pattern" in items
