"""The verbs of objections (PRODUCT §6): file, handle, decide, and the decision's effect on the record.

Filing opens an OBJECTION hold on the record (异议处理中 publicly; an entry in publicity is not
published while it is open); the hold closes when the objection is rejected or decided.  An upheld
objection withdraws an entry in publicity, removes a published entry (revoked), and corrects a
disclosure through the corrected version its unit prepared (or takes it out of public view).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.applications import deadlines, handling, targets
from registry.applications.handling import Applicant, Handling
from registry.applications.queue import ApplicationQueue
from registry.core.errors import Problems, ValidationFailed, clean_text
from registry.core.holds import HoldKind
from registry.core.uploads import Upload, check_uploads
from registry.core.workflow import register_queue_source
from registry.disclosures.models import Disclosure, DisclosureStatus
from registry.disclosures.models import RemovalReason as DisclosureRemoval
from registry.disclosures.operations import RECORD_TYPE as DISCLOSURE
from registry.disclosures.operations import approve_disclosure, end_public_view
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry, RemovalReason
from registry.listing.operations import remove_entry, withdraw_entry
from registry.objections.models import OUTCOME_LABELS, DisclosureEffect, Objection, ObjectionOutcome

KIND = "objection"
HOLD = HoldKind.OBJECTION


def _comment(objection: Objection) -> str:
    return f"异议 {objection.receipt_number}: {objection.decision_reasons}"[:2000]


def apply_decision(objection: Objection, actor) -> None:
    """The effect of a confirmed decision on the record (same transaction, audited, in the feed)."""
    if objection.outcome is not ObjectionOutcome.UPHELD:
        return  # dismissed: the hold is closed; the publicity check publishes a held entry next
    record = targets.load_record(objection.record_type, objection.record_id)
    if isinstance(record, ListEntry):
        if record.status is EntryStatus.IN_PUBLICITY:
            withdraw_entry(record, actor, _comment(objection))
        elif record.status is EntryStatus.PUBLISHED:
            remove_entry(record, RemovalReason.REVOKED, actor, _comment(objection))
        return  # an entry that ended meanwhile (expired) needs nothing more
    if isinstance(record, Disclosure) and record.status is DisclosureStatus.PUBLISHED:
        if objection.disclosure_effect is DisclosureEffect.CORRECT:
            correction = _pending_correction(record, objection.correction_id)
            approve_disclosure(correction, actor=actor, expected_version=correction.version)
        else:
            end_public_view(record, DisclosureRemoval.REVOKED, actor, _comment(objection))


HANDLING = deadlines.register_handling(Handling(
    kind=KIND, model=Objection, accept_setting="objection_accept_working_days",
    decide_setting="objection_decide_working_days", outcomes=OUTCOME_LABELS, apply_decision=apply_decision,
    show_endpoint="objections.officer_show", notice_kind="objection_decision",
), name=_l("Objection"))


# ---------------------------------------------------------------------------------------------
# Filing


def objectable(record) -> bool:
    """PRODUCT §6: a list entry in publicity or published, or a disclosure the public sees."""
    return isinstance(record, (ListEntry, Disclosure)) and targets.is_public(record)


def file_objection(*, target: str, applicant: Applicant, grounds: str, uploads: list[Upload]) -> tuple[Objection, str]:
    """File an objection: everything checked first, then stored with its files; ``(objection, code)``."""
    record_type, record = targets.parse_target(target)
    if not objectable(record):
        raise ValidationFailed(
            _l("An objection can be filed only against a list entry in publicity or published, or a "
               "published disclosure; this record is not one."),
            field="record",
        )
    problems = Problems()
    values = handling.checked_applicant(applicant, problems)
    values["grounds"] = problems.check(clean_text, grounds, "grounds", _l("the grounds of the objection"),
                                       limit=handling.MAX_TEXT)
    problems.check(check_uploads, uploads, max_files=handling.MAX_FILES)
    problems.raise_any()
    return handling.file_application(HANDLING, record=record, record_type=record_type, values=values,
                                     uploads=uploads, hold_kind=HOLD)


def add_material(objection: Objection, uploads: list[Upload], note: str | None = None) -> None:
    handling.add_material(HANDLING, objection, uploads, note)


# ---------------------------------------------------------------------------------------------
# The unit's steps


def accept(objection: Objection, actor, expected_version) -> None:
    handling.accept(HANDLING, objection, actor, expected_version)


def reject(objection: Objection, actor, expected_version, reason: str) -> None:
    """Prepare a rejection as inadmissible; a reviewer confirms it (``confirm_rejection``)."""
    handling.reject_inadmissible(HANDLING, objection, actor, expected_version, reason, HOLD)


def confirm_rejection(objection: Objection, actor, expected_version) -> None:
    """A second officer (a reviewer) confirms the prepared rejection: inadmissible, the hold ends."""
    handling.confirm_rejection(HANDLING, objection, actor, expected_version, HOLD)


def return_rejection(objection: Objection, actor, expected_version, comment: str) -> None:
    handling.return_rejection(HANDLING, objection, actor, expected_version, comment)


def request_material(objection: Objection, actor, expected_version, note: str) -> None:
    handling.request_material(HANDLING, objection, actor, expected_version, note)


def _pending_correction(disclosure: Disclosure, correction_id) -> Disclosure:
    correction = db.session.get(Disclosure, correction_id) if correction_id else None
    if (correction is None or correction.corrects_id != disclosure.id
            or correction.status is not DisclosureStatus.PENDING_REVIEW):
        raise ValidationFailed(
            _l("Prepare the corrected version of the disclosure and submit it for review first; then choose it here."),
            field="correction_id",
        )
    return correction


def pending_corrections(objection: Objection) -> list[Disclosure]:
    """Corrected versions of the disclosure waiting for review (what an upheld decision can publish)."""
    if objection.record_type != DISCLOSURE:
        return []
    return list(db.session.scalars(
        sa.select(Disclosure).where(Disclosure.corrects_id == objection.record_id,
                                    Disclosure.status == DisclosureStatus.PENDING_REVIEW)
    ))


def prepare_decision(objection: Objection, actor, expected_version, outcome: str, reasons: str,
                     disclosure_effect: str | None = None, correction_id: int | None = None) -> None:
    """Prepare upheld / dismissed; for an upheld objection to a disclosure, also what happens to it."""
    extra = {"disclosure_effect": None, "correction_id": None}
    if outcome == ObjectionOutcome.UPHELD and objection.record_type == DISCLOSURE:
        try:
            effect = DisclosureEffect(disclosure_effect or "")
        except ValueError:
            raise ValidationFailed(_l("Choose what happens to the disclosure."), field="disclosure_effect") from None
        extra["disclosure_effect"] = effect
        if effect is DisclosureEffect.CORRECT:
            disclosure = db.session.get(Disclosure, objection.record_id)
            extra["correction_id"] = _pending_correction(disclosure, correction_id).id
    handling.prepare_decision(HANDLING, objection, actor, expected_version, outcome, reasons, extra)


def confirm(objection: Objection, actor, expected_version) -> None:
    handling.confirm_decision(HANDLING, objection, actor, expected_version, HOLD)


def return_decision(objection: Objection, actor, expected_version, comment: str) -> None:
    handling.return_decision(HANDLING, objection, actor, expected_version, comment)


# ---------------------------------------------------------------------------------------------
# For the alerts, the dashboard and the review queue


def due_soon(today: date, lead: int) -> sa.Select:
    """Open objections whose next deadline (acceptance or decision) is within ``lead`` working days."""
    return deadlines.due_soon(Objection, today, lead)


def overdue(today: date) -> sa.Select:
    """Open objections past their next deadline."""
    return deadlines.overdue(Objection, today)


def handled_on_time(unit_id: int, year: int, month: int) -> deadlines.OnTime:
    """Objections of the unit finished in the month, and how many met every deadline."""
    return deadlines.handled_on_time(Objection, unit_id, year, month)


def _describe(objection: Objection) -> tuple[str, str]:
    record = targets.load_record(objection.record_type, objection.record_id)
    title = f"{objection.receipt_number} · {targets.summary(record).title}" if record else objection.receipt_number
    return title, objection.subject.name


register_queue_source(ApplicationQueue(HANDLING, _l("Objection decisions"), HOLD, _describe))
