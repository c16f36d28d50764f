"""The officer page of a list entry links to what other packages hold about it (registered through
``registry.listing.panels``): record a case, the decision notice, the breached commitments it
cites, the open objections and repair applications on it."""

from __future__ import annotations

import ast
import pathlib
from datetime import timedelta

import pytest

from registry.core import clock
from registry.listing.models import EntryStatus

S = EntryStatus
CASE_LINK = "/officer/cases/new?entry_id={id}"



def _page(client, entry) -> str:
    response = client.get(f"/officer/entries/{entry.id}?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _notice_url(app, entry) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for("documents.officer_notice", kind_name="list_entry", record_id=entry.id)


@pytest.mark.parametrize("state", list(EntryStatus))
def test_the_case_and_notice_links_follow_the_entry_state(client, make, login, app, state):
    login("clerk")
    entry = make.entry(state)
    body = _page(client, entry)
    assert (CASE_LINK.format(id=entry.id) in body) is (state is S.PUBLISHED)
    assert "Record a case" in body if state is S.PUBLISHED else "Record a case" not in body
    # The decision notice was issued at the approval: every approved entry has it.
    approved = state not in (S.DRAFT, S.PENDING_REVIEW)
    assert (_notice_url(app, entry) in body) is approved


@pytest.mark.parametrize(("role", "shown"), [("clerk", True), ("reviewer", True), ("auditor", False),
                                             ("admin", False)])
def test_record_a_case_only_for_officers_who_may_edit_the_unit(client, make, login, app, role, shown):
    entry = make.entry(S.PUBLISHED)
    login(role)
    body = _page(client, entry)
    assert (CASE_LINK.format(id=entry.id) in body) is shown
    assert _notice_url(app, entry) in body  # reading the notice is every officer's who sees the entry


def test_the_links_lead_to_the_case_form_and_the_notice(client, make, login, app):
    login("clerk")
    entry = make.entry(S.PUBLISHED)
    form = client.get(CASE_LINK.format(id=entry.id) + "&lang=en").get_data(as_text=True)
    assert entry.decision_number in form
    notice = client.get(_notice_url(app, entry))
    assert notice.status_code == 200 and notice.data.startswith(b"%PDF")


def test_the_breached_commitments_cited_by_the_entry_are_listed(client, make, login, db):
    from registry.commitments import operations as commitment_ops
    from tests.factories.objections import PDF

    clerk = login("clerk")
    entry = make.entry(S.PUBLISHED)
    assert "Breached commitments cited" not in _page(client, entry)
    signed = clock.today() - timedelta(days=60)
    commitment = commitment_ops.record_commitment(actor=clerk, subject=entry.subject, kind="bidding", signed_on=signed,
                                                  matter="某工程施工招标信用承诺", file_data=PDF, filename="承诺书.pdf")
    commitment_ops.mark_breached(commitment, actor=clerk, breached_on=signed + timedelta(days=10),
                                 note="投标材料造假。")
    other = commitment_ops.record_commitment(actor=clerk, subject=entry.subject, kind="licensing", signed_on=signed,
                                             matter="未被引用的承诺", file_data=PDF, filename="承诺书.pdf")
    commitment_ops.link_to_entry(commitment, entry, actor=clerk)
    body = _page(client, entry)
    assert "Breached commitments cited" in body and "某工程施工招标信用承诺" in body
    assert f"/officer/commitments/{commitment.id}" in body and "未被引用的承诺" not in body
    assert f"/officer/commitments/{other.id}\"" not in body


def test_open_objections_are_listed_with_links_until_they_are_finished(client, make, login, db):
    from registry.objections import operations as objection_ops

    entry = make.entry(S.IN_PUBLICITY)
    objection, _code = make.objection(entry)
    clerk = login("clerk")
    body = _page(client, entry)
    assert f"/objections/officer/{objection.id}" in body and objection.receipt_number in body
    objection_ops.reject(objection, clerk, objection.version, "不属于受理范围。")
    assert "Rejection as inadmissible prepared" in _page(client, entry)  # still open: the reviewer confirms
    objection_ops.confirm_rejection(objection, make.user("reviewer"), objection.version)
    assert f"/objections/officer/{objection.id}" not in _page(client, entry)


def test_an_open_repair_application_is_listed_with_its_link(client, make, login, db):
    entry = make.repairable_entry()
    application, _code = make.repair(entry)
    login("reviewer")
    body = _page(client, entry)
    assert f"/repairs/officer/{application.id}" in body and application.receipt_number in body
    assert "<h2>Credit repair applications</h2>" in body and "<h2>Objections</h2>" not in body


def test_listing_imports_none_of_the_packages_built_on_it():
    """ARCHITECTURE: a package imports only packages below it (and the mechanisms, documents among
    them); the higher ones register panels."""
    higher = {"cases", "evaluations", "commitments", "objections", "repairs", "catalogue", "ledger",
              "exchange", "review", "public", "api", "admin", "gendata", "oversight"}
    folder = pathlib.Path(__file__).resolve().parents[2] / "registry" / "listing"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                parts = name.split(".")
                assert not (parts[0] == "registry" and len(parts) > 1 and parts[1] in higher), (path.name, name)
