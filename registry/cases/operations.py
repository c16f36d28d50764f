"""The verbs of joint reward and punishment cases (SPEC §5).

Each operation takes plain values and the acting user, checks who may do it and that the case
follows the rules (the entry was published on the case date, the measures belong to the entry's
list and category, the date is neither before the entry's validity nor in the future, the effect
is stated), changes the rows through ``core.workflow.transition``, writes the audit event and,
for what the public sees, the change feed.  None of them commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.cases.models import Case, CaseStatus
from registry.cases.quota import monthly_quota  # noqa: F401  (re-exported: the checks call it from here too)
from registry.core import clock
from registry.core.audit import record_event
from registry.core.changes import ChangeKind, record_change
from registry.core.errors import NotFound, PermissionDenied, ValidationFailed
from registry.core.identifiers import SubjectKind
from registry.core.permissions import Role, can_edit_unit, can_see_unit
from registry.core.workflow import ensure_reviewer, ensure_version, required_comment, transition
from registry.extensions import db
from registry.listing.models import STATUS_LABELS as ENTRY_STATUS_LABELS
from registry.listing.models import EntryStatus, ListEntry, Measure, category_measures

RECORD_TYPE = "case"
MAX_COMMENT = 2000
MAX_ID = 2**31 - 1  # larger numbers are no row's id (and overflow PostgreSQL's integer)
_TEXT_LIMITS = {"applying_party": 200, "matter": 1000, "effect": 4000}
_LABELS = {
    "applying_party": _l("the applying unit or partner department"),
    "matter": _l("the matter"),
    "effect": _l("the effect"),
}
# States in which an entry has been published at some time (and may still be, on a past date).
_ONCE_PUBLISHED = (EntryStatus.PUBLISHED, EntryStatus.EXPIRED, EntryStatus.REMOVED)


# ---------------------------------------------------------------------------------------------
# What the public sees


def public_subject_name(subject, entry: ListEntry) -> str:
    """A person's name is public only while their entry is (SPEC §2); otherwise only the surname."""
    if subject.kind is SubjectKind.PERSON and entry.status is not EntryStatus.PUBLISHED:
        return subject.name[:1] + "*" * max(len(subject.name) - 1, 1)
    return subject.name


def public_payload(case: Case) -> dict:
    """The public fields of a case (person ID numbers masked), for the change feed and the API."""
    entry = case.entry
    subject = entry.subject
    return {
        "id": case.id,
        "status": case.status.value,
        "list": entry.list_kind.value,
        "category": entry.category.name,
        "entry_id": entry.id,
        "decision_number": entry.decision_number,
        "subject": {
            "name": public_subject_name(subject, entry),
            "kind": subject.kind.value,
            "identifier": subject.public_identifier,
        },
        "measures": [{"code": m.code, "description": m.description} for m in case.measures],
        "applying_party": case.applying_party,
        "case_date": case.case_date.isoformat(),
        "matter": case.matter,
        "effect": case.effect,
        "unit": case.unit.name,
        "typical": case.is_typical,
    }


def _feed(case: Case, change: ChangeKind) -> None:
    record_change(
        RECORD_TYPE,
        case.id,
        change,
        payload=public_payload(case),
        subject_id=case.entry.subject_id,
        unit_id=case.unit_id,
    )


# ---------------------------------------------------------------------------------------------
# The rules of a case's content


def find_entry(reference) -> ListEntry:
    """The list entry a clerk names by its decision document number (or ``#id``)."""
    text = str(reference or "").strip()
    if not text:
        raise ValidationFailed(_l("Enter the decision document number of the list entry."), field="entry_ref")
    if text.startswith("#") and text[1:].isdigit():
        entry = db.session.get(ListEntry, int(text[1:])) if int(text[1:]) <= MAX_ID else None
        if entry is None:
            raise ValidationFailed(_l("No list entry has the number %(ref)s.", ref=text), field="entry_ref")
        return entry
    entries = db.session.scalars(
        sa.select(ListEntry).where(ListEntry.decision_number == text).order_by(ListEntry.id)
    ).all()
    if not entries:
        raise ValidationFailed(
            _l("No list entry has the decision document number %(ref)s.", ref=text), field="entry_ref"
        )
    once_published = [e for e in entries if e.status in _ONCE_PUBLISHED]
    if len(once_published) > 1:
        raise ValidationFailed(
            _l(
                "Several list entries have this decision document number: enter the entry's number as "
                "%(refs)s.",
                refs=", ".join(f"#{e.id}" for e in once_published),
            ),
            field="entry_ref",
        )
    return (once_published or entries)[0]


