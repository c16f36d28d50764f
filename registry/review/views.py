from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.core.permissions import officer_required
from registry.core.web import is_safe_next, perform
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
        perform(source.approve, item_id, current_user, version, success=_("Approved."))
    else:
        comment = (request.form.get("comment") or "").strip()
        if not comment:
            flash(_("A return needs a comment saying what to fix."), "error")
        else:
            perform(source.return_, item_id, current_user, version, comment[:2000],
                    success=_("Returned to its author."))
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for(".queue"))
