"""Public pages: the lookup, the red and black lists, subject pages (PRODUCT §2, §10).

Only public information appears here (``registry.readmodel`` says what that is); person ID
numbers are always masked.  Every page is rate-limited per client address (``RATELIMIT_PUBLIC``)
and answers with an ETag, so that an unchanged page costs a 304.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.issuers import handling_name
from registry.accounts.models import Unit
from registry.core import clock
from registry.core.caching import conditional
from registry.core.datalabels import data_label
from registry.core.forms import select_choices
from registry.core.identifiers import HUNAN_CITIES, InvalidIdentifier, SubjectKind, looks_like_identifier
from registry.core.replicas import reads_from_replica
from registry.core.routing import page_number
from registry.core.spreadsheets import human_csv
from registry.core.web import add_nav, committing
from registry.documents.views import pdf_response
from registry.extensions import db, limiter
from registry.listing.models import LIST_KIND_SHORT, ListCategory, ListKind
from registry.public.forms import ListFilterForm
from registry.readmodel import queries, report
from registry.readmodel import records as readmodel
from registry.readmodel.standings import standings
from registry.subjects import operations as subject_operations
from registry.subjects.models import Subject
from registry.subjects.search import COUNT_CAP, MAX_QUERY_LENGTH, search_subjects
from registry.subjects.sections import SUBJECT_SECTIONS, register_subject_section, sections_for

bp = Blueprint("public", __name__)
SEARCH_PAGE_SIZE = 20
MAX_SEARCH_PAGE = 50  # 1,000 results: past that, the query should be more precise
LIST_PAGE_SIZE = 50
MAX_LIST_PAGE = 10_000
LIST_SLUGS = {"red": ListKind.RED, "black": ListKind.BLACK}


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


limiter.shared_limit(_public_limit, scope="public-pages")(bp)


@bp.after_request
def _cache_headers(response):
    return conditional(response)


def _page_number(maximum: int) -> tuple[int, bool]:
    """The requested page, clamped to 1..maximum; the flag says the request asked for more."""
    page = page_number(request.args.get("page")) or 1
    return min(page, maximum), page > maximum


# ---------------------------------------------------------------------------------------------
# The lookup


@bp.route("/favicon.ico")
def favicon():
    """The icon at the address PDF viewers and other clients ask for; pages name the SVG."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)


@bp.route("/")
@reads_from_replica
def home():
    raw = request.args.get("q")
    if raw is None:
        return render_template("public/home.html", query="")
    query = " ".join(raw.split())
    if not query:
        return _home_message(
            raw, _("Enter a name, a unified social credit code, a resident ID number or a plate number.")
        )
    if len(query) > MAX_QUERY_LENGTH:
        return _home_message(query[:MAX_QUERY_LENGTH], _(
            "The search text may have at most %(n)d characters; this one has %(m)d.", n=MAX_QUERY_LENGTH, m=len(query)
        ))
    if looks_like_identifier(query):
        return _identifier_lookup(query)
    return _name_search(query)


def _home_message(query: str, message: str, status: int = 200):
    return render_template("public/home.html", query=query, error=message), status


def _identifier_lookup(query: str):
    try:
        subject = subject_operations.find_by_identifier(query)
    except InvalidIdentifier as invalid:
        # a number stored before the checks were right is still found by exactly that number
        subject = subject_operations.find_stored([query]).get(query)
        if subject is None:
            return _home_message(query, str(invalid.message))
    if subject is not None:
        return redirect(url_for(".subject", subject_id=subject.id))
    return render_template("public/home.html", query=query, no_record=True, as_of=clock.today())


def _name_search(query: str):
    page, beyond = _page_number(MAX_SEARCH_PAGE)
    if beyond:
        return _home_message(query, _(
            "Only the first %(n)d pages of results are shown: add more of the name to narrow the search.",
            n=MAX_SEARCH_PAGE,
        ))
    today = clock.today()
    condition = queries.searchable_condition(today)
    results = search_subjects(query, page=page, per_page=SEARCH_PAGE_SIZE, condition=condition)
    return render_template(
        "public/search.html", query=query, results=results, page=page,
        has_next=results.has_next and page < MAX_SEARCH_PAGE,
        standing=standings([subject.id for subject in results.subjects], today),
        person_name=looks_like_a_persons_name(query),
        matches=results.matches, cap=COUNT_CAP,
    )


