"""Penalty severity is not a free choice (docs/RULES.md §5): the classification table, its
administrator's page, and the refusal on the form, in the operations and in the bulk import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.core.audit import AuditEvent
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.disclosures import operations as ops
from registry.disclosures import severity
from registry.disclosures.imports import ImportRefused, import_disclosures
from registry.disclosures.models import Disclosure, PartyCategory, PenaltyType, Severity
from registry.extensions import db
from tests.conftest import count
from tests.disclosures.test_import import penalty_row, to_csv
from tests.disclosures.test_views import FORM
from tests.factories.core import valid_resident_id, valid_uscc
from tests.factories.disclosures import penalty_data

TODAY = date(2026, 10, 9)
T, S = PenaltyType, Severity


@pytest.fixture(autouse=True)
def english_and_frozen(db, frozen):
    with force_locale("en"), frozen(TODAY):
        yield


# (type, content, fine in 万元, party, severity, accepted): the 2025 measures' classification.
CASES = [
    (T.LICENCE_SUSPENSION, "吊销道路运输经营许可证", None, "org", S.MINOR, False),
    (T.LICENCE_SUSPENSION, "吊销道路运输经营许可证", None, "org", S.GENERAL, False),
    (T.LICENCE_SUSPENSION, "吊销道路运输经营许可证", None, "org", S.SERIOUS, True),
    (T.LICENCE_SUSPENSION, "暂扣道路运输证三个月", None, "org", S.MINOR, False),
    (T.LICENCE_SUSPENSION, "暂扣道路运输证三个月", None, "org", S.GENERAL, True),
    (T.BUSINESS_SUSPENSION, "责令停业整顿一个月", None, "org", S.MINOR, False),
    (T.BUSINESS_SUSPENSION, "责令停业整顿一个月", None, "org", S.GENERAL, True),
    (T.BUSINESS_SUSPENSION, "责令关闭", None, "org", S.GENERAL, False),
    (T.OTHER, "限制从业三年", None, "org", S.GENERAL, False),
    (T.OTHER, "限制从业三年", None, "org", S.SERIOUS, True),
    (T.OTHER, "通报批评", None, "org", S.MINOR, False),
    (T.DETENTION, "行政拘留五日", None, "person", S.MINOR, False),
    (T.CONFISCATION, "没收违法所得", None, "org", S.MINOR, False),
    (T.WARNING, "警告", None, "org", S.MINOR, True),
    (T.FINE, "罚款三千元", Decimal("0.3"), "org", S.MINOR, True),  # 3,000 yuan: the simplified limit
    (T.FINE, "罚款三千零一元", Decimal("0.3001"), "org", S.MINOR, False),
    (T.FINE, "罚款二百元", Decimal("0.02"), "person", S.MINOR, True),
    (T.FINE, "罚款三百元", Decimal("0.03"), "person", S.MINOR, False),
    (T.FINE, "罚款三百元", Decimal("0.03"), "person", S.GENERAL, True),
]


def _data(penalty_type, content, fine, party, severity_value):
    person = party == "person"
    return penalty_data(
        penalty_type=penalty_type, penalty_content=content, fine_amount=fine, severity=severity_value,
        party_category=PartyCategory.PERSON if person else PartyCategory.ORGANISATION,
        party_identifier=valid_resident_id() if person else valid_uscc(),
        legal_representative=None if person else "张三", party_name="王五" if person else "湖南测试运输有限公司",
    )


@pytest.mark.parametrize(("penalty_type", "content", "fine", "party", "severity_value", "accepted"), CASES)
def test_the_operation_refuses_a_severity_below_the_types_minimum(make, penalty_type, content, fine, party,
                                                                  severity_value, accepted):
    clerk = make.user("clerk")
    before = count(Disclosure)
    data = _data(penalty_type, content, fine, party, severity_value)
    if accepted:
        assert ops.create_disclosure(data, unit_id=clerk.unit_id, actor=clerk).severity is severity_value
        return
    with pytest.raises(ValidationFailed) as refused:
        ops.create_disclosure(data, unit_id=clerk.unit_id, actor=clerk)
    assert refused.value.field == "severity"
    message = str(refused.value.message)
    assert "信用修复管理办法" in message  # the rule is named
    assert count(Disclosure) == before


# A decision of several measures is classified by its most severe: the 2025 measures
# make 吊销许可证件, 限制从业 and 责令关闭 serious, 暂扣许可证件 and 责令停产停业 at least general, and
# nothing but a simplified-procedure penalty (警告, a fine up to 3,000 yuan for an organisation)
# minor — whichever of the measures the officer chose as the decision's type.
COMBINED = [
    (T.FINE, "罚款人民币五万元，并吊销道路运输经营许可证", Decimal("5"), "org", S.GENERAL, False),
    (T.FINE, "罚款人民币五万元，并吊销道路运输经营许可证", Decimal("5"), "org", S.SERIOUS, True),
    (T.FINE, "罚款人民币二千元，并暂扣道路运输证一个月", Decimal("0.2"), "org", S.MINOR, False),
    (T.FINE, "罚款人民币二千元，并暂扣道路运输证一个月", Decimal("0.2"), "org", S.GENERAL, True),
    (T.WARNING, "警告，并处罚款人民币一万元", Decimal("1"), "org", S.MINOR, False),
    (T.WARNING, "警告，并处罚款人民币一千元", Decimal("0.1"), "org", S.MINOR, True),
    (T.CONFISCATION, "没收违法所得，责令关闭", None, "org", S.GENERAL, False),
    (T.FINE, "罚款人民币五千元，责令停产停业整顿十日", Decimal("0.5"), "org", S.MINOR, False),
    (T.FINE, "罚款人民币二百元，并处限制从业一年", Decimal("0.02"), "person", S.GENERAL, False),
    (T.FINE, "罚款人民币二百元", Decimal("0.02"), "person", S.MINOR, True),
]


@pytest.mark.parametrize(("penalty_type", "content", "fine", "party", "severity_value", "accepted"), COMBINED)
def test_a_combined_penalty_is_classified_by_its_most_severe_measure(make, penalty_type, content, fine, party,
                                                                     severity_value, accepted):
    clerk = make.user("clerk")
    data = _data(penalty_type, content, fine, party, severity_value)
    if accepted:
        assert ops.create_disclosure(data, unit_id=clerk.unit_id, actor=clerk).severity is severity_value
        return
    before = count(Disclosure)
    with pytest.raises(ValidationFailed) as refused:
        ops.create_disclosure(data, unit_id=clerk.unit_id, actor=clerk)
    assert refused.value.field == "severity" and "信用修复管理办法" in str(refused.value.message)
    assert count(Disclosure) == before


def test_the_refusal_of_a_combined_penalty_names_the_measure_that_binds(make):
    clerk = make.user("clerk")
    with pytest.raises(ValidationFailed) as refused:
        ops.create_disclosure(_data(T.FINE, "罚款人民币五万元，并吊销道路运输经营许可证", Decimal("5"), "org",
                                    S.GENERAL), unit_id=clerk.unit_id, actor=clerk)
    message = str(refused.value.message)
    assert "also orders" in message and "“吊销”" in message and "most severe" in message
    assert "严重" in message and "吊销许可证件为严重" in message


def test_the_import_refuses_a_combined_penalty_below_its_most_severe_measure(make):
    clerk = make.user("clerk")
    rows = [penalty_row(**{"处罚类别": "罚款", "处罚内容": "罚款人民币五万元，并吊销道路运输经营许可证",
                           "罚款金额（万元）": "5", "违法情节": "一般"})]
    with pytest.raises(ImportRefused) as refused:
        import_disclosures(to_csv(rows), "f.csv", unit_id=clerk.unit_id, actor=clerk)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "违法情节")]


def test_the_message_names_the_type_keyword_and_minimum(make):
    clerk = make.user("clerk")
    with pytest.raises(ValidationFailed) as refused:
        ops.create_disclosure(_data(T.LICENCE_SUSPENSION, "吊销道路运输经营许可证", None, "org", S.MINOR),
                              unit_id=clerk.unit_id, actor=clerk)
    message = str(refused.value.message)
    assert "暂扣或吊销许可证（吊销）" in message and "严重" in message and "吊销许可证件为严重" in message


def test_the_form_shows_the_refusal_at_the_severity_field(client, login):
    login("clerk")
    before = count(Disclosure)
    response = client.post("/officer/disclosures/new?lang=en", data={
        **FORM, "party_identifier": valid_uscc(), "penalty_type": "licence_suspension", "fine_amount": "",
        "penalty_content": "吊销道路运输经营许可证", "severity": "minor"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="severity-error"' in page and "信用修复管理办法" in page
    assert count(Disclosure) == before


def test_the_import_refuses_the_row_and_stores_nothing(make):
    clerk = make.user("clerk")
    rows = [penalty_row(), penalty_row(**{"处罚类别": "暂扣或吊销许可证", "处罚内容": "吊销道路运输经营许可证",
                                           "罚款金额（万元）": "", "违法情节": "轻微"})]
    before = count(Disclosure)
    with pytest.raises(ImportRefused) as refused:
        import_disclosures(to_csv(rows), "f.csv", unit_id=clerk.unit_id, actor=clerk)
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "违法情节")]
    assert count(Disclosure) == before


def test_the_seeded_table_holds_the_defaults():
    rows = {(r.penalty_type, r.keyword): r.min_severity for r in severity.all_rules()}
    assert rows[(T.LICENCE_SUSPENSION, "吊销")] is S.SERIOUS
    assert rows[(T.LICENCE_SUSPENSION, "")] is S.GENERAL
    assert rows[(T.BUSINESS_SUSPENSION, "")] is S.GENERAL
    assert rows[(T.OTHER, "责令关闭")] is S.SERIOUS and rows[(T.OTHER, "限制从业")] is S.SERIOUS
    assert rows[(T.WARNING, "")] is S.MINOR


def test_the_admin_changes_the_table_audited_and_the_rule_follows(make):
    admin, clerk = make.user("admin", unit="FGC"), make.user("clerk")
    row = db.session.scalar(sa.select(severity.PenaltySeverityRule).where(
        severity.PenaltySeverityRule.penalty_type == T.WARNING))
    severity.save_rule(row, actor=admin, penalty_type="warning", keyword="", min_severity="general",
                       rule="本省规定：警告至少为一般")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "penalty_severity_rule.save")).one()
    details = event.details_dict
    assert details["from"]["min_severity"] == "minor" and details["to"]["min_severity"] == "general"
    with pytest.raises(ValidationFailed) as refused:
        ops.create_disclosure(_data(T.WARNING, "警告", None, "org", S.MINOR), unit_id=clerk.unit_id, actor=clerk)
    assert "本省规定" in str(refused.value.message)
    severity.delete_rule(row, actor=admin)
    assert ops.create_disclosure(_data(T.WARNING, "警告", None, "org", S.MINOR), unit_id=clerk.unit_id,
                                 actor=clerk).severity is S.MINOR
    assert count(AuditEvent, AuditEvent.action == "penalty_severity_rule.delete") == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"keyword": "吊销"}, "keyword"),  # the row exists already
    ({"rule": "  "}, "rule"),
    ({"min_severity": "huge"}, "penalty_type"),
    ({"keyword": "长" * 51}, "keyword"),
])
def test_bad_rows_are_refused(make, fields, field):
    admin = make.user("admin", unit="FGC")
    values = {"penalty_type": "licence_suspension", "keyword": "注销", "min_severity": "serious", "rule": "规则"}
    values.update(fields)
    before = count(severity.PenaltySeverityRule)
    with pytest.raises(ValidationFailed) as refused:
        severity.save_rule(None, actor=admin, **values)
    assert refused.value.field == field
    assert count(severity.PenaltySeverityRule) == before


@pytest.mark.parametrize("role", ["clerk", "reviewer", "auditor"])
def test_only_an_admin_changes_the_table(make, role):
    with pytest.raises(PermissionDenied):
        severity.save_rule(None, actor=make.user(role), penalty_type="warning", keyword="x", min_severity="general",
                           rule="规则")


def test_the_admin_page_adds_a_row_and_shows_a_refusal(client, login):
    login("admin", unit="FGC")
    page = client.get("/admin/penalty-severity?lang=en").get_data(as_text=True)
    assert "吊销许可证件为严重" in page
    response = client.post("/admin/penalty-severity", data={
        "penalty_type": "other", "keyword": "降低资质等级", "min_severity": "general",
        "rule": "规则：降低资质等级至少一般",
        "action": "save"})
    assert response.status_code == 302
    assert count(severity.PenaltySeverityRule, severity.PenaltySeverityRule.keyword == "降低资质等级") == 1
    response = client.post("/admin/penalty-severity?lang=en", data={
        "penalty_type": "other", "keyword": "降低资质等级", "min_severity": "general", "rule": "重复",
        "action": "save"})
    assert response.status_code == 200 and "already has a row" in response.get_data(as_text=True)


def test_an_auditor_reads_the_page_but_cannot_post(client, login):
    login("auditor", unit="XXZX")
    assert client.get("/admin/penalty-severity").status_code == 200
    assert client.post("/admin/penalty-severity", data={"penalty_type": "other", "keyword": "x",
                                                        "min_severity": "general", "rule": "r"}).status_code == 403
