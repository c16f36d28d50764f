"""The administrator's side of the classification rules (docs/RULES.md §4, §5): the work ledger says
which units carry the monthly case quota (task 18's); the penalty classification table takes a new row and
refuses a second row for the same type and keyword, at the page; the evaluation form offers the
directly determined grade and refuses a grade off its band at the field."""

from playwright.sync_api import expect

from .helpers import switch_user


def test_admin_reads_the_quota_duty_and_maintains_the_penalty_classification(page, live_server, shot):
    switch_user(page, live_server, "admin@demo.hn")
    page.goto(f"{live_server}/officer/ledger/?year=2019")
    duties = page.locator("#duties li", has_text="每月联合奖惩案例数量")
    expect(duties).to_contain_text("2019 年清单第 18 项任务")
    expect(duties).to_contain_text("长沙市交通运输局")
    expect(duties).not_to_contain_text("法规处")
    shot("ledger-duties")

    page.goto(f"{live_server}/admin/penalty-severity")
    expect(page.locator("h1")).to_have_text("处罚分级")
    expect(page.locator("table.severity-rules")).to_contain_text("吊销")
    new = page.locator("tr.new-rule")
    new.locator("select[name=penalty_type]").select_option("other")
    new.locator("input[name=keyword]").fill("降低资质等级")
    new.locator("select[name=min_severity]").select_option("general")
    new.locator("textarea[name=rule]").fill("本省规定：降低资质等级至少为一般")
    new.get_by_role("button", name="添加").click()
    expect(page.locator(".flash-success, .flash.success, [class*=success]").first).to_be_visible()
    expect(page.locator("table.severity-rules input[value=降低资质等级]")).to_have_count(1)

    new = page.locator("tr.new-rule")
    new.locator("select[name=penalty_type]").select_option("other")
    new.locator("input[name=keyword]").fill("降低资质等级")
    new.locator("textarea[name=rule]").fill("重复")
    new.get_by_role("button", name="添加").click()
    expect(page.locator("p.field-error")).to_contain_text("已有该处罚类别和关键词")
    expect(page.locator("tr.new-rule input[name=keyword]")).to_have_attribute("aria-invalid", "true")
    shot("penalty-classification")


def test_clerk_meets_the_grade_band_on_the_evaluation_form(page, live_server, shot):
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(f"{live_server}/officer/evaluations/new")
    page.locator("#subject_identifier").fill("91430100MA0001001D")
    page.locator("#field").select_option("highway_construction")
    page.locator("#year").fill("2024")
    page.locator("#grade").select_option("AA")
    page.locator("#score").fill("50")
    page.locator("#evaluating_unit").fill("湖南省交通运输厅基建处")
    page.locator("#published_on").fill("2025-03-31")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#grade-error")).to_contain_text("对应D级")
    shot("evaluation-band-refused")
    page.locator("#grade").select_option("D")
    page.locator("#score").fill("91")
    page.locator("#directly_determined").check()
    page.locator("#direct_reason").fill("存在转包行为，直接认定为D级。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".badge-direct")).to_have_text("直接认定")
    shot("evaluation-direct")
