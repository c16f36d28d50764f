"""The public catalogue page and downloads, the admin pages, and the coverage page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.models import Unit
from registry.catalogue import operations as ops
from registry.catalogue.coverage import coverage
from registry.catalogue.forms import ItemForm
from registry.catalogue.models import FREQUENCY_LABELS, OPENNESS_LABELS, SOURCE_LABELS, CatalogueItem
from registry.core import clock
from registry.core.forms import select_choices
from registry.core.permissions import Role, is_admin, officer_required, roles_required
from registry.core.web import add_nav, perform_form
from registry.evaluations.models import FIELD_LABELS, EvaluationField
from registry.extensions import db

bp = Blueprint("catalogue", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/catalogue")
def public():
    items = ops.active_items()
    return render_template("catalogue/public.html", items=items, figures=ops.figures(items),
                           FREQUENCY=FREQUENCY_LABELS, OPENNESS=OPENNESS_LABELS)


@bp.route("/catalogue.<ext>")
def download(ext: str):
    if ext == "csv":
        return ops.catalogue_csv(), 200, {"Content-Type": "text/csv; charset=utf-8",
                                          "Content-Disposition": "attachment; filename=credit-catalogue.csv"}
    if ext == "xlsx":
        return ops.catalogue_xlsx(), 200, {"Content-Type": XLSX,
                                           "Content-Disposition": "attachment; filename=credit-catalogue.xlsx"}
    abort(404)


@bp.route("/admin/catalogue/")
@roles_required(Role.ADMIN, Role.AUDITOR)
def admin_index():
    items = db.session.scalars(sa.select(CatalogueItem).order_by(CatalogueItem.display_order, CatalogueItem.code))
    return render_template("catalogue/admin.html", items=list(items), SOURCE=SOURCE_LABELS)


@bp.route("/admin/catalogue/new", methods=["GET", "POST"])
@bp.route("/admin/catalogue/<id:item_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(item_id: int | None = None):
    item = db.session.get(CatalogueItem, item_id) if item_id else None
    if item_id and item is None:
        abort(404)
    form = ItemForm(obj=item)
    form.unit_ids.choices = select_choices(
        (u.id, u.name) for u in db.session.scalars(sa.select(Unit).order_by(Unit.sort_order)))
    if request.method == "GET" and item is not None:
        form.unit_ids.data = [u.id for u in item.units]
        form.source.data, form.frequency.data = item.source.value, item.frequency.value
        form.openness.data = item.openness.value
    if form.validate_on_submit():
        ok, _saved = perform_form(form, ops.save_item, item, actor=current_user, code=form.code.data,
                                  name=form.name.data, description=form.description.data, source=form.source.data,
                                  match_value=form.match_value.data, frequency=form.frequency.data,
                                  openness=form.openness.data, unit_ids=form.unit_ids.data,
                                  display_order=form.display_order.data or 0, is_active=form.is_active.data)
        if ok:
            flash(_("The catalogue item was saved."), "success")
            return redirect(url_for(".admin_index"))
    return render_template("catalogue/edit.html", form=form, item=item)


@bp.route("/officer/coverage")
@officer_required
def coverage_page():
    today = clock.today()
    year = request.args.get("year", today.year, type=int)
    month = request.args.get("month", today.month, type=int)
    if not 1 <= month <= 12 or not 2000 <= year <= 2200:
        abort(404)
    labels = {f.value: FIELD_LABELS[f] for f in EvaluationField} | {"all": _l("All fields")}
    return render_template("catalogue/coverage.html", rows=coverage(year, month), year=year, month=month,
                           FIELD=labels)


add_nav("catalogue.public", _l("Information catalogue"), order=60)
add_nav("catalogue.admin_index", _l("Catalogue"), order=90, officer=True, visible=is_admin)
add_nav("catalogue.coverage_page", _l("Coverage"), order=72, officer=True)
