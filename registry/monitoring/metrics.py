"""Prometheus metrics: request latency by endpoint, API requests by key, and check runs and open
alerts read from the database at each scrape.

Counters of one process are kept in a registry of the application.  Under several gunicorn
workers set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, cleared at each start): every
worker then writes its values there and a scrape of any worker adds up all of them.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from registry.checks import schedule
from registry.checks.models import Alert, CheckRun
from registry.checks.registry import ordered_checks
from registry.core import clock
from registry.extensions import db


class Metrics:
    """The metrics of one application (tests build several applications in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram("registry_http_request_duration_seconds", "Time to answer a request",
                                 ["endpoint", "method"], registry=self.registry)
        self.requests = Counter("registry_http_requests", "Requests answered", ["endpoint", "method", "status"],
                                registry=self.registry)
        self.api_requests = Counter("registry_api_requests", "API requests by key", ["key_id", "status"],
                                    registry=self.registry)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        else:
            registry = self.registry
        return generate_latest(registry) + generate_latest(_DatabaseRegistry())


class _DatabaseRegistry:
    """What the database knows, read at scrape time (the scheduler runs in another process)."""

    def collect(self):
        up = GaugeMetricFamily("registry_database_up", "1 when the database answered this scrape")
        try:
            families = self._read()
        except sa.exc.SQLAlchemyError:  # the process's own metrics still matter when the database is down
            db.session.rollback()
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *families]

    def _read(self):
        runs = CounterMetricFamily("registry_check_runs", "Completed runs of each check", labels=["check"])
        last = GaugeMetricFamily("registry_check_last_run_timestamp_seconds",
                                 "When each check's latest run started (Unix time)", labels=["check"])
        rows = db.session.execute(
            sa.select(CheckRun.name, sa.func.count(), sa.func.max(CheckRun.started_at)).group_by(CheckRun.name)
        ).all()
        for name, count, started in rows:
            runs.add_metric([name], count)
            last.add_metric([name], started.timestamp())
        duration = GaugeMetricFamily("registry_check_last_duration_seconds",
                                     "How long each check's latest run took", labels=["check"])
        latest = sa.select(sa.func.max(CheckRun.id)).group_by(CheckRun.name)
        for name, seconds in db.session.execute(
            sa.select(CheckRun.name, CheckRun.duration_seconds)
            .where(CheckRun.id.in_(latest), CheckRun.duration_seconds.is_not(None))
        ):
            duration.add_metric([name], seconds)
        overdue = GaugeMetricFamily(
            "registry_check_overdue_seconds",
            "Seconds since each check's latest due time with no run since (0: it ran; the scheduler is down "
            "or stuck when this grows)", labels=["check"])
        now = clock.utcnow()
        late = schedule.overdue(now)
        for check in ordered_checks():
            overdue.add_metric([check.name], (now - late[check.name]).total_seconds() if check.name in late else 0)
        missed = GaugeMetricFamily("registry_check_missed_runs", "Runs each check missed in the last 7 days",
                                   labels=["check"])
        for name, times in schedule.missed(now).items():
            missed.add_metric([name], len(times))
        alerts = GaugeMetricFamily("registry_alerts_open", "Open alerts by kind", labels=["kind"])
        for kind, count in db.session.execute(
            sa.select(Alert.kind, sa.func.count()).where(Alert.resolved_at.is_(None)).group_by(Alert.kind)
        ):
            alerts.add_metric([kind], count)
        db.session.rollback()
        return [runs, last, duration, overdue, missed, alerts]


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    metrics: Metrics = current_app.extensions["registry_metrics"]
    # The endpoint, not the path: one series per route, whatever ids or junk the paths carry.
    endpoint = request.endpoint or "unmatched"
    started = g.get("metrics_started")
    if started is not None:
        metrics.latency.labels(endpoint, request.method).observe(time.perf_counter() - started)
    metrics.requests.labels(endpoint, request.method, str(response.status_code)).inc()
    key_id = g.get("api_key_id")  # set by the API for a known key, also when it refuses the key
    if key_id is not None:
        metrics.api_requests.labels(str(key_id), str(response.status_code)).inc()
    return response


def init_app(app: Flask) -> None:
    app.extensions["registry_metrics"] = Metrics()
    app.before_request(_start_timer)
    app.after_request(_observe)
