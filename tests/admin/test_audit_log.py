"""The audit log page answers who changed what, when: the record and its link,
readable actors and states, filters, true time order over keyset pages, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from registry.admin import audit
from registry.core import clock
from registry.core.audit import AuditEvent, record_event

# Beijing is UTC+8: 2026-03-01 23:30 in Beijing is 15:30 UTC the same day, 00:30 on 2 March is
# 16:30 UTC on 1 March.
LATE_ON_1_MARCH = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
EARLY_ON_2_MARCH = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def at(moment: datetime, action: str, **fields) -> AuditEvent:
    with clock.frozen_at(moment):
        return record_event(action, **fields)


def table_of(html: str) -> str:
    return html.split('<table class="table audit-log">')[1].split("</table>")[0]


def rows_of(html: str) -> list[str]:
    return table_of(html).split("<tbody>")[1].split("<tr>")[1:]


def test_newest_first_in_time_order_not_id_order(client, login, make):
    # recorded in the order B (2 March), A (1 March), C (3 March): ids are not the order of time
    at(datetime(2026, 3, 2, 2, tzinfo=UTC), "test.second", comment="event B")
    at(datetime(2026, 3, 1, 2, tzinfo=UTC), "test.first", comment="event A")
    at(datetime(2026, 3, 3, 2, tzinfo=UTC), "test.third", comment="event C")
    login("auditor", unit="XXZX")
    html = table_of(client.get("/admin/audit").get_data(as_text=True))
    assert html.index("event C") < html.index("event B") < html.index("event A")


def test_keyset_pages_hold_every_event_once_in_order(db, make):
    moments = [datetime(2026, 3, day, 1, tzinfo=UTC) for day in (5, 1, 3, 3, 3, 2, 4, 1)]  # ties at 3 March
    events = [at(moment, "test.page", comment=str(n)) for n, moment in enumerate(moments)]
    expected = [e.id for e in sorted(events, key=lambda e: (e.occurred_at, e.id), reverse=True)]
    filters = audit.Filters(action="test.page")
    seen, key = [], None
    while True:
        result = audit.page(filters, key, size=3)
        seen += [event.id for event in result.events]
        if result.next_key is None:
            break
        key = audit.decode_key(result.next_key)
    assert seen == expected


def test_the_page_key_links_to_the_older_events(client, login, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    for day in (1, 2, 3):
        at(datetime(2026, 3, day, 1, tzinfo=UTC), "test.link", comment=f"day {day}")
    login("auditor", unit="XXZX")
    first = client.get("/admin/audit?action=test.link").get_data(as_text=True)
    assert "day 3" in first and "day 2" in first and "day 1" not in table_of(first)
    pager = first.split('class="pager"')[1].split("</nav>")[0]
    older = pager.split('href="')[-1].split('"')[0].replace("&amp;", "&")
    assert "after=" in older
    second = client.get(older).get_data(as_text=True)
    assert "day 1" in table_of(second) and "day 3" not in table_of(second)


@pytest.mark.parametrize("after", ["x", "20260301T000000000000-abc", "-1", "2026-03-01", "99991231T235959999999-9" * 3])
def test_a_meaningless_page_key_is_the_first_page(client, login, after):
    login("auditor", unit="XXZX")
    assert client.get("/admin/audit", query_string={"after": after}).status_code == 200


def test_filters_by_local_date_range(client, login):
    at(LATE_ON_1_MARCH, "test.range", comment="late on the first")
    at(EARLY_ON_2_MARCH, "test.range", comment="early on the second")
    login("auditor", unit="XXZX")
    first = client.get("/admin/audit?from=2026-03-01&to=2026-03-01").get_data(as_text=True)
    assert "late on the first" in first and "early on the second" not in first
    second = client.get("/admin/audit?from=2026-03-02").get_data(as_text=True)
    assert "late on the first" not in second and "early on the second" in second


def test_filters_by_officer_unit_record_and_action(client, login, make):
    clerk = make.user("clerk", unit="CS", name="长沙录入员")
    other = make.user("clerk", unit="JJC", name="基建录入员")
    entry = make.entry(unit="CS")
    record_event("test.edit", actor=clerk, obj=entry, comment="by the CS clerk")
    record_event("test.edit", actor=other, object_type="list_entry", object_id=entry.id + 1000, unit_id=other.unit_id,
                 comment="by the JJC clerk")
    record_event("test.other", actor=other, comment="another action")
    login("auditor", unit="XXZX")

    def comments(**query) -> set[str]:
        html = table_of(client.get("/admin/audit", query_string=query).get_data(as_text=True))
        return {text for text in ("by the CS clerk", "by the JJC clerk", "another action") if text in html}

    assert comments(officer=clerk.id) == {"by the CS clerk"}
    assert comments(unit=make.unit("CS").id) == {"by the CS clerk"}
    assert comments(kind="list_entry", number=entry.id) == {"by the CS clerk"}
    assert comments(kind="list_entry") == {"by the CS clerk", "by the JJC clerk"}
    assert comments(action="test.edit") == {"by the CS clerk", "by the JJC clerk"}
    assert comments(officer=other.id, action="test.other") == {"another action"}


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"from": "2026-02-30"}, "from", "Enter a date as YYYY-MM-DD."),
    ({"to": "yesterday"}, "to", "Enter a date as YYYY-MM-DD."),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "to", "The end date is before the start date."),
    ({"kind": "list_entry", "number": str(2**31)}, "number", "Enter a whole number."),
    ({"officer": "abc"}, "officer", "Enter a whole number."),
])
def test_a_bad_filter_is_shown_at_its_field(client, login, query, field, message):
    at(LATE_ON_1_MARCH, "test.bad", comment="must not show")
    login("auditor", unit="XXZX")
    response = client.get("/admin/audit", query_string={**query, "lang": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert "must not show" not in html
    export = client.get("/admin/audit.csv", query_string=query)
    assert export.status_code == 302  # nothing exported; back to the page


def test_every_problem_shows_at_once(client, login):
    login("auditor", unit="XXZX")
    html = client.get("/admin/audit?from=x&to=y&number=99999999999&kind=case&lang=en").get_data(as_text=True)
    assert all(f'id="{field}-error"' in html for field in ("from", "to", "number"))


def test_rows_name_the_record_actor_and_states_readably(client, login, make):
    officer = make.user("reviewer", unit="JJC", name="核查员甲")
    entry = make.entry(unit="JJC")
    record_event("list_entry.submit", actor=officer, obj=entry, from_state="draft", to_state="pending_review")
    record_event("document.issue", actor_label="public", object_type="issued_document", object_id=77,
                 details={"number": "湘交信报〔2026〕第0009号"})
    record_event("list_entry.expire", obj=entry, from_state="published", to_state="expired")
    login("auditor", unit="XXZX")
    html = client.get("/admin/audit").get_data(as_text=True)
    table = table_of(html)
    assert "草稿 → 待审核" in table and "pending_review" not in table
    assert "核查员甲" in table and "基建处" in table
    assert f'href="/officer/entries/{entry.id}">{entry.decision_number}</a>' in table  # its 文号
    assert "湘交信报〔2026〕第0009号" in table
    rows = rows_of(html)
    assert "公众" in next(row for row in rows if "湘交信报" in row)
    assert "系统" in next(row for row in rows if "→" in row and "草稿" not in row)
    assert 'title="list_entry' not in table  # words, not codes
    assert ">public<" not in table and ">system<" not in table
    english = table_of(client.get("/admin/audit?lang=en").get_data(as_text=True))
    assert "The public" in english and "The system" in english and "Draft → Pending review" in english


def test_the_csv_holds_the_filtered_view_in_order(client, login, make):
    at(datetime(2026, 3, 1, 2, tzinfo=UTC), "test.csv", comment="older")
    at(datetime(2026, 3, 2, 2, tzinfo=UTC), "test.csv", comment="=HYPERLINK(\"http://x\")")
    at(datetime(2026, 3, 3, 2, tzinfo=UTC), "test.elsewhere", comment="not exported")
    login("auditor", unit="XXZX")
    response = client.get("/admin/audit.csv?action=test.csv&lang=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Time", "Officer"]
    assert [row[-1] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "older"]
    assert rows[1][0] == "2026-03-02 10:00:00"  # Beijing time
    assert [row[4] for row in rows[1:]] == ["test.csv", "test.csv"]


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_only_admins_and_auditors_read_the_log(client, login, path):
    login("clerk")
    assert client.get(path).status_code == 403


def test_the_newest_page_reads_an_index_in_order_without_sorting(db):
    """At a million events a page must not sort the log: the plan walks the (time, id) index."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan's wording is SQLite's")
    for filters in (audit.Filters(), audit.Filters(officer=1), audit.Filters(unit=1)):
        statement = audit.filtered(filters).limit(101)
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_audit_events_" in plan and "TEMP B-TREE" not in plan, plan


def test_the_action_choices_are_read_from_the_log(client, login):
    at(LATE_ON_1_MARCH, "zz_test.rare")
    actions = [code for code, _label in audit.choices()["actions"]]
    assert "zz_test.rare" in actions and actions == sorted(set(actions))
