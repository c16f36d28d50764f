"""Languages: Chinese by default, English on request and remembered; every wrapped string translated."""

from __future__ import annotations

import pytest

from registry.core import i18n


@pytest.mark.parametrize("path", ["/", "/login"])
def test_chinese_is_the_default(client, path):
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "交通运输信用" in html
    assert "Officer sign-in" not in html


def test_english_on_request_is_remembered_until_switched_back(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Credit lookup" in html
    assert "Officer sign-in" in client.get("/login").get_data(as_text=True)
    html = client.get("/login?lang=zh_CN").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "Officer sign-in" not in html
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "en_US", "../../etc", ""])
def test_an_unknown_language_falls_back_to_chinese(client, lang):
    html = client.get("/", query_string={"lang": lang}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html


def test_the_switch_links_to_the_other_language(client):
    assert 'href="/login?lang=en"' in client.get("/login").get_data(as_text=True)
    assert 'href="/login?lang=zh_CN"' in client.get("/login?lang=en").get_data(as_text=True)


def test_messages_from_the_code_are_translated_too(client, make):
    user = make.user("clerk")
    response = client.post("/login", data={"email": user.email, "password": "wrong-password"})
    assert "电子邮箱或密码错误" in response.get_data(as_text=True)


def test_every_wrapped_string_has_a_chinese_translation():
    missing = i18n.missing_translations()
    listing = "\n".join(f"  {msgid!r}  ({', '.join(where[:2])})" for msgid, where in sorted(missing.items()))
    assert not missing, (
        f"{len(missing)} wrapped strings have no zh_CN translation "
        f"(python -m registry.core.i18n missing prints .po stubs):\n{listing}"
    )
