"""sync_alerts: dedup, auto-resolution, idempotency, and the database's own guard against duplicates."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from registry.checks.alerts import ALERT_KINDS, NEW_ALERTS_KEY, alert_message, register_alert_kind, sync_alerts
from registry.checks.models import Alert
from registry.core import clock
from tests.conftest import count, utc

KIND = "test_kind"
DAY = date(2026, 10, 9)


@pytest.fixture(autouse=True)
def _kind():
    register_alert_kind(KIND, label=_l("Disclosure due soon"),
                        message=_l("Disclosure No. %(record_id)s must be published by %(due_date)s."))
    yield
    ALERT_KINDS.pop(KIND, None)


def rows(make, *ids, unit="JJC", due=date(2026, 10, 12)):
    unit_id = make.unit(unit).id
    return [{"unit_id": unit_id, "record_type": "thing", "record_id": i, "due_date": due} for i in ids]


def open_ids():
    from registry.extensions import db

    return sorted(db.session.scalars(sa.select(Alert.record_id).where(Alert.kind == KIND, Alert.resolved_at.is_(None))))


def test_raises_new_resolves_cleared_keeps_the_rest(db, make):
    with clock.frozen_at(utc(2026, 10, 9, 0, 0)):
        first = sync_alerts(KIND, DAY, rows(make, 1, 2, 3))
    assert (first.raised, first.resolved) == (3, 0)
    with clock.frozen_at(utc(2026, 10, 10, 0, 0)):
        second = sync_alerts(KIND, DAY, rows(make, 2, 3, 4))
    assert (second.raised, second.resolved) == (1, 1)
    assert open_ids() == [2, 3, 4]
    kept = db.session.scalar(sa.select(Alert).where(Alert.kind == KIND, Alert.record_id == 2))
    assert kept.raised_at == utc(2026, 10, 9, 0, 0)  # left as it was
    gone = db.session.scalar(sa.select(Alert).where(Alert.kind == KIND, Alert.record_id == 1))
    assert gone.resolved_at == utc(2026, 10, 10, 0, 0)


def test_second_run_changes_nothing(db, make):
    sync_alerts(KIND, DAY, rows(make, 1, 2))
    again = sync_alerts(KIND, DAY, rows(make, 1, 2))
    assert (again.raised, again.resolved, again.updated) == (0, 0, 0)
    assert count(Alert, Alert.kind == KIND) == 2


def test_condition_returning_raises_a_new_alert_after_resolution(db, make):
    sync_alerts(KIND, DAY, rows(make, 1))
    sync_alerts(KIND, DAY, [])
    result = sync_alerts(KIND, DAY, rows(make, 1))
    assert result.raised == 1
    assert count(Alert, Alert.kind == KIND) == 2
    assert count(Alert, Alert.kind == KIND, Alert.resolved_at.is_(None)) == 1


def test_due_date_change_updates_the_open_alert(db, make):
    sync_alerts(KIND, DAY, rows(make, 1))
    result = sync_alerts(KIND, DAY, rows(make, 1, due=date(2026, 10, 20)))
    assert (result.raised, result.updated) == (0, 1)
    alert = db.session.scalar(sa.select(Alert).where(Alert.kind == KIND))
    assert alert.due_date == date(2026, 10, 20)
    assert "2026-10-20" in alert_message(alert)


def test_kinds_are_independent(db, make):
    register_alert_kind("test_other", label=_l("Disclosure overdue"), message=_l("Disclosure overdue"))
    try:
        sync_alerts(KIND, DAY, rows(make, 1))
        sync_alerts("test_other", DAY, rows(make, 1))
        sync_alerts("test_other", DAY, [])
        assert open_ids() == [1]
    finally:
        ALERT_KINDS.pop("test_other")


def test_sql_select_as_input(db, make):
    from registry.accounts.models import Unit

    statement = sa.select(Unit.id.label("unit_id"), sa.literal("unit").label("record_type"),
                          Unit.id.label("record_id")).where(Unit.code.in_(["JJC", "CS"]))
    result = sync_alerts(KIND, DAY, statement)
    assert result.raised == 2
    assert db.session.info[NEW_ALERTS_KEY][-2:] == list(result.new_ids)


def test_database_refuses_a_second_open_alert_for_the_same_record(db, make):
    sync_alerts(KIND, DAY, rows(make, 1))
    db.session.add(Alert(kind=KIND, unit_id=make.unit().id, record_type="thing", record_id=1,
                         raised_at=clock.utcnow()))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_unknown_kind_and_missing_columns_are_programming_errors(db, make):
    with pytest.raises(KeyError):
        sync_alerts("no_such_kind", DAY, [])
    with pytest.raises(ValueError, match="record_id"):
        sync_alerts(KIND, DAY, sa.select(sa.literal(1).label("unit_id"), sa.literal("x").label("record_type")))
