"""Credit evaluations: the field scales, the four-eyes publication, the subject page and the API helper,
the all-or-nothing import and the reviewer's black list draft for a D grade."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook

from registry.core.audit import history
from registry.core.changes import ChangeEvent
from registry.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from registry.evaluations import importing
from registry.evaluations import operations as ops
from registry.evaluations import public as evaluation_public
from registry.evaluations.models import CreditEvaluation, EvaluationField, EvaluationStatus
from tests.conftest import count
from tests.factories import valid_uscc

F = EvaluationField


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _values(**overrides):
    values = {"field": F.HIGHWAY, "year": 2025, "grade": "AA", "score": Decimal("96.50"),
              "evaluating_unit": "湖南省交通运输厅", "published_on": date(2026, 3, 31),
              "document_number": "湘交基建〔2026〕12号"}
    values.update(overrides)
    return values


# --- the scales and bad input -------------------------------------------------------------------


# Scores inside each grade's band (docs/RULES.md §5), so that only the scale is under test here.
@pytest.mark.parametrize(("field", "grade", "score", "ok"), [
    (F.HIGHWAY, "AA", "96.5", True), (F.HIGHWAY, "D", "50", True), (F.HIGHWAY, "AAA", "99", False),
    (F.WATERWAY, "C", "65", True), (F.WATERWAY, "AAA", "99", False),
    (F.ROAD_TRANSPORT, "AAA", "90", True), (F.ROAD_TRANSPORT, "B", "50", True), (F.ROAD_TRANSPORT, "C", "50", False),
    (F.ROAD_TRANSPORT, "D", "50", False), (F.WORK_SAFETY, "D", "40", True), (F.WORK_SAFETY, "AA", "99", False),
    (F.HIGHWAY, "E", "50", False), (F.HIGHWAY, "", "50", False),
])
def test_grade_must_be_on_the_fields_scale(make, frozen, field, grade, score, ok):
    clerk = make.user("clerk")
    values = _values(field=field, grade=grade, score=Decimal(score))
    with frozen(date(2026, 5, 1)):
        if ok:
            evaluation = ops.create_evaluation(actor=clerk, subject=make.subject(), **values)
            assert evaluation.grade == grade
        else:
            with pytest.raises(ValidationFailed) as refused:
                ops.create_evaluation(actor=clerk, subject=make.subject(), **values)
            assert refused.value.field == "grade"
            assert "scale" in str(refused.value.message)
            assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"year": 2027}, "year", "future"),
    ({"year": 1999}, "year", "before"),
    ({"score": Decimal("100.01")}, "score", "0 to 100"),
    ({"score": Decimal("-1")}, "score", "0 to 100"),
    ({"score": "abc"}, "score", "0 to 100"),
    ({"score": Decimal("95.555")}, "score", "two decimal"),
    ({"published_on": date(2026, 5, 2)}, "published_on", "future"),
    ({"published_on": date(2024, 12, 31)}, "published_on", "before the year"),
    ({"evaluating_unit": "  "}, "evaluating_unit", "evaluating unit"),
    ({"field": "天气"}, "field", "Unknown field"),
])
def test_bad_input_is_refused_naming_the_field(make, frozen, overrides, field, words):
    clerk = make.user("clerk")
    with frozen(date(2026, 5, 1)), pytest.raises(ValidationFailed) as refused:
        ops.create_evaluation(actor=clerk, subject=make.subject(), **_values(**overrides))
    assert refused.value.field == field
    assert words in str(refused.value.message)
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


def test_the_current_year_is_accepted(make, frozen):
    with frozen(date(2026, 12, 31)):
        evaluation = ops.create_evaluation(actor=make.user("clerk"), subject=make.subject(),
                                           **_values(year=2026, published_on=date(2026, 12, 31)))
    assert evaluation.year == 2026


def test_one_result_per_subject_field_and_year(make, frozen):
    subject = make.subject()
    make.evaluation(subject=subject, field=F.HIGHWAY, year=2025)
    with frozen(date(2026, 5, 1)), pytest.raises(ValidationFailed) as refused:
        ops.create_evaluation(actor=make.user("clerk"), subject=subject, **_values())
    assert refused.value.field == "year"
    # Another field of the same year is a separate result.
    with frozen(date(2026, 5, 1)):
        ops.create_evaluation(actor=make.user("clerk"), subject=subject, **_values(field=F.WATERWAY))


def test_the_database_refuses_a_grade_off_the_scale_and_a_score_out_of_range(make, db):
    evaluation = make.evaluation()
    for column, value in (("grade", "AAA"), ("score", 101)):
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(sa.update(CreditEvaluation).where(CreditEvaluation.id == evaluation.id)
                               .values({column: value}))


# --- four-eyes publication ----------------------------------------------------------------------


def test_submit_then_another_reviewer_publishes_with_feed_and_audit(make, frozen):
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    with frozen(date(2026, 5, 1)):
        evaluation = ops.create_evaluation(actor=clerk, subject=make.subject(), **_values())
        ops.submit_evaluation(evaluation, clerk, evaluation.version)
        ops.approve_evaluation(evaluation, reviewer, evaluation.version)
    assert evaluation.status is EvaluationStatus.PUBLISHED
    assert evaluation.reviewed_by_id == reviewer.id
    assert [e.action for e in history("credit_evaluation", evaluation.id)] == [
        "credit_evaluation.create", "credit_evaluation.submit", "credit_evaluation.approve"]
    feed = count(ChangeEvent, ChangeEvent.record_type == "credit_evaluation", ChangeEvent.record_id == evaluation.id)
    assert feed == 1


@pytest.mark.parametrize("who", ["submitter", "clerk", "other_unit_reviewer"])
def test_who_may_not_publish(make, who):
    submitter = make.user("reviewer")
    evaluation = make.evaluation(status="draft", created_by=submitter)
    ops.submit_evaluation(evaluation, submitter, evaluation.version)
    actor = {"submitter": submitter, "clerk": make.user("clerk"),
             "other_unit_reviewer": make.user("reviewer", unit="GHC")}[who]
    with pytest.raises(PermissionDenied):
        ops.approve_evaluation(evaluation, actor, evaluation.version)
    assert evaluation.status is EvaluationStatus.PENDING_REVIEW


def test_the_database_holds_the_four_eyes_rule(make, db):
    evaluation = make.evaluation(status="pending_review")
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(CreditEvaluation).where(CreditEvaluation.id == evaluation.id).values(
            status="published", reviewed_by_id=evaluation.created_by_id, reviewed_at=sa.func.now()))


def test_return_needs_a_comment_and_goes_back_to_draft(make):
    evaluation = make.evaluation(status="pending_review")
    reviewer = make.user("reviewer")
    with pytest.raises(ValidationFailed):
        ops.return_evaluation(evaluation, reviewer, evaluation.version, "  ")
    ops.return_evaluation(evaluation, reviewer, evaluation.version, "得分有误")
    assert evaluation.status is EvaluationStatus.DRAFT and evaluation.is_returned


@pytest.mark.parametrize("status", ["pending_review", "published"])
def test_only_a_draft_is_edited(make, status, frozen):
    evaluation = make.evaluation(status=status)
    with frozen(date(2026, 5, 1)), pytest.raises(InvalidTransition):
        ops.update_draft(evaluation, actor=make.user("clerk"), expected_version=evaluation.version, **_values())


# --- the subject page and the API's latest grade per field --------------------------------------


def test_latest_evaluation_per_field_counts_only_published(make):
    subject = make.subject()
    make.evaluation(subject=subject, field=F.HIGHWAY, year=2023, grade="B", status="published")
    newest = make.evaluation(subject=subject, field=F.HIGHWAY, year=2024, grade="AA", status="published")
    make.evaluation(subject=subject, field=F.HIGHWAY, year=2025, grade="D", status="pending_review")
    transport = make.evaluation(subject=subject, field=F.ROAD_TRANSPORT, year=2022, grade="AAA", status="published")
    latest = ops.latest_evaluations(subject.id)
    assert latest == {F.HIGHWAY: newest, F.ROAD_TRANSPORT: transport}
    assert ops.latest_evaluations(make.subject().id) == {}
    payload = evaluation_public.public_payload(newest)
    assert payload["grade"] == "AA" and payload["field_name"] == "公路建设" and payload["year"] == 2024


def test_public_subject_page_shows_published_grades_only(client, make):
    subject = make.subject()
    make.evaluation(subject=subject, year=2024, grade="AA", status="published", evaluating_unit="评价单位甲")
    make.evaluation(subject=subject, field=F.WATERWAY, year=2024, grade="C", status="draft",
                    evaluating_unit="评价单位乙")
    page = client.get(f"/subjects/{subject.id}?lang=en").get_data(as_text=True)
    assert "评价单位甲" in page and "评价单位乙" not in page


# --- import -------------------------------------------------------------------------------------

HEADER = [c.header for c in importing.COLUMNS]


def _csv(rows) -> bytes:
    lines = [",".join(HEADER)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _row(identifier=None, name="湖南测试路桥有限公司", field="公路建设", year="2025", grade="A", score="88",
         unit="湖南省交通运输厅", published="2026-03-31", number=""):
    return [identifier or valid_uscc(), name, field, year, grade, score, unit, published, number]


def test_a_clean_file_is_imported_and_submitted_for_review(make, frozen, db):
    clerk = make.user("clerk")
    known = make.subject()
    with frozen(date(2026, 5, 1)):
        result = importing.import_evaluations(
            _csv([_row(known.identifier), _row(field="道路运输", grade="AAA"),
                  _row(field="安全生产", grade="D", score="55")]),
            "e.csv", actor=clerk)
    assert (result.created, result.new_subjects) == (3, 2)
    rows = db.session.scalars(sa.select(CreditEvaluation).filter_by(created_by_id=clerk.id)).all()
    assert {r.status for r in rows} == {EvaluationStatus.PENDING_REVIEW}
    assert {r.submitted_by_id for r in rows} == {clerk.id}


def test_one_bad_row_and_nothing_is_imported_with_every_problem_listed(make, frozen):
    clerk = make.user("clerk")
    duplicate = valid_uscc()
    rows = [
        _row(),
        _row(grade="AAA"),  # not on the construction scale
        _row(year="2030"),  # future
        _row(score="120"),  # out of range
        _row(identifier="91430100MA4L000000"),  # wrong check character
        _row(identifier=duplicate), _row(identifier=duplicate),  # twice in the file
    ]
    with frozen(date(2026, 5, 1)), pytest.raises(importing.ImportRejected) as rejected:
        importing.import_evaluations(_csv(rows), "e.csv", actor=clerk)
    problems = {(e.row, e.column) for e in rejected.value.errors}
    assert problems == {(3, "信用等级"), (4, "评价年度"), (5, "评价得分"), (6, "统一社会信用代码或身份证号"),
                        (8, "评价年度")}
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


def test_a_result_already_recorded_is_refused_in_the_import(make, frozen):
    subject = make.subject()
    make.evaluation(subject=subject, year=2025)
    with frozen(date(2026, 5, 1)), pytest.raises(importing.ImportRejected) as rejected:
        importing.import_evaluations(_csv([_row(subject.identifier)]), "e.csv", actor=make.user("clerk"))
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "评价年度")]


def test_xlsx_import_and_wrong_header(make, frozen):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(_row(field="水运工程", grade="B", score="80"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with frozen(date(2026, 5, 1)):
        assert importing.import_evaluations(buffer.getvalue(), "e.xlsx", actor=make.user("clerk")).created == 1
        with pytest.raises(ValidationFailed) as refused:
            importing.import_evaluations("名称,等级\n甲,A\n".encode(), "e.csv", actor=make.user("clerk"))
    assert refused.value.field == "file" and "missing columns" in str(refused.value.message)


def test_import_page_lists_the_problems_and_stores_nothing(client, login, frozen):
    clerk = login("clerk")
    with frozen(date(2026, 5, 1)):
        response = client.post("/officer/evaluations/import?lang=en", data={
            "file": (io.BytesIO(_csv([_row(grade="Z")])), "e.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "信用等级" in page and "not on the" in page
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


# --- D grade: a black list draft, only when a reviewer asks -------------------------------------


def test_publishing_a_d_grade_lists_nobody(make):
    from registry.listing.models import ListEntry

    evaluation = make.evaluation(status="pending_review", grade="D")
    before = count(ListEntry)
    ops.approve_evaluation(evaluation, make.user("reviewer"), evaluation.version)
    assert count(ListEntry) == before
    assert evaluation.offers_black_list_draft


@pytest.mark.parametrize(("field", "category"), [
    (F.HIGHWAY, "公路建设市场严重失信"), (F.WATERWAY, "水运工程建设市场严重失信"), (F.WORK_SAFETY, "安全生产失信")])
def test_reviewer_prepares_a_black_list_draft_in_the_matching_category(make, field, category):
    from registry.listing.models import EntryStatus, ListKind

    evaluation = make.evaluation(status="published", grade="D", field=field)
    reviewer = make.user("reviewer")
    entry = ops.prepare_black_list_draft(evaluation, reviewer, evaluation.version)
    assert entry.status is EntryStatus.DRAFT and entry.list_kind is ListKind.BLACK
    assert entry.category.name == category and entry.subject_id == evaluation.subject_id
    assert evaluation.black_list_entry_id == entry.id and not evaluation.offers_black_list_draft
    with pytest.raises(InvalidTransition):
        ops.prepare_black_list_draft(evaluation, reviewer, evaluation.version)


@pytest.mark.parametrize(("overrides", "actor_role", "error"), [
    ({"grade": "C"}, "reviewer", InvalidTransition),
    ({"status": "pending_review"}, "reviewer", InvalidTransition),
    ({}, "clerk", PermissionDenied),
])
def test_black_list_draft_refusals(make, overrides, actor_role, error):
    values = {"status": "published", "grade": "D", **overrides}
    evaluation = make.evaluation(**values)
    with pytest.raises(error):
        ops.prepare_black_list_draft(evaluation, make.user(actor_role), evaluation.version)


def test_black_list_button_on_the_page(client, make, login, db):
    evaluation = make.evaluation(status="published", grade="D")
    login(make.user("reviewer"))
    page = client.get(f"/officer/evaluations/{evaluation.id}?lang=en").get_data(as_text=True)
    assert "Prepare a black list draft" in page
    response = client.post(f"/officer/evaluations/{evaluation.id}/black-list-draft",
                           data={"version": evaluation.version})
    assert response.status_code == 302
    assert db.session.get(CreditEvaluation, evaluation.id).black_list_entry_id is not None


# --- pages ---------------------------------------------------------------------------------------


def test_form_names_the_bad_field_and_stores_nothing(client, login, frozen):
    clerk = login("clerk")
    subject_code = valid_uscc()
    with frozen(date(2026, 5, 1)):
        response = client.post("/officer/evaluations/new?lang=en", data={
            "subject_identifier": subject_code, "subject_name": "新公司", "field": "road_transport", "year": "2025",
            "grade": "D", "score": "80", "evaluating_unit": "运输处", "published_on": "2026-03-01"})
    assert response.status_code == 200
    assert "is not on the" in response.get_data(as_text=True)
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


def test_form_creates_a_draft(client, login, frozen):
    clerk = login("clerk")
    with frozen(date(2026, 5, 1)):
        response = client.post("/officer/evaluations/new", data={
            "subject_identifier": valid_uscc(), "subject_name": "新公司", "field": "road_transport", "year": "2025",
            "grade": "AAA", "score": "95", "evaluating_unit": "运输处", "published_on": "2026-03-01"})
    assert response.status_code == 302
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 1


def test_another_units_evaluation_is_not_found(client, make, login):
    evaluation = make.evaluation(unit="GHC")
    login("clerk", unit="JJC")
    assert client.get(f"/officer/evaluations/{evaluation.id}").status_code == 404
    assert client.post(f"/officer/evaluations/{evaluation.id}/submit", data={"version": 1}).status_code == 404


def test_review_queue_lists_and_approves_an_evaluation(client, make, login, db):
    evaluation = make.evaluation(status="pending_review")
    login(make.user("reviewer"))
    assert evaluation.subject.name in client.get("/review/").get_data(as_text=True)
    response = client.post(f"/review/credit_evaluation/{evaluation.id}/approve", data={"version": evaluation.version})
    assert response.status_code == 302
    assert db.session.get(CreditEvaluation, evaluation.id).status is EvaluationStatus.PUBLISHED


def test_officer_subject_page_shows_drafts_with_status(client, make, login):
    subject = make.subject()
    draft = make.evaluation(subject=subject, field=F.WATERWAY, status="draft", evaluating_unit="评价单位乙")
    login("clerk")
    page = client.get(f"/officer/subjects/{subject.id}?lang=en").get_data(as_text=True)
    assert "评价单位乙" in page and f"/officer/evaluations/{draft.id}" in page


def test_officer_subject_page_hides_another_units_drafts_and_pending(client, make, login):
    """a clerk of another unit sees the published evaluation only."""
    subject = make.subject()
    make.evaluation(subject=subject, unit="GHC", status="draft", evaluating_unit="草稿评价单位")
    make.evaluation(subject=subject, unit="GHC", status="pending_review", year=2023, evaluating_unit="待审评价单位")
    make.evaluation(subject=subject, unit="GHC", status="published", year=2022, evaluating_unit="已发布评价单位")
    login("clerk", unit="JJC")
    page = client.get(f"/officer/subjects/{subject.id}?lang=en").get_data(as_text=True)
    assert "已发布评价单位" in page
    assert "草稿评价单位" not in page and "待审评价单位" not in page


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_officer_subject_page_shows_drafts_to_their_unit_and_auditors(client, make, login, role):
    subject = make.subject()
    make.evaluation(subject=subject, unit="GHC", status="pending_review", evaluating_unit="待审评价单位")
    login(role, unit="GHC")
    page = client.get(f"/officer/subjects/{subject.id}?lang=en").get_data(as_text=True)
    assert "待审评价单位" in page


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_review_refusal_for_a_foreign_evaluation_says_not_found(client, make, login, db, decision):
    """the refusal must not confirm that another unit's evaluation exists."""
    foreign = make.evaluation(unit="GHC", status="pending_review")
    login(make.user("reviewer", unit="JJC"))
    answers = []
    for item_id in (foreign.id, foreign.id + 10_000):
        client.post(f"/review/credit_evaluation/{item_id}/{decision}?lang=en",
                    data={"version": foreign.version, "comment": "请补正"})
        answers.append(client.get("/review/?lang=en").get_data(as_text=True))
    assert all("Not found." in answer for answer in answers)
    assert not any("evaluation&#39;s unit" in a or "evaluation's unit" in a for a in answers)
    assert db.session.get(CreditEvaluation, foreign.id).status is EvaluationStatus.PENDING_REVIEW
