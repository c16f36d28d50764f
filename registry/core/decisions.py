"""The one style of decision route: ``POST <rule>/<action>``, endpoint ``<blueprint>.decide``.

A record page's buttons (submit, approve, return, prepare a removal, ...) post to one route per
blueprint.  Each action is a ``Decision``: the operation, called as ``operation(record, form)``
with the posted form, and the message flashed when it succeeds.  The route loads the record
(``load`` refuses what the user may not see), runs the operation through ``core.web.perform``
(the request's one commit, or the refusal flashed) and goes back to the record's page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.core.permissions import officer_required
from registry.core.web import perform


@dataclass(frozen=True)
class Decision:
    operation: Callable  # operation(record, form)
    success: object  # the (lazy) message flashed after the commit


def flow_decisions(flow, *, approved=_l("Approved."), submitted=_l("Submitted for review."),
                   returned=_l("Returned to its author.")) -> dict[str, Decision]:
    """The three decisions of a ``core.review.ReviewFlow``: submit, approve and return, each with
    the ``version`` the user saw and, for approve and return, the reviewer's ``comment``."""
    return {
        "submit": Decision(lambda record, form: flow.submit(record, current_user, form.get("version")), submitted),
        "approve": Decision(
            lambda record, form: flow.approve(record, current_user, form.get("version"), form.get("comment")),
            approved,
        ),
        "return": Decision(
            lambda record, form: flow.return_(record, current_user, form.get("version"), form.get("comment")),
            returned,
        ),
    }


def decision_route(bp: Blueprint, rule: str, decisions: Mapping[str, Decision], load: Callable,
                   show: str = "show") -> None:
    """Add ``POST <rule>/<action>`` to ``bp`` as ``<bp>.decide``: ``load(**ids)`` finds the record
    from the rule's variables; afterwards the user is sent to ``<bp>.<show>`` of the same ids."""

    @officer_required
    def decide(action: str, **ids):
        decision = decisions.get(action) or abort(404)
        record = load(**ids)
        perform(decision.operation, record, request.form, success=str(decision.success))
        return redirect(url_for(f"{bp.name}.{show}", **ids))

    decide.__doc__ = f"The decisions on one record: {', '.join(decisions)}."
    bp.add_url_rule(f"{rule}/<action>", endpoint="decide", view_func=decide, methods=["POST"])
