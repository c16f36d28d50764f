"""The look of the pages: on a phone nothing overflows sideways, every form field has a label,
the keyboard focus is visible, and badges carry text as well as colour.  Screenshots of each
page at phone and desktop widths go to test-artifacts/ for a person to look at."""

import pytest
from playwright.sync_api import expect

from .helpers import switch_user

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

PUBLIC_PAGES = {
    "home-search": "/?q=交通",
    "subject": None,  # found through the search
    "black-list": "/lists/black",
    "disclosures": "/disclosures",
    "objection-choose": "/objections/new",
    "status-lookup": "/objections/status",
    "login": "/login",
}
OFFICER_PAGES = {
    "review-queue": "/review/",
    "entry-form": "/officer/entries/new",
    "disclosure-import": "/officer/disclosures/import",
    "case-form": "/officer/cases/new",
    "entries": "/officer/entries/",
}

UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.offsetParent !== null)
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id)"""


def _check_page(page, shot, name, width):
    overflow = page.evaluate("document.documentElement.scrollWidth")
    shot(f"{name}-{width}")
    assert overflow <= width, f"{name} is {overflow}px wide on a {width}px screen"
    assert page.evaluate(UNLABELLED) == [], f"{name} has form fields without a label"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_fit_and_label_every_field(browser, live_server, artifacts, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    shot = artifacts(page)
    for name, path in PUBLIC_PAGES.items():
        if path is None:
            page.goto(f"{live_server}/?q=山路交通")
            page.locator(".search-results a").first.click()
            expect(page.locator(".list-entries")).to_be_visible()
        else:
            page.goto(f"{live_server}{path}")
        _check_page(page, shot, name, viewport["width"])
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_officer_pages_fit_and_label_every_field(browser, live_server, artifacts, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    shot = artifacts(page)
    switch_user(page, live_server, "reviewer@demo.hn")
    for name, path in OFFICER_PAGES.items():
        page.goto(f"{live_server}{path}")
        expect(page.locator(".officer-nav")).to_be_visible()
        _check_page(page, shot, name, viewport["width"])
    # A form sent empty shows its errors next to the fields they concern.
    page.goto(f"{live_server}/officer/entries/new")
    page.get_by_role("button", name="保存草稿").click()
    error = page.locator("#reason-error")
    expect(error).to_be_visible()
    expect(page.locator("#reason")).to_have_attribute("aria-describedby", "reason-error")
    expect(page.locator(".field.has-error", has=page.locator("#reason"))).to_contain_text(error.inner_text())
    _check_page(page, shot, "entry-form-errors", viewport["width"])
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_admin_pages_with_wide_tables_fit(browser, live_server, artifacts, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    shot = artifacts(page)
    switch_user(page, live_server, "admin@demo.hn")
    for name, path in {"compliance": "/compliance", "audit-log": "/admin/audit", "users": "/admin/users"}.items():
        page.goto(f"{live_server}{path}")
        _check_page(page, shot, name, viewport["width"])
    context.close()


def test_keyboard_focus_is_visible_and_the_current_page_is_marked(page, live_server):
    page.goto(f"{live_server}/lists/black")
    expect(page.locator(".main-nav a[aria-current=page]")).to_have_text("黑名单")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused not in ("none", ""), "the focused link shows no outline"


def test_status_badges_have_text_and_colour(page, live_server):
    page.goto(f"{live_server}/lists/black")
    badge = page.locator("td .badge").first
    expect(badge).not_to_have_text("")
    colours = badge.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert colours[0] != colours[1]
    assert colours[1] not in ("rgba(0, 0, 0, 0)", "transparent")


def test_home_page_with_a_search_result_for_the_readme(browser, live_server, artifacts):
    """The README's screenshot (docs/screenshot-home.png is copied from this one)."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/?q=交通建设")
    expect(page.locator(".search-results li").first).to_be_visible()
    artifacts(page)("screenshot-home", full_page=False)
    context.close()
