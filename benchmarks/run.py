"""``python -m benchmarks.run --subjects N``: build or reuse the data set, measure, print and save the table.

Writes ``benchmarks/results/latest.json`` and ``latest.md``.  PostgreSQL too when
``REGISTRY_BENCH_PG_URL`` is set.  No figure is asserted: the table says which targets are met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import date

from benchmarks import measure
from benchmarks.dataset import HERE, make_app, mark_dirty, own_copy, postgres_dataset, sqlite_dataset
from benchmarks.load import compare_workers, gunicorn_load
from benchmarks.replicas import measure_replicas, replicas_markdown
from benchmarks.search import search_http, search_markdown
from benchmarks.supervision import supervision
from benchmarks.watch import watch_notifications

RESULTS = os.path.join(HERE, "results")
# (label, figure path, target, unit); a target applies at 1,000,000 subjects on SQLite.
TARGETS = [
    ("credit check p50", ("credit", "p50"), 2.0, "ms"),
    ("credit check p50 / bare Flask p50", ("ratios", "credit_vs_flask"), 3.0, "×"),
    ("name search p95, worst class (HTTP)", ("search", "p95"), 10.0, "ms"),
    ("batch of 1,000 identifiers", ("batch", "median"), 200.0, "ms"),
    ("full run-checks", ("checks", "total_seconds"), 30.0, "s"),
    ("10,000-row disclosure import", ("import", "seconds"), 10.0, "s"),
    ("PDF notice (warm)", ("documents", "notice_warm_median_ms"), 100.0, "ms"),
    ("web worker peak RSS", ("http", "max_worker_rss_mb"), 250.0, "MB"),
    ("workbench page p50 (slowest role)", ("workbench", "max_p50"), 300.0, "ms"),
    ("recompute every supervision class", ("supervision", "recompute_seconds"), 60.0, "s"),
    ("draw over the whole population", ("supervision", "draw_seconds"), 5.0, "s"),
]


def _step(label: str, function, *args, **kwargs):
    print(f"  {label} …", flush=True)
    started = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"  {label}: {time.perf_counter() - started:.1f}s", flush=True)
    return result


STEPS = ("credit", "search", "batch", "http", "workbench", "checks", "import", "documents", "watch", "supervision")
MUTATING_STEPS = ("checks", "import", "documents", "watch", "supervision")  # they publish, expire, import or log
# Only when asked for with --only: sync against gthread (a minute); reads with 0, 1 and 2 streaming
# replicas (a throw-away PostgreSQL cluster of its own, benchmarks/replicas.py).
OPTIONAL_STEPS = ("workers", "replicas")


def run_suite(dataset, *, requests: int, load_seconds: float, only: tuple[str, ...] = STEPS) -> dict:
    app = make_app(dataset.url)
    identifiers = measure.sample_identifiers(app, max(requests, 1000), dataset.seed)
    figures: dict = {"dataset": {"subjects": dataset.subjects, "seed": dataset.seed, "today": str(dataset.today),
                                 "build_seconds": dataset.build_seconds, "dialect": dataset.dialect}}
    figures["due"] = measure.due_counts(app, dataset.today)
    if "credit" in only:
        figures["credit"] = _step("credit check", measure.credit_check, app, dataset.api_key, identifiers[:requests])
        figures["database_floor"] = _step("raw SQL floor", measure.database_floor, app, identifiers[:requests])
        figures["flask_floor"] = _step("bare Flask floor", measure.framework_floor, requests)
        figures["ratios"] = {
            "credit_vs_flask": round(figures["credit"]["p50"] / figures["flask_floor"]["p50"], 2),
            "credit_vs_database": round(figures["credit"]["p50"] / max(figures["database_floor"]["p50"], 1e-3), 1),
        }
    if "search" in only:
        figures["search"] = _step("name search", search_http, dataset.url, dataset.seed, repeat=10)
    if "batch" in only:
        figures["batch"] = _step("batch of 1,000", measure.batch_check, app, dataset.api_key, identifiers)
    if "http" in only:
        http = _step("gunicorn load", gunicorn_load, dataset.url, dataset.api_key, identifiers, seconds=load_seconds)
        http["max_worker_rss_mb"] = max(http["worker_peak_rss_mb"] or [0])
        figures["http"] = http
    if "workers" in only:
        figures["workers"] = _step("sync against gthread", compare_workers, dataset.url, dataset.api_key, identifiers,
                                   seconds=load_seconds)
    if "workbench" in only:
        figures["workbench"] = _step("workbench", measure.workbench, app)
    # The steps below change the data: checks publish and expire, the import adds 10,000 drafts.
    if "checks" in only:
        figures["checks"] = _step("run-checks", measure.run_checks, app, dataset.today)
    if "import" in only:
        figures["import"] = _step("10,000-row import", measure.disclosure_import, app)
    if "documents" in only:
        figures["documents"] = _step("PDF documents", measure.documents, app, dataset.today)
    if "supervision" in only:
        figures["supervision"] = _step("supervision classes and draw", supervision, app, dataset.today)
    if "watch" in only:
        # Its own publish run: on a fresh copy (SQLite), or on PostgreSQL only when the checks did not run.
        if dataset.dialect == "sqlite":
            watch_app = make_app(own_copy(dataset, "watch"))
        elif "checks" not in only:
            watch_app = app
        else:
            watch_app = None
            print("  watch: skipped on PostgreSQL after the checks (run it with --only watch)", flush=True)
        if watch_app is not None:
            figures["watch"] = _step("watchlist notifications", watch_notifications, watch_app, dataset.today,
                                     watched=min(100_000, dataset.subjects), seed=dataset.seed)
    return figures


def _only(text: str | None) -> tuple[str, ...]:
    if not text:
        return STEPS
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in STEPS + OPTIONAL_STEPS]
    if unknown:
        raise SystemExit(f"--only: unknown step(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(STEPS + OPTIONAL_STEPS)}")
    return chosen


def _get(figures: dict, path: tuple[str, str]):
    value = figures
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def markdown(all_figures: dict) -> str:
    dialects = list(all_figures["runs"])
    lines = [f"Benchmark of {all_figures['subjects']:,} subjects, seed {all_figures['seed']}, "
             f"{all_figures['machine']} — {all_figures['finished']}", ""]
    if not dialects:  # --only replicas
        return "\n".join(lines + replicas_markdown(all_figures.get("replicas"))[1:]) + "\n"
    lines.append("| figure | target (1M, SQLite) | " + " | ".join(dialects) + " |")
    lines.append("|---|---|" + "---|" * len(dialects))
    for label, path, target, unit in TARGETS:
        cells = []
        for dialect in dialects:
            value = _get(all_figures["runs"][dialect], path)
            limit = target * (2 if dialect == "postgresql" else 1)
            mark = "" if value is None else (" ✓" if value <= limit else " ✗")
            cells.append("—" if value is None else f"{value:g} {unit}{mark}")
        lines.append(f"| {label} | ≤ {target:g} {unit} | " + " | ".join(cells) + " |")
    extra = [
        ("credit check p99", ("credit", "p99"), "ms"), ("raw SQL floor p50", ("database_floor", "p50"), "ms"),
        ("bare Flask floor p50", ("flask_floor", "p50"), "ms"),
        ("name search p50, worst class (HTTP)", ("search", "p50"), "ms"),
        ("HTTP throughput (2 workers)", ("http", "rps"), "req/s"), ("HTTP p99", ("http", "p99"), "ms"),
        ("publicity_end check", ("checks", "publicity_end"), "s"),
        ("validity_end check", ("checks", "validity_end"), "s"),
        ("credit report PDF (warm)", ("documents", "report_warm_median_ms"), "ms"),
        *((f"workbench p50 ({role})", ("workbench", role, "p50"), "ms") for role in measure.WORKBENCH_ROLES),
        ("alerts page p50 (the old landing page)", ("workbench", "alerts_page", "p50"), "ms"),
        ("PDF notice (first, cold)", ("documents", "notice_first_ms"), "ms"),
        ("data set build (gen-data)", ("dataset", "build_seconds"), "s"),
        ("watchlist notifications delivered (target ≥ 200)", ("watch", "per_second"), "/s"),
        ("  the same per CPU-second of the sender", ("watch", "per_cpu_second"), "/s"),
        ("publish run with watched subjects", ("watch", "publish_seconds"), "s"),
        ("queueing its notifications", ("watch", "queue_seconds"), "s"),
        ("watchlist add, 1,000 a batch (median)", ("watch", "add_batch_median_ms"), "ms"),
    ]
    for label, path, unit in extra:
        cells = []
        for dialect in dialects:
            value = _get(all_figures["runs"][dialect], path)
            if isinstance(value, dict):
                value = value.get("seconds")
            cells.append("—" if value is None else f"{value:g} {unit}")
        lines.append(f"| {label} | | " + " | ".join(cells) + " |")
    lines += search_markdown({dialect: all_figures["runs"][dialect].get("search") for dialect in dialects})
    lines += _workers_markdown(all_figures, dialects)
    lines += replicas_markdown(all_figures.get("replicas"))
    for dialect in dialects:
        watch = all_figures["runs"][dialect].get("watch")
        if watch:
            lines += ["", f"{dialect}: {watch['watched']:,} watched identifiers; the publish run queued "
                      f"{watch['queued']:,} notifications, {watch['delivered']:,} delivered to a local receiver, "
                      f"{watch['verified']:,} verified with Webhook.verify, {watch['failed']} failed "
                      f"(load average {watch['load_average']} on {os.cpu_count()} cores)."]
    for dialect in dialects:
        due = all_figures["runs"][dialect].get("due", {})
        lines += ["", f"{dialect}: {due.get('entries')} list entries, {due.get('due_publish')} due to publish and "
                  f"{due.get('due_expire')} due to expire ({due.get('due_share', 0):.0%})."]
    return "\n".join(lines) + "\n"


def _workers_markdown(all_figures: dict, dialects: list[str]) -> list[str]:
    lines = []
    for dialect in dialects:
        workers = all_figures["runs"][dialect].get("workers")
        if not workers:
            continue
        lines += ["", f"{dialect}: the HTTP load on gunicorn's sync and gthread workers, alternated "
                  "(req/s, p50 / p99 ms per run):", "", "| worker | runs | median |", "|---|---|---|"]
        for worker_class, figures in workers.items():
            runs = "; ".join(f"{run['rps']:g} req/s, {run['p50']:g} / {run['p99']:g}" for run in figures["runs"])
            lines.append(f"| {worker_class} | {runs} | {figures['median_rps']:g} req/s, "
                         f"{figures['median_p50']:g} / {figures['median_p99']:g} |")
    return lines


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=2000, help="credit checks timed in process")
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--rebuild", action="store_true", help="build the SQLite data set again")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--only", metavar="STEPS",
                        help="comma-separated subset of " + ",".join(STEPS) + " (default: all)")
    args = parser.parse_args(argv)
    only = _only(args.only)
    os.environ.setdefault("REGISTRY_SECRET_KEY", "benchmark-secret-key")
    today = date.today()
    runs = {}
    replicas = None
    if "replicas" in only:
        print("PostgreSQL with streaming replicas", flush=True)
        replicas = measure_replicas(args.subjects, args.seed, today, seconds=args.load_seconds)
        only = tuple(step for step in only if step != "replicas")
    if not only:
        args.skip_sqlite = True
    if not args.skip_sqlite:
        print("SQLite", flush=True)
        dataset = sqlite_dataset(args.subjects, args.seed, today, rebuild=args.rebuild)
        runs["sqlite"] = run_suite(dataset, requests=args.requests, load_seconds=args.load_seconds, only=only)
    pg_url = os.environ.get("REGISTRY_BENCH_PG_URL")
    if pg_url and only:
        print("PostgreSQL", flush=True)
        dataset = postgres_dataset(pg_url, args.subjects, args.seed, today)
        try:
            runs["postgresql"] = run_suite(dataset, requests=args.requests, load_seconds=args.load_seconds, only=only)
        finally:
            if set(only) & set(MUTATING_STEPS):  # the read-only steps leave the data set as built
                mark_dirty(pg_url)
    figures = {"subjects": args.subjects, "seed": args.seed, "machine": _machine(),
               "finished": time.strftime("%Y-%m-%d %H:%M"), "only": list(only), "runs": runs,
               "replicas": replicas}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "latest.json"), "w") as out:
        json.dump(figures, out, ensure_ascii=False, indent=2, default=str)
    table = markdown(figures)
    with open(os.path.join(RESULTS, "latest.md"), "w") as out:
        out.write(table)
    print()
    print(table)


if __name__ == "__main__":
    main()
