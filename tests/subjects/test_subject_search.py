"""Name search: any substring, exact matches first, then prefixes, operators harmless."""

import pytest

from registry.subjects.search import clean_query, search_subjects

NAMES = [
    "湖南路桥建设集团有限公司", "路桥建设", "路桥建设有限公司", "长沙市通达公路工程有限公司", 'A"B OR NEAR(C) 公司*',
]


@pytest.fixture
def named(make):
    return {name: make.subject(name=name) for name in NAMES}


def names(result):
    return [subject.name for subject in result.subjects]


def test_substring_in_the_middle_of_a_name(named):
    assert names(search_subjects("通达公路")) == ["长沙市通达公路工程有限公司"]


def test_exact_match_first_then_prefix_then_others(named):
    assert names(search_subjects("路桥建设")) == ["路桥建设", "路桥建设有限公司", "湖南路桥建设集团有限公司"]


def test_two_character_query_uses_the_pairs_index(named):
    assert set(names(search_subjects("路桥"))) == {"湖南路桥建设集团有限公司", "路桥建设", "路桥建设有限公司"}


@pytest.mark.parametrize("query", ['"', "*", "OR", "NEAR(", 'B OR NEAR(C', "%", "_", "公司*"])
def test_operator_characters_are_searched_literally(named, query):
    found = names(search_subjects(query))
    assert all(query in name for name in found)


def test_operators_find_the_name_that_contains_them(named):
    assert names(search_subjects('B OR NEAR(C')) == ['A"B OR NEAR(C) 公司*']


def test_pagination_has_next_and_no_repeats(make):
    for index in range(7):
        make.subject(name=f"分页测试{index}号有限公司")
    first = search_subjects("分页测试", per_page=3)
    second = search_subjects("分页测试", page=2, per_page=3)
    third = search_subjects("分页测试", page=3, per_page=3)
    assert first.has_next and second.has_next and not third.has_next
    seen = names(first) + names(second) + names(third)
    assert len(seen) == 7 == len(set(seen))


def test_renamed_subject_is_found_by_its_new_name(db, make):
    subject = make.subject(name="旧名称运输有限公司")
    subject.name = "新名称运输有限公司"
    db.session.flush()
    assert names(search_subjects("新名称运输")) == ["新名称运输有限公司"]
    assert names(search_subjects("旧名称运输")) == []


def test_blank_and_overlong_queries(named):
    assert search_subjects("   ").subjects == []
    assert len(clean_query("长" * 500)) == 100
