"""The verbs of credit repair (PRODUCT §7): eligibility, filing, handling, decision and its effect.

Eligibility is checked before anything is stored, and a refusal says why in plain words with the
date from which the party may apply:

- a list entry: published, on the black list, of a category that allows repair, and past the
  category's minimum period of ``repair_min_months`` calendar months from its publication
  (``valid_from``, the first day it was on the published list);
- a penalty disclosure: published and in its disclosure period, general or serious, and past the
  minimum period of ``penalty_general_repair_after_months`` / ``penalty_serious_repair_after_months``
  from its *decision date* (PRODUCT §4 counts a penalty's periods from the decision date, as the NDRC
  measures count the minimum disclosure period from the day of the penalty decision);
- no other open repair application for the same record.

A minimum period of N months from day D is counted as the Civil Code counts it (``core.periods``):
its last day is ``add_months(D, N)`` (art. 202), so the party may apply from the day after —
from 2026-05-01 for a 3-month minimum from a decision of 2026-01-31 (last day 2026-04-30).

Filing opens a REPAIR hold (修复中); an approved repair removes the entry (``removed (repaired)``)
or takes the penalty out of public view, both in the change feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import Unit
from registry.applications import deadlines, handling, targets
from registry.applications.handling import Applicant, Handling
from registry.applications.queue import ApplicationQueue
from registry.core import clock
from registry.core.errors import Problems, ValidationFailed, clean_text
from registry.core.holds import HoldKind
from registry.core.periods import add_months
from registry.core.settings import get_setting
from registry.core.uploads import Upload, check_uploads
from registry.core.workflow import register_queue_source
from registry.disclosures.models import Disclosure, DisclosureKind, DisclosureStatus, Severity
from registry.disclosures.models import RemovalReason as DisclosureRemoval
from registry.disclosures.operations import end_public_view
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry, ListKind, RemovalReason
from registry.listing.operations import remove_entry
from registry.repairs.models import DOCUMENTS, OUTCOME_LABELS, RepairApplication, RepairOutcome, RepresentativeRole

KIND = "repair"
HOLD = HoldKind.REPAIR


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: object = None  # why not, in plain words
    eligible_from: date | None = None  # the first day the party may apply (None: never, or now)


def eligibility(record, today: date | None = None) -> Eligibility:
    """May a repair application be filed for ``record`` today?"""
    today = today or clock.today()
    if isinstance(record, ListEntry):
        result = _entry_eligibility(record, today)
    elif isinstance(record, Disclosure):
        result = _penalty_eligibility(record, today)
    else:
        result = Eligibility(False, _l("Choose the record this application concerns."))
    if result.eligible and handling.open_for_record(RepairApplication, _record_type(record), record.id) is not None:
        return Eligibility(False, _l("Another repair application for this record is already being handled; a new "
                                     "one can be filed once it is decided."))
    return result


def _record_type(record) -> str:
    return targets.record_type_of(record)


def _waiting(start_label, start: date, months: int, today: date) -> Eligibility:
    eligible_from = add_months(start, months) + timedelta(days=1)  # the minimum period's last day is over
    if today < eligible_from:
        return Eligibility(False, _l("Credit repair is possible only after a minimum period of %(months)d months "
                                     "from %(start)s (%(day)s); you may apply from %(since)s.", months=months,
                                     start=start_label, day=start.isoformat(), since=eligible_from.isoformat()),
                           eligible_from)
    return Eligibility(True, eligible_from=eligible_from)


def _entry_eligibility(entry: ListEntry, today: date) -> Eligibility:
    if entry.list_kind is ListKind.RED:
        return Eligibility(False, _l("A red list entry is not a dishonesty record: credit repair applies only to "
                                     "black list entries and penalties."))
    if entry.status is not EntryStatus.PUBLISHED or not entry.is_shown_on(today):
        return Eligibility(False, _l("Only a published black list entry can be repaired; this entry is not "
                                     "published."))
    category = entry.category
    if not category.repair_allowed:
        until = entry.valid_until.isoformat() if entry.valid_until else "—"
        return Eligibility(False, _l("Entries of the category %(name)s cannot be repaired; the entry leaves the list "
                                     "when its validity ends (%(day)s).", name=category.name, day=until))
    return _waiting(_l("publication on the black list"), entry.valid_from, category.repair_min_months, today)


def _penalty_eligibility(disclosure: Disclosure, today: date) -> Eligibility:
    if disclosure.kind is not DisclosureKind.PENALTY:
        return Eligibility(False, _l("A licence is not a dishonesty record: credit repair applies only to black "
                                     "list entries and penalties."))
    if not targets.is_public(disclosure):
        return Eligibility(False, _l("Only a penalty that is publicly disclosed can be repaired; this one is not."))
    if disclosure.severity is Severity.SERIOUS:
        months = get_setting("penalty_serious_repair_after_months")
    elif disclosure.severity is Severity.GENERAL:
        months = get_setting("penalty_general_repair_after_months")
    else:
        return Eligibility(False, _l("A minor penalty is not published and needs no repair."))
    return _waiting(_l("the penalty decision"), disclosure.decision_date, months, today)


def repairable_kind(record) -> bool:
    """Records a repair can concern at all (black entries, penalties) — for the pages' links."""
    if isinstance(record, ListEntry):
        return record.list_kind is ListKind.BLACK and record.status is EntryStatus.PUBLISHED
    return isinstance(record, Disclosure) and record.kind is DisclosureKind.PENALTY and targets.is_public(record)


