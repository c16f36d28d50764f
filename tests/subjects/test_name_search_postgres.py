"""The name search's roads on PostgreSQL (``subjects/postgres_search.py``): the index alone, a walk of
the first or newest ids, the index for what the walk did not reach (sorted, or only counted), with
statistics or without, fresh or stale.  Every road must give the same answer, the one computed
here with Python's ``in`` over the names the test made: the roads differ only in cost.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from registry.core import clock
from registry.core.identifiers import SubjectKind
from registry.listing.models import EntryStatus
from registry.readmodel.queries import searchable_condition
from registry.subjects import postgres_search, search
from registry.subjects.models import Subject
from registry.subjects.search import newest_matching, search_subjects

pytestmark = pytest.mark.skipif(not os.environ.get("REGISTRY_TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="PostgreSQL's search roads (REGISTRY_TEST_DATABASE_URL)")

# Organisations, and persons (P: with a published list entry, p: with none) whose names the public
# search may show only with a public record.
NAMES = [
    ("运输甲", "O"), ("长沙运输有限公司", "O"), ("乙运", "O"), ("王运", "p"), ("运", "O"), ("湘运输物流有限公司", "O"),
    ("丙丁", "O"), ("运运", "P"), ("株洲运输", "O"), ("有限公司", "O"), ("王运输", "P"), ("戊运输有限公司", "O"),
    ("己庚", "p"), ("运输", "O"), ("辛运有限公司", "O"), ("王运运", "p"), ("壬癸运输有限公司", "O"), ("运输运输", "O"),
]
QUERIES = ["运", "运输", "有限公司", "王运", "鑫"]


@pytest.fixture
def named(make):
    subjects = []
    for name, kind in NAMES:
        subject = make.subject(SubjectKind.PERSON if kind in "Pp" else SubjectKind.ORGANISATION, name=name)
        if kind == "P":
            make.entry(EntryStatus.PUBLISHED, subject=subject, category="道路运输严重失信")
        subjects.append((subject, kind))
    return subjects


def _statistics(frequencies, *, first_id=None, last_id=None):
    bounds = postgres_search.db.session.execute(sa.select(sa.func.min(Subject.id), sa.func.max(Subject.id))).one()
    # A piece not listed is taken as rare as the lowest listed: 0.0001 of a million names, 100.
    return postgres_search._Statistics(0.0, frequencies, 0.0001, 1_000_000.0,
                                       bounds[0] if first_id is None else first_id,
                                       bounds[1] if last_id is None else last_id)


# Each road, forced: (statistics' frequencies, walk limits); "stale" moves the id range it walks from.
ROADS = {
    "index alone": ({}, (2, 2)),  # every piece rarer than the lowest listed: the index answers
    "walk reaches all": (dict.fromkeys(["运", "运输", "有限", "限公", "公司", "王运", "鑫"], 0.5), (10_000, 10_000)),
    "walk short, index sorts the rest": ({"运": 0.5, "运输": 0.5, "有限": 0.5, "限公": 0.5, "公司": 0.5,
                                          "王运": 0.5, "鑫": 0.5}, (3, 3)),
    "no statistics": (None, None),
}


@pytest.fixture(params=[*ROADS, "stale range"])
def road(request, monkeypatch, named):
    name = request.param
    frequencies, limits = ROADS.get(name, ROADS["walk short, index sorts the rest"])
    if limits:
        monkeypatch.setattr(postgres_search, "WALK_LIMITS", limits)
    monkeypatch.setattr(postgres_search, "WALK_IDS", 4)
    first, last = named[0][0].id, named[-1][0].id
    stale = {"first_id": first + 5, "last_id": last - 6} if name == "stale range" else {}
    monkeypatch.setattr(postgres_search, "_read_statistics", lambda: _statistics(frequencies, **stale))
    monkeypatch.setattr(search, "COUNT_CAP", 6)  # counts stop at 7: some queries say "more than 6"
    return name


def _expected(named, query, *, public):
    shown = [subject for subject, kind in named if kind != "p" or not public] if public else [s for s, _ in named]
    return [subject for subject in shown if query in subject.name]


def _all_pages(query, condition):
    found, page = [], 1
    while True:
        result = search_subjects(query, page=page, per_page=3, condition=condition)
        found += result.subjects
        if not result.has_next:
            return found, result.matches
        page += 1


@pytest.mark.parametrize("public", [True, False], ids=["public", "every subject"])
@pytest.mark.parametrize("query", QUERIES)
def test_every_road_gives_the_same_pages_and_count(named, road, query, public):
    condition = searchable_condition(clock.today()) if public else None
    matching = _expected(named, query, public=public)
    found, matches = _all_pages(query, condition)
    assert sorted(subject.id for subject in found) == sorted(subject.id for subject in matching)
    assert len(found) == len(set(found))
    exact = [s for s in matching if s.name == query]
    prefix = sorted((s for s in matching if s.name.startswith(query) and s.name != query), key=lambda s: (s.name, s.id))
    rest = [s for s in matching if not s.name.startswith(query)]  # registration (id) order
    assert [s.id for s in found] == [s.id for s in exact + prefix + rest]
    assert matches == min(len(matching), 7)


@pytest.mark.parametrize("query", QUERIES)
def test_every_road_gives_the_same_newest_for_officers(named, road, query):
    matching = _expected(named, query, public=False)
    newest = newest_matching(query, limit=4)
    assert [s.id for s in newest.subjects] == [s.id for s in reversed(matching)][:4]
    assert newest.has_next == (len(matching) > 4)
    assert newest.matches == min(len(matching), 7)


def test_the_statistics_come_from_analyse_and_are_kept(make, monkeypatch):
    for index in range(30):
        make.subject(name=f"测{index}运输")
    postgres_search.db.session.execute(sa.text("ANALYZE subjects"))
    postgres_search._statistics.clear()
    statistics = postgres_search._read_statistics()
    total = postgres_search.db.session.scalar(sa.select(sa.func.count()).select_from(Subject))
    holding = postgres_search.db.session.scalar(sa.select(sa.func.count()).where(Subject.name.contains("运输")))
    assert statistics.frequencies["运输"] == pytest.approx(holding / total, abs=0.02)
    assert statistics.rows == pytest.approx(total, abs=1)
    assert postgres_search._expected_rows("测0运输", statistics) <= holding + 1  # bounded by its rarest pair
    make.subject(name="新来的运输")
    assert postgres_search._read_statistics() is statistics  # kept: not read again within the period
    monkeypatch.setattr(postgres_search, "STATISTICS_SECONDS", 0)
    assert postgres_search._read_statistics() is not statistics
    postgres_search._statistics.clear()
