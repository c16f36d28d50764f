"""The credit check's serialisation: a single check answers as the same item of a batch, and
``parse`` reads identifiers as ``parse_identifier`` does.  What the answers contain is checked
against hand-written expectations in ``tests/readmodel/test_readmodel.py`` and ``tests/api/test_credit.py``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from registry.api import serializers
from registry.core import clock
from registry.core.holds import HoldKind, open_hold
from registry.core.identifiers import SubjectKind
from registry.evaluations.models import EvaluationField
from registry.listing.models import EntryStatus
from tests.factories import valid_uscc

VALID_USCC = valid_uscc()


@pytest.fixture
def subjects(make):
    """Subjects with every kind of public record, holds, hidden records, and a vehicle with an owner."""
    today = clock.today()
    organisation = make.subject()
    make.entry(EntryStatus.PUBLISHED, subject=organisation)
    make.entry(EntryStatus.IN_PUBLICITY, subject=organisation, category="安全生产失信")
    make.entry(EntryStatus.EXPIRED, subject=organisation)
    held = make.entry(EntryStatus.PUBLISHED, subject=organisation, decision_date=today - timedelta(days=5))
    open_hold("list_entry", held.id, HoldKind.OBJECTION, 9001)
    open_hold("list_entry", held.id, HoldKind.REPAIR, 9002)
    make.evaluation(subject=organisation, status="published", year=2023, grade="B", score="70.25")
    make.evaluation(subject=organisation, status="published", year=2024, grade="A", score="91.5")
    make.evaluation(subject=organisation, status="published", field=EvaluationField.WATERWAY, year=2024)
    make.evaluation(subject=organisation, status="draft", year=2025)

    recent = today - timedelta(days=10)
    penalty = make.disclosure("published", decision_date=recent)
    serious = make.disclosure("published", decision_date=recent, severity="serious", fine_amount=None)
    licence = make.disclosure("published", kind="licence")
    open_hold("disclosure", licence.id, HoldKind.OBJECTION, 9003)
    personal = make.disclosure("published", person=True, decision_date=recent)
    old = make.disclosure("published", decision_date=today - timedelta(days=4000))
    person = make.subject(SubjectKind.PERSON)
    make.entry(EntryStatus.PUBLISHED, subject=person, category="安全生产失信")
    owner = make.subject()
    vehicle = make.subject(SubjectKind.VEHICLE, owner_id=owner.id)
    make.entry(EntryStatus.PUBLISHED, subject=vehicle)
    clean = make.subject()
    make.entry(EntryStatus.DRAFT, subject=clean)
    subjects = [organisation, person, owner, vehicle, clean]
    from registry.extensions import db
    from registry.subjects.models import Subject

    subjects += [db.session.get(Subject, d.subject_id) for d in (penalty, serious, licence, personal, old)]
    return [s.identifier for s in subjects] + ["91430100MA4L0000XX", "430102199001011234"]


def test_a_single_check_answers_as_a_batch(subjects):
    today, as_of = clock.today(), clock.utcnow()
    batch = serializers.credit_results([serializers.parse(text) for text in subjects], today, as_of)
    for text, item in zip(subjects, batch, strict=True):
        assert serializers.credit_results([serializers.parse(text)], today, as_of)[0] == item


@pytest.mark.parametrize("text", [
    VALID_USCC, VALID_USCC.lower(), VALID_USCC[:8] + "-" + VALID_USCC[8:],
    "91430100MA4L16XQ1B", "91430100ma4l16xq1b", "91430100MA4L16XQ1C", "9143010-MA4L16XQ1B", "91430100MA4L16XQ1",
    "430102199001011234", "43010219900101123X", "430102199001011235", "湘A12345", "湘a12345", "", "  ",
    "N1430100MA4L16XQ1B", "914301000000000000", "91430100MA4L16XQ1BB", "ＡＢＣ", "430102-19900101123X",
])
def test_parse_reads_as_parse_identifier(app, text):
    from registry.core.identifiers import InvalidIdentifier, parse_identifier

    lookup = serializers.parse(text)
    try:
        expected = tuple(parse_identifier(text))
    except InvalidIdentifier as invalid:
        assert lookup.readings == () and lookup.error == str(invalid.message)
    else:
        assert lookup.readings == expected and lookup.error is None
