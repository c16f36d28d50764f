"""Operating the registry: liveness and readiness probes, Prometheus metrics.

An aggregator: it reads the checks' runs and open alerts, and nothing imports it.
"""
