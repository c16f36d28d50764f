"""A week's real work on an old release, after its ``flask demo`` (run by ``build_fixture`` with
the old release's own code and virtualenv, in the old source tree).

It uses only what an operator and the users of that release had: its commands and its pages (the
test client, CSRF off). What it leaves in the database is what the upgrade test migrates:
entries approved and published, a disclosure import approved, an objection filed on the public
form, credit reports issued, an API key used, a setting and a list category changed, a calendar
day, the scheduled checks run (which build and deliver the monthly exchange batch).  Prints one
JSON object: the secrets the test needs afterwards (the API key) and what it did.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from datetime import timedelta

import sqlalchemy as sa

from registry import create_app
from registry.core import clock
from registry.core.seeding import demo_pdf
from registry.extensions import db

PASSWORD = "demo-password-2026"

IMPORT_HEADER = ",".join((
    "类别", "行政相对人名称", "行政相对人类别", "统一社会信用代码或身份证号码", "法定代表人", "决定书文号",
    "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "违法情节", "许可类别",
    "许可证书编号", "许可内容", "有效期自", "有效期至", "决定日期", "决定机关", "决定机关统一社会信用代码",
    "数据来源单位"))
IMPORT_ROWS = (
    ",".join(("行政处罚", "湖南升级演练运输有限公司", "法人及非法人组织", "91430100MA4L0UPG1Q", "张三",
              "湘交执罚〔2026〕901号", "超限运输", "超限运输", "《公路安全保护条例》第六十四条", "罚款",
              "罚款人民币两千元", "0.2", "一般", "", "", "", "", "")),
    ",".join(("行政处罚", "湖南升级演练物流有限公司", "法人及非法人组织", "91430100MA4L0UPG2U", "李四",
              "湘交执罚〔2026〕902号", "未按规定检验", "未按规定检验", "《道路运输条例》第七十条", "警告", "警告", "",
              "轻微", "", "", "", "", "")),
)
AUTHORITY = "湖南省交通运输厅,11430000006142384X,湖南省交通运输厅基建处"


def main() -> None:
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    cli = app.test_cli_runner()
    client = app.test_client()
    done: dict = {}

    def run(*args) -> str:
        result = cli.invoke(args=list(args))
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)} failed: {result.output}")
        return result.output

    def login(email: str) -> None:
        client.post("/logout")
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def rows(sql: str, **params) -> list:
        with app.app_context():
            found = db.session.execute(sa.text(sql), params).all()
            db.session.remove()
            return found

    today = clock.today()

    # An API key, used by a toll system.
    output = run("apikeys", "create", "--name", "toll-system", "--scope", "credit:read")
    key = re.search(r"\b([A-Za-z0-9_\-]{32,})\b", output.split("\n", 1)[-1] or output).group(1)
    done["api_key"] = key

    # A disclosure import, submitted; approved below with the unit's other pending items.
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as file:
        day = (today - timedelta(days=3)).isoformat()
        file.write("\n".join([IMPORT_HEADER, *(f"{row},{day},{AUTHORITY}" for row in IMPORT_ROWS)]) + "\n")
        file.flush()
        run("disclosures", "import", file.name, "--unit", "JJC", "--submit")

    # A reviewer approves what waits in the review queue of 基建处, a second reviewer what the first prepared.
    approved = 0
    for reviewer in ("reviewer@demo.hn", "reviewer2@demo.hn"):
        login(reviewer)
        for kind, table in (("list_entry", "list_entries"), ("disclosure", "disclosures"), ("case", "cases")):
            for item_id, version in rows(f"SELECT t.id, t.version FROM {table} t JOIN units u ON u.id = t.unit_id "
                                         "WHERE t.status = 'pending_review' AND u.code = 'JJC' ORDER BY t.id"):
                response = client.post(f"/review/{kind}/{item_id}/approve", data={"version": version})
                assert response.status_code == 302
                approved += 1
    done["review_posts"] = approved

    # The scheduled checks, as the scheduler runs them, three weeks on: publicity ends, entries publish.
    run("run-checks", "--today", (today + timedelta(days=21)).isoformat())
    run("run-checks")

    # The public: an objection to a published entry, credit reports.
    client.post("/logout")
    with app.app_context():
        evidence = demo_pdf("检验合格证明")
    (entry_id,) = rows("SELECT id FROM list_entries WHERE status = 'published' ORDER BY id LIMIT 1")[0]
    response = client.post(f"/objections/new?record=list_entry:{entry_id}", data={
        "record": f"list_entry:{entry_id}", "applicant_kind": "organisation",
        "applicant_name": "湖南升级演练运输有限公司",
        "applicant_identifier": "91430100MA4L0UPG1Q", "phone": "0731-88888888",
        "grounds": "认定事实有误：车辆已于决定前完成检验。",
        "files": [(io.BytesIO(evidence), "检验合格证明.pdf")],
    }, content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "receipt-number" in page, re.findall(r"field-error[^<]*<", page)
    subjects = rows("SELECT DISTINCT s.id, s.identifier FROM subjects s JOIN list_entries e ON e.subject_id = s.id "
                    "WHERE e.status = 'published' AND s.kind = 'organisation' ORDER BY s.id LIMIT 2")
    for subject_id, identifier in subjects:
        assert client.get(f"/report/{identifier}.pdf").status_code == 200
        assert client.get(f"/subjects/{subject_id}/report.pdf").status_code == 200
    done["report_subject"] = subjects[0][1]

    # The toll system checks parties.
    for _subject_id, identifier in subjects:
        assert client.get(f"/api/v1/credit/{identifier}", headers={"X-API-Key": key}).status_code == 200

    # The administrator: a setting in days, a list category with odd day counts, a calendar day.
    login("admin@demo.hn")
    # (the field names of releases that count in days, and of those that count in months)
    response = client.post("/admin/settings", data={"penalty_general_visible_days": "400",
                                                    "penalty_general_visible_months": "13"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    response = client.post("/admin/list-categories/new", data={
        "name": "升级演练类别", "list_kind": "black", "validity_days": "500", "validity_months": "17",
        "repair_allowed": "y", "repair_min_days": "100", "repair_min_months": "3", "display_order": "90",
        "is_active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    run("calendar", "set", "2027-02-20", "workday", "--note", "调休")
    print(json.dumps(done, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
