"""Admin-editable settings (SPEC: numbers are defaults): validated, audited, admins only."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry.core.audit import AuditEvent
from registry.core.errors import ValidationFailed
from registry.core.settings import SPECS, Setting, all_settings, get_setting, set_setting
from tests.conftest import count


def stored(db, key):
    row = db.session.get(Setting, key)
    return None if row is None else row.value


def setting_error(response, key) -> str | None:
    found = re.search(rf'id="s-{key}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    return found.group(1).strip() if found else None


def test_defaults_apply_until_changed(db):
    assert get_setting("publicity_working_days") == 5
    assert get_setting("login_max_failures") == 5
    assert {spec.key: value for spec, value in all_settings()} == {k: s.default for k, s in SPECS.items()}


def test_every_default_is_within_its_own_range():
    for spec in SPECS.values():
        if spec.text:
            assert len(spec.default) <= spec.maximum, spec.key
        else:
            assert spec.minimum <= spec.default <= spec.maximum, spec.key


def test_admin_changes_a_setting_audited_with_from_and_to(client, login, db):
    admin = login("admin")
    response = client.post("/admin/settings", data={"publicity_working_days": " 7 ", "login_lockout_minutes": "15"})
    assert response.status_code == 302
    assert get_setting("publicity_working_days") == 7
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "settings.change")).all()
    assert [(e.actor_id, e.details_dict) for e in events] == [
        (admin.id, {"key": "publicity_working_days", "from": 5, "to": 7})
    ]  # the unchanged one is not recorded
    page = client.get("/admin/settings").get_data(as_text=True)
    assert re.search(r'name="publicity_working_days" value="7"', page)


@pytest.mark.parametrize(
    "value, expected",
    [("0", "between 1 and 60"), ("61", "between 1 and 60"), ("-3", "between 1 and 60"),
     ("abc", "whole number"), ("", "whole number"), ("5.5", "whole number")],
)
def test_bad_values_are_refused_with_the_message_and_nothing_is_saved(client, login, db, value, expected):
    client.get("/?lang=en")
    login("admin")
    before = count(AuditEvent, AuditEvent.action == "settings.change")
    # A valid change earlier in the same form must not be saved either.
    response = client.post("/admin/settings", data={"publicity_working_days": "9",
                                                    "disclosure_deadline_working_days": value})
    assert response.status_code == 200
    assert expected in (setting_error(response, "disclosure_deadline_working_days") or "")
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert stored(db, "publicity_working_days") is None and stored(db, "disclosure_deadline_working_days") is None
    assert get_setting("publicity_working_days") == 5
    assert count(AuditEvent, AuditEvent.action == "settings.change") == before


def test_the_operation_refuses_an_unknown_key(db, make):
    with pytest.raises(ValidationFailed):
        set_setting("no_such_setting", 3, make.user("admin"))


def test_an_auditor_sees_the_settings_but_cannot_change_them(client, login, db):
    login("auditor")
    page = client.get("/admin/settings")
    assert page.status_code == 200
    assert re.search(r'name="publicity_working_days" value="5"\s[^>]*disabled', page.get_data(as_text=True))
    response = client.post("/admin/settings", data={"publicity_working_days": "7"})
    assert response.status_code in (302, 403)
    assert get_setting("publicity_working_days") == 5
    assert stored(db, "publicity_working_days") is None


@pytest.mark.parametrize("role", ["clerk", "reviewer"])
def test_unit_officers_may_not_open_or_post_settings(client, login, role):
    login(role)
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data={"publicity_working_days": "7"}).status_code == 403
    assert get_setting("publicity_working_days") == 5
