"""PDF notices, the subject credit report and notice verification (PRODUCT §10, §12).

See ``registry.documents.kinds`` for how a package adds a notice kind, and
``registry.documents.report`` for how it adds a section to the credit report.
"""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.documents import cli, models, views

    wiring.include(app, __name__, declares=(models, views), blueprints=(views.bp,), commands=cli.COMMANDS)
