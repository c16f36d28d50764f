"""Rows of a database as JSON, and back: the data fixtures of the upgrade test.

``dump_sqlite`` reads every table of an old release's SQLite database (what the registry's
migrations manage: not Alembic's own table, not the name search's FTS tables, which triggers fill)
in an order where every row comes after the rows it points at.  ``load`` inserts them into a
database migrated to that release's revision, on SQLite or PostgreSQL, converting each stored
value to the type the column has there.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from registry.core.db import include_in_migrations


def _migrated_table(name: str) -> bool:
    return (include_in_migrations(name, "table", {}) and name != "alembic_version"
            and not name.startswith("sqlite_"))


def _ordered(connection: sqlite3.Connection, names: list[str]) -> list[str]:
    """Parents before children (a table pointing at itself is loaded in id order)."""
    parents = {name: {row[2] for row in connection.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
               for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = sorted(name for name in names if name not in ordered and parents[name] <= set(ordered))
        if not ready:
            raise ValueError(f"foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered.extend(ready)
    return ordered


def _encode(value):
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode("ascii")}
    return value


def dump_sqlite(path: str) -> dict:
    """``{table: {"columns": [...], "rows": [[...], ...]}}`` in loading order."""
    connection = sqlite3.connect(path)
    try:
        names = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") if _migrated_table(name)]
        tables = {}
        for name in _ordered(connection, names):
            cursor = connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            columns = [description[0] for description in cursor.description]
            tables[name] = {"columns": columns, "rows": [[_encode(value) for value in row] for row in cursor]}
        return tables
    finally:
        connection.close()


def write_fixture(path, fixture: dict) -> None:
    """JSON with one row a line, so that a rebuilt fixture reads as a diff."""
    lines = ["{"]
    meta = {key: value for key, value in fixture.items() if key != "tables"}
    for key, value in meta.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)},")
    lines.append('  "tables": {')
    tables = list(fixture["tables"].items())
    for index, (name, table) in enumerate(tables):
        lines.append(f"    {json.dumps(name)}: {{\"columns\": {json.dumps(table['columns'])}, \"rows\": [")
        rows = [json.dumps(row, ensure_ascii=False) for row in table["rows"]]
        lines.extend(f"      {row}{',' if number < len(rows) - 1 else ''}" for number, row in enumerate(rows))
        lines.append("    ]}" + ("," if index < len(tables) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def read_fixture(path) -> dict:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _python_type(column: sa.Column):
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _convert(value, kind):
    """A value as SQLite stored it, as the column's Python type (what the driver binds)."""
    if value is None:
        return None
    if isinstance(value, dict) and "$base64" in value:
        return base64.b64decode(value["$base64"])
    if kind is bool:
        return bool(value)
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if kind is Decimal:
        return Decimal(str(value))
    if kind in (dict, list) and isinstance(value, str):
        return json.loads(value)
    return value


def load(engine: sa.Engine, tables: dict) -> None:
    """Insert every row in one transaction, whole rows in id order: a disclosure and its
    correction point at each other, and the corrected one's CHECK wants its successor named, so
    references into a row's own table are checked at the end of the load (SQLite: foreign keys off
    while loading, then ``PRAGMA foreign_key_check``; PostgreSQL: those constraints deferred).
    On PostgreSQL the id sequences then follow the ids loaded."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                _insert(connection, tables)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    assert not broken, f"the fixture's rows point at rows it lacks: {broken[:5]}"
                else:
                    _follow_sequences(connection, tables)
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _insert(connection: sa.Connection, tables: dict) -> None:
    metadata = sa.MetaData()
    for name, table in tables.items():
        target = sa.Table(name, metadata, autoload_with=connection)
        columns = table["columns"]
        kinds = [_python_type(target.c[column]) for column in columns]
        rows = [{column: _convert(value, kind) for column, value, kind in zip(columns, row, kinds, strict=True)}
                for row in table["rows"]]
        own = [key.constraint.name for key in target.foreign_keys if key.column.table is target]
        deferred = own if connection.dialect.name == "postgresql" else []
        for constraint in deferred:
            connection.exec_driver_sql(
                f'ALTER TABLE "{name}" ALTER CONSTRAINT "{constraint}" DEFERRABLE')
            connection.exec_driver_sql(f'SET CONSTRAINTS "{constraint}" DEFERRED')
        if rows:
            connection.execute(target.insert(), rows)
        if deferred:
            connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")  # checked now, then as before
            for constraint in deferred:
                connection.exec_driver_sql(f'ALTER TABLE "{name}" ALTER CONSTRAINT "{constraint}" NOT DEFERRABLE')


def _follow_sequences(connection: sa.Connection, tables: dict) -> None:
    for name, table in tables.items():
        if "id" in table["columns"] and table["rows"]:
            connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM \"{name}\"))"))


def row_counts(connection: sa.Connection, names) -> dict[str, int]:
    return {name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}
