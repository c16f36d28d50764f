"""The officer dashboard, the compliance dashboard and its reports: access, content, no 500s."""

import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from registry.checks.registry import CHECKS
from registry.checks.runner import run_check
from registry.core import clock
from registry.disclosures.models import DisclosureStatus


@pytest.fixture
def alerts(db, make):
    disclosure = make.disclosure(DisclosureStatus.PENDING_REVIEW, unit="JJC", decision_date=date(2026, 9, 30))
    other = make.disclosure(DisclosureStatus.DRAFT, unit="CS", decision_date=date(2026, 9, 30))
    with clock.frozen_at(date(2026, 12, 1)):
        run_check(CHECKS["disclosure_deadline"], date(2026, 12, 1))
        run_check(CHECKS["calendar_coverage"], date(2026, 12, 1))
    return disclosure, other


def test_officer_sees_own_unit_alerts_with_links(client, login, alerts):
    disclosure, other = alerts
    login("clerk", unit="JJC")
    with clock.frozen_at(date(2026, 12, 1)):
        page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert f"/officer/disclosures/{disclosure.id}" in page
    assert f"/officer/disclosures/{other.id}" not in page
    assert "2027" not in page  # the administrators' calendar alert


def test_admin_dashboard_shows_administrator_alerts(client, login, alerts):
    login("admin", unit="XXZX")
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "working-day arrangement for 2027 is not entered" in page


@pytest.mark.parametrize(("role", "status"), [("clerk", 403), ("reviewer", 403), ("admin", 200), ("auditor", 200)])
def test_compliance_is_for_admins_and_auditors(client, login, db, role, status):
    login(role, unit="XXZX")
    assert client.get("/compliance").status_code == status
    assert client.get("/compliance/report/2026-10.xlsx").status_code == status


def test_compliance_figures_and_chart(client, login, make, db):
    jjc = make.unit("JJC")
    make.disclosure(DisclosureStatus.PUBLISHED, unit="JJC", decision_date=date(2026, 9, 30),
                    published_on=date(2026, 10, 9))
    make.disclosure(DisclosureStatus.PUBLISHED, unit="JJC", decision_date=date(2026, 9, 29),
                    published_on=date(2026, 10, 20))
    make.change_event(unit="JJC", at=datetime(2026, 10, 9, 10, tzinfo=clock.LOCAL_TZ))
    login("admin", unit="XXZX")
    with clock.frozen_at(date(2026, 11, 5)):
        page = client.get(f"/compliance?month=2026-10&unit={jjc.id}&lang=en").get_data(as_text=True)
    assert "1/2" in page  # one of two disclosures due in October published on time
    assert "<svg" in page and "50.0%" in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None  # the chart is SVG: no inline script


@pytest.mark.parametrize("query", ["month=garbage", "month=2026-13", "unit=abc", "unit=999999", "month=2026-Q2"])
def test_compliance_ignores_bad_filters(client, login, db, query):
    login("admin", unit="XXZX")
    assert client.get(f"/compliance?{query}").status_code == 200


@pytest.mark.parametrize("period", ["2026-10", "2026-Q4"])
def test_reports_download(client, login, db, period):
    login("auditor", unit="XXZX")
    response = client.get(f"/compliance/report/{period}.xlsx?lang=en")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value == "Month" and sheet["B2"].value == "Unit"
    months = {row[0].value for row in sheet.iter_rows(min_row=3)}
    assert len(months) == (3 if "Q" in period else 1)
    pdf = client.get(f"/compliance/report/{period}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "1999-01", "x.pdf"])
def test_bad_report_periods_are_not_found(client, login, db, period):
    login("admin", unit="XXZX")
    assert client.get(f"/compliance/report/{period}.xlsx").status_code == 404
    assert client.get("/compliance/report/2026-10.doc").status_code == 404
