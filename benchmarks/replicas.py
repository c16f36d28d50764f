"""Reads per second with 0, 1 and 2 streaming replicas (PRODUCT §15): ``--only replicas``.

A throw-away primary (``benchmarks.replica_cluster``) gets the data set (``gen-data``), then two
replicas are copied from it with ``pg_basebackup``.  The HTTP load of ``benchmarks.load`` (gunicorn,
2 ``gthread`` workers, credit checks through the API) runs against the primary alone, then with
``REGISTRY_DATABASE_REPLICA_URLS`` naming one and two replicas, alternated ``rounds`` times so that a
busy machine slows them alike.  Each run also counts the transactions the replicas served
(``pg_stat_database``), which shows the reads went there.

On one machine the replicas share its cores with the primary, gunicorn and the load generator: the
figures show what the routing costs and that it works, not how far reads scale — that needs the
replicas on hosts of their own (README, "Deployment").
"""

from __future__ import annotations

import sqlalchemy as sa

from benchmarks.dataset import _build, make_app
from benchmarks.load import gunicorn_load
from benchmarks.measure import percentile, sample_identifiers
from benchmarks.replica_cluster import DATABASE, ReplicaCluster, unavailable_reason

REPLICA_COUNTS = (0, 1, 2)


def _served_transactions(urls: list[str]) -> int:
    total = 0
    for url in urls:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            total += connection.execute(sa.text(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :name"),
                {"name": DATABASE}).scalar()
        engine.dispose()
    return total


def measure_replicas(subjects: int, seed: int, today, *, seconds: float = 10.0, rounds: int = 2) -> dict:
    reason = unavailable_reason()
    if reason:
        print(f"  replicas: skipped ({reason})", flush=True)
        return {"skipped": reason}
    with ReplicaCluster() as cluster:
        cluster.start_primary()
        api_key, build_seconds = _build(cluster.primary_url, subjects, seed, today)
        for _ in range(max(REPLICA_COUNTS)):
            cluster.add_replica()
        cluster.wait_for_replay()
        app = make_app(cluster.primary_url)
        identifiers = sample_identifiers(app, 1000, seed)
        runs: dict[int, list[dict]] = {count: [] for count in REPLICA_COUNTS}
        for _round in range(rounds):
            for count in REPLICA_COUNTS:
                urls = cluster.replica_urls[:count]
                before = _served_transactions(cluster.replica_urls)
                figures = gunicorn_load(cluster.primary_url, api_key, identifiers, seconds=seconds,
                                        extra_env={"REGISTRY_DATABASE_REPLICA_URLS": ",".join(urls)})
                served = _served_transactions(cluster.replica_urls) - before
                runs[count].append({"rps": figures["rps"], "p50": figures["p50"], "p99": figures["p99"],
                                    "errors": figures["errors"], "requests": figures["requests"],
                                    "replica_transactions": served})
                print(f"  replicas={count}: {figures['rps']} req/s, p99 {figures['p99']} ms, "
                      f"{served} replica transactions", flush=True)
    return {"subjects": subjects, "build_seconds": round(build_seconds, 1), "seconds": seconds,
            "runs": {str(count): {"runs": done, **{f"median_{key}": round(percentile([r[key] for r in done], 50), 2)
                                                   for key in ("rps", "p50", "p99")}}
                     for count, done in runs.items()}}


def replicas_markdown(figures: dict | None) -> list[str]:
    if not figures:
        return []
    if "skipped" in figures:
        return ["", f"Replicas: skipped ({figures['skipped']})."]
    lines = ["", f"Reads with streaming replicas ({figures['subjects']:,} subjects on a throw-away primary, "
             f"credit checks over HTTP, {figures['seconds']:g} s a run; req/s, p50 / p99 ms, transactions "
             "the replicas served):", "", "| replicas | runs | median |", "|---|---|---|"]
    for count, result in figures["runs"].items():
        runs = "; ".join(f"{run['rps']:g} req/s, {run['p50']:g} / {run['p99']:g}, {run['replica_transactions']} "
                         f"on replicas, {run['errors']} errors" for run in result["runs"])
        lines.append(f"| {count} | {runs} | {result['median_rps']:g} req/s, {result['median_p50']:g} / "
                     f"{result['median_p99']:g} |")
    return lines
