"""``flask check-database``: is this database sound and its history whole?  Run after a restore
(``flask restore`` runs it itself), after an upgrade, or whenever in doubt.

- integrity: SQLite's ``integrity_check`` and ``foreign_key_check``; PostgreSQL has no such
  command, so every table is read through, no index may be invalid and every id sequence must be
  ahead of its table (a sequence behind makes the next insert fail);
- schema: the database's migration revision is the code's head;
- audit: the chain verifies, and against every anchor of the anchor file.  A missing anchor file
  is a warning.  After a restore, anchors of events newer than the backup name what the restore
  lost: a warning to record, not a broken chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from registry.core.anchors import ForeignAnchorFile, anchor_path
from registry.core.audit import NOT_KEYED, chain_head, file_anchors, verify_chain
from registry.extensions import db


@dataclass
class Findings:
    """What the checks found: ``failures`` make a restore unfinished; ``warnings`` need a look."""

    passed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _sqlite_integrity() -> list[str]:
    connection = db.session.connection()
    problems = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"row {rowid} of {table} points at a missing row of {parent}"
                 for table, rowid, parent, _key in connection.exec_driver_sql("PRAGMA foreign_key_check")]
    return problems


def _postgres_integrity() -> list[str]:
    connection = db.session.connection()
    problems = []
    present = set(sa.inspect(connection).get_table_names())  # a restored older release lacks newer tables
    for name in sorted(present):
        connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"')  # reads every row's page
    invalid = connection.exec_driver_sql(
        "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT i.indisvalid").all()
    problems += [f"index {name} is invalid" for (name,) in invalid]
    for table in db.metadata.sorted_tables:
        if table.name not in present or "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                      {"table": table.name}).scalar()
        if sequence is None:
            continue
        last, called = connection.exec_driver_sql(f"SELECT last_value, is_called FROM {sequence}").one()
        highest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
        if (last if called else last - 1) < highest:
            problems.append(f"the id sequence of {table.name} ({last}) is behind its rows ({highest})")
    return problems


def _integrity(found: Findings) -> None:
    dialect = db.session.get_bind().dialect.name
    problems = _sqlite_integrity() if dialect == "sqlite" else _postgres_integrity()
    if problems:
        found.failures.append(f"database integrity: {'; '.join(problems[:10])}")
    else:
        found.passed.append(f"database integrity ({'integrity_check' if dialect == 'sqlite' else 'every table read'})")


def _schema(found: Findings) -> None:
    heads = set(ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    if current == heads:
        found.passed.append(f"schema at the code's revision {', '.join(sorted(heads))}")
    else:
        found.warnings.append(f"schema at revision {', '.join(sorted(current)) or 'none'}, the code's is "
                              f"{', '.join(sorted(heads))}: run 'flask db upgrade' (or this is the wrong code)")


def _audit(found: Findings, after_restore: bool) -> list:
    """The chain against the anchors it still holds; returns those anchors (for a new file)."""
    head = chain_head()
    try:
        anchors = file_anchors()
    except ForeignAnchorFile as error:
        found.failures.append(f"anchors: {error}")
        return []
    except ValueError as error:
        found.failures.append(f"anchors unreadable: {error}")
        return []
    newest = head.event_id if head else 0
    lost = [anchor for anchor in anchors if anchor.event_id > newest]
    kept = [anchor for anchor in anchors if anchor.event_id <= newest]
    if lost and after_restore:
        found.warnings.append(f"the restore lost events {newest + 1}–{max(a.event_id for a in lost)} (anchored "
                              f"{lost[0].written_at}–{lost[-1].written_at}): record it in the security log")
    report = verify_chain(anchors=False, extra_anchors=kept if after_restore else anchors)
    if report.problem == NOT_KEYED and verify_chain(unkeyed=True, anchors=False).ok:
        found.warnings.append("the audit chain is intact but not keyed yet (plain SHA-256, written before "
                              "AUDIT_HMAC_KEY): run 'audit rekey' once this code stays (README, Upgrading)")
        return []
    if report.ok:
        held = f", held against {len(kept)} anchors" if anchors else ""
        found.passed.append(f"audit chain intact: {report.checked} events{held}")
    else:
        found.failures.append(f"audit chain BROKEN at event {report.broken_event_id}: {report.reason}")
    if not anchor_path().exists() and head is not None:
        found.warnings.append(f"no anchor file at {anchor_path()}: nothing outside the database vouches for the chain")
    return kept if report.ok else []


def check_database(*, after_restore: bool = False) -> tuple[Findings, list]:
    """Every check, in a read-only transaction; returns the findings and the anchors that hold."""
    found = Findings()
    try:
        _integrity(found)
        _schema(found)
        kept = _audit(found, after_restore)
    finally:
        db.session.rollback()
    return found, kept
