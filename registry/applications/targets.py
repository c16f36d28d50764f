"""The records an application may concern, as the domains that own them register them.

Objections and repair applications concern a public record: today a list entry or a disclosure.
The machinery here knows no such record; each domain says in its own ``targets.py`` how its
records are found, whether the public sees one today, and how one is summed up on the forms::

    register_target(TargetKind(record_type="list_entry", model=ListEntry, order=10,
                               is_public=..., public_of_subject=..., summary=...))

A target is named in forms and URLs as ``"<record_type>:<id>"`` (``target_key``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.changes import ChangeKind, record_change
from registry.core.errors import ValidationFailed
from registry.core.holds import HoldKind
from registry.core.registry import Registry
from registry.core.routing import MAX_ID
from registry.extensions import db


@dataclass(frozen=True)
class RecordSummary:
    key: str
    kind_label: str
    title: str
    subject_name: str
    state_label: str
    decision_date: object


@dataclass(frozen=True)
class TargetKind:
    record_type: str
    model: type
    order: int
    is_public: Callable[[object, date], bool]  # (record, today): the public sees it today
    public_of_subject: Callable[[int, date], list]  # (subject_id, today): its records the public sees
    summary: Callable[[object], RecordSummary]  # a few public words about the record
    public_payload: Callable[[object], dict] | None = None  # its public fields, as the change feed carries them


TARGETS: Registry[TargetKind] = Registry("application target", key=lambda kind: kind.record_type)


def register_target(kind: TargetKind) -> TargetKind:
    return TARGETS.add(kind)


def kind_of(record) -> TargetKind:
    for kind in TARGETS.values():
        if isinstance(record, kind.model):
            return kind
    raise LookupError(f"no application target registered for {type(record).__name__}")


def record_type_of(record) -> str:
    return kind_of(record).record_type


def target_key(record) -> str:
    return f"{record_type_of(record)}:{record.id}"


def load_record(record_type: str, record_id: int):
    kind = TARGETS.get(record_type)
    return db.session.get(kind.model, record_id) if kind is not None else None


def parse_target(text: str | None, field: str = "record"):
    """``"list_entry:12"`` → ``(record_type, record)``; a clear refusal when it names nothing."""
    record_type, _, number = (text or "").partition(":")
    wellformed = number.isascii() and number.isdigit() and len(number) <= len(str(MAX_ID)) and int(number) <= MAX_ID
    record = load_record(record_type, int(number)) if wellformed else None
    if record is None:
        raise ValidationFailed(_l("Choose the record this application concerns."), field=field)
    return record_type, record


def is_public(record) -> bool:
    """Whether the public sees the record today."""
    return kind_of(record).is_public(record, clock.today())


def summary(record) -> RecordSummary:
    return kind_of(record).summary(record)


def public_records_of(subject_id: int) -> list:
    """The subject's records the public sees today, kind by kind (candidates for an application)."""
    today = clock.today()
    return [record for kind in TARGETS.ordered() for record in kind.public_of_subject(subject_id, today)]


def feed_hold(record_type: str, record_id: int, hold_kind: HoldKind, *, opened: bool) -> None:
    """Tell the change feed that a record the public sees got or lost an open objection or repair.

    The public pages mark such a record 异议处理中 / 修复中, so this is a change of its public state:
    one ``updated`` item with the record's public fields and ``markers`` (``record_change`` adds them), reason e.g.
    ``objection_opened`` or ``repair_closed``.  Nothing for a record the public does not see.
    """
    kind = TARGETS.get(record_type)
    record = load_record(record_type, record_id)
    if kind is None or kind.public_payload is None or record is None or not kind.is_public(record, clock.today()):
        return
    record_change(record_type, record_id, ChangeKind.UPDATED, payload=kind.public_payload(record),
                  subject_id=record.subject_id, unit_id=record.unit_id,
                  reason=f"{HoldKind(hold_kind).value}_{'opened' if opened else 'closed'}")
