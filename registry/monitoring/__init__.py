"""Operating the registry: liveness and readiness probes, Prometheus metrics.

An aggregator: it reads the checks' runs and open alerts, and nothing imports it.
"""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.monitoring import views

    wiring.include(app, __name__, declares=(views,), blueprints=(views.bp,))
