"""The officer pages of the lists, the subject-page section and the category admin pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from registry.core import clock
from registry.core.audit import AuditEvent
from registry.listing.models import EntryStatus, ListCategory, ListEntry
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories import valid_uscc

S = EntryStatus


def _form(make, **overrides):
    cat = make.category()
    data = {
        "subject_kind": "organisation", "subject_identifier": valid_uscc(), "subject_name": "新登记工程有限公司",
        "list_kind": "black", "category_id": str(cat.id), "measure_ids": [str(m.id) for m in cat.measures],
        "reason": "弄虚作假", "legal_basis": "《公路建设市场信用信息管理办法》", "decision_number": "湘交〔2026〕7号",
        "decision_date": (clock.today() - timedelta(days=2)).isoformat(),
        "valid_until": "",
    }
    data.update(overrides)
    return data


def test_clerk_creates_a_draft_registering_the_subject_inline(client, login, make):
    login("clerk")
    data = _form(make, subject_identifier=" " + valid_uscc().lower() + " ")
    response = client.post("/officer/entries/new", data=data)
    assert response.status_code == 302
    entry = make.db.session.scalars(sa.select(ListEntry).order_by(ListEntry.id.desc())).first()
    assert entry.status is S.DRAFT and entry.subject.name == "新登记工程有限公司"
    page = client.get(response.location).get_data(as_text=True)
    assert "湘交〔2026〕7号" in page and "list_entry.create" in page


def test_an_existing_subject_is_found_by_identifier(client, login, make):
    subject = make.subject()
    login("clerk")
    client.post("/officer/entries/new", data=_form(make, subject_identifier=subject.identifier, subject_name=""))
    entry = make.db.session.scalars(sa.select(ListEntry).order_by(ListEntry.id.desc())).first()
    assert entry.subject_id == subject.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject_identifier": "91430100MA00000001"}, "check"),
        ({"subject_name": ""}, "name"),
        ({"category_id": "other-list"}, "other list"),
        ({"measure_ids": ["999999"]}, "Unknown measure"),
        ({"valid_until": "2000-01-01"}, "validity end"),
        ({"decision_date": "2999-01-01"}, "future"),
        ({"decision_date": "not a date"}, "date"),
        ({"reason": ""}, "required"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(client, login, make, overrides, message):
    if overrides.get("category_id") == "other-list":
        overrides["category_id"] = str(make.category("道路运输守信").id)
    login("clerk")
    entries, subjects = count(ListEntry), count(Subject)
    response = client.post("/officer/entries/new?lang=en", data=_form(make, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "field-error" in page and message.lower() in page.lower()
    assert (count(ListEntry), count(Subject)) == (entries, subjects)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admins_and_auditors_do_not_draft(client, login, role):
    login(role, unit="FGC")
    assert client.get("/officer/entries/new").status_code == 403


def test_edit_a_draft_and_not_a_submitted_entry(client, login, make):
    clerk = login("clerk")
    entry = make.entry(S.DRAFT, creator=clerk)
    form = _form(make, subject_identifier=entry.subject.identifier, version="1", reason="更正后的事由")
    assert client.post(f"/officer/entries/{entry.id}/edit", data=form).status_code == 302
    make.db.session.refresh(entry)
    assert entry.reason == "更正后的事由" and entry.version == 2
    pending = make.entry(S.PENDING_REVIEW, creator=clerk)
    response = client.post(f"/officer/entries/{pending.id}/edit?lang=en", data=form, follow_redirects=True)
    assert "Only a draft can be edited" in response.get_data(as_text=True)
    make.db.session.refresh(pending)
    assert pending.reason != "更正后的事由"


def test_a_stale_edit_says_someone_else_changed_it(client, login, make):
    clerk = login("clerk")
    entry = make.entry(S.DRAFT, creator=clerk)
    form = _form(make, subject_identifier=entry.subject.identifier, version="7")
    page = client.post(f"/officer/entries/{entry.id}/edit?lang=en", data=form).get_data(as_text=True)
    assert "changed by someone else" in page


@pytest.mark.parametrize("path", ["", "/edit"])
@pytest.mark.parametrize("role", ["clerk", "reviewer"])
def test_another_units_entry_is_not_found(client, login, make, path, role):
    entry = make.entry(S.DRAFT, unit="CS")
    login(role, unit="JJC")
    assert client.get(f"/officer/entries/{entry.id}{path}").status_code == 404


@pytest.mark.parametrize("action", ["submit", "approve", "return", "revoke"])
def test_another_units_entry_cannot_be_acted_on(client, login, make, action):
    entry = make.entry(S.PENDING_REVIEW, unit="CS")
    login("reviewer", unit="JJC")
    response = client.post(f"/officer/entries/{entry.id}/{action}", data={"version": entry.version, "comment": "x"})
    assert response.status_code == 404
    make.db.session.refresh(entry)
    assert entry.status is S.PENDING_REVIEW


def test_the_unit_list_shows_only_the_unit_and_filters(client, login, make):
    mine, published = make.entry(S.DRAFT), make.entry(S.PUBLISHED)
    foreign = make.entry(S.DRAFT, unit="CS")
    login("clerk")
    page = client.get("/officer/entries/").get_data(as_text=True)
    assert mine.decision_number in page and published.decision_number in page
    assert foreign.decision_number not in page
    filtered = client.get("/officer/entries/?status=published&list_kind=black").get_data(as_text=True)
    assert published.decision_number in filtered and mine.decision_number not in filtered
    assert mine.decision_number not in client.get("/officer/entries/?list_kind=red").get_data(as_text=True)


def test_the_full_journey_on_the_detail_page(client, login, make):
    clerk = make.user("clerk")
    reviewer = make.user("reviewer")
    entry = make.entry(S.DRAFT, creator=clerk)
    login(clerk)
    client.post(f"/officer/entries/{entry.id}/submit", data={"version": "1"})
    login(reviewer)
    page = client.get(f"/officer/entries/{entry.id}?lang=en").get_data(as_text=True)
    assert 'name="version" type="hidden" value="2"' in page and "Approve" in page
    response = client.post(f"/officer/entries/{entry.id}/return?lang=en", data={"version": "2", "comment": ""},
                           follow_redirects=True)
    assert "needs a comment" in response.get_data(as_text=True)
    client.post(f"/officer/entries/{entry.id}/return", data={"version": "2", "comment": "请补充文号"})
    make.db.session.refresh(entry)
    assert entry.status is S.DRAFT
    login(clerk)
    assert "请补充文号" in client.get(f"/officer/entries/{entry.id}").get_data(as_text=True)
    client.post(f"/officer/entries/{entry.id}/submit", data={"version": "3"})
    login(reviewer)
    stale = client.post(f"/officer/entries/{entry.id}/approve?lang=en", data={"version": "2"}, follow_redirects=True)
    assert "changed by someone else" in stale.get_data(as_text=True)
    client.post(f"/officer/entries/{entry.id}/approve", data={"version": "4"})
    make.db.session.refresh(entry)
    assert entry.status is S.IN_PUBLICITY
    actions = [e.action for e in make.db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "list_entry", AuditEvent.object_id == entry.id))]
    assert actions == ["list_entry.submit", "list_entry.return", "list_entry.submit", "list_entry.approve"]


def test_own_submission_shows_no_decision_buttons(client, login, make):
    reviewer = make.user("reviewer")
    entry = make.entry(S.PENDING_REVIEW, creator=reviewer)
    login(reviewer)
    page = client.get(f"/officer/entries/{entry.id}?lang=en").get_data(as_text=True)
    assert "another reviewer decides" in page and ">Approve<" not in page
    client.post(f"/officer/entries/{entry.id}/approve", data={"version": entry.version})
    make.db.session.refresh(entry)
    assert entry.status is S.PENDING_REVIEW


def test_revoking_on_the_entry_page_only_prepares_the_removal(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("reviewer")
    response = client.post(f"/officer/entries/{entry.id}/revoke?lang=en", data={"version": entry.version},
                           follow_redirects=True)
    assert "needs the reason" in response.get_data(as_text=True)
    response = client.post(f"/officer/entries/{entry.id}/revoke?lang=en",
                           data={"version": entry.version, "reason": "决定被撤销"}, follow_redirects=True)
    assert "another reviewer of the unit confirms it" in response.get_data(as_text=True)
    make.db.session.refresh(entry)
    assert entry.status is S.PUBLISHED


def test_unknown_action_is_not_found(client, login, make):
    entry = make.entry(S.DRAFT)
    login("clerk")
    assert client.post(f"/officer/entries/{entry.id}/publish", data={"version": "1"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Subject page section


def _section(app, subject, *, public, user=None):
    """The list section of a subject page, loaded and rendered on its own (other packages' sections
    are not this package's to test)."""
    from flask import render_template
    from flask_login import login_user

    from registry.listing.views import public_subject_entries, subject_entries
    from registry.readmodel.records import public_records

    with app.test_request_context("/"):
        if user is not None:
            login_user(user)
        if public:  # the public page reads the subject's public records
            context = public_subject_entries(subject, public_records([subject.id], clock.today())[subject.id])
        else:
            context = subject_entries(subject, public=public)
        html = render_template("listing/_subject_section.html", context=context, public=public)
    return context, html


def test_public_subject_section_shows_publicity_and_published_only(app, make):
    subject = make.subject()
    shown = {state: make.entry(state, subject=subject) for state in EntryStatus}
    context, html = _section(app, subject, public=True)
    assert {e.status for e in context["entries"]} == {S.IN_PUBLICITY, S.PUBLISHED}
    assert "公示中" in html and "/officer/" not in html
    for state, entry in shown.items():
        assert (entry.decision_number in html) is (state in (S.IN_PUBLICITY, S.PUBLISHED)), state


def test_public_section_leaves_out_an_entry_past_its_validity_before_the_nightly_check(app, make):
    """As the public lists and the API do: ``valid_until >= today``, whatever the status says."""
    subject = make.entry(S.PUBLISHED).subject
    today = clock.today()
    lapsed = make.entry(S.PUBLISHED, subject=subject, valid_until=today - timedelta(days=1))
    last_day = make.entry(S.PUBLISHED, subject=subject, valid_until=today)
    officer = make.user("clerk")
    context, html = _section(app, subject, public=True)
    shown = {e.id for e in context["entries"]}
    assert lapsed.id not in shown and lapsed.decision_number not in html
    assert last_day.id in shown and last_day.decision_number in html
    context, html = _section(app, subject, public=False, user=officer)
    assert lapsed in context["entries"] and lapsed.decision_number in html  # officers still see it


def test_public_section_marks_an_open_objection(app, make):
    from registry.core.holds import HoldKind, open_hold

    entry = make.entry(S.IN_PUBLICITY)
    open_hold("list_entry", entry.id, HoldKind.OBJECTION, source_id=entry.id)
    _context, html = _section(app, entry.subject, public=True)
    assert "异议处理中" in html


def test_officer_subject_section_shows_own_unit_entries(app, make):
    subject = make.subject()
    draft, foreign = make.entry(S.DRAFT, subject=subject), make.entry(S.EXPIRED, subject=subject, unit="CS")
    context, html = _section(app, subject, public=False, user=make.user("clerk"))
    assert [e.id for e in context["entries"]] == [draft.id]
    assert draft.decision_number in html and foreign.decision_number not in html
    auditor_context, _html = _section(app, subject, public=False, user=make.user("auditor", unit="XXZX"))
    assert {e.id for e in auditor_context["entries"]} == {draft.id, foreign.id}


# ---------------------------------------------------------------------------------------------
# Category admin


def test_admin_edits_a_category(client, login, make):
    admin = login("admin", unit="FGC")
    category = make.category("严重超限超载")
    page = client.get(f"/admin/list-categories/{category.id}?lang=en").get_data(as_text=True)
    assert "Validity (months)" in page and 'max="120" min="1" name="validity_months"' in page
    assert 'name="validity_months" required type="number" value="24"' in page
    data = {"name": category.name, "list_kind": "black", "validity_months": "30", "repair_allowed": "y",
            "repair_min_months": "6", "display_order": "5", "is_active": "y",
            "measure_ids": [str(make.measure("HB-07").id)]}
    assert client.post(f"/admin/list-categories/{category.id}", data=data).status_code == 302
    make.db.session.refresh(category)
    assert (category.validity_months, category.repair_min_months) == (30, 6)
    assert [m.code for m in category.measures] == ["HB-07"]
    event = make.db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "list_category")).one()
    assert event.actor_id == admin.id and "validity_months" in event.details_dict
    page = client.get("/admin/list-categories?lang=en").get_data(as_text=True)
    assert "after 6 months" in page


