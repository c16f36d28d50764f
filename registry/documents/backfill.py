"""``flask documents issue-missing``: the decision notices of records decided before notices were
issued at the decision.

Until then a notice was numbered and dated on its first download, so a database upgraded from
then holds decided records with no notice, or only with one dated the day someone downloaded it.
Each gets its decision notice now, as ``operations.issue_decision_notice`` issues it: dated at
the decision (the approval's or confirmation's time stored on the record), numbered in the
decision's year, with the content as decided, audited (``document.issue``, actor ``system``).  A
notice already issued on the day of the decision is adopted as it (``document.adopt``), not
issued twice.  Notices issued later, on downloads, stay as they were: still verifiable, no longer
what a download returns.  Running it again issues nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from registry.core.audit import record_event
from registry.documents.kinds import NOTICE_KINDS
from registry.documents.models import IssuedDocument
from registry.documents.operations import decision_key, issue_decision_notice
from registry.extensions import db

CHUNK = 500


@dataclass
class Backfill:
    issued: dict[str, int] = field(default_factory=dict)  # kind -> notices issued (or adopted) now
    present: dict[str, int] = field(default_factory=dict)  # kind -> decided records that had theirs

    @property
    def total(self) -> int:
        return sum(self.issued.values())


def _missing(kind) -> tuple[list, int, type]:
    """(decision time, record id) of the kind's decided records without their decision notice,
    in the order they were decided (so numbers follow the dates within each year)."""
    found, present = [], 0
    model = kind.decision.records().column_descriptions[0]["entity"]
    for chunk in db.session.scalars(kind.decision.records().order_by(model.id)
                                    .execution_options(yield_per=CHUNK)).partitions():
        keys = {decision_key(kind, kind.record_ref(record)): record for record in chunk}
        have = set(db.session.scalars(sa.select(IssuedDocument.issue_key)
                                      .where(IssuedDocument.issue_key.in_(list(keys)))))
        for key, record in keys.items():
            at = kind.decision.at(record)
            if key in have:
                present += 1
            elif at is not None:
                found.append((at, record.id))
    return sorted(found), present, model


def issue_missing(*, dry_run: bool = False) -> Backfill:
    """Issue every missing decision notice (none when ``dry_run``); the caller commits."""
    result = Backfill()
    for kind in NOTICE_KINDS.ordered():
        if kind.decision is None:
            continue
        missing, present, model = _missing(kind)
        result.present[kind.name] = present
        result.issued[kind.name] = len(missing)
        if dry_run:
            continue
        for start in range(0, len(missing), CHUNK):
            ids = [record_id for _at, record_id in missing[start:start + CHUNK]]
            records = {record.id: record for record in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}
            for record_id in ids:
                issue_decision_notice(kind.name, records[record_id], actor_label="system")
            db.session.flush()
    if not dry_run and result.total:
        record_event("document.issue_missing", actor_label="system", details={"issued": result.issued})
    return result
