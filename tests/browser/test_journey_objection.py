"""Journey 3: the public objects to a list entry with a PDF attachment and gets a receipt; the
unit's officer accepts and upholds it, a reviewer confirms; the applicant reads the decision
with the receipt number and access code, and downloads the notice."""

from playwright.sync_api import expect

from registry.subjects.seed import DEMO_FIRMS, demo_uscc

from .helpers import minimal_pdf, switch_user

FIRM = DEMO_FIRMS[18][1]  # 湖南湘通高速公路工程有限公司: red entry 湘交基建信〔2026〕5号 of 基建处
ENTRY = "湘交基建信〔2026〕5号"


def test_objection_is_filed_upheld_confirmed_and_read_by_the_applicant(page, live_server, shot, tmp_path):
    evidence = tmp_path / "证明材料.pdf"
    minimal_pdf(evidence)

    page.goto(f"{live_server}/objections/new")
    page.locator("#identifier").fill(demo_uscc(DEMO_FIRMS[18][0], 1001 + 18))
    page.get_by_role("button", name="查找记录").click()
    page.locator("tr", has_text=ENTRY).get_by_role("link").click()
    # Sent empty, the form says what is missing next to the field.
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("#applicant_name-error")).to_be_visible()
    shot("objection-form-errors")

    page.locator("#applicant_kind").select_option("organisation")
    page.locator("#applicant_name").fill(FIRM)
    page.locator("#applicant_identifier").fill(demo_uscc(DEMO_FIRMS[18][0], 1001 + 18))
    page.locator("#phone").fill("0745-1234567")
    page.locator("#grounds").fill("认定所依据的评价年度有误，我公司2025年度信用评价为A级。")
    page.locator("#files").set_input_files(str(evidence))
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    receipt = page.locator(".receipt-number").inner_text()
    code = page.locator(".access-code").inner_text()
    assert receipt.startswith("YY") and code
    shot("objection-receipt")

    # The unit's clerk accepts it and prepares an upheld decision.
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(f"{live_server}/objections/officer/")
    page.get_by_role("link", name=receipt).click()
    expect(page.get_by_role("link", name=evidence.name)).to_be_visible()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_label("异议成立").check()
    page.locator("#reasons").fill("经核查，认定所依据的评价结果有误，异议成立。")
    page.get_by_role("button", name="提交核查确认").click()
    expect(page.locator(".page-head .badge")).to_contain_text("待")
    shot("objection-officer-prepared")

    # Another officer of the unit confirms it from the review queue.
    switch_user(page, live_server, "reviewer@demo.hn")
    page.locator("#officer-menu").get_by_role("link", name="待审核事项").click()  # from the workbench
    row = page.locator("table.queue tr", has_text=receipt)
    row.locator("summary", has_text="通过").click()
    row.get_by_role("button", name="确认通过").click()
    expect(page.locator("table.queue")).not_to_contain_text(receipt)

    # The applicant, signed in as nobody, follows it with the receipt and the code.
    page.context.clear_cookies()
    page.goto(f"{live_server}/objections/status")
    page.locator("#receipt_number").fill(receipt)
    page.locator("#access_code").fill(code)
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("main")).to_contain_text("异议成立")
    expect(page.locator("main")).to_contain_text("认定所依据的评价结果有误")
    shot("objection-status-decided")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载处理决定书（PDF）").click()
    notice = tmp_path / "notice.pdf"
    info.value.save_as(notice)
    assert notice.read_bytes().startswith(b"%PDF-")

    # Upheld: the entry is withdrawn and no longer public.
    page.goto(f"{live_server}/?q={demo_uscc(DEMO_FIRMS[18][0], 1001 + 18)}")
    expect(page.locator("h1")).to_have_text(FIRM)
    expect(page.locator("main")).not_to_contain_text(ENTRY)