_PERSON_NAME = re.compile(r"^[\u4e00-\u9fff]{1,3}(?:·[\u4e00-\u9fff]{1,6})?[\u4e00-\u9fff]$")
_NOT_A_PERSON = ("公司", "集团", "局", "站", "中心", "厂", "队", "所", "社", "部", "院", "会", "店", "场", "处", "行",
                 "湘", "湖南", "省", "市", "县", "交通", "运输", "物流", "工程", "建设",
                 # The trades and fields the registry covers (issue 34 §4: 港航水运 is no one's name).
                 "港航", "水运", "航运", "航道", "海事", "公路", "道路", "路政", "客运", "货运", "码头", "船舶", "驾培")


def looks_like_a_persons_name(query: str) -> bool:
    """2 to 4 Chinese characters (or a name with ·) without a word organisations have in their names."""
    return bool(_PERSON_NAME.match(query)) and not any(word in query for word in _NOT_A_PERSON)


# ---------------------------------------------------------------------------------------------
# Subject pages


@bp.route("/subjects/<id:subject_id>")
@reads_from_replica
def subject(subject_id: int):
    subject = db.session.get(Subject, subject_id) or abort(404)
    records = report.records_of(subject)
    section_names = set(SUBJECT_SECTIONS)
    return render_template(
        "public/subject.html",
        subject=subject,
        display_name=subject.name if readmodel.name_is_public(subject, records) else None,
        records=records,
        markers=records.markers,
        sections=sections_for(subject, public=True, records=records),
        show_evaluations="evaluations" not in section_names,
        show_owner=subject.owner is not None and subject.owner.kind is SubjectKind.ORGANISATION,
        under_correction=subject_operations.under_correction(subject),
    )


# ---------------------------------------------------------------------------------------------
# The credit report: the subject page's records as a numbered PDF (readmodel.report)


def _report_issue_limit() -> str:
    return current_app.config["RATELIMIT_REPORT_ISSUE"]


def _issued_a_number(response) -> bool:
    """Only a download that took a new number counts against the client's issuing limit."""
    return bool(g.get("report_newly_issued"))


def _report_response(identifier_or_subject):
    with committing():  # the report's number is stored with it
        data, document = report.credit_report_pdf(identifier_or_subject, actor=current_user)
        g.report_newly_issued = document.newly_issued
    return pdf_response(data, document)


@bp.route("/subjects/<id:subject_id>/report.pdf")
@limiter.limit(_report_issue_limit, deduct_when=_issued_a_number)
def subject_report(subject_id: int):
    subject = db.session.get(Subject, subject_id)
    if subject is None or report.records_of(subject).is_empty:
        abort(404)  # as the subject page's link: subject ids can be counted through
    return _report_response(subject)


@bp.route("/report/<identifier>.pdf")
@limiter.limit(_report_issue_limit, deduct_when=_issued_a_number)
def identifier_report(identifier: str):
    if len(identifier) > 40:
        abort(404)
    try:
        return _report_response(identifier)
    except InvalidIdentifier:  # rolled back by ``committing``
        abort(404)


def _report_link(subject, records) -> dict:
    return {} if records.is_empty else {"report_subject": subject}


@register_subject_section("credit_report", order=900, template="public/_subject_report.html", public=_report_link)
def _officer_report_link(subject, public: bool) -> dict:
    return _report_link(subject, report.records_of(subject))


# ---------------------------------------------------------------------------------------------
# The red and black lists