def _check_entry_on(entry: ListEntry, case_date: date) -> None:
    """The entry must have been published (not yet expired or removed) on the case date."""
    if entry.status not in _ONCE_PUBLISHED or entry.valid_from is None:
        raise ValidationFailed(
            _l(
                "The list entry %(number)s is not published (it is %(status)s): a case can only be recorded "
                "on a published entry.",
                number=entry.decision_number,
                status=ENTRY_STATUS_LABELS[entry.status],
            ),
            field="entry_ref",
        )
    if case_date < entry.valid_from:
        raise ValidationFailed(
            _l(
                "The case date cannot be before the entry was published (%(day)s).",
                day=entry.valid_from.isoformat(),
            ),
            field="case_date",
        )
    if entry.valid_until is not None and case_date > entry.valid_until:
        raise ValidationFailed(
            _l(
                "The list entry %(number)s expired on %(day)s, before the case date.",
                number=entry.decision_number,
                day=entry.valid_until.isoformat(),
            ),
            field="case_date",
        )
    if entry.removal_date is not None and case_date >= entry.removal_date:
        raise ValidationFailed(
            _l(
                "The list entry %(number)s was removed from the list on %(day)s, before the case date.",
                number=entry.decision_number,
                day=entry.removal_date.isoformat(),
            ),
            field="case_date",
        )


def _check_measures(entry: ListEntry, measure_ids: Iterable) -> list[Measure]:
    """Only active measures of the entry's list that the object list applies to its category."""
    try:
        wanted = {int(value) for value in measure_ids or ()}
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Unknown measure."), field="measure_ids") from None
    if any(not 0 < value <= MAX_ID for value in wanted):
        raise ValidationFailed(_l("Unknown measure."), field="measure_ids")
    if not wanted:
        raise ValidationFailed(_l("Choose at least one measure that was applied."), field="measure_ids")
    measures = list(db.session.scalars(sa.select(Measure).where(Measure.id.in_(wanted)).order_by(Measure.code)))
    if len(measures) != len(wanted) or any(not m.is_active for m in measures):
        raise ValidationFailed(
            _l("Unknown measure: choose measures from the measures list."), field="measure_ids"
        )
    other = [m.code for m in measures if m.list_kind is not entry.list_kind]
    if other:
        raise ValidationFailed(
            _l("Measure %(codes)s belongs to the other list.", codes=", ".join(other)), field="measure_ids"
        )
    applicable = set(
        db.session.scalars(
            sa.select(category_measures.c.measure_id).where(category_measures.c.category_id == entry.category_id)
        )
    )
    outside = [m.code for m in measures if m.id not in applicable]
    if outside:
        raise ValidationFailed(
            _l(
                "Measure %(codes)s does not apply to the category %(category)s (see the object list).",
                codes=", ".join(outside),
                category=entry.category.name,
            ),
            field="measure_ids",
        )
    return measures


def _clean_text(name: str, value) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_l("Enter %(field)s.", field=_LABELS[name]), field=name)
    if len(text) > _TEXT_LIMITS[name]:
        raise ValidationFailed(
            _l("%(field)s may have at most %(n)d characters.", field=_LABELS[name], n=_TEXT_LIMITS[name]),
            field=name,
        )
    return text


def _validated(*, entry_ref, measure_ids, applying_party, case_date, matter, effect) -> tuple[dict, list]:
    """Check a case's content; returns the column values and the measures."""
    entry = entry_ref if isinstance(entry_ref, ListEntry) else find_entry(entry_ref)
    if not isinstance(case_date, date):
        raise ValidationFailed(_l("Enter the date the measure was applied."), field="case_date")
    if case_date > clock.today():
        raise ValidationFailed(_l("The case date cannot be in the future."), field="case_date")
    _check_entry_on(entry, case_date)
    measures = _check_measures(entry, measure_ids)
    values = {
        "entry_id": entry.id,
        "case_date": case_date,
        "applying_party": _clean_text("applying_party", applying_party),
        "matter": _clean_text("matter", matter),
        "effect": _clean_text("effect", effect),
    }
    return values, measures


def _recheck(case: Case) -> None:
    """The rules again on the stored case (the object list or the entry may have changed since)."""
    _validated(
        entry_ref=case.entry,
        measure_ids=[m.id for m in case.measures],
        applying_party=case.applying_party,
        case_date=case.case_date,
        matter=case.matter,
        effect=case.effect,
    )


# ---------------------------------------------------------------------------------------------
# Drafts


def create_case(*, actor, **fields) -> Case:
    """Start a draft case in the actor's unit.

    ``fields``: entry_ref (decision document number, ``#id`` or a ``ListEntry``), measure_ids,
    applying_party, case_date, matter, effect.
    """
    if not can_edit_unit(actor, getattr(actor, "unit_id", None)):
        raise PermissionDenied(_l("Only clerks and reviewers of a unit can record cases."))
    values, measures = _validated(**fields)
    case = Case(
        **values,
        unit_id=actor.unit_id,
        created_by_id=actor.id,
        status=CaseStatus.DRAFT,
        created_at=clock.utcnow(),
    )
    case.measures = measures
    db.session.add(case)
    db.session.flush()
    record_event(
        "case.create",
        actor=actor,
        obj=case,
        to_state=CaseStatus.DRAFT,
        details={"entry_id": case.entry_id, "measures": [m.code for m in measures]},
    )
    return case


