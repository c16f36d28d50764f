"""Browser journeys of issue 18 §2/§5 and issue 19 item 3: the audit log an auditor reads, filters
and exports; verification found from any page's footer; a unit's issuer set by the admin."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.helpers import app_session, switch_user


def test_the_auditor_reads_filters_and_exports_the_audit_log(page, live_server, live_app, shot):
    switch_user(page, live_server, "auditor@demo.hn")
    page.goto(f"{live_server}/admin/audit")
    rows = page.locator("table.audit-log tbody tr")
    expect(rows.first).to_be_visible()
    shot("audit-log")
    times = [datetime.fromisoformat(value) for value in
             page.locator("table.audit-log time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")]
    assert len(times) > 10 and times == sorted(times, reverse=True)  # newest first, in time order
    body = page.locator("table.audit-log tbody").inner_text()
    assert "public" not in body and "pending_review" not in body
    # What the public did reads 公众 (the first page may hold only other journeys' newer events).
    page.goto(f"{live_server}/admin/audit?action=objection.file")
    public_rows = page.locator("table.audit-log tbody").inner_text()
    assert "公众" in public_rows and "public" not in public_rows

    page.goto(f"{live_server}/admin/audit")
    reviewer = page.locator("#officer option", has_text="reviewer@demo.hn").get_attribute("value")
    page.select_option("#officer", value=reviewer)
    page.select_option("#kind", label="红黑名单记录")
    page.locator(".audit-filters button[type=submit]").click()
    page.wait_for_load_state()
    officers = page.locator("table.audit-log tbody tr td:nth-child(2)").all_inner_texts()
    assert officers and all(text.startswith("李娜") for text in officers)
    shot("audit-log-filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == len(officers) + 1 and all("李娜" in line for line in lines[1:])

    page.locator("table.audit-log tbody tr a").first.click()
    page.wait_for_load_state()
    assert "/officer/entries/" in page.url

    page.goto(f"{live_server}/admin/audit?from=2026-13-01")
    expect(page.locator("#from-error")).to_be_visible()
    expect(page.locator("#from")).to_have_attribute("aria-invalid", "true")


def test_verification_is_found_from_the_footer(page, live_server, live_app, shot):
    from registry.listing.models import ListEntry
    from registry.readmodel.report import credit_report_pdf

    with app_session(live_app) as session:
        entry = session.scalars(sa.select(ListEntry).where(ListEntry.status == "published")).first()
        code = credit_report_pdf(entry.subject)[1].verification_code
    page.goto(f"{live_server}/lists/black")
    page.locator(".site-footer").get_by_role("link", name="文书核验").click()
    expect(page.locator("h1")).to_have_text("文书核验")
    page.locator("#code").fill("1234")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#code-error")).to_be_visible()
    shot("verify-form-error")
    page.locator("#code").fill("-".join(code[i:i + 4] for i in range(0, 16, 4)).lower())
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".verify-result")).to_be_visible()
    assert page.url.endswith(f"/verify/{code}")
    assert "(" not in page.locator(".verify-result dd").first.inner_text()  # the kind, named once
    shot("verify-result")


def test_the_admin_names_a_units_court(page, live_server, live_app, shot):
    switch_user(page, live_server, "admin@demo.hn")
    page.goto(f"{live_server}/admin/units")
    page.get_by_role("link", name="岳阳市交通运输局").click()
    expect(page.locator("#court")).to_have_value("岳阳市有管辖权的人民法院")
    page.locator("#court").fill("")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#court-error")).to_be_visible()
    shot("unit-form-error")
    page.locator("#court").fill("岳阳市岳阳楼区人民法院")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("岳阳市岳阳楼区人民法院")
    shot("units")
