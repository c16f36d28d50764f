"""The index of one- and two-character pieces of subject names (PRODUCT §10).

Trigram indexes (SQLite's FTS5 ``trigram`` tokenizer, PostgreSQL's pg_trgm) cannot answer a query
shorter than three characters, and two Chinese characters (a city, a trade, a surname and a
given name) are the commonest searches.  So every name is also indexed by each of its characters
and each pair of adjacent characters; a query of one or two characters is then one token looked
up in that index, present or absent, common or rare.

SQLite: a contentless FTS5 table ``subjects_grams`` (``detail=none``: single tokens need no
positions).  A token is the hexadecimal UTF-8 of the piece (``hex(substr(name, i, 1))``), so that
every character, punctuation, ``%``, ``_`` and ``\\`` included, is a token of letters and digits
for the ``ascii`` tokenizer; UTF-8 is prefix-free, so one character's token never equals a pair's.
Names are folded with ``lower()`` (ASCII only), as SQLite's ``LIKE`` compares them.  SQL triggers
cannot loop, so the token text is one expression over the first ``MAX_NAME_LENGTH`` characters,
evaluated in blocks of eight that stop after the name's end.

PostgreSQL: an expression GIN index on ``subject_name_grams(name)``, the array of the same pieces
(case-sensitive, as PostgreSQL's ``LIKE`` is); ``subject_name_grams(name) @> ARRAY[query]``.
"""

from __future__ import annotations

MAX_NAME_LENGTH = 200  # subjects.name is String(200); the form and imports check the same length
_BLOCK = 8


def _pieces(column: str, i: int) -> str:
    return f"hex(lower(substr({column},{i},1)))||' '||hex(lower(substr({column},{i},2)))"


def sqlite_tokens_sql(column: str) -> str:
    """SQL: the token text of ``column`` (a name) for ``subjects_grams``."""
    parts = []
    for start in range(1, MAX_NAME_LENGTH + 1, _BLOCK):
        block = "||' '||".join(_pieces(column, i) for i in range(start, start + _BLOCK))
        parts.append(block if start == 1 else f"CASE WHEN length({column})>={start} THEN ' '||{block} ELSE '' END")
    return "||".join(parts)


def sqlite_match(query: str) -> str:
    """The FTS5 query for a one- or two-character ``query`` (ASCII folded, as SQLite's lower())."""
    folded = "".join(character.lower() if character.isascii() else character for character in query)
    return '"' + folded.encode("utf-8").hex().upper() + '"'


SQLITE_GRAMS_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS subjects_grams USING fts5("
    "tokens, content='', detail=none, columnsize=0, tokenize='ascii')",
    "CREATE TRIGGER IF NOT EXISTS subjects_grams_insert AFTER INSERT ON subjects BEGIN "
    f"INSERT INTO subjects_grams(rowid, tokens) VALUES (new.id, {sqlite_tokens_sql('new.name')}); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_grams_delete AFTER DELETE ON subjects BEGIN "
    "INSERT INTO subjects_grams(subjects_grams, rowid, tokens) "
    f"VALUES ('delete', old.id, {sqlite_tokens_sql('old.name')}); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_grams_update AFTER UPDATE OF name ON subjects BEGIN "
    "INSERT INTO subjects_grams(subjects_grams, rowid, tokens) "
    f"VALUES ('delete', old.id, {sqlite_tokens_sql('old.name')}); "
    f"INSERT INTO subjects_grams(rowid, tokens) VALUES (new.id, {sqlite_tokens_sql('new.name')}); END",
]
SQLITE_GRAMS_FILL = f"INSERT INTO subjects_grams(rowid, tokens) SELECT id, {sqlite_tokens_sql('name')} FROM subjects"
SQLITE_GRAMS_DROP = [
    "DROP TRIGGER IF EXISTS subjects_grams_insert",
    "DROP TRIGGER IF EXISTS subjects_grams_delete",
    "DROP TRIGGER IF EXISTS subjects_grams_update",
    "DROP TABLE IF EXISTS subjects_grams",
]

POSTGRES_GRAMS_DDL = [
    "CREATE OR REPLACE FUNCTION subject_name_grams(name text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT array(SELECT DISTINCT substr(name, i, n) FROM generate_series(1, char_length(name)) AS i, "
    "(VALUES (1), (2)) AS pieces(n) WHERE i + n - 1 <= char_length(name)) $$",
    "CREATE INDEX IF NOT EXISTS ix_subjects_name_grams ON subjects USING gin (subject_name_grams(name))",
]
POSTGRES_GRAMS_DROP = [
    "DROP INDEX IF EXISTS ix_subjects_name_grams",
    "DROP FUNCTION IF EXISTS subject_name_grams(text)",
]
