"""the language switch keeps the page; search results say each subject's standing; the
lists have a keyword box; the subject page offers repair only when it is possible; one status lookup
for both kinds of application; the review queue's confirm step and outcome filter; the lockout
message; dates typed as 年-月-日; no internal codes on the pages."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from registry.applications.targets import target_key
from registry.core.identifiers import SubjectKind
from registry.core.settings import set_setting


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- #5 the language switch ------------------------------------------------------------------------

def test_the_language_switch_keeps_the_path_and_its_query(client, make):
    entry = make.entry("published")
    key = target_key(entry)
    page = client.get(f"/objections/new?record={key}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="en"', page).group(1)
    assert html.unescape(link) == f"/objections/new?record={key.replace(':', '%3A')}&lang=en"
    english = _page(client.get(html.unescape(link)))
    assert entry.decision_number in english and "File an objection" in english
    back = re.search(r'<a href="([^"]+)" lang="zh-CN"', english).group(1)
    assert "lang=en" not in back and back.endswith("lang=zh_CN") and "record=" in back


# --- #9 search and lists --------------------------------------------------------------------------

def test_search_results_show_each_subjects_standing(client, make, db):
    black = make.subject(name="湖南标记黑名单运输有限公司")
    red = make.subject(name="湖南标记红名单运输有限公司")
    pending = make.subject(name="湖南标记公示中运输有限公司")
    make.entry("published", subject=black)
    make.entry("published", subject=red, category="道路运输守信")
    make.entry("in_publicity", subject=pending)
    make.disclosure("published", subject=black)
    page = _page(client.get("/?q=湖南标记&lang=en"))
    rows = {name: re.search(rf"{name}.*?</li>", page, re.S).group(0) for name in (black.name, red.name, pending.name)}
    assert "Black list" in rows[black.name] and "Red list" not in rows[black.name]
    assert "Disclosures (双公示): 1" in rows[black.name]
    assert "Red list" in rows[red.name] and "Black list" not in rows[red.name]
    assert "In publicity" in rows[pending.name] and "Black list" not in rows[pending.name]


def test_a_vehicle_is_shown_by_its_plate_once(client, make):
    vehicle = make.subject(SubjectKind.VEHICLE, identifier="湘A7Q123", name="湘A7Q123")
    make.entry("published", subject=vehicle, category="严重超限超载")
    listed = _page(client.get("/lists/black"))
    assert listed.count("湘A7Q123") == 1


@pytest.mark.parametrize("query, hint", [("张伟", True), ("欧阳明华", True), ("长沙运输", False), ("湖南路桥", False)])
def test_a_search_for_a_persons_name_says_persons_are_found_by_id_number(client, query, hint):
    page = _page(client.get(f"/?q={query}&lang=en"))
    assert ("Persons are found by their resident ID number" in page) is hint


def test_the_list_pages_have_a_keyword_box(client, make):
    wanted = make.entry("published", subject=make.subject(name="湖南关键字甲运输有限公司"))
    other = make.entry("published", subject=make.subject(name="湖南另一家运输有限公司"))
    page = _page(client.get("/lists/black?q=关键字甲"))
    assert 'name="q"' in page and wanted.decision_number in page and other.decision_number not in page
    by_number = _page(client.get("/lists/black", query_string={"q": wanted.decision_number}))
    assert wanted.decision_number in by_number and other.decision_number not in by_number
    by_code = _page(client.get("/lists/black", query_string={"q": wanted.subject.identifier.lower()}))
    assert wanted.decision_number in by_code and other.decision_number not in by_code
    csv = client.get("/lists/black.csv?q=关键字甲").get_data(as_text=True)
    assert wanted.decision_number in csv and other.decision_number not in csv


def test_english_mode_names_the_seeded_categories_in_english(client, make):
    make.entry("published")
    page = _page(client.get("/lists/black?lang=en"))
    assert "Serious dishonesty in the highway construction market" in page
    assert "公路建设市场严重失信" in _page(client.get("/lists/black?lang=zh_CN"))


# --- #10 the subject page's repair link -----------------------------------------------------------

def test_the_subject_page_shows_the_earliest_repair_date_instead_of_a_dead_end(client, make, frozen):
    with frozen(date(2026, 3, 12)):
        entry = make.entry("published")  # valid from 2026-02-28, 12 months' minimum
        page = _page(client.get(f"/subjects/{entry.subject_id}?lang=en"))
    assert "Credit repair can be applied for from 2027-03-01." in page
    assert f"/repairs/new?record={target_key(entry)}" not in page
    assert "/objections/new?record=" in page


def test_a_repairable_entry_keeps_its_repair_button(client, make):
    entry = make.repairable_entry()
    page = _page(client.get(f"/subjects/{entry.subject_id}?lang=en"))
    assert f"/repairs/new?record={target_key(entry)}" in page


# --- #11 one status lookup --------------------------------------------------------------------------

def test_a_repair_receipt_on_the_navigations_status_lookup_opens_the_repair(client, make):
    application, code = make.repair(make.repairable_entry())
    assert application.receipt_number.startswith("XF")
    response = client.post("/objections/status?lang=en", data={"receipt_number": application.receipt_number,
                                                               "access_code": code})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/repairs/status/{application.receipt_number}")
    assert application.receipt_number in _page(client.get(response.headers["Location"]))


def test_an_objection_receipt_on_the_repair_lookup_opens_the_objection(client, make):
    objection, code = make.objection()
    response = client.post("/repairs/status", data={"receipt_number": objection.receipt_number, "access_code": code})
    assert response.headers["Location"].endswith(f"/objections/status/{objection.receipt_number}")


def test_the_lookup_page_says_both_kinds_and_their_prefixes(client):
    page = _page(client.get("/objections/status?lang=en"))
    assert "YY20260101-0001" in page and "XF20260101-0001" in page
    assert "Credit repair application" in page and "Objection" in page


# --- #12 the review queue ---------------------------------------------------------------------------

def test_approving_from_the_queue_is_a_confirm_step_and_outcomes_are_not_categories(client, login, make, db):
    from registry.objections import operations

    pending_entry = make.entry("pending_review")
    objection, _code = make.objection()
    clerk = make.user("clerk", unit=objection.unit.code)
    operations.accept(objection, clerk, objection.version)
    operations.prepare_decision(objection, clerk, objection.version, "upheld", "认定有误。")
    login("reviewer", unit=objection.unit.code)
    page = _page(client.get("/review/?lang=en"))
    assert '<details class="approve-box">' in page and "Confirm approval" in page
    category_select = re.search(r'<select id="category".*?</select>', page, re.S).group(0)
    outcome_select = re.search(r'<select id="outcome".*?</select>', page, re.S).group(0)
    assert "Upheld" in outcome_select and "Upheld" not in category_select
    assert pending_entry.category.name in category_select
    filtered = _page(client.get("/review/", query_string={"outcome": "objection.upheld", "lang": "en"}))
    assert objection.receipt_number in filtered and pending_entry.decision_number not in filtered
    # The filter is a code: the same link finds the same items in the other language.
    chinese = _page(client.get("/review/", query_string={"outcome": "objection.upheld", "lang": "zh_CN"}))
    assert objection.receipt_number in chinese and pending_entry.decision_number not in chinese
    assert 'value="objection.upheld" selected' in chinese


# --- #13 sign-in lockout (issue 30 §6: growing waits instead) -------------------------------------

def test_a_refused_sign_in_says_how_long_waits_last_and_whom_to_contact(client, make, db):
    make.user("clerk", email="lock@test.hn")
    page = _page(client.post("/login?lang=en", data={"email": "lock@test.hn", "password": "wrong"},
                             follow_redirects=True))
    assert "up to 15 minutes" in page and "contact the administrator of your unit" in page
    set_setting("login_help_contact", "信息中心 0731-88888888", actor=None)
    set_setting("login_lockout_minutes", "30", actor=None)
    db.session.commit()
    unknown = _page(client.post("/login?lang=en", data={"email": "nobody@test.hn", "password": "x"},
                                follow_redirects=True))
    assert "up to 30 minutes" in unknown and "contact 信息中心 0731-88888888" in unknown


def test_the_contact_is_a_text_setting_with_a_length_limit(client, login, db):
    login("admin")
    response = client.post("/admin/settings?lang=en", data={"login_help_contact": "x" * 201})
    assert "at most 200 characters" in _page(response)
    client.post("/admin/settings", data={"login_help_contact": "  信息中心   李工 "})
    from registry.core.settings import get_setting

    assert get_setting("login_help_contact") == "信息中心 李工"


# --- #14 favicon and dates -------------------------------------------------------------------------

def test_pages_have_a_favicon(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    with client.get(href) as icon:
        assert icon.status_code == 200 and b"<svg" in icon.data


def test_date_inputs_are_text_with_the_year_month_day_pattern(client):
    page = client.get("/lists/black").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="date_from"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'placeholder="年-月-日"' in field and 'pattern=' in field
    english = client.get("/lists/black?lang=en").get_data(as_text=True)
    assert 'placeholder="YYYY-MM-DD"' in english
    assert client.get("/lists/black?date_from=2026-1-5").status_code == 200


# --- #4 no internal codes --------------------------------------------------------------------------

def test_application_files_are_named_by_kind_not_by_code(client, login, make):
    application, _code = make.repair(make.repairable_entry())
    login("clerk", unit=application.unit.code)
    page = _page(client.get(f"/repairs/officer/{application.id}?lang=en"))
    assert "Repair application form" in page and ">application_form<" not in page and "application_form ·" not in page


def test_api_keys_show_readable_scopes_and_rates(client, login, make):
    make.api_key(rate="600/minute;10000/day")
    login("admin")
    page = _page(client.get("/admin/api-keys/"))
    assert "每分钟 600 次；每天 10000 次" in page
    assert "<code>credit" not in page


def test_the_calendar_page_names_no_package_or_command(client, login):
    login("admin")
    page = _page(client.get("/admin/calendar"))
    assert "flask " not in page and "chinesecalendar" not in page and "holidays" not in page


def test_the_header_shows_the_role_once(client, login, make):
    login(make.user("reviewer", name="李娜"))
    page = _page(client.get("/review/"))
    assert re.search(r'class="who">李娜 · [^<]+ · 核查员<', page)
