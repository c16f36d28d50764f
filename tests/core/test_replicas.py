"""Reads from PostgreSQL streaming replicas (core.replicas, PRODUCT §15).

Against a real primary and real hot standbys that the test starts (benchmarks.replica_cluster:
initdb, pg_basebackup -R, pg_ctl on free ports); a lagging replica is one whose WAL replay is
paused (``pg_wal_replay_pause()``): what the primary committed since is not there.  Skipped where
PostgreSQL's server tools are missing and when the suite runs on SQLite (the cluster itself
is PostgreSQL's own, in a temporary folder: the tests' database server is not touched).
"""

from __future__ import annotations

import contextlib
import os

import pytest
import sqlalchemy as sa
from flask import g

from benchmarks.replica_cluster import ReplicaCluster, unavailable_reason
from registry import create_app
from registry.accounts.apikeys import ApiRequestLog
from registry.core import replicas
from registry.core.changes import ChangeEvent, ChangeKind, encode_cursor, record_change
from registry.core.seeding import SEED_STEPS
from registry.extensions import db
from tests.factories import TEST_PASSWORD, Factories


def test_the_setting_is_a_comma_separated_list():
    assert replicas.replica_urls("") == []
    assert replicas.replica_urls(None) == []
    assert replicas.replica_urls(" postgresql://a/x, ,postgresql://b/x ") == ["postgresql://a/x", "postgresql://b/x"]
    assert replicas.replica_urls(["postgresql://a/x"]) == ["postgresql://a/x"]


@pytest.mark.parametrize(("primary", "replica", "message"), [
    ("sqlite:///{tmp}/r.sqlite", "postgresql+psycopg://root@127.0.0.1:1/x", "needs a PostgreSQL primary"),
    ("postgresql+psycopg://root@127.0.0.1:1/x", "sqlite:///{tmp}/replica.sqlite", "is not a postgresql"),
])
def test_replicas_are_refused_at_start_where_they_cannot_work(tmp_path, primary, replica, message):
    with pytest.raises(RuntimeError, match=message):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": primary.format(tmp=tmp_path),
                    "DATABASE_REPLICA_URLS": replica.format(tmp=tmp_path)})


def test_round_robin_among_the_healthy_replicas():
    first, second = sa.create_engine("sqlite://"), sa.create_engine("sqlite://")
    pool = replicas.Replicas([first, second], retry_seconds=60)
    assert [pool.in_turn()[0] for _ in range(4)] == [first, second, first, second]
    pool.mark_down(first)
    assert [pool.in_turn()[0] for _ in range(3)] == [second, second, second]
    pool.mark_down(second)
    assert pool.in_turn() == []


class _DriverError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("sqlstate", "meaning"), [
    ("08006", "down"),  # connection failure
    ("57P01", "down"),  # admin shutdown
    ("40001", "conflict"),  # canceling statement due to conflict with recovery
    ("42P01", None),  # the statement's own error (undefined table): not the replica's
    ("23505", None),
])
def test_what_a_replica_error_means(sqlstate, meaning):
    error = sa.exc.OperationalError("SELECT 1", {}, _DriverError(sqlstate))
    assert replicas.replica_failure(error) == meaning


# ---------------------------------------------------------------------------------------------
# A real primary and two real streaming replicas


@pytest.fixture(scope="module")
def cluster():
    if not os.environ.get("REGISTRY_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("replicas are PostgreSQL's: run with REGISTRY_TEST_DATABASE_URL")
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with ReplicaCluster() as cluster:
        cluster.start_primary()
        schema_app = _app(cluster.primary_url, [])
        with schema_app.app_context():
            db.create_all()
            for step in SEED_STEPS.ordered():
                step.run()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        cluster.add_replica()
        cluster.add_replica()
        yield cluster


def _app(primary: str, replica_urls: list[str]):
    return create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": primary,
        "DATABASE_REPLICA_URLS": ",".join(replica_urls), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    })


@contextlib.contextmanager
def app_on(cluster, replica_urls):
    app = _app(cluster.primary_url, replica_urls)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        app.extensions[replicas.EXTENSION].dispose()


