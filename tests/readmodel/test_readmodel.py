"""The read model's answer to "what does the public see of these subjects today", checked against
visibility written out here by hand (PRODUCT §2, §4): records in every state, on both sides of every
period's last day, with holds open and closed.

Today is 2026-10-09 throughout.  Default settings: a general penalty is public for 12 months, a
serious one for 36, the decision date's corresponding day included (so a general penalty decided
2025-10-09 is public through 2026-10-09 and one decided 2025-10-08 left on 2026-10-09).
"""

from __future__ import annotations

from datetime import date

import pytest

from registry.core.holds import HoldKind, close_hold, open_hold
from registry.core.identifiers import SubjectKind
from registry.disclosures.models import Severity
from registry.evaluations.models import EvaluationField
from registry.readmodel.records import name_is_public, public_records

TODAY = date(2026, 10, 9)

# (status, fields, public?) — the expected answers, decided by reading PRODUCT §2 and §4, not the code.
ENTRIES = [
    ("draft", {}, False),
    ("pending_review", {}, False),
    ("in_publicity", {}, True),
    ("published", {}, True),
    ("published", {"valid_until": TODAY}, True),  # its last day
    ("published", {"valid_until": date(2026, 10, 8)}, False),  # lapsed before the nightly check ran
    ("withdrawn", {}, False),
    ("expired", {}, False),
    ("removed", {}, False),
]
DISCLOSURES = [
    ("draft", {"decision_date": date(2026, 9, 1)}, False),
    ("pending_review", {"decision_date": date(2026, 9, 1)}, False),
    ("published", {"decision_date": date(2026, 9, 1)}, True),
    ("published", {"decision_date": date(2025, 10, 9)}, True),  # general: last day
    ("published", {"decision_date": date(2025, 10, 8)}, False),  # general: one day past
    ("published", {"decision_date": date(2023, 10, 9), "severity": Severity.SERIOUS, "fine_amount": None}, True),
    ("published", {"decision_date": date(2023, 10, 8), "severity": Severity.SERIOUS, "fine_amount": None}, False),
    ("not_public", {"decision_date": date(2026, 9, 1), "severity": Severity.MINOR, "publication_deadline": None},
     False),
    ("corrected", {"decision_date": date(2026, 9, 1)}, False),  # its published successor is counted above
    ("expired", {"decision_date": date(2026, 9, 1)}, False),
    ("removed", {"decision_date": date(2026, 9, 1), "removal_reason": "repaired"}, False),
]
LICENCES = [
    ("published", {"licence_valid_to": TODAY}, True),
    ("published", {"licence_valid_to": date(2026, 10, 8)}, False),
    ("published", {"licence_valid_to": None}, True),  # valid without end
    ("expired", {"licence_valid_to": date(2026, 10, 8)}, False),
]


def expected_successor(make, subject, expected) -> int:
    """The published correction that replaced a corrected record: public (recent, published)."""
    successor = make.disclosure("published", party_identifier=subject.identifier, party_name=subject.name,
                                decision_date=date(2026, 9, 2))
    expected["disclosures"].add(("disclosure", successor.id))
    return successor.id


@pytest.fixture
def world(make, frozen):
    """One organisation holding a record in every state; returns it and the ids the public may see."""
    with frozen(TODAY):
        subject = make.subject(name="湖南示例运输有限公司")
        expected = {"entries": set(), "disclosures": set(), "hidden": set()}
        for status, fields, public in ENTRIES:
            entry = make.entry(status, subject=subject, **fields)
            (expected["entries"] if public else expected["hidden"]).add(("entry", entry.id))
        rows = [(status, fields, public, "penalty") for status, fields, public in DISCLOSURES]
        rows += [(status, fields, public, "licence") for status, fields, public in LICENCES]
        for status, fields, public, kind in rows:
            if status == "corrected":
                fields = {**fields, "superseded_by_id": expected_successor(make, subject, expected)}
            disclosure = make.disclosure(status, kind=kind, party_identifier=subject.identifier,
                                         party_name=subject.name, **fields)
            (expected["disclosures"] if public else expected["hidden"]).add(("disclosure", disclosure.id))
        yield subject, expected


def test_every_state_is_shown_or_hidden_as_written(world, frozen):
    subject, expected = world
    with frozen(TODAY):
        records = public_records([subject.id], TODAY)[subject.id]
    assert {entry.id for entry in records.entries} == {i for _, i in expected["entries"]}
    assert {d.id for d in records.disclosures} == {i for _, i in expected["disclosures"]}
    assert len(records.entries) == 3 and len(records.disclosures) == 6  # counted by hand from the tables
    assert not records.is_empty


def test_entries_carry_category_unit_and_measures(make, frozen):
    with frozen(TODAY):
        entry = make.entry("published", category="安全生产失信")
        records = public_records([entry.subject_id], TODAY)[entry.subject_id]
    (row,) = records.entries
    assert row.category.name == "安全生产失信"
    assert row.unit.name == entry.unit.name
    assert sorted((m.code, m.description) for m in row.measures) == sorted(
        (m.code, m.description) for m in entry.measures)
    assert row.measures  # the category's default measures were attached by the factory


