"""Journey: a city bureau's clerk drafts a random-inspection plan, a second officer approves it
(the seed is fixed), the clerk draws the parties and inspectors, publishes a result, and the
public random-inspections page shows the plan, the verification and the result."""

from playwright.sync_api import expect

from registry.core import clock

from .helpers import switch_user

PLAN = "旅程测试：长沙市道路运输企业专项抽查"


def test_plan_is_drafted_approved_drawn_inspected_and_published(page, live_server, shot):
    today = clock.today()
    switch_user(page, live_server, "clerk.cs@demo.hn")
    page.goto(f"{live_server}/officer/supervision/plans/new")
    page.locator("#name").fill(PLAN)
    page.locator("#legal_basis").fill("国办发〔2019〕35号；国发〔2019〕5号")
    page.get_by_role("checkbox", name="道路运输经营者经营行为检查").check()
    page.locator("#period_start").fill(today.isoformat())
    page.locator("#period_end").fill(today.replace(year=today.year + 1).isoformat())
    page.locator("#population_kind").select_option("region")
    page.locator("input[name=minimum_B]").fill("1")
    page.locator("#exclude_months").fill("0")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.locator("h1")).to_contain_text("草稿")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("h1")).to_contain_text("待审核")
    plan_url = page.url

    switch_user(page, live_server, "reviewer.cs@demo.hn")
    page.goto(plan_url)
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("h1")).to_contain_text("已审核，尚未抽取")
    seed = page.locator("code.seed").inner_text()
    assert len(seed) == 64
    shot("supervision-plan-approved")

    switch_user(page, live_server, "clerk.cs@demo.hn")
    page.goto(plan_url)
    page.get_by_role("button", name="抽取检查对象").click()
    expect(page.locator("h1")).to_contain_text("已抽取")
    form = page.locator("form.result-form").first
    expect(form.locator("input[name=inspectors]")).not_to_have_value("")
    form.locator("select[name=result]").select_option("rectification_ordered")
    form.locator("input[name=remarks]").fill("旅程测试：车辆技术档案不全，已责令整改")
    form.get_by_role("button", name="公示检查结果").click()
    expect(page.locator("table.drawn-parties")).to_contain_text("发现问题已责令整改")
    shot("supervision-plan-drawn")

    page.context.clear_cookies()
    page.goto(f"{live_server}/supervision")
    page.get_by_role("link", name=PLAN).click()
    expect(page.locator(".verification.ok")).to_be_visible()
    expect(page.locator("code").first).to_have_text(seed)
    expect(page.locator("table.drawn-parties")).to_contain_text("发现问题已责令整改")
    expect(page.locator("body")).not_to_contain_text("严重失信")
    shot("supervision-public-plan")