@pytest.mark.parametrize(("field", "value"), [
    ("validity_months", "0"), ("validity_months", "121"), ("validity_months", "1.5"),
    ("repair_min_months", "-1"), ("repair_min_months", "121"),
])
def test_a_category_refuses_a_period_out_of_range(client, login, make, field, value):
    login("admin", unit="FGC")
    category = make.category("严重超限超载")
    data = {"name": category.name, "list_kind": "black", "validity_months": "24", "repair_allowed": "y",
            "repair_min_months": "12", "display_order": "1", "is_active": "y", field: value}
    response = client.post(f"/admin/list-categories/{category.id}?lang=en", data=data)
    assert response.status_code == 200
    make.db.session.refresh(category)
    assert (category.validity_months, category.repair_min_months) == (24, 12)


@pytest.mark.parametrize(("field", "value"), [
    ("validity_months", 0), ("validity_months", 121), ("validity_months", "36"), ("repair_min_months", -1),
    ("repair_min_months", 121),
])
def test_save_category_refuses_a_period_out_of_range(db, make, field, value):
    from registry.core.errors import ValidationFailed
    from registry.listing.categories import save_category

    values = {"name": "治超失信", "list_kind": "black", "validity_months": 24, "repair_allowed": True,
              "repair_min_months": 12, "display_order": 0, "is_active": True, "measure_ids": [], field: value}
    with pytest.raises(ValidationFailed) as refused:
        save_category(None, actor=make.user("admin", unit="FGC"), **values)
    assert refused.value.field == field
    assert count(ListCategory, ListCategory.name == "治超失信") == 0


