"""Every API error is RFC 9457 problem details, in the language Accept-Language asks for, and the
OpenAPI document declares each error response, header and the key's security scheme."""

from __future__ import annotations

import re

import pytest

from tests.factories import valid_uscc

REQUIRED = {"type", "title", "status", "detail", "code"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def headers(make):
    return {"X-API-Key": make.api_key(scopes=("credit:read", "changes:read"))[1]}


def _wrong_check_character() -> str:
    code = valid_uscc()
    return code[:17] + ("0" if code[17] != "0" else "1")


def refusals(client, headers):
    """(expected status, expected code, response) for one request of each kind of refusal."""
    def get(path, **kwargs):
        return client.get(path, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)

    return [
        (400, "invalid_identifier", get(f"/api/v1/credit/{_wrong_check_character()}")),
        (400, "bad_limit", get("/api/v1/changes?limit=0")),
        (400, "bad_cursor", get("/api/v1/changes?since=zz")),
        (400, "bad_page", get("/api/v1/subjects?q=湘&page=99")),
        (400, "bad_json", client.post("/api/v1/credit/batch", headers=headers, data="{",
                                      content_type="application/json")),
        (401, "missing_key", client.get("/api/v1/changes")),
        (401, "invalid_key", client.get("/api/v1/changes", headers={"X-API-Key": "hk_nothing"})),
        (403, "insufficient_scope", get("/api/v1/watchlist")),
        (404, "not_found", get("/api/v1/nowhere")),
        (405, "method_not_allowed", client.delete("/api/v1/changes", headers=headers)),
        (413, "too_large", client.post("/api/v1/credit/batch", headers=headers, data="x" * (300 * 1024),
                                       content_type="application/json")),
    ]


def test_every_refusal_is_problem_details(client, headers):
    for status, code, response in refusals(client, headers):
        assert response.status_code == status, (code, response.get_data(as_text=True)[:200])
        assert response.mimetype == "application/problem+json", code
        body = response.get_json()
        assert set(body) >= REQUIRED, (code, body)
        assert (body["status"], body["code"], body["type"]) == (status, code, f"/api/v1/problems/{code}")
        assert body["title"] and body["detail"]
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("language", "chinese"), [("en", False), ("en-US,en;q=0.9", False), ("zh-CN", True),
                                                   ("zh", True), (None, True), ("fr", True)])
def test_every_refusal_speaks_the_language_asked_for(client, headers, language, chinese):
    asked = {"Accept-Language": language} if language else {}
    for _status, code, response in refusals(client, {**headers, **asked}):
        if code in ("missing_key", "invalid_key"):
            continue  # sent without any header (the next test asks those in each language)
        body = response.get_json()
        for member in ("title", "detail"):
            assert bool(HAN.search(body[member])) is chinese, (language, code, member, body[member])


def test_refusals_without_the_key_header_speak_the_language_too(client):
    english = client.get("/api/v1/changes", headers={"Accept-Language": "en"}).get_json()
    chinese = client.get("/api/v1/changes", headers={"Accept-Language": "zh-CN"}).get_json()
    assert english["code"] == chinese["code"] == "missing_key"
    assert not HAN.search(english["detail"]) and HAN.search(chinese["detail"])
    assert english["detail"] == "Send your API key in the X-API-Key header."


def test_a_session_language_does_not_override_accept_language(client, headers):
    client.get("/?lang=zh_CN")  # a browser's choice, kept in the session cookie
    body = client.get("/api/v1/changes?limit=0", headers={**headers, "Accept-Language": "en"}).get_json()
    assert body["detail"] == "limit must be a whole number from 1 to 1000."


# ---------------------------------------------------------------------------------------------
# The document


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def _resolved(document, response):
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path != "/api/v1/openapi.json":
                yield path, method, operation


def test_every_operation_declares_every_error_as_problem_details(document):
    for path, method, operation in _operations(document):
        statuses = set(operation["responses"])
        assert {"400", "401", "403", "404", "405", "429", "500", "503"} <= statuses, (path, method)
        if method == "post":
            assert "413" in statuses, (path, method)
        for status in statuses - {"200", "304"}:
            content = _resolved(document, operation["responses"][status])["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)


def test_headers_are_declared(document):
    for path, method, operation in _operations(document):
        ok = operation["responses"]["200"]["headers"]
        assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(ok), (path, method)
        limited = _resolved(document, operation["responses"]["429"])
        assert limited["headers"]["Retry-After"]["required"] is True
        if "304" in operation["responses"]:
            assert "ETag" in ok and any(p.get("name") == "If-None-Match" for p in operation["parameters"]), path


def test_the_key_is_a_security_scheme_every_operation_names(document):
    assert document["components"]["securitySchemes"]["ApiKey"] == {"type": "apiKey", "in": "header",
                                                                   "name": "X-API-Key"}
    for path, method, operation in _operations(document):
        assert [list(item) for item in operation["security"]] == [["ApiKey"]], (path, method)


def test_the_codes_answered_are_the_codes_documented(client, headers, document):
    documented = set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    answered = {response.get_json()["code"] for _status, _code, response in refusals(client, headers)}
    assert answered <= documented


def test_the_report_is_pdf_unless_the_client_prefers_octet_stream(client, make):
    subject = make.subject()
    raw = make.api_key(scopes=("report:read",))[1]
    path = f"/api/v1/credit/{subject.identifier}/report.pdf"
    plain = client.get(path, headers={"X-API-Key": raw})
    assert plain.status_code == 200 and plain.mimetype == "application/pdf"
    as_file = client.get(path, headers={"X-API-Key": raw, "Accept": "application/octet-stream"})
    assert as_file.mimetype == "application/octet-stream" and as_file.data == plain.data
    assert as_file.data.startswith(b"%PDF")
