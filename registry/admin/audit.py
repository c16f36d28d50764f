"""The audit log page: who changed what, when.

Newest first in true time order: events are ordered by (occurred_at, id) descending, not by id
alone, since an event's id is its place in the hash chain and seeded or imported history carries
earlier times than its ids.  Pages are read by key (the last row's time and id), never by
OFFSET, and every filter that narrows the log a lot (officer, unit, record) has an index that
ends in (occurred_at, id) (``core.audit.AuditEvent``), so a page of a million events costs a
page of index reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from registry.accounts.models import Unit, User
from registry.admin import audit_records
from registry.core import clock
from registry.core.audit import AuditEvent
from registry.core.labels import action_label, actor_label, state_label
from registry.core.permissions import is_admin
from registry.extensions import db

PAGE_SIZE = 100
MAX_ID = 2**31 - 1

# The kinds of record events are about: their label, and the officer page of one (endpoint, argument).
RECORD_KINDS: dict[str, tuple] = {
    "list_entry": (_l("List entry"), "listing.show", "entry_id"),
    "case": (_l("Joint reward or punishment case"), "cases.show", "case_id"),
    "disclosure": (_l("Double publicity record"), "disclosures.show", "disclosure_id"),
    "credit_evaluation": (_l("Credit evaluation"), "evaluations.show", "evaluation_id"),
    "credit_commitment": (_l("Credit commitment"), "commitments.show", "commitment_id"),
    "objection": (_l("Objection"), "objections.officer_show", "application_id"),
    "repair": (_l("Credit repair application"), "repairs.officer_show", "application_id"),
    "subjects": (_l("Credit subject"), "subjects.show", "subject_id"),
    "issued_document": (_l("Issued document"), None, None),
    "ledger_report": (_l("Ledger monthly report"), None, None),
    "ledger_task": (_l("Ledger task"), None, None),
    "catalogue_item": (_l("Catalogue item"), None, None),
    "list_categories": (_l("List category"), None, None),
    "measures": (_l("Measure"), None, None),
    "units": (_l("Unit"), "accounts.unit_edit", "unit_id"),
    "users": (_l("User"), "accounts.user_edit", "user_id"),
    "api_key": (_l("API key"), None, None),
    "setting": (_l("Setting"), None, None),
    "calendar_day": (_l("Calendar day"), None, None),
    "calendar_year": (_l("Calendar year"), None, None),
    "removal_request": (_l("Early removal request"), None, None),
    "penalty_severity_rule": (_l("Penalty severity rule"), None, None),
    "watch_endpoint": (_l("Notification endpoint"), None, None),
}
# The first word of actions whose records are named otherwise (an option of the action filter).
ACTION_SUBJECTS = {"auth": _l("Sign-in"), "removal": _l("Early removal"), "document": _l("Issued document"),
                   "calendar": _l("Calendar")}


def kind_label(object_type: str | None) -> str:
    if object_type is None:
        return ""
    known = RECORD_KINDS.get(object_type)
    return str(known[0]) if known else object_type


@dataclass(frozen=True)
class Filters:
    """The filters of the page, as given in the query string (already checked)."""

    start: date | None = None
    end: date | None = None
    officer: int | None = None
    unit: int | None = None
    kind: str | None = None
    number: int | None = None  # the record's id, with its kind
    official_number: str | None = None  # a 决定书文号, 公布文号 or receipt number
    party: str | None = None  # a party's identifier or (part of its) name
    action: str | None = None

    def query_args(self) -> dict:
        values = {"from": self.start, "to": self.end, "officer": self.officer, "unit": self.unit,
                  "kind": self.kind, "number": self.number if self.number is not None else self.official_number,
                  "party": self.party, "action": self.action}
        return {key: value for key, value in values.items() if value not in (None, "")}


def _date(text: str, field: str, errors: dict) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _l("Enter a date as YYYY-MM-DD.")
        return None


def _number(text: str, field: str, errors: dict) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        errors[field] = _l("Enter a whole number.")
        return None
    return int(text)


def parse_filters(args) -> tuple[Filters, dict]:
    """The filters in ``args`` and the problems found, by field (all of them at once)."""
    errors: dict = {}
    text = {key: (args.get(key) or "").strip()[:100] for key in ("from", "to", "officer", "unit", "kind",
                                                                  "number", "party", "action")}
    # Digits with a kind are the record's id (as the page's own links give it); anything else is
    # the number the record is known by, whatever its kind.
    by_id = bool(text["kind"]) and text["number"].isascii() and text["number"].isdigit()
    filters = Filters(
        start=_date(text["from"], "from", errors), end=_date(text["to"], "to", errors),
        officer=_number(text["officer"], "officer", errors), unit=_number(text["unit"], "unit", errors),
        kind=text["kind"] or None, number=_number(text["number"], "number", errors) if by_id else None,
        official_number=None if by_id else text["number"] or None, party=text["party"] or None,
        action=text["action"] or None,
    )
    if filters.start and filters.end and filters.start > filters.end:
        errors["to"] = _l("The end date is before the start date.")
    return filters, errors


def _about(records: dict[str, list[int]]):
    """Events about any of ``records`` ({type: ids}); none when there is none."""
    if not records:
        return sa.false()
    return sa.or_(*(sa.and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(ids))
                    for object_type, ids in records.items()))


def filtered(filters: Filters) -> sa.Select:
    """The events the filters select, newest first in time order."""
    statement = sa.select(AuditEvent)
    if filters.start:
        statement = statement.where(AuditEvent.occurred_at >= clock.local_midnight_utc(filters.start))
    if filters.end:
        statement = statement.where(AuditEvent.occurred_at < clock.local_midnight_utc(filters.end + timedelta(days=1)))
    if filters.officer is not None:
        statement = statement.where(AuditEvent.actor_id == filters.officer)
    if filters.unit is not None:
        statement = statement.where(AuditEvent.unit_id == filters.unit)
    if filters.kind:
        statement = statement.where(AuditEvent.object_type == filters.kind)
    if filters.number is not None:
        statement = statement.where(AuditEvent.object_id == filters.number)
    if filters.official_number:
        statement = statement.where(_about(audit_records.matching_number(filters.official_number)))
    if filters.party:
        statement = statement.where(_about(audit_records.of_parties(audit_records.parties(filters.party))))
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    return statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def encode_key(event: AuditEvent) -> str:
    return f"{event.occurred_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S%f')}-{event.id}"


def decode_key(text: str | None) -> tuple[datetime, int] | None:
    """The (time, id) of a page key, or None for text that is no key (the first page then)."""
    moment, _sep, number = (text or "").partition("-")
    try:
        when = datetime.strptime(moment, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None
    return (when, int(number)) if number.isascii() and number.isdigit() and int(number) <= 2**63 else None


@dataclass(frozen=True)
class AuditPage:
    events: list
    next_key: str | None


def page(filters: Filters, key: tuple[datetime, int] | None, size: int | None = None) -> AuditPage:
    """One page of events after ``key`` (the last event of the page before), newest first."""
    size = size or PAGE_SIZE
    statement = filtered(filters)
    if key is not None:
        when, number = key
        statement = statement.where(sa.or_(AuditEvent.occurred_at < when,
                                           sa.and_(AuditEvent.occurred_at == when, AuditEvent.id < number)))
    rows = db.session.scalars(statement.limit(size + 1)).all()
    return AuditPage(rows[:size], encode_key(rows[size - 1]) if len(rows) > size else None)


def record_link(event: AuditEvent, reader=None) -> str | None:
    """The page of the event's record, where ``reader`` may open it."""
    known = RECORD_KINDS.get(event.object_type or "")
    if not known or not known[1] or event.object_id is None:
        return None
    if event.object_type == "users" and not is_admin(reader):
        # Only an administrator edits users; the others read what the officer did instead.
        return url_for("admin.audit_log", officer=event.object_id)
    try:
        return url_for(known[1], **{known[2]: event.object_id})
    except BuildError:
        return None


