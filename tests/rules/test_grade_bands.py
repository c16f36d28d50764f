"""Credit evaluation grades follow their score bands (docs/RULES.md §5), unless directly determined
with a reason."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.core.errors import ValidationFailed
from registry.core.settings import set_setting
from registry.evaluations import importing
from registry.evaluations import operations as ops
from registry.evaluations import public as evaluation_public
from registry.evaluations.models import CreditEvaluation
from registry.evaluations.models import EvaluationField as F
from registry.extensions import db
from tests.conftest import count
from tests.factories.core import valid_uscc

TODAY = date(2026, 5, 1)


@pytest.fixture(autouse=True)
def english_and_frozen(db, frozen):
    with force_locale("en"), frozen(TODAY):
        yield


def _values(**overrides):
    values = {"field": F.HIGHWAY, "year": 2025, "grade": "AA", "score": Decimal("96.50"),
              "evaluating_unit": "湖南省交通运输厅", "published_on": date(2026, 3, 31)}
    values.update(overrides)
    return values


# The highway bands as the Ministry publishes them: AA 95 ≤ X ≤ 100, A 85 ≤ X < 95, B 75 ≤ X < 85,
# C 60 ≤ X < 75, D X < 60 (lower bounds inclusive).
HIGHWAY = [("100", "AA"), ("95", "AA"), ("94.99", "A"), ("85", "A"), ("84.99", "B"), ("75", "B"), ("74.99", "C"),
           ("60", "C"), ("59.99", "D"), ("0", "D")]


@pytest.mark.parametrize(("score", "grade"), HIGHWAY)
@pytest.mark.parametrize("field", [F.HIGHWAY, F.WATERWAY])
def test_construction_bands_accept_the_grade_of_the_score(make, field, score, grade):
    evaluation = ops.create_evaluation(actor=make.user("clerk"), subject=make.subject(),
                                       **_values(field=field, score=Decimal(score), grade=grade))
    assert (evaluation.grade, evaluation.directly_determined) == (grade, False)


# The examples: AA with 50, D with 99 and A with 96 were accepted.
@pytest.mark.parametrize(("grade", "score", "expected"), [("AA", "50", "D"), ("D", "99", "AA"), ("A", "96", "AA"),
                                                          ("B", "85", "A"), ("C", "59.99", "D")])
def test_a_grade_outside_its_band_is_refused(make, grade, score, expected):
    clerk = make.user("clerk")
    with pytest.raises(ValidationFailed) as refused:
        ops.create_evaluation(actor=clerk, subject=make.subject(), **_values(grade=grade, score=Decimal(score)))
    assert refused.value.field == "grade"
    message = str(refused.value.message)
    assert f"gives {expected}" in message and "directly determined" in message
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


@pytest.mark.parametrize(("field", "score", "grade"), [
    (F.ROAD_TRANSPORT, "85", "AAA"), (F.ROAD_TRANSPORT, "84.99", "AA"), (F.ROAD_TRANSPORT, "70", "AA"),
    (F.ROAD_TRANSPORT, "69.99", "A"), (F.ROAD_TRANSPORT, "60", "A"), (F.ROAD_TRANSPORT, "59.99", "B"),
    (F.WORK_SAFETY, "90", "A"), (F.WORK_SAFETY, "89.99", "B"), (F.WORK_SAFETY, "75", "B"),
    (F.WORK_SAFETY, "74.99", "C"),
    (F.WORK_SAFETY, "60", "C"), (F.WORK_SAFETY, "59.99", "D"),
])
def test_the_other_schemes_bands(make, field, score, grade):
    assert ops.create_evaluation(actor=make.user("clerk"), subject=make.subject(),
                                 **_values(field=field, score=Decimal(score), grade=grade)).grade == grade


def test_a_directly_determined_grade_is_stored_as_such(make):
    evaluation = ops.create_evaluation(
        actor=make.user("clerk"), subject=make.subject(),
        **_values(grade="D", score=Decimal("91"), directly_determined=True,
                  direct_reason="存在转包违法行为，依《公路施工企业信用评价规则》直接认定为D级"))
    assert evaluation.directly_determined is True and evaluation.grade == "D"
    assert "直接认定为D级" in evaluation.direct_reason
    assert evaluation_public.public_payload(evaluation)["directly_determined"] is True


@pytest.mark.parametrize(("extra", "field", "text"), [
    ({"grade": "D", "direct_reason": "  "}, "direct_reason", "needs its reason"),
    ({"grade": "AA", "score": Decimal("70"), "direct_reason": "表彰"}, "grade", "only be lower"),
])
def test_a_direct_grade_needs_a_reason_and_can_only_lower(make, extra, field, text):
    clerk = make.user("clerk")
    with pytest.raises(ValidationFailed) as refused:
        ops.create_evaluation(actor=clerk, subject=make.subject(),
                              **_values(**{"score": Decimal("91"), "directly_determined": True, **extra}))
    assert refused.value.field == field and text in str(refused.value.message)
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0


def test_the_bands_are_settings_the_administrator_changes(make):
    admin = make.user("admin", unit="FGC")
    set_setting("grade_band_highway_construction_AA", 90, admin)
    assert ops.create_evaluation(actor=make.user("clerk"), subject=make.subject(),
                                 **_values(grade="AA", score=Decimal("91"))).grade == "AA"


def test_the_database_refuses_a_direct_grade_without_a_reason(make):
    evaluation = make.evaluation()
    evaluation.directly_determined = True
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def _csv(rows, header=None) -> bytes:
    header = header or [c.header for c in importing.COLUMNS]
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _row(grade, score, direct="", reason=""):
    return [valid_uscc(), "湖南测试路桥有限公司", "公路建设", "2025", grade, score, "湖南省交通运输厅", "2026-03-31",
            "",
            direct, reason]


def test_the_import_refuses_a_grade_off_its_band_and_accepts_a_direct_one(make):
    clerk = make.user("clerk")
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_evaluations(_csv([_row("AA", "96"), _row("AA", "50"), _row("D", "99", "是")]), "e.csv",
                                     actor=clerk)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(3, "信用等级"), (4, "直接认定理由")]
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0
    result = importing.import_evaluations(_csv([_row("AA", "96"), _row("D", "99", "是", "严重失信直接认定")]),
                                          "e.csv", actor=clerk)
    assert result.created == 2
    direct = db.session.scalars(sa.select(CreditEvaluation).where(CreditEvaluation.directly_determined)).one()
    assert direct.direct_reason == "严重失信直接认定"


def test_a_file_from_the_older_template_is_still_read(make):
    old_header = [c.header for c in importing.COLUMNS][:9]
    row = _row("A", "88")[:9]
    assert importing.import_evaluations(_csv([row], header=old_header), "e.csv", actor=make.user("clerk")).created == 1


def test_the_form_shows_the_band_refusal_at_the_grade(client, login):
    clerk = login("clerk")
    response = client.post("/officer/evaluations/new?lang=en", data={
        "subject_identifier": valid_uscc(), "subject_name": "新公司", "field": "highway_construction", "year": "2025",
        "grade": "AA", "score": "50", "evaluating_unit": "基建处", "published_on": "2026-03-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="grade-error"' in page and "gives D" in page
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id) == 0
    response = client.post("/officer/evaluations/new", data={
        "subject_identifier": valid_uscc(), "subject_name": "新公司", "field": "highway_construction", "year": "2025",
        "grade": "D", "score": "99", "evaluating_unit": "基建处", "published_on": "2026-03-01",
        "directly_determined": "y", "direct_reason": "转包，直接认定D级"})
    assert response.status_code == 302
    assert count(CreditEvaluation, CreditEvaluation.created_by_id == clerk.id,
                 CreditEvaluation.directly_determined.is_(True)) == 1


def test_the_import_template_has_the_new_columns(client, login):
    login("clerk")
    text = client.get("/officer/evaluations/import/template.csv").get_data().decode("utf-8-sig")
    assert text.splitlines()[0].endswith("直接认定,直接认定理由")
    assert io.StringIO(text).readline()
