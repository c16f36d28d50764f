"""Bulk import of disclosures: all or nothing, the per-row report, every bad input, the CLI, the page."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from registry.core.audit import AuditEvent
from registry.core.tabular import FileRefused
from registry.disclosures.imports import COLUMNS, ImportRefused, import_disclosures
from registry.disclosures.models import Disclosure, DisclosureStatus
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories.core import valid_resident_id, valid_uscc
from tests.factories.disclosures import AUTHORITY_USCC

TODAY = date(2026, 10, 9)
HEADER = [column.header for column in COLUMNS]


def penalty_row(**cells) -> dict:
    row = {
        "类别": "行政处罚", "行政相对人名称": "湖南导入运输有限公司", "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码或身份证号码": valid_uscc(), "法定代表人": "赵六", "决定书文号": f"湘交罚〔2026〕{next(_n)}号",
        "违法行为类型": "超限运输", "违法事实": "超限", "处罚依据": "《公路安全保护条例》", "处罚类别": "罚款",
        "处罚内容": "罚款五千元", "罚款金额（万元）": "0.5", "违法情节": "一般", "决定日期": "2026-09-30",
        "决定机关": "湖南省交通运输厅", "决定机关统一社会信用代码": AUTHORITY_USCC, "数据来源单位": "基建处",
    }
    row.update(cells)
    return row


def licence_row(**cells) -> dict:
    row = {
        "类别": "行政许可", "行政相对人名称": "湖南导入客运有限公司", "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码或身份证号码": valid_uscc(), "法定代表人": "钱七", "决定书文号": f"湘交许〔2026〕{next(_n)}号",
        "许可类别": "普通", "许可证书编号": "430100001", "许可内容": "道路货物运输经营", "有效期自": "2026-09-30",
        "有效期至": "2030-09-29", "决定日期": "2026-09-30", "决定机关": "湖南省交通运输厅",
        "决定机关统一社会信用代码": AUTHORITY_USCC, "数据来源单位": "运输处",
    }
    row.update(cells)
    return row


_n = iter(range(1, 10**9))


def to_csv(rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def to_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append([row.get(name, "") for name in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def clerk(make):
    return make.user("clerk")


def run(data, clerk, frozen, name="file.csv", **options):
    with frozen(TODAY):
        return import_disclosures(data, name, unit_id=clerk.unit_id, actor=clerk, **options)


@pytest.mark.parametrize("encode", [
    lambda rows: to_csv(rows, "utf-8"), lambda rows: to_csv(rows, "utf-8-sig"), lambda rows: to_csv(rows, "gbk"),
    to_xlsx,
], ids=["utf8", "utf8-bom", "gbk", "xlsx"])
def test_valid_file_creates_drafts_in_every_encoding(db, clerk, frozen, encode):
    person = penalty_row(行政相对人类别="自然人", 统一社会信用代码或身份证号码=valid_resident_id(),
                         行政相对人名称="孙八", 法定代表人="")
    rows = [penalty_row(), licence_row(), person]
    result = run(encode(rows), clerk, frozen, name="f.xlsx" if encode is to_xlsx else "f.csv")
    assert result.count == 3 and result.new_subjects == 3
    created = db.session.scalars(sa.select(Disclosure).where(Disclosure.id.in_(result.ids))).all()
    assert {d.status for d in created} == {DisclosureStatus.DRAFT}
    assert {d.publication_deadline for d in created} == {date(2026, 10, 15)}
    assert {d.decision_number for d in created} == {row["决定书文号"] for row in rows}
    person = next(d for d in created if d.party_name == "孙八")
    assert person.subject.kind.value == "person"


def test_submit_option_and_audit_per_record_and_per_file(db, clerk, frozen, make):
    existing = make.subject(identifier=valid_uscc())
    result = run(to_csv([penalty_row(统一社会信用代码或身份证号码=existing.identifier), penalty_row()]), clerk, frozen,
                 submit=True)
    rows = db.session.scalars(sa.select(Disclosure).where(Disclosure.id.in_(result.ids))).all()
    assert {d.status for d in rows} == {DisclosureStatus.PENDING_REVIEW}
    assert all(d.submitted_by_id == clerk.id for d in rows)
    assert result.new_subjects == 1
    assert rows[0].subject_id == existing.id or rows[1].subject_id == existing.id
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(4)).all()
    assert actions == ["disclosure.import_file", "disclosure.import", "disclosure.import", "subject.create"]
    from registry.core.audit import verify_chain

    assert verify_chain().ok


BAD_ROWS = [
    (penalty_row(决定日期="2026-10-10"), "决定日期", "不得晚于今天"),
    (penalty_row(决定日期="1999-12-31"), "决定日期", "2000"),
    (penalty_row(决定日期="30/09/2026"), "决定日期", "YYYY-MM-DD"),
    (penalty_row(**{"罚款金额（万元）": "-1"}), "罚款金额（万元）", "不得为负数"),
    (penalty_row(**{"罚款金额（万元）": "五千"}), "罚款金额（万元）", "不是有效数字"),
    (licence_row(**{"罚款金额（万元）": "1"}), "罚款金额（万元）", "仅适用于行政处罚"),
    (penalty_row(处罚类别="罚没"), "处罚类别", "罚款"),
    (penalty_row(违法情节="较重"), "违法情节", "一般"),
    (licence_row(有效期至="2026-01-01"), "有效期至", "不得早于有效期自"),
    (penalty_row(统一社会信用代码或身份证号码="91430100MA0000001A"),
     "统一社会信用代码或身份证号码", "统一社会信用代码校验位"),
    (penalty_row(行政相对人类别="自然人", 统一社会信用代码或身份证号码="430102198506120000"),
     "统一社会信用代码或身份证号码", "身份证号码校验位"),
    (penalty_row(类别="行政强制"), "类别", "行政处罚"),
    (penalty_row(违法事实=""), "违法事实", "必填"),
    (penalty_row(行政相对人名称=""), "行政相对人名称", "必填"),
    (penalty_row(有效期自="2026-01-01"), "有效期自", "仅适用于行政许可"),
]


@pytest.mark.parametrize(("bad", "column", "text"), BAD_ROWS)
def test_one_bad_row_refuses_the_whole_file(db, clerk, frozen, bad, column, text):
    before = (count(Disclosure), count(Subject))
    with pytest.raises(ImportRefused) as refused:
        run(to_csv([penalty_row(), bad, licence_row()]), clerk, frozen)
    errors = [(e.row, e.column) for e in refused.value.errors]
    assert errors == [(3, column)], refused.value.errors
    assert text in refused.value.errors[0].message
    assert (count(Disclosure), count(Subject)) == before


def test_duplicate_decision_numbers_in_file_and_in_unit(db, clerk, frozen, make):
    existing = make.disclosure(unit="JJC")
    rows = [penalty_row(决定书文号="湘交罚〔2026〕X号"), penalty_row(决定书文号=existing.decision_number),
            penalty_row(决定书文号="湘交罚〔2026〕X号")]
    with pytest.raises(ImportRefused) as refused:
        run(to_csv(rows), clerk, frozen)
    messages = {e.row: e.message for e in refused.value.errors}
    assert set(messages) == {3, 4}
    assert "已录入" in messages[3] and "第 2 行" in messages[4]


def test_number_used_by_another_unit_is_fine(db, clerk, frozen, make):
    other = make.disclosure(unit="YSC")
    assert run(to_csv([penalty_row(决定书文号=other.decision_number)]), clerk, frozen).count == 1


def test_every_problem_of_every_row_is_reported(db, clerk, frozen):
    rows = [penalty_row(决定日期="2026-10-10", **{"罚款金额（万元）": "-1"}), penalty_row(), penalty_row(违法情节="x")]
    with pytest.raises(ImportRefused) as refused:
        run(to_csv(rows), clerk, frozen)
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (2, "罚款金额（万元）"), (2, "决定日期"), (4, "违法情节")]
    assert "共 2 行存在 3 处问题" in str(refused.value.message)


@pytest.mark.parametrize(("data", "name"), [
    (b"", "empty.csv"),
    (to_csv([penalty_row()], header=HEADER[:-1]), "short.csv"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.csv"),
    (b"a" * (50 * 1024 * 1024 + 1), "huge.csv"),
])
def test_unusable_files_refused_and_nothing_stored(db, clerk, frozen, data, name):
    before = count(Disclosure)
    with pytest.raises(FileRefused):
        run(data, clerk, frozen, name=name)
    assert count(Disclosure) == before


def test_foreign_officer_cannot_import_into_a_unit(db, make, frozen):
    from registry.core.errors import PermissionDenied

    outsider = make.user("clerk", unit="YSC")
    with pytest.raises(PermissionDenied), frozen(TODAY):
        import_disclosures(to_csv([penalty_row()]), "f.csv", unit_id=make.unit("JJC").id, actor=outsider)


# --- the command line --------------------------------------------------------------------------


def test_cli_imports_a_valid_file(app, db, clerk, frozen, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(to_csv([penalty_row(), licence_row()]))
    with frozen(TODAY):
        result = app.test_cli_runner().invoke(args=["disclosures", "import", str(path), "--unit", "JJC", "--submit",
                                                    "--user", clerk.email])
    assert result.exit_code == 0, result.output
    assert "imported 2 disclosures as submitted for review" in result.output


def test_cli_refuses_with_report_on_stderr_and_exit_1(app, db, clerk, frozen, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(to_csv([penalty_row(), penalty_row(决定日期="2099-01-01")]))
    before = count(Disclosure)
    with frozen(TODAY):
        result = app.test_cli_runner().invoke(args=["disclosures", "import", str(path), "--unit", "JJC"])
    assert result.exit_code == 1
    assert "3,决定日期" in result.stderr and "未导入任何数据" in result.stderr
    assert count(Disclosure) == before


def test_cli_unknown_unit(app, db, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(b"x")
    result = app.test_cli_runner().invoke(args=["disclosures", "import", str(path), "--unit", "NOPE"])
    assert result.exit_code == 2 and "unknown unit" in result.output


# --- the page ----------------------------------------------------------------------------------


def test_import_page_refusal_shows_rows_and_offers_report(client, login, frozen):
    clerk = login("clerk")
    data = to_csv([penalty_row(), penalty_row(处罚类别="罚没")])
    with frozen(TODAY):
        response = client.post("/officer/disclosures/import", data={"file": (io.BytesIO(data), "f.csv")},
                               content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "处罚类别" in page
    link = page.split('href="/officer/disclosures/import/report/')[1].split('"')[0]
    report = client.get(f"/officer/disclosures/import/report/{link}")
    assert report.status_code == 200 and "3,处罚类别" in report.get_data().decode("utf-8-sig")
    assert count(Disclosure, Disclosure.created_by_id == clerk.id) == 0
    login("clerk")  # another officer cannot fetch it
    assert client.get(f"/officer/disclosures/import/report/{link}").status_code == 404


def test_import_page_success_and_file_errors(client, login, frozen):
    login("clerk")
    with frozen(TODAY):
        ok = client.post("/officer/disclosures/import", data={"file": (io.BytesIO(to_xlsx([licence_row()])), "f.xlsx"),
                                                              "submit_for_review": "y"},
                         content_type="multipart/form-data")
        assert ok.status_code == 302 and "pending_review" in ok.headers["Location"]
        bad = client.post("/officer/disclosures/import", data={"file": (io.BytesIO(b"%PDF-1.4"), "f.csv")},
                          content_type="multipart/form-data")
    assert bad.status_code == 200 and "field-error" in bad.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_with_chinese_header(client, login, fmt):
    login("clerk")
    response = client.get(f"/officer/disclosures/import/template.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        assert response.get_data().decode("utf-8-sig").splitlines()[0] == ",".join(HEADER)
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.get_data())).active
        assert [cell.value for cell in sheet[1]] == HEADER
