"""Issue 34, at 1366 px and on a 390 px phone: a refused public form sums up its errors and takes
the focus there; the page after filing survives a reload; the auditor finds a decision's events by
its number, with 年-月-日 date filters; a phone keeps the list cards' column labels and folds the
review queue's filter.  Axe finds no serious problem on the pages the journey sees."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from registry.subjects.seed import DEMO_FIRMS, demo_uscc

from .helpers import minimal_pdf, switch_user

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# The red entry 湘交运输信〔2026〕2号 of 运输处, in publicity: no other journey touches it (the
# objection journey decides on 湘交基建信〔2026〕5号, and the journeys share one live server).
FIRM_INDEX = 7
FIRM = DEMO_FIRMS[FIRM_INDEX]
ENTRY = "湘交运输信〔2026〕2号"


def _severe(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in violations
            if v["impact"] in ("serious", "critical")]


@pytest.fixture(params=list(WIDTHS))
def sized(request, browser, artifacts):
    context = browser.new_context(viewport=WIDTHS[request.param], locale="zh-CN")
    page = context.new_page()
    yield request.param, page, artifacts(page)
    context.close()


def test_a_refused_objection_sums_up_and_the_filed_one_survives_a_reload(sized, live_server, tmp_path):
    width, page, shot = sized
    page.goto(f"{live_server}/objections/new")
    page.locator("#identifier").fill(demo_uscc(FIRM[0], 1001 + FIRM_INDEX))
    page.get_by_role("button", name="查找记录").click()
    page.locator("tr", has_text=ENTRY).get_by_role("link").first.click()
    page.get_by_role("button", name="提交异议").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.locator("a[href='#grounds']").click()
    assert page.evaluate("location.hash") == "#grounds"
    assert _severe(page) == []
    shot(f"error-summary-{width}")

    evidence = tmp_path / "证明材料.pdf"
    minimal_pdf(evidence)
    page.locator("#applicant_kind").select_option("organisation")
    page.locator("#applicant_name").fill(FIRM[1])
    page.locator("#applicant_identifier").fill(demo_uscc(FIRM[0], 1001 + FIRM_INDEX))
    page.locator("#phone").fill("0745-1234567")
    page.locator("#grounds").fill("认定所依据的评价年度有误。")
    page.locator("#files").set_input_files(str(evidence))
    page.get_by_role("button", name="提交异议").click()
    code = page.locator(".access-code").inner_text()
    page.reload()  # reloading shows the same page, and files nothing again
    expect(page.locator(".access-code")).to_have_text(code)
    expect(page.locator(".flash-error")).to_have_count(0)
    page.get_by_role("link", name="查看办理进度").click()
    expect(page).to_have_url(f"{live_server}/objections/status/" + page.url.rsplit("/", 1)[-1])


def test_the_auditor_finds_a_decisions_events_by_its_number(sized, live_server):
    width, page, shot = sized
    switch_user(page, live_server, "auditor@demo.hn")
    page.goto(f"{live_server}/admin/audit")
    expect(page.locator("#from")).to_have_attribute("placeholder", "年-月-日")
    page.locator("#number").fill("湘交基建信〔2026〕6号")
    page.get_by_role("button", name="筛选", exact=True).click()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows.first.get_by_role("link", name="湘交基建信〔2026〕6号")).to_be_visible()
    assert "#" not in rows.first.locator("td").nth(3).inner_text()
    assert _severe(page) == []
    shot(f"audit-by-number-{width}")


def test_a_phone_keeps_column_labels_and_folds_the_queue_filter(sized, live_server):
    width, page, shot = sized
    switch_user(page, live_server, "reviewer@demo.hn")
    page.goto(f"{live_server}/review/")
    form = page.locator("#queue-filter")
    if width == "phone":
        expect(form).to_be_hidden()
        page.get_by_role("button", name="筛选待审事项").click()
    expect(form).to_be_visible()
    page.goto(f"{live_server}/?q={demo_uscc(FIRM[0], 1001 + FIRM_INDEX)}")
    cell = page.locator(".list-entries td[data-label]").last
    label = page.evaluate("cell => getComputedStyle(cell, '::before').content", cell.element_handle())
    if width == "phone":
        assert "有效期" in label or "有效" in label
    else:
        assert label in ("none", "normal")
    assert _severe(page) == []
    shot(f"subject-page-{width}")
