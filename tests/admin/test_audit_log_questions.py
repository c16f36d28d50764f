"""Issue 34 §2: the audit log answers "who changed decision 湘交基建信〔2026〕27号, and when"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from registry.core import clock
from registry.core.audit import AuditEvent, record_event
from registry.core.seeding import DEMO_STEPS, SEED_STEPS, on_day


def _table(client, **query) -> str:
    html = client.get("/admin/audit", query_string={"lang": "zh_CN", **query}).get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")]


@pytest.fixture
def two_entries(db, make):
    firm = make.subject(name="湘潭路桥建设有限公司")
    ours = make.entry(subject=firm, decision_number="湘交基建信〔2026〕27号")
    other = make.entry(decision_number="湘交基建信〔2026〕28号")
    clerk = make.user("clerk", unit="JJC", name="经办员乙")
    record_event("list_entry.submit", actor=clerk, obj=ours, from_state="draft", to_state="pending_review",
                 comment="the 27 submission")
    record_event("list_entry.submit", actor=clerk, obj=other, from_state="draft", to_state="pending_review",
                 comment="the 28 submission")
    db.session.flush()
    return firm, ours, other


@pytest.mark.parametrize("role, unit", [("auditor", "XXZX"), ("admin", "FGC")])
def test_events_are_found_by_the_records_official_number(client, login, two_entries, role, unit):
    login(role, unit=unit)
    table = _table(client, number="湘交基建信〔2026〕27号")
    assert "the 27 submission" in table and "the 28 submission" not in table
    assert f'href="/officer/entries/{two_entries[1].id}">湘交基建信〔2026〕27号</a>' in table


def test_a_number_nobody_holds_finds_nothing_and_is_no_error(client, login, two_entries):
    login("auditor", unit="XXZX")
    response = client.get("/admin/audit", query_string={"number": "湘交基建信〔1999〕1号"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "the 27 submission" not in body and "the 28 submission" not in body


@pytest.mark.parametrize("party", ["湘潭路桥", "identifier"])
def test_events_are_found_by_the_partys_name_or_identifier(client, login, two_entries, party):
    firm = two_entries[0]
    login("auditor", unit="XXZX")
    table = _table(client, party=firm.identifier if party == "identifier" else party)
    assert "the 27 submission" in table and "the 28 submission" not in table


def test_the_id_with_its_kind_still_finds_the_record(client, login, two_entries):
    _firm, ours, _other = two_entries
    login("auditor", unit="XXZX")
    table = _table(client, kind="list_entry", number=str(ours.id))
    assert "the 27 submission" in table and "the 28 submission" not in table


def test_words_not_codes(client, login, make, db):
    entry = make.entry("published")
    admin = make.user("admin", unit="FGC")
    record_event("case.mark_typical", actor=admin, obj=entry, from_state="published", to_state="published",
                 comment="unchanged state")
    record_event("removal.prepare_removal", actor=admin, object_type="removal_request", object_id=2)
    record_event("auth.login", actor=admin, obj=admin)
    db.session.flush()
    login("auditor", unit="XXZX")
    html = client.get("/admin/audit", query_string={"lang": "zh_CN"}).get_data(as_text=True)
    table = html[html.index("<tbody>"):html.index("</tbody>")]
    row = next(r for r in table.split("<tr>") if "unchanged state" in r)
    assert "→" not in row  # 已发布 → 已发布 says nothing
    assert "removal_request" not in table and 'title="' not in table
    options = html[html.index('id="action"'):html.index("</select>", html.index('id="action"'))]
    assert ">auth " not in options and ">removal " not in options and "登录" in options


def test_date_filters_read_year_month_day_in_chinese(client, login):
    login("auditor", unit="XXZX")
    html = client.get("/admin/audit", query_string={"lang": "zh_CN"}).get_data(as_text=True)
    assert 'type="date"' not in html  # the browser's locale would draw mm/dd/yyyy
    assert html.count('placeholder="年-月-日"') == 2


def test_a_demo_day_of_today_is_not_stamped_later_than_now():
    with clock.frozen_at(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):  # 09:00 in Changsha
        with on_day(date(2026, 3, 2)):
            assert clock.utcnow() <= datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        with on_day(date(2026, 3, 1)):  # an earlier day keeps its 10:00
            assert clock.local(clock.utcnow()).hour == 10


def test_demo_events_are_never_in_the_future(db):
    early = datetime(2026, 12, 8, 0, 30, tzinfo=UTC)  # 08:30 in Changsha, before 10:00
    with clock.frozen_at(early):
        for step in [*SEED_STEPS.ordered(), *DEMO_STEPS.ordered()]:
            step.run()
        db.session.flush()
    latest = db.session.scalar(sa.select(sa.func.max(AuditEvent.occurred_at)))
    assert latest <= early
