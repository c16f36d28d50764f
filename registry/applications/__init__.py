"""The machinery objections and repair applications share (PRODUCT §6, §7): the application model and
its files, receipts and access codes (``models``), filing and the unit's handling steps with
four-eyes decisions (``handling``), the review queue's source (``queue``), deadlines and their
alerts (``deadlines``), the decision notices (``notices``), the pages (``web``), and the records an
application may concern, which the domains register (``targets``).  It knows no domain: a kind of
application (``objections``, ``repairs``) plugs in its ``Handling`` and ``KindPages``."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.applications import checks, deadlines, models, work

    wiring.include(app, __name__, declares=(models, checks, deadlines, work))
