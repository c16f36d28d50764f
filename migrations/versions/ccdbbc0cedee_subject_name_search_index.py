"""subject name search index

Revision ID: ccdbbc0cedee
Revises: 0e1ab182c128
Create Date: 2026-11-27 07:33:59.634601

"""
from alembic import op
import sqlalchemy as sa

import registry.core.db  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = 'ccdbbc0cedee'
down_revision = '0e1ab182c128'
branch_labels = None
depends_on = None


# The statements are copied here, not imported, so that this migration stays as it was run.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS subjects_fts USING fts5("
    "name, content='subjects', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_insert AFTER INSERT ON subjects BEGIN "
    "INSERT INTO subjects_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_delete AFTER DELETE ON subjects BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_update AFTER UPDATE OF name ON subjects BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO subjects_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO subjects_fts(subjects_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS subjects_fts_insert",
    "DROP TRIGGER IF EXISTS subjects_fts_delete",
    "DROP TRIGGER IF EXISTS subjects_fts_update",
    "DROP TABLE IF EXISTS subjects_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_subjects_name_trgm ON subjects USING gin (name gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_subjects_name_trgm"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    _run(SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else [])


def downgrade():
    dialect = op.get_bind().dialect.name
    _run(SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else [])
