"""What the public sees: the published records of subjects, as the public pages, the credit report
and the API read them (PRODUCT §2, §10, §11).  It sits above the domains it reads (listing,
disclosures, evaluations, cases) and below the aggregators that show it (public, api)."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.readmodel import report

    wiring.include(app, __name__, declares=(report,))
