def test_home_page_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "信用查询" in response.get_data(as_text=True)


def test_english_on_request_and_remembered(client):
    assert "Credit lookup" in client.get("/?lang=en").get_data(as_text=True)
    assert "Credit lookup" in client.get("/").get_data(as_text=True)
    assert "信用查询" in client.get("/?lang=zh_CN").get_data(as_text=True)


def test_language_choice_is_remembered_through_a_redirect(client, make):
    firm = make.subject()
    response = client.get("/", query_string={"q": firm.identifier, "lang": "en"})
    assert response.status_code == 302  # an identifier search only redirects: nothing is translated
    assert "Credit lookup" in client.get("/").get_data(as_text=True)
