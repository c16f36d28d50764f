"""``python -m benchmarks.versus_datasette --subjects N --datasette PATH``: the registry's public name
search against Datasette's table search on the same SQLite file (issue 20's comparison).

Datasette (installed apart: ``python3 -m venv /tmp/ds && /tmp/ds/bin/pip install datasette``)
serves a copy of the benchmark data set read-only, told that ``subjects_fts`` (the registry's FTS5
trigram table) indexes ``subjects``; its table page is asked with ``_search``, ``_nocount=1`` (no
count: "page only") and ``_size=20``.  Both are asked the search benchmark's queries, interleaved
one by one, 10 rounds after a warm-up round; the table gives p50 / p95 per class and how many rows
Datasette's page listed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import date
from urllib.parse import quote

from benchmarks.dataset import sqlite_dataset
from benchmarks.load import ROOT, _free_port
from benchmarks.measure import percentile
from benchmarks.search import _serve, query_classes


def _datasette(executable: str, database: str, folder: str) -> tuple[subprocess.Popen, int]:
    metadata = os.path.join(folder, "metadata.json")
    name = os.path.splitext(os.path.basename(database))[0]
    with open(metadata, "w") as out:
        json.dump({"databases": {name: {"tables": {"subjects": {"fts_table": "subjects_fts", "fts_pk": "id"}}}}}, out)
    port = _free_port()
    server = subprocess.Popen([executable, "serve", "-i", database, "-m", metadata, "-p", str(port),
                               "--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "10000"],
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/-/versions.json")
            connection.getresponse().read()
            return server, port
        except OSError:
            time.sleep(0.3)
    raise SystemExit("datasette did not start")


def compare(url: str, executable: str, seed: int, *, rounds: int = 10) -> list[str]:
    classes, _counts = query_classes(url, seed)
    folder = tempfile.mkdtemp(prefix="versus-datasette-")
    copy = os.path.join(folder, "subjects.sqlite")
    shutil.copyfile(url.removeprefix("sqlite:///"), copy)
    registry, registry_port = _serve(url, ROOT, "gthread")
    datasette, datasette_port = _datasette(executable, copy, folder)
    samples: dict[tuple[str, str], list[float]] = {}
    rows: dict[str, int] = {}
    try:
        targets = {
            "registry": (http.client.HTTPConnection("127.0.0.1", registry_port, timeout=60), "/?q={}"),
            "datasette": (http.client.HTTPConnection("127.0.0.1", datasette_port, timeout=60),
                          "/subjects/subjects?_search={}&_nocount=1&_size=20"),
        }
        for run in range(rounds + 1):
            for label, queries in classes.items():
                for query in queries:
                    for who, (connection, path) in targets.items():
                        started = time.perf_counter()
                        connection.request("GET", path.format(quote(query)))
                        response = connection.getresponse()
                        body = response.read().decode()
                        elapsed = (time.perf_counter() - started) * 1000
                        if response.status != 200:
                            raise SystemExit(f"{who} answered {response.status} to {query!r}")
                        if run == 0 and who == "datasette":
                            rows[query] = body.count('<td class="col-name')
                        if run:
                            samples.setdefault((label, who), []).append(elapsed)
    finally:
        for server in (registry, datasette):
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    lines = ["| class | registry p50 / p95 ms | Datasette page only p50 / p95 ms | Datasette's rows |",
             "|---|---|---|---|"]
    for label, queries in classes.items():
        ours, theirs = samples[(label, "registry")], samples[(label, "datasette")]
        lines.append(f"| {label} | {percentile(ours, 50):.2f} / {percentile(ours, 95):.2f} | "
                     f"{percentile(theirs, 50):.2f} / {percentile(theirs, 95):.2f} | "
                     + ", ".join(f"{query} {rows[query]}" for query in queries) + " |")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--datasette", required=True, help="the datasette executable")
    args = parser.parse_args(argv)
    os.environ.setdefault("REGISTRY_SECRET_KEY", "benchmark-secret-key")
    dataset = sqlite_dataset(args.subjects, args.seed, date.today())
    print("\n".join(compare(dataset.url, args.datasette, args.seed)))


if __name__ == "__main__":
    main()
