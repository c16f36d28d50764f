"""``GET /api/v1/subjects?q=``: the public name search for business systems."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from registry.accounts.apikeys import ApiRequestLog
from registry.core.identifiers import SubjectKind, mask_resident_id
from registry.listing.models import EntryStatus
from tests.api import test_limits as test_api_limits

limited_app = test_api_limits.limited_app  # the app with rate limits on


@pytest.fixture
def key(make):
    return make.api_key()[1]


@pytest.fixture
def search(client, key):
    def call(key_header: str | None = key, **params):
        headers = {"X-API-Key": key_header} if key_header else {}
        return client.get("/api/v1/subjects", query_string=params, headers=headers)

    return call


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def matches_schema(document, value) -> None:
    schema = {"$ref": "#/components/schemas/SubjectSearchPage", "components": document["components"]}
    Draft202012Validator(schema).validate(value)


def test_finds_public_subjects_with_public_fields_only(search, make, document):
    org = make.subject(name="长沙通达运输有限公司")
    person = make.subject(SubjectKind.PERSON, name="长沙人甲")
    make.entry(EntryStatus.PUBLISHED, subject=person, category="道路运输严重失信")
    hidden = make.subject(SubjectKind.PERSON, name="长沙人乙")  # no public record: name not public
    make.entry(EntryStatus.PENDING_REVIEW, subject=hidden, category="道路运输严重失信")
    make.subject(name="株洲物流有限公司")
    response = search(q="长沙")
    assert response.status_code == 200
    answer = response.get_json()
    matches_schema(document, answer)
    assert answer["query"] == "长沙" and answer["page"] == 1 and not answer["has_next"]
    assert answer["count"] == 2 and answer["count_is_lower_bound"] is False
    by_name = {item["name"]: item for item in answer["results"]}
    assert set(by_name) == {"长沙通达运输有限公司", "长沙人甲"}
    assert by_name["长沙人甲"] == {
        "name": "长沙人甲", "kind": "person", "identifier": mask_resident_id(person.identifier),
        "city": person.city_name, "url": f"/subjects/{person.id}",
    }
    assert by_name["长沙通达运输有限公司"]["identifier"] == org.identifier
    assert by_name["长沙通达运输有限公司"]["city"] == org.city_name
    assert person.identifier not in response.get_data(as_text=True)
    assert "长沙人乙" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["%", "_", "\\", "鑫", "不存在的名字"])
def test_like_characters_and_absent_names(search, make, query):
    make.subject(name="百分之100%_\\公司")
    make.subject(name="普通公司")
    answer = search(q=query).get_json()
    names = [item["name"] for item in answer["results"]]
    assert names == (["百分之100%_\\公司"] if query in "百分之100%_\\公司" else [])
    assert answer["count"] == len(names)


def test_pages_and_the_count_cap(search, make, monkeypatch):
    import registry.api.search as api_search

    for index in range(23):
        make.subject(name=f"分页{index:02d}")
    first = search(q="分页").get_json()
    second = search(q="分页", page="2").get_json()
    assert len(first["results"]) == 20 and first["has_next"] and first["count"] == 23
    assert len(second["results"]) == 3 and not second["has_next"]
    assert {item["name"] for item in first["results"] + second["results"]} == {f"分页{i:02d}" for i in range(23)}
    monkeypatch.setattr(api_search, "COUNT_CAP", 5)
    capped = search(q="分页").get_json()
    assert capped["count"] == 5 and capped["count_is_lower_bound"] is True


@pytest.mark.parametrize("params, code", [
    ({}, "bad_query"), ({"q": "   "}, "bad_query"), ({"q": "长" * 101}, "bad_query"), ({"q": "长" * 5000}, "bad_query"),
    ({"q": "长", "page": "0"}, "bad_page"), ({"q": "长", "page": "51"}, "bad_page"),
    ({"q": "长", "page": "x"}, "bad_page"), ({"q": "长", "page": "-1"}, "bad_page"),
    ({"q": "长", "page": "99999999999999999999"}, "bad_request"), ({"q": "长", "page": "１"}, "bad_page"),
])
def test_bad_queries_are_400_with_a_code(search, params, code, document):
    response = search(**params)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    Draft202012Validator({"$ref": "#/components/schemas/Error", "components": document["components"]}).validate(
        response.get_json())


def test_needs_a_key_with_the_credit_scope(search, make):
    assert search(key_header=None, q="长").status_code == 401
    assert search(key_header="rk_nonsense", q="长").status_code == 401
    _row, changes_only = make.api_key(scopes=("changes:read",))
    response = search(key_header=changes_only, q="长")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "insufficient_scope"


def test_rate_limited_per_key_and_logged(limited_app):
    from registry.extensions import db

    raw = test_api_limits._key(limited_app, "2/minute")
    client = limited_app.test_client()
    statuses = [client.get("/api/v1/subjects?q=长", headers={"X-API-Key": raw}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    logged = db.session.scalars(sa.select(ApiRequestLog.endpoint)).all()
    assert logged == ["api.subjects"] * 3
