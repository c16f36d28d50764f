"""Bulk inserts for the generator: batches of rows, values converted once per column.

The ORM (one object per row, unit of work, identity map) costs ~100 µs a row; a driver-level
``executemany`` of tuples costs a few, and on PostgreSQL ``COPY … FROM STDIN`` (psycopg 3's
``cursor.copy``, one stream per batch) less again: no statement per row, no round trip per row
(ten million subjects: benchmarks/README.md, "Bulk loading").  SQLite has no COPY: one ``executemany`` per batch, in one
transaction, is already its fastest path.  Ids are assigned by the generator, so rows can point at
each other without reading anything back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa

from registry.extensions import db

BATCH = 20_000
# On PostgreSQL rows go in with COPY unless told otherwise (``BulkWriter(copy=False)``: the
# tests compare both paths row for row).
USE_COPY = True


def _sqlite_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _postgres_datetime(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


_SQLITE = {date: date.isoformat, datetime: _sqlite_datetime, bool: int, Decimal: float}
_POSTGRES = {datetime: _postgres_datetime}


def _enum_value(value: Enum):
    return value.value


_STORED_AS_IS = (str, int, float, type(None))


def _converter(dialect: str):
    """Python value → what the driver stores, as SQLAlchemy's column types would store it.

    One dictionary look-up per value (the type's conversion, learnt on first sight), no call at
    all for the values stored as they are: a million subjects' rows pass through here some sixty
    million times."""
    table = dict(_SQLITE if dialect == "sqlite" else _POSTGRES)
    as_is = {kind: True for kind in _STORED_AS_IS if kind not in table}

    def convert(value):
        kind = type(value)
        if kind in as_is:
            return value
        function = table.get(kind)
        if function is None:
            if not issubclass(kind, Enum):
                as_is[kind] = True
                return value
            function = table[kind] = _enum_value
        return function(value)

    return convert


class BulkWriter:
    """Collects rows per table and writes them in batches of ``BATCH`` through the session's connection."""

    def __init__(self, copy: bool | None = None) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.copy = self.dialect == "postgresql" and (USE_COPY if copy is None else copy)
        self.convert = _converter(self.dialect)
        self.pending: dict[str, tuple[list[str], list[tuple]]] = {}
        self.counts: dict[str, int] = {}

    def next_id(self, table: sa.Table) -> int:
        return (self.connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def add(self, table: sa.Table | str, row: dict) -> None:
        name = table if isinstance(table, str) else table.name
        columns, rows = self.pending.setdefault(name, (list(row), []))
        convert = self.convert
        rows.append(tuple([convert(row[column]) for column in columns]))
        if len(rows) >= BATCH:
            self.flush()  # every table, in the order first seen: parents before the rows that point at them

    def flush(self, name: str | None = None) -> None:
        for table in [name] if name else list(self.pending):
            columns, rows = self.pending.get(table, ([], []))
            if not rows:
                continue
            if self.copy:
                self._copy(table, columns, rows)
            else:
                mark = "?" if self.dialect == "sqlite" else "%s"
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
                self.connection.exec_driver_sql(sql, rows)
            self.counts[table] = self.counts.get(table, 0) + len(rows)
            rows.clear()

    def _copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """The rows through ``COPY table (columns) FROM STDIN``, on the session's connection (its
        transaction): psycopg adapts each value as it would a parameter."""
        with self.connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
            for row in rows:
                stream.write_row(row)

    def execute_many(self, sql: str, rows: list[tuple]) -> None:
        """A raw statement written with ``?`` placeholders, for each row (updates after inserts)."""
        if not rows:
            return
        if self.dialect != "sqlite":
            sql = sql.replace("?", "%s")
        converted = [tuple(self.convert(value) for value in row) for row in rows]
        for start in range(0, len(converted), BATCH):
            self.connection.exec_driver_sql(sql, converted[start:start + BATCH])
