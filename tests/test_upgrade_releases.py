"""Upgrading from earlier releases with their data, on SQLite and PostgreSQL.

Each fixture in ``tests/upgrades/fixtures`` holds every row of an earlier release's database after
its demo data and a week's real work (``tests/upgrades/build_fixture.py`` made it, with that
release's own code).  The test migrates a new database to the release's revision, loads the rows,
runs ``flask db upgrade`` and the rest of README's "Upgrading" steps, and expects every row kept
and the old records served: the API key the release issued, the documents it numbered, the
audit chain it wrote.  No git history or old code is needed at test time.
"""

from __future__ import annotations

import pathlib

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from registry import create_app
from registry.extensions import db as _db
from tests.upgrades.databases import fresh_database
from tests.upgrades.fixture_io import load, read_fixture, row_counts

FIXTURES = sorted((pathlib.Path(__file__).parent / "upgrades" / "fixtures").glob("*.json"))


def _app(url: str, folder: pathlib.Path, key: str | None = None):
    """The registry on ``url``, with the release's audit key when it had one (the operator keeps it)."""
    return create_app({"TESTING": True, "SECRET_KEY": "upgrade", "DATABASE_URL": url, "RATELIMIT_ENABLED": False,
                       "UPLOAD_FOLDER": str(folder / "uploads"), "AUDIT_ANCHOR_FILE": str(folder / "anchors.jsonl"),
                       "EXCHANGE_DIR": str(folder / "exchange"),
                       **({"AUDIT_HMAC_KEY": key} if key else {})})


def _revision() -> str | None:
    with _db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(pathlib.Path(__file__).parent.parent / "migrations"))
    return ScriptDirectory.from_config(config)


@pytest.fixture(scope="module", params=FIXTURES, ids=lambda path: path.stem)
def release(request):
    return read_fixture(request.param)


@pytest.fixture(scope="module")
def upgraded(release, tmp_path_factory):
    """A database of the release, with its rows, upgraded to head (once per release and module)."""
    folder = tmp_path_factory.mktemp("upgrade")
    with fresh_database(folder) as url:
        app = _app(url, folder, release["audit_hmac_key"])
        (folder / "anchors.jsonl").write_text("".join(f"{line}\n" for line in release["anchor_file"]), encoding="utf-8")
        with app.app_context():
            flask_migrate.upgrade(revision=release["revision"])
            load(_db.engine, release["tables"])
            flask_migrate.upgrade()
            _db.engine.dispose()
        yield app
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_every_release_fixture_is_one_of_this_code_s_revisions():
    assert FIXTURES, "no release fixture: tests/upgrades/build_fixture.py makes them"
    script = _script()
    for path in FIXTURES:
        assert script.get_revision(read_fixture(path)["revision"]) is not None, path.name


# Tables a later migration drops on purpose, and why: their rows are meant to go.
DROPPED_ON_PURPOSE = {
    "application_access_failures": "c9027b5c28a5: status lookups wait per client address instead of locking a receipt",
}


def test_every_row_of_the_release_survives_the_upgrade(upgraded, release):
    kept = {name: table for name, table in release["tables"].items() if name not in DROPPED_ON_PURPOSE}
    with upgraded.app_context():
        assert _revision() == _script().get_current_head()
        with _db.engine.connect() as connection:
            counts = row_counts(connection, kept)
            # the four-eyes migration derives who edited what from the audit log of the release
            editors = connection.execute(sa.text("SELECT count(*) FROM record_editors")).scalar()
            left = set(sa.inspect(connection).get_table_names())
    assert counts == {name: len(table["rows"]) for name, table in kept.items()}
    assert not left & set(DROPPED_ON_PURPOSE)
    assert sum(counts.values()) > 1000 and counts["list_entries"] and counts["issued_documents"]
    assert editors > 0


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        _db.session.remove()
    return result


