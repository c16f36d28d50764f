"""the public finds the published credit evaluation results from the navigation,
filters them by field and year, searches a firm, sees a directly determined grade marked as such,
and downloads the CSV; on a phone the table still reads."""

import csv
import io

from playwright.sync_api import expect

HIGHWAY_FIRM = "湖南路桥建设集团有限公司"  # demo: 公路建设 AA 96.50
DIRECT_FIRM = "益阳市诚信路面工程有限公司"  # demo: 公路建设 D, directly determined, score 91.00


def test_public_reads_filters_searches_and_downloads_evaluation_results(page, live_server, shot):
    page.goto(live_server)
    page.get_by_role("link", name="信用评价", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("信用评价")
    table = page.locator("table.evaluation-results")
    expect(table.locator("tr", has_text=HIGHWAY_FIRM)).to_contain_text("96.50")
    direct = table.locator("tr", has_text=DIRECT_FIRM)
    expect(direct.locator(".badge-direct")).to_have_text("直接认定")
    expect(direct).to_contain_text("91.00")
    expect(table).not_to_contain_text("水运工程")  # the demo's waterway results are draft or pending
    shot("evaluations")

    page.locator("#field").select_option("road_transport")
    page.get_by_role("button", name="查询").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("AAA")
    expect(table).not_to_contain_text(HIGHWAY_FIRM)

    page.locator("#field").select_option("")
    page.locator("#q").fill("诚信路面")
    page.get_by_role("button", name="查询").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(DIRECT_FIRM)

    link = page.get_by_role("link", name="下载 CSV")
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == [DIRECT_FIRM] and rows[1][5] == "是"

    page.goto(f"{live_server}/evaluations?year=abc")
    expect(page.locator(".field-error").first).to_be_visible()
    shot("evaluations-bad-filter")


def test_the_evaluations_page_on_a_phone(browser, live_server, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(f"{live_server}/evaluations")
    expect(phone.locator("table.evaluation-results")).to_contain_text(HIGHWAY_FIRM)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    artifacts(phone)("evaluations-phone")
    context.close()
