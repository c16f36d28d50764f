"""Issue 34 §4: words and small screens."""

from __future__ import annotations

import re


def _cells_without_label(html: str, section: str) -> list[str]:
    part = html[html.index(section):]
    part = part[:part.index("</section>")]
    body = part[part.index("<tbody>"):]
    return [cell for cell in re.findall(r"<td[^>]*>", body) if "data-label=" not in cell and "colspan" not in cell]


def test_the_subject_pages_list_cards_keep_their_column_labels(client, make, db, login):
    entry = make.entry("published")
    public = client.get(f"/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert _cells_without_label(public, 'class="panel list-entries"') == []
    assert 'data-label="Valid"' in public
    login("clerk", unit="JJC")
    officer = client.get(f"/officer/subjects/{entry.subject_id}?lang=en").get_data(as_text=True)
    assert _cells_without_label(officer, 'class="panel list-entries"') == []


def test_category_names_are_english_in_the_english_interface(client, make, db, login):
    entry = make.entry("in_publicity")  # 公路建设市场严重失信
    objection, _code = make.objection(entry)
    login("clerk", unit="JJC")
    for url in (f"/objections/officer/{objection.id}?lang=en", "/officer/entries/new?lang=en",
                f"/officer/entries/{entry.id}?lang=en", "/officer/entries/?lang=en"):
        body = client.get(url).get_data(as_text=True)
        assert "公路建设市场严重失信" not in body, url
    chinese = client.get(f"/objections/officer/{objection.id}?lang=zh_CN").get_data(as_text=True)
    assert "公路建设市场严重失信" in chinese


def test_approving_an_entry_says_it_goes_into_publicity_first(client, make, db, login):
    entry = make.entry("pending_review")
    login("reviewer", unit="JJC")
    page = client.get("/review/?lang=en").get_data(as_text=True)
    box = page[page.index(entry.decision_number):]
    box = box[box.index('class="approve-box"'):box.index("</details>")]
    assert "goes into publicity" in box and "takes effect at once" not in box


def test_the_queue_filter_folds_on_a_phone(client, make, db, login):
    make.entry("pending_review")
    login("reviewer", unit="JJC")
    page = client.get("/review/?lang=en").get_data(as_text=True)
    assert 'aria-controls="queue-filter"' in page and 'class="filters collapsible" id="queue-filter"' in page
    opened = client.get("/review/?lang=en&submitter=1").get_data(as_text=True)
    assert 'class="filters collapsible open" id="queue-filter"' in opened  # a filter in use stays in view


def _save_settings(client, **values):
    return client.post("/admin/settings?lang=en", data=values)


def test_grade_bands_that_overlap_are_refused_on_save(client, make, db, login):
    from registry.core.settings import get_setting

    login("admin", unit="FGC")
    # 公路建设: AA from 95, A from 85. AA from 80 would put 80–85 in both AA and A, and A would get no scores.
    response = _save_settings(client, grade_band_highway_construction_AA="80")
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "the bands overlap" in body and 'id="s-grade_band_highway_construction_AA-error"' in body
    assert get_setting("grade_band_highway_construction_AA") == 95  # nothing saved
    equal = _save_settings(client, grade_band_highway_construction_B="75", grade_band_highway_construction_C="75")
    assert "the bands overlap" in equal.get_data(as_text=True)
    assert get_setting("grade_band_highway_construction_C") == 60


def test_grade_bands_in_order_are_saved(client, make, db, login):
    from registry.core.settings import get_setting

    login("admin", unit="FGC")
    response = _save_settings(client, grade_band_highway_construction_AA="90", grade_band_highway_construction_A="80")
    assert response.status_code == 302
    assert get_setting("grade_band_highway_construction_AA") == 90


def test_the_hint_about_persons_shows_only_for_what_may_be_a_persons_name(client, db):
    def hinted(query: str) -> bool:
        return "person-hint" in client.get("/", query_string={"q": query, "lang": "en"}).get_data(as_text=True)

    assert hinted("王建国")  # a person's name: persons are found by their ID number
    for trade in ("港航水运", "公路养护", "道路客运", "海事"):
        assert not hinted(trade), trade
