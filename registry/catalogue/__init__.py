"""The credit-information catalogue (信用信息目录) and its coverage of known subjects."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.catalogue import coverage, models, seed, views

    wiring.include(app, __name__, declares=(models, seed, coverage, views), blueprints=(views.bp,))
