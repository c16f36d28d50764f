"""Scheduled checks and commands that write take SQLite's write lock first.

A transaction begun with a plain BEGIN that reads and then writes fails at once with "database is
locked" when another connection wrote in between (WAL mode: its snapshot is stale, so waiting
cannot help).  Web requests take the lock up front by their method; outside a request the code
says so with ``writing_transactions`` (the check runner, every command not marked read-only).
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from registry.checks.registry import Check
from registry.checks.runner import run_check
from registry.core.db import takes_write_lock_first, writing_transactions


def _read_then_write(engine, *, other_writer_done: threading.Event, read_done: threading.Event, wait: float):
    with engine.begin() as connection:
        connection.execute(sa.text("SELECT count(*) FROM counter")).scalar_one()
        read_done.set()
        other_writer_done.wait(timeout=wait)  # the other writer commits here when nothing holds it up
        connection.execute(sa.text("INSERT INTO counter (n) VALUES (1)"))


def _other_writer(engine, *, read_done: threading.Event, done: threading.Event, errors: list):
    read_done.wait(timeout=30)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO counter (n) VALUES (2)"))
    except Exception as error:  # reported by the test
        errors.append(error)
    done.set()


@pytest.mark.parametrize("intent", [True, False], ids=["write-intent", "plain-begin"])
def test_a_reading_writer_outside_a_request_survives_another_writer(tmp_path, intent):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'lock.sqlite'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE counter (n INTEGER)"))
    read_done, other_done, errors = threading.Event(), threading.Event(), []
    other = threading.Thread(target=_other_writer, args=(engine,),
                             kwargs={"read_done": read_done, "done": other_done, "errors": errors})
    other.start()
    try:
        if intent:
            # The other writer waits for our lock: it cannot finish before we write.
            with writing_transactions():
                _read_then_write(engine, other_writer_done=other_done, read_done=read_done, wait=0.3)
        else:
            # The control: the same code without the intent fails as the issue describes.
            with pytest.raises(OperationalError, match="database is locked"):
                _read_then_write(engine, other_writer_done=other_done, read_done=read_done, wait=30)
    finally:
        read_done.set()
        other.join(timeout=60)
        engine.dispose()
    assert errors == []
    with sa.create_engine(f"sqlite:///{tmp_path / 'lock.sqlite'}").connect() as connection:
        rows = sorted(connection.execute(sa.text("SELECT n FROM counter")).scalars())
    assert rows == ([1, 2] if intent else [2])


def test_the_intent_holds_only_inside_the_block():
    assert takes_write_lock_first() is False
    with writing_transactions():
        assert takes_write_lock_first() is True
    assert takes_write_lock_first() is False


def test_a_check_runs_with_the_write_intent(db):
    seen = []
    check = Check("write_intent_probe", lambda today: seen.append(takes_write_lock_first()) or {}, {}, 0)
    run_check(check, date(2026, 12, 1))
    assert seen == [True]


def _command(app, path: str):
    command = app.cli
    for name in path.split():
        command = command.commands[name] if hasattr(command, "commands") else command.get_command(None, name)
    return command


@pytest.mark.parametrize("path", ["run-checks", "seed", "demo", "calendar set", "audit rekey",
                                  "disclosures import", "exchange deliver"])
def test_writing_commands_take_the_lock_first(app, path):
    assert getattr(_command(app, path).callback, "takes_write_lock_first", False) is True


@pytest.mark.parametrize("path", ["audit verify", "calendar deadline", "backup", "subjects check-identifiers"])
def test_read_only_commands_do_not(app, path):
    assert getattr(_command(app, path).callback, "takes_write_lock_first", False) is False
