"""Officer accounts: sign-in and its growing waits, sign-out, the admin's user pages and `flask users create`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from registry.accounts.models import User
from registry.core.audit import AuditEvent
from registry.core.settings import set_setting
from tests.conftest import count
from tests.factories import TEST_PASSWORD

T0 = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
WRONG = "not-the-password"


def errors_of(response) -> list[str]:
    return re.findall(r'<p class="flash flash-error">(.*?)</p>', response.get_data(as_text=True), re.S)


def field_error(response, field: str) -> str | None:
    found = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    return found.group(1).strip() if found else None


def sign_in(client, user_or_email, password=TEST_PASSWORD, next_url=None):
    email = getattr(user_or_email, "email", user_or_email)
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def signed_in(client) -> bool:
    response = client.get("/review/")
    return response.status_code == 200


@pytest.fixture
def english(client):
    client.get("/?lang=en")


# --- sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "reviewer", "admin", "auditor"])
def test_sign_in_goes_to_the_workbench(client, make, role):
    user = make.user(role)
    response = sign_in(client, user)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/workbench"
    assert signed_in(client)
    assert user.last_login_at is not None
    assert db_actions(user) == ["auth.login"]


def test_email_is_matched_whatever_its_case_and_spacing(client, make):
    user = make.user("clerk")
    assert sign_in(client, f"  {user.email.upper()} ").status_code == 302


def db_actions(user) -> list[str]:
    from registry.extensions import db

    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "users", AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id)
    ))


def test_refusals_all_give_the_same_plain_message(client, make, english, frozen):
    active, disabled = make.user("clerk"), make.user("clerk", is_active=False)
    with frozen(T0):
        messages = {
            "wrong password": errors_of(sign_in(client, active, WRONG)),
            "disabled, right password": errors_of(sign_in(client, disabled)),
            "unknown email": errors_of(sign_in(client, "nobody@test.hn")),
            "malformed email": errors_of(sign_in(client, "nobody")),
        }
    assert all(len(found) == 1 for found in messages.values()), messages
    assert len({found[0] for found in messages.values()}) == 1, messages
    assert "Wrong email address or password" in messages["wrong password"][0]
    assert not signed_in(client)


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the sign-in checks, as (hash method, password), in order."""
    import werkzeug.security

    from registry.accounts import models, operations

    checked = []

    def counting(password_hash, password):
        checked.append((password_hash.split("$", 1)[0], password))
        return werkzeug.security.check_password_hash(password_hash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    monkeypatch.setattr(operations, "check_password_hash", counting)
    return checked


@pytest.mark.parametrize("who", ["unknown email", "malformed email", "wrong password", "disabled", "made to wait"])
def test_every_refusal_spends_one_password_check(client, make, frozen, hash_checks, who):
    # an unknown address answered in 8 ms, a known one in 140 ms (the hash).  Counted,
    # not timed: each refusal checks the password once, against a hash made like an officer's.
    real = make.user("clerk", is_active=(who != "disabled"))
    email = {"unknown email": "nobody@test.hn", "malformed email": "nobody"}.get(who, real.email)
    with frozen(T0):
        if who == "made to wait":
            for _ in range(5):
                sign_in(client, email, WRONG)
            hash_checks.clear()
        assert errors_of(sign_in(client, email, "typed-secret-42"))
    method = real.password_hash.split("$", 1)[0]
    assert hash_checks == [(method, "typed-secret-42")]


def test_the_refusal_does_not_echo_the_password(client, make):
    user = make.user("clerk")
    assert "wrong-secret-123" not in sign_in(client, user, "wrong-secret-123").get_data(as_text=True)


# --- failures slow sign-in down; nothing locks ------------------------------------


def test_after_five_failures_the_next_attempt_waits_a_minute_even_with_the_right_password(client, make, frozen,
                                                                                           english):
    user = make.user("clerk")
    with frozen(T0):
        for _ in range(5):
            assert sign_in(client, user, WRONG).status_code == 200
        waiting = sign_in(client, user)
        assert waiting.status_code == 429 and not signed_in(client)
        assert "Wait 1 minutes" in errors_of(waiting)[0]
    with frozen(T0 + timedelta(seconds=59)):
        assert sign_in(client, user).status_code == 429
    with frozen(T0 + timedelta(minutes=1)):
        assert sign_in(client, user).status_code == 302
        assert signed_in(client)
    assert db_actions(user) == ["auth.failed"] * 5 + ["auth.throttled"] * 2 + ["auth.login"]


def test_each_further_failure_doubles_the_wait_up_to_the_longest(client, make, frozen):
    """After the fifth failure: 1, 2, 4, 8 minutes, then the longest wait (15 minutes) each time."""
    user = make.user("clerk")
    now = T0
    with frozen(now):
        for _ in range(5):
            sign_in(client, user, WRONG)
    for wait in (1, 2, 4, 8, 15, 15):
        with frozen(now + timedelta(minutes=wait) - timedelta(seconds=1)):
            assert sign_in(client, user, WRONG).status_code == 429  # not counted: it was not tried
        now += timedelta(minutes=wait)
        with frozen(now):
            assert sign_in(client, user, WRONG).status_code == 200  # tried, and wrong: the wait grows
    with frozen(now + timedelta(minutes=15)):
        assert sign_in(client, user).status_code == 302


def test_four_failures_do_not_slow_down(client, make, frozen):
    user = make.user("clerk")
    with frozen(T0):
        for _ in range(4):
            sign_in(client, user, WRONG)
        assert sign_in(client, user).status_code == 302


def test_a_successful_sign_in_forgets_the_failures(client, make, frozen):
    user = make.user("clerk")
    with frozen(T0):
        for _ in range(4):
            sign_in(client, user, WRONG)
        assert sign_in(client, user).status_code == 302
        client.post("/logout")
        for _ in range(4):
            sign_in(client, user, WRONG)
        assert sign_in(client, user).status_code == 302


def test_failures_older_than_a_day_are_forgotten(client, make, frozen):
    user = make.user("clerk")
    with frozen(T0):
        for _ in range(5):
            sign_in(client, user, WRONG)
    with frozen(T0 + timedelta(minutes=1440, seconds=1)):
        for _ in range(4):
            sign_in(client, user, WRONG)
        assert sign_in(client, user).status_code == 302


def test_a_new_password_from_the_administrator_forgets_the_failures(client, make, frozen, db):
    from registry.accounts.operations import set_password

    user, admin = make.user("clerk"), make.user("admin")
    with frozen(T0):
        for _ in range(8):
            sign_in(client, user, WRONG)
        assert sign_in(client, user).status_code == 429
        set_password(user, "another-long-password", admin)
        db.session.commit()
        assert sign_in(client, user, "another-long-password").status_code == 302


def test_the_thresholds_are_settings(client, make, frozen):
    """Two failures are free; waits of 1, 2, then at most 3 minutes; failures forgotten after an hour."""
    admin, user = make.user("admin"), make.user("clerk")
    set_setting("login_max_failures", 2, admin)
    set_setting("login_lockout_minutes", 3, admin)
    set_setting("login_failure_window_minutes", 60, admin)
    with frozen(T0):
        sign_in(client, user, WRONG)
        sign_in(client, user, WRONG)
        assert sign_in(client, user).status_code == 429
    for minute, wait in ((1, 2), (3, 3), (6, 3)):
        with frozen(T0 + timedelta(minutes=minute)):
            assert sign_in(client, user, WRONG).status_code == 200
        with frozen(T0 + timedelta(minutes=minute + wait) - timedelta(seconds=1)):
            assert sign_in(client, user).status_code == 429
    with frozen(T0 + timedelta(minutes=6 + 60, seconds=1)):  # all five failures forgotten
        assert sign_in(client, user).status_code == 302


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/admin/audit", "/admin/audit"),
        ("https://evil.example/phish", "/workbench"),
        ("//evil.example/phish", "/workbench"),
        ("http:/evil.example", "/workbench"),
        ("javascript:alert(1)", "/workbench"),
        ("evil.example", "/workbench"),
        ("/%5Cevil.example", "/workbench"),
        ("/%09/evil.example", "/workbench"),
        ("/%0a/evil.example", "/workbench"),
    ],
)
def test_only_a_same_site_next_is_followed(client, make, next_url, expected):
    response = sign_in(client, make.user("admin"), next_url=next_url)
    assert response.status_code == 302
    location = response.location
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost") and parts.scheme in ("", "http")
    assert parts.path == expected


