from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import DDL, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.db import CreatedAtMixin, str_enum
from registry.core.identifiers import HUNAN_CITIES, SubjectKind, public_identifier, register_stored_identifiers
from registry.extensions import db
from registry.subjects.grams import POSTGRES_GRAMS_DDL, POSTGRES_GRAMS_DROP, SQLITE_GRAMS_DDL, SQLITE_GRAMS_DROP


class Subject(CreatedAtMixin, db.Model):
    """A party records are about, keyed by its normalised identifier (unique)."""

    __tablename__ = "subjects"
    __table_args__ = (
        sa.CheckConstraint("kind = 'vehicle' OR owner_id IS NULL", name="only_vehicles_have_owner"),
        sa.CheckConstraint("owner_id IS NULL OR owner_id <> id", name="not_own_owner"),
        # Name, then id: the name search's first tiers (names equal to or starting with the query)
        # are read in this order and stop at the page.  On name alone PostgreSQL sorted every
        # name starting with "王" (2,700 of them, each tested for public records: 22 ms) to show 20.
        sa.Index("ix_subjects_name", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "subject_kind"))
    identifier: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_representative: Mapped[str | None] = mapped_column(sa.String(100))
    region_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow(), onupdate=lambda: clock.utcnow())

    owner = relationship("Subject", remote_side=[id], foreign_keys=[owner_id])

    @property
    def public_identifier(self) -> str:
        """The identifier as the public may see it (resident IDs masked)."""
        return public_identifier(self.kind, self.identifier)

    @property
    def city_name(self) -> str | None:
        return HUNAN_CITIES.get((self.region_code or "")[:4])

    def __str__(self) -> str:
        return f"{self.name} ({self.public_identifier})"


register_stored_identifiers("subjects.identifier", row_id=Subject.id, value=Subject.identifier, kind=Subject.kind)


# Substring search on names (registry/subjects/search.py).  SQLite: an FTS5 trigram table kept in
# step with ``subjects`` by triggers; PostgreSQL: a pg_trgm GIN index.  Queries of one or two
# characters use the index of names' characters and pairs (``subjects/grams.py``).  create_all (the tests)
# builds them through these events; the migrations run the same statements.
SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS subjects_fts USING fts5("
    "name, content='subjects', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_insert AFTER INSERT ON subjects BEGIN "
    "INSERT INTO subjects_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_delete AFTER DELETE ON subjects BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_update AFTER UPDATE OF name ON subjects BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO subjects_fts(rowid, name) VALUES (new.id, new.name); END",
]
SQLITE_DROP_DDL = [
    "DROP TRIGGER IF EXISTS subjects_fts_insert",
    "DROP TRIGGER IF EXISTS subjects_fts_delete",
    "DROP TRIGGER IF EXISTS subjects_fts_update",
    "DROP TABLE IF EXISTS subjects_fts",
]
POSTGRES_SEARCH_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_subjects_name_trgm ON subjects USING gin (name gin_trgm_ops)",
]

# create_all (tests) builds the index too; the migrations run the same statements.
for _statement in SQLITE_SEARCH_DDL + SQLITE_GRAMS_DDL:
    event.listen(Subject.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP_DDL + SQLITE_GRAMS_DROP:
    event.listen(Subject.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_SEARCH_DDL + POSTGRES_GRAMS_DDL:
    event.listen(Subject.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(Subject.__table__, "after_drop", DDL(POSTGRES_GRAMS_DROP[1]).execute_if(dialect="postgresql"))
