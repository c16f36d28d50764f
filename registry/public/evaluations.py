"""The public 信用评价 page: published credit evaluation results by scheme
and year, searchable by name or code, paginated, and downloadable as CSV like the lists."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import SelectField, StringField
from wtforms.validators import Length, Optional

from registry.core import clock
from registry.core.forms import select_choices
from registry.core.pagination import paginate
from registry.core.spreadsheets import human_csv
from registry.core.web import add_nav
from registry.evaluations.models import FIELD_LABELS, FIELD_NAMES_ZH, EvaluationField
from registry.public.views import bp
from registry.readmodel import queries

PAGE_SIZE = 50
CSV_COLUMNS = ["评价领域", "评价年度", "主体名称", "主体标识", "信用等级", "直接认定", "直接认定理由", "评价得分",
               "评价单位", "公布日期", "公布文号"]


class ResultFilterForm(Form):
    field = SelectField(_l("Field"), validators=[Optional()])
    year = SelectField(_l("Year"), validators=[Optional()])
    q = StringField(_l("Name or code"), validators=[Optional(), Length(max=queries.MAX_EVALUATION_QUERY)])


def _form() -> ResultFilterForm:
    form = ResultFilterForm(request.args)
    form.field.choices = select_choices([("", _l("All"))] + [(f.value, FIELD_LABELS[f]) for f in EvaluationField])
    years = queries.published_evaluation_years()
    form.year.choices = select_choices([("", _l("All"))] + [(str(y), str(y)) for y in years])
    return form


def _filters(form: ResultFilterForm) -> queries.EvaluationFilter:
    return queries.EvaluationFilter(
        field=EvaluationField(form.field.data) if form.field.data else None,
        year=int(form.year.data) if form.year.data else None,
        query=" ".join((form.q.data or "").split()),
    )


def _args() -> dict:
    return {name: request.args[name] for name in ("field", "year", "q") if request.args.get(name)}


@bp.route("/evaluations")
def evaluations():
    form = _form()
    context = {"form": form, "filters": _args(), "FIELD_LABELS": FIELD_LABELS}
    if not form.validate():
        return render_template("public/evaluations.html", results=[], has_next=False, page=1, invalid=True,
                               **context), 400
    page = paginate(queries.evaluation_results(_filters(form)), PAGE_SIZE)
    return render_template("public/evaluations.html", results=page.items, has_next=page.has_next, page=page.number,
                           **context)


@bp.route("/evaluations.csv")
def evaluations_csv():
    form = _form()
    if not form.validate():
        return evaluations()
    rows = ([FIELD_NAMES_ZH[e.field], e.year, e.subject.name, e.subject.public_identifier, e.grade,
             "是" if e.directly_determined else "否", e.direct_reason or "", e.score, e.evaluating_unit,
             e.published_on.isoformat(), e.document_number or ""]
            for batch in queries.iter_evaluation_results(_filters(form)) for e in batch)
    response = Response(human_csv(CSV_COLUMNS, rows), mimetype="text/csv")
    response.charset = "utf-8"
    stamp = clock.today().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = f'attachment; filename="credit-evaluations-{stamp}.csv"'
    return response


add_nav("public.evaluations", _l("Credit evaluations"), order=12)