def test_a_signed_in_officer_visiting_login_goes_to_the_workbench(client, login):
    login("clerk")
    response = client.get("/login")
    assert response.status_code == 302 and urlsplit(response.location).path == "/workbench"


# --- sign-out -----------------------------------------------------------------------------


def test_sign_out_ends_the_session_even_for_a_copied_cookie(client, make, login):
    user = login("clerk")
    stolen = client.get_cookie("session").value
    assert signed_in(client)
    response = client.post("/logout")
    assert response.status_code == 302 and urlsplit(response.location).path == "/"
    assert not signed_in(client)
    client.set_cookie("session", stolen, domain="localhost")
    response = client.get("/review/")
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    assert db_actions(user)[-1] == "auth.logout"


def test_sign_out_needs_post(client, login):
    login("clerk")
    assert client.get("/logout").status_code == 405
    assert signed_in(client)


# --- the admin's user pages ---------------------------------------------------------------


def new_user_form(**overrides) -> dict:
    return {"email": "new.officer@test.hn", "name": "新 录入员", "unit": "CS", "role": "reviewer",
            "password": "a-good-long-password", "is_active": "y", **overrides}


def test_admin_creates_a_user_who_can_sign_in(app, client, login, db):
    admin = login("admin")
    response = client.post("/admin/users/new", data=new_user_form(email="New.Officer@Test.HN"))
    assert response.status_code == 302 and urlsplit(response.location).path == "/admin/users"
    user = db.session.scalar(sa.select(User).where(User.email == "new.officer@test.hn"))
    assert (user.role.value, user.unit.code, user.name, user.is_active) == ("reviewer", "CS", "新 录入员", True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create",
                                                          AuditEvent.object_id == user.id))
    assert event.actor_id == admin.id and event.details_dict["role"] == "reviewer"
    other = app.test_client()
    assert sign_in(other, "new.officer@test.hn", "a-good-long-password").status_code == 302


