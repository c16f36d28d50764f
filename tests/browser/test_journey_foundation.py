"""Journeys through the foundation: lookup by identifier, language switch, officer sign-in."""

from playwright.sync_api import expect

from registry.subjects.seed import DEMO_FIRMS, demo_uscc


def test_lookup_by_identifier_in_odd_spacing_and_switch_to_english(page, live_server, shot):
    page.goto(live_server)
    expect(page.locator("h1")).to_have_text("交通运输信用查询")
    shot("home-zh")
    code = demo_uscc(DEMO_FIRMS[0][0], 1001)
    page.locator("#q").fill(f" {code[:6].lower()} {code[6:12]}-{code[12:]} ")
    page.locator("form.search button").click()
    expect(page.locator("h1")).to_have_text(DEMO_FIRMS[0][1])
    shot("subject-zh")
    page.get_by_role("link", name="English").click()
    expect(page.locator("nav.main-nav")).to_contain_text("Credit lookup")
    shot("subject-en")


def test_wrong_check_character_is_explained(page, live_server):
    code = demo_uscc(DEMO_FIRMS[0][0], 1001)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    page.goto(f"{live_server}/?q={wrong}")
    expect(page.locator(".field-error")).to_contain_text("校验")


def test_officer_signs_in_and_out(page, live_server, sign_in, shot):
    sign_in("reviewer@demo.hn")
    expect(page.locator(".who")).to_contain_text("基建处")
    shot("review-queue")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="工作人员登录")).to_be_visible()


def test_phone_width_layout(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(live_server)
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
