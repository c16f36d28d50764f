"""Every form posted with missing, oversized (100 KB) and malformed fields (PRODUCT §14): a 200 page
or a redirect or a 4xx, with a message saying what is wrong, never a 500.

The forms are those of the access matrix (every route taking POST), posted by a role that may
use them; the field names are read from the form the GET renders (so new fields are covered).
"""

from __future__ import annotations

import re

import pytest

from tests.factories import TEST_PASSWORD
from tests.security.test_access_matrix import ADMIN, CLERK, MATRIX, PUBLIC, REVIEWER, _url

FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
MESSAGE = re.compile(r'flash-error|class="[^"]*\berror\b|-error"', re.I)
OVERSIZED = "湘" * 50_000  # 150 KB of UTF-8
SELECTORS = {"action"}  # which of a page's forms is posted: kept, so the form's own fields are checked
MALFORMED = ["\x00", "-1", "9" * 40, "2026-13-45", "<script>alert(1)</script>", "' OR 1=1 --", "\ud7ff\u202e",
             "../../etc/passwd", "1e309", "NaN"]


def _user_for(access):
    rule = access.post
    if rule == PUBLIC:
        return None
    for role in (CLERK, REVIEWER, ADMIN):
        if role in rule:
            return role
    return "skip"


FORMS = sorted(endpoint for endpoint, access in MATRIX.items()
               if access.post not in (None,) and _user_for(access) != "skip" and not endpoint.startswith("api.")
               and endpoint not in ("accounts.logout",))


@pytest.mark.parametrize("endpoint", FORMS)
def test_bad_form_input_never_fails_the_server(app, client, db, world, endpoint):
    values, officers = world
    access = MATRIX[endpoint]
    role = _user_for(access)
    client.post("/logout")
    if role:
        client.post("/login", data={"email": officers[role].email, "password": TEST_PASSWORD})
    url = _url(app, endpoint, access, values)
    if endpoint in ("objections.new", "repairs.new"):  # the filing form of one public record
        url += "?record=" + values["objection_target" if endpoint == "objections.new" else "repair_target"]
    fields = set()
    if access.get is not None:
        page = client.get(url)
        fields = set(FIELD.findall(page.get_data(as_text=True))) - {"csrf_token", "q", "lang"}
    fields |= set(access.data)
    attempts = [("missing", {})]
    keep = {name: value for name, value in access.data.items() if name in SELECTORS}
    attempts.append(("oversized", dict.fromkeys(fields, OVERSIZED) | keep))
    for n, bad in enumerate(MALFORMED):
        attempts.append((f"malformed {n}", dict.fromkeys(fields, bad) | keep))
    problems = []
    for label, data in attempts:
        response = client.post(url, data=data)
        status = response.status_code
        if status >= 500:
            problems.append(f"{label}: {status}")
        elif status not in (200, 302, 303, 400, 404, 409, 413):
            problems.append(f"{label}: unexpected {status}")
        elif status == 200 and data and fields and not MESSAGE.search(response.get_data(as_text=True)):
            problems.append(f"{label}: 200 without any error message")
        response.close()
        db.session.rollback()
    assert not problems, f"POST {url} as {role or 'anonymous'} (fields {sorted(fields)}):\n" + "\n".join(problems)


def test_every_post_route_is_exercised():
    """Forms no role can post (nobody may acknowledge but 法规处) are checked by the matrix instead."""
    assert len(FORMS) > 30


@pytest.mark.parametrize("path", ["/objections/status/%00", "/?q=%00", "/repairs/status?receipt=a%00b",
                                  "/api/v1/credit/%00"])
def test_a_nul_character_anywhere_is_a_bad_request(client, path):
    """PostgreSQL text cannot hold NUL: such a request failed in the query (500) before it was refused."""
    response = client.get(path)
    assert response.status_code == 400
    assert client.post("/objections/status", data={"receipt": "\x00", "code": "x"}).status_code == 400
