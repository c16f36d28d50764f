"""The admin console: the working-day calendar page and the audit log page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from registry.core import calendar_changes, workdays
from registry.core.audit import AuditEvent, record_event
from registry.core.workdays import CalendarDay, CalendarYear, YearKind
from tests.conftest import count


def test_admin_adds_a_calendar_override_audited(client, login, db):
    admin = login("admin")
    response = client.post("/admin/calendar", data={"day": "2026-10-12", "kind": "holiday", "note": "台风停工"})
    assert response.status_code == 302
    row = db.session.get(CalendarDay, date(2026, 10, 12))
    assert (row.is_workday, row.note, row.updated_by_id) == (False, "台风停工", admin.id)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "calendar.set")).all()[-1]
    assert event.actor_id == admin.id and event.details_dict["day"] == "2026-10-12"
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "2026-10-12" in page and "台风停工" in page
    assert workdays.add_working_days(date(2026, 10, 9), 2) == date(2026, 10, 13)


def test_admin_removes_an_override(client, login, db):
    login("admin")
    calendar_changes.set_day(date(2026, 10, 12), False, None)
    assert client.post("/admin/calendar/2026-10-12/delete").status_code == 302
    assert db.session.get(CalendarDay, date(2026, 10, 12)) is None
    assert client.post("/admin/calendar/not-a-date/delete").status_code == 302


@pytest.mark.parametrize("data", [{"day": "2026-02-30", "kind": "holiday"}, {"day": "2026-10-12", "kind": "weekend"},
                                  {"day": "", "kind": "holiday"}])
def test_bad_calendar_input_stores_nothing(client, login, data):
    login("admin")
    response = client.post("/admin/calendar", data=data)
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert count(CalendarDay) == 0


def test_the_calendar_page_says_which_years_are_complete(client, login, frozen):
    login("auditor")
    client.get("/?lang=en")
    with frozen(date(2026, 12, 1)):
        page = client.get("/admin/calendar?year=2099").get_data(as_text=True)
    rows = {year: page.split(f">{year}</a>")[1].split("</tr>")[0] for year in (2025, 2026, 2027, 2099)}
    assert "complete: the State Council's arrangement" in rows[2025] and "complete" in rows[2026]
    assert "statutory holidays only, arrangement not yet entered" in rows[2027]
    assert "statutory holidays only" in rows[2099]
    assert "Declare the arrangement" not in page  # not for an auditor
    assert "2099-01-01 holiday" in page  # 元旦 on a Thursday


def test_an_admin_declares_a_years_arrangement_on_the_page(client, login, db, frozen):
    admin = login("admin")
    client.get("/?lang=en")
    with frozen(date(2026, 12, 1)):
        assert "Declare the arrangement for 2027 entered" in client.get("/admin/calendar?year=2027").get_data(
            as_text=True)
        response = client.post("/admin/calendar/2027/arrangement", data={"action": "declare"}, follow_redirects=True)
        assert "before declaring it entered" in response.get_data(as_text=True)  # refused: nothing entered
        assert db.session.get(CalendarYear, 2027) is None
        calendar_changes.set_day(date(2027, 2, 20), True, "调休上班")
        client.post("/admin/calendar/2027/arrangement", data={"action": "declare"})
        assert db.session.get(CalendarYear, 2027).arrangement_entered_by_id == admin.id
        page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
        assert "complete: arrangement entered by an administrator on 2026-12-01" in page
        client.post("/admin/calendar/2027/arrangement", data={"action": "withdraw"})
        assert db.session.get(CalendarYear, 2027).arrangement_entered_at is None


def test_an_admin_applies_the_package_from_the_page(client, login, db, frozen):
    login("admin")
    client.get("/?lang=en")
    db.session.add(CalendarYear(year=2027, applied_days="[]", applied_kind=YearKind.WEEKDAYS,
                                applied_source="Monday to Friday", applied_at=datetime(2026, 12, 1, tzinfo=UTC)))
    with frozen(date(2026, 12, 1)):
        page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
        assert "the built-in calendar has changes not yet applied" in page and "Monday to Friday only" in page
        response = client.post("/admin/calendar/apply", follow_redirects=True)
    assert "2027 changed, 0 open deadlines recounted" in response.get_data(as_text=True)
    assert db.session.get(CalendarYear, 2027).applied_kind is YearKind.STATUTORY


def test_an_auditor_cannot_declare_or_apply(client, login, db):
    login("auditor")
    calendar_changes.set_day(date(2027, 2, 20), True, "调休上班")
    assert client.post("/admin/calendar/2027/arrangement", data={"action": "declare"}).status_code == 403
    assert client.post("/admin/calendar/apply").status_code == 403
    assert count(CalendarYear) == 0


@pytest.mark.parametrize("year", ["abc", "-5", "99999"])
def test_the_calendar_page_survives_odd_years(client, login, year):
    login("admin")
    assert client.get(f"/admin/calendar?year={year}").status_code == 200


def test_an_auditor_cannot_change_the_calendar(client, login):
    login("auditor")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert 'name="kind"' not in page
    client.post("/admin/calendar", data={"day": "2026-10-12", "kind": "holiday"})
    assert count(CalendarDay) == 0
    calendar_changes.set_day(date(2026, 10, 13), False, None)
    assert client.post("/admin/calendar/2026-10-13/delete").status_code == 403
    assert count(CalendarDay) == 1


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_audit_log_page_lists_events_newest_first_and_filters(client, login, make, role):
    actor = make.user("clerk", name="审计测试人")
    record_event("test.alpha", actor=actor, comment="first comment")
    record_event("test.beta", actor=actor, comment="second comment")
    record_event("other.gamma", comment="third comment")
    login(role)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.index("third comment") < html.index("second comment") < html.index("first comment")
    assert "审计测试人" in html
    filtered = client.get("/admin/audit", query_string={"action": "test.beta"}).get_data(as_text=True)
    assert "first comment" not in filtered and "second comment" in filtered and "third comment" not in filtered
    wildcard = client.get("/admin/audit", query_string={"action": "%"}).get_data(as_text=True)
    assert "first comment" not in wildcard


@pytest.mark.parametrize("number", ["0", "-1", "abc", "100000"])
def test_the_audit_log_page_survives_odd_page_numbers(client, login, number):
    login("auditor")
    assert client.get(f"/admin/audit?page={number}").status_code == 200


def test_the_units_page_lists_every_unit(client, login):
    login("auditor")
    html = client.get("/admin/units").get_data(as_text=True)
    for name in ("法规处", "信息中心", "长沙市交通运输局", "湘西州交通运输局"):
        assert name in html
