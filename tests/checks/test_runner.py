"""The command line, the scheduler, the lock, and mail sent only after commit."""

import logging
import smtplib
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from registry.checks.models import Alert
from registry.checks.registry import CHECKS, register_check
from registry.checks.runner import CheckLocked, lock_key, run_check
from registry.checks.scheduler import build_scheduler, run_job
from registry.core import clock
from tests.conftest import TEST_DATABASE_URL, count


class FakeSMTP:
    """Records what would have been sent; ``down`` makes the server refuse connections."""

    sent: list = []
    down = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.down:
            raise ConnectionRefusedError(111, "Connection refused")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.down = [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.test")
    return FakeSMTP


@pytest.fixture
def temporary_check():
    added = []

    def add(name, fn, **schedule):
        register_check(name, order=999, **(schedule or {"hour": 3}))(fn)
        added.append(name)

    yield add
    for name in added:
        CHECKS.pop(name, None)


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# --- run-checks ------------------------------------------------------------------------------------

def test_run_checks_prints_counts_per_check(app, db):
    result = invoke(app, "run-checks", "--today", "2026-12-01", "--only", "calendar_coverage")
    assert result.exit_code == 0, result.output
    assert "calendar_coverage: missing_years=1, raised=1, resolved=0" in result.output


@pytest.mark.parametrize("args", [["--today", "2026-13-01"], ["--today", "tomorrow"], ["--only", "no_such_check"]])
def test_run_checks_refuses_bad_input_with_a_usage_error(app, db, args):
    result = invoke(app, "run-checks", *args)
    assert result.exit_code == 2
    assert "Invalid value" in result.output
    assert count(Alert) == 0


def test_run_checks_reports_a_failure_and_runs_the_others(app, db, temporary_check):
    def broken(today):
        raise RuntimeError("boom")

    temporary_check("zz_broken", broken)
    result = invoke(app, "run-checks", "--today", "2026-12-01", "--only", "zz_broken", "--only", "calendar_coverage")
    assert result.exit_code == 1
    assert "zz_broken: FAILED, rolled back (RuntimeError: boom)" in result.output
    assert "calendar_coverage: missing_years=1" in result.output


# --- scheduler -------------------------------------------------------------------------------------

def test_scheduler_has_one_job_per_check_in_shanghai_time(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs() if not job.id.startswith("job:")}
    assert set(jobs) == set(CHECKS)
    trigger = jobs["disclosure_deadline"].trigger
    assert str(trigger.timezone) == "Asia/Shanghai"
    fields = {field.name: str(field) for field in trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("8", "0")
    assert {str(f) for f in jobs["publicity_end"].trigger.fields if f.name in ("hour", "minute")} == {"0", "30"}


def test_a_failing_job_is_logged_and_the_scheduler_carries_on(app, db, temporary_check, caplog):
    attempts = []

    def flaky(today):
        attempts.append(today)
        if len(attempts) == 1:
            raise RuntimeError("first run fails")
        return {"done": 1}

    temporary_check("zz_flaky", flaky)
    with caplog.at_level(logging.INFO, logger="registry.checks"), clock.frozen_at(date(2026, 10, 9)):
        assert run_job(app, "zz_flaky") is None
        assert run_job(app, "zz_flaky") == {"done": 1}
    assert "check zz_flaky failed" in caplog.text and "first run fails" in caplog.text
    # one line for a run that did something (the runner's), no "starting"/"done" pair around it
    assert [record.getMessage() for record in caplog.records if record.levelno == logging.INFO] == [
        "check zz_flaky for 2026-10-09: {'done': 1}"]


# --- the lock ---------------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: SQLite's single writer makes the second wait")
def test_a_second_runner_skips_a_check_another_process_holds(app, db):
    engine = sa.create_engine(TEST_DATABASE_URL)
    try:
        with engine.connect() as other:
            other.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": lock_key("calendar_coverage")})
            with pytest.raises(CheckLocked):
                run_check(CHECKS["calendar_coverage"], date(2026, 12, 1))
            result = invoke(app, "run-checks", "--today", "2026-12-01", "--only", "calendar_coverage")
            assert "calendar_coverage: skipped, another process is running it" in result.output
            assert count(Alert) == 0
            other.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key("calendar_coverage")})
        assert run_check(CHECKS["calendar_coverage"], date(2026, 12, 1))["raised"] == 1
    finally:
        engine.dispose()


