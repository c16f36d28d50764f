"""docs/RULES.md §2 in the browser: a joint punishment case rests on a black list entry that is
then revoked as wrong.  The public subject page no longer shows the case; the officer of the
case's unit sees why on the case page, and the month's effectiveness list no longer lists it."""

from datetime import date

from playwright.sync_api import expect

from registry.core import clock

from .helpers import app_session, switch_user

EFFECT = "旅程测试：依据黑名单记录否决其投标资格"


def _case_on_a_revoked_entry(live_app):
    from registry.extensions import db
    from registry.listing import operations as listing_ops
    from tests.factories import Factories

    with app_session(live_app):
        make = Factories(db)
        subject = make.subject(name="旅程测试依据撤销路桥有限公司")
        entry = make.published_entry(subject=subject, valid_from=date(clock.today().year, clock.today().month, 1))
        case = make.case("published", unit="CS", entry=entry, effect=EFFECT, case_date=clock.today())
        ids = (subject.id, case.id)
        before = subject.id
        listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "异议成立：认定所依据的事实有误。")
    assert before == ids[0]
    return ids


def test_a_case_on_a_revoked_entry_leaves_the_public_page_and_says_why(page, live_app, live_server, shot):
    subject_id, case_id = _case_on_a_revoked_entry(live_app)

    page.goto(f"{live_server}/subjects/{subject_id}")
    expect(page.locator("h1")).to_contain_text("旅程测试依据撤销路桥有限公司")
    expect(page.locator("main")).not_to_contain_text(EFFECT)
    shot("subject-without-the-case")

    switch_user(page, live_server, "reviewer.cs@demo.hn")
    page.goto(f"{live_server}/officer/cases/{case_id}")
    notice = page.locator(".basis-withdrawn")
    expect(notice).to_contain_text("认定所依据的事实有误")
    expect(notice).to_contain_text("不能审核通过")
    shot("case-basis-withdrawn")

    page.goto(f"{live_server}/officer/cases/effectiveness?month={clock.today().strftime('%Y-%m')}")
    expect(page.locator("main")).not_to_contain_text(EFFECT)
