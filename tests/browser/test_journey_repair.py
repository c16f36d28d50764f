"""Journey 4: credit repair.  An application for an entry published too recently is refused with
the day it becomes possible; an application for an entry published more than the minimum period
ago is accepted, approved and confirmed, and the entry leaves the public black list."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from registry.core import clock

from .helpers import app_session, minimal_pdf, new_uscc, switch_user

RECENT = "湘交基建信〔2026〕6号"  # demo: published about 60 days ago, 湘西州山路交通建设有限公司
OLD = "湘交基建信〔2025〕旅程修复1号"
FIRM = "湖南旅程修复路面工程有限公司"


@pytest.fixture
def old_entry(live_app):
    """A black entry of 基建处 published 400 days ago for a new firm, as the past would have made it."""
    from registry.accounts.seed import demo_user
    from registry.core.identifiers import SubjectKind
    from registry.listing import operations as ops
    from registry.listing.models import ListCategory, ListEntry
    from registry.subjects.operations import find_or_create_subject

    code = new_uscc(7401)
    start = clock.today() - timedelta(days=410)
    with app_session(live_app) as session:
        if session.scalar(sa.select(ListEntry.id).where(ListEntry.decision_number == OLD)) is None:
            clerk, reviewer = demo_user("clerk@demo.hn"), demo_user("reviewer@demo.hn")
            category = session.scalar(sa.select(ListCategory).where(ListCategory.name == "公路建设市场严重失信"))
            with clock.frozen_at(start):
                subject = find_or_create_subject(kind=SubjectKind.ORGANISATION, identifier=code, name=FIRM)
                entry = ops.create_entry(
                    actor=clerk, subject=subject, list_kind=category.list_kind, category_id=category.id,
                    reason="拖欠农民工工资，情节严重。", legal_basis="《公路建设市场信用信息管理办法》",
                    decision_number=OLD,
                    decision_date=start - timedelta(days=3), measure_ids=[m.id for m in category.measures],
                )
                ops.submit_entry(entry, clerk, entry.version)
                ops.approve_entry(entry, reviewer, entry.version)
            publish_day = entry.publicity_end + timedelta(days=1)
            with clock.frozen_at(publish_day):
                ops.publish_due_entries(publish_day)
    return code


def _eligible_from(live_app, decision_number):
    from registry.listing.models import ListEntry

    with app_session(live_app) as session:
        entry = session.scalar(sa.select(ListEntry).where(ListEntry.decision_number == decision_number))
        assert entry.category.repair_min_months == 12
        published = entry.valid_from
    # One calendar year: the same day a year later is the minimum period's last day (28 February
    # for 29 February); repair is possible from the next day.
    try:
        last_day = published.replace(year=published.year + 1)
    except ValueError:
        last_day = published.replace(year=published.year + 1, day=28)
    return last_day + timedelta(days=1)


def _choose(page, live_server, identifier, decision_number):
    page.goto(f"{live_server}/repairs/new")
    page.locator("#identifier").fill(identifier)
    page.get_by_role("button", name="查找记录").click()
    page.locator("tr", has_text=decision_number).get_by_role("link").click()


def test_too_early_is_refused_with_the_day_then_an_eligible_repair_is_approved(
    page, live_app, live_server, old_entry, shot, tmp_path
):
    from registry.subjects.seed import DEMO_FIRMS, demo_uscc

    # Too early: the page says from which day the firm may apply, and offers no form.
    _choose(page, live_server, demo_uscc(DEMO_FIRMS[14][0], 1001 + 14), RECENT)
    refusal = page.locator(".refusal")
    expect(refusal).to_contain_text(f"您可自 {_eligible_from(live_app, RECENT).isoformat()} 起申请")
    expect(page.get_by_role("button", name="提交申请")).to_have_count(0)
    shot("repair-refused")

    # Eligible: the application goes in with its three required documents.
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("main")).to_contain_text(FIRM)
    _choose(page, live_server, old_entry, OLD)
    paper = tmp_path / "材料.pdf"
    minimal_pdf(paper)
    page.locator("#applicant_kind").select_option("organisation")
    page.locator("#applicant_name").fill(FIRM)
    page.locator("#applicant_identifier").fill(old_entry)
    page.locator("#phone").fill("0731-88886666")
    page.locator("#representative_name").fill("赵旅程")
    page.get_by_role("radio", name="法定代表人").check()
    page.locator("#statement").fill("已足额支付全部拖欠工资，并完成信用修复培训。")
    for name in ("application_form", "commitment_letter", "fulfilment_proof"):
        page.locator(f"#{name}").set_input_files(str(paper))
    shot("repair-form")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    receipt = page.locator(".receipt-number").inner_text()
    code = page.locator(".access-code").inner_text()

    # 基建处 accepts and approves it; a second officer confirms.
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(f"{live_server}/repairs/officer/")
    page.get_by_role("link", name=receipt).click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_label("准予信用修复").check()
    page.locator("#reasons").fill("申请材料齐全，已履行相关义务，准予信用修复。")
    page.get_by_role("button", name="提交核查确认").click()
    shot("repair-officer-prepared")
    switch_user(page, live_server, "reviewer@demo.hn")
    page.locator("#officer-menu").get_by_role("link", name="待审核事项").click()  # from the workbench
    row = page.locator("table.queue tr", has_text=receipt)
    row.locator("summary", has_text="通过").click()
    row.get_by_role("button", name="确认通过").click()
    expect(page.locator("table.queue")).not_to_contain_text(receipt)

    # The entry has left the public black list; the applicant reads the decision.
    page.context.clear_cookies()
    page.goto(f"{live_server}/lists/black")
    expect(page.locator("h1")).to_contain_text("黑名单")
    expect(page.locator("main")).not_to_contain_text(FIRM)
    page.goto(f"{live_server}/repairs/status")
    page.locator("#receipt_number").fill(receipt)
    page.locator("#access_code").fill(code)
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("main")).to_contain_text("准予信用修复")
    shot("repair-status-decided")
