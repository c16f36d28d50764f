"""The review queue (/review) with list entries as its first source."""

from __future__ import annotations

import re

import pytest

from registry.listing.models import EntryStatus

S = EntryStatus


def _row(page: str, number: str) -> str:
    match = re.search(r"<tr>(?:(?!</tr>).)*" + re.escape(number) + r".*?</tr>", page, re.S)
    assert match, number
    return match.group(0)


def test_pending_entries_of_the_unit_with_category_subject_and_submitter(client, login, make):
    clerk = make.user("clerk", name="录入员 小王")
    entry = make.entry(S.PENDING_REVIEW, creator=clerk)
    draft = make.entry(S.DRAFT, creator=clerk)
    foreign = make.entry(S.PENDING_REVIEW, unit="CS")
    login("reviewer")
    page = client.get("/review/").get_data(as_text=True)
    row = _row(page, entry.decision_number)
    assert "公路建设市场严重失信" in row and entry.subject.name in row and "录入员 小王" in row
    assert f"/review/list_entry/{entry.id}/approve" in row
    assert draft.decision_number not in page and foreign.decision_number not in page


def test_counts_and_filters(client, login, make):
    a = make.entry(S.PENDING_REVIEW)
    b = make.entry(S.PENDING_REVIEW, category="公路水运工程守信典型企业")
    login("reviewer")
    page = client.get("/review/").get_data(as_text=True)
    assert re.search(r"<strong>2</strong>", page)
    by_category = client.get("/review/?category=公路水运工程守信典型企业").get_data(as_text=True)
    assert b.decision_number in by_category and a.decision_number not in by_category
    by_submitter = client.get(f"/review/?submitter={a.submitted_by_id}").get_data(as_text=True)
    assert a.decision_number in by_submitter and b.decision_number not in by_submitter
    assert a.decision_number in client.get("/review/?kind=list_entry").get_data(as_text=True)
    assert a.decision_number not in client.get("/review/?kind=nothing").get_data(as_text=True)


@pytest.mark.parametrize("own", ["created", "submitted"])
def test_own_submissions_are_listed_but_not_actionable(client, login, make, own):
    reviewer = make.user("reviewer")
    if own == "created":
        entry = make.entry(S.PENDING_REVIEW, creator=reviewer, submitted_by_id=make.user("clerk").id)
    else:
        entry = make.entry(S.PENDING_REVIEW, creator=reviewer)
    login(reviewer)
    row = _row(client.get("/review/?lang=en").get_data(as_text=True), entry.decision_number)
    assert "another reviewer decides" in row and "approve" not in row
    client.post(f"/review/list_entry/{entry.id}/approve", data={"version": entry.version})
    make.db.session.refresh(entry)
    assert entry.status is S.PENDING_REVIEW


def test_a_clerk_sees_the_queue_without_actions(client, login, make):
    entry = make.entry(S.PENDING_REVIEW)
    login("clerk")
    row = _row(client.get("/review/").get_data(as_text=True), entry.decision_number)
    assert "/approve" not in row


def test_approve_and_return_from_the_queue(client, login, make):
    first, second = make.entry(S.PENDING_REVIEW), make.entry(S.PENDING_REVIEW)
    login("reviewer")
    assert client.post(f"/review/list_entry/{first.id}/approve", data={"version": first.version}).status_code == 302
    client.post(f"/review/list_entry/{second.id}/return", data={"version": second.version, "comment": ""})
    make.db.session.refresh(second)
    assert second.status is S.PENDING_REVIEW  # no comment, no return
    client.post(f"/review/list_entry/{second.id}/return", data={"version": second.version, "comment": "补充"})
    make.db.session.refresh(first)
    make.db.session.refresh(second)
    assert (first.status, second.status) == (S.IN_PUBLICITY, S.DRAFT)
    assert second.review_comment == "补充"


def test_a_stale_queue_decision_is_refused(client, login, make):
    entry = make.entry(S.PENDING_REVIEW)
    login("reviewer")
    response = client.post(f"/review/list_entry/{entry.id}/approve?lang=en", data={"version": entry.version + 1},
                           follow_redirects=True)
    assert "changed by someone else" in response.get_data(as_text=True)


def test_another_units_item_cannot_be_decided_from_the_queue(client, login, make):
    entry = make.entry(S.PENDING_REVIEW, unit="CS")
    login("reviewer", unit="JJC")
    response = client.post(f"/review/list_entry/{entry.id}/approve?lang=en", data={"version": entry.version},
                           follow_redirects=True)
    assert "Not found" in response.get_data(as_text=True)
    make.db.session.refresh(entry)
    assert entry.status is S.PENDING_REVIEW


@pytest.mark.parametrize(("role", "unit"), [("admin", "FGC"), ("auditor", "XXZX")])
def test_admins_and_auditors_have_no_unit_queue(client, login, make, role, unit):
    entry = make.entry(S.PENDING_REVIEW)
    login(role, unit=unit)
    assert entry.decision_number not in client.get("/review/").get_data(as_text=True)