@pytest.mark.parametrize(
    "overrides, field, expected",
    [
        ({"email": "not-an-email"}, "email", "Invalid email"),
        ({"email": "a@b"}, "email", "email"),
        ({"email": ""}, "email", "required"),
        ({"unit": "NOPE"}, "unit", "Not a valid choice"),
        ({"role": "superuser"}, "role", "Not a valid choice"),
        ({"password": "short"}, "password", "10"),
        ({"name": ""}, "name", "required"),
    ],
    ids=["malformed-email", "email-without-domain", "no-email", "unknown-unit", "unknown-role",
         "short-password", "no-name"],
)
def test_admin_user_form_names_the_bad_field_and_stores_nothing(client, login, english, overrides, field, expected):
    login("admin")
    before = count(User), count(AuditEvent, AuditEvent.action == "user.create")
    response = client.post("/admin/users/new", data=new_user_form(**overrides))
    assert response.status_code == 200
    assert expected.lower() in (field_error(response, field) or "").lower(), response.get_data(as_text=True)
    assert (count(User), count(AuditEvent, AuditEvent.action == "user.create")) == before


def test_admin_user_form_refuses_a_duplicate_email(client, login, make, english):
    login("admin")
    existing = make.user("clerk")
    response = client.post("/admin/users/new", data=new_user_form(email=existing.email.upper()))
    assert response.status_code == 200
    assert "already exists" in field_error(response, "email")
    assert count(User, sa.func.lower(User.email) == existing.email.lower()) == 1


def test_clerks_reviewers_and_auditors_cannot_create_users(client, login):
    for role in ("clerk", "reviewer", "auditor"):
        login(role)
        assert client.post("/admin/users/new", data=new_user_form()).status_code == 403
    assert count(User, User.email == "new.officer@test.hn") == 0


