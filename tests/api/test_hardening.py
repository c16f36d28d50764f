"""The batch API's body limits, 405 with Allow, non-string items, the identifier pattern of the
OpenAPI document, and the rate limit on requests without a valid key."""

from __future__ import annotations

import http.client
import io
import json
import re

import pytest

from registry import create_app
from registry.accounts.apikeys import issue_key
from registry.extensions import db, limiter
from tests.factories import valid_resident_id, valid_uscc
from tests.served import served_app

BATCH = "/api/v1/credit/batch"
LIMIT = 256 * 1024  # the README's and the document's 256 KB


@pytest.fixture
def api(client, make):
    _row, key = make.api_key()

    def call(method: str, path: str, **kwargs):
        headers = {"X-API-Key": key, **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def _code(response) -> str:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response.get_json()["error"]["code"]


# --- §9 the body ---------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [2_000, 40_000])
def test_a_deeply_nested_body_is_a_400(api, depth):
    for body in ("[" * depth + "]" * depth, '{"identifiers": ' + "[" * depth + "]" * depth + "}",
                 '{"a":' * depth + "1" + "}" * depth):
        response = api("POST", BATCH, data=body, content_type="application/json")
        assert response.status_code == 400 and _code(response) == "bad_json"


def test_a_huge_integer_is_a_400(api):
    response = api("POST", BATCH, data='{"identifiers": [' + "9" * 50_000 + "]}", content_type="application/json")
    assert response.status_code == 400 and _code(response) == "bad_json"


def _chunked(api, size: int):
    """A body without Content-Length, as a server that de-chunks the request hands it on."""
    body = json.dumps({"identifiers": [valid_uscc()], "padding": "x" * size}).encode()
    return api("POST", BATCH, input_stream=io.BytesIO(body), content_type="application/json",
               headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_a_413(api):
    response = _chunked(api, LIMIT)
    assert response.status_code == 413 and _code(response) == "too_large"


def test_a_chunked_body_within_the_limit_is_answered(api):
    response = _chunked(api, 1000)
    assert response.status_code == 200 and response.get_json()["count"] == 1


def test_a_real_chunked_request_is_held_to_the_limit(tmp_path):
    """Through a real server (it de-chunks and marks the stream terminated), not the test client."""
    # (limits on: the shared limiter needs its storage when the first app of the process is this one)
    with served_app(tmp_path, setup=lambda make: make.api_key()[1], RATELIMIT_ENABLED=True) as served:
        def post(size: int):
            body = json.dumps({"identifiers": [valid_uscc()], "padding": "x" * size}).encode()
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
            try:
                connection.request("POST", BATCH, body=iter([body[i:i + 8192] for i in range(0, len(body), 8192)]),
                                   headers={"Content-Type": "application/json", "X-API-Key": served.extra},
                                   encode_chunked=True)
                response = connection.getresponse()
                return response.status, json.loads(response.read())
            finally:
                connection.close()

        status, answer = post(LIMIT + 10)
        assert status == 413 and answer["error"]["code"] == "too_large"
        status, answer = post(100)
        assert status == 200 and answer["count"] == 1


# --- §11 the contract ----------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", f"/api/v1/credit/{'91430100MA4L0000X1'}", {"GET", "HEAD", "OPTIONS"}),
    # the batch's own methods: GET no longer falls through to /credit/<identifier> with "batch"
    ("PUT", BATCH, {"OPTIONS", "POST"}),
    ("GET", BATCH, {"OPTIONS", "POST"}),
    ("HEAD", BATCH, {"OPTIONS", "POST"}),
    ("POST", "/api/v1/changes", {"GET", "HEAD", "OPTIONS"}),
])
def test_405_names_the_allowed_methods(api, method, path, allowed):
    response = api(method, path)
    assert response.status_code == 405 and (method == "HEAD" or _code(response) == "method_not_allowed")
    assert {part.strip() for part in response.headers["Allow"].split(",")} == allowed


def test_options_on_the_batch_names_only_its_own_methods(api):
    response = api("OPTIONS", BATCH)
    assert {part.strip() for part in response.headers["Allow"].split(",")} == {"OPTIONS", "POST"}


def test_405_on_a_page_names_the_allowed_methods_too(client):
    response = client.delete("/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


@pytest.mark.parametrize("item", [{}, {"identifier": valid_uscc()}, [valid_uscc()], True, 1.5, 7, None])
def test_a_batch_with_an_item_that_is_not_a_string_is_refused_whole(api, item):
    """The document says the items are strings: {"identifiers": [{}]} is malformed,
    a 400 naming each such item, not an answer with an error inside."""
    clean = valid_uscc()
    response = api("POST", BATCH, json={"identifiers": [clean, item, "x", item]})
    assert response.status_code == 400 and _code(response) == "not_a_string"
    assert [(e["index"], e["code"]) for e in response.get_json()["error"]["errors"]] == [
        (1, "not_a_string"), (3, "not_a_string")]


def test_the_identifier_parameter_has_a_pattern(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameter = document["paths"]["/api/v1/credit/{identifier}"]["get"]["parameters"][0]
    pattern = re.compile(parameter["schema"]["pattern"])
    uscc, resident = valid_uscc(), valid_resident_id()
    for good in (uscc, uscc.lower(), f"{uscc[:6]} {uscc[6:]}", resident, f"{resident[:6]}-{resident[6:]}",
                 "湘A12345", "湘a·8K765", "湘AD12345", "湘A12345D", "湘A1234挂", "粤Z1234港"):
        assert pattern.search(good), good
    for bad in ("", "   ", uscc[:17], uscc + "1", "湘", "湘A123", "湘A1234567", "A12345", "<script>",
                "' OR 1=1 --", "9143/0100", "湘A1234$", "x" * 64):
        assert not pattern.search(bad), bad


# --- §11 requests without a valid key are limited per client address ------------------------------

@pytest.fixture
def limited_app(tmp_path):
    previous = limiter.enabled
    app = create_app({
        "SECRET_KEY": "limits", "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite'}",
        "RATELIMIT_ENABLED": True, "RATELIMIT_API_BAD_KEY": "3 per minute", "RATELIMIT_STORAGE_URL": "memory://",
    })
    with app.app_context():
        db.create_all()
        limiter.reset()
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    limiter.reset()
    limiter.enabled = previous


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "hnc_nonsense"}, {"X-API-Key": "hnc_" + "a" * 40}])
def test_requests_without_a_valid_key_are_limited_per_address(limited_app, headers):
    client = limited_app.test_client()
    path = f"/api/v1/credit/{valid_uscc()}"
    statuses = [client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert limited.get_json()["error"]["code"] == "rate_limited" and "Retry-After" in limited.headers
    # another address still gets its 401, and a valid key from the limited address is answered
    assert client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 401
    _, key = issue_key(name="测试系统", scopes=("credit:read",), rate_limit="10/minute")
    db.session.commit()
    assert client.get(path, headers={"X-API-Key": key}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
