"""The issue 29 migrations on a database with data in it (SQLite, and PostgreSQL when configured).

e1dd35728ee7 marks the ledger tasks that carry a duty and drops ``units.carries_case_quota``;
ad7c329d92de gives units their number prefix and issued documents their prefix and issue key.
The expected values are written here: the prefixes a government uses (湘交, 长交), the prefix a
number begins with, the 2019 list's task numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from registry.extensions import db as _db
from tests.test_migrations import fresh_database_url, migrated_app  # noqa: F401  (fixtures)

BEFORE = "3d7e5b8c2f14"
NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)


def _insert(connection, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)
    return connection.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar()


def _fill(connection) -> dict:
    units = {code: _insert(connection, "units", code=code, name=name, kind=kind, sort_order=1, is_active=True,
                           carries_case_quota=True, issuing_name=issuing, seal_text=issuing,
                           reconsideration_body="某人民政府", court="某法院", created_at=NOW)
             for code, name, kind, issuing in (("JJC", "基建处", "division", "湖南省交通运输厅"),
                                               ("CS", "长沙市交通运输局", "city", "长沙市交通运输局"),
                                               ("XX", "湘西州交通运输局", "city", "湘西州交通运输局"))}
    tasks = {}
    for number, title in ((12, "……7个工作日内公示行政处罚及行政许可信息，每两周至少一次主动公开信用信息，……"),
                          (18, "……开展联合奖惩，每月上报不少于1个奖惩案例，以奖惩成效清单形式……"),
                          (13, "加强信用信息核查")):
        tasks[number] = _insert(connection, "ledger_tasks", year=2019, number=number, goal="目标", title=title,
                                deadline_text="常态化推进", first_month=1, last_month=12, is_active=True,
                                created_at=NOW)
    _insert(connection, "ledger_assignments", task_id=tasks[18], unit_id=units["CS"])
    documents = []
    for serial, digest in ((1, "a" * 64), (2, "a" * 64), (3, "b" * 64)):  # the first two: a race issued it twice
        documents.append(_insert(
            connection, "issued_documents", kind="credit_report", number=f"湘交信报〔2026〕第{serial:04d}号",
            year=2026, serial=serial, record_type="subject_identifier", record_key="湘A12345",
            content_json="{}", content_hash=digest, verification_code=f"CODE{serial:012d}", issued_at=NOW))
    return {"units": units, "tasks": tasks, "documents": documents}


def test_the_issue_29_migrations_on_data(migrated_app):  # noqa: F811
    flask_migrate.upgrade(revision=BEFORE)
    with _db.engine.begin() as connection:
        ids = _fill(connection)
    flask_migrate.upgrade()
    with _db.engine.connect() as connection:
        duties = dict(connection.execute(sa.text("SELECT number, duty FROM ledger_tasks")).tuples().all())
        prefixes = dict(connection.execute(sa.text("SELECT code, document_prefix FROM units")).tuples().all())
        documents = connection.execute(sa.text("SELECT id, prefix, issue_key FROM issued_documents ORDER BY id")).all()
        columns = {column["name"] for column in sa.inspect(connection).get_columns("units")}
        assignments = connection.execute(sa.text("SELECT task_id, unit_id FROM ledger_assignments")).all()
    # SQLite recreates ledger_tasks to add its unique constraint: its assignments (ON DELETE CASCADE)
    # survive only because foreign keys are off while migrating (migrations/env.py).
    assert [tuple(row) for row in assignments] == [(ids["tasks"][18], ids["units"]["CS"])]
    assert duties == {12: "publication", 18: "case_quota", 13: None}
    assert prefixes == {"JJC": "湘交", "CS": "长交", "XX": "州交"}
    assert "carries_case_quota" not in columns
    assert [row.prefix for row in documents] == ["湘交信报"] * 3
    assert len({row.issue_key for row in documents}) == 3  # the race's twin got a key of its own
    with pytest.raises(sa.exc.IntegrityError), _db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE issued_documents SET issue_key = :key WHERE id = :id"),
                           {"key": documents[0].issue_key, "id": documents[2].id})
    with pytest.raises(sa.exc.IntegrityError), _db.engine.begin() as connection:  # one serial per prefix and year
        connection.execute(sa.text("UPDATE issued_documents SET serial = 1 WHERE id = :id"), {"id": documents[2].id})

    flask_migrate.downgrade(revision=BEFORE)
    with _db.engine.connect() as connection:
        quota = dict(connection.execute(sa.text("SELECT code, carries_case_quota FROM units")).tuples().all())
    assert {code: bool(value) for code, value in quota.items()} == {"JJC": False, "CS": True, "XX": False}
