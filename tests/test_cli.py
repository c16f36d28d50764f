"""The core commands: `flask seed` and `flask demo` are idempotent; commands are registered."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry.accounts.models import Unit, User
from registry.accounts.seed import CITY_BUREAUS, DEMO_PASSWORD, DEMO_USERS, DIVISIONS
from registry.extensions import db as _db
from registry.subjects.models import Subject
from tests.conftest import count


@pytest.fixture
def cli(app, db):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        db.session.commit()
        return runner.invoke(args=list(args), **kwargs)

    return invoke


def row_counts() -> dict[str, int]:
    return {name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in _db.metadata.tables.items()}


@pytest.mark.parametrize("command", ["seed", "demo"])
def test_running_twice_adds_nothing_the_second_time(cli, command):
    first = cli(command)
    assert first.exit_code == 0, first.output
    after_first = row_counts()
    second = cli(command)
    assert second.exit_code == 0, second.output
    after_second = row_counts()
    grown = {name: (after_first[name], n) for name, n in after_second.items() if n != after_first[name]}
    assert not grown, f"`flask {command}` is not idempotent; rows before/after its second run: {grown}"


def test_seed_loads_every_unit_of_the_spec(cli):
    assert cli("seed").exit_code == 0
    codes = set(_db.session.scalars(sa.select(Unit.code)))
    assert {code for code, _name in DIVISIONS} | {code for code, _name, _city in CITY_BUREAUS} <= codes
    assert count(Unit, Unit.kind == "city") == 14


def test_demo_creates_accounts_of_every_role_that_can_sign_in(cli, client):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    roles = set()
    for email, _name, _unit, role in DEMO_USERS:
        assert email in result.output
        user = _db.session.scalar(sa.select(User).where(User.email == email))
        assert user.check_password(DEMO_PASSWORD)
        roles.add(role.value)
    assert roles == {"clerk", "reviewer", "admin", "auditor"}
    response = client.post("/login", data={"email": DEMO_USERS[0][0], "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_subjects_have_valid_identifiers(cli):
    from registry.core.identifiers import normalize

    assert cli("demo").exit_code == 0
    subjects = _db.session.scalars(sa.select(Subject)).all()
    assert len(subjects) >= 24
    for subject in subjects:
        assert normalize(subject.kind, subject.identifier) == subject.identifier
    vehicles = [s for s in subjects if s.kind.value == "vehicle"]
    assert vehicles and all(v.owner_id for v in vehicles)


@pytest.mark.parametrize("command", [["seed"], ["demo"], ["calendar"], ["audit"], ["users"], ["db"]])
def test_commands_are_registered(app, command):
    result = app.test_cli_runner().invoke(args=[*command, "--help"])
    assert result.exit_code == 0, result.output
