"""Issue 34 §1: no page shows a link its reader may not follow, and a refusal offers a way back."""

from __future__ import annotations

import re

import pytest

from registry.applications.models import files_of
from registry.core.audit import record_event


@pytest.mark.parametrize("role, unit", [("admin", "FGC"), ("auditor", "XXZX"), ("clerk", "JJC")])
@pytest.mark.parametrize("kind", ["objection", "repair"])
def test_whoever_sees_the_file_list_opens_its_files(client, make, db, login, role, unit, kind):
    application = make.objection()[0] if kind == "objection" else make.repair(make.repairable_entry())[0]
    row = files_of(kind, application.id)[0]
    login(role, unit=unit)
    page = client.get(f"/{kind}s/officer/{application.id}").get_data(as_text=True)
    link = f"/{kind}s/officer/{application.id}/files/{row.id}"
    assert f'href="{link}"' in page
    response = client.get(link)
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")


def test_another_units_officer_still_finds_no_file(client, make, db, login):
    objection, _ = make.objection()
    (row,) = files_of("objection", objection.id)
    login("clerk", unit="CS")
    assert client.get(f"/objections/officer/{objection.id}/files/{row.id}").status_code == 404


def _user_event(db, make):
    admin, officer = make.user("admin", unit="FGC"), make.user("clerk", unit="JJC")
    record_event("users.update", actor=admin, object_type="users", object_id=officer.id)
    db.session.flush()
    return officer


def test_the_auditor_follows_a_user_to_what_the_user_did(client, make, db, login):
    officer = _user_event(db, make)
    login("auditor", unit="XXZX")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"/admin/users/{officer.id}" not in page  # an administrator's page: 403 for the auditor
    link = f"/admin/audit?officer={officer.id}"
    assert f'href="{link}"' in page and client.get(link).status_code == 200


def test_the_administrator_opens_the_user(client, make, db, login):
    officer = _user_event(db, make)
    login("admin", unit="FGC")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f'href="/admin/users/{officer.id}"' in page
    assert client.get(f"/admin/users/{officer.id}").status_code == 200


def test_a_clerk_sees_other_units_cases_without_links(client, make, db, login):
    own, foreign = make.case(unit="JJC"), make.case(unit="CS")
    login("clerk", unit="JJC")
    for url in ("/officer/cases/effectiveness", f"/officer/subjects/{foreign.entry.subject_id}"):
        page = client.get(url).get_data(as_text=True)
        assert f'href="/officer/cases/{foreign.id}"' not in page, url
    assert f'href="/officer/cases/{own.id}"' in client.get("/officer/cases/effectiveness").get_data(as_text=True)
    assert client.get(f"/officer/cases/{foreign.id}").status_code == 404  # why the link must not be shown


def test_the_refusal_page_leads_back_where_the_officer_was(client, make, db, login):
    login("clerk", unit="JJC")
    came_from = "http://localhost/officer/entries/?status=draft"
    page = client.get("/admin/users", headers={"Referer": came_from}, query_string={"lang": "en"})
    body = page.get_data(as_text=True)
    assert page.status_code == 403
    assert 'href="/officer/entries/?status=draft"' in body and "Back to the page you came from" in body
    assert 'href="/workbench"' in body


@pytest.mark.parametrize("referer", ["https://evil.example/phish", "http://localhost/admin/users", "not a url"])
def test_the_way_back_never_leads_off_the_site_or_to_the_refusal(client, make, db, login, referer):
    login("clerk", unit="JJC")
    body = client.get("/admin/users", headers={"Referer": referer}).get_data(as_text=True)
    assert "evil.example" not in body and not re.search(r'href="[^"]*/admin/users"', body)


def test_the_favicon_is_served_where_clients_ask_for_it(client, db):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)
