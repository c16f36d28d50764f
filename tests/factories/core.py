"""Factories for the foundation: units, users, subjects."""

from __future__ import annotations

import itertools

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from registry.accounts.models import Unit, User
from registry.core.identifiers import SubjectKind, region_code
from registry.core.permissions import Role
from registry.subjects.models import Subject
from tests.standards import ric_check, uscc_check

TEST_PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD)  # hashed once: scrypt is slow on purpose
_serial = itertools.count(1)


def valid_uscc(serial: int | None = None, region: str = "430100", prefix: str = "91") -> str:
    serial = next(_serial) if serial is None else serial
    body = f"{prefix}{region}MA{serial:07d}"[:17]
    return body + uscc_check(body)


def valid_resident_id(serial: int | None = None, region: str = "430102", birth: str = "19850612") -> str:
    serial = (next(_serial) if serial is None else serial) % 1000
    body = f"{region}{birth}{serial:03d}"
    return body + ric_check(body)


class CoreFactories:
    db: object

    def unit(self, code: str = "JJC") -> Unit:
        return self.db.session.scalar(sa.select(Unit).where(Unit.code == code))

    def user(self, role: str | Role = Role.CLERK, unit: str = "JJC", **fields) -> User:
        n = next(_serial)
        user = User(
            email=fields.pop("email", f"{Role(role).value}{n}@test.hn"),
            name=fields.pop("name", f"{Role(role).value} {n}"),
            unit=self.unit(unit),
            role=Role(role),
            password_hash=_PASSWORD_HASH,
            **fields,
        )
        self.db.session.add(user)
        self.db.session.flush()
        return user

    def subject(self, kind: str | SubjectKind = SubjectKind.ORGANISATION, **fields) -> Subject:
        kind = SubjectKind(kind)
        identifier = fields.pop("identifier", None) or {
            SubjectKind.ORGANISATION: valid_uscc,
            SubjectKind.PERSON: valid_resident_id,
            SubjectKind.VEHICLE: lambda: f"湘A{next(_serial) % 100000:05d}",
        }[kind]()
        subject = Subject(
            kind=kind,
            identifier=identifier,
            name=fields.pop("name", f"测试主体{next(_serial)}有限公司"),
            region_code=region_code(kind, identifier),
            **fields,
        )
        self.db.session.add(subject)
        self.db.session.flush()
        return subject
