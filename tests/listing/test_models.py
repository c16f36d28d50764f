"""What the database itself enforces on list entries, whatever the code above it does."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from registry.listing.models import EntryStatus, ListEntry

S = EntryStatus


def _refused(db, statement, params):
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text(statement), params)


def test_four_eyes_reviewer_cannot_be_the_submitter(db, make):
    entry = make.entry(S.IN_PUBLICITY)
    _refused(db, "UPDATE list_entries SET reviewed_by_id = submitted_by_id WHERE id = :id", {"id": entry.id})


def test_four_eyes_reviewer_cannot_be_the_creator(db, make):
    submitter = make.user("clerk")
    entry = make.entry(S.IN_PUBLICITY, submitted_by_id=submitter.id)
    _refused(db, "UPDATE list_entries SET reviewed_by_id = created_by_id WHERE id = :id", {"id": entry.id})


@pytest.mark.parametrize("state", [S.PUBLISHED, S.EXPIRED, S.REMOVED])
def test_a_published_entry_has_valid_from(db, make, state):
    entry = make.entry(state)
    _refused(db, "UPDATE list_entries SET valid_from = NULL, valid_until = NULL WHERE id = :id", {"id": entry.id})


def test_removed_needs_a_reason_and_date(db, make):
    entry = make.entry(S.REMOVED)
    _refused(db, "UPDATE list_entries SET removal_reason = NULL WHERE id = :id", {"id": entry.id})
    _refused(db, "UPDATE list_entries SET removal_date = NULL WHERE id = :id", {"id": entry.id})


def test_a_removal_reason_only_on_a_removed_entry(db, make):
    entry = make.entry(S.PUBLISHED)
    _refused(db, "UPDATE list_entries SET removal_reason = 'repaired', removal_date = '2026-01-01' "
                 "WHERE id = :id", {"id": entry.id})


def test_validity_and_publicity_in_order(db, make):
    entry = make.entry(S.PUBLISHED)
    _refused(db, "UPDATE list_entries SET valid_until = :d WHERE id = :id",
             {"id": entry.id, "d": entry.valid_from.replace(year=entry.valid_from.year - 1)})
    _refused(db, "UPDATE list_entries SET publicity_end = :d WHERE id = :id",
             {"id": entry.id, "d": entry.publicity_start.replace(year=entry.publicity_start.year - 1)})


def test_an_approved_entry_has_its_publicity_and_reviewer(db, make):
    entry = make.entry(S.IN_PUBLICITY)
    _refused(db, "UPDATE list_entries SET publicity_end = NULL WHERE id = :id", {"id": entry.id})
    _refused(db, "UPDATE list_entries SET reviewed_by_id = NULL, reviewed_at = NULL WHERE id = :id",
             {"id": entry.id})


def test_the_category_belongs_to_the_entry_list(db, make):
    entry = make.entry(S.DRAFT)
    _refused(db, "UPDATE list_entries SET list_kind = 'red' WHERE id = :id", {"id": entry.id})


def test_an_unknown_status_is_refused(db, make):
    entry = make.entry(S.DRAFT)
    _refused(db, "UPDATE list_entries SET status = 'returned' WHERE id = :id", {"id": entry.id})


def test_a_valid_row_passes(db, make):
    entry = make.entry(S.PUBLISHED, valid_until=date(2030, 1, 1))
    assert db.session.get(ListEntry, entry.id).valid_until == date(2030, 1, 1)
