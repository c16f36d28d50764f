"""The red and black lists exclude each other.

The rule as the joint reward and punishment system states it: a subject listed as seriously
dishonest (an effective black-list entry) or with a serious administrative penalty still
disclosed is not rewarded as trustworthy, and a trustworthy subject put on the black list leaves
the red list.  The dates are worked out here: a serious penalty is disclosed for three years from
its decision (PRODUCT §4), a general one for one year.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.cases.models import Case
from registry.core.audit import AuditEvent
from registry.core.changes import ChangeEvent
from registry.core.errors import ValidationFailed
from registry.disclosures.models import Severity
from registry.extensions import db
from registry.listing import operations as ops
from registry.listing.models import EntryStatus, RemovalReason

TODAY = date(2026, 10, 9)
RED = "公路水运工程守信典型企业"


@pytest.fixture(autouse=True)
def _day(db, frozen):
    with frozen(TODAY), force_locale("en"):
        yield


def _red_fields(make) -> dict:
    return {"list_kind": "red", "category_id": make.category(RED).id, "reason": "连续三年信用评价为AA级。",
            "legal_basis": "《湖南省交通运输行业守信联合激励实施办法》", "decision_number": "湘交基建信〔2026〕30号",
            "decision_date": TODAY - timedelta(days=3), "measure_ids": []}


@pytest.mark.parametrize("black_state", ["in_publicity", "published"])
def test_a_black_listed_subject_cannot_enter_the_red_list(make, black_state):
    black = make.entry(black_state)
    with pytest.raises(ValidationFailed) as refused:
        ops.create_entry(actor=make.user("clerk"), subject=black.subject, **_red_fields(make))
    assert refused.value.field == "subject_identifier"
    assert "black list" in str(refused.value.message) and black.decision_number in str(refused.value.message)


@pytest.mark.parametrize("black_state", ["expired", "withdrawn", "removed", "draft"])
def test_a_black_entry_no_longer_or_not_yet_effective_does_not_bar(make, black_state):
    black = make.entry(black_state)
    entry = ops.create_entry(actor=make.user("clerk"), subject=black.subject, **_red_fields(make))
    assert entry.list_kind.value == "red"


@pytest.mark.parametrize(("severity", "decided", "barred"), [
    (Severity.SERIOUS, date(2023, 10, 10), True),   # three years end 2026-10-09: still disclosed today
    (Severity.SERIOUS, date(2023, 10, 8), False),   # its three years ended yesterday
    (Severity.GENERAL, date(2026, 3, 2), False),   # a general penalty does not bar
])
def test_a_serious_penalty_within_its_disclosure_period_bars(make, severity, decided, barred):
    content = "吊销道路运输经营许可证" if severity is Severity.SERIOUS else "罚款人民币五千元"
    penalty = make.disclosure("published", severity=severity, decision_date=decided, penalty_content=content)
    subject = db.session.get(type(make.subject()), penalty.subject_id)
    if not barred:
        assert ops.create_entry(actor=make.user("clerk"), subject=subject, **_red_fields(make)) is not None
        return
    with pytest.raises(ValidationFailed) as refused:
        ops.create_entry(actor=make.user("clerk"), subject=subject, **_red_fields(make))
    assert "serious administrative penalty" in str(refused.value.message)
    assert penalty.decision_number in str(refused.value.message)


def test_a_red_entry_drafted_before_the_black_listing_cannot_be_submitted_or_approved(make):
    clerk = make.user("clerk")
    red = make.entry("draft", category=RED, creator=clerk)
    pending = make.entry("pending_review", category=RED)
    make.entry("published", subject=red.subject)
    make.entry("in_publicity", subject=pending.subject)
    with pytest.raises(ValidationFailed):
        ops.submit_entry(red, clerk, red.version)
    with pytest.raises(ValidationFailed):
        ops.approve_entry(pending, make.user("reviewer"), pending.version)
    assert red.status is EntryStatus.DRAFT and pending.status is EntryStatus.PENDING_REVIEW


def test_the_black_listing_takes_effect_and_the_red_entries_leave(make, frozen):
    published_red = make.entry("published", category=RED)
    subject = published_red.subject
    red_in_publicity = make.entry("in_publicity", category=RED, subject=subject)
    case = make.case("published", entry=published_red)
    black = make.entry("in_publicity", subject=subject)
    red_in_publicity.publicity_end = black.publicity_end + timedelta(days=5)  # approved after the black one
    publication_day = black.publicity_end + timedelta(days=1)
    with frozen(publication_day):
        ops.publish_due_entries(publication_day)
    assert black.status is EntryStatus.PUBLISHED
    db.session.refresh(published_red)
    db.session.refresh(red_in_publicity)
    assert published_red.status is EntryStatus.REMOVED and published_red.removal_reason is RemovalReason.BLACKLISTED
    assert published_red.removal_date == publication_day
    assert red_in_publicity.status is EntryStatus.WITHDRAWN
    reason = f"因列入失信联合惩戒对象名单（认定文书号：{black.decision_number}），移出守信联合激励对象名单。"
    events = {event.action: event for event in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "list_entry",
                                    AuditEvent.object_id.in_([published_red.id, red_in_publicity.id])))}
    assert events["list_entry.remove_blacklisted"].comment == reason
    assert events["list_entry.withdraw_blacklisted"].comment == reason
    changes = db.session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_id == published_red.id)).all()
    assert changes[-1].change.value == "removed" and changes[-1].reason == "blacklisted"
    assert db.session.get(Case, case.id).basis_withdrawn_at is None  # the red entry was right when listed


def test_another_subjects_red_entry_stays(make, frozen):
    red = make.entry("published", category=RED)
    black = make.entry("in_publicity")
    day = black.publicity_end + timedelta(days=1)
    with frozen(day):
        ops.publish_due_entries(day)
    db.session.refresh(red)
    assert red.status is EntryStatus.PUBLISHED


def test_the_form_shows_the_refusal_at_the_subject(make, client, login):
    black = make.entry("published")
    login("clerk")
    response = client.post("/officer/entries/new?lang=en", data={
        "subject_kind": "organisation", "subject_identifier": black.subject.identifier, "list_kind": "red",
        "category_id": make.category(RED).id, "reason": "守信。", "legal_basis": "依据",
        "decision_number": "湘交基建信〔2026〕31号", "decision_date": (TODAY - timedelta(days=2)).isoformat()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="subject_identifier-error"' in page
    assert "cannot enter the red list" in page
