"""The rules of a case's content (PRODUCT §5): the entry was published on the case date, the measures
belong to the entry's list and category, the date is neither before the entry's validity nor in the
future, and the texts are stated and within their limits.  ``validated`` checks a draft's values;
``recheck`` the stored case again before it is submitted or approved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.cases.models import Case
from registry.core import clock
from registry.core.errors import Problems, ValidationFailed, clean_text
from registry.core.routing import MAX_ID
from registry.extensions import db
from registry.listing.models import STATUS_LABELS as ENTRY_STATUS_LABELS
from registry.listing.models import EntryStatus, ListEntry, Measure, RemovalReason, category_measures

_TEXT_LIMITS = {"applying_party": 200, "matter": 1000, "effect": 4000}
_LABELS = {
    "applying_party": _l("the applying unit or partner department"),
    "matter": _l("the matter"),
    "effect": _l("the effect"),
}


def _text(name: str, value) -> str:
    return clean_text(value, name, _LABELS[name], limit=_TEXT_LIMITS[name])
# States in which an entry has been published at some time (and may still be, on a past date).
_ONCE_PUBLISHED = (EntryStatus.PUBLISHED, EntryStatus.EXPIRED, EntryStatus.REMOVED)


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
    if entry.status is EntryStatus.REMOVED and entry.removal_reason is RemovalReason.REVOKED:
        raise ValidationFailed(
            _l(
                "The list entry %(number)s was revoked as wrong on %(day)s: no case can rest on it.",
                number=entry.decision_number,
                day=entry.removal_date.isoformat(),
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


def validated(*, entry_ref, measure_ids, applying_party, case_date, matter, effect) -> tuple[dict, list]:
    """Check a case's content; returns the column values and the measures.

    Every problem is found in one pass and raised together (``core.errors.Problems``); the rules
    that need the entry or the date are checked when those are valid.
    """
    problems = Problems()
    entry = entry_ref if isinstance(entry_ref, ListEntry) else problems.check(find_entry, entry_ref)
    if not isinstance(case_date, date):
        problems.add(ValidationFailed(_l("Enter the date the measure was applied."), field="case_date"))
        case_date = None
    elif case_date > clock.today():
        problems.add(ValidationFailed(_l("The case date cannot be in the future."), field="case_date"))
        case_date = None
    if entry is not None and case_date is not None:
        problems.check(_check_entry_on, entry, case_date)
    measures = problems.check(_check_measures, entry, measure_ids) if entry is not None else None
    values = {
        "entry_id": entry.id if entry is not None else None,
        "case_date": case_date,
        "applying_party": problems.check(_text, "applying_party", applying_party),
        "matter": problems.check(_text, "matter", matter),
        "effect": problems.check(_text, "effect", effect),
    }
    problems.raise_any()
    return values, measures


def ensure_basis_stands(case: Case) -> None:
    """A case whose list entry was withdrawn or revoked as wrong can no longer go forward."""
    if case.basis_withdrawn_at is not None:
        raise ValidationFailed(
            _l("This case can no longer be approved: the list entry it rests on was withdrawn or revoked "
               "(%(reason)s).", reason=case.basis_withdrawal_reason),
            field="entry_ref",
        )


def recheck(case: Case) -> None:
    """The rules again on the stored case (the object list or the entry may have changed since)."""
    ensure_basis_stands(case)
    validated(
        entry_ref=case.entry,
        measure_ids=[m.id for m in case.measures],
        applying_party=case.applying_party,
        case_date=case.case_date,
        matter=case.matter,
        effect=case.effect,
    )