@pytest.mark.parametrize(
    "change, expected",
    [({"role": "admin"}, {"role": "admin"}), ({"unit": "CS"}, {"unit": "CS"}),
     ({"is_active": None}, {"active": False})],
    ids=["re-role", "move-unit", "disable"],
)
def test_admin_changes_a_user_audited_and_their_sessions_end(app, client, login, make, db, change, expected):
    target = make.user("clerk", unit="JJC")
    theirs = app.test_client()
    assert sign_in(theirs, target).status_code == 302 and signed_in(theirs)
    admin = login("admin")
    form = {"unit": "JJC", "role": "clerk", "is_active": "y"} | change
    response = client.post(f"/admin/users/{target.id}", data={k: v for k, v in form.items() if v is not None})
    assert response.status_code == 302
    db.session.refresh(target)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.update",
                                                          AuditEvent.object_id == target.id))
    assert event.actor_id == admin.id
    assert event.details_dict["from"] == {"unit": "JJC", "role": "clerk", "active": True}
    assert event.details_dict["to"] == {"unit": "JJC", "role": "clerk", "active": True} | expected
    assert not signed_in(theirs)
    if "active" not in expected:
        assert sign_in(theirs, target).status_code == 302
    else:
        assert sign_in(theirs, target).status_code == 200


def test_saving_an_unchanged_user_keeps_their_session(app, client, login, make):
    target = make.user("clerk", unit="JJC")
    theirs = app.test_client()
    sign_in(theirs, target)
    login("admin")
    client.post(f"/admin/users/{target.id}", data={"unit": "JJC", "role": "clerk", "is_active": "y"})
    assert signed_in(theirs)
    assert count(AuditEvent, AuditEvent.action == "user.update", AuditEvent.object_id == target.id) == 0


def test_an_admin_cannot_disable_themself(client, login, db):
    admin = login("admin")
    response = client.post(f"/admin/users/{admin.id}", data={"unit": admin.unit.code, "role": "admin"})
    assert response.status_code == 200
    db.session.refresh(admin)
    assert admin.is_active


def test_admin_sets_a_password_and_the_old_one_stops_working(app, client, login, make):
    target = make.user("clerk")
    theirs = app.test_client()
    sign_in(theirs, target)
    login("admin")
    client.post(f"/admin/users/{target.id}/password", data={"pw-password": "another-long-password"})
    assert not signed_in(theirs)
    assert sign_in(theirs, target).status_code == 200
    assert sign_in(theirs, target, "another-long-password").status_code == 302


# --- flask users create -------------------------------------------------------------------


@pytest.fixture
def cli(app, db):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        db.session.commit()  # the test's setup, as a command finds it (a refusal rolls back)
        return runner.invoke(args=list(args), **kwargs)

    return invoke


def create_args(**overrides) -> list[str]:
    options = {"--email": "cli.user@test.hn", "--unit": "FGC", "--role": "admin"} | overrides
    return ["users", "create", *[part for pair in options.items() for part in pair]]


def test_cli_creates_a_user_with_the_password_from_the_environment(cli, db):
    result = cli(*create_args(), env={"REGISTRY_NEW_USER_PASSWORD": "env-password-123"})
    assert result.exit_code == 0, result.output
    assert "cli.user@test.hn" in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli.user@test.hn"))
    assert (user.role.value, user.unit.code, user.name) == ("admin", "FGC", "cli.user")
    assert user.check_password("env-password-123")
    assert count(AuditEvent, AuditEvent.action == "user.create", AuditEvent.object_id == user.id) == 1


def test_cli_asks_for_the_password(cli, db):
    result = cli(*create_args(**{"--unit": "法规处", "--role": "auditor"}),
                 input="typed-password-1\ntyped-password-1\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli.user@test.hn"))
    assert user.check_password("typed-password-1") and user.role.value == "auditor"


@pytest.mark.parametrize(
    "overrides, password, expected",
    [
        ({"--unit": "NOPE"}, "env-password-123", "单位 NOPE 不存在"),
        ({"--role": "superuser"}, "env-password-123", "角色 superuser 无效"),
        ({"--email": "not-an-email"}, "env-password-123", "有效的电子邮箱"),
        ({}, "short", "不得少于 10"),
    ],
    ids=["unknown-unit", "unknown-role", "malformed-email", "short-password"],
)
def test_cli_refuses_bad_input_and_stores_nothing(cli, overrides, password, expected):
    before = count(User)
    result = cli(*create_args(**overrides), env={"REGISTRY_NEW_USER_PASSWORD": password})
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output
    assert count(User) == before


def test_cli_refuses_a_duplicate_email(cli, make):
    existing = make.user("clerk")
    result = cli(*create_args(**{"--email": existing.email.upper()}), env={"REGISTRY_NEW_USER_PASSWORD": "x" * 12})
    assert result.exit_code != 0
    assert "已注册" in result.output
    assert count(User, User.email == existing.email) == 1
