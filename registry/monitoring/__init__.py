"""Operating the registry: liveness and readiness probes, Prometheus metrics (issue 22 §14).

An aggregator: it reads the checks' runs and open alerts, and nothing imports it.
"""
