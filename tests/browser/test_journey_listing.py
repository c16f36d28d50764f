"""Journey 2: a clerk lists a new subject on the black list; a reviewer returns it, the clerk fixes
it, the reviewer approves; after the publicity period the entry is on the public black list."""

from playwright.sync_api import expect

from registry.core import clock, workdays

from .helpers import new_uscc, switch_user

NAME = "湖南测试旅程路桥有限公司"


def test_clerk_lists_reviewer_returns_then_approves_and_the_entry_goes_public(page, live_server, run_cli, shot):
    code = new_uscc(7201)
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(f"{live_server}/officer/entries/new")
    # A draft saved with nothing filled in is refused field by field.
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#subject_identifier-error")).to_be_visible()
    expect(page.locator("#reason-error")).to_be_visible()
    shot("entry-form-errors")

    page.locator("#subject_kind").select_option("organisation")
    page.locator("#subject_identifier").fill(code)
    page.locator("#subject_name").fill(NAME)
    page.locator("#list_kind").select_option("black")
    page.locator("#category_id").select_option(label="黑名单 · 公路建设市场严重失信")
    page.locator("#reason").fill("在公路建设项目招投标中弄虚作假。")
    page.locator("#legal_basis").fill("《公路建设市场信用信息管理办法》")
    page.locator("#decision_number").fill("湘交基建信〔2026〕旅程1号")
    page.locator("#decision_date").fill(clock.today().isoformat())
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("h1")).to_contain_text(NAME)
    expect(page.locator(".page-head .badge")).to_have_text("草稿")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".page-head .badge")).to_have_text("待审核")
    entry_url = page.url
    shot("entry-submitted")

    # The reviewer returns it with a comment, from the review queue.
    switch_user(page, live_server, "reviewer@demo.hn")
    page.locator("#officer-menu").get_by_role("link", name="待审核事项").click()  # from the workbench
    row = page.locator("table.queue tr", has_text=NAME)
    row.locator(".return-box summary").click()
    row.locator("textarea[name=comment]").fill("请补充具体项目名称。")
    shot("review-queue-return")
    row.get_by_role("button", name="退回").click()
    expect(page.locator("table.queue")).not_to_contain_text(NAME)

    # The clerk sees the comment, fixes the reason and resubmits.
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(entry_url)
    expect(page.locator(".notice")).to_contain_text("请补充具体项目名称。")
    shot("entry-returned")
    page.get_by_role("link", name="编辑草稿").click()
    expect(page.locator(".notice")).to_contain_text("请补充具体项目名称。")
    page.locator("#reason").fill("在G0421许广高速公路某标段招投标中弄虚作假。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".facts")).to_contain_text("G0421许广高速公路")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".page-head .badge")).to_have_text("待审核")

    # The reviewer approves on the entry page: publicity starts.
    switch_user(page, live_server, "reviewer@demo.hn")
    page.goto(entry_url)
    page.get_by_role("button", name="通过").click()
    expect(page.locator(".page-head .badge")).to_have_text("公示中")
    shot("entry-in-publicity")
    # During publicity the public list shows it, marked as such.
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("tr", has_text=NAME)).to_contain_text("公示中")

    # After the publicity period the scheduled check publishes it.
    after = workdays.add_working_days(clock.today(), 6)
    run_cli("run-checks", "--today", after.isoformat())
    page.goto(entry_url)
    expect(page.locator(".page-head .badge")).to_have_text("已发布")
    page.goto(f"{live_server}/lists/black")
    row = page.locator("tr", has_text=NAME)
    expect(row).to_contain_text("已发布")
    expect(row).not_to_contain_text("公示中")
    shot("black-list")
