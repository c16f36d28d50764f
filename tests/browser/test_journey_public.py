"""Journey 1: the public looks a firm up by part of its name, reads its black list entry and its
disclosures, downloads its credit report, and reads the page in English."""

from playwright.sync_api import expect

FIRM = "湘西州山路交通建设有限公司"  # demo: published black entry 湘交基建信〔2026〕6号, penalty 湘交建罚〔…〕4号


def test_public_finds_a_firm_by_name_substring_reads_its_records_and_downloads_the_report(
    page, live_server, shot, tmp_path
):
    page.goto(live_server)
    page.locator("#q").fill("山路交通")
    page.get_by_role("button", name="查询").click()
    results = page.locator(".search-results")
    expect(results.get_by_role("link", name=FIRM)).to_be_visible()
    shot("search-results")

    results.get_by_role("link", name=FIRM).click()
    expect(page.locator("h1")).to_have_text(FIRM)
    entry = page.locator(".list-entries tr", has_text="湘交基建信〔2026〕6号")
    expect(entry).to_contain_text("黑名单")
    expect(entry).to_contain_text("公路建设市场严重失信")
    expect(entry.locator(".badge-published")).to_be_visible()
    disclosures = page.locator("section", has=page.get_by_role("heading", name="行政许可和行政处罚信息公示"))
    expect(disclosures.get_by_role("link", name="4号")).to_be_visible()
    shot("subject")

    # The report opens inline (Content-Disposition: inline), so fetch what the link points at
    # with the page's own cookies, as the browser's PDF viewer would.
    link = page.get_by_role("link", name="下载信用报告（PDF）")
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert ".pdf" in response.headers["content-disposition"]
    report = tmp_path / "report.pdf"
    report.write_bytes(response.body())
    assert report.read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".list-entries h2")).to_have_text("Red and black lists")
    expect(page.get_by_role("link", name="Download the credit report (PDF)")).to_be_visible()
    shot("subject-en")