@pytest.mark.parametrize(("column", "value"), [("validity_months", 0), ("validity_months", 121),
                                                ("repair_min_months", -1), ("repair_min_months", 121)])
def test_the_database_refuses_a_period_out_of_range(db, make, column, value):
    from sqlalchemy.exc import IntegrityError

    category = make.category()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(ListCategory).where(ListCategory.id == category.id).values({column: value}))


def test_a_category_refuses_a_measure_of_the_other_list(client, login, make):
    login("admin", unit="FGC")
    category = make.category("严重超限超载")
    data = {"name": category.name, "list_kind": "black", "validity_months": "24", "repair_min_months": "12",
            "display_order": "1", "is_active": "y", "measure_ids": [str(make.measure("HH-01").id)]}
    page = client.post(f"/admin/list-categories/{category.id}?lang=en", data=data).get_data(as_text=True)
    assert "belongs to the other list" in page
    assert [m.code for m in category.measures] != ["HH-01"]


def test_admin_adds_a_category(client, login, make):
    login("admin", unit="FGC")
    data = {"name": "治超失信", "list_kind": "black", "validity_months": "12", "repair_min_months": "12",
            "display_order": "90", "is_active": "y"}
    assert client.post("/admin/list-categories/new", data=data).status_code == 302
    assert make.db.session.scalar(sa.select(ListCategory).where(ListCategory.name == "治超失信")) is not None


@pytest.mark.parametrize(("role", "unit", "get", "post"), [
    ("auditor", "XXZX", 200, 403), ("clerk", "JJC", 403, 403), ("reviewer", "JJC", 403, 403),
])
def test_category_admin_access(client, login, make, role, unit, get, post):
    login(role, unit=unit)
    category = make.category()
    assert client.get("/admin/list-categories").status_code == get
    assert client.get(f"/admin/list-categories/{category.id}").status_code == get
    assert client.post(f"/admin/list-categories/{category.id}", data={"name": "x"}).status_code == post