def update_draft(case: Case, *, actor, expected_version, **fields) -> Case:
    """Change a draft (only a draft: what a reviewer or the public saw is never edited in place)."""
    ensure_version(case, expected_version)
    if not can_edit_unit(actor, case.unit_id):
        raise PermissionDenied(_l("Only clerks and reviewers of the case's unit can edit it."))
    if case.status is not CaseStatus.DRAFT:
        raise ValidationFailed(_l("Only a draft can be edited; this case is no longer a draft."), field="status")
    values, measures = _validated(**fields)
    changed = sorted(k for k, v in values.items() if getattr(case, k) != v)
    before = [m.code for m in case.measures]
    after = [m.code for m in measures]
    if before != after:
        changed.append("measures")
    transition(
        case,
        expected_version=case.version,
        allowed_from={CaseStatus.DRAFT},
        to=CaseStatus.DRAFT,
        actor=actor,
        action="case.update",
        values=values,
        details={"changed": changed, "measures": after},
    )
    case.measures = measures
    db.session.flush()
    return case


# ---------------------------------------------------------------------------------------------
# Review


def _ensure_reviewer(case: Case, actor) -> None:
    ensure_reviewer(
        case,
        actor,
        role_message=_l("Only a reviewer of the case's unit can decide on it."),
        four_eyes_message=_l(
            "You created or submitted this case: another reviewer must decide on it (four-eyes rule)."
        ),
    )


def submit_case(case: Case, actor, expected_version) -> None:
    """Send a draft for review, after checking it against the rules as they stand today."""
    ensure_version(case, expected_version)
    if not can_edit_unit(actor, case.unit_id):
        raise PermissionDenied(_l("Only clerks and reviewers of the case's unit can submit it."))
    if case.status is CaseStatus.DRAFT:
        _recheck(case)
    transition(
        case,
        expected_version=case.version,
        allowed_from={CaseStatus.DRAFT},
        to=CaseStatus.PENDING_REVIEW,
        actor=actor,
        action="case.submit",
        values={
            "submitted_by_id": actor.id,
            "submitted_at": clock.utcnow(),
            "reviewed_by_id": None,
            "reviewed_at": None,
        },
    )


def approve_case(case: Case, actor, expected_version, comment: str | None = None) -> None:
    """Approve and publish: a case has no publicity period (SPEC §5)."""
    ensure_version(case, expected_version)
    _ensure_reviewer(case, actor)
    if case.status is CaseStatus.PENDING_REVIEW:
        _recheck(case)
    comment = (comment or "").strip()[:MAX_COMMENT] or None
    transition(
        case,
        expected_version=case.version,
        allowed_from={CaseStatus.PENDING_REVIEW},
        to=CaseStatus.PUBLISHED,
        actor=actor,
        action="case.approve",
        comment=comment,
        values={"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "review_comment": comment},
    )
    _feed(case, ChangeKind.PUBLISHED)


def return_case(case: Case, actor, expected_version, comment: str) -> None:
    """Send a pending case back to draft with the reviewer's comment (required)."""
    ensure_version(case, expected_version)
    _ensure_reviewer(case, actor)
    text = required_comment(comment, _l("A return needs a comment saying what to fix."), limit=MAX_COMMENT)
    transition(
        case,
        expected_version=case.version,
        allowed_from={CaseStatus.PENDING_REVIEW},
        to=CaseStatus.DRAFT,
        actor=actor,
        action="case.return",
        comment=text,
        values={"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "review_comment": text},
    )


def set_typical(case: Case, actor, expected_version, typical: bool) -> None:
    """An admin marks a published case as typical (典型案例), or takes the mark back."""
    ensure_version(case, expected_version)
    if getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can mark typical cases."))
    if case.status is not CaseStatus.PUBLISHED:
        raise ValidationFailed(_l("Only a published case can be marked as typical."), field="status")
    typical = bool(typical)
    if case.is_typical is typical:
        return
    values = {"is_typical": typical}
    if typical:
        values.update(typical_marked_by_id=actor.id, typical_marked_at=clock.utcnow())
    transition(
        case,
        expected_version=case.version,
        allowed_from={CaseStatus.PUBLISHED},
        to=CaseStatus.PUBLISHED,
        actor=actor,
        action="case.mark_typical" if typical else "case.unmark_typical",
        values=values,
        details={"typical": typical},
    )
    _feed(case, ChangeKind.UPDATED)


# ---------------------------------------------------------------------------------------------
# Loading, for other packages and the review queue


def get_case_for(actor, case_id: int) -> Case:
    """The case if ``actor`` may see it; ``NotFound`` otherwise (a foreign unit's case too)."""
    case = db.session.get(Case, case_id)
    if case is None or not can_see_unit(actor, case.unit_id):
        raise NotFound()
    return case
