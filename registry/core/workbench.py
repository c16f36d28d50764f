"""The officer's workbench: what each package contributes to the landing page after sign-in.

The page (the ``workbench`` aggregator) shows the sections of ``WORK_SECTIONS`` the officer's role
has, in order; each section gathers the lines that packages register for it with
``register_work_lines(section, name, order=)`` on ``fn(user, today) -> list[WorkLine]``.  A line is
a count and a link to the list that holds exactly those items, so that a line counts what its
link opens: a package states the condition once as a ``WorkFilter`` of a ``WorkFilters`` set, the
list view narrows itself with ``filters.apply(statement, request.args.get("work"), user, today)``,
and the line counts with ``filters.count(...)`` (one query for all of a model's lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core.permissions import Role
from registry.core.registry import Registry
from registry.extensions import db

UNIT_WORK = frozenset({Role.CLERK, Role.REVIEWER})


@dataclass
class WorkLine:
    """One line of a section: ``count`` items, ``url`` the list showing them."""

    label: object
    count: int
    url: str | None = None
    oldest: date | datetime | None = None  # the oldest waiting item, where it matters
    age: int | None = None  # working days the oldest item has waited
    tone: str = ""  # "overdue" or "warning": shown in colour and words, never colour alone
    note: object = None  # a short text after the count (e.g. "quota 2")
    order: int = 0
    always: bool = False  # shown even when it counts nothing (a quota not yet met)
    lists_items: bool = True  # the link opens a list of exactly the counted items (not a page about them)


@dataclass(frozen=True)
class WorkSection:
    name: str
    title: object
    order: int
    roles: frozenset
    empty: object  # what the section says when no line counts anything


@dataclass(frozen=True)
class WorkContribution:
    section: str
    name: str
    order: int
    load: Callable = field(compare=False)


WORK_SECTIONS: Registry[WorkSection] = Registry("workbench section")
WORK_LINES: Registry[WorkContribution] = Registry("workbench line", key=lambda item: f"{item.section}:{item.name}")

for _section in (
    WorkSection("queue", _l("Waiting for my review"), 10, frozenset({Role.REVIEWER}),
                _l("Nothing is waiting for review.")),
    WorkSection("mine", _l("My drafts and returned items"), 20, UNIT_WORK, _l("You have no drafts.")),
    WorkSection("deadlines", _l("Deadlines in the next 5 working days and overdue"), 30, UNIT_WORK,
                _l("No deadline in the next 5 working days, nothing overdue.")),
    WorkSection("week", _l("Leaving publicity or expiring this week"), 40, UNIT_WORK,
                _l("No entry leaves publicity or expires this week.")),
    WorkSection("quota", _l("Case quota this month"), 50, UNIT_WORK, _l("No quota applies.")),
    WorkSection("alerts", _l("Open alerts"), 60, frozenset(Role), _l("No open alerts.")),
    WorkSection("compliance", _l("Compliance this month"), 70, frozenset({Role.AUDITOR, Role.ADMIN}),
                _l("Nothing to report.")),
    WorkSection("system", _l("System upkeep"), 80, frozenset({Role.ADMIN}), _l("Nothing needs attention.")),
):
    WORK_SECTIONS.add(_section)

DEADLINE_WORKING_DAYS = 5  # the horizon of the "deadlines" section


def register_work_lines(section: str, name: str, *, order: int):
    """Decorate ``fn(user, today) -> list[WorkLine]`` as the lines ``name`` adds to ``section``."""

    def decorator(fn):
        WORK_LINES.add(WorkContribution(section, name, order, fn))
        return fn

    return decorator


@dataclass(frozen=True)
class WorkFilter:
    key: str
    label: object
    condition: Callable  # (user, today) -> SQL condition on the model


class WorkFilters:
    """The named conditions (``?work=<key>``) a list offers the workbench, for one model."""

    def __init__(self, model, unit_column, narrow=None):
        self.model = model
        self.unit_column = unit_column
        self.narrow = narrow  # an SQL condition every filter implies (e.g. the states it counts): helps the index
        self.items: dict[str, WorkFilter] = {}

    def add(self, key: str, label):
        def decorator(condition):
            self.items[key] = WorkFilter(key, label, condition)
            return condition

        return decorator

    def get(self, key: str | None) -> WorkFilter | None:
        return self.items.get(key) if key else None

    def apply(self, statement, key: str | None, user, today: date):
        """``statement`` narrowed to the filter ``key`` (unknown keys: unchanged), and its label."""
        chosen = self.get(key)
        if chosen is None:
            return statement, None
        return statement.where(chosen.condition(user, today)), chosen.label

    def count(self, keys, user, today: date) -> dict[str, int]:
        """The rows of the user's unit under each filter of ``keys``: one query."""
        conditions = [self.items[key].condition(user, today) for key in keys]
        columns = [sa.func.count(sa.case((condition, 1))) for condition in conditions]
        # Without a narrowing condition the OR lets the database read only the rows some line
        # counts.  With one, unit and narrowing condition (index on unit and status) are the read:
        # an OR beside them made SQLite read the conditions' indexes instead, e.g. every
        # uncorrected disclosure of the province (400 ms at 1,000,000 subjects, 1 ms without).
        where = [self.unit_column == user.unit_id]
        where.append(sa.or_(*conditions) if self.narrow is None else self.narrow)
        row = db.session.execute(sa.select(*columns).select_from(self.model).where(*where)).one()
        return dict(zip(keys, row, strict=True))