def test_after_the_upgrade_steps_the_old_records_are_served(upgraded, release):
    """README "Upgrading", step by step, then what the release's users had still works."""
    assert _cli(upgraded, "seed").exit_code == 0
    verified = _cli(upgraded, "audit", "verify")
    events = len(release["tables"]["audit_events"]["rows"])
    if release["audit_hmac_key"] is None:  # the release wrote a plain SHA-256 chain: keyed once
        assert verified.exit_code == 1 and "NOT KEYED YET" in verified.output, verified.output
        assert f"intact: {events} events" in _cli(upgraded, "audit", "verify", "--unkeyed").output
        rekeyed = _cli(upgraded, "audit", "rekey")
        assert rekeyed.exit_code == 0, rekeyed.output
        old_head = release["tables"]["audit_events"]["rows"][-1]
        columns = release["tables"]["audit_events"]["columns"]
        assert f"old head: event {old_head[columns.index('id')]} {old_head[columns.index('hash')]}" in rekeyed.output
        verified = _cli(upgraded, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert f"intact: {events} events" in verified.output and "WARNING" not in verified.output
    assert _cli(upgraded, "calendar", "recompute").exit_code == 0
    assert _cli(upgraded, "run-checks").exit_code == 0

    client = upgraded.test_client()
    identifier = release["work"]["report_subject"]
    answer = client.get(f"/api/v1/credit/{identifier}", headers={"X-API-Key": release["work"]["api_key"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["subject"]["identifier"] == identifier
    documents = release["tables"]["issued_documents"]
    for row in documents["rows"]:
        code = row[documents["columns"].index("verification_code")]
        page = client.get(f"/verify/{code}")
        assert page.status_code == 200 and row[documents["columns"].index("number")] in page.get_data(as_text=True)
    subjects = release["tables"]["subjects"]
    name = next(row[subjects["columns"].index("name")] for row in subjects["rows"]
                if row[subjects["columns"].index("identifier")] == identifier)
    assert name in client.get("/", query_string={"q": name[2:6]}).get_data(as_text=True)  # the name search's index


class _DiskFull(Exception):
    pass


def test_a_failed_upgrade_leaves_the_database_as_it_was(release, tmp_path):
    """The last migration fails (say, the disk fills up): one transaction on both databases, so the
    database stays at the release's revision with every row, and the next attempt can start over."""
    head = _script().get_current_head()

    def fail_at_head(*, step, **_context):
        if step.up_revision_id == head:
            raise _DiskFull("no space left on device")

    with fresh_database(tmp_path) as url:
        app = _app(url, tmp_path)
        with app.app_context():
            flask_migrate.upgrade(revision=release["revision"])
            load(_db.engine, release["tables"])
            with _db.engine.connect() as connection:
                tables_before = set(sa.inspect(connection).get_table_names())
            arguments = app.extensions["migrate"].configure_args
            arguments["on_version_apply"] = fail_at_head
            try:
                with pytest.raises(_DiskFull):
                    flask_migrate.upgrade()
            finally:
                del arguments["on_version_apply"]
            assert _revision() == release["revision"]
            with _db.engine.connect() as connection:
                assert row_counts(connection, release["tables"]) == {
                    name: len(table["rows"]) for name, table in release["tables"].items()}
                tables = set(sa.inspect(connection).get_table_names())
            assert tables == tables_before
            flask_migrate.upgrade()  # the cause removed, the same command finishes the upgrade
            assert _revision() == head
            _db.session.remove()
            _db.engine.dispose()


def test_an_upgrade_refuses_to_commit_rows_that_point_at_nothing(tmp_path, capsys):
    """SQLite migrates with foreign keys off (its table rebuilds need it); a row left pointing at
    nothing is refused before the commit rather than found later."""
    url = f"sqlite:///{tmp_path / 'orphan.sqlite'}"
    app = _app(url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="2aec951941b9")
        with _db.engine.connect() as connection:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("INSERT INTO list_category_measures (category_id, measure_id) VALUES (999, 999)")
            connection.commit()
        _db.engine.dispose()
        with pytest.raises(SystemExit):  # flask db upgrade exits 1 with the message
            flask_migrate.upgrade()
        assert "2 broken references (list_category_measures row 1 → measures" in capsys.readouterr().err
        assert _revision() == "2aec951941b9"
        _db.engine.dispose()


def test_rolling_back_is_restoring_the_pre_upgrade_backup(release, tmp_path):
    """README "Upgrading", rolling back: the backup taken before the upgrade, restored by the new
    code, gives back the release's database exactly (its revision and every row)."""
    with fresh_database(tmp_path) as url:
        app = _app(url, tmp_path, release["audit_hmac_key"])
        with app.app_context():
            flask_migrate.upgrade(revision=release["revision"])
            load(_db.engine, release["tables"])
            _db.engine.dispose()
        backup = tmp_path / "before-upgrade.backup"
        assert _cli(app, "backup", str(backup)).exit_code == 0
        with app.app_context():
            flask_migrate.upgrade()
            _db.engine.dispose()
        assert _cli(app, "seed").exit_code == 0
        restored = _cli(app, "restore", "--yes", str(backup))
        assert restored.exit_code == 0, restored.output
        assert f"schema at revision {release['revision']}" in restored.output  # the older release's, said
        with app.app_context():
            assert _revision() == release["revision"]
            with _db.engine.connect() as connection:
                assert row_counts(connection, release["tables"]) == {
                    name: len(table["rows"]) for name, table in release["tables"].items()}
            _db.session.remove()
            _db.engine.dispose()
