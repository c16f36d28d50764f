"""A database of its own for a test that migrates: a new SQLite file, or a new PostgreSQL
database beside the one REGISTRY_TEST_DATABASE_URL names (dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL


@contextmanager
def fresh_database(tmp_path, prefix: str = "registry_upgrade") -> Iterator[str]:
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / f'{prefix}.sqlite'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:  # with the copies a restore renamed aside
            left = connection.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                                      {"pattern": f"{name}%"}).scalars().all()
            for leftover in left:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{leftover}" WITH (FORCE)')
        admin.dispose()
