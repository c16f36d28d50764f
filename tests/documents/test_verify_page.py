"""Verification anyone can find: the 文书核验 form, the footer link, the result
naming the document kind once in either language, and the public base URL the PDFs print."""

from __future__ import annotations

import logging
import os
import subprocess
from datetime import date

import pytest

from registry import create_app
from registry.documents import operations

DAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _frozen_day(frozen):
    with frozen(DAY):
        yield


def test_verify_without_a_code_shows_the_form(client):
    response = client.get("/verify")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "文书核验" in page and 'name="code"' in page and 'action="/verify"' in page
    english = client.get("/verify?lang=en").get_data(as_text=True)
    assert "Document verification" in english and "Verification code" in english


def test_a_code_typed_as_printed_leads_to_its_result(client, make):
    _, document = make.issued("list_entry", make.entry("in_publicity"))
    code = document.verification_code
    typed = "-".join(code[i:i + 4] for i in range(0, 16, 4)).lower()
    response = client.get(f"/verify?code=+{typed}+")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("typed", ["12345", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "<script>"])
def test_a_malformed_code_is_refused_at_the_field_and_kept(client, typed):
    response = client.get("/verify", query_string={"code": typed, "lang": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field-error"' in page and "16 letters and digits" in page and 'aria-invalid="true"' in page
    assert "<script>" not in page.split('name="code"')[1][:200]  # kept, escaped


def test_an_unknown_code_is_not_found_and_offers_the_form_again(client):
    response = client.get("/verify?code=0000-0000-0000-0000")
    assert response.status_code == 302
    missing = client.get(response.headers["Location"])
    assert missing.status_code == 404 and 'href="/verify"' in missing.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/verify", "/login"])
def test_every_page_links_verification_in_its_footer(client, path):
    page = client.get(path).get_data(as_text=True)
    footer = page.split('<footer class="site-footer">')[1]
    assert 'href="/verify"' in footer and "文书核验" in footer


def test_the_result_names_the_kind_once_and_its_issuer(client, make):
    _, document = make.credit_report(make.published_entry().subject)
    chinese = client.get(f"/verify/{document.verification_code}").get_data(as_text=True)
    assert "信用报告 (信用报告)" not in chinese and "信用报告" in chinese
    assert "本文书由湖南省交通运输厅通过信用信息管理系统出具。" in chinese
    english = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "<dd>Credit report</dd>" in english
    assert "This document was issued by 湖南省交通运输厅 through the credit registry." in english


def test_a_city_bureaus_notice_names_the_bureau_as_issuer(client, make):
    _, document = make.issued("list_entry", make.entry("in_publicity", unit="CS"))
    page = client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
    assert "issued by 长沙市交通运输局" in page and "<dd>List entry decision</dd>" in page


def _built_app(**config):
    return create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", **config})


def test_production_start_warns_when_the_public_base_url_is_unset(caplog, monkeypatch):
    monkeypatch.delenv("REGISTRY_PUBLIC_BASE_URL", raising=False)
    with caplog.at_level(logging.WARNING, logger="registry.config"):
        app = _built_app()
    assert any("PUBLIC_BASE_URL is not set" in record.getMessage() for record in caplog.records)
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize("config", [{"PUBLIC_BASE_URL": "https://credit.jtt.hunan.gov.cn"}, {"TESTING": True},
                                    {"DEBUG": True}])
def test_no_warning_when_set_or_not_in_production(caplog, monkeypatch, config):
    monkeypatch.delenv("REGISTRY_PUBLIC_BASE_URL", raising=False)
    with caplog.at_level(logging.WARNING, logger="registry.config"):
        _built_app(**config)
    assert not [record for record in caplog.records if "PUBLIC_BASE_URL" in record.getMessage()]


def test_pdfs_print_the_configured_public_base_url(app, make):
    old = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://credit.jtt.hunan.gov.cn/"
    try:
        _, document = make.issued("list_entry", make.entry("in_publicity"))
        assert operations.verify_url(document.verification_code) == \
            f"https://credit.jtt.hunan.gov.cn/verify/{document.verification_code}"
    finally:
        app.config["PUBLIC_BASE_URL"] = old


def test_make_run_sets_the_public_base_url_to_the_address_it_serves():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    prerequisites = ("install", "instance/config.py", "audit-key", "compile-translations", "migrate")
    skip = [f"-o{target}" for target in prerequisites]
    env = {key: value for key, value in os.environ.items() if key != "REGISTRY_PUBLIC_BASE_URL"}
    dry = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0", "PORT=8080", *skip], cwd=root, env=env,
                         capture_output=True, text=True, check=True).stdout
    (serve,) = [line for line in dry.splitlines() if " run " in line]
    assert "--host 0.0.0.0 --port 8080" in serve
    expanded = subprocess.run(["sh", "-c", serve.split(" ", 1)[0] + " && echo $REGISTRY_PUBLIC_BASE_URL"],
                              env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert expanded == "http://0.0.0.0:8080"
