"""HTTP throughput under gunicorn (2 workers) with a small keep-alive load generator on loopback.

The client is plain Python (``http.client`` in threads, in two processes), bounded in time; it
shares the two cores with the server, so the figures are a floor of what the server can do.
The workers are ``gthread`` with one thread (as the README's deployment), which keep connections
alive; the ``sync`` worker answers every request with ``Connection: close``, so each one pays a
new TCP connection (``worker_class="sync"`` measures that, for comparison, and
``"gthread, 4 threads"`` what more threads cost).
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import quote

from benchmarks.dataset import CONFIG, HERE, anchor_file

ROOT = os.path.dirname(HERE)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _client(port: int, paths: list[str], api_key: str, seconds: float, threads: int, queue) -> None:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, index = [], offset
        while time.perf_counter() < deadline:
            path = paths[index % len(paths)]
            index += threads
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"X-API-Key": api_key})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - started) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put((latencies, errors[0]))


def _worker_pids(master: int) -> list[int]:
    children = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    if int(stat.read().split(") ")[1].split()[1]) == master:
                        children.append(int(pid))
            except OSError:
                continue
    return children


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


# "gthread" is the README's deployment: it keeps connections alive, with one thread, because more
# threads contend for one interpreter lock (--only workers: with four, p99 doubled on SQLite and
# throughput fell a quarter on PostgreSQL).  The others are there to be compared with it.
WORKER_OPTIONS = {"gthread": ["--worker-class", "gthread", "--threads", "1", "--keep-alive", "30"],
                  "sync": ["--worker-class", "sync"],
                  "gthread, 4 threads": ["--worker-class", "gthread", "--threads", "4", "--keep-alive", "30"]}


def gunicorn_load(url: str, api_key: str, identifiers: list[str], seconds: float = 10.0,
                  processes: int = 2, threads: int = 4, worker_class: str = "gthread", root: str = ROOT,
                  extra_env: dict | None = None) -> dict:
    port = _free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_AUDIT_ANCHOR_FILE": anchor_file(url),
           "REGISTRY_SECRET_KEY": CONFIG["SECRET_KEY"],
           "REGISTRY_RATELIMIT_PUBLIC": CONFIG["RATELIMIT_PUBLIC"], "REGISTRY_LOG_LEVEL": "WARNING",
           **(extra_env or {})}
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers", "2",
               *WORKER_OPTIONS[worker_class], "--no-control-socket",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)
    try:
        _wait_ready(port)
        paths = [f"/api/v1/credit/{quote(identifier)}" for identifier in identifiers]
        _client(port, paths[:50], api_key, 1.0, 2, multiprocessing.Queue())  # warm both workers
        queue = multiprocessing.Queue()
        clients = [multiprocessing.Process(target=_client, args=(port, paths[i::processes], api_key, seconds,
                                                                 threads, queue)) for i in range(processes)]
        for client in clients:
            client.start()
        results = [queue.get() for _ in clients]
        for client in clients:
            client.join()
        latencies = sorted(x for batch, _errors in results for x in batch)
        errors = sum(errors for _batch, errors in results)
        memory = [_peak_rss_mb(pid) for pid in _worker_pids(server.pid)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    from benchmarks.measure import percentile

    return {"worker_class": worker_class, "requests": len(latencies), "errors": errors, "seconds": seconds,
            "concurrency": processes * threads, "rps": round(len(latencies) / seconds, 1),
            "p50": round(percentile(latencies, 50), 2), "p99": round(percentile(latencies, 99), 2),
            "worker_peak_rss_mb": [round(m, 1) for m in memory]}


def compare_workers(url: str, api_key: str, identifiers: list[str], *, seconds: float = 10.0,
                    rounds: int = 3) -> dict:
    """The same load on gunicorn's ``sync`` worker, the deployment's ``gthread`` and ``gthread`` with
    four threads, alternated ``rounds`` times so that a busy machine slows them alike: throughput
    and p99 of each run, and their medians."""
    runs: dict[str, list[dict]] = {"sync": [], "gthread": [], "gthread, 4 threads": []}
    for _round in range(rounds):
        for worker_class in runs:
            figures = gunicorn_load(url, api_key, identifiers, seconds=seconds, worker_class=worker_class)
            runs[worker_class].append({key: figures[key] for key in ("rps", "p50", "p99", "errors")})
    from benchmarks.measure import percentile

    return {worker_class: {"runs": done, **{f"median_{key}": round(percentile([run[key] for run in done], 50), 2)
                                            for key in ("rps", "p50", "p99")}}
            for worker_class, done in runs.items()}


def _wait_ready(port: int, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")
