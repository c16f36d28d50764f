"""Whoever changed a record's content prepared it and cannot approve it (``core.editors``).

For every kind of reviewed record: a clerk drafts, reviewer A rewrites the draft, the clerk
submits; A may neither approve nor return it, reviewer B may.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.cases import operations as case_ops
from registry.core import clock
from registry.core.editors import RecordEditor, editor_ids, note_editor
from registry.core.errors import PermissionDenied
from registry.core.permissions import can_review
from registry.disclosures import operations as disclosure_ops
from registry.evaluations import operations as evaluation_ops
from registry.evaluations.models import EvaluationField
from registry.listing import operations as listing_ops
from tests.factories.disclosures import penalty_data

TODAY = date(2026, 10, 9)


@pytest.fixture(autouse=True)
def english_and_frozen(db, frozen):
    with force_locale("en"), frozen(TODAY):
        yield


def _entry_fields(make, **overrides):
    category = make.category()
    return {"list_kind": category.list_kind.value, "category_id": category.id, "reason": "弄虚作假骗取中标。",
            "legal_basis": "《公路建设市场信用信息管理办法》", "decision_number": "湘交基建信〔2026〕77号",
            "decision_date": TODAY - timedelta(days=3),
            "measure_ids": [m.id for m in category.measures], **overrides}


def _evaluation_fields(**overrides):
    return {"field": EvaluationField.HIGHWAY, "year": 2025, "grade": "A", "score": Decimal("88.00"),
            "evaluating_unit": "湖南省交通运输厅", "published_on": date(2026, 3, 31), **overrides}


def _case_fields(entry, make, **overrides):
    return {"entry_ref": entry.decision_number, "measure_ids": [make.measure("HB-01").id], "applying_party": "基建处",
            "case_date": TODAY - timedelta(days=2), "matter": "某高速公路施工招标资格审查",
            "effect": "否决其投标资格。", **overrides}


class Kind:
    """create(make, clerk) -> record; edit(make, record, actor); submit(record, clerk); approve / return_."""


def _listing():
    k = Kind()
    k.create = lambda make, clerk: listing_ops.create_entry(actor=clerk, subject=make.subject(), **_entry_fields(make))
    k.edit = lambda make, r, actor: listing_ops.update_draft(
        r, actor=actor, expected_version=r.version, **_entry_fields(make, reason="在招投标中弄虚作假，骗取中标。"))
    k.submit = lambda r, clerk: listing_ops.submit_entry(r, clerk, r.version)
    k.approve = lambda r, actor: listing_ops.approve_entry(r, actor, r.version)
    k.return_ = lambda r, actor: listing_ops.return_entry(r, actor, r.version, "请补充")
    return k


def _disclosure():
    k = Kind()
    data = penalty_data(decision_date=date(2026, 9, 30))
    k.create = lambda make, clerk: disclosure_ops.create_disclosure(data, unit_id=clerk.unit_id, actor=clerk)
    k.edit = lambda make, r, actor: disclosure_ops.update_disclosure(
        r, replace(data, violation_facts="车辆超限运输，超限率百分之三十"), actor=actor, expected_version=r.version)
    k.submit = lambda r, clerk: disclosure_ops.submit_disclosure(r, actor=clerk, expected_version=r.version)
    k.approve = lambda r, actor: disclosure_ops.approve_disclosure(r, actor=actor, expected_version=r.version)
    k.return_ = lambda r, actor: disclosure_ops.return_disclosure(r, actor=actor, expected_version=r.version,
                                                                  comment="请补充")
    return k


def _evaluation():
    k = Kind()
    k.create = lambda make, clerk: evaluation_ops.create_evaluation(actor=clerk, subject=make.subject(),
                                                                    **_evaluation_fields())
    k.edit = lambda make, r, actor: evaluation_ops.update_draft(
        r, actor=actor, expected_version=r.version, **_evaluation_fields(score=Decimal("86.00")))
    k.submit = lambda r, clerk: evaluation_ops.submit_evaluation(r, clerk, r.version)
    k.approve = lambda r, actor: evaluation_ops.approve_evaluation(r, actor, r.version)
    k.return_ = lambda r, actor: evaluation_ops.return_evaluation(r, actor, r.version, "请补充")
    return k


def _case():
    k = Kind()

    def create(make, clerk):
        k.entry = make.published_entry(valid_from=date(2026, 3, 1))
        return case_ops.create_case(actor=clerk, **_case_fields(k.entry, make))

    k.create = create
    k.edit = lambda make, r, actor: case_ops.update_draft(
        r, actor=actor, expected_version=r.version, **_case_fields(k.entry, make, effect="否决其投标资格，取消评标。"))
    k.submit = lambda r, clerk: case_ops.submit_case(r, clerk, r.version)
    k.approve = lambda r, actor: case_ops.approve_case(r, actor, r.version)
    k.return_ = lambda r, actor: case_ops.return_case(r, actor, r.version, "请补充")
    return k


KINDS = {"list_entry": _listing, "disclosure": _disclosure, "credit_evaluation": _evaluation, "case": _case}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_reviewer_who_edited_the_draft_cannot_approve_or_return_it(db, make, kind):
    k = KINDS[kind]()
    clerk, editor, other = make.user("clerk"), make.user("reviewer"), make.user("reviewer")
    record = k.create(make, clerk)
    k.edit(make, record, editor)
    assert editor_ids(record) == {clerk.id, editor.id}
    k.submit(record, clerk)
    assert not can_review(editor, record) and can_review(other, record)
    for decide in (k.approve, k.return_):
        with pytest.raises(PermissionDenied, match="one of its preparers"):
            decide(record, editor)
    assert record.status.value == "pending_review" and record.reviewed_by_id is None
    k.approve(record, other)
    assert record.reviewed_by_id == other.id


@pytest.mark.parametrize("kind", list(KINDS))
def test_editors_are_kept_once_each(db, make, kind):
    k = KINDS[kind]()
    clerk, editor = make.user("clerk"), make.user("reviewer")
    record = k.create(make, clerk)
    k.edit(make, record, editor)
    k.edit(make, record, editor)
    k.edit(make, record, clerk)
    rows = db.session.scalars(sa.select(RecordEditor.user_id).where(RecordEditor.record_id == record.id,
                                                                    RecordEditor.record_type == kind)).all()
    assert sorted(rows) == sorted([clerk.id, editor.id])


def test_the_database_keeps_one_row_per_editor(db, make):
    from sqlalchemy.exc import IntegrityError

    entry, user = make.entry(), make.user("clerk")
    note_editor(entry, user)
    note_editor(entry, user)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(RecordEditor(record_type="list_entry", record_id=entry.id, user_id=user.id,
                                    first_edited_at=clock.utcnow()))
        db.session.flush()


def test_the_queue_and_the_page_show_an_editor_no_decision(client, login, make, db):
    k = _listing()
    clerk, editor = make.user("clerk"), make.user("reviewer")
    entry = k.create(make, clerk)
    k.edit(make, entry, editor)
    k.submit(entry, clerk)
    login(editor)
    page = client.get(f"/officer/entries/{entry.id}?lang=en").get_data(as_text=True)
    assert "You edited this record" in page and ">Approve<" not in page
    queue = client.get("/review/?kind=list_entry&lang=en").get_data(as_text=True)
    assert entry.decision_number in queue and f"/review/list_entry/{entry.id}/approve" not in queue
    client.post(f"/review/list_entry/{entry.id}/approve", data={"version": entry.version})
    db.session.refresh(entry)
    assert entry.status.value == "pending_review"
    login("reviewer")
    queue = client.get("/review/?kind=list_entry&lang=en").get_data(as_text=True)
    assert f"/review/list_entry/{entry.id}/approve" in queue


def test_imported_evaluations_name_the_importer_as_editor(db, make):
    from registry.evaluations.importing import _store

    clerk = make.user("clerk")
    subject = make.subject()
    values = _evaluation_fields()
    values["field"] = EvaluationField.WATERWAY
    _store([(1, values, type("R", (), {"value": subject.identifier})(), subject.name)],
           {subject.identifier: subject}, clerk)
    record_id = db.session.scalar(sa.select(sa.func.max(RecordEditor.record_id)).where(
        RecordEditor.record_type == "credit_evaluation", RecordEditor.user_id == clerk.id))
    assert record_id is not None