def eligibility_note(record) -> Eligibility:
    return eligibility(record)


# ---------------------------------------------------------------------------------------------
# Filing


def file_repair(*, target: str, applicant: Applicant, representative_name: str, representative_role: str,
                statement: str, uploads: list[Upload]) -> tuple[RepairApplication, str]:
    """File a repair application: eligibility, fields and files checked before anything is stored."""
    record_type, record = targets.parse_target(target)
    verdict = eligibility(record)
    if not verdict.eligible:
        raise ValidationFailed(verdict.reason, field="record")
    problems = Problems()
    values = handling.checked_applicant(applicant, problems)
    values["representative_name"] = problems.check(
        clean_text, representative_name, "representative_name", _l("the legal representative or authorised agent"),
        limit=100)
    try:
        values["representative_role"] = RepresentativeRole(representative_role or "")
    except ValueError:
        problems.add(ValidationFailed(_l("Choose whether this is the legal representative or an authorised agent."),
                                      field="representative_role"))
    values["statement"] = problems.check(clean_text, statement, "statement", _l("the statement of correction"),
                                         limit=handling.MAX_TEXT)
    present = {upload.field for upload in uploads}
    for name, label, required in DOCUMENTS:
        if required and name not in present:
            problems.add(ValidationFailed(_l("Upload the %(document)s.", document=label), field=name))
    if len(uploads) != len(present):
        problems.add(ValidationFailed(_l("Upload one file for each document."), field="application_form"))
    for upload in uploads:
        problems.check(check_uploads, [upload], max_files=handling.MAX_FILES)
    problems.raise_any()
    return handling.file_application(HANDLING, record=record, record_type=record_type, values=values,
                                     uploads=uploads, hold_kind=HOLD)


def add_material(application: RepairApplication, uploads: list[Upload], note: str | None = None) -> None:
    handling.add_material(HANDLING, application, uploads, note)


# ---------------------------------------------------------------------------------------------
# The decision and its effect


def _comment(application: RepairApplication) -> str:
    return f"信用修复 {application.receipt_number}: {application.decision_reasons}"[:2000]


def apply_decision(application: RepairApplication, actor) -> None:
    """Approved: the entry is removed (repaired) or the penalty leaves public view, in the change feed."""
    if application.outcome is not RepairOutcome.APPROVED:
        return
    record = targets.load_record(application.record_type, application.record_id)
    if isinstance(record, ListEntry) and record.status is EntryStatus.PUBLISHED:
        remove_entry(record, RemovalReason.REPAIRED, actor, _comment(application))
    elif isinstance(record, Disclosure) and record.status is DisclosureStatus.PUBLISHED:
        end_public_view(record, DisclosureRemoval.REPAIRED, actor, _comment(application))


