"""The officer's workbench in Chromium: each demo role lands on its
workbench, every count equals the rows of the list its link opens, the navigation offers no page
the role is refused, and on a phone nothing scrolls sideways, the menu and the black list's filter
fold behind buttons, and the first black-list result is above the fold."""

import pytest
from playwright.sync_api import expect

from .helpers import switch_user

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ROLES = ["clerk", "reviewer", "auditor", "admin"]


def _listed_rows(page) -> int:
    anchor = page.url.partition("#")[2]
    table = page.locator(f"#{anchor} table" if anchor else "main table").first
    return table.locator("tbody tr:not(:has(td[colspan]))").count()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_workbench_and_its_counts_hold(browser, live_server, artifacts, role):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    shot = artifacts(page)
    switch_user(page, live_server, f"{role}@demo.hn")
    assert page.url == f"{live_server}/workbench"
    expect(page.locator("h1")).to_have_text("工作台")
    shot(f"workbench-{role}-1366")
    lines = page.locator(".work-line[data-lists-items] a")
    targets = [(link.get_attribute("href"), int(link.locator(".work-count").get_attribute("data-count")))
               for link in lines.all()]
    assert targets, "the demo data gives every role something to do"
    for href, count in targets:
        page.goto("about:blank")  # two lines may open one page at two anchors: load it afresh each time
        response = page.goto(f"{live_server}{href}")
        assert response.status == 200, href
        assert _listed_rows(page) == count, href
    context.close()


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_offers_only_pages_the_role_may_open(browser, live_server, role):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    switch_user(page, live_server, f"{role}@demo.hn")
    links = page.locator("#officer-menu a")
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert len(hrefs) >= 8
    labels = page.locator("#officer-menu .nav-group-label").all_inner_texts()
    assert labels[0] == "办理" and ("系统" in labels) is (role == "admin" or role == "auditor")
    for href in hrefs:
        assert page.goto(f"{live_server}{href}").status == 200, href
    context.close()


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_on_a_phone_the_menu_folds_and_nothing_scrolls_sideways(browser, live_server, artifacts, role):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    shot = artifacts(page)
    switch_user(page, live_server, f"{role}@demo.hn")
    menu = page.locator("#officer-menu")
    expect(menu).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".work-section").first.bounding_box()["y"] < PHONE["height"]
    shot(f"workbench-{role}-390")
    page.get_by_role("button", name="工作菜单").click()
    expect(menu).to_be_visible()
    expect(page.get_by_role("button", name="工作菜单")).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(f"workbench-{role}-390-menu")
    context.close()


def test_on_a_phone_the_black_list_shows_its_first_result_above_the_fold(browser, live_server, artifacts):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    shot = artifacts(page)
    page.goto(f"{live_server}/lists/black")
    form = page.locator("#list-filter")
    expect(form).to_be_hidden()
    first = page.locator("main table tbody tr").first
    box = first.bounding_box()
    assert box["y"] + 40 < PHONE["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A stacked card still names its columns.
    label = page.evaluate("""() => getComputedStyle(document.querySelector('main tbody td[data-label]'), '::before')
                              .content""")
    assert page.locator("main thead th").first.text_content() in label
    shot("black-list-390")
    page.get_by_role("button", name="筛选条件").click()
    expect(form).to_be_visible()
    expect(page.locator("#list-filter select").first).to_be_visible()
    shot("black-list-390-filter")
    context.close()


def test_on_a_desktop_the_black_list_filter_is_open(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("#list-filter")).to_be_visible()
    expect(page.get_by_role("button", name="筛选条件")).to_be_hidden()
    context.close()
