"""``/healthz``, ``/readyz`` and ``/metrics``: for load balancers and Prometheus, not for people."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST

from registry.extensions import csrf, db
from registry.monitoring import metrics, readiness

bp = Blueprint("monitoring", __name__)
csrf.exempt(bp)


@bp.record_once
def _start_measuring(state) -> None:
    metrics.init_app(state.app)


@bp.route("/healthz")
def healthz():
    """The process answers (no database: a database outage must not restart every worker)."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    found = readiness.readiness()
    ready = all(probe["ok"] for probe in found.values()) and len(found) == len(readiness.PROBES)
    body = {"status": "ready" if ready else "not ready", "checks": found}
    if ready:  # for people: not a reason to stop serving (registry_check_overdue_seconds is the alert)
        try:
            body["scheduler"] = readiness.scheduler_state()
        finally:
            db.session.rollback()
    return jsonify(body), 200 if ready else 503


def _may_scrape() -> bool:
    """From an allowed network (the real client address: see TRUSTED_PROXIES), or with the token."""
    token = current_app.config["METRICS_TOKEN"]
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in current_app.config["METRICS_ALLOWED_NETWORKS"])


@bp.route("/metrics")
def metrics_page():
    if not _may_scrape():
        abort(404)  # not even its existence is public
    return current_app.extensions["registry_metrics"].exposition(), 200, {"Content-Type": CONTENT_TYPE_LATEST}
