"""Every page of evaluations, commitments, the ledger, the catalogue and coverage renders in Chinese."""

from datetime import date


def test_pages_render_in_chinese(client, make, login, frozen):
    evaluation = make.evaluation(status="published", grade="D")
    task = make.ledger_task(units=("JJC",))
    login(make.user("reviewer"))
    with frozen(date(2026, 4, 30)):
        for url in ["/officer/evaluations/", f"/officer/evaluations/{evaluation.id}", "/officer/evaluations/new",
                    "/officer/evaluations/import", "/officer/commitments/", "/officer/commitments/new",
                    "/officer/ledger/", f"/officer/ledger/assignments/{task.assignments[0].id}",
                    "/officer/ledger/bulletin", "/officer/coverage", "/catalogue", "/review/",
                    "/officer/evaluations/import/template.xlsx", "/officer/evaluations/import/template.csv"]:
            assert client.get(url).status_code == 200, url
        page = client.get(f"/officer/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "生成黑名单草稿" in page
