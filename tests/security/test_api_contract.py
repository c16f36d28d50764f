"""The API keeps its OpenAPI contract: schemathesis ``--checks all`` finds nothing.

Schemathesis runs as its own command line, from its own virtualenv (``.venv-contract``, made by
``make test`` from ``tests/contract/requirements.txt``: it pins its own pytest and hypothesis, and
its warnings would fight ``filterwarnings = error`` here), against the application served on a
local port, with a seeded database (SQLite, or a fresh PostgreSQL database when the suite runs on
PostgreSQL) and a key with every scope.  Its settings and the one check of our own are in
``tests/contract/``.  ``test_fuzz_api.py`` fuzzes the same operations in-process, quicker.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.accounts.apikeys import ApiScope
from registry.watch import operations as watch
from tests.conftest import TEST_DATABASE_URL
from tests.factories import valid_uscc
from tests.served import served_app

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "tests" / "contract"
TOOL = Path(os.environ.get("REGISTRY_CONTRACT_TOOL") or ROOT / ".venv-contract" / "bin" / "schemathesis").absolute()
SEED = 30  # fixed, so that a run is repeatable; other seeds were run clean when this test was written
MAX_EXAMPLES = 40  # per operation and phase: a minute or two on either database, on a busy machine too

pytestmark = pytest.mark.skipif(
    not TOOL.exists(), reason=f"schemathesis is not installed at {TOOL}: `make test` creates .venv-contract "
    "(or set REGISTRY_CONTRACT_TOOL to a schemathesis command)")


@contextmanager
def own_database(folder: Path):
    """A database for the served application alone: a SQLite file, or a PostgreSQL database made
    for the run and dropped after it (the suite's own database is in use by the other tests)."""
    if not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{folder / 'contract.sqlite'}"
        return
    name = f"registry_contract_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _records(make) -> str:
    """Something behind every operation: public list entries (with feed items), a watched
    identifier, and a key with every scope; returns the key."""
    make.entry("published")
    make.entry("in_publicity")
    key, raw = make.api_key(scopes=[scope.value for scope in ApiScope], rate="1000000/minute")
    watch.add_identifiers(key, [valid_uscc(7)])
    return raw


def test_schemathesis_finds_no_failure(tmp_path):
    # Limits on, as in production (and the limiter shared by the process needs its storage when
    # this is its first app), but far above what the run sends: a 429 is not what is tested here.
    limits = {"RATELIMIT_ENABLED": True, "RATELIMIT_API_BAD_KEY": "1000000 per minute"}
    with own_database(tmp_path) as url, served_app(tmp_path, setup=_records, DATABASE_URL=url, **limits) as served:
        command = [
            str(TOOL), "--config-file", str(CONTRACT / "schemathesis.toml"), "--no-color",
            "run", f"http://127.0.0.1:{served.port}/api/v1/openapi.json",
            "--checks", "all", "--header", f"X-API-Key: {served.extra}",
            "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "2",
        ]
        environment = {**os.environ, "SCHEMATHESIS_HOOKS": str(CONTRACT / "hooks.py")}
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment,
                                cwd=tmp_path, check=False)
    output = result.stdout + result.stderr
    # a failed check, an error, or a warning the settings make fail (tests/contract/schemathesis.toml)
    assert result.returncode == 0, output[-12000:]
    assert "generated" in output and "Failures:" not in output, output[-4000:]
