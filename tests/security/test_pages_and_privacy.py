"""Every rendered page obeys the CSP (no inline script, style or handler), and public surfaces
never show unpublished data (PRODUCT §2, §10, §13).

The pages are those of the access matrix (every GET route), rendered for the anonymous public
and for an admin (who sees the most), with one record of each kind in existence.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.factories import TEST_PASSWORD, valid_resident_id
from tests.security.test_access_matrix import ADMIN, MATRIX, PUBLIC, _url

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _html_pages(app, client, world, roles):
    values, officers = world
    for role in roles:
        client.post("/logout")
        if role:
            client.post("/login", data={"email": officers[role].email, "password": TEST_PASSWORD})
        for endpoint, access in sorted(MATRIX.items()):
            if access.get is None or endpoint == "static":
                continue
            if role is None and access.get != PUBLIC:
                continue
            url = _url(app, endpoint, access, values)
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                yield url, role, response.get_data(as_text=True)
            response.close()


def test_no_page_carries_inline_script_or_style(app, client, world):
    problems, seen = [], 0
    for url, role, html in _html_pages(app, client, world, [None, ADMIN, "clerk"]):
        seen += 1
        for name, pattern in (("inline script", INLINE_SCRIPT), ("inline style", INLINE_STYLE),
                              ("event handler", INLINE_HANDLER), ("javascript: URL", JAVASCRIPT_URL)):
            found = pattern.search(html)
            if found:
                problems.append(f"{url} as {role or 'anonymous'}: {name} {found.group(0)[:80]!r}")
    assert seen > 60  # the crawl really rendered the pages
    assert not problems, "\n".join(problems)


# --- public surfaces show published data only ----------------------------------------------

SECRET = "内部意见甲乙丙"  # a review comment: internal
DRAFT_REASON = "未公开事由{}"


@pytest.fixture
def unpublished(make, db):
    """A person subject with one published entry, and entries of the same subject in every
    unpublished state, each with a distinctive reason and an internal comment."""
    reviewer = make.user("reviewer", name="核查员秘密名")
    person = make.subject("person", identifier=valid_resident_id(), name="公开人员甲")
    published = make.entry("published", subject=person, reviewer=reviewer, review_comment=SECRET)
    hidden = {}
    # A draft with a review comment is a returned entry.
    for status in ("draft", "pending_review", "withdrawn", "expired", "removed"):
        entry = make.entry(status, subject=person, reason=DRAFT_REASON.format(status),
                           decision_number=f"秘〔2026〕{status}号", review_comment=SECRET)
        hidden[status] = entry
    # Organisations are found by name even with nothing public (a clean result is an answer);
    # a person's name appears only with public records.
    other = make.subject("person", name="未公开人员乙")
    make.entry("pending_review", subject=other, reason=DRAFT_REASON.format("other"))
    db.session.commit()
    return person, published, hidden, reviewer


def _public_texts(client, person, api_key):
    pages = ["/", f"/?q={person.identifier}", f"/?q={person.name}", "/?q=人员乙", "/lists/black", "/lists/red",
             "/lists/black.csv", "/lists/red.csv", f"/subjects/{person.id}", "/disclosures", "/cases/typical",
             "/catalogue"]
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.status_code in (200, 404), path
        assert person.identifier not in response.request.path  # not even in a redirect's address
        yield path, response.get_data(as_text=True)
    headers = {"X-API-Key": api_key}
    for path in (f"/api/v1/credit/{person.identifier}", "/api/v1/changes"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        yield path, json.dumps(response.get_json(), ensure_ascii=False)


def test_public_pages_and_api_show_no_unpublished_data(client, make, unpublished):
    person, published, hidden, reviewer = unpublished
    _row, key = make.api_key()
    texts = dict(_public_texts(client, person, key))
    assert published.decision_number in texts[f"/subjects/{person.id}"]  # the published entry is there
    leaks = []
    for path, text in texts.items():
        for status, entry in hidden.items():
            if status in ("expired", "removed"):
                continue  # history of a subject may name past entries; their reasons are checked below
            for marker in (entry.reason, entry.decision_number):
                if marker in text:
                    leaks.append(f"{path}: {status} entry {marker}")
        for marker, what in ((SECRET, "internal comment"), (reviewer.name, "reviewer's name"),
                             (person.identifier, "full ID number"), (DRAFT_REASON.format("other"), "pending entry"),
                             ("未公开人员乙", "person with nothing public")):
            if marker in text:
                leaks.append(f"{path}: {what}")
    assert not leaks, "\n".join(leaks)


def test_a_subject_with_only_unpublished_entries_shows_none_of_them(client, make, db):
    subject = make.subject(name="仅有草稿有限公司")
    make.entry("draft", subject=subject)
    make.entry("pending_review", subject=subject)
    db.session.commit()
    response = client.get(f"/subjects/{subject.id}")
    assert response.status_code in (200, 404)  # a clean page (organisations are registered publicly) or none
    assert "在公路建设项目招投标中弄虚作假" not in response.get_data(as_text=True)