@contextlib.contextmanager
def replay_paused(url: str):
    """The replica at ``url`` replays nothing more until the block ends: it lags."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            connection.exec_driver_sql("SELECT pg_wal_replay_resume()")
    engine.dispose()


def _committed(app, make_things):
    """Run ``make_things(Factories)`` on the primary and commit; what it returns."""
    with app.app_context():
        result = make_things(Factories(db))
        db.session.commit()
        db.session.remove()
        return result


def _identifier(app) -> str:
    return _committed(app, lambda make: make.subject().identifier)


def _finds(client, identifier: str) -> bool:
    """The public lookup by identifier finds the subject (a redirect to its page)."""
    response = client.get(f"/?q={identifier}")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 302


def test_public_lookup_reads_the_replica_and_an_officer_the_primary(cluster):
    replica = cluster.replica_urls[0]
    with app_on(cluster, [replica]) as app:
        email = _committed(app, lambda make: make.user(role="clerk").email)
        cluster.wait_for_replay()
        with replay_paused(replica):
            identifier = _identifier(app)
            client = app.test_client()
            assert not _finds(client, identifier)  # the lagging replica has not got it yet
            assert client.post("/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302
            assert _finds(client, identifier)  # a signed-in officer reads the primary
        cluster.wait_for_replay()
        assert _finds(app.test_client(), identifier)  # caught up


def test_without_replicas_the_primary_answers(cluster):
    with app_on(cluster, []) as app:
        identifier = _identifier(app)
        assert _finds(app.test_client(), identifier)


def test_a_client_reads_its_own_writes_after_signing_out(cluster):
    replica = cluster.replica_urls[0]
    with app_on(cluster, [replica]) as app:
        email = _committed(app, lambda make: make.user(role="clerk").email)
        cluster.wait_for_replay()
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302
        with replay_paused(replica):
            identifier = _identifier(app)
            # The sign-out commits (its audit record) on the primary: the session notes where it stood.
            client.post("/logout")
            with client.session_transaction() as session:
                assert replicas.SESSION_LSN_KEY in session
            assert _finds(client, identifier)  # the replica has not replayed that far: the primary answers
            assert not _finds(app.test_client(), identifier)  # another visitor reads the lagging replica
        cluster.wait_for_replay()
        assert _finds(client, identifier)
        with client.session_transaction() as session:  # a replica had it: no need to ask again
            assert replicas.SESSION_LSN_KEY not in session


def test_name_search_reads_the_replica(cluster):
    replica = cluster.replica_urls[0]
    name = "潇湘回声测试运输有限公司"
    with app_on(cluster, [replica]) as app:
        key = _api_key(app)
        cluster.wait_for_replay()
        with replay_paused(replica):
            _committed(app, lambda make: make.subject(name=name))
            client = app.test_client()
            assert name not in client.get("/?q=潇湘回声").get_data(as_text=True)
            answer = client.get("/api/v1/subjects?q=潇湘回声", headers={"X-API-Key": key})
            assert answer.status_code == 200 and answer.get_json()["count"] == 0
        cluster.wait_for_replay()
        client = app.test_client()
        assert name in client.get("/?q=潇湘回声").get_data(as_text=True)
        answer = client.get("/api/v1/subjects?q=潇湘回声", headers={"X-API-Key": key}).get_json()
        assert [result["name"] for result in answer["results"]] == [name]


def _api_key(app) -> str:
    return _committed(app, lambda make: make.api_key()[1])


def test_credit_check_reads_the_replica_and_logs_on_the_primary(cluster):
    replica = cluster.replica_urls[0]
    with app_on(cluster, [replica]) as app:
        key = _api_key(app)
        cluster.wait_for_replay()
        with replay_paused(replica):
            identifier = _committed(app, lambda make: make.entry("published").subject.identifier)
            response = app.test_client().get(f"/api/v1/credit/{identifier}", headers={"X-API-Key": key})
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["found"] is False  # read on the lagging replica
            with app.app_context():  # the log row went to the primary (a standby refuses writes)
                logged = db.session.scalar(sa.select(sa.func.count()).select_from(ApiRequestLog))
                assert logged >= 1
        cluster.wait_for_replay()
        response = app.test_client().get(f"/api/v1/credit/{identifier}", headers={"X-API-Key": key})
        assert response.get_json()["found"] is True


def _change(app, n: int) -> int:
    def add(make):
        subject = make.subject()
        return record_change("subject", subject.id, ChangeKind.PUBLISHED, payload={"n": n},
                             subject_id=subject.id).id
    return _committed(app, add)


def _feed(client, key: str, since: int) -> dict:
    response = client.get(f"/api/v1/changes?since={encode_cursor(since)}", headers={"X-API-Key": key})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_change_feed_never_serves_a_cursor_the_replica_has_not_reached(cluster):
    replica = cluster.replica_urls[0]
    with app_on(cluster, [replica]) as app:
        key = _api_key(app)
        reached = _change(app, 0)
        cluster.wait_for_replay()
        with replay_paused(replica):
            first, second = _change(app, 1), _change(app, 2)
            client = app.test_client()
            # A cursor the replica has reached: it answers, with what it has (nothing newer yet).
            assert _feed(client, key, reached)["changes"] == []
            # A cursor from the primary (a later event) the replica has not reached: the primary answers.
            body = _feed(client, key, first)
            assert [change["payload"]["n"] for change in body["changes"]] == [2]  # (every payload also carries markers)
            with app.app_context():
                assert db.session.get(ChangeEvent, second) is not None


def test_a_replica_that_is_down_is_skipped(cluster):
    gone = cluster.url(_unused_port())
    with app_on(cluster, [gone]) as app:
        identifier = _identifier(app)
        assert _finds(app.test_client(), identifier)  # run again on the primary, not a 503
        assert app.extensions[replicas.EXTENSION].healthy() == []
        assert _finds(app.test_client(), identifier)


def test_two_replicas_share_the_reads(cluster):
    with app_on(cluster, cluster.replica_urls) as app:
        identifier = _identifier(app)
        cluster.wait_for_replay()
        used = []
        for _ in range(4):
            with app.test_request_context(f"/?q={identifier}"):
                g.registry_replica_reads = True
                db.session.execute(sa.select(sa.literal(1)))
                used.append(db.session.get_bind(clause=sa.select(sa.literal(1))).url.port)
                db.session.remove()
        ports = [port for _, port in cluster.replicas]
        assert used == [ports[0], ports[1], ports[0], ports[1]]


def test_a_request_that_wrote_reads_the_primary_afterwards(cluster):
    with app_on(cluster, cluster.replica_urls[:1]) as app, app.test_request_context("/"):
        g.registry_replica_reads = True
        statement = sa.select(sa.literal(1))
        assert db.session.get_bind(clause=statement) is app.extensions[replicas.EXTENSION].engines[0]
        assert db.session.get_bind(clause=sa.insert(ChangeEvent.__table__)) is db.engine
        assert db.session.get_bind(clause=statement) is db.engine
        db.session.remove()


def _unused_port() -> int:
    from benchmarks.replica_cluster import _free_port

    return _free_port()
