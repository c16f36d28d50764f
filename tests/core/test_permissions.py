"""Role and unit scoping (PRODUCT §1, §13): the predicates views, templates and operations share."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from registry.accounts.models import User
from registry.core.permissions import (
    Role,
    can_edit_unit,
    can_read_audit,
    can_review,
    can_see_unit,
    ensure_can_see,
    is_admin,
    scope_to_user,
)

ROLES = ["clerk", "reviewer", "admin", "auditor"]


@pytest.fixture
def units(make):
    return make.unit("JJC"), make.unit("CS")


@pytest.mark.parametrize(
    "role, own, other",
    [("clerk", True, False), ("reviewer", True, False), ("admin", True, True), ("auditor", True, True)],
)
def test_can_see_unit(make, units, role, own, other):
    user = make.user(role, unit="JJC")
    assert can_see_unit(user, units[0].id) is own
    assert can_see_unit(user, units[1].id) is other


@pytest.mark.parametrize(
    "role, own, other",
    [("clerk", True, False), ("reviewer", True, False), ("admin", False, False), ("auditor", False, False)],
)
def test_can_edit_unit_only_for_clerks_and_reviewers_of_that_unit(make, units, role, own, other):
    user = make.user(role, unit="JJC")
    assert can_edit_unit(user, units[0].id) is own
    assert can_edit_unit(user, units[1].id) is other


def test_anonymous_may_do_nothing(units):
    anonymous = AnonymousUserMixin()
    for predicate in (can_see_unit, can_edit_unit):
        assert predicate(anonymous, units[0].id) is False
        assert predicate(None, units[0].id) is False
    assert can_review(anonymous, SimpleNamespace(unit_id=units[0].id, created_by_id=1)) is False
    assert not is_admin(anonymous) and not can_read_audit(anonymous)


def record(unit, created_by=None, submitted_by=None):
    return SimpleNamespace(unit_id=unit.id, created_by_id=getattr(created_by, "id", None),
                           submitted_by_id=getattr(submitted_by, "id", None))


@pytest.mark.parametrize("role, expected", [("reviewer", True), ("clerk", False), ("admin", False), ("auditor", False)])
def test_only_a_reviewer_of_the_unit_reviews_someone_elses_item(make, units, role, expected):
    author = make.user("clerk", unit="JJC")
    user = make.user(role, unit="JJC")
    assert can_review(user, record(units[0], author, author)) is expected


def test_four_eyes_the_creator_or_submitter_may_not_review(make, units):
    reviewer, other_reviewer, clerk = (make.user("reviewer"), make.user("reviewer"), make.user("clerk"))
    assert not can_review(reviewer, record(units[0], created_by=reviewer, submitted_by=clerk))
    assert not can_review(reviewer, record(units[0], created_by=clerk, submitted_by=reviewer))
    assert not can_review(reviewer, record(units[0], created_by=reviewer, submitted_by=reviewer))
    assert can_review(other_reviewer, record(units[0], created_by=reviewer, submitted_by=reviewer))


def test_a_reviewer_of_another_unit_may_not_review(make, units):
    clerk = make.user("clerk", unit="JJC")
    assert not can_review(make.user("reviewer", unit="CS"), record(units[0], clerk, clerk))


@pytest.mark.parametrize("role, sees_all", [("clerk", False), ("reviewer", False), ("admin", True), ("auditor", True)])
def test_scope_to_user_restricts_queries_to_the_unit(db, make, units, role, sees_all):
    make.user("clerk", unit="JJC"), make.user("clerk", unit="CS")
    user = make.user(role, unit="JJC")
    statement = scope_to_user(sa.select(User.unit_id).distinct(), User.unit_id, user)
    found = set(db.session.scalars(statement))
    if sees_all:
        assert {units[0].id, units[1].id} <= found
    else:
        assert found == {units[0].id}


@pytest.mark.parametrize("role, visible", [("clerk", False), ("reviewer", False), ("admin", True), ("auditor", True)])
def test_ensure_can_see_is_a_404_for_a_foreign_unit(app, make, units, role, visible):
    from werkzeug.exceptions import NotFound

    user = make.user(role, unit="JJC")
    ensure_can_see(record(units[0]), user)  # own unit: no error
    if visible:
        ensure_can_see(record(units[1]), user)
    else:
        with pytest.raises(NotFound):
            ensure_can_see(record(units[1]), user)
    with pytest.raises(NotFound):
        ensure_can_see(None, user)


# --- pages --------------------------------------------------------------------------------

ADMIN_AND_AUDITOR_PAGES = ["/admin/users", "/admin/units", "/admin/settings", "/admin/calendar", "/admin/audit"]
ADMIN_ONLY_PAGES = ["/admin/users/new"]
OFFICER_PAGES = ["/review/", "/officer/subjects/", "/officer/subjects/new"]


@pytest.mark.parametrize("path", ADMIN_AND_AUDITOR_PAGES + ADMIN_ONLY_PAGES + OFFICER_PAGES)
def test_anonymous_is_sent_to_sign_in_and_back(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ADMIN_AND_AUDITOR_PAGES)
def test_admin_pages_are_for_admins_and_auditors(client, login, role, path):
    login(role)
    assert client.get(path).status_code == (200 if role in ("admin", "auditor") else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ADMIN_ONLY_PAGES)
def test_admin_only_pages(client, login, role, path):
    login(role)
    assert client.get(path).status_code == (200 if role == "admin" else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_officer_pages_are_for_every_role(client, login, role, path):
    login(role)
    assert client.get(path).status_code == 200


def test_user_edit_page_is_admin_only_and_404_for_unknown_users(client, login, make):
    target = make.user("clerk")
    login("auditor")
    assert client.get(f"/admin/users/{target.id}").status_code == 403
    login("admin")
    assert client.get(f"/admin/users/{target.id}").status_code == 200
    assert client.get("/admin/users/999999").status_code == 404


@pytest.mark.parametrize("role, links", [("clerk", False), ("reviewer", False), ("admin", True), ("auditor", True)])
def test_navigation_shows_admin_links_only_to_those_who_may_open_them(client, login, role, links):
    login(role)
    html = client.get("/review/").get_data(as_text=True)
    for path in ("/admin/users", "/admin/settings", "/admin/calendar", "/admin/audit"):
        assert (f'href="{path}"' in html) is links, path


def test_a_403_page_is_the_registrys_not_a_bare_error(client, login):
    login("clerk")
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "text/html" in response.content_type
    assert "/logout" in response.get_data(as_text=True)  # the normal layout, still signed in


def test_role_values_are_the_four_of_the_spec():
    assert {role.value for role in Role} == set(ROLES)
