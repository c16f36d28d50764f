from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.core import removals
from registry.core.errors import NotFound
from registry.core.permissions import UNIT_ROLES, officer_required
from registry.core.web import add_nav, is_safe_next, perform
from registry.core.workflow import QUEUE_SOURCES
from registry.review.queue import build_queue

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@officer_required
def queue():
    view = build_queue(
        current_user,
        kind=request.args.get("kind") or None,
        category=request.args.get("category") or None,
        submitter=request.args.get("submitter", type=int),
        outcome=request.args.get("outcome") or None,
    )
    return render_template("review/queue.html", view=view, sources=QUEUE_SOURCES)


@bp.route("/<kind>/<id:item_id>/<decision>", methods=["POST"])
@officer_required
def decide(kind: str, item_id: int, decision: str):
    source = QUEUE_SOURCES.get(kind) or abort(404)
    version = request.form.get("version", type=int)
    if version is None or decision not in ("approve", "return"):
        abort(400)
    if decision == "approve":
        perform(source.approve, item_id, current_user, version,
                success=str(getattr(source, "approved_message", None) or _("Approved.")))
    else:
        comment = (request.form.get("comment") or "").strip()
        if not comment:
            flash(_("A return needs a comment saying what to fix."), "error")
        else:
            perform(source.return_, item_id, current_user, version, comment[:2000],
                    success=str(getattr(source, "returned_message", None) or _("Returned to its author.")))
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for(".queue"))


@bp.route("/removal/<id:request_id>/cancel", methods=["POST"])
@officer_required
def cancel_removal(request_id: int):
    """The preparer takes back a removal nobody has decided yet (``core.removals``)."""
    try:
        removal = removals.get_request_for(current_user, request_id)
    except NotFound:
        abort(404)
    version = request.form.get("version", type=int)
    if version is None:
        abort(400)
    perform(removals.cancel_removal, removal, actor=current_user, expected_version=version,
            success=_("The removal was cancelled; the record stays on the public pages."))
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for(".queue"))


# Admins and auditors have no unit queue to act on (``build_queue`` shows them none).
add_nav("review.queue", _l("Review queue"), order=1, officer=True, visible=lambda user: user.role in UNIT_ROLES)
