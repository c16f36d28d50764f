"""Credit commitments (信用承诺) and their breaches, cited by black-list entries."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.commitments import models, seed, views

    wiring.include(app, __name__, declares=(models, seed, views), blueprints=(views.bp,))