# --- mail ----------------------------------------------------------------------------------------

def _officers(make):
    return [make.user("clerk", unit="JJC"), make.user("reviewer", unit="JJC"), make.user("clerk", unit="CS"),
            make.user("reviewer", unit="JJC", is_active=False), make.user("admin", unit="XXZX")]


def test_one_digest_per_unit_after_commit(app, db, make, smtp):
    clerk, reviewer, other_unit, inactive, admin = _officers(make)
    with clock.frozen_at(date(2026, 10, 15)):
        counts = run_check(CHECKS["biweekly_publication"], date(2026, 10, 15))
    assert counts["raised"] > 2
    to_jjc = [m for m in smtp.sent if clerk.email in m["To"]]
    assert len(to_jjc) == 1
    assert reviewer.email in to_jjc[0]["To"] and inactive.email not in to_jjc[0]["To"]
    assert other_unit.email not in to_jjc[0]["To"] and admin.email not in to_jjc[0]["To"]
    assert len([m for m in smtp.sent if other_unit.email in m["To"]]) == 1
    # a second run raises nothing new and sends nothing
    smtp.sent.clear()
    with clock.frozen_at(date(2026, 10, 15)):
        run_check(CHECKS["biweekly_publication"], date(2026, 10, 15))
    assert smtp.sent == []


def test_unit_less_alerts_go_to_administrators(app, db, make, smtp):
    *_, admin = _officers(make)
    run_check(CHECKS["calendar_coverage"], date(2026, 12, 1))
    assert len(smtp.sent) == 1 and smtp.sent[0]["To"] == admin.email
    assert "2027" in smtp.sent[0].get_content()


def test_no_mail_when_the_check_rolls_back(app, db, make, smtp, temporary_check):
    from registry.oversight.checks import biweekly_publication

    _officers(make)

    def raises_then_fails(today):
        biweekly_publication(today)
        raise RuntimeError("late failure")

    temporary_check("zz_rollback", raises_then_fails)
    with pytest.raises(RuntimeError):
        run_check(CHECKS["zz_rollback"], date(2026, 10, 15))
    assert smtp.sent == []
    assert count(Alert) == 0
    # the commit of an unrelated transaction later does not send the dropped mail either
    db.session.commit()
    assert smtp.sent == []


def test_smtp_down_is_logged_not_fatal(app, db, make, smtp, caplog):
    _officers(make)
    smtp.down = True
    with caplog.at_level(logging.WARNING, logger="registry.core.mail"):
        counts = run_check(CHECKS["biweekly_publication"], date(2026, 10, 15))
    assert counts["raised"] > 0 and count(Alert) == counts["raised"]
    assert "unreachable" in caplog.text


def test_no_mail_without_a_server(app, db, make, monkeypatch):
    sent = []
    monkeypatch.setattr(smtplib, "SMTP", lambda *a, **k: sent.append(a))
    _officers(make)
    run_check(CHECKS["biweekly_publication"], date(2026, 10, 15))
    assert sent == []


def test_now_is_used_for_raised_at(db):
    moment = datetime(2026, 12, 1, 2, 0, tzinfo=clock.LOCAL_TZ)
    with clock.frozen_at(moment):
        run_check(CHECKS["calendar_coverage"], date(2026, 12, 1))
    alert = db.session.scalar(sa.select(Alert))
    assert alert.raised_at == moment