def test_latest_published_evaluation_per_field(make, frozen):
    with frozen(TODAY):
        subject = make.subject()
        make.evaluation(subject=subject, status="published", year=2023, grade="B")
        make.evaluation(subject=subject, status="published", year=2024, grade="A")  # the latest year wins
        make.evaluation(subject=subject, status="draft", year=2025, grade="D")  # later, but not published
        make.evaluation(subject=subject, status="pending_review", year=2026, grade="D")
        make.evaluation(subject=subject, status="published", field=EvaluationField.WATERWAY, year=2022, grade="C")
        records = public_records([subject.id], TODAY)[subject.id]
    assert sorted((e.field, e.year, e.grade) for e in records.evaluations) == sorted(
        [(EvaluationField.HIGHWAY, 2024, "A"), (EvaluationField.WATERWAY, 2022, "C")])
    assert all(e.field_label for e in records.evaluations)


def test_holds_mark_only_open_ones(make, frozen):
    with frozen(TODAY):
        held = make.entry("published")
        other = make.entry("published", subject=held.subject)
        licence = make.disclosure("published", kind="licence", licence_valid_to=None)
        open_hold("list_entry", held.id, HoldKind.OBJECTION, 7001)
        open_hold("list_entry", other.id, HoldKind.REPAIR, 7002)
        close_hold(HoldKind.REPAIR, 7002)
        open_hold("disclosure", licence.id, HoldKind.REPAIR, 7003)
        found = public_records([held.subject_id, licence.subject_id], TODAY)
    entries = found[held.subject_id]
    assert entries.marks("list_entry", held.id) == {HoldKind.OBJECTION}
    assert entries.marks("list_entry", other.id) == set()
    assert entries.markers == {"in_publicity": False, "objection_pending": True, "under_repair": False}
    assert found[licence.subject_id].markers == {"in_publicity": False, "objection_pending": False,
                                                 "under_repair": True}


def test_subjects_with_nothing_public_are_empty(make, frozen):
    with frozen(TODAY):
        person = make.subject(SubjectKind.PERSON)
        make.entry("draft", subject=person)
        make.evaluation(subject=person, status="draft")
        organisation = make.subject()
        found = public_records([person.id, organisation.id, 999_999], TODAY)
    assert set(found) == {person.id, organisation.id, 999_999}
    assert all(records.is_empty for records in found.values())
    assert not name_is_public(person, found[person.id])
    assert name_is_public(organisation, found[organisation.id])  # an organisation's name is always public


def test_many_subjects_across_chunks(make, frozen, monkeypatch):
    """Set-based reads in chunks: every subject gets its own records, none of another's."""
    from registry.readmodel import queries

    monkeypatch.setattr(queries, "BATCH", 2)
    with frozen(TODAY):
        subjects = [make.subject() for _ in range(5)]
        mine = {s.id: make.entry("published", subject=s).id for s in subjects}
        found = public_records([s.id for s in subjects], TODAY)
    assert {subject_id: [e.id for e in records.entries] for subject_id, records in found.items()} == {
        subject_id: [entry_id] for subject_id, entry_id in mine.items()}


def test_the_public_page_and_the_api_show_the_same_records(world, client, frozen, make):
    """The subject page and the credit check both read the read model: the same records, as expected."""
    from registry.api import serializers
    from registry.core import clock

    subject, expected = world
    with frozen(TODAY):
        make.evaluation(subject=subject, status="published", year=2024, grade="AA", evaluating_unit="示例评价机构")
        page = client.get(f"/subjects/{subject.id}")
        (answer,) = serializers.credit_results([serializers.parse(subject.identifier)], TODAY, clock.utcnow())
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "示例评价机构" in html and "<strong>AA</strong>" in html  # the evaluation rows render on the page
    result = answer["result"]
    assert {e["id"] for e in result["list_entries"]} == {i for _, i in expected["entries"]}
    assert {d["id"] for d in result["disclosures"]} == {i for _, i in expected["disclosures"]}
    assert [(e["grade"], e["evaluating_unit"]) for e in result["evaluations"]] == [("AA", "示例评价机构")]
    assert result["markers"] == {"in_publicity": True, "objection_pending": False, "under_repair": False}


def test_a_changed_visibility_setting_applies_at_once(make, frozen):
    """The disclosures' statement is kept per day and settings: a changed setting is not served stale."""
    from registry.core.settings import set_setting

    with frozen(TODAY):
        penalty = make.disclosure("published", decision_date=date(2026, 7, 1))  # 3 months and 8 days ago
        assert [d.id for d in public_records([penalty.subject_id], TODAY)[penalty.subject_id].disclosures] == [
            penalty.id]
        set_setting("penalty_general_visible_months", 3, actor=None)  # public through 2026-10-01
        assert public_records([penalty.subject_id], TODAY)[penalty.subject_id].disclosures == []
        set_setting("penalty_general_visible_months", 4, actor=None)  # public through 2026-11-01
        assert len(public_records([penalty.subject_id], TODAY)[penalty.subject_id].disclosures) == 1
