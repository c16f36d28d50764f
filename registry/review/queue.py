"""Assembling the queue from every registered source, with filters, counts and ages."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.core import clock
from registry.core.permissions import Role, can_review
from registry.core.workdays import current_calendar
from registry.core.workflow import QUEUE_SOURCES, QueueItem


@dataclass
class QueueRow:
    item: QueueItem
    kind_label: object
    age_working_days: int | None
    actionable: bool


@dataclass
class QueueView:
    rows: list[QueueRow]
    counts: dict[str, int]
    categories: list[str]
    submitters: dict[int, str]
    outcomes: list[str] = field(default_factory=list)
    filters: dict = field(default_factory=dict)


class _Reviewable:
    """The parts of an item ``can_review`` looks at."""

    def __init__(self, item: QueueItem):
        self.unit_id = item.unit_id
        self.created_by_id = item.created_by_id
        self.submitted_by_id = item.submitted_by_id
        # Who changed the record's content, when the source says (``core.editors``).
        self.editor_ids = item.extra.get("editor_ids", ())


def build_queue(user, *, kind: str | None = None, category: str | None = None,
                submitter: int | None = None, outcome: str | None = None) -> QueueView:
    """What is waiting in the user's unit, oldest first.

    Admins and auditors have no unit queue of their own to act on; they see none here.
    """
    if user.role not in (Role.CLERK, Role.REVIEWER):
        return QueueView([], {}, [], {})
    calendar = current_calendar()
    today = clock.today()
    items: list[tuple[QueueItem, object]] = []
    counts: dict[str, int] = {}
    for source in QUEUE_SOURCES.values():
        pending = source.pending(user.unit_id)
        counts[source.kind] = len(pending)
        items.extend((item, source.label) for item in pending)
    categories = sorted({item.category for item, _label in items if item.category})
    # By code, not by label: the label changes with the language, the code does not.
    outcomes = sorted({(item.outcome_code, item.outcome) for item, _label in items if item.outcome_code},
                      key=lambda pair: pair[1])
    submitters = {item.submitted_by_id: item.submitted_by_label for item, _label in items if item.submitted_by_id}
    rows = []
    for item, label in items:
        if (kind and item.kind != kind) or (category and item.category != category):
            continue
        if outcome and item.outcome_code != outcome:
            continue
        if submitter and item.submitted_by_id != submitter:
            continue
        submitted_day = clock.local(item.submitted_at).date() if item.submitted_at else None
        age = calendar.count_between(submitted_day, today) if submitted_day else None
        rows.append(QueueRow(item, label, age, can_review(user, _Reviewable(item))))
    rows.sort(key=lambda row: (row.item.submitted_at is None, row.item.submitted_at or clock.utcnow()))
    return QueueView(rows, counts, categories, submitters, outcomes=outcomes,
                     filters={"kind": kind, "category": category, "submitter": submitter, "outcome": outcome})
