"""Issue 34 §3: forms say everything at once, and where."""

from __future__ import annotations

import re

import sqlalchemy as sa

from registry.listing.models import ListEntry
from tests.conftest import count


def _errors(html: str) -> dict[str, str]:
    """{field id: its error} as the form shows them."""
    found = {}
    for match in re.finditer(r'id="([a-z_]+)-error"[^>]*>([^<]+)<', html):
        found[match.group(1)] = match.group(2)
    return found


def test_the_entry_form_has_no_default_list(client, login, db):
    login("clerk", unit="JJC")
    html = client.get("/officer/entries/new?lang=en").get_data(as_text=True)
    select = html[html.index('id="list_kind"'):html.index("</select>", html.index('id="list_kind"'))]
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first  # the browser shows "— choose —" until the officer picks a list
    assert "selected" not in select.replace(first, "")


def test_the_entry_form_shows_every_error_in_one_submit(client, login, db):
    login("clerk", unit="JJC")
    before = count(ListEntry)
    data = {"subject_kind": "organisation", "subject_identifier": "91430100MA4L0000X0",  # a wrong check character
            "list_kind": "", "category_id": "", "reason": "", "legal_basis": "", "decision_number": "",
            "decision_date": ""}
    response = client.post("/officer/entries/new?lang=en", data=data)
    errors = _errors(response.get_data(as_text=True))
    assert response.status_code in (200, 400)
    assert {"subject_identifier", "list_kind", "category_id", "reason", "legal_basis", "decision_number",
            "decision_date"} <= set(errors), errors
    assert "check" in errors["subject_identifier"].lower()
    assert count(ListEntry) == before


def _paused_message(client, email: str) -> str:
    from datetime import UTC, datetime

    from registry.core import clock

    with clock.frozen_at(datetime(2026, 10, 9, 2, 0, 30, tzinfo=UTC)):  # 10:00:30 in Changsha
        for _ in range(5):
            client.post("/login?lang=en", data={"email": email, "password": "not-the-password"})
        response = client.post("/login?lang=en", data={"email": email, "password": "not-the-password"})
    assert response.status_code == 429
    return re.findall(r'<p class="flash flash-error">(.*?)</p>', response.get_data(as_text=True), re.S)[0]


def test_a_paused_sign_in_says_until_when_and_tells_nobody_whether_the_account_exists(app, db, make):
    user = make.user("clerk")
    with app.test_client() as officer, app.test_client() as stranger:
        known = _paused_message(officer, user.email)
        unknown = _paused_message(stranger, "nobody-here@demo.hn")
    # The first wait is one minute: from 10:00:30, sign-in opens again at 10:02 at the latest.
    assert "paused until 10:02 (Beijing time)" in known and "Wrong email address or password" not in known
    assert known == unknown


def test_a_refused_public_form_sums_up_its_errors_at_the_top(client, make, db):
    from registry.applications.targets import target_key

    entry = make.entry("in_publicity")
    response = client.post("/objections/new?lang=en",
                           data={"record": target_key(entry), "applicant_kind": "organisation"})
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    summary = html[html.index('class="error-summary"'):html.index("</div>", html.index('class="error-summary"'))]
    opening = re.search(r'<div class="error-summary"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in opening and 'role="alert"' in opening  # the script can focus it
    targets = re.findall(r'href="#([a-z_0-9-]+)"', summary)
    assert targets and {"applicant_name", "grounds"} <= set(targets)
    for target in targets:  # each link leads to its field
        assert f'id="{target}"' in html
    # The hint stays in the field's description next to the error.
    grounds = re.search(r'<textarea[^>]*id="grounds"[^>]*>', html).group(0)
    assert "grounds-error" in grounds and "grounds-hint" in grounds


def test_the_repair_forms_choice_of_role_is_a_group_with_a_legend(client, make, db):
    from registry.applications.targets import target_key

    entry = make.repairable_entry()
    html = client.get(f"/repairs/new?record={target_key(entry)}&lang=en").get_data(as_text=True)
    group = html[html.index('<fieldset class="choices"'):]
    group = group[:group.index("</fieldset>")]
    assert "<legend>" in group and 'type="radio"' in group


def _file_an_objection(client, make):
    import io

    from registry.applications.targets import target_key
    from tests.files import PDF

    entry = make.entry("published")
    return client.post("/objections/new?lang=en", content_type="multipart/form-data", data={
        "record": target_key(entry), "applicant_kind": "organisation", "applicant_name": "湘潭路桥建设有限公司",
        "applicant_identifier": "91430100MA4L0UPG1Q", "phone": "0731-88880000", "email": "",
        "grounds": "该记录认定有误。", "files": [(io.BytesIO(PDF), "证据.pdf")]})


def test_the_page_after_filing_survives_reload_and_links_to_the_status(app, client, make, db):
    from registry.objections.models import Objection

    filed = _file_an_objection(client, make)
    assert filed.status_code == 302 and "/objections/filed/" in filed.headers["Location"]
    first, again = client.get(filed.headers["Location"]), client.get(filed.headers["Location"])  # a reload
    assert count(Objection) == 1  # reloading files nothing again
    for page in (first, again):
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "already being handled" not in body
        assert 'class="access-code">' in body and page.headers["Cache-Control"] == "no-store"
    receipt = db.session.scalar(sa.select(Objection.receipt_number))
    assert f'href="/objections/status/{receipt}"' in first.get_data(as_text=True)
    with app.test_client() as stranger:  # another browser never sees the code
        other = stranger.get(filed.headers["Location"])
        assert other.status_code == 302 and 'access-code' not in other.get_data(as_text=True)


def test_after_the_hour_the_page_after_filing_leads_to_the_status(client, make, db):
    from datetime import timedelta

    from registry.core import clock

    filed = _file_an_objection(client, make)
    with clock.frozen_at(clock.utcnow() + timedelta(hours=1, minutes=1)):
        later = client.get(filed.headers["Location"])
    assert later.status_code == 302 and "/objections/status/" in later.headers["Location"]
