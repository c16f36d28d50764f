"""Journey: two officers take a published black-list entry off the list.

One reviewer prepares the revocation with its reason; the public still sees the entry; the same
reviewer cannot confirm it; a second reviewer of the unit confirms it, and only then the public
black list and the subject page drop it.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from registry.core import clock

from .helpers import app_session, new_uscc, switch_user

FIRM = "湖南撤销旅程路桥有限公司"
NUMBER = "湘交基建信〔2026〕撤销旅程1号"
REASON = "认定决定已被行政复议决定撤销（湘政复决〔2026〕12号）。"


@pytest.fixture
def published_entry(live_app):
    """A black entry of 基建处, published 30 days ago for a firm of its own (no other journey uses it)."""
    from registry.accounts.seed import demo_user
    from registry.core.identifiers import SubjectKind
    from registry.listing import operations as ops
    from registry.listing.models import ListCategory, ListEntry
    from registry.subjects.operations import find_or_create_subject

    start = clock.today() - timedelta(days=30)
    with app_session(live_app) as session:
        entry = session.scalar(sa.select(ListEntry).where(ListEntry.decision_number == NUMBER))
        if entry is None:
            clerk, reviewer = demo_user("clerk@demo.hn"), demo_user("reviewer@demo.hn")
            category = session.scalar(sa.select(ListCategory).where(ListCategory.name == "公路建设市场严重失信"))
            with clock.frozen_at(start):
                subject = find_or_create_subject(kind=SubjectKind.ORGANISATION, identifier=new_uscc(7601), name=FIRM)
                entry = ops.create_entry(
                    actor=clerk, subject=subject, list_kind=category.list_kind, category_id=category.id,
                    reason="在公路建设项目招投标中弄虚作假。", legal_basis="《公路建设市场信用信息管理办法》",
                    decision_number=NUMBER,
                    decision_date=start - timedelta(days=2), measure_ids=[m.id for m in category.measures],
                )
                ops.submit_entry(entry, clerk, entry.version)
                ops.approve_entry(entry, reviewer, entry.version)
            publish_day = entry.publicity_end + timedelta(days=1)
            with clock.frozen_at(publish_day):
                ops.publish_due_entries(publish_day)
        return entry.id, entry.subject_id


def test_two_officers_remove_a_published_entry_and_the_public_page_changes_after_the_second(
        page, live_server, published_entry, shot):
    entry_id, subject_id = published_entry
    entry_url = f"{live_server}/officer/entries/{entry_id}"
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("tr", has_text=NUMBER)).to_be_visible()

    # The first reviewer prepares the revocation: nothing changes for the public yet.
    switch_user(page, live_server, "reviewer@demo.hn")
    page.goto(entry_url)
    expect(page.locator(".page-head")).to_contain_text("已发布")
    page.get_by_role("button", name="提请撤销").click()
    expect(page.locator("#removal-reason:invalid")).to_be_visible()  # the reason is required
    page.locator("#removal-reason").fill(REASON)
    page.get_by_role("button", name="提请撤销").click()
    expect(page.locator(".flash-success")).to_contain_text("另一名审核人员确认后生效")
    expect(page.locator(".page-head")).to_contain_text("撤销待确认")
    expect(page.locator("#removal")).to_contain_text(REASON)
    expect(page.get_by_role("button", name="确认撤销")).to_have_count(0)
    shot("removal-prepared")

    page.context.clear_cookies()
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("tr", has_text=NUMBER)).to_be_visible()
    page.goto(f"{live_server}/subjects/{subject_id}")
    expect(page.locator("main")).to_contain_text(NUMBER)

    # The second reviewer finds it in the review queue and confirms it on the entry page.
    switch_user(page, live_server, "reviewer2@demo.hn")
    page.goto(f"{live_server}/review/")
    row = page.locator("table.queue tr", has_text=NUMBER)
    expect(row).to_contain_text("撤销待确认")
    shot("removal-in-queue")
    row.get_by_role("link").first.click()
    expect(page.locator("#removal")).to_contain_text(REASON)
    shot("removal-to-confirm")
    page.get_by_role("button", name="确认撤销").click()
    expect(page.locator(".flash-success")).to_contain_text("撤销已确认")
    expect(page.locator(".page-head")).to_contain_text("已移出")
    expect(page.locator("#removal")).to_have_count(0)
    shot("removal-confirmed")

    page.context.clear_cookies()
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("tr", has_text=NUMBER)).to_have_count(0)
    page.goto(f"{live_server}/subjects/{subject_id}")
    expect(page.locator("main")).not_to_contain_text(NUMBER)
    shot("public-subject-after")
