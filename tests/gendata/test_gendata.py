"""The synthetic data set of the benchmarks (``flask gen-data``): deterministic, valid, in proportion,
and usable by the app (pages, API, checks) with the audit chain intact.

Each data set lives in its own SQLite file, outside the shared test database: the generator
commits and rebuilds the search index, which a rolled-back test transaction cannot hold.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.core.audit import verify_chain
from registry.core.identifiers import SubjectKind, normalize
from registry.extensions import db
from registry.gendata.generate import AlreadyGenerated, generate
from registry.subjects.models import Subject
from tests.standards import plate_valid, ric_valid, uscc_valid

TODAY = date(2026, 11, 27)
SUBJECTS = 2000


def _generated_app(path, seed: int = 1, subjects: int = SUBJECTS):
    # Each database anchors its audit chain in a file of its own (several are built in one test).
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{path}",
                      "AUDIT_ANCHOR_FILE": f"{path}.anchors.jsonl",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        generate(subjects, seed, TODAY)
        db.session.remove()
    return app


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    app = _generated_app(tmp_path_factory.mktemp("gendata") / "a.sqlite")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _identifiers(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Subject.identifier, Subject.name).order_by(Subject.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _scalar(app, sql: str, **params):
    with app.app_context():
        value = db.session.scalar(sa.text(sql), params)
        db.session.remove()
    return value


def test_same_seed_same_data_other_seed_other_data(generated, tmp_path):
    again = _generated_app(tmp_path / "b.sqlite", subjects=SUBJECTS)
    other = _generated_app(tmp_path / "c.sqlite", seed=2, subjects=200)
    try:
        assert _identifiers(again) == _identifiers(generated)
        count = "SELECT count(*) FROM disclosures"
        assert _scalar(again, count) == _scalar(generated, count)
        assert set(_identifiers(other)) - set(_identifiers(generated))
    finally:
        for app in (again, other):
            with app.app_context():
                db.engine.dispose()


def test_generating_twice_into_one_database_is_refused(generated):
    with generated.app_context(), pytest.raises(AlreadyGenerated):
        generate(10, 1, TODAY)
    with generated.app_context():
        db.session.rollback()
        db.session.remove()


def test_identifiers_are_valid_and_unique(generated):
    with generated.app_context():
        rows = db.session.execute(sa.select(Subject.kind, Subject.identifier)).all()
        db.session.remove()
    assert len(rows) == SUBJECTS
    assert len({identifier for _kind, identifier in rows}) == SUBJECTS
    for kind, identifier in rows:
        assert normalize(kind, identifier) == identifier
    kinds = Counter(kind for kind, _identifier in rows)
    assert kinds[SubjectKind.ORGANISATION] > kinds[SubjectKind.PERSON] > kinds[SubjectKind.VEHICLE] > 0


VALID = {"organisation": uscc_valid, "person": lambda n: ric_valid(n, TODAY), "vehicle": plate_valid}


def test_every_generated_identifier_passes_the_standards_checked_independently(generated):
    """Subjects, disclosures' parties and authorities, applicants: all by tests/standards.py."""
    rows = _rows(generated, "SELECT kind, identifier FROM subjects")
    rows += _rows(generated, "SELECT CASE party_category WHEN 'person' THEN 'person' ELSE 'organisation' END, "
                             "party_identifier FROM disclosures")
    rows += _rows(generated, "SELECT DISTINCT 'organisation', authority_uscc FROM disclosures")
    for table in ("objections", "repair_applications"):
        rows += _rows(generated, f"SELECT applicant_kind, applicant_identifier FROM {table}")
    assert {kind for kind, _value in rows} == set(VALID)
    bad = [(kind, value) for kind, value in rows if not VALID[kind](value)]
    assert bad == []


def test_check_identifiers_finds_nothing_in_generated_data(generated):
    result = generated.test_cli_runner().invoke(args=["subjects", "check-identifiers"])
    assert result.exit_code == 0, result.output
    assert "every stored identifier passes" in result.output


def _rows(app, sql: str) -> list[tuple]:
    with app.app_context():
        rows = [tuple(row) for row in db.session.execute(sa.text(sql))]
        db.session.remove()
    return rows


def test_proportions(generated):
    black = _scalar(generated, "SELECT count(DISTINCT subject_id) FROM list_entries WHERE list_kind = 'black'")
    red = _scalar(generated, "SELECT count(DISTINCT subject_id) FROM list_entries WHERE list_kind = 'red'")
    disclosures = _scalar(generated, "SELECT count(*) FROM disclosures")
    assert 0.03 * SUBJECTS <= black <= 0.08 * SUBJECTS
    assert 0.008 * SUBJECTS <= red <= 0.04 * SUBJECTS
    assert 0.8 * SUBJECTS <= disclosures <= 1.3 * SUBJECTS


@pytest.mark.parametrize("table, states", [
    ("list_entries", {"draft", "pending_review", "in_publicity", "published", "expired", "removed", "withdrawn"}),
    ("disclosures", {"draft", "pending_review", "published", "not_public", "expired", "removed"}),
    ("cases", {"draft", "pending_review", "published"}),
    ("objections", {"submitted", "material_requested", "accepted", "pending_review", "inadmissible", "decided"}),
    ("repair_applications", {"submitted", "material_requested", "accepted", "pending_review", "inadmissible",
                             "decided"}),
])
def test_every_state_is_present(generated, table, states):
    with generated.app_context():
        found = set(db.session.scalars(sa.text(f"SELECT DISTINCT status FROM {table}")))
        db.session.remove()
    assert states <= found


def test_audit_chain_stays_intact(generated):
    with generated.app_context():
        assert verify_chain().ok
        db.session.remove()


