"""name search of one and two characters: an index of names' characters and pairs

Revision ID: c8bf24aa0bda
Revises: a9b3a57965cf
Create Date: 2026-12-01 02:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c8bf24aa0bda'
down_revision = 'a9b3a57965cf'
branch_labels = None
depends_on = None


# The statements are built here, not imported (registry/subjects/grams.py builds the same), so that
# this migration stays as it was run.
MAX_NAME_LENGTH = 200
BLOCK = 8


def _tokens(column):
    def pieces(i):
        return f"hex(lower(substr({column},{i},1)))||' '||hex(lower(substr({column},{i},2)))"

    parts = []
    for start in range(1, MAX_NAME_LENGTH + 1, BLOCK):
        block = "||' '||".join(pieces(i) for i in range(start, start + BLOCK))
        parts.append(block if start == 1 else f"CASE WHEN length({column})>={start} THEN ' '||{block} ELSE '' END")
    return "||".join(parts)


SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS subjects_grams USING fts5("
    "tokens, content='', detail=none, columnsize=0, tokenize='ascii')",
    "CREATE TRIGGER IF NOT EXISTS subjects_grams_insert AFTER INSERT ON subjects BEGIN "
    f"INSERT INTO subjects_grams(rowid, tokens) VALUES (new.id, {_tokens('new.name')}); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_grams_delete AFTER DELETE ON subjects BEGIN "
    "INSERT INTO subjects_grams(subjects_grams, rowid, tokens) "
    f"VALUES ('delete', old.id, {_tokens('old.name')}); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_grams_update AFTER UPDATE OF name ON subjects BEGIN "
    "INSERT INTO subjects_grams(subjects_grams, rowid, tokens) "
    f"VALUES ('delete', old.id, {_tokens('old.name')}); "
    f"INSERT INTO subjects_grams(rowid, tokens) VALUES (new.id, {_tokens('new.name')}); END",
    f"INSERT INTO subjects_grams(rowid, tokens) SELECT id, {_tokens('name')} FROM subjects",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS subjects_grams_insert",
    "DROP TRIGGER IF EXISTS subjects_grams_delete",
    "DROP TRIGGER IF EXISTS subjects_grams_update",
    "DROP TABLE IF EXISTS subjects_grams",
]
POSTGRES_UP = [
    "CREATE OR REPLACE FUNCTION subject_name_grams(name text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT array(SELECT DISTINCT substr(name, i, n) FROM generate_series(1, char_length(name)) AS i, "
    "(VALUES (1), (2)) AS pieces(n) WHERE i + n - 1 <= char_length(name)) $$",
    "CREATE INDEX IF NOT EXISTS ix_subjects_name_grams ON subjects USING gin (subject_name_grams(name))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_subjects_name_grams",
    "DROP FUNCTION IF EXISTS subject_name_grams(text)",
]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    _run(SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else [])


def downgrade():
    dialect = op.get_bind().dialect.name
    _run(SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else [])
