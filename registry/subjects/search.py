"""Finding subjects by any substring of their name, fast at a million subjects (SPEC §10).

The text indexes are declared with the model (``subjects/models.py``): on SQLite an FTS5 table
with the trigram tokenizer, on PostgreSQL a pg_trgm GIN index.  Both need three characters;
shorter queries (two Chinese characters are common) scan with LIKE.

Ranking: exact name matches first, then names that start with the query, then every other
match in registration order.  Each tier is its own indexed query, so that a common substring
("有限公司", matching most subjects) never sorts the whole match set.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from registry.extensions import db
from registry.subjects.models import Subject

MAX_QUERY_LENGTH = 100
TIER_CAP = 1000  # exact and prefix tiers are paginated within their first TIER_CAP rows

def clean_query(text: str | None) -> str:
    """The query as searched: whitespace collapsed, at most MAX_QUERY_LENGTH characters."""
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_FTS = sa.table("subjects_fts", sa.column("rowid"))


def _substring_matches(query: str, extra: list, limit: int) -> list[int]:
    """Ids of subjects whose name contains ``query``, in id order, at most ``limit``.

    On SQLite the text index drives the query in rowid order, so a common substring stops after
    ``limit`` matches instead of collecting every one of them first.
    """
    if db.session.get_bind().dialect.name == "sqlite" and len(query) >= 3:
        phrase = '"' + query.replace('"', '""') + '"'
        statement = (
            sa.select(Subject.id)
            .select_from(_FTS.join(Subject, Subject.id == _FTS.c.rowid))
            .where(sa.text("subjects_fts MATCH :phrase").bindparams(phrase=phrase), *extra)
            .order_by(_FTS.c.rowid)
        )
    else:
        statement = (
            sa.select(Subject.id)
            .where(Subject.name.like(f"%{_escape_like(query)}%", escape="\\"), *extra)
            .order_by(Subject.id)
        )
    return list(db.session.scalars(statement.limit(limit)))


@dataclass
class SearchPage:
    subjects: list[Subject]
    page: int
    has_next: bool


def search_subjects(text: str, *, page: int = 1, per_page: int = 20, condition=None) -> SearchPage:
    """One page of subjects whose name contains ``text``, best matches first.

    ``condition``: an optional SQL condition on ``Subject`` every result must also meet (the
    public lookup shows only subjects with public records).
    """
    query = clean_query(text)
    extra = [condition] if condition is not None else []
    if not query:
        return SearchPage([], page, False)
    page = max(page, 1)
    wanted = page * per_page + 1  # one more than needed tells whether a next page exists
    exact = list(db.session.scalars(
        sa.select(Subject.id).where(Subject.name == query, *extra).order_by(Subject.id).limit(min(wanted, TIER_CAP))
    ))
    prefix_bound = query + "\U0010ffff"
    prefix = list(db.session.scalars(
        sa.select(Subject.id)
        .where(Subject.name > query, Subject.name < prefix_bound, *extra)
        .order_by(Subject.name, Subject.id)
        .limit(min(max(wanted - len(exact), 0), TIER_CAP))
    ))
    ids = exact + prefix
    if len(ids) < wanted:
        seen = set(ids)
        rest = _substring_matches(query, extra, wanted - len(ids) + len(seen))
        ids += [subject_id for subject_id in rest if subject_id not in seen][: wanted - len(ids)]
    page_ids = ids[(page - 1) * per_page: page * per_page]
    by_id = {s.id: s for s in db.session.scalars(sa.select(Subject).where(Subject.id.in_(page_ids)))}
    return SearchPage([by_id[i] for i in page_ids if i in by_id], page, len(ids) > page * per_page)
