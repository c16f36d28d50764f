"""Credit-based supervision (信用分级分类监管, PRODUCT §16; 国办发〔2019〕35号): a supervision class
for every subject, computed from its credit records by an administrator's versioned rules."""

from registry.core import wiring


def register(app) -> None:
    """Everything the package contributes to ``app`` (``core.wiring``); its modules load here, when the
    app is built, not with the package: any one of its modules would otherwise load them all."""
    from registry.supervision import (
        checks,
        classes,
        cli,
        documents,
        inspection_models,
        models,
        operations,
        plan_validation,
        plan_views,
        public_views,
        results,
        seed,
        views,
        work,
    )

    wiring.include(
        app, __name__,
        declares=(models, inspection_models, classes, plan_validation, results, operations, checks, seed,
                  documents, views, plan_views, public_views, work),
        blueprints=(views.bp,),
        commands=cli.COMMANDS,
    )
