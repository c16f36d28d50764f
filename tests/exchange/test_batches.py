"""Monthly exchange batches: month bounds, determinism, delivery with retries, the commands."""

import hashlib
import json
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from registry.checks.registry import CHECKS
from registry.checks.runner import run_check
from registry.core import clock
from registry.exchange import batches
from registry.exchange.models import BatchStatus, ExchangeBatch
from tests.conftest import count

NO_MARKERS = {"in_publicity": False, "objection_pending": False, "under_repair": False}


def local(*args):
    return datetime(*args, tzinfo=clock.LOCAL_TZ)


@pytest.fixture
def october(make):
    """Changes just inside and just outside October 2026 on the Shanghai calendar."""
    return {
        "before": make.change_event(at=local(2026, 9, 30, 23, 59)),
        "first": make.change_event(at=local(2026, 10, 1, 0, 0), payload={"名称": "湖南测试", "n": 1}),
        "removed": make.change_event(at=local(2026, 10, 15, 12), change="removed", reason="repaired"),
        "last": make.change_event(at=local(2026, 10, 31, 23, 59, 59), record_type="list_entry"),
        "after": make.change_event(at=local(2026, 11, 1, 0, 0)),
    }


class Receiver(BaseHTTPRequestHandler):
    """Answers from a script: 500, then hangs past the timeout, then 200 (recording the body)."""

    script: list = []
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        action = Receiver.script.pop(0) if Receiver.script else 200
        if action == "hang":
            threading.Event().wait(2)
            return
        if 200 <= action < 300:
            Receiver.received.append((self.headers, body))
        self.send_response(action)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(app, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.script, Receiver.received = [], []
    monkeypatch.setitem(app.config, "EXCHANGE_URL", f"http://127.0.0.1:{server.server_port}/batches")
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.0/8"])  # the receiver is local
    monkeypatch.setitem(app.config, "EXCHANGE_TIMEOUT_SECONDS", 0.5)
    yield Receiver
    server.shutdown()
    server.server_close()


def build_files(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    manifest = batches.write_files(2026, 10, folder)
    return folder, json.loads(manifest)


def test_month_is_bounded_by_shanghai_midnights(db, october, tmp_path):
    folder, manifest = build_files(tmp_path, "a")
    lines = (folder / "registry-changes-2026-10.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == [october["first"].id, october["removed"].id, october["last"].id]
    assert manifest["period_start"] == "2026-09-30T16:00:00.000000Z"
    assert manifest["event_count"] == 3
    assert manifest["counts_by_change"] == {"published": 2, "removed": 1}
    assert manifest["counts_by_record_type"] == {"disclosure": 2, "list_entry": 1}
    first = json.loads(lines[0])
    assert first["payload"] == {"名称": "湖南测试", "n": 1, "markers": NO_MARKERS}
    assert first["occurred_at"] == "2026-09-30T16:00:00.000000Z"
    assert json.loads(lines[1])["reason"] == "repaired"


def test_manifest_hashes_describe_the_files(db, october, tmp_path):
    folder, manifest = build_files(tmp_path, "a")
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    rows = (folder / "registry-changes-2026-10.csv").read_bytes().decode("utf-8").split("\r\n")
    assert rows[0].startswith("id,occurred_at,record_type") and len([r for r in rows if r]) == 4


def test_building_again_gives_byte_identical_files(db, october, tmp_path):
    with clock.frozen_at(date(2026, 11, 1)):
        first, _ = build_files(tmp_path, "a")
    with clock.frozen_at(date(2027, 5, 9)):
        second, _ = build_files(tmp_path, "b")
    for name in ("registry-changes-2026-10.jsonl", "registry-changes-2026-10.csv", "registry-manifest-2026-10.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert batches.build_batch(2026, 10).outcome == "built"
    assert batches.build_batch(2026, 10).outcome == "unchanged"


def test_a_late_change_rebuilds_and_asks_for_delivery_again(db, make, october):
    batch = batches.build_batch(2026, 10).batch
    batch.status, batch.delivered_at = BatchStatus.DELIVERED, clock.utcnow()
    make.change_event(at=local(2026, 10, 20, 9))
    result = batches.build_batch(2026, 10)
    assert result.outcome == "rebuilt" and result.batch.status is BatchStatus.BUILT
    assert result.batch.event_count == 4


def test_delivery_is_retried_until_the_receiver_accepts(db, october, receiver):
    receiver.script = [500, "hang"]
    batch = batches.build_batch(2026, 10).batch
    assert batches.deliver_batch(batch) is False
    assert batch.status is BatchStatus.FAILED and "HTTP 500" in batch.last_error
    assert batches.deliver_batch(batch) is False
    assert "within 0.5 s" in batch.last_error or "timed out" in batch.last_error
    assert batches.deliver_batch(batch) is True
    assert (batch.status, batch.attempts, batch.last_error) == (BatchStatus.DELIVERED, 3, None)
    headers, body = receiver.received[-1]
    assert headers["X-Registry-Batch-Month"] == "2026-10"
    assert headers["X-Registry-Manifest-SHA256"] == batch.manifest_sha256
    assert batch.manifest.encode("utf-8") in body
    assert b'name="jsonl"; filename="registry-changes-2026-10.jsonl"' in body


def test_a_refused_connection_is_recorded(app, db, october, monkeypatch):
    monkeypatch.setitem(app.config, "EXCHANGE_URL", "http://127.0.0.1:9/batches")
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.0/8"])
    batch = batches.build_batch(2026, 10).batch
    assert batches.deliver_batch(batch) is False
    assert "cannot reach" in batch.last_error and "refused" in batch.last_error and batch.attempts == 1


def test_folder_delivery_puts_the_whole_batch_in_place(app, db, october, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXCHANGE_DIR", str(tmp_path / "out"))
    batch = batches.build_batch(2026, 10).batch
    assert batches.deliver_batch(batch) is True
    delivered = sorted(p.name for p in (tmp_path / "out" / "2026-10").iterdir())
    assert delivered == ["registry-changes-2026-10.csv", "registry-changes-2026-10.jsonl",
                         "registry-manifest-2026-10.json"]
    assert (tmp_path / "out" / "2026-10" / "registry-manifest-2026-10.json").read_text("utf-8") == batch.manifest
    assert batches.deliver_batch(batch) is True  # again: replaced whole, no leftovers
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-10"]


def test_the_nightly_check_builds_last_month_once_and_retries_failures(db, october, receiver):
    receiver.script = [503]
    with clock.frozen_at(date(2026, 11, 1)):
        counts = run_check(CHECKS["exchange_batch"], date(2026, 11, 1))
    assert counts == {"built": 1, "delivered": 0, "failed": 1}
    batch = db.session.scalar(sa.select(ExchangeBatch))
    assert batch.status is BatchStatus.FAILED and "HTTP 503" in batch.last_error
    with clock.frozen_at(date(2026, 11, 2)):
        counts = run_check(CHECKS["exchange_batch"], date(2026, 11, 2))
    assert counts == {"built": 0, "delivered": 1, "failed": 0}
    with clock.frozen_at(date(2026, 11, 3)):
        assert run_check(CHECKS["exchange_batch"], date(2026, 11, 3)) == {"built": 0, "delivered": 0, "failed": 0}
    assert count(ExchangeBatch) == 1 and len(receiver.received) == 1


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "October", "1999-12", ""])
def test_build_refuses_a_bad_month(app, db, month):
    result = invoke(app, "exchange", "build", "--month", month)
    assert result.exit_code == 2 and "Invalid value for '--month'" in result.output
    assert count(ExchangeBatch) == 0


def test_build_and_deliver_commands(app, db, october, receiver):
    result = invoke(app, "exchange", "build", "--month", "2026-10")
    assert result.exit_code == 0 and "2026-10: built, 3 changes" in result.output
    receiver.script = [500]
    result = invoke(app, "exchange", "deliver")
    assert result.exit_code == 1 and "2026-10: FAILED (attempt 1): HTTP 500" in result.output
    result = invoke(app, "exchange", "deliver", "--month", "2026-10")
    assert result.exit_code == 0 and "2026-10: delivered" in result.output
    assert invoke(app, "exchange", "deliver").output.strip() == "nothing to deliver"
    result = invoke(app, "exchange", "deliver", "--month", "2026-09")
    assert result.exit_code == 2 and "no batch for 2026-09" in result.output


def test_deliver_without_a_destination_is_a_usage_error(app, db):
    result = invoke(app, "exchange", "deliver")
    assert result.exit_code == 2 and "REGISTRY_EXCHANGE_URL" in result.output
