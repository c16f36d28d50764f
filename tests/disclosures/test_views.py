"""Disclosure pages: public search and detail (published, within period, IDs masked), officer pages."""

from __future__ import annotations

from datetime import date

import pytest

from registry.disclosures.models import Disclosure, DisclosureStatus, Severity
from tests.conftest import count
from tests.factories.disclosures import AUTHORITY_USCC

S = DisclosureStatus
TODAY = date(2026, 10, 9)


def test_public_list_shows_only_visible_and_masks_person_ids(client, make, frozen):
    shown = make.disclosure(S.PUBLISHED, decision_date=date(2026, 9, 30), person=True)
    hidden = [
        make.disclosure(S.DRAFT, decision_date=date(2026, 9, 30)),
        make.disclosure(S.PENDING_REVIEW, decision_date=date(2026, 9, 30)),
        make.disclosure(S.PUBLISHED, decision_date=date(2025, 10, 8)),  # general: last day 2026-10-08
        make.disclosure(S.NOT_PUBLIC, decision_date=date(2026, 9, 30), severity=Severity.MINOR,
                        publication_deadline=None, penalty_type="warning", fine_amount=None),
    ]
    with frozen(TODAY):
        page = client.get("/disclosures").get_data(as_text=True)
        assert shown.decision_number in page
        assert shown.party_identifier not in page and shown.public_party_identifier in page
        for row in hidden:
            assert row.decision_number not in page
            assert client.get(f"/disclosures/{row.id}").status_code == 404
        detail = client.get(f"/disclosures/{shown.id}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert shown.party_identifier not in text and shown.public_party_identifier in text


def test_public_search_filters(client, make, frozen):
    a = make.disclosure(S.PUBLISHED, decision_date=date(2026, 9, 30), party_name="长沙通达公路工程有限公司")
    b = make.disclosure(S.PUBLISHED, unit="YSC", kind="licence", decision_date=date(2026, 6, 1),
                        licence_valid_from=date(2026, 6, 1))
    with frozen(TODAY):
        def found(**query):
            page = client.get("/disclosures", query_string=query).get_data(as_text=True)
            return {d.decision_number for d in (a, b) if d.decision_number in page}

        assert found() == {a.decision_number, b.decision_number}
        assert found(q="通达") == {a.decision_number}
        assert found(q=a.party_identifier.lower()) == {a.decision_number}
        assert found(kind="licence") == {b.decision_number}
        assert found(unit=str(b.unit_id)) == {b.decision_number}
        assert found(date_from="2026-09-01") == {a.decision_number}
        assert found(date_to="2026-09-01") == {b.decision_number}
        assert client.get("/disclosures?date_from=not-a-date").status_code == 200
        assert client.get("/disclosures?page=-5").status_code == 200


def test_subject_page_section_public_and_officer(client, make, login, frozen):
    published = make.disclosure(S.PUBLISHED, decision_date=date(2026, 9, 30))
    draft = make.disclosure(S.DRAFT, decision_date=date(2026, 9, 30), party_identifier=published.party_identifier)
    with frozen(TODAY):
        public = client.get(f"/subjects/{published.subject_id}").get_data(as_text=True)
        assert published.decision_number in public and draft.decision_number not in public
        login("clerk")
        officer = client.get(f"/officer/subjects/{published.subject_id}").get_data(as_text=True)
    assert published.decision_number in officer and draft.decision_number in officer


FORM = {
    "kind": "penalty", "party_name": "湖南表单运输有限公司", "party_category": "organisation",
    "legal_representative": "周九", "decision_number": "湘交罚〔2026〕表1号", "decision_date": "2026-09-30",
    "authority_name": "湖南省交通运输厅", "authority_uscc": AUTHORITY_USCC, "source_unit_name": "基建处",
    "violation_type": "超限", "violation_facts": "超限运输", "legal_basis": "条例", "penalty_type": "fine",
    "penalty_content": "罚款", "fine_amount": "0.5", "severity": "general",
}


def test_clerk_creates_submits_reviewer_approves_through_pages(client, db, make, login, frozen):
    from tests.factories.core import valid_uscc

    clerk = login("clerk")
    with frozen(TODAY):
        response = client.post("/officer/disclosures/new", data={**FORM, "party_identifier": valid_uscc()})
        assert response.status_code == 302, response.get_data(as_text=True)
        d = Disclosure.query.filter_by(created_by_id=clerk.id).one()
        show = client.get(f"/officer/disclosures/{d.id}").get_data(as_text=True)
        assert "2026-10-15" in show
        client.post(f"/officer/disclosures/{d.id}/submit", data={"version": d.version})
        assert client.get("/review/").status_code == 200
        login("reviewer")
        page = client.get(f"/officer/disclosures/{d.id}").get_data(as_text=True)
        assert "disclosure.submit" in page
        db.session.refresh(d)
        client.post(f"/officer/disclosures/{d.id}/approve", data={"version": d.version})
        assert client.get(f"/disclosures/{d.id}").status_code == 200


@pytest.mark.parametrize(("field", "value"), [
    ("fine_amount", "abc"), ("fine_amount", "-1"), ("decision_date", "2026-12-01"), ("penalty_type", ""),
    ("authority_uscc", "123456"),
])
def test_form_errors_name_the_field_and_store_nothing(client, login, frozen, field, value):
    from tests.factories.core import valid_uscc

    login("clerk")
    before = count(Disclosure)
    with frozen(TODAY):
        response = client.post("/officer/disclosures/new", data={**FORM, "party_identifier": valid_uscc(),
                                                                 field: value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page or "flash-error" in page
    assert count(Disclosure) == before


def test_foreign_unit_officer_gets_404(client, make, login):
    d = make.disclosure(S.DRAFT)
    login("clerk", unit="YSC")
    assert client.get(f"/officer/disclosures/{d.id}").status_code == 404
    assert client.post(f"/officer/disclosures/{d.id}/submit", data={"version": d.version}).status_code == 404
    assert d.decision_number not in client.get("/officer/disclosures/").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, make):
    d = make.disclosure(S.DRAFT)
    assert client.get(f"/officer/disclosures/{d.id}").status_code == 302
    assert client.get("/officer/disclosures/import").status_code == 302


def test_auditor_reads_but_cannot_create(client, make, login):
    d = make.disclosure(S.DRAFT)
    login("auditor", unit="XXZX")
    assert client.get(f"/officer/disclosures/{d.id}").status_code == 200
    assert client.get("/officer/disclosures/new").status_code == 403
    assert client.get("/officer/disclosures/import").status_code == 403


def test_edit_of_non_draft_is_refused(client, make, login):
    clerk = login("clerk")
    d = make.disclosure(S.PUBLISHED, created_by=clerk)
    response = client.get(f"/officer/disclosures/{d.id}/edit")
    assert response.status_code == 302


def test_demo_data_loads_every_state_idempotently(app, db):
    from registry.accounts.seed import demo_users
    from registry.disclosures.seed import demo_disclosures
    from registry.subjects.seed import demo_subjects

    demo_users()
    demo_subjects()
    demo_disclosures()
    first = count(Disclosure)
    demo_disclosures()
    assert count(Disclosure) == first
    states = {d.status for d in Disclosure.query.all()}
    assert states >= {S.DRAFT, S.PENDING_REVIEW, S.PUBLISHED, S.NOT_PUBLIC, S.CORRECTED, S.EXPIRED, S.REMOVED}
