"""Generated requests against every operation of the OpenAPI document (``/api/v1/openapi.json``):
no 500, only documented statuses, and every JSON answer valid against its documented schema.

This is what schemathesis does, written with hypothesis directly: schemathesis pins its own
pytest plugin and hypothesis versions, and its warnings fight ``filterwarnings = error``.
Parameters are drawn from their schemas *and* from outside them (wrong types, out-of-range
numbers, odd Unicode), since an attacker does not read the schema first.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.factories import valid_resident_id, valid_uscc

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\?#"), max_size=80)
# A path parameter is required: an empty (or dot-only) one addresses another URL, not this operation.
PATH_TEXT = TEXT.filter(lambda text: text.strip(".") != "")
IDENTIFIERS = st.one_of(PATH_TEXT, st.sampled_from(["91430100MA4L0000X1", "湘A12345", "430102198506120012",
                                                    "%00", "' OR 1=1 --", "<script>", " " * 70]),
                        st.builds(valid_uscc), st.builds(valid_resident_id))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5), max_leaves=20)
BATCH_BODIES = st.one_of(
    st.fixed_dictionaries({"identifiers": st.lists(st.one_of(IDENTIFIERS, st.integers(), st.none()), max_size=30)}),
    JSON_VALUES,
)


@pytest.fixture
def api(client, make, db):
    document = client.get("/api/v1/openapi.json").get_json()
    _row, key = make.api_key(rate="1000000/minute")
    make.entry("published")
    db.session.commit()
    return client, document, {"X-API-Key": key}


def _schema_of(document, path, method, status):
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered {status}, which is not documented"
    response = responses[str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response.get("content", {})


def conforms(document, path, method, response):
    status = response.status_code
    assert status < 500, (method, path, status, response.get_data(as_text=True)[:300])
    content = _schema_of(document, path, method, status)
    if response.mimetype in ("application/json", "application/problem+json"):
        assert response.mimetype in content, (path, status, "JSON answer not documented")
        schema = dict(content[response.mimetype]["schema"], components=document["components"])
        Draft202012Validator(schema).validate(response.get_json())
    elif status != 304:
        assert response.mimetype in content, (path, status, response.mimetype)


def test_every_operation_is_fuzzed(api):
    _client, document, _headers = api
    fuzzed = {("/api/v1/credit/{identifier}", "get"), ("/api/v1/credit/{identifier}/report.pdf", "get"),
              ("/api/v1/credit/batch", "post"), ("/api/v1/changes", "get"), ("/api/v1/openapi.json", "get"),
              ("/api/v1/watchlist", "post"), ("/api/v1/watchlist/remove", "post"), ("/api/v1/watchlist", "get"),
              ("/api/v1/watchlist/changes", "get"), ("/api/v1/watchlist/given-up", "get"),
              ("/api/v1/watchlist/given-up/redeliver", "post"), ("/api/v1/watchlist/test", "post"),
              ("/api/v1/subjects", "get"), ("/api/v1/snapshot.jsonl", "get"), ("/api/v1/snapshot.csv", "get"),
              ("/api/v1/supervision/{identifier}", "get")}
    assert {(path, method) for path, ops in document["paths"].items() for method in ops} == fuzzed


@FUZZ
@given(identifier=IDENTIFIERS, with_key=st.booleans())
def test_credit(api, identifier, with_key):
    client, document, headers = api
    response = client.get(f"/api/v1/credit/{quote(identifier, safe='')}", headers=headers if with_key else {})
    conforms(document, "/api/v1/credit/{identifier}", "get", response)


@FUZZ
@given(identifier=IDENTIFIERS, with_scope=st.booleans())
def test_supervision_class(api, make, identifier, with_scope):
    client, document, headers = api
    if with_scope:
        _row, key = make.api_key(scopes=("supervision:read",), rate="1000000/minute")
        headers = {"X-API-Key": key}
    response = client.get(f"/api/v1/supervision/{quote(identifier, safe='')}", headers=headers)
    conforms(document, "/api/v1/supervision/{identifier}", "get", response)


@FUZZ
@given(identifier=IDENTIFIERS)
def test_credit_report(api, identifier):
    client, document, headers = api
    response = client.get(f"/api/v1/credit/{quote(identifier, safe='')}/report.pdf", headers=headers)
    conforms(document, "/api/v1/credit/{identifier}/report.pdf", "get", response)


@FUZZ
@given(body=BATCH_BODIES, raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_credit_batch(api, body, raw):
    client, document, headers = api
    if raw is None:
        response = client.post("/api/v1/credit/batch", headers=headers, json=body)
    else:
        response = client.post("/api/v1/credit/batch", headers=headers, data=raw, content_type="application/json")
    conforms(document, "/api/v1/credit/batch", "post", response)


@FUZZ
@given(since=st.one_of(st.none(), TEXT, st.integers().map(str)),
       limit=st.one_of(st.none(), st.integers(min_value=-10, max_value=5000).map(str), TEXT))
def test_changes(api, since, limit):
    client, document, headers = api
    query = {name: value for name, value in (("since", since), ("limit", limit)) if value is not None}
    response = client.get("/api/v1/changes", headers=headers, query_string=query)
    conforms(document, "/api/v1/changes", "get", response)


@pytest.fixture
def watch_api(client, make, db):
    document = client.get("/api/v1/openapi.json").get_json()
    _row, key, _secret = make.watcher(valid_uscc(1))
    db.session.commit()
    return client, document, {"X-API-Key": key}


@FUZZ
@given(path=st.sampled_from(["/api/v1/watchlist", "/api/v1/watchlist/remove"]), body=BATCH_BODIES,
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_watchlist_batches(watch_api, path, body, raw):
    client, document, headers = watch_api
    if raw is None:
        response = client.post(path, headers=headers, json=body)
    else:
        response = client.post(path, headers=headers, data=raw, content_type="application/json")
    conforms(document, path, "post", response)


@FUZZ
@given(path=st.sampled_from(["/api/v1/watchlist", "/api/v1/watchlist/changes", "/api/v1/watchlist/given-up"]),
       cursor=st.one_of(st.none(), TEXT, st.integers().map(str)),
       limit=st.one_of(st.none(), st.integers(min_value=-10, max_value=5000).map(str), TEXT))
def test_watchlist_reads(watch_api, path, cursor, limit):
    client, document, headers = watch_api
    name = "since" if path == "/api/v1/watchlist/changes" else "after"
    query = {key: value for key, value in ((name, cursor), ("limit", limit)) if value is not None}
    response = client.get(path, headers=headers, query_string=query)
    conforms(document, path, "get", response)


@FUZZ
@given(q=st.one_of(st.none(), TEXT, st.sampled_from(["%", "_", "\\", "长", "长沙", "' OR 1=1 --", "\x00", "长" * 101])),
       page=st.one_of(st.none(), st.integers(min_value=-10, max_value=10**20).map(str), TEXT))
def test_subjects(api, q, page):
    client, document, headers = api
    query = {name: value for name, value in (("q", q), ("page", page)) if value is not None}
    response = client.get("/api/v1/subjects", headers=headers, query_string=query)
    conforms(document, "/api/v1/subjects", "get", response)


@FUZZ
@given(path=st.sampled_from(["/api/v1/watchlist/given-up/redeliver", "/api/v1/watchlist/test"]),
       body=st.one_of(st.none(), BATCH_BODIES, st.fixed_dictionaries({"ids": st.lists(st.integers())})),
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_watchlist_recovery(watch_api, path, body, raw):
    client, document, headers = watch_api
    if raw is None:
        response = client.post(path, headers=headers, json=body)
    else:
        response = client.post(path, headers=headers, data=raw, content_type="application/json")
    conforms(document, path, "post", response)


@FUZZ
@given(path=st.sampled_from(["/api/v1/snapshot.jsonl", "/api/v1/snapshot.csv"]),
       accept=st.sampled_from([None, "*/*", "application/octet-stream", "text/csv", "application/jsonl"]),
       with_key=st.booleans())
def test_snapshots(api, path, accept, with_key):
    client, document, headers = api
    sent = {**(headers if with_key else {}), **({"Accept": accept} if accept else {})}
    conforms(document, path, "get", client.get(path, headers=sent))