HANDLING = deadlines.register_handling(Handling(
    kind=KIND, model=RepairApplication, accept_setting="repair_accept_working_days",
    decide_setting="repair_decide_working_days", outcomes=OUTCOME_LABELS, apply_decision=apply_decision,
    show_endpoint="repairs.officer_show", notice_kind="repair_decision",
), name=_l("Credit repair application"))


def accept(application, actor, expected_version) -> None:
    handling.accept(HANDLING, application, actor, expected_version)


def reject(application, actor, expected_version, reason: str) -> None:
    """Prepare a rejection as inadmissible; a reviewer confirms it (``confirm_rejection``)."""
    handling.reject_inadmissible(HANDLING, application, actor, expected_version, reason, HOLD)


def confirm_rejection(application, actor, expected_version) -> None:
    """A second officer (a reviewer) confirms the prepared rejection: inadmissible, the hold ends."""
    handling.confirm_rejection(HANDLING, application, actor, expected_version, HOLD)


def return_rejection(application, actor, expected_version, comment: str) -> None:
    handling.return_rejection(HANDLING, application, actor, expected_version, comment)


def request_material(application, actor, expected_version, note: str) -> None:
    handling.request_material(HANDLING, application, actor, expected_version, note)


def prepare_decision(application, actor, expected_version, outcome: str, reasons: str) -> None:
    handling.prepare_decision(HANDLING, application, actor, expected_version, outcome, reasons)


def confirm(application, actor, expected_version) -> None:
    handling.confirm_decision(HANDLING, application, actor, expected_version, HOLD)


def return_decision(application, actor, expected_version, comment: str) -> None:
    handling.return_decision(HANDLING, application, actor, expected_version, comment)


# ---------------------------------------------------------------------------------------------
# For the alerts, the dashboard and the reports


def due_soon(today: date, lead: int) -> sa.Select:
    """Open repair applications whose next deadline is within ``lead`` working days."""
    return deadlines.due_soon(RepairApplication, today, lead)


def overdue(today: date) -> sa.Select:
    """Open repair applications past their next deadline."""
    return deadlines.overdue(RepairApplication, today)


def handled_on_time(unit_id: int, year: int, month: int) -> deadlines.OnTime:
    """Repair applications of the unit finished in the month, and how many met every deadline."""
    return deadlines.handled_on_time(RepairApplication, unit_id, year, month)


@dataclass(frozen=True)
class RepairCount:
    unit_id: int
    unit_name: str
    filed: int
    approved: int
    rejected: int
    inadmissible: int


def repair_cases_per_unit(year: int, month: int) -> list[RepairCount]:
    """Repair cases per unit in a month (seed task 19): filed, approved, rejected, inadmissible.

    Filed counts by filing date; the outcomes by the day the application was finished.  Every
    unit is listed, with zeros where it had none.
    """
    start, end = clock.month_bounds(year, month)
    model = RepairApplication
    finished = sa.and_(model.decided_on >= start, model.decided_on < end)

    def counting(condition):
        return sa.func.count(sa.case((condition, 1)))

    rows = db.session.execute(
        sa.select(
            model.unit_id,
            counting(sa.and_(model.filed_on >= start, model.filed_on < end)),
            counting(sa.and_(finished, model.status == "decided", model.outcome == RepairOutcome.APPROVED)),
            counting(sa.and_(finished, model.status == "decided", model.outcome == RepairOutcome.REJECTED)),
            counting(sa.and_(finished, model.status == "inadmissible")),
        ).where(sa.or_(sa.and_(model.filed_on >= start, model.filed_on < end), finished)).group_by(model.unit_id)
    ).all()
    counts = {row[0]: row[1:] for row in rows}
    units = db.session.execute(sa.select(Unit.id, Unit.name).order_by(Unit.id)).all()
    return [RepairCount(unit_id, name, *counts.get(unit_id, (0, 0, 0, 0))) for unit_id, name in units]


def _describe(application: RepairApplication) -> tuple[str, str]:
    record = targets.load_record(application.record_type, application.record_id)
    title = f"{application.receipt_number} · {targets.summary(record).title}" if record else application.receipt_number
    return title, application.subject.name


register_queue_source(ApplicationQueue(HANDLING, _l("Credit repair decisions"), HOLD, _describe))
