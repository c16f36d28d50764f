"""Journey 6: a clerk records a joint punishment case on a published black list entry, a
reviewer approves it, and it appears in the month's effectiveness list and its XLSX download."""

from openpyxl import load_workbook
from playwright.sync_api import expect

from registry.core import clock

from .helpers import switch_user

ENTRY = "湘交基建信〔2026〕6号"  # demo: published black entry of 基建处
MATTER = "旅程测试：某国省干线公路养护工程招标资格审查"
EFFECT = "依据黑名单记录限制其参与投标，督促企业完成整改。"


def test_case_is_recorded_approved_and_listed_in_the_monthly_effectiveness_xlsx(page, live_server, shot, tmp_path):
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(f"{live_server}/officer/cases/")
    page.get_by_role("link", name="登记案例").click()
    # Without an entry the draft is refused next to the field.
    page.locator("#entry_ref").fill("")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#entry_ref-error")).to_be_visible()
    shot("case-form-errors")

    page.locator("#entry_ref").fill(ENTRY)
    page.get_by_role("checkbox", name="HB-01").check()
    page.locator("#case_date").fill(clock.today().isoformat())
    page.locator("#matter").fill(MATTER)
    page.locator("#effect").fill(EFFECT)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".page-head .badge")).to_have_text("草稿")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".page-head .badge")).to_have_text("待审核")
    case_url = page.url

    switch_user(page, live_server, "reviewer@demo.hn")
    page.goto(case_url)
    page.get_by_role("button", name="审核通过并公示").click()
    expect(page.locator(".page-head .badge")).to_have_text("已发布")
    shot("case-published")

    month = clock.today().strftime("%Y-%m")
    page.goto(f"{live_server}/officer/cases/effectiveness?month={month}")
    row = page.locator("tr", has_text=MATTER)
    expect(row).to_contain_text("HB-01")
    expect(row).to_contain_text(EFFECT)
    shot("effectiveness-list")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 XLSX").click()
    saved = tmp_path / "effectiveness.xlsx"
    info.value.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    cells = [str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
             for value in row if value is not None]
    assert any(MATTER in cell for cell in cells)
    assert any(EFFECT in cell for cell in cells)
