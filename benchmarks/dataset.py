"""Building (or reusing) the benchmark data set, and the app that measures it.

SQLite: ``benchmarks/data/bench-<N>-s<seed>.sqlite`` is built once (schema from the models, then
``gen-data``, then an API key for the benchmark) and kept pristine; every run works on a fresh
copy, because the checks, imports and API logs change what they touch.
PostgreSQL (``REGISTRY_BENCH_PG_URL``): the database is emptied and rebuilt when its meta row
does not match N and the seed, and the mutating steps run last.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SECRET = "benchmark-secret-key"
CONFIG = {
    "SECRET_KEY": SECRET,
    "RATELIMIT_PUBLIC": "1000000 per minute",  # measure the work, not the throttle
    "LOG_LEVEL": "WARNING",
}
KEY_RATE = "1000000/minute"


@dataclass
class Dataset:
    url: str
    subjects: int
    seed: int
    today: date
    api_key: str
    build_seconds: float | None  # None when reused
    dialect: str


def anchor_file(url: str) -> str:
    """The audit chain's anchors of one benchmark database, beside the data sets: never the
    instance folder's, which anchors the demo database (``make run``), and emptied whenever the
    database is built or copied afresh (its chain starts again)."""
    parsed = sa.engine.make_url(url)
    label = (os.path.basename(parsed.database or "memory") if parsed.get_backend_name() == "sqlite"
             else f"{parsed.get_backend_name()}-{parsed.database}")
    return os.path.join(DATA, f"anchors-{label}.jsonl")


def _fresh_anchors(url: str) -> None:
    os.makedirs(DATA, exist_ok=True)
    if os.path.exists(anchor_file(url)):
        os.remove(anchor_file(url))


def make_app(url: str):
    from registry import create_app

    return create_app({**CONFIG, "DATABASE_URL": url, "AUDIT_ANCHOR_FILE": anchor_file(url)})


def _build(url: str, subjects: int, seed: int, today: date) -> tuple[str, float]:
    from registry.accounts.apikeys import ApiScope, issue_key
    from registry.core.audit import verify_chain
    from registry.extensions import db
    from registry.gendata.generate import generate

    _fresh_anchors(url)
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        generate(subjects, seed, today, progress=lambda message: print(f"  gen-data: {message}", flush=True))
        seconds = time.perf_counter() - started
        _key, raw = issue_key(name="benchmark", scopes=list(ApiScope), rate_limit=KEY_RATE)
        db.session.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_meta (body TEXT)"))
        db.session.execute(sa.text("DELETE FROM bench_meta"))
        meta = {"subjects": subjects, "seed": seed, "today": today.isoformat(), "api_key": raw,
                "build_seconds": seconds}
        db.session.execute(sa.text("INSERT INTO bench_meta (body) VALUES (:body)"), {"body": json.dumps(meta)})
        db.session.commit()
        report = verify_chain()
        assert report.ok, report
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return raw, seconds


def _meta(url: str) -> dict | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return json.loads(connection.execute(sa.text("SELECT body FROM bench_meta")).scalar())
    except Exception:
        return None
    finally:
        engine.dispose()


def sqlite_dataset(subjects: int, seed: int, today: date, *, rebuild: bool = False) -> Dataset:
    os.makedirs(DATA, exist_ok=True)
    pristine = os.path.join(DATA, f"bench-{subjects}-s{seed}.sqlite")
    meta = None if rebuild else _meta(f"sqlite:///{pristine}")
    built = None
    if meta is None or meta.get("subjects") != subjects:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(pristine + suffix):
                os.remove(pristine + suffix)
        print(f"building {pristine} ({subjects} subjects, seed {seed}) …", flush=True)
        _build(f"sqlite:///{pristine}", subjects, seed, today)
        meta = _meta(f"sqlite:///{pristine}")
        built = meta["build_seconds"]
    work = os.path.join(DATA, "work.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(work + suffix):
            os.remove(work + suffix)
    shutil.copyfile(pristine, work)
    _fresh_anchors(f"sqlite:///{work}")
    return Dataset(f"sqlite:///{work}", subjects, seed, date.fromisoformat(meta["today"]), meta["api_key"],
                   built, "sqlite")


def postgres_dataset(url: str, subjects: int, seed: int, today: date) -> Dataset:
    meta = _meta(url)
    built = None
    if meta is None or meta.get("subjects") != subjects or meta.get("seed") != seed or meta.get("dirty"):
        print(f"building the PostgreSQL data set ({subjects} subjects, seed {seed}) …", flush=True)
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS bench_meta")
        engine.dispose()
        _build(url, subjects, seed, today)
        meta = _meta(url)
        built = meta["build_seconds"]
    return Dataset(url, subjects, seed, date.fromisoformat(meta["today"]), meta["api_key"], built, "postgresql")


def mark_dirty(url: str) -> None:
    """After the mutating steps: the next PostgreSQL run rebuilds."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        body = json.loads(connection.execute(sa.text("SELECT body FROM bench_meta")).scalar())
        body["dirty"] = True
        connection.execute(sa.text("UPDATE bench_meta SET body = :body"), {"body": json.dumps(body)})
    engine.dispose()


def own_copy(dataset: Dataset, name: str) -> str:
    """A fresh copy of the pristine SQLite data set for a step that changes the data on its own."""
    pristine = os.path.join(DATA, f"bench-{dataset.subjects}-s{dataset.seed}.sqlite")
    target = os.path.join(DATA, f"{name}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    shutil.copyfile(pristine, target)
    _fresh_anchors(f"sqlite:///{target}")
    return f"sqlite:///{target}"
