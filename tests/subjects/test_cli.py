"""``flask subjects check-identifiers``: lists every stored identifier that fails its standard's
check (subjects, disclosures' parties and authorities, applicants), changes nothing, exits 1 when
it finds any and 0 when there are none; persons' numbers stay masked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry.disclosures.models import Disclosure
from registry.objections.models import Objection
from registry.repairs.models import RepairApplication
from registry.subjects.models import Subject
from tests.standards import ric_check, uscc_check


@pytest.fixture
def check(app, db):
    runner = app.test_cli_runner()

    def invoke():
        db.session.commit()
        return runner.invoke(args=["subjects", "check-identifiers"])

    return invoke


def _snapshot(db) -> dict:
    return {model.__tablename__: sorted(tuple(row) for row in db.session.execute(sa.select(*columns)))
            for model, columns in [
                (Subject, (Subject.id, Subject.identifier)),
                (Disclosure, (Disclosure.id, Disclosure.party_identifier, Disclosure.authority_uscc)),
                (Objection, (Objection.id, Objection.applicant_identifier)),
                (RepairApplication, (RepairApplication.id, RepairApplication.applicant_identifier)),
            ]}


def _store(db, model, row_id: int, **values) -> None:
    """Write a value as a database filled under the old, wrong rule may hold it (no validation)."""
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values))


def test_valid_identifiers_only_exits_0(check, make):
    make.subject("organisation"), make.subject("person"), make.subject("vehicle")
    make.disclosure(person=True)
    result = check()
    assert result.exit_code == 0, result.output
    assert "every stored identifier passes its check" in result.output


def test_every_failing_identifier_is_listed_persons_masked_and_nothing_changes(check, make, db):
    body = "43010219850612123"
    right = ric_check(body)
    wrong_person = body + next(c for c in "0123456789X" if c != right)  # as the old rule let in
    firm = make.subject("organisation")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in firm.identifier)  # stored as typed
    person = make.subject("person")
    vehicle = make.subject("vehicle")
    good = make.subject("organisation")
    disclosure = make.disclosure(person=True)
    objection, _code = make.objection()
    repair, _code = make.repair(make.repairable_entry())
    uscc_body = "91430100MA0000001"
    bad_uscc = uscc_body + next(c for c in "0123456789" if c != uscc_check(uscc_body))

    _store(db, Subject, person.id, identifier=wrong_person)
    _store(db, Subject, firm.id, identifier=full_width)
    _store(db, Subject, vehicle.id, identifier="湘AAAAAA")
    _store(db, Disclosure, disclosure.id, party_identifier=wrong_person, authority_uscc=bad_uscc)
    _store(db, Objection, objection.id, applicant_identifier=bad_uscc)
    _store(db, RepairApplication, repair.id, applicant_identifier=bad_uscc.lower())
    before = _snapshot(db)

    result = check()

    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if " id=" in line]
    listed = {(line.split()[0], int(line.split()[1][3:])) for line in lines}
    assert listed == {("subjects.identifier", person.id), ("subjects.identifier", firm.id),
                      ("subjects.identifier", vehicle.id), ("disclosures.party_identifier", disclosure.id),
                      ("disclosures.authority_uscc", disclosure.id),
                      ("objections.applicant_identifier", objection.id),
                      ("repair_applications.applicant_identifier", repair.id)}
    assert ("subjects.identifier", good.id) not in listed
    assert "7 stored identifiers fail their check" in result.output
    # Persons masked: the birth date never appears, the first six and last four do.
    assert "19850612" not in result.output
    assert "430102********" in result.output
    assert firm.identifier in result.output  # the canonical form it should have
    assert _snapshot(db) == before


def test_the_command_is_listed_under_subjects(app):
    result = app.test_cli_runner().invoke(args=["subjects", "--help"])
    assert result.exit_code == 0 and "check-identifiers" in result.output
