"""Officer pages for credit commitments (never public)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.commitments import operations as ops
from registry.commitments.forms import BreachForm, CommitmentForm, LinkForm
from registry.commitments.models import STATUS_LABELS, CreditCommitment
from registry.core.audit import history
from registry.core.pagination import paginate
from registry.core.permissions import can_edit_unit, ensure_can_see, officer_required, scope_to_user
from registry.core.uploads import send_upload
from registry.core.web import add_nav, perform_form
from registry.evaluations.operations import resolve_subject
from registry.extensions import db
from registry.listing.models import ListEntry
from registry.listing.panels import register_entry_panel
from registry.subjects.sections import register_subject_section

bp = Blueprint("commitments", __name__, url_prefix="/officer/commitments")
PAGE_SIZE = 50


def _load(commitment_id: int) -> CreditCommitment:
    return db.session.get(CreditCommitment, commitment_id) or abort(404)


@bp.route("/")
@officer_required
def index():
    mine = request.args.get("all") is None
    statement = sa.select(CreditCommitment)
    if mine:
        statement = scope_to_user(statement, CreditCommitment.unit_id)
    page = paginate(statement.order_by(CreditCommitment.id.desc()), PAGE_SIZE)
    return render_template("commitments/index.html", commitments=page.items, has_next=page.has_next,
                           page=page.number, mine=mine, STATUS_LABELS=STATUS_LABELS)


def _record(form: CommitmentForm):
    subject = resolve_subject(form.subject_identifier.data, form.subject_name.data, actor=current_user)
    upload = form.file.data
    return ops.record_commitment(actor=current_user, subject=subject, kind=form.kind.data,
                                 signed_on=form.signed_on.data, matter=form.matter.data,
                                 file_data=upload.read(), filename=upload.filename)


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def create():
    if not can_edit_unit(current_user, current_user.unit_id):
        abort(403)
    form = CommitmentForm()
    if form.validate_on_submit():
        ok, commitment = perform_form(form, _record, form)
        if ok:
            flash(_("The commitment was recorded."), "success")
            return redirect(url_for(".show", commitment_id=commitment.id))
    return render_template("commitments/form.html", form=form)


@bp.route("/<id:commitment_id>", methods=["GET", "POST"])
@officer_required
def show(commitment_id: int):
    commitment = _load(commitment_id)
    breach_form, link_form = BreachForm(prefix="breach"), LinkForm(prefix="link")
    if request.method == "POST":
        if request.form.get("action") == "breach" and breach_form.validate_on_submit():
            ok, _result = perform_form(breach_form, ops.mark_breached, commitment, actor=current_user,
                                       breached_on=breach_form.breached_on.data, note=breach_form.note.data)
            if ok:
                flash(_("The breach was recorded."), "success")
                return redirect(url_for(".show", commitment_id=commitment.id))
        elif request.form.get("action") == "link" and link_form.validate_on_submit():
            entry = db.session.get(ListEntry, link_form.entry_id.data)
            if entry is None or not can_edit_unit(current_user, entry.unit_id):
                link_form.entry_id.errors = [_("No black list entry of your unit has this number.")]
            elif perform_form(link_form, ops.link_to_entry, commitment, entry, actor=current_user)[0]:
                flash(_("The commitment is now cited on the entry."), "success")
                return redirect(url_for(".show", commitment_id=commitment.id))
    return render_template("commitments/show.html", commitment=commitment, breach_form=breach_form,
                           link_form=link_form, STATUS_LABELS=STATUS_LABELS,
                           events=history("credit_commitment", commitment.id))


@bp.route("/<id:commitment_id>/file")
@officer_required
def download(commitment_id: int):
    commitment = _load(commitment_id)
    # The commitment is read across units, but the signed letter is an upload: it goes only to the
    # officers handling it (its unit) and to those who read every unit (PRODUCT §1, §13); a 404 otherwise.
    ensure_can_see(commitment)
    # The shared helper: an attachment, nosniff, no-store, and a download name made harmless.
    return send_upload(commitment.file_stored_name, commitment.file_original_name, commitment.file_type)


@register_subject_section("commitments", order=60, template="commitments/_section.html")
def subject_section(subject, public: bool) -> dict:
    if public:
        return {}
    commitments = ops.commitments_of_subject(subject.id)
    return {"commitments": commitments, "COMMITMENT_STATUS": STATUS_LABELS} if commitments else {}


@register_entry_panel("commitments", order=30, template="commitments/_entry_panel.html")
def entry_panel(entry, user) -> dict:
    """On the officer page of a black list entry: the breached commitments it cites."""
    commitments = ops.commitments_for_entry(entry.id)
    return {"commitments": commitments, "COMMITMENT_STATUS": STATUS_LABELS} if commitments else {}


add_nav("commitments.index", _l("Commitments"), order=46, officer=True)