def _filter_form(kind: ListKind) -> ListFilterForm:
    form = ListFilterForm(request.args)
    categories = db.session.scalars(
        sa.select(ListCategory).where(ListCategory.list_kind == kind).order_by(ListCategory.display_order)
    )
    units = db.session.scalars(sa.select(Unit).where(Unit.is_active).order_by(Unit.sort_order, Unit.id))
    form.category.choices = select_choices([("", _l("All"))] + [(c.id, data_label(c.name)) for c in categories])
    form.unit.choices = select_choices([("", _l("All"))] + [(u.id, handling_name(u)) for u in units])
    form.city.choices = select_choices([("", _l("All")), *sorted(HUNAN_CITIES.items())])
    return form


def _filters(kind: ListKind, form: ListFilterForm) -> queries.ListFilter:
    return queries.ListFilter(
        kind=kind, category_id=form.category.data, unit_id=form.unit.data, city=form.city.data or None,
        date_from=form.date_from.data, date_to=form.date_to.data, keyword=" ".join((form.q.data or "").split()) or None,
    )


def _filter_args(form: ListFilterForm) -> dict:
    return {name: request.args[name] for name in ("q", "category", "unit", "city", "date_from", "date_to")
            if request.args.get(name)}


@bp.route("/lists/red")
@reads_from_replica
def red_list():
    return list_page("red")


@bp.route("/lists/black")
@reads_from_replica
def black_list():
    return list_page("black")


def list_page(slug: str):
    kind = LIST_SLUGS[slug]
    form = _filter_form(kind)
    page, beyond = _page_number(MAX_LIST_PAGE)
    context = {"kind": kind, "slug": slug, "form": form, "page": page, "filters": _filter_args(form),
               "title": LIST_KIND_SHORT[kind]}
    if not form.validate():
        return render_template("public/list.html", entries=[], has_next=False, invalid=True, **context), 400
    entries, has_next = ([], False) if beyond else queries.list_page(
        _filters(kind, form), clock.today(), page=page, per_page=LIST_PAGE_SIZE
    )
    return render_template(
        "public/list.html", entries=entries, has_next=has_next, holds=queries.entry_holds(entries),
        beyond=beyond or (page > 1 and not entries), **context,
    )


CSV_COLUMNS = ["名单", "类别", "主体名称", "主体标识", "认定事由", "认定依据", "认定文书号", "认定单位", "认定日期",
               "状态", "公示截止", "有效期起", "有效期止", "承办单位", "异议处理中", "修复中"]
CSV_STATUS = {"in_publicity": "公示中", "published": "已发布"}
LIST_CN = {ListKind.RED: "红名单", ListKind.BLACK: "黑名单"}


@bp.route("/lists/<any(red, black):slug>.csv")
@reads_from_replica
def list_csv(slug: str):
    kind = LIST_SLUGS[slug]
    form = _filter_form(kind)
    if not form.validate():
        return list_page(slug)
    today = clock.today()
    body = human_csv(CSV_COLUMNS, _list_rows(queries.iter_list(_filters(kind, form), today)))
    stamp = today.strftime("%Y%m%d")
    response = Response(body, mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-list-{stamp}.csv"'
    return response


def _list_rows(entries):
    """The CSV rows of ``entries``, their holds read 500 entries at a time."""
    batch = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == 500:
            yield from _rows_of(batch)
            batch = []
    yield from _rows_of(batch)


def _rows_of(entries) -> list[list]:
    holds = queries.entry_holds(entries)
    rows = []
    for entry in entries:
        marks = holds.get(entry.id, set())
        rows.append([
            LIST_CN[entry.list_kind], entry.category.name, entry.subject.name, entry.subject.public_identifier,
            entry.reason, entry.legal_basis, entry.decision_number, entry.deciding_unit,
            entry.decision_date.isoformat(), CSV_STATUS.get(entry.status.value, ""),
            entry.publicity_end.isoformat() if entry.publicity_end else "",
            entry.valid_from.isoformat() if entry.valid_from else "",
            entry.valid_until.isoformat() if entry.valid_until else "",
            handling_name(entry.unit), "是" if "objection" in marks else "", "是" if "repair" in marks else "",
        ])
    return rows


add_nav("public.red_list", _l("Red list"), order=10)
add_nav("public.black_list", _l("Black list"), order=11)
