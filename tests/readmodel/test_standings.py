"""A line of the name search's results (red list, black list, in publicity, disclosures), read by
``readmodel.standings`` without the records: the answers are written out by hand from PRODUCT §2 and
checked against the full read model's ``PublicRecords.standing`` too."""

from __future__ import annotations

from datetime import date

from registry.readmodel.records import public_records
from registry.readmodel.standings import standings
from tests.readmodel.test_readmodel import TODAY, world  # noqa: F401  (the fixture: a subject with a record in every state)

BLACK = "公路建设市场严重失信"
RED = "道路运输守信"


def test_every_state_counts_as_the_public_sees_it(world, frozen):  # noqa: F811
    subject, _expected = world
    with frozen(TODAY):
        found = standings([subject.id], TODAY)
        full = public_records([subject.id], TODAY)[subject.id].standing
    # World: black-list entries published (twice, one on its last day) and one in publicity; six
    # disclosures public (counted by hand in test_readmodel).
    assert found[subject.id] == {"red": False, "black": True, "in_publicity": True, "disclosures": 6}
    assert full == found[subject.id]


def test_each_fact_on_its_own_and_a_subject_with_none(make, frozen):
    with frozen(TODAY):
        red = make.entry("published", category=RED).subject
        black_lapsed = make.entry("published", category=BLACK, valid_until=date(2026, 10, 8)).subject
        publicity = make.entry("in_publicity", category=RED).subject
        draft_only = make.entry("draft", category=BLACK).subject
        licences = make.subject()
        for valid_to in (None, TODAY, date(2026, 10, 8)):  # the last one ended yesterday
            make.disclosure("published", kind="licence", licence_valid_to=valid_to,
                            party_identifier=licences.identifier, party_name=licences.name)
        nothing = make.subject()
        ids = [red.id, black_lapsed.id, publicity.id, draft_only.id, licences.id, nothing.id]
        found = standings([*ids, 10**9], TODAY)  # an id no subject has: blank, not an error
        full = public_records(ids, TODAY)
    blank = {"red": False, "black": False, "in_publicity": False, "disclosures": 0}
    assert found[red.id] == {**blank, "red": True}
    assert found[black_lapsed.id] == blank  # past its validity: off the public pages that day
    assert found[publicity.id] == {**blank, "in_publicity": True}
    assert found[draft_only.id] == blank
    assert found[licences.id] == {**blank, "disclosures": 2}
    assert found[nothing.id] == blank and found[10**9] == blank
    assert {subject_id: records.standing for subject_id, records in full.items()} == {i: found[i] for i in ids}
