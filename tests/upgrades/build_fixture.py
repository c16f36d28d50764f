"""Build the data fixture of an earlier release for the upgrade test (run once per release; the
fixture is committed, so that the test needs neither the git history nor the old code).

    .venv/bin/python -m tests.upgrades.build_fixture 4335b8d release-2026-11-27

Exports the release's source with ``git archive``, installs it in a virtualenv of its own, runs
its ``flask db upgrade`` and ``flask demo`` on a new SQLite database, then ``release_work.py``
(a week's real work through that release's commands and pages), and writes every table's rows to
``tests/upgrades/fixtures/NAME.json`` with the release's migration revision.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from datetime import UTC, datetime

from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.upgrades.fixture_io import dump_sqlite, write_fixture

HERE = pathlib.Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent


def _run(command: list[str], **options) -> str:
    print("$", " ".join(command), file=sys.stderr)
    finished = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if finished.returncode != 0:
        output = finished.stdout[-3000:] + finished.stderr[-3000:]
        raise SystemExit(f"{command[-1]} failed ({finished.returncode}):\n{output}")
    return finished.stdout


def export(commit: str, target: pathlib.Path) -> str:
    """The release's files in ``target``; returns the full commit id."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", commit], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return _run(["git", "-C", str(REPOSITORY), "rev-parse", commit]).strip()


def head_revision(source: pathlib.Path) -> str:
    config = Config()
    config.set_main_option("script_location", str(source / "migrations"))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return head


def install(source: pathlib.Path) -> pathlib.Path:
    python = source / ".venv" / "bin" / "python"
    _run(["python3.11", "-m", "venv", str(source / ".venv")])
    _run([str(python), "-m", "pip", "install", "--quiet", "-e", str(source)])
    for catalogue in source.glob("registry/**/LC_MESSAGES/*.po"):
        _run([str(source / ".venv" / "bin" / "pybabel"), "compile", "-i", str(catalogue),
              "-o", str(catalogue.with_suffix(".mo"))])
    return python


def build(commit: str, name: str, workdir: pathlib.Path) -> pathlib.Path:
    source = workdir / "source"
    full_commit = export(commit, source)
    python = install(source)
    database = workdir / "registry.sqlite"
    env = {**os.environ, "REGISTRY_SECRET_KEY": "upgrade-fixture", "REGISTRY_AUDIT_HMAC_KEY": "upgrade-fixture",
           "REGISTRY_DATABASE_URL": f"sqlite:///{database}", "REGISTRY_UPLOAD_FOLDER": str(workdir / "uploads"),
           "REGISTRY_EXCHANGE_DIR": str(workdir / "exchange"),
           "REGISTRY_AUDIT_ANCHOR_FILE": str(workdir / "audit-anchors.jsonl")}
    flask = [str(python), "-m", "flask", "--app", "registry"]
    _run([*flask, "db", "upgrade"], cwd=source, env=env)
    _run([*flask, "demo"], cwd=source, env=env)
    work = json.loads(_run([str(python), str(HERE / "release_work.py")], cwd=source, env=env).splitlines()[-1])
    keyed = "AUDIT_HMAC_KEY" in (source / "registry" / "core" / "audit.py").read_text(encoding="utf-8")
    anchors = workdir / "audit-anchors.jsonl"
    fixture = {
        "release": name,
        # what the operator keeps beside the database: the chain's key (None: the release wrote a plain
        # SHA-256 chain) and the anchor file's lines
        "audit_hmac_key": env["REGISTRY_AUDIT_HMAC_KEY"] if keyed else None,
        "anchor_file": anchors.read_text(encoding="utf-8").splitlines() if anchors.exists() else [],
        "commit": full_commit,
        "revision": head_revision(source),
        "built_on": datetime.now(UTC).date().isoformat(),
        "built_with": f"python -m tests.upgrades.build_fixture {commit} {name}",
        "work": work,
        "tables": dump_sqlite(str(database)),
    }
    path = HERE / "fixtures" / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    write_fixture(path, fixture)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit", help="the release's commit (e.g. 4335b8d)")
    parser.add_argument("name", help="the fixture's name (e.g. release-2026-11-27)")
    parser.add_argument("--workdir", type=pathlib.Path, help="where to build (default: a new temporary folder)")
    arguments = parser.parse_args()
    workdir = arguments.workdir or pathlib.Path(tempfile.mkdtemp(prefix="registry-release-"))
    print(build(arguments.commit, arguments.name, workdir))


if __name__ == "__main__":
    main()
