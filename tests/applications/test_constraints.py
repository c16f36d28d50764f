"""The database itself refuses an inadmissible rejection that one officer decided alone."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError


@pytest.mark.parametrize("table", ["objections", "repair_applications"])
def test_inadmissible_needs_a_preparer_and_a_confirming_reviewer(db, make, table):
    application, _code = make.objection() if table == "objections" else make.repair(make.repairable_entry())
    officer = make.user("clerk", unit="JJC")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text(
                f"UPDATE {table} SET status = 'inadmissible', inadmissible_reason = 'x', "
                "decided_on = filed_on, prepared_by_id = :officer WHERE id = :id"
            ),
            {"officer": officer.id, "id": application.id},
        )


@pytest.mark.parametrize("table", ["objections", "repair_applications"])
def test_a_prepared_rejection_names_its_preparer(db, make, table):
    application, _code = make.objection() if table == "objections" else make.repair(make.repairable_entry())
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text(f"UPDATE {table} SET inadmissible_reason = 'x', prepared_by_id = NULL WHERE id = :id"),
            {"id": application.id},
        )
