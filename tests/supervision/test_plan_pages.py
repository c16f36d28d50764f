"""The pages of random inspections: officers draft, approve and draw; the public sees the plan,
the parties drawn and the verification, never the classes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.listing.models import EntryStatus
from registry.supervision import operations as class_ops
from registry.supervision import plans as ops
from registry.supervision.cli import verify_draw
from registry.supervision.inspection_models import DrawMember, InspectionPlan, PlanStatus

DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def on_day(frozen):
    with frozen(DAY):
        yield


def _drawn_plan(make):
    black = make.entry(EntryStatus.PUBLISHED).subject
    others = [make.subject() for _ in range(5)]
    class_ops.recompute_subjects([black.id])
    plan = make.approved_plan(identifiers="\n".join(s.identifier for s in [black, *others]))
    ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    return plan, black


def test_an_officer_drafts_submits_and_a_reviewer_approves_through_the_pages(client, make, login):
    clerk = login("clerk")
    item = make.inspection_item(actor=clerk)
    subject = make.subject()
    make.enforcement_officers(count=2)
    response = client.post("/officer/supervision/plans/new?lang=en", data={
        "name": "2026年第三季度抽查", "legal_basis": "国发〔2019〕5号", "item_ids": [str(item.id)],
        "period_start": "2026-07-01", "period_end": "2026-09-30", "population_kind": "list",
        "identifiers": subject.identifier, "ratio_A": "3", "ratio_B": "5", "ratio_C": "20", "ratio_D": "100",
        "minimum_A": "0", "minimum_B": "1", "minimum_C": "0", "minimum_D": "0", "key_ratio": "50",
        "inspectors_per_inspection": "2", "exclude_months": "12"})
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(InspectionPlan).where(InspectionPlan.name == "2026年第三季度抽查"))
    client.post(f"/officer/supervision/plans/{plan.id}", data={"action": "submit", "version": plan.version})
    db.session.refresh(plan)
    assert plan.status is PlanStatus.PENDING_REVIEW
    login("reviewer")
    client.post(f"/officer/supervision/plans/{plan.id}", data={"action": "approve", "version": plan.version})
    db.session.refresh(plan)
    assert plan.status is PlanStatus.APPROVED and plan.seed
    login(clerk)
    page = client.get(f"/officer/supervision/plans/{plan.id}?lang=en").get_data(as_text=True)
    assert plan.seed in page and "Draw the parties" in page
    client.post(f"/officer/supervision/plans/{plan.id}", data={"action": "draw", "version": plan.version})
    db.session.refresh(plan)
    assert plan.status is PlanStatus.DRAWN and plan.current_draw.selected_count == 1  # minimum 1 of class B


def test_a_bad_plan_form_shows_the_problem_and_stores_nothing(client, make, login):
    clerk = login("clerk")
    item = make.inspection_item(actor=clerk)
    response = client.post("/officer/supervision/plans/new?lang=en", data={
        "name": "错误计划", "legal_basis": "依据", "item_ids": [str(item.id)], "period_start": "2026-07-01",
        "period_end": "2026-06-01", "population_kind": "list", "identifiers": "不是代码", "key_ratio": "50",
        "inspectors_per_inspection": "1", "exclude_months": "12"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPlan)) == 0


def test_the_public_page_shows_the_drawn_parties_and_the_verification_but_no_class(client, make):
    plan, black = _drawn_plan(make)
    html = client.get(f"/supervision/plans/{plan.id}?lang=en").get_data(as_text=True)
    assert "Verified now" in html and plan.current_draw.population_hash in html
    assert black.name in html  # class D is always drawn (100%)
    assert "key supervision" not in html.split("Parties drawn")[1]
    assert "严重失信" not in html
    index = client.get("/supervision?lang=en").get_data(as_text=True)
    assert plan.name in index


def test_a_draft_plan_is_not_public(client, make):
    plan = make.inspection_plan(identifiers=make.subject().identifier)
    assert client.get(f"/supervision/plans/{plan.id}").status_code == 404


def test_the_population_file_is_for_officers(client, make, login):
    plan, _black = _drawn_plan(make)
    url = f"/supervision/plans/{plan.id}/draws/1/population.txt"
    assert client.get(url).status_code in (302, 401)
    login("auditor")
    body = client.get(url).get_data(as_text=True)
    assert body.count("\n") == 6 and "|D|K|-" in body


def test_verify_draw_command_passes_and_fails_on_tampering(app, make):
    plan, _black = _drawn_plan(make)
    runner = app.test_cli_runner()
    result = runner.invoke(verify_draw, [str(plan.id)])
    assert result.exit_code == 0 and "selection matches" in result.output
    member = db.session.scalar(sa.select(DrawMember).where(DrawMember.selected.is_(False)).limit(1))
    member.selected = True
    db.session.flush()
    failed = runner.invoke(verify_draw, [str(plan.id)])
    assert failed.exit_code == 1 and "selection DIFFERS" in failed.output


def test_the_review_queue_lists_a_submitted_plan(client, make, login):
    plan = make.inspection_plan(identifiers=make.subject().identifier)
    ops.submit_plan(plan, actor=plan.created_by, expected_version=plan.version)
    login("reviewer")
    assert plan.name in client.get("/review/?lang=en").get_data(as_text=True)


def test_officers_keep_their_units_inspection_items(client, make, login):
    login("clerk")
    response = client.post("/officer/supervision/items?lang=en", data={
        "name": "客运站安全管理检查", "legal_basis": "《道路旅客运输及客运站管理规定》", "party_kind": "客运站经营者",
        "method": "现场检查", "is_active": "y"})
    assert response.status_code == 302
    assert "客运站安全管理检查" in client.get("/supervision?lang=en").get_data(as_text=True)
    empty = client.post("/officer/supervision/items?lang=en", data={"name": " ", "legal_basis": "x",
                                                                     "party_kind": "x", "method": "x"})
    assert empty.status_code == 200


def test_the_unit_registers_law_enforcement_officers_and_conflicts_on_its_page(client, make, login):
    from registry.supervision.inspector_models import InspectorConflict, LawEnforcementOfficer

    login("clerk")
    colleague = make.user("clerk")
    client.post("/officer/supervision/inspectors", data={"user_id": colleague.id, "action": "register",
                                                         "certificate_number": "43000099"})
    assert db.session.get(LawEnforcementOfficer, colleague.id).certificate_number == "43000099"
    subject = make.subject()
    client.post("/officer/supervision/inspectors", data={"user_id": colleague.id, "action": "conflict",
                                                         "identifier": subject.identifier, "reason": "曾在该企业任职"})
    assert db.session.scalar(sa.select(InspectorConflict.subject_id).where(
        InspectorConflict.user_id == colleague.id)) == subject.id
    other_unit = make.user("clerk", unit="CS")
    assert client.post("/officer/supervision/inspectors", data={"user_id": other_unit.id, "action": "register",
                                                                "certificate_number": "1"}).status_code == 404
    assert "43000099" in client.get("/officer/supervision/inspectors").get_data(as_text=True)


def test_the_results_list_downloads_as_xlsx_with_persons_masked(client, make):
    import io

    from openpyxl import load_workbook

    person = make.subject("person", name="王小明")
    firm = make.subject()
    plan = make.approved_plan(identifiers=f"{person.identifier}\n{firm.identifier}",
                              ratios={"A": 100, "B": 100, "C": 100, "D": 100})
    ops.draw_plan(plan, actor=plan.created_by, expected_version=plan.version)
    response = client.get(f"/supervision/plans/{plan.id}/results.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("序号", "检查对象", "统一社会信用代码/身份证号", "检查结果")
    parties = {row[1]: row for row in rows[2:]}
    assert set(parties) == {"王**", firm.name}
    assert parties["王**"][2] != person.identifier and parties["王**"][3] == "尚未检查"


def test_the_plan_and_results_notice_is_issued_as_a_verifiable_pdf(client, make, login):
    from registry.documents.models import IssuedDocument

    plan, _black = _drawn_plan(make)
    login(plan.created_by)
    response = client.get(f"/officer/documents/inspection_plan/{plan.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    document = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.record_id == plan.id))
    assert "信抽查" in document.number
    again = client.get(f"/officer/documents/inspection_plan/{plan.id}.pdf")
    assert again.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 1  # same content, same document


def test_a_draft_plan_has_no_notice(client, make, login):
    plan = make.inspection_plan(identifiers=make.subject().identifier)
    login(plan.created_by)
    assert client.get(f"/officer/documents/inspection_plan/{plan.id}.pdf").status_code == 409
