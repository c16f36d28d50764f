"""The watchlist benchmark: 100,000 watched identifiers, a publish run, its notifications.

On a copy of the data set of its own (the publish run changes the data):

1. one API key adds ``watched`` identifiers through ``POST /api/v1/watchlist`` in batches of 1,000:
   every subject with an entry due to publish on the reference date, the rest drawn at random;
2. its endpoint is a local receiver (``python -m tests.watch_receiver``: a threaded http.server on
   127.0.0.1 in another process, keeping connections open);
3. the day's publish run (the ``publicity_end`` check) publishes the due entries; the scheduler's
   job then queues their notifications in one set-based pass and sends them (8 threads, signed);
4. the receiver (a process of its own, as a business system would be) records every request; they
   are verified afterwards with ``standardwebhooks``' own ``Webhook.verify``.

Figures: seconds of the publish run and of queueing, notifications per second from the first send
to the last answer, and how many verified.  Traffic stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import sqlalchemy as sa


def _watch_set(db, today, watched: int, seed: int) -> tuple[list[str], int]:
    due = list(db.session.scalars(sa.text(
        "SELECT DISTINCT s.identifier FROM subjects s JOIN list_entries e ON e.subject_id = s.id "
        "WHERE e.status = 'in_publicity' AND e.publicity_end < :t ORDER BY 1"), {"t": today}))
    chosen = set(due[:watched])
    everyone = list(db.session.scalars(sa.text("SELECT identifier FROM subjects ORDER BY id")))
    rng = random.Random(seed)
    rng.shuffle(everyone)
    for identifier in everyone:
        if len(chosen) >= watched:
            break
        chosen.add(identifier)
    result = sorted(chosen)
    rng.shuffle(result)
    return result, len(due)


def watch_notifications(app, today, *, watched: int = 100_000, seed: int = 1) -> dict:
    from registry.accounts.apikeys import issue_key
    from registry.checks.registry import CHECKS
    from registry.checks.runner import run_check
    from registry.extensions import db
    from registry.watch import delivery, operations
    app.config["WATCH_TIMEOUT_SECONDS"] = 5
    app.config["OUTBOUND_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]  # the receiver runs on this machine
    with _receiver() as receiver, app.app_context():
        identifiers, due_subjects = _watch_set(db, today, watched, seed)
        key, raw = issue_key(name="watch benchmark", scopes=["watch:write"], rate_limit="1000000/minute")
        db.session.commit()
        client = app.test_client()
        batch_ms = []
        for start in range(0, len(identifiers), 1000):
            started = time.perf_counter()
            response = client.post("/api/v1/watchlist", headers={"X-API-Key": raw},
                                   json={"identifiers": identifiers[start:start + 1000]})
            batch_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)
        count = operations.watched_count(key.id)
        admin = _admin(db)
        _endpoint, secret = operations.set_endpoint(key, receiver.url, actor=admin)
        db.session.commit()

        started = time.perf_counter()
        published = run_check(CHECKS["publicity_end"], today)
        publish_seconds = time.perf_counter() - started
        started = time.perf_counter()
        queued = delivery.queue_deliveries()
        db.session.commit()
        queue_seconds = time.perf_counter() - started

        started, cpu = time.perf_counter(), time.process_time()
        totals = {"delivered": 0, "retrying": 0, "given_up": 0}
        with delivery.new_sender() as via:
            while True:
                counts = delivery.deliver_round(via=via)
                for name, n in counts.items():
                    totals[name] += n
                if not any(counts.values()):
                    break
        send_seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    verified = _verify(receiver.requests, secret)
    return {
        "watched": count, "due_subjects_watched": min(due_subjects, watched), "publish_counts": published,
        "publish_seconds": round(publish_seconds, 3), "queued": queued, "queue_seconds": round(queue_seconds, 3),
        "delivered": totals["delivered"], "failed": totals["retrying"] + totals["given_up"],
        "send_seconds": round(send_seconds, 3),
        "per_second": round(totals["delivered"] / send_seconds, 1) if send_seconds else None,
        # The registry's own CPU time per notification (the receiver's is not counted): the rate the
        # sender sustains with a core to itself, whatever else shares the machine.
        "per_cpu_second": round(totals["delivered"] / cpu_seconds, 1) if cpu_seconds else None,
        "load_average": round(os.getloadavg()[0], 1),
        "verified": verified, "received": len(receiver.requests),
        "add_batch_median_ms": round(statistics.median(batch_ms), 1) if batch_ms else None,
    }


class _Remote:
    def __init__(self, url: str, path: str):
        self.url, self.path = url, path
        self.requests: list[dict] = []


@contextmanager
def _receiver():
    """The receiver in a process of its own; its requests are read back when it has stopped."""
    folder = tempfile.mkdtemp(prefix="watch-bench-")
    path = os.path.join(folder, "requests.jsonl")
    process = subprocess.Popen([sys.executable, "-m", "tests.watch_receiver", path], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        remote = _Remote(process.stdout.readline().strip(), path)
        yield remote
    finally:
        process.stdin.close()
        process.wait(timeout=60)
        process.stdout.close()
    with open(path, encoding="utf-8") as lines:
        remote.requests = [dict(item, raw=base64.b64decode(item["raw"])) for item in map(json.loads, lines)]
    os.remove(path)
    os.rmdir(folder)


def _admin(db):
    from registry.accounts.models import User
    from registry.core.permissions import Role

    return db.session.scalars(sa.select(User).where(User.role == Role.ADMIN).limit(1)).first() or _make_admin(db)


def _make_admin(db):
    from registry.accounts.models import Unit, User
    from registry.core.permissions import Role

    unit = db.session.scalars(sa.select(Unit).limit(1)).first()
    user = User(email="watch-bench@example.cn", name="benchmark admin", unit=unit, role=Role.ADMIN,
                password_hash="!")
    db.session.add(user)
    db.session.flush()
    return user


def _verify(requests: list[dict], secret: str) -> int:
    from standardwebhooks.webhooks import Webhook

    hook = Webhook(secret)
    return sum(1 for request in requests if hook.verify(request["raw"], request["headers"]))
