"""The verbs of the red and black lists (PRODUCT §3).

Every operation takes plain values and the acting user, checks who may do it, changes the rows
(state changes through ``core.workflow.transition``: a conditional UPDATE on the version), writes
the audit event, and records every change of what the public sees in the change feed.  None of
them commits: the view or the check runner does.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from registry.core import clock
from registry.core.audit import record_events
from registry.core.changes import ChangeKind
from registry.core.errors import NotFound, ValidationFailed
from registry.core.holds import HoldKind, open_hold_exists
from registry.core.periods import add_months
from registry.core.permissions import can_see_unit
from registry.core.review import Approval, FlowWords, ReviewFlow
from registry.core.settings import get_setting
from registry.core.signals import basis_withdrawn
from registry.core.workdays import add_working_days
from registry.core.workflow import ensure_version
from registry.documents.operations import issue_decision_notice
from registry.extensions import db
from registry.listing import validation
from registry.listing.feed import feed as _feed
from registry.listing.models import (
    EntryStatus,
    ListCategory,
    ListEntry,
    RemovalReason,
)
from registry.listing.public import RECORD_TYPE
from registry.listing.redlist import ensure_may_enter, leave_red_list

NOTICE_KIND = "list_entry"  # the 列入名单决定书 (``listing.documents``)


# ---------------------------------------------------------------------------------------------
# Drafts


def _check(entry: ListEntry, verb: str) -> None:
    ensure_may_enter(entry.list_kind, entry.subject_id)  # a red entry for a black-listed subject, ...


def _publicity(entry: ListEntry) -> Approval:
    """Approved, an entry enters publicity: it starts today and lasts the configured number of working days."""
    today = clock.today()
    end = add_working_days(today, get_setting("publicity_working_days"))
    return Approval(EntryStatus.IN_PUBLICITY, {"publicity_start": today, "publicity_end": end})


def _publicity_started(entry: ListEntry, actor) -> None:
    _feed(entry, ChangeKind.PUBLICITY_STARTED)  # public from today; ``publish_due_entries`` feeds ``published``
    issue_decision_notice(NOTICE_KIND, entry, actor=actor)  # the 列入名单决定书, dated today


FLOW = ReviewFlow(
    model=ListEntry,
    action_prefix="list_entry",
    draft=EntryStatus.DRAFT,
    pending=EntryStatus.PENDING_REVIEW,
    approved=_publicity,
    published=frozenset({EntryStatus.PUBLISHED}),
    check=_check,
    on_approve=_publicity_started,
    words=FlowWords(
        draft_role=_l("Only clerks and reviewers of a unit can draft list entries."),
        edit_role=_l("Only clerks and reviewers of the entry's unit can edit it."),
        submit_role=_l("Only clerks and reviewers of the entry's unit can submit it."),
        review_role=_l("Only a reviewer of the entry's unit can decide on it."),
        four_eyes=_l("You created or submitted this entry: another reviewer must decide on it (four-eyes rule)."),
        not_draft=_l("Only a draft can be edited; this entry is no longer a draft."),
    ),
)


# ---------------------------------------------------------------------------------------------
# Drafts


def create_entry(*, actor, subject, **fields) -> ListEntry:
    """Start a draft entry for ``subject`` in the actor's unit.

    ``fields``: list_kind, category_id, reason, legal_basis, decision_number, decision_date,
    measure_ids, and optionally valid_until (when the decision sets an end).  The deciding unit is
    the unit's issuing name (``deciding_unit``, when given, must say the same).
    """
    FLOW.ensure_may_draft(actor, actor.unit_id)
    if subject is None:
        raise ValidationFailed(_l("Choose the subject of the entry."), field="subject_identifier")
    values, measures = validation.validated_fields(unit=actor.unit, **fields)
    ensure_may_enter(values["list_kind"], subject.id)
    entry = ListEntry(**values, subject_id=subject.id, unit_id=actor.unit_id)
    entry.measures = measures
    return FLOW.start(entry, actor=actor, details={"subject_id": subject.id, "category_id": entry.category_id})


def update_draft(entry: ListEntry, *, actor, expected_version: int, subject=None, **fields) -> ListEntry:
    """Change a draft (only a draft: what reviewers or the public saw is never edited in place)."""
    FLOW.ensure_editable(entry, actor, expected_version)
    values, measures = validation.validated_fields(unit=entry.unit, **fields)
    if subject is not None:
        values["subject_id"] = subject.id
    ensure_may_enter(values["list_kind"], values.get("subject_id", entry.subject_id))
    changed = sorted(k for k, v in values.items() if getattr(entry, k) != v)
    FLOW.update(entry, actor=actor, expected_version=expected_version, values=values,
                details={"changed": changed, "measures": [m.code for m in measures]})
    entry.measures = measures
    db.session.flush()
    return entry


# ---------------------------------------------------------------------------------------------
# Review: the one workflow (``core.review``)

submit_entry = FLOW.submit
approve_entry = FLOW.approve
return_entry = FLOW.return_


def _remove(entry: ListEntry, actor, reason: RemovalReason, comment: str, verb: str, comment_message) -> None:
    text = FLOW.take_off(entry, actor, comment, to=EntryStatus.REMOVED, action=verb, comment_message=comment_message,
                         values={"removal_reason": reason, "removal_date": clock.today()},
                         details={"removal_reason": reason.value})
    _feed(entry, ChangeKind.REMOVED, reason=reason.value)
    if reason is RemovalReason.REVOKED:  # removed as wrong: what rests on it falls with it
        basis_withdrawn.send(RECORD_TYPE, record_type=RECORD_TYPE, record_id=entry.id, cause="revoked",
                             reason=text, actor=actor)


def revoke_entry(entry: ListEntry, actor, expected_version: int, reason: str) -> None:
    """A reviewer of the unit revokes a published entry (e.g. the decision was annulled)."""
    ensure_version(entry, expected_version)
    _remove(entry, actor, RemovalReason.REVOKED, reason, "revoke", _l("A revocation needs the reason for it."))


def withdraw_entry(entry: ListEntry, actor, comment: str) -> None:
    """Withdraw an entry during publicity (an objection was upheld); it was never published."""
    text = FLOW.take_off(entry, actor, comment, to=EntryStatus.WITHDRAWN, action="withdraw",
                         comment_message=_l("A withdrawal needs the reason for it."),
                         allowed_from={EntryStatus.IN_PUBLICITY})
    _feed(entry, ChangeKind.WITHDRAWN)
    basis_withdrawn.send(RECORD_TYPE, record_type=RECORD_TYPE, record_id=entry.id, cause="withdrawn",
                         reason=text, actor=actor)


def remove_entry(entry: ListEntry, reason: RemovalReason | str, actor, comment: str) -> None:
    """End a published entry early: credit repaired, or revoked (e.g. objection upheld)."""
    try:
        reason = RemovalReason(reason)
    except ValueError:
        raise ValidationFailed(_l("Unknown removal reason."), field="reason") from None
    _remove(entry, actor, reason, comment, f"remove_{reason.value}", _l("A removal needs the reason for it."))


# ---------------------------------------------------------------------------------------------
# Scheduled: set-based, idempotent


def _after_bulk(
    ids: list[int], *, action: str, from_state: EntryStatus, change: ChangeKind, details=None
) -> None:
    if not ids:
        return
    entries = db.session.scalars(
        sa.select(ListEntry)
        .where(ListEntry.id.in_(ids))
        .order_by(ListEntry.id)
        .options(selectinload(ListEntry.measures))
        .execution_options(populate_existing=True)
    ).all()
    # One audit event per entry, appended to the chain in one INSERT (not one lookup of the last
    # hash and one flush per entry).
    record_events([
        {"action": action, "object_type": ListEntry.__audit_type__, "object_id": entry.id,
         "unit_id": entry.unit_id, "from_state": from_state, "to_state": entry.status,
         "details": details(entry) if details else None}
        for entry in entries
    ])
    for entry in entries:
        _feed(entry, change)


def publish_due_entries(today: date) -> int:
    """Publish entries whose publicity ended before ``today`` and that no open objection holds.

    The publicity period includes its last day, so an entry is published on the first day after
    it.  Validity starts on the publication date and lasts the category's ``validity_months``
    calendar months: its last day is ``add_months(publication date, months)``, the corresponding
    day (民法典 art. 202; published 2026-01-31 for 36 months: valid through 2029-01-31), unless the
    decision set an end of its own.
    """
    due = sa.and_(
        ListEntry.status == EntryStatus.IN_PUBLICITY,
        ListEntry.publicity_end < today,
        ~open_hold_exists(RECORD_TYPE, ListEntry.id, HoldKind.OBJECTION),
    )
    validity = dict(db.session.execute(sa.select(ListCategory.id, ListCategory.validity_months)).tuples().all())
    if not validity:
        return 0
    default_end = sa.case(
        {cid: add_months(today, months) for cid, months in validity.items()}, value=ListEntry.category_id
    )
    # A decision's own end that has already passed by publication ends validity on its first day.
    valid_until = sa.case(
        (ListEntry.valid_until.is_(None), default_end),
        (ListEntry.valid_until < today, sa.literal(today, sa.Date)),
        else_=ListEntry.valid_until,
    )
    ids = list(
        db.session.scalars(
            sa.update(ListEntry)
            .where(due)
            .values(
                status=EntryStatus.PUBLISHED,
                valid_from=today,
                valid_until=valid_until,
                version=ListEntry.version + 1,
            )
            .returning(ListEntry.id)
            .execution_options(synchronize_session=False)
        )
    )
    _after_bulk(
        ids,
        action="list_entry.publish",
        from_state=EntryStatus.IN_PUBLICITY,
        change=ChangeKind.PUBLISHED,
        details=lambda e: {"valid_from": e.valid_from, "valid_until": e.valid_until},
    )
    leave_red_list(ids, today)  # a subject whose black entry takes effect leaves the red list
    return len(ids)


def expire_due_entries(today: date) -> int:
    """Expire published entries whose last valid day is before ``today``."""
    ids = list(
        db.session.scalars(
            sa.update(ListEntry)
            .where(ListEntry.status == EntryStatus.PUBLISHED, ListEntry.valid_until < today)
            .values(status=EntryStatus.EXPIRED, version=ListEntry.version + 1)
            .returning(ListEntry.id)
            .execution_options(synchronize_session=False)
        )
    )
    _after_bulk(ids, action="list_entry.expire", from_state=EntryStatus.PUBLISHED, change=ChangeKind.EXPIRED)
    return len(ids)


# ---------------------------------------------------------------------------------------------
# Loading, for other packages


def get_entry_for(actor, entry_id: int) -> ListEntry:
    """The entry if ``actor`` may see it; ``NotFound`` otherwise (a foreign unit's entry too)."""
    entry = db.session.get(ListEntry, entry_id)
    if entry is None or not can_see_unit(actor, entry.unit_id):
        raise NotFound()
    return entry
