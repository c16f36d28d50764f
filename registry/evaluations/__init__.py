"""Credit evaluation results (信用评价结果: grades) of subjects and their import (PRODUCT §10)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.evaluations import bands, documents, models, removals, seed, views

    wiring.include(app, __name__, declares=(models, bands, seed, documents, removals, views), blueprints=(views.bp,))
