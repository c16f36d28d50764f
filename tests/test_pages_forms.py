"""Issue 34 §3: forms say everything at once, and where."""

from __future__ import annotations

import re

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
