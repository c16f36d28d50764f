"""The officer's workbench: the landing page per role, counts equal to the rows their
links open, empty sections, and the navigation grouped by task showing no refused link."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from registry.core import clock
from registry.core.web import OFFICER_NAV, default_nav_group
from registry.disclosures.models import DisclosureStatus
from registry.listing.models import EntryStatus

TODAY = date(2026, 12, 1)  # a Tuesday; December 2026 has no holiday: 5 working days on is Tuesday 8 December
LINE = re.compile(r'<a href="([^"]+)"><span class="work-count" data-count="(\d+)">')


def lines(page: str) -> dict[str, int]:
    """The workbench's lines: link -> count."""
    return {unescape(href): int(count) for href, count in LINE.findall(page)}


def rows(page: str, anchor: str | None = None) -> int:
    """Rows of the first table body (after the element ``anchor``), leaving out "nothing here" rows."""
    if anchor:
        page = page[page.index(f'id="{anchor}"'):]
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return sum(1 for row in body.split("<tr")[1:] if "colspan" not in row)


def rows_behind(client, href: str) -> int:
    path, _, anchor = href.partition("#")
    response = client.get(path)
    assert response.status_code == 200, href
    return rows(response.get_data(as_text=True), anchor or None)


@pytest.fixture
def unit_work(db, make):
    """A clerk of JJC with known work: expected counts are written next to each row."""
    clerk = make.user("clerk", unit="JJC")
    colleague = make.user("clerk", unit="JJC")
    make.entry(EntryStatus.DRAFT, creator=clerk)  # mine
    make.entry(EntryStatus.DRAFT, creator=clerk, review_comment="请补充认定依据。")  # mine, returned
    make.entry(EntryStatus.DRAFT, creator=colleague)  # a colleague's: not mine
    make.entry(EntryStatus.DRAFT, unit="CS")  # another unit's
    for end in (date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 9), date(2026, 11, 30)):
        make.entry(EntryStatus.IN_PUBLICITY, creator=colleague, publicity_start=end - timedelta(days=10),
                   publicity_end=end)
    make.entry(EntryStatus.IN_PUBLICITY, unit="CS", publicity_start=date(2026, 11, 20), publicity_end=date(2026, 12, 4))
    for last_day in (date(2026, 12, 6), date(2026, 12, 7)):
        make.entry(EntryStatus.PUBLISHED, creator=colleague, valid_until=last_day)
    for deadline in (date(2026, 12, 8), date(2026, 11, 30), date(2026, 12, 9)):
        make.disclosure(DisclosureStatus.DRAFT, created_by=colleague, publication_deadline=deadline)
    make.disclosure(DisclosureStatus.DRAFT, created_by=clerk, publication_deadline=date(2027, 1, 30))
    make.disclosure(DisclosureStatus.PENDING_REVIEW, created_by=colleague, publication_deadline=date(2026, 12, 2))
    make.disclosure(DisclosureStatus.PUBLISHED, created_by=colleague, publication_deadline=date(2026, 12, 2))
    make.case("draft", creator=clerk, review_comment="案例事实不清。")
    db.session.flush()
    return clerk


EXPECTED = {
    "/officer/entries/?work=mine": 2,
    "/officer/entries/?work=returned": 1,
    "/officer/entries/?work=publicity_ends": 2,  # ends 4 and 8 December
    "/officer/entries/?work=publicity_ended": 1,  # ended 30 November, still in publicity
    "/officer/entries/?work=leaving_publicity": 1,  # ends by Sunday 6 December
    "/officer/entries/?work=expiring": 1,  # last valid day 6 December
    "/officer/disclosures/?work=mine": 1,
    "/officer/disclosures/?work=due_soon": 2,  # 8 December (draft) and 2 December (pending review)
    "/officer/disclosures/?work=overdue": 1,
    "/officer/cases/?work=mine": 1,
    "/officer/cases/?work=returned": 1,
}


def test_counts_are_the_rows_their_links_open(client, login, unit_work):
    login(unit_work)
    with clock.frozen_at(TODAY):
        page = client.get("/workbench?lang=en").get_data(as_text=True)
        found = lines(page)
        for href, count in EXPECTED.items():
            assert found.get(href) == count, href
        for href, count in found.items():
            assert rows_behind(client, href) == count, href
    assert "/officer/disclosures/?work=returned" not in found  # nothing returned: the line is left out
    assert f"/officer/cases/?status=published&month={TODAY:%Y-%m}" in found  # the quota shows at zero


def test_a_unit_with_nothing_to_do_says_so(client, login, db):
    login("clerk", unit="YSC")
    with clock.frozen_at(TODAY):
        page = client.get("/workbench?lang=en").get_data(as_text=True)
    for text in ("You have no drafts.", "No deadline in the next 5 working days, nothing overdue.",
                 "No entry leaves publicity or expires this week.", "No open alerts."):
        assert text in page
    assert "Waiting for my review" not in page  # a clerk reviews nothing


