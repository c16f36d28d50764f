"""Journey 5: a clerk downloads the import template, uploads a CSV with one bad row, reads the
error report (nothing imported), fixes the row and imports both."""

import csv
import io

from playwright.sync_api import expect

from registry.core import clock
from registry.disclosures.seed import DEPARTMENT

from .helpers import new_uscc, switch_user

NUMBERS = ("湘交建罚〔2026〕旅程101号", "湘交建罚〔2026〕旅程102号")


def _row(header, number, identifier):
    values = {
        "类别": "行政处罚", "行政相对人名称": "湖南旅程导入运输有限公司", "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码或身份证号码": identifier, "法定代表人": "钱导入", "决定书文号": number,
        "违法行为类型": "车辆超限超载运输", "违法事实": "车货总质量超过限定标准。",
        "处罚依据": "《公路安全保护条例》第六十四条", "处罚类别": "罚款", "处罚内容": "罚款人民币五千元",
        "罚款金额（万元）": "0.5", "违法情节": "一般", "决定日期": clock.today().isoformat(),
        "决定机关": DEPARTMENT[0], "决定机关统一社会信用代码": DEPARTMENT[1],
        "数据来源单位": "湖南省交通运输厅基建处",
    }
    return [values.get(column, "") for column in header]


def _csv(path, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def test_import_with_a_bad_row_is_refused_with_a_report_then_imports_when_fixed(page, live_server, shot, tmp_path):
    good = new_uscc(7501)
    bad = good[:17] + ("1" if good[17] != "1" else "2")  # wrong check character
    switch_user(page, live_server, "clerk@demo.hn")
    page.goto(f"{live_server}/officer/disclosures/import")
    with page.expect_download() as info:
        page.get_by_role("link", name="模板（CSV）").click()
    template = tmp_path / "template.csv"
    info.value.save_as(template)
    header = next(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    assert "决定书文号" in header

    upload = tmp_path / "disclosures.csv"
    _csv(upload, header, [_row(header, NUMBERS[0], good), _row(header, NUMBERS[1], bad)])
    page.locator("#file").set_input_files(str(upload))
    page.get_by_role("button", name="校验并导入").click()
    errors = page.locator(".import-errors")
    expect(errors).to_be_visible()
    problem = errors.locator("tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("3")  # the header is row 1
    expect(problem.locator("td").nth(1)).to_contain_text("统一社会信用代码或身份证号码")
    expect(problem.locator("td").nth(2)).to_contain_text("校验")
    shot("import-refused")
    with page.expect_download() as info:
        errors.get_by_role("link", name="下载错误报告（CSV）").click()
    report = tmp_path / "report.csv"
    info.value.save_as(report)
    assert "校验" in report.read_text(encoding="utf-8-sig")
    # Nothing was imported.
    page.goto(f"{live_server}/officer/disclosures/?status=draft")
    expect(page.locator("main")).not_to_contain_text(NUMBERS[0])

    # Fixed, both rows go in as drafts.
    page.goto(f"{live_server}/officer/disclosures/import")
    _csv(upload, header, [_row(header, NUMBERS[0], good), _row(header, NUMBERS[1], good)])
    page.locator("#file").set_input_files(str(upload))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.locator(".flash-success")).to_contain_text("2")
    expect(page.locator("main")).to_contain_text(NUMBERS[0])
    expect(page.locator("main")).to_contain_text(NUMBERS[1])
    shot("imported-drafts")