def record_number(event: AuditEvent, numbers: dict | None = None) -> str:
    """The record's number as people know it (a 文号, a receipt number, a name), else its id.

    ``numbers`` is ``audit_records.numbers_of`` the page's events.
    """
    number = event.details_dict.get("number") if event.object_type == "issued_document" else None
    number = number or (numbers or {}).get((event.object_type, event.object_id))
    return number or (f"#{event.object_id}" if event.object_id is not None else "")


def action_text(action: str) -> str:
    """An action in words: its record's kind and what was done ("列入名单 提交审核")."""
    prefix = action.split(".", 1)[0]
    subject = ACTION_SUBJECTS.get(prefix) or (RECORD_KINDS[prefix][0] if prefix in RECORD_KINDS else None)
    return f"{subject} {action_label(action)}" if subject else action_label(action)


def change_text(event: AuditEvent) -> str:
    """The change of state, if any: a record that stayed in its state shows none."""
    if not (event.from_state or event.to_state) or event.from_state == event.to_state:
        return ""
    if event.from_state is None:
        return state_label(event.object_type, event.to_state)
    return f"{state_label(event.object_type, event.from_state)} → {state_label(event.object_type, event.to_state)}"


def choices() -> dict:
    """The options of the filters: officers, units, kinds, and the actions the log holds."""
    # A loose index scan: one index probe per distinct action, however long the log.
    actions = db.session.execute(sa.text(
        "WITH RECURSIVE a(action) AS (SELECT MIN(action) FROM audit_events UNION ALL "
        "SELECT (SELECT MIN(action) FROM audit_events WHERE action > a.action) FROM a WHERE a.action IS NOT NULL) "
        "SELECT action FROM a WHERE action IS NOT NULL")).scalars().all()
    return {
        "officers": db.session.execute(sa.select(User.id, User.name, User.email).order_by(User.name)).all(),
        "units": db.session.execute(sa.select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id)).all(),
        "kinds": sorted(((key, str(value[0])) for key, value in RECORD_KINDS.items()), key=lambda kv: kv[1]),
        "actions": sorted(((action, action_text(action)) for action in actions), key=lambda pair: pair[1]),
    }


CSV_HEADER = (_l("Time"), _l("Officer"), _l("Officer's unit"), _l("Action"), _l("Action code"), _l("Record"),
              _l("Number"), _l("Unit"), _l("Change"), _l("Comment"))


def csv_rows(filters: Filters):
    """The filtered events as CSV rows, all of them, read a thousand at a time."""
    units = dict(db.session.execute(sa.select(Unit.id, Unit.name)).all())
    statement = filtered(filters).execution_options(yield_per=1000)
    for events in db.session.scalars(statement).partitions():
        numbers = audit_records.numbers_of(events)
        for event in events:
            yield (clock.local(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"), actor_label(event),
                   event.actor.unit.name if event.actor is not None else "", action_label(event.action),
                   event.action, kind_label(event.object_type), record_number(event, numbers),
                   units.get(event.unit_id, ""), change_text(event), event.comment or "")