def test_the_reviewer_sees_the_queue_by_kind_with_the_oldest_wait(client, login, make, db):
    reviewer = make.user("reviewer", unit="JJC")
    clerk = make.user("clerk", unit="JJC")
    with clock.frozen_at(date(2026, 11, 24)):  # Tuesday: five working days before TODAY
        make.entry(EntryStatus.PENDING_REVIEW, creator=clerk)
    with clock.frozen_at(TODAY):
        make.entry(EntryStatus.PENDING_REVIEW, creator=clerk)
        make.disclosure(DisclosureStatus.PENDING_REVIEW, created_by=clerk)
        make.entry(EntryStatus.PENDING_REVIEW, unit="CS")
        db.session.flush()
        login(reviewer)
        page = client.get("/workbench?lang=en").get_data(as_text=True)
        found = lines(page)
        assert found["/review/?kind=list_entry"] == 2
        assert found["/review/?kind=disclosure"] == 1
        assert "oldest waiting 5 working days" in page
        for href, count in found.items():
            assert rows_behind(client, href) == count, href


@pytest.mark.parametrize(("role", "unit", "sections"), [
    ("clerk", "JJC", {"mine", "deadlines", "week", "quota", "alerts"}),
    ("reviewer", "JJC", {"queue", "mine", "deadlines", "week", "quota", "alerts"}),
    ("auditor", "XXZX", {"alerts", "compliance"}),
    ("admin", "FGC", {"alerts", "compliance", "system"}),
])
def test_each_role_lands_on_its_workbench(client, make, db, role, unit, sections):
    from tests.factories import TEST_PASSWORD

    user = make.user(role, unit=unit)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/workbench"
    page = client.get("/workbench").get_data(as_text=True)
    assert set(re.findall(r'data-section="(\w+)"', page)) == sections


def test_admin_and_auditor_counts_open_their_rows(client, login, make, db):
    make.disclosure(DisclosureStatus.DRAFT, unit="JJC", decision_date=date(2026, 9, 30))
    login("admin", unit="FGC")
    with clock.frozen_at(TODAY):
        page = client.get("/workbench?lang=en").get_data(as_text=True)
        found = lines(page)
        assert "/admin/calendar?year=2027" in found  # December: next year's arrangement is needed
        missing = {href: count for href, count in found.items() if "missed=" in href}
        assert missing
        for href, count in missing.items():
            assert rows_behind(client, href) == count, href


@pytest.mark.parametrize("role", ["clerk", "reviewer", "admin", "auditor"])
def test_every_navigation_link_opens_for_the_role(client, login, db, role):
    login(role, unit="XXZX" if role in ("admin", "auditor") else "JJC")
    page = client.get("/workbench").get_data(as_text=True)
    menu = page[page.index('id="officer-menu"'):page.index("</nav>", page.index('id="officer-menu"'))]
    links = re.findall(r'<a [^>]*href="(/[^"]*)"', menu)
    assert len(links) >= 8
    for href in links:
        assert client.get(href).status_code == 200, (role, href)
    groups = re.findall(r'class="nav-group-label"[^>]*>([^<]+)<', page)
    assert groups[0] == "办理"
    if role in ("clerk", "reviewer"):
        assert "/compliance" not in links and "/admin/audit" not in links and "系统" not in groups
    else:
        assert "系统" in groups and "/review/" not in links


def test_a_page_gets_its_group_from_its_endpoint_unless_it_names_one():
    assert default_nav_group("admin.audit_log") == "system"
    assert default_nav_group("checks.dashboard") == "monitor"
    assert default_nav_group("catalogue.coverage_page") == "monitor"
    assert default_nav_group("catalogue.admin_index") == "system"
    assert default_nav_group("ledger.acknowledgements") == "review"
    assert default_nav_group("something.new") == "work"
    assert OFFICER_NAV["review.queue"].group == "review"
    assert OFFICER_NAV["listing.index"].group == "work"


@pytest.mark.parametrize("url", [
    "/officer/entries/?work=nonsense", "/officer/disclosures/?work=%E5%BE%85", "/officer/cases/?work=mine&status=zzz",
    "/objections/officer/?work=overdue&show=zzz", "/repairs/officer/?work=" + "x" * 300,
])
def test_a_bad_work_filter_is_no_error(client, login, db, url):
    login("clerk", unit="JJC")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/compliance?missed=nonsense", "/admin/exchange/?status=zzz",
                                 "/admin/exchange/?status=failed"])
def test_admin_page_filters_accept_bad_values(client, login, db, url):
    login("admin", unit="FGC")
    assert client.get(url).status_code == 200


def test_a_list_says_what_the_workbench_filter_shows(client, login, unit_work):
    login(unit_work)
    with clock.frozen_at(TODAY):
        page = client.get("/officer/entries/?work=returned&lang=en").get_data(as_text=True)
    assert "Showing: My drafts" not in page and "Showing: Returned to me" in page
    assert 'name="work" value="returned"' in page  # kept when the list's own filter is used


def test_the_week_ends_on_sunday():
    from registry.listing.work import week_end

    assert week_end(date(2026, 11, 30)) == date(2026, 12, 6)
    assert week_end(date(2026, 12, 6)) == date(2026, 12, 6)
    assert week_end(date(2026, 12, 1)) - timedelta(days=6) == date(2026, 11, 30)
