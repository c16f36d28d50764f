"""The name search's matches on PostgreSQL, whose text indexes return them unordered.

The pages want the first matches in id order (20 of them, or 50 newest) and a count up to 201.
A GIN index (the pairs' index for one or two characters, pg_trgm for more) finds every match at
once but in no order: sorting every match of a common piece ("长沙": 39,000 names) to show the
first 20 took 40 ms.  Walking the primary key with the plain LIKE finds the first matches of a
common piece at once, but reads the whole table for a rare one (70 ms).  So the search picks by
how common the query is, as PostgreSQL's own statistics of the pairs' index tell (ANALYZE's most
common elements):

- rare (a piece of the query is not among the most common, or few names hold it): the index
  alone, every match sorted: a few hundred at most;
- common: walk the first (or newest) ids with the LIKE, as many as the expected rate needs to fill
  the page (or the count too, for very common pieces) and half as many again, 2,000 to 30,000
  (``WALK_IDS`` when there are no statistics); only if the walk falls short are the matches
  beyond the walked ids asked of the index, and those are then few (sorted) or only counted (no
  order, stopping at the count's cap).

Either way the answer is the same; the statistics only choose the cheaper road.  ``id + 0`` keeps
the planner off the primary key on the index's road (walking it while evaluating the pairs'
function on every row took 150 ms), and ``name || ''`` keeps the walk off the trigram index.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from registry.core.db import contains
from registry.extensions import db
from registry.subjects.models import Subject

WALK_IDS = 10_000  # walked when the statistics say nothing
WALK_LIMITS = (2_000, 30_000)  # the fewest and most ids walked when they do (30,000: ~4 ms)
# Expected matches up to which the index alone answers, sorting them all (~1.8 µs a match; with
# the public page's filter tested on each first, ~4.5: 王's 2,600 names took 25 ms that way).  A
# piece missing from the statistics counts as common as the rarest listed (0.11 % at 1,000,000
# names: 1,100), so absent and rare queries stay on the index with the filter too.
INDEX_FIRST_MAX_ROWS = 3_000
INDEX_FIRST_MAX_ROWS_FILTERED = 2_000
COUNT_BY_WALK_ROWS = 12_000  # expected matches from which the walk also counts (the index would read more)
STATISTICS_SECONDS = 600  # how long the statistics and the id range are kept before they are read again


@dataclass(frozen=True)
class _Statistics:
    read_at: float
    frequencies: dict[str, float] | None  # fraction of names holding each common piece; None: never analysed
    lowest: float  # the lowest of those fractions: a piece not listed is rarer
    rows: float
    first_id: int | None
    last_id: int | None


_statistics: dict[str, _Statistics] = {}


def _through_index(query: str) -> list:
    """SQL: names containing ``query``, put so that a text index answers: for one or two
    characters the pairs' GIN index (exact) with the LIKE beside it, for more the LIKE itself
    through the trigram index."""
    if len(query) > 2:
        return [contains(Subject.name, query)]
    grams = sa.func.subject_name_grams(Subject.name, type_=postgresql.ARRAY(sa.Text))
    holds_piece = grams.contains(sa.cast(postgresql.array([query]), postgresql.ARRAY(sa.Text)))
    return [holds_piece, contains(Subject.name, query)]


def _read_statistics() -> _Statistics:
    """The pairs' index's statistics from ``pg_stats`` (ANALYZE's most common elements and their
    frequencies), the table's size and its id range, kept for ``STATISTICS_SECONDS``.

    Stale values only choose a slower road: the ids walked and those asked of the index part the
    table at whatever id the range says.  An empty range is read again every time."""
    key = str(db.session.get_bind().engine.url)  # in the tests the bind is a connection
    cached = _statistics.get(key)
    if cached and cached.first_id is not None and time.monotonic() - cached.read_at < STATISTICS_SECONDS:
        return cached
    row = db.session.execute(sa.text(
        "SELECT (SELECT min(id) FROM subjects), (SELECT max(id) FROM subjects), "
        "(SELECT reltuples FROM pg_class WHERE relname = 'subjects'), s.most_common_elems::text::text[], "
        "s.most_common_elem_freqs FROM (SELECT 1) AS one LEFT JOIN pg_stats AS s "
        "ON s.tablename = 'ix_subjects_name_grams'"
    )).one()
    first_id, last_id, rows, elements, frequencies = row
    statistics = _Statistics(time.monotonic(), None, 0.0, float(rows or 0), first_id, last_id)
    if elements:
        # The frequencies list ends with three more numbers: the lowest, the highest and the nulls'.
        statistics = replace(statistics, frequencies=dict(zip(elements, frequencies[:len(elements)], strict=True)),
                             lowest=frequencies[-3])
    _statistics[key] = statistics
    return statistics


def _expected_rows(query: str, statistics: _Statistics) -> float | None:
    """About how many names contain ``query`` at most (its rarest piece's count); None: unknown."""
    if statistics.frequencies is None:
        return None
    pieces = [query] if len(query) == 1 else [query[i:i + 2] for i in range(len(query) - 1)]
    return min(statistics.frequencies.get(piece, statistics.lowest) for piece in pieces) * statistics.rows


def containing(query: str, extra: list, *, ordered: int, counted: int,
               newest_first: bool) -> tuple[list[int], int]:
    """The first ``ordered`` ids (id order, or newest first) of subjects whose name contains
    ``query`` and meets ``extra``, and how many there are, counted up to ``counted``."""
    wanted = max(ordered, counted)
    unindexed_id = Subject.id + 0
    order = unindexed_id.desc() if newest_first else unindexed_id
    statistics = _read_statistics()
    if statistics.first_id is None:
        return [], 0
    expected = _expected_rows(query, statistics)
    if expected is not None and expected <= (INDEX_FIRST_MAX_ROWS_FILTERED if extra else INDEX_FIRST_MAX_ROWS):
        found = list(db.session.scalars(
            sa.select(Subject.id).where(*_through_index(query), *extra).order_by(order).limit(wanted)))
        return found[:ordered], min(len(found), counted)

    # Enough ids to meet the page's matches at the expected rate, and half as many again (falling
    # short sends the rest to the index, sorted: 4.5 ms for 王's 2,500 names); the count's
    # too when so many names match that counting them through the index would read more.
    target = wanted if expected is None or expected >= COUNT_BY_WALK_ROWS else ordered
    walk_ids = WALK_IDS if expected is None else int(min(max(
        1.5 * target * statistics.rows / expected, WALK_LIMITS[0]), WALK_LIMITS[1]))
    if newest_first:
        boundary = statistics.last_id - walk_ids
        walked, beyond = Subject.id > boundary, unindexed_id <= boundary
    else:
        boundary = statistics.first_id + walk_ids
        walked, beyond = Subject.id < boundary, unindexed_id >= boundary
    # ``name || ''``: the walk reads the primary key in order; left to itself, the planner would
    # first collect every trigram match of a common query (28,000 for 汽车运输: 2.4 ms, not 0.9).
    unindexed_like = contains(Subject.name + "", query)
    walk = sa.select(Subject.id).where(walked, unindexed_like, *extra)
    ids = list(db.session.scalars(walk.order_by(Subject.id.desc() if newest_first else Subject.id).limit(wanted)))
    if len(ids) == wanted:
        return ids[:ordered], min(len(ids), counted)
    rest = sa.select(Subject.id).where(beyond, *_through_index(query), *extra)
    # Parallel workers would take longer to start (4–5 ms) than this query takes to run alone.
    db.session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
    if len(ids) < ordered:
        ids += db.session.scalars(rest.order_by(order).limit(wanted - len(ids)))
        return ids[:ordered], min(len(ids), counted)
    more = db.session.scalar(sa.select(sa.func.count()).select_from(rest.limit(counted - len(ids)).subquery()))
    return ids[:ordered], min(len(ids) + more, counted)
