"""an automated accessibility check (axe-core, through Playwright) over the main
public and officer pages; no serious or critical violation is allowed, and a field with a hint
never says ``aria-invalid="None"`` (only "true", and only when the field has an error)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .helpers import switch_user

PUBLIC = ["/", "/?q=交通", "/lists/black", "/lists/red", "/disclosures", "/objections/new",
          "/objections/status", "/repairs/new", "/login"]
OFFICER = ["/review/", "/officer/entries/", "/officer/entries/new", "/officer/cases/new",
           "/officer/disclosures/new", "/objections/officer/", "/compliance"]
ADMIN = ["/admin/users", "/admin/settings", "/admin/calendar"]
SEVERE = {"serious", "critical"}


def _severe(page) -> list[str]:
    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] in SEVERE:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            problems.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return problems


def _check(page, live_server, paths) -> dict:
    found = {}
    for path in paths:
        page.goto(f"{live_server}{path}")
        problems = _severe(page)
        if problems:
            found[path] = problems
    return found


def test_public_pages_have_no_serious_accessibility_violations(page, live_server):
    page.goto(f"{live_server}/?q=山路交通")
    page.locator(".search-results a").first.click()
    subject = page.url.removeprefix(live_server)
    assert _check(page, live_server, [*PUBLIC, subject, f"{subject}?lang=en"]) == {}


@pytest.mark.parametrize("email, paths", [("reviewer@demo.hn", OFFICER), ("admin@demo.hn", ADMIN)],
                         ids=["officer", "admin"])
def test_officer_pages_have_no_serious_accessibility_violations(page, live_server, email, paths):
    switch_user(page, live_server, email)
    assert _check(page, live_server, paths) == {}


def test_a_field_with_a_hint_is_invalid_only_with_an_error(page, live_server):
    page.goto(f"{live_server}/objections/status")
    assert page.locator("[aria-invalid=None]").count() == 0
    page.goto(f"{live_server}/?q=山路交通")
    page.locator(".search-results a").first.click()
    page.locator("a", has_text="提出异议").first.click()
    assert page.locator("[aria-invalid]").count() == 0
    page.locator("form button[type=submit]").last.click()
    invalid = page.locator("[aria-invalid]")
    expect(invalid.first).to_be_attached()  # waits for the refused form's page (count() would not)
    assert invalid.count() >= 1
    assert set(invalid.evaluate_all("els => els.map(e => e.getAttribute('aria-invalid'))")) == {"true"}