def test_name_search_index_covers_the_generated_names(generated):
    indexed = _scalar(generated, "SELECT count(*) FROM subjects_fts WHERE subjects_fts MATCH '\"有限公司\"'")
    assert indexed == _scalar(generated, "SELECT count(*) FROM subjects WHERE name LIKE '%有限公司%'") > 0


@pytest.mark.parametrize("query", ["湘", "王", "猫", "长沙", "运输", "流运"])
def test_one_and_two_characters_are_indexed_for_every_generated_name(generated, query):
    from registry.subjects.search import count_matches

    expected = _scalar(generated, "SELECT count(*) FROM subjects WHERE instr(name, :q) > 0", q=query)
    with generated.app_context():
        assert count_matches(query, cap=10**6) == expected
        db.session.remove()


def test_pages_and_api_work_on_the_generated_data(generated):
    from registry.accounts.apikeys import ApiScope, issue_key

    with generated.app_context():
        _key, raw = issue_key(name="test", scopes=list(ApiScope))
        db.session.commit()
        subject_id, identifier = db.session.execute(sa.text(
            "SELECT s.id, s.identifier FROM subjects s JOIN list_entries e ON e.subject_id = s.id "
            "WHERE e.status = 'published' AND e.valid_until >= :today ORDER BY s.id LIMIT 1"), {"today": TODAY}).one()
        db.session.remove()
    client = generated.test_client()
    assert client.get(f"/subjects/{subject_id}").status_code == 200
    assert client.get("/", query_string={"q": "有限公司"}).status_code == 200
    assert client.get("/lists/black").status_code == 200
    from registry.core import clock

    with clock.frozen_at(TODAY):
        answer = client.get(f"/api/v1/credit/{identifier}", headers={"X-API-Key": raw})
        assert answer.status_code == 200
        assert answer.get_json()["found"] is True
        batch = client.post("/api/v1/credit/batch", json={"identifiers": [identifier] * 3},
                            headers={"X-API-Key": raw})
        assert batch.status_code == 200 and batch.get_json()["count"] == 3


def test_checks_run_on_the_generated_data(generated):
    from registry.checks.registry import ordered_checks
    from registry.checks.runner import run_check

    with generated.app_context():
        counts = {check.name: run_check(check, TODAY) for check in ordered_checks()}
        assert counts["publicity_end"]["published"] > 0
        assert counts["validity_end"]["expired"] > 0
        assert verify_chain().ok
        db.session.remove()


@pytest.mark.skipif(not os.environ.get("REGISTRY_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs REGISTRY_TEST_DATABASE_URL pointing at PostgreSQL")
def test_on_postgresql_new_rows_do_not_collide_with_generated_ids():
    """Generated rows carry explicit ids: the id sequences must move past them."""
    base = sa.engine.make_url(os.environ["REGISTRY_TEST_DATABASE_URL"])
    name = f"gendata_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": base.set(database=name)
                          .render_as_string(hide_password=False), "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            generate(300, 1, TODAY)
            before = db.session.scalar(sa.select(sa.func.max(Subject.id)))
            from registry.subjects.operations import create_subject
            from tests.factories import valid_uscc

            subject = create_subject(kind="organisation", identifier=valid_uscc(987654), name="新登记主体有限公司")
            db.session.commit()
            assert subject.id > before
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


# ---------------------------------------------------------------------------------------------
# Bulk loading (benchmarks/README.md): COPY on PostgreSQL puts in exactly the rows INSERT did, and the
# rows SQLite gets.

PG_SUBJECTS = 400


@contextlib.contextmanager
def _postgres_app(label: str):
    base = sa.engine.make_url(os.environ["REGISTRY_TEST_DATABASE_URL"])
    name = f"gendata_{label}_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "RATELIMIT_ENABLED": False,
                      "DATABASE_URL": base.set(database=name).render_as_string(hide_password=False)})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _generate_into(app, *, copy=None) -> dict[str, int]:
    with app.app_context():
        db.create_all()
        counts = generate(PG_SUBJECTS, 3, TODAY, copy=copy)
        db.session.remove()
    return counts


def _table_rows(app, tables) -> dict[str, list[tuple]]:
    """Every row of ``tables`` by primary key, as SQLAlchemy's column types read them back."""
    with app.app_context():
        rows = {}
        for name in sorted(tables):
            table = db.metadata.tables[name]
            rows[name] = [tuple(row) for row in db.session.execute(
                sa.select(table).order_by(*table.primary_key.columns))]
        db.session.remove()
    return rows


needs_postgres = pytest.mark.skipif(
    not os.environ.get("REGISTRY_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs REGISTRY_TEST_DATABASE_URL pointing at PostgreSQL")


@needs_postgres
def test_copy_loads_the_rows_insert_loaded():
    with _postgres_app("copy") as copied, _postgres_app("insert") as inserted:
        copied_counts = _generate_into(copied, copy=True)
        assert _generate_into(inserted, copy=False) == copied_counts
        assert copied_counts["subjects"] == PG_SUBJECTS
        assert _table_rows(copied, copied_counts) == _table_rows(inserted, copied_counts)


@needs_postgres
def test_postgresql_and_sqlite_get_the_same_rows(tmp_path):
    sqlite = _generated_app(tmp_path / "same.sqlite", seed=3, subjects=PG_SUBJECTS)
    try:
        with _postgres_app("same") as postgres:
            counts = _generate_into(postgres)
            with sqlite.app_context():
                assert {name: db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables[name]))
                        for name in counts} == counts
                db.session.remove()
            assert _table_rows(postgres, counts) == _table_rows(sqlite, counts)
    finally:
        with sqlite.app_context():
            db.engine.dispose()
