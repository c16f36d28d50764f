"""Name search at every length of query: the index of characters and pairs for one and
two characters, the trigram index from three; the public page, the officer search and the count.

The expected matches are computed here, independently, with Python's ``in`` over the names the
test created (the names are Chinese, digits and punctuation, where SQLite's and PostgreSQL's
``LIKE`` agree with ``in``).
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from registry.core.identifiers import SubjectKind, mask_resident_id
from registry.listing.models import EntryStatus
from registry.subjects.search import count_matches, newest_matching, search_subjects

NAMES = [
    "长沙通达运输有限公司", "株洲长运物流有限公司", "湘潭沙石运输公司", "长", "沙长", "岳阳100%达标运输公司",
    "衡阳_下划线运输", "常德\\反斜杠路桥", "益阳50%_\\混合", "郴州货运", "永州客运站", "怀化路桥建设集团",
]
QUERIES = [
    "长", "沙", "运", "司", "达", "%", "_", "\\", "0", "鑫",  # one character
    "长沙", "运输", "沙长", "%达", "_下", "\\反", "%_", "0%", "长长", "桥建", "州货",  # two
    "运输有", "有限公司", "100%达标", "_下划线", "\\反斜杠路", "50%_\\", "路桥建设集团", "不存在的",  # 3 and more
    "司长",
]


@pytest.fixture
def named(make):
    return [make.subject(name=name) for name in NAMES]


def expected(query: str) -> set[str]:
    return {name for name in NAMES if query in name}


def all_pages(query: str) -> list[str]:
    found, page = [], 1
    while True:
        result = search_subjects(query, page=page, per_page=5)
        found += [subject.name for subject in result.subjects]
        if not result.has_next:
            return found
        page += 1


@pytest.mark.parametrize("query", QUERIES)
def test_every_length_finds_exactly_the_names_containing_the_query(named, query):
    found = all_pages(query)
    assert len(found) == len(set(found))
    assert set(found) == expected(query)
    assert count_matches(query) == len(expected(query))
    assert search_subjects(query, per_page=5).matches == len(expected(query))  # the page's own count


@pytest.mark.parametrize("query", ["长", "长沙", "运输", "%", "\\"])
def test_ranking_exact_then_prefix_then_registration_order(named, query):
    names = [subject.name for subject in search_subjects(query, per_page=50).subjects]
    exact = [name for name in NAMES if name == query]
    prefix = sorted(name for name in NAMES if name.startswith(query) and name != query)
    rest = [name for name in NAMES if query in name and not name.startswith(query)]
    assert names == exact + prefix + rest


def test_a_first_page_holds_twenty_when_there_are_more(make):
    for index in range(25):
        make.subject(name=f"测{index:02d}号")
    make.subject(name="不相干")
    assert len(search_subjects("测", per_page=20).subjects) == 20
    assert count_matches("测") == 25
    assert count_matches("测", cap=10) == 11  # counted up to the cap and one more: "more than 10"


def test_the_pages_count_stops_past_the_cap_and_later_pages_still_fill(make, monkeypatch):
    from registry.subjects import search

    for index in range(25):
        make.subject(name=f"测{index:02d}号")
    monkeypatch.setattr(search, "COUNT_CAP", 10)
    first = search_subjects("测", per_page=20)
    assert first.matches == 11 and first.has_next  # "more than 10"
    second = search_subjects("测", page=2, per_page=20)
    assert [s.name for s in second.subjects] == [f"测{index:02d}号" for index in range(20, 25)]
    assert not second.has_next
    newest = newest_matching("测", limit=3)
    assert [s.name for s in newest.subjects] == ["测24号", "测23号", "测22号"]
    assert newest.matches == 11 and newest.has_next


def test_renamed_and_deleted_subjects_leave_the_pairs_index(db, make):
    subject = make.subject(name="旧甲运输")
    gone = make.subject(name="丙丁运输")
    assert count_matches("旧甲") == 1 and count_matches("丙丁") == 1
    subject.name = "新乙运输"
    db.session.delete(gone)
    db.session.flush()
    assert [s.name for s in search_subjects("新乙").subjects] == ["新乙运输"]
    assert search_subjects("旧甲").subjects == [] and search_subjects("旧").subjects == []
    assert search_subjects("丙丁").subjects == [] and search_subjects("丙").subjects == []
    assert count_matches("运输") == 1


def test_ascii_letters_match_in_either_case_as_like_does(db, make):
    make.subject(name="ABC物流")
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    for query in ("a", "ab", "abc", "bC"):
        assert len(search_subjects(query).subjects) == (1 if sqlite else 0)  # LIKE: ASCII-insensitive on SQLite
    for query in ("A", "AB", "ABC物"):
        assert len(search_subjects(query).subjects) == 1


def test_newest_matching_for_officers(named):
    newest = newest_matching("运输", limit=2)
    ordered = [name for name in reversed(NAMES) if "运输" in name]
    assert [subject.name for subject in newest.subjects] == ordered[:2]
    assert newest.has_next == (len(ordered) > 2) and newest.matches == len(ordered)
    nothing = newest_matching("鑫", limit=50)
    assert nothing.subjects == [] and nothing.matches == 0 and not nothing.has_next


# ---------------------------------------------------------------------------------------------
# The public page


def body(response) -> str:
    return response.get_data(as_text=True)


def _count_line(html: str) -> str:
    return re.search(r'<p class="match-count">(.*?)</p>', html, re.S).group(1)


@pytest.mark.parametrize("query", ["沙", "运输", "%", "_", "\\", "有限公司", "鑫"])
def test_public_page_lists_and_counts_public_matches(client, make, query):
    for name in NAMES:
        make.entry(EntryStatus.PUBLISHED, subject=make.subject(name=name))
    html = body(client.get("/", query_string={"q": query, "lang": "en"}))
    assert _count_line(html).strip() == f"Subjects found: {len(expected(query))}"
    for name in NAMES:
        assert (f">{escape(name)}<" in html) == (name in expected(query))


def test_public_page_says_more_than_the_cap(client, make, monkeypatch):
    import registry.public.views as public_views

    monkeypatch.setattr(public_views, "COUNT_CAP", 2)
    for index in range(4):
        make.subject(name=f"多家{index}")
    html = body(client.get("/", query_string={"q": "多", "lang": "en"}))
    assert _count_line(html).strip() == "Subjects found: more than 2"


@pytest.mark.parametrize("query", ["钱", "钱草", "钱草稿"])
def test_persons_without_public_records_never_found(client, make, query):
    drafted = make.subject(SubjectKind.PERSON, name="钱草稿")
    make.entry(EntryStatus.PENDING_REVIEW, subject=drafted, category="道路运输严重失信")
    make.subject(SubjectKind.PERSON, name="钱草稿稿")
    html = body(client.get("/", query_string={"q": query, "lang": "en"}))
    assert ">钱草稿<" not in html and ">钱草稿稿<" not in html and "/subjects/" not in html
    assert _count_line(html).strip() == "Subjects found: 0"
    listed = make.subject(SubjectKind.PERSON, name="钱草稿的邻居")
    make.entry(EntryStatus.PUBLISHED, subject=listed, category="道路运输严重失信")
    html = body(client.get("/", query_string={"q": query, "lang": "en"}))
    assert ">钱草稿的邻居<" in html and mask_resident_id(listed.identifier) in html
    assert ">钱草稿<" not in html and ">钱草稿稿<" not in html
    assert _count_line(html).strip() == "Subjects found: 1"


# ---------------------------------------------------------------------------------------------
# The officer search


@pytest.mark.parametrize("query", ["长", "运输", "%", "_", "\\", "50%_\\", "鑫"])
def test_officer_search_every_length(client, login, named, query):
    login("clerk")
    html = body(client.get("/officer/subjects/", query_string={"q": query, "lang": "en"}))
    assert _count_line(html).strip() == f"Subjects found: {len(expected(query))}"
    rows = re.findall(r'<tr><td><a href="/officer/subjects/\d+">(.*?)</a>', html)
    assert len(rows) == len(expected(query))
    assert set(rows) == {str(escape(name)) for name in expected(query)}


def test_officer_search_by_identifier_still_opens_the_subject(client, login, named):
    login("clerk")
    response = client.get("/officer/subjects/", query_string={"q": named[0].identifier})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/officer/subjects/{named[0].id}")


def test_officer_search_without_query_lists_newest(client, login, named):
    login("clerk")
    html = body(client.get("/officer/subjects/"))
    assert 'class="match-count"' not in html and NAMES[-1] in html
