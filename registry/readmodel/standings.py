"""What a line of the name search's results says of a subject: red list, black list, in publicity,
how many disclosures (``PublicRecords.standing``, read without the records themselves).

A results page needs four facts per subject, not its entries with their measures, cases and
evaluations: two light queries answer them for a page at once (the full read model took six).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from registry.disclosures import public as disclosure_public
from registry.disclosures.models import Disclosure
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry, ListKind
from registry.readmodel.queries import chunks, public_entry_condition


def standing_of(entries, disclosures: int) -> dict:
    """The line's four facts from a subject's public entries (``(list kind, status)`` pairs) and
    its number of public disclosures: red or black once published, in publicity while in it."""
    standing = {"red": False, "black": False, "in_publicity": False, "disclosures": disclosures}
    for list_kind, status in entries:
        if status is EntryStatus.IN_PUBLICITY:
            standing["in_publicity"] = True
        elif list_kind is ListKind.RED:
            standing["red"] = True
        elif list_kind is ListKind.BLACK:
            standing["black"] = True
    return standing


def standings(subject_ids, today: date) -> dict[int, dict]:
    """For each subject id: {"red", "black", "in_publicity": bool, "disclosures": int}, as the
    public sees them today (``PublicRecords.standing``, read without the records)."""
    ids = sorted(set(subject_ids))
    entries: dict[int, list] = {subject_id: [] for subject_id in ids}
    disclosures: dict[int, int] = dict.fromkeys(ids, 0)
    for chunk in chunks(ids):
        for subject_id, list_kind, status in db.session.execute(
            sa.select(ListEntry.subject_id, ListEntry.list_kind, ListEntry.status).distinct()
            .where(ListEntry.subject_id.in_(chunk), public_entry_condition(today))
        ):
            entries[subject_id].append((list_kind, status))
        disclosures.update(db.session.execute(
            sa.select(Disclosure.subject_id, sa.func.count())
            .where(Disclosure.subject_id.in_(chunk), disclosure_public.publicly_visible(today))
            .group_by(Disclosure.subject_id)
        ).tuples().all())
    return {subject_id: standing_of(entries[subject_id], disclosures[subject_id]) for subject_id in ids}
