"""The scheduler after a stop: it runs on start what it missed, the administrators
get an alert for each check that missed a run, /metrics shows a check overdue whoever is down,
and the log stays quiet when nothing happened."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from registry.checks import schedule
from registry.checks.models import Alert, CheckRun
from registry.checks.registry import CHECKS, ordered_checks
from registry.checks.scheduler import catch_up, run_interval_job
from registry.core import clock
from tests.monitoring.test_monitoring import _sample, _scrape

SHANGHAI = clock.LOCAL_TZ
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)  # 02:00 UTC


def _on_time(db, skip=()) -> None:
    """A week in which every check ran at its time (by its cron fields, written out here), except
    the (check, day) pairs in ``skip``."""
    for check in ordered_checks():
        hour, minute = check.schedule["hour"], check.schedule.get("minute", 0)
        for days_ago in range(8):
            day = NOW.date() - timedelta(days=days_ago)
            due = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
            if due <= NOW and (check.name, day) not in skip:
                db.session.add(CheckRun(name=check.name, run_for=day, started_at=due + timedelta(minutes=2)))
    db.session.flush()


def test_the_due_times_follow_the_check_s_cron_fields_in_shanghai(app):
    times = schedule.due_times(CHECKS["publicity_end"], NOW - timedelta(days=2), NOW)
    assert [time.astimezone(UTC) for time in times] == [  # 00:30 in Shanghai is 16:30 UTC the day before
        datetime(2026, 12, 6, 16, 30, tzinfo=UTC), datetime(2026, 12, 7, 16, 30, tzinfo=UTC)]


def test_nothing_is_overdue_or_missed_when_every_check_ran(db):
    _on_time(db)
    assert schedule.overdue(NOW) == {} and schedule.missed(NOW) == {}


def test_a_scheduler_down_overnight_has_missed_the_publication_run(db):
    down = {("publicity_end", date(2026, 12, 8)), ("publicity_end", date(2026, 12, 7)),
            ("validity_end", date(2026, 12, 8))}
    _on_time(db, skip=down)
    assert schedule.overdue(NOW) == {"publicity_end": datetime(2026, 12, 8, 0, 30, tzinfo=SHANGHAI),
                                     "validity_end": datetime(2026, 12, 8, 0, 30, tzinfo=SHANGHAI)}
    assert {name: len(times) for name, times in schedule.missed(NOW).items()} == {"publicity_end": 2, "validity_end": 1}


def test_a_new_installation_has_missed_nothing_but_catches_everything_up(db):
    assert schedule.missed(NOW) == {}
    assert set(schedule.overdue(NOW)) == set(CHECKS)


def test_on_start_the_scheduler_runs_what_it_missed_and_alerts(app, db, caplog):
    _on_time(db, skip={("publicity_end", date(2026, 12, 8)), ("publicity_end", date(2026, 12, 7))})
    db.session.commit()
    with clock.frozen_at(NOW), caplog.at_level(logging.WARNING, logger="registry.checks.scheduler"):
        assert catch_up(app) == ["publicity_end"]
        assert schedule.overdue(NOW) == {}
    runs = db.session.scalars(sa.select(CheckRun.name).where(CheckRun.started_at == NOW.astimezone(UTC))).all()
    assert sorted(runs) == ["missed_runs", "publicity_end"]
    alert = db.session.scalars(sa.select(Alert).where(Alert.kind == "check_missed")).one()
    assert alert.unit_id is None and alert.resolved_at is None  # the administrators' alerts
    assert alert.params_dict == {"check": "publicity_end", "missed": "2026-12-08 00:30", "count": 2}
    assert "check publicity_end missed its run at 2026-12-08T00:30:00+08:00: running it now" in caplog.text


def test_the_missed_run_alert_resolves_after_a_week_without_a_miss(app, db):
    _on_time(db, skip={("publicity_end", date(2026, 12, 7))})
    db.session.commit()
    with clock.frozen_at(NOW):
        catch_up(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert).where(
        Alert.kind == "check_missed", Alert.resolved_at.is_(None))) == 1
    later = NOW + timedelta(days=8)
    for check in ordered_checks():  # the next eight days on time
        for days in range(1, 9):
            db.session.add(CheckRun(name=check.name, run_for=(NOW + timedelta(days=days)).date(),
                                    started_at=schedule.due_times(check, NOW + timedelta(days=days - 1),
                                                                  NOW + timedelta(days=days))[0]))
    db.session.commit()
    with clock.frozen_at(later):
        catch_up(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert).where(
        Alert.kind == "check_missed", Alert.resolved_at.is_(None))) == 0


def test_metrics_show_how_long_a_check_is_overdue(client, db):
    _on_time(db, skip={("publicity_end", date(2026, 12, 8))})
    with clock.frozen_at(NOW):
        text = _scrape(client)
    assert _sample(text, "registry_check_overdue_seconds", check="publicity_end") == 9.5 * 3600  # 00:30 → 10:00
    assert _sample(text, "registry_check_overdue_seconds", check="validity_end") == 0
    assert _sample(text, "registry_check_missed_runs", check="publicity_end") == 1


def test_an_interval_job_that_did_nothing_writes_no_line(app, db, caplog):
    with caplog.at_level(logging.DEBUG, logger="registry"):
        for _ in range(3):
            assert not any(run_interval_job(app, "watch_notifications").values())  # nothing to send
    assert [record for record in caplog.records if record.levelno >= logging.INFO] == []


def test_the_scheduler_command_logs_its_timetable_and_silences_apscheduler_s_run_lines(app, db, monkeypatch, caplog):
    from apscheduler.schedulers.blocking import BlockingScheduler

    monkeypatch.setattr(BlockingScheduler, "start", lambda self, *args, **kwargs: None)  # returns at once
    monkeypatch.setattr("registry.checks.scheduler.catch_up", lambda app: [])
    with caplog.at_level(logging.INFO, logger="registry"):
        result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 0 and result.output == ""  # nothing printed outside the log
    lines = [record.getMessage() for record in caplog.records if record.name == "registry.checks.scheduler"]
    assert any(line.startswith("scheduled publicity_end: cron[") for line in lines)
    assert logging.getLogger("apscheduler.executors.default").getEffectiveLevel() >= logging.WARNING


@pytest.fixture(autouse=True)
def _apscheduler_level_restored():
    level = logging.getLogger("apscheduler").level
    yield
    logging.getLogger("apscheduler").setLevel(level)
