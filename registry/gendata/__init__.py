"""Synthetic data at provincial scale for the benchmarks (``flask --app registry gen-data``)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.gendata import cli

    wiring.include(app, __name__, commands=cli.COMMANDS)
