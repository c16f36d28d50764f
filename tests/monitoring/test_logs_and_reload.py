"""Logs an operator can feed to a collector, and a restart that loses no request.

- every request has an id (the proxy's X-Request-ID when sane, else a new one), answered in the
  X-Request-ID header and carried by its access line and by any error line it caused;
- with REGISTRY_LOG_FORMAT=json every line gunicorn and the scheduler write is a JSON object;
- ``kill -HUP`` of gunicorn's master under load answers every request (no 502, no refused
  connection) while the workers are replaced.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import flask_migrate
import pytest

from registry import create_app
from registry.core.logs import JsonFormatter, gunicorn_logconfig
from registry.core.seeding import SEED_STEPS
from registry.extensions import db as _db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Lines(logging.Handler):
    """The JSON lines a collector would read, from the root logger."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def collected():
    handler = Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)


@pytest.fixture
def failing_app(tmp_path):
    app = create_app({"TESTING": False, "SECRET_KEY": "logs", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                      "PUBLIC_BASE_URL": "https://registry.test"})

    @app.route("/__fails")
    def fails():
        raise RuntimeError("the disk is full")

    return app


def test_each_request_has_an_id_its_access_line_and_its_error_lines_carry(failing_app, collected):
    client = failing_app.test_client()
    answer = client.get("/__fails", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert answer.status_code == 500
    request_id = answer.headers["X-Request-ID"]
    assert len(request_id) == 32
    mine = [line for line in collected if line.get("request_id") == request_id]
    error = next(line for line in mine if line["level"] == "ERROR")
    assert "RuntimeError: the disk is full" in error["exception"]
    access = next(line for line in mine if line["logger"] == "registry.access")
    assert (access["method"], access["path"], access["status"], access["client"]) == ("GET", "/__fails", 500,
                                                                                      "192.0.2.7")
    assert isinstance(access["duration_ms"], float)


@pytest.mark.parametrize("offered, kept", [("nginx-4f2a9c", True), ("bad id with spaces", False), ("x" * 65, False)])
def test_the_proxy_s_request_id_is_kept_when_sane(failing_app, collected, offered, kept):
    answer = failing_app.test_client().get("/healthz", headers={"X-Request-ID": offered})
    assert (answer.headers["X-Request-ID"] == offered) is kept
    (access,) = [line for line in collected if line["logger"] == "registry.access"]
    assert access["request_id"] == answer.headers["X-Request-ID"]


def test_a_person_s_number_in_a_path_is_masked_in_the_log(failing_app, collected):
    failing_app.test_client().get("/api/v1/credit/43010219850612123X?q=430102198506121230")
    (access,) = [line for line in collected if line["logger"] == "registry.access"]
    assert access["path"] == "/api/v1/credit/430102********123X"
    assert "19850612" not in json.dumps(collected)


def test_gunicorn_s_own_lines_are_json_objects_in_json_mode():
    assert gunicorn_logconfig("text") == {}
    config = gunicorn_logconfig("json")
    assert config["formatters"]["json"]["()"] == "registry.core.logs.JsonFormatter"
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["json"]
    assert config["loggers"]["gunicorn.access"]["level"] == "CRITICAL"  # the application writes the access lines


# --- gunicorn for real ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path) -> dict:
    return {**os.environ, "REGISTRY_SECRET_KEY": "reload", "REGISTRY_AUDIT_HMAC_KEY": "reload",
            "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}", "REGISTRY_LOG_FORMAT": "json",
            "REGISTRY_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.jsonl"),
            "REGISTRY_UPLOAD_FOLDER": str(tmp_path / "uploads"), "REGISTRY_PUBLIC_BASE_URL": "https://registry.test",
            "REGISTRY_RATELIMIT_ENABLED": "false"}


@pytest.fixture
def database(tmp_path):
    app = create_app({"SECRET_KEY": "reload", "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}"})
    with app.app_context():
        flask_migrate.upgrade()
        for step in SEED_STEPS.ordered():
            step.run()
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _json_lines(path: Path) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a line that is not JSON: {line!r}")
    return parsed


def test_a_graceful_reload_under_load_fails_no_request_and_every_line_is_json(tmp_path, database):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w", encoding="utf-8") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:registry.gunicorn_config", "--workers", "2", "--worker-class",
             "gthread", "--threads", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=_environment(tmp_path), stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz") == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(log.read_text(encoding="utf-8")[-3000:])
                time.sleep(0.2)
        answers, failures, stop = [], [], threading.Event()

        def load():
            while not stop.is_set():
                for path in ("/healthz", "/?q=%E6%B9%98", "/lists/red"):
                    try:
                        answers.append(_get(port, path))
                    except OSError as error:
                        failures.append(repr(error))

        clients = [threading.Thread(target=load) for _ in range(3)]
        for thread in clients:
            thread.start()
        time.sleep(1)
        old_workers = _worker_pids(log)
        server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while _answered_by_others(log, old_workers) < 10 and time.monotonic() < deadline:
            time.sleep(0.2)  # until the new workers have answered a few (the old ones have left)
        stop.set()
        for thread in clients:
            thread.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    text = log.read_text(encoding="utf-8")
    assert text.count("Booting worker") >= 4, text[-3000:]  # two at start, two after the reload
    assert failures == [] and set(answers) == {200}, (failures[:5], sorted(set(answers)))
    assert _answered_by_others(log, old_workers) >= 10  # the new workers answered, none was refused
    lines = _json_lines(log)
    assert any(line["logger"] == "gunicorn.error" and "Handling signal: hup" in line["message"] for line in lines)
    access = [line for line in lines if line["logger"] == "registry.access"]
    assert len(access) >= len(answers)  # one access line per request (and the start-up probes')
    assert all({"method", "path", "status", "duration_ms", "client", "request_id"} <= set(line) for line in access)


def _access_pids(log: Path) -> list[int]:
    complete = log.read_text(encoding="utf-8").split("\n")[:-1]  # while written to: whole lines only
    lines = [json.loads(line) for line in complete if line.strip()]
    return [line["pid"] for line in lines if line["logger"] == "registry.access"]


def _worker_pids(log: Path) -> set[int]:
    return set(_access_pids(log))


def _answered_by_others(log: Path, workers: set[int]) -> int:
    return sum(1 for pid in _access_pids(log) if pid not in workers)


def test_the_scheduler_s_start_up_lines_are_json(tmp_path, database):
    log = tmp_path / "scheduler.log"
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen([str(BIN / "flask"), "--app", "registry", "scheduler"], cwd=ROOT,
                                   env=_environment(tmp_path), stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "scheduled missed_runs" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    lines = _json_lines(log)
    messages = [line["message"] for line in lines]
    assert any(message.startswith("scheduled publicity_end: cron[") for message in messages), messages[-5:]
    assert any(message.startswith("check audit_anchor for ") for message in messages)  # caught up at start
