"""The audit log page at a million events: ``python -m benchmarks.audit_log``.

Builds a SQLite file of N events (default 1,000,000; times spread over three years and out of id
order, as seeded history is), then times through the real view (Flask's test client, an auditor
signed in): the newest page, the 100th page reached by key, a page filtered by unit, by officer
and by record, and the CSV of one day.  The events are written straight into the table (no hash
chain: this file is only for timing).  Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta


def _fill(db, count: int, seed: int) -> None:
    from registry.accounts.models import Unit, User
    from registry.core.audit import AuditEvent

    rng = random.Random(seed)
    units = [u.id for u in db.session.query(Unit).all()]
    users = [u.id for u in db.session.query(User).all()] or [None]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    actions = ["list_entry.create", "list_entry.submit", "list_entry.approve", "disclosure.create",
               "disclosure.approve", "document.issue", "objection.file", "auth.login"]
    table = AuditEvent.__table__
    for first in range(0, count, 20_000):
        rows = []
        for n in range(first, min(first + 20_000, count)):
            actor = rng.choice(users)
            rows.append({"occurred_at": start + timedelta(seconds=rng.randrange(3 * 365 * 86400)),
                         "actor_id": actor, "actor_label": "bench" if actor else "system",
                         "action": rng.choice(actions), "object_type": "list_entry",
                         "object_id": rng.randrange(1, 200_000), "unit_id": rng.choice(units),
                         "prev_hash": f"{n:064d}", "hash": f"{n + 10**12:064d}"})
        db.session.execute(table.insert(), rows)
    db.session.commit()


def _time(client, path: str, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(path)
        response.get_data()
        assert response.status_code == 200, (path, response.status_code)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from registry import create_app
    from registry.cli import _run_steps
    from registry.core.seeding import SEED_STEPS
    from registry.extensions import db

    folder = tempfile.mkdtemp(prefix="bench-audit-")
    app = create_app({"SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench", "TESTING": True, "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "DATABASE_URL": f"sqlite:///{os.path.join(folder, 'audit.sqlite')}",
                      "AUDIT_ANCHOR_FILE": os.path.join(folder, "anchors.jsonl")})
    with app.app_context():
        db.create_all()
        _run_steps(SEED_STEPS)
        from registry.accounts.models import Unit, User
        from registry.core.permissions import Role

        auditor = User(email="auditor@bench.hn", name="审计", unit=db.session.query(Unit).first(), role=Role.AUDITOR)
        auditor.set_password("bench-password")
        db.session.add(auditor)
        db.session.commit()
        began = time.perf_counter()
        _fill(db, args.events, args.seed)
        print(f"{args.events:,} events written in {time.perf_counter() - began:.1f} s")
        client = app.test_client()
        signed_in = client.post("/login", data={"email": "auditor@bench.hn", "password": "bench-password"})
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[-2000:]
        path = "/admin/audit"
        for _ in range(99):  # walk to the 100th page by key
            html = client.get(path).get_data(as_text=True)
            path = html.split('class="pager"')[1].split("</nav>")[0].split('href="')[-1].split('"')[0]
            path = path.replace("&amp;", "&")
        unit = db.session.query(Unit).order_by(Unit.id.desc()).first().id
        figures = {
            "newest page": _time(client, "/admin/audit"),
            "100th page (by key)": _time(client, path),
            "filtered by unit": _time(client, f"/admin/audit?unit={unit}"),
            "filtered by officer": _time(client, f"/admin/audit?officer={auditor.id}"),
            "one record": _time(client, "/admin/audit?kind=list_entry&number=4242"),
            "CSV of one day": _time(client, "/admin/audit.csv?from=2025-06-01&to=2025-06-01", runs=3),
        }
    for label, milliseconds in figures.items():
        print(f"| {label} | {milliseconds:.0f} ms |")


if __name__ == "__main__":
    main()
