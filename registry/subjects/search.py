"""Finding subjects by any substring of their name, fast at a million subjects (PRODUCT §10).

The text indexes are declared with the model (``subjects/models.py``): queries of three or more
characters use a trigram index (SQLite: an FTS5 table with the trigram tokenizer; PostgreSQL: a
pg_trgm GIN index), queries of one or two characters the index of names' characters and pairs
(``subjects/grams.py``), so that no length of query scans the table.

Ranking: exact name matches first, then names that start with the query, then every other
match in registration order.  The first two tiers are one query on the name's index and the rest
another on the text index, each stopping at its LIMIT, so that a common substring ("有限公司",
matching most subjects) never sorts the whole match set; the second also gives the page its
count of matches (up to ``COUNT_CAP``), so a page costs two searches, not four.  On SQLite the
text index returns matches in id order; PostgreSQL's GIN indexes do not, and
``subjects/postgres_search.py`` picks between them and a walk of the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from registry.extensions import db
from registry.subjects import postgres_search
from registry.subjects.grams import sqlite_match
from registry.subjects.models import Subject

MAX_QUERY_LENGTH = 100
TIER_CAP = 1000  # exact and prefix tiers are paginated within their first TIER_CAP rows


def clean_query(text: str | None) -> str:
    """The query as searched: whitespace collapsed, at most MAX_QUERY_LENGTH characters."""
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


_FTS = sa.table("subjects_fts", sa.column("rowid"))
_GRAMS = sa.table("subjects_grams", sa.column("rowid"))
COUNT_CAP = 200  # past this many matches the pages say "more than 200" (counting stops there)


def _sqlite_matches(query: str, extra: list, *, newest_first: bool = False) -> sa.Select:
    """SQL: ids of subjects whose name contains ``query``, in id order (newest first if asked).

    The text index drives the query in rowid order, so a common substring stops after the LIMIT
    instead of collecting every match first.
    """
    if len(query) >= 3:
        index, match = _FTS, sa.text("subjects_fts MATCH :phrase").bindparams(
            phrase='"' + query.replace('"', '""') + '"')
    else:
        index, match = _GRAMS, sa.text("subjects_grams MATCH :token").bindparams(token=sqlite_match(query))
    return (
        sa.select(Subject.id)
        .select_from(index.join(Subject, Subject.id == index.c.rowid))
        .where(match, *extra)
        .order_by(index.c.rowid.desc() if newest_first else index.c.rowid)
    )


def _containing(query: str, extra: list, *, ordered: int, counted: int,
                newest_first: bool = False) -> tuple[list[int], int]:
    """The first ``ordered`` ids (id order, or newest first) of subjects whose name contains
    ``query`` and meets ``extra``, and how many there are, counted up to ``counted``."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgres_search.containing(query, extra, ordered=ordered, counted=counted, newest_first=newest_first)
    statement = _sqlite_matches(query, extra, newest_first=newest_first).limit(max(ordered, counted))
    ids = list(db.session.scalars(statement))
    return ids[:ordered], min(len(ids), counted)


def count_matches(text: str, *, condition=None, cap: int = COUNT_CAP) -> int:
    """How many subjects' names contain ``text`` (meeting ``condition``), counted up to ``cap + 1``:
    a result above ``cap`` means "more than ``cap``"."""
    query = clean_query(text)
    if not query:
        return 0
    extra = [condition] if condition is not None else []
    return _containing(query, extra, ordered=0, counted=cap + 1)[1]


@dataclass
class SearchPage:
    subjects: list[Subject]
    page: int
    has_next: bool
    matches: int  # names containing the query, counted up to COUNT_CAP + 1 (more: "more than COUNT_CAP")


def _subjects_in_order(ids: list[int]) -> list[Subject]:
    by_id = {s.id: s for s in db.session.scalars(sa.select(Subject).where(Subject.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def newest_matching(text: str, *, limit: int, condition=None) -> SearchPage:
    """The newest ``limit`` subjects whose name contains ``text`` (the officers' subject list), and
    the count of matches (on SQLite one indexed query answers both)."""
    query = clean_query(text)
    if not query:
        return SearchPage([], 1, False, 0)
    extra = [condition] if condition is not None else []
    ids, matches = _containing(query, extra, ordered=limit + 1, counted=COUNT_CAP + 1, newest_first=True)
    return SearchPage(_subjects_in_order(ids[:limit]), 1, len(ids) > limit, matches)


def search_subjects(text: str, *, page: int = 1, per_page: int = 20, condition=None) -> SearchPage:
    """One page of subjects whose name contains ``text``, best matches first, and the count of matches.

    ``condition``: an optional SQL condition on ``Subject`` every result must also meet (the
    public lookup shows only subjects with public records).

    Two indexed searches: the names equal to or starting with the query (on the name's index, in
    name order: the equal ones sort first), and the names containing it in id order, as many as
    the page still needs, with their count (on SQLite the same rows: at least the count's cap and
    one more).
    """
    query = clean_query(text)
    extra = [condition] if condition is not None else []
    if not query:
        return SearchPage([], page, False, 0)
    page = max(page, 1)
    wanted = page * per_page + 1  # one more than needed tells whether a next page exists
    prefix_bound = query + "\U0010ffff"
    ids = list(db.session.scalars(
        sa.select(Subject.id)
        .where(Subject.name >= query, Subject.name < prefix_bound, *extra)
        .order_by(Subject.name, Subject.id)
        .limit(min(wanted, TIER_CAP))
    ))
    still_wanted = wanted + len(ids) if len(ids) < wanted else 0  # the tiers' names come again among them
    containing, matches = _containing(query, extra, ordered=still_wanted, counted=COUNT_CAP + 1)
    if len(ids) < wanted:
        seen = set(ids)
        ids += [subject_id for subject_id in containing if subject_id not in seen][: wanted - len(ids)]
    page_ids = ids[(page - 1) * per_page: page * per_page]
    return SearchPage(_subjects_in_order(page_ids), page, len(ids) > page * per_page, matches)
