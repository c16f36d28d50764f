from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from registry.core.db import CreatedAtMixin, str_enum
from registry.core.permissions import Role
from registry.extensions import db


class UnitKind(StrEnum):
    DIVISION = "division"  # a division of the provincial department (处室)
    CITY = "city"  # a city or prefecture transport bureau (市州交通运输局)


class Unit(CreatedAtMixin, db.Model):
    """A responsible unit (责任单位): records, officers and deadlines belong to one."""

    __tablename__ = "units"
    __table_args__ = tuple(
        sa.CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank")
        for column in ("issuing_name", "seal_text", "document_prefix", "reconsideration_body", "court")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, "unit_kind"))
    city_code: Mapped[str | None] = mapped_column(sa.String(4))  # for city bureaus: 4301 …
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Who the unit's documents speak for (administrator settings, see ``accounts.issuers``): the name
    # a notice is issued in and its seal reads, and the bodies its remedies clause names.
    issuing_name: Mapped[str] = mapped_column(sa.String(100))
    seal_text: Mapped[str] = mapped_column(sa.String(100))
    # The prefix of its documents' numbers (长交 → 长交信列决〔2026〕第0001号), shared by every unit
    # that issues in the same name: one authority, one numbering.
    document_prefix: Mapped[str] = mapped_column(sa.String(10))
    reconsideration_body: Mapped[str] = mapped_column(sa.String(100))
    court: Mapped[str] = mapped_column(sa.String(100))

    users = relationship("User", back_populates="unit")

    def __str__(self) -> str:
        return self.name


class User(CreatedAtMixin, db.Model):
    """An officer: one unit, one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped at sign-out and on password or role changes: every older session stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]

    unit = relationship("Unit", back_populates="users", lazy="joined")

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class SignInAddress(db.Model):
    """An address an officer signed in from successfully, and when last: failures
    from other addresses do not hold up sign-ins from it (``accounts.operations.authenticate``)."""

    __tablename__ = "sign_in_addresses"
    __table_args__ = (sa.UniqueConstraint("user_id", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address_hash: Mapped[str] = mapped_column(sa.String(64))  # core.throttle.key("address", address)
    last_success_at: Mapped[datetime]
