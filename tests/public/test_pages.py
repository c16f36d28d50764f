"""The public lookup, subject pages and red/black list pages: what shows, what never leaks."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from registry.core import clock
from registry.core.holds import HoldKind, open_hold
from registry.core.identifiers import SubjectKind, mask_resident_id
from registry.listing.models import EntryStatus

HIDDEN = [EntryStatus.DRAFT, EntryStatus.PENDING_REVIEW, EntryStatus.WITHDRAWN, EntryStatus.EXPIRED,
          EntryStatus.REMOVED]


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def listed(make):
    subject = make.subject(name="湖南通达路桥建设有限公司")
    entry = make.entry(EntryStatus.PUBLISHED, subject=subject)
    return subject, entry


# --- the lookup ---------------------------------------------------------------------------------

def test_identifier_in_odd_spacing_and_case_opens_the_subject_page(client, listed):
    subject, _ = listed
    spaced = " ".join(subject.identifier[i:i + 4] for i in range(0, 18, 4)).lower()
    response = client.get("/", query_string={"q": f"  {spaced} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/subjects/{subject.id}")


def test_wrong_check_character_is_named(client, listed):
    subject, _ = listed
    wrong = subject.identifier[:17] + ("0" if subject.identifier[17] != "0" else "1")
    body = text(client.get("/", query_string={"q": wrong, "lang": "en"}))
    assert "check character of this unified social credit code is wrong" in body


@pytest.mark.parametrize("status", HIDDEN)
def test_a_subject_with_nothing_public_has_a_clean_page(client, make, status):
    person = make.subject(SubjectKind.PERSON, name="赵未公开")
    entry = make.entry(status, subject=person, category="道路运输严重失信", review_comment="内部意见")
    response = client.get("/", query_string={"q": person.identifier, "lang": "en"})
    assert response.status_code == 302
    body = text(client.get(response.headers["Location"]))
    assert "No public credit record is held for this subject." in body
    assert entry.decision_number not in body and "内部意见" not in body
    assert "赵未公开" not in body  # a person's name is public only on public records
    assert person.identifier not in body and mask_resident_id(person.identifier) in body


def test_unknown_valid_identifier_says_no_record(client):
    from tests.factories import valid_uscc

    response = client.get("/", query_string={"q": valid_uscc(), "lang": "en"})
    assert response.status_code == 200
    assert "No credit record is held for this identifier." in text(response)


@pytest.mark.parametrize("query", ["   ", "\t \n"])
def test_blank_query_gets_a_message(client, query):
    response = client.get("/", query_string={"q": query, "lang": "en"})
    assert response.status_code == 200
    assert "Enter a name" in text(response)


def test_overlong_query_gets_a_message(client):
    response = client.get("/", query_string={"q": "路" * 200, "lang": "en"})
    assert response.status_code == 200
    assert "at most 100 characters" in text(response)


@pytest.mark.parametrize("query", ['"', "*", "OR", "NEAR(", '路桥" OR "a', "%_", "' OR 1=1 --"])
def test_operator_characters_are_harmless(client, listed, query):
    assert client.get("/", query_string={"q": query}).status_code == 200


def test_name_search_finds_a_substring_in_the_middle_and_ranks_exact_first(client, make, listed):
    exact = make.subject(name="路桥建设")
    make.entry(EntryStatus.IN_PUBLICITY, subject=exact)
    body = text(client.get("/", query_string={"q": "路桥建设"}))
    assert "湖南通达路桥建设有限公司" in body
    assert body.index(">路桥建设<") < body.index("湖南通达路桥建设有限公司")


def test_name_search_finds_persons_only_with_public_records(client, make):
    drafted = make.subject(SubjectKind.PERSON, name="钱草稿")
    make.entry(EntryStatus.PENDING_REVIEW, subject=drafted, category="道路运输严重失信")
    make.subject(SubjectKind.PERSON, name="钱无记录")
    listed = make.subject(SubjectKind.PERSON, name="钱已公布")
    make.entry(EntryStatus.PUBLISHED, subject=listed, category="道路运输严重失信")
    body = text(client.get("/", query_string={"q": "钱"}))
    assert "钱草稿" not in body and "钱无记录" not in body and "钱已公布" in body


def test_person_ids_are_masked_in_search_results(client, make):
    person = make.subject(SubjectKind.PERSON, name="张三丰")
    make.entry(EntryStatus.PUBLISHED, subject=person, category="道路运输严重失信")
    body = text(client.get("/", query_string={"q": "张三"}))
    assert mask_resident_id(person.identifier) in body
    assert person.identifier not in body


@pytest.mark.parametrize("page", ["abc", "-3", "0", "100000"])
def test_any_page_number_answers(client, listed, page):
    assert client.get("/", query_string={"q": "路桥", "page": page}).status_code == 200


def test_a_page_number_no_listing_can_have_is_a_bad_request(client, listed):
    # pages past any listing are refused (tests/core/test_url_bounds.py tries them all).
    assert client.get("/", query_string={"q": "路桥", "page": "9999999999999999999999"}).status_code == 400


def test_page_past_the_results_says_so(client, listed):
    body = text(client.get("/", query_string={"q": "路桥", "page": 7, "lang": "en"}))
    assert "past the last one" in body


def test_page_past_the_cap_asks_for_a_narrower_query(client, listed):
    body = text(client.get("/", query_string={"q": "路桥", "page": 51, "lang": "en"}))
    assert "first 50 pages" in body


# --- the subject page ---------------------------------------------------------------------------

def test_subject_page_shows_public_entries_only(client, make):
    subject = make.subject()
    public = make.entry(EntryStatus.PUBLISHED, subject=subject)
    hidden = {status: make.entry(status, subject=subject, review_comment="内部意见：材料不全")
              for status in HIDDEN if status is not EntryStatus.PENDING_REVIEW}
    reviewer = make.user("reviewer", name="审核员李四")
    pending = make.entry(EntryStatus.PENDING_REVIEW, subject=subject)
    body = text(client.get(f"/subjects/{subject.id}"))
    assert public.decision_number in body
    for entry in [*hidden.values(), pending]:
        assert entry.decision_number not in body
    assert "内部意见" not in body
    assert reviewer.name not in body


def test_expired_by_date_is_hidden_before_the_nightly_check(client, make):
    subject = make.subject()
    make.entry(EntryStatus.PUBLISHED, subject=subject)
    stale = make.entry(EntryStatus.PUBLISHED, subject=subject, valid_until=clock.today() - timedelta(days=1))
    response = client.get("/lists/black")
    assert stale.decision_number not in text(response)


def test_unknown_subject_is_not_found(client):
    assert client.get("/subjects/999999999").status_code == 404


def test_person_page_masks_the_id(client, make):
    person = make.subject(SubjectKind.PERSON, name="王五")
    make.entry(EntryStatus.PUBLISHED, subject=person, category="道路运输严重失信")
    body = text(client.get(f"/subjects/{person.id}"))
    assert mask_resident_id(person.identifier) in body
    assert person.identifier not in body


def test_markers(client, make):
    subject = make.subject()
    in_publicity = make.entry(EntryStatus.IN_PUBLICITY, subject=subject)
    published = make.entry(EntryStatus.PUBLISHED, subject=subject)
    body = text(client.get(f"/subjects/{subject.id}"))
    assert "公示中" in body and "异议处理中" not in body and "修复中" not in body
    open_hold("list_entry", in_publicity.id, HoldKind.OBJECTION, source_id=901)
    open_hold("list_entry", published.id, HoldKind.REPAIR, source_id=902)
    body = text(client.get(f"/subjects/{subject.id}"))
    assert "异议处理中" in body and "修复中" in body


def test_subject_page_etag_gives_304(client, listed):
    subject, _ = listed
    first = client.get(f"/subjects/{subject.id}")
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get(f"/subjects/{subject.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


# --- red and black lists ------------------------------------------------------------------------

def test_black_list_shows_published_and_in_publicity_only(client, make):
    shown = [make.entry(s) for s in (EntryStatus.PUBLISHED, EntryStatus.IN_PUBLICITY)]
    hidden = [make.entry(s) for s in HIDDEN]
    red = make.entry(EntryStatus.PUBLISHED, category="道路运输守信")
    body = text(client.get("/lists/black"))
    assert all(e.decision_number in body for e in shown)
    assert not any(e.decision_number in body for e in [*hidden, red])
    assert "公示中" in body
    assert red.decision_number in text(client.get("/lists/red"))


def test_list_filters(client, make):
    changsha = make.subject(identifier=None)  # region 430100
    from tests.factories import valid_uscc

    hengyang = make.subject(identifier=valid_uscc(region="430400"))
    a = make.entry(EntryStatus.PUBLISHED, subject=changsha, decision_date=clock.today() - timedelta(days=40))
    b = make.entry(EntryStatus.PUBLISHED, subject=hengyang, unit="LZC", category="道路运输严重失信")
    body = text(client.get("/lists/black", query_string={"city": "4304"}))
    assert b.decision_number in body and a.decision_number not in body
    body = text(client.get("/lists/black", query_string={"category": str(b.category_id)}))
    assert b.decision_number in body and a.decision_number not in body
    body = text(client.get("/lists/black", query_string={"unit": str(b.unit_id)}))
    assert b.decision_number in body and a.decision_number not in body
    since = (clock.today() - timedelta(days=35)).isoformat()
    body = text(client.get("/lists/black", query_string={"date_from": since}))
    assert b.decision_number in body and a.decision_number not in body


@pytest.mark.parametrize("args", [
    {"date_from": "2026-13-45"}, {"date_from": "2026-05-01", "date_to": "2026-04-01"},
    {"category": "abc"}, {"category": "999999"}, {"unit": "x"}, {"city": "9999"},
])
def test_bad_filters_get_a_message(client, args):
    response = client.get("/lists/black", query_string={**args, "lang": "en"})
    assert response.status_code == 400
    assert "Correct the marked filter" in text(response)


def test_csv_download_of_the_current_filter(client, make):
    person = make.subject(SubjectKind.PERSON, name="=HYPERLINK(1)")
    entry = make.entry(EntryStatus.PUBLISHED, subject=person, category="道路运输严重失信")
    other = make.entry(EntryStatus.PUBLISHED)
    response = client.get("/lists/black.csv", query_string={"category": str(entry.category_id)})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["名单", "类别", "主体名称"]
    numbers = [row[6] for row in rows[1:]]
    assert entry.decision_number in numbers and other.decision_number not in numbers
    row = rows[1 + numbers.index(entry.decision_number)]
    assert row[2] == "'=HYPERLINK(1)"
    assert row[3] == mask_resident_id(person.identifier)
    assert person.identifier not in raw.decode("utf-8-sig")


def test_list_page_number_past_the_end(client, make):
    make.entry(EntryStatus.PUBLISHED)
    for page in ("999", "x", "-1"):
        assert client.get("/lists/black", query_string={"page": page}).status_code == 200
