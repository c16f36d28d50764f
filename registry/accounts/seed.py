"""Seed units and demo accounts."""

from __future__ import annotations

import click
import sqlalchemy as sa

from registry.accounts.models import Unit, UnitKind, User
from registry.core.identifiers import HUNAN_CITIES
from registry.core.permissions import Role
from registry.core.seeding import demo_step, seed_step
from registry.extensions import db

DIVISIONS = [
    ("FGC", "法规处"), ("JJC", "基建处"), ("JHC", "计划处"), ("GHC", "港航处"), ("LZC", "路政处"),
    ("YSC", "运输处"), ("AQC", "安全处"), ("KJC", "科教处"), ("CWC", "财务处"), ("BGS", "办公室"),
    ("RSC", "人事处"), ("XXZX", "信息中心"),
]
CITY_BUREAUS = [
    ("CS", "长沙市交通运输局", "4301"), ("ZZ", "株洲市交通运输局", "4302"), ("XT", "湘潭市交通运输局", "4303"),
    ("HY", "衡阳市交通运输局", "4304"), ("SY", "邵阳市交通运输局", "4305"), ("YY", "岳阳市交通运输局", "4306"),
    ("CD", "常德市交通运输局", "4307"), ("ZJJ", "张家界市交通运输局", "4308"), ("YIY", "益阳市交通运输局", "4309"),
    ("CZ", "郴州市交通运输局", "4310"), ("YZ", "永州市交通运输局", "4311"), ("HH", "怀化市交通运输局", "4312"),
    ("LD", "娄底市交通运输局", "4313"), ("XX", "湘西州交通运输局", "4331"),
]
assert {code for _c, _n, code in CITY_BUREAUS} == set(HUNAN_CITIES)

DEMO_PASSWORD = "demo-password-2026"
# (email, name, unit code, role)
DEMO_USERS = [
    ("admin@demo.hn", "王敏", "FGC", Role.ADMIN),
    ("auditor@demo.hn", "刘洋", "XXZX", Role.AUDITOR),
    ("clerk@demo.hn", "张伟", "JJC", Role.CLERK),
    ("reviewer@demo.hn", "李娜", "JJC", Role.REVIEWER),
    ("reviewer2@demo.hn", "陈静", "JJC", Role.REVIEWER),
    ("clerk.cs@demo.hn", "赵磊", "CS", Role.CLERK),
    ("reviewer.cs@demo.hn", "孙丽", "CS", Role.REVIEWER),
    ("clerk.ysc@demo.hn", "周强", "YSC", Role.CLERK),
    ("reviewer.ysc@demo.hn", "吴芳", "YSC", Role.REVIEWER),
]


@seed_step(10)
def seed_units() -> None:
    existing = set(db.session.scalars(sa.select(Unit.code)))
    rows = [(code, name, UnitKind.DIVISION, None) for code, name in DIVISIONS]
    rows += [(code, name, UnitKind.CITY, city) for code, name, city in CITY_BUREAUS]
    for order, (code, name, kind, city) in enumerate(rows, start=1):
        if code not in existing:
            db.session.add(Unit(code=code, name=name, kind=kind, city_code=city, sort_order=order))
    db.session.flush()


def unit_by_code(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def demo_user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


@demo_step(10)
def demo_users() -> None:
    for email, name, unit_code, role in DEMO_USERS:
        if demo_user(email) is None:
            user = User(email=email, name=name, unit=unit_by_code(unit_code), role=role)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
    db.session.flush()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, unit_code, role in DEMO_USERS:
        click.echo(f"  {email:<24} {role.value:<9} {unit_by_code(unit_code).name}  {name}")
