"""The case quota applies to the units that carry the duty (docs/RULES.md §4)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.accounts import operations as account_ops
from registry.accounts.models import Unit
from registry.cases.checks import monthly_case_quota
from registry.cases.quota import monthly_quota
from registry.checks.models import Alert
from registry.core.audit import AuditEvent
from registry.core.errors import PermissionDenied
from registry.extensions import db
from registry.oversight.compliance import month_table
from tests.conftest import count

EXEMPT = {"CWC": "财务处", "BGS": "办公室", "RSC": "人事处", "XXZX": "信息中心"}


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def test_the_seed_exempts_the_four_support_divisions_only():
    units = db.session.scalars(sa.select(Unit)).all()
    exempt = {unit.code: unit.name for unit in units if not unit.carries_case_quota}
    assert exempt == EXEMPT
    assert all(unit.carries_case_quota for unit in units if unit.kind.value == "city")


def test_units_without_the_duty_are_neither_warned_nor_flagged(make, frozen):
    with frozen(date(2026, 11, 25)):
        monthly_case_quota(date(2026, 11, 25))
    with frozen(date(2026, 12, 1)):
        monthly_case_quota(date(2026, 12, 1))
    warned = set(db.session.scalars(sa.select(Alert.unit_id).where(Alert.kind.like("case_quota%"))))
    codes = set(db.session.scalars(sa.select(Unit.code).where(Unit.id.in_(warned))))
    assert codes.isdisjoint(EXEMPT)
    assert {"CS", "JJC", "YSC"} <= codes  # units with the duty and no case are


def test_monthly_quota_says_not_applicable_for_a_unit_without_the_duty(frozen):
    with frozen(date(2026, 12, 1)):
        rows = {row.unit.code: row.met for row in monthly_quota(2026, 11)}
    assert rows["BGS"] is None and rows["CS"] is False


def test_the_compliance_dashboard_marks_no_exempt_unit_red(make, frozen):
    with frozen(date(2026, 12, 5)):
        table = month_table(2026, 11)
    values = {row.unit.code: row.values["case_quota"] for row in table.rows}
    assert values["BGS"].ok is None and values["BGS"].text == "n/a"
    assert values["CS"].ok is False and values["CS"].text == "0/1"


def test_the_admin_sets_the_duty_audited_and_the_check_follows(make, frozen):
    admin = make.user("admin", unit="FGC")
    jjc = _unit("JJC")
    account_ops.set_case_quota_duty(jjc, False, admin)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.case_quota")).one()
    assert event.object_id == jjc.id and event.actor_id == admin.id
    with frozen(date(2026, 12, 1)):
        monthly_case_quota(date(2026, 12, 1))
    assert count(Alert, Alert.unit_id == jjc.id, Alert.kind == "case_quota_overdue") == 0
    account_ops.set_case_quota_duty(_unit("BGS"), True, admin)
    with frozen(date(2026, 12, 1)):
        monthly_case_quota(date(2026, 12, 1))
    assert count(Alert, Alert.unit_id == _unit("BGS").id, Alert.kind == "case_quota_overdue") == 1


@pytest.mark.parametrize("role", ["clerk", "reviewer", "auditor"])
def test_only_an_admin_changes_the_duty(make, role):
    with pytest.raises(PermissionDenied):
        account_ops.set_case_quota_duty(_unit("JJC"), False, make.user(role, unit="JJC"))
    assert _unit("JJC").carries_case_quota is True


def test_the_units_page_toggles_the_duty(client, login):
    login("admin", unit="FGC")
    bgs = _unit("BGS")
    page = client.get("/admin/units?lang=en").get_data(as_text=True)
    assert "does not apply" in page and 'data-unit="BGS"' in page
    response = client.post(f"/admin/units/{bgs.id}/case-quota", data={"carries": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _unit("BGS").carries_case_quota is True


def test_an_auditor_cannot_post_the_toggle(client, login):
    login("auditor", unit="XXZX")
    bgs = _unit("BGS")
    assert client.post(f"/admin/units/{bgs.id}/case-quota", data={"carries": "1"}).status_code == 403
    db.session.expire_all()
    assert _unit("BGS").carries_case_quota is False
