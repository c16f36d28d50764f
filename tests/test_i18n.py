"""Languages: Chinese by default, English on request and remembered; every wrapped string translated."""

from __future__ import annotations

import ast
import gettext
import itertools
import os
import textwrap
from collections import Counter
from pathlib import Path

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


# One catalogue: a text has one translation.  The .po text is read directly, not
# through Babel, whose reader keeps the last of two entries with the same msgid without a word.

CATALOGUE = Path(i18n.__file__).resolve().parents[1] / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def po_entries(text: str) -> list[tuple[str | None, str, str]]:
    """(msgctxt, msgid, msgstr) of every entry, in file order; obsolete (#~) entries included."""
    entries: list[tuple[str | None, str, str]] = []
    current: dict[str, str] = {}
    field = None

    def finish():
        if "msgid" in current:
            entries.append((current.get("msgctxt"), current["msgid"], current.get("msgstr", "")))
        current.clear()

    for raw in text.splitlines():
        line = raw[2:].strip() if raw.startswith("#~") else raw.strip()
        if not line or (line.startswith("#") and not raw.startswith("#~")):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (keyword == "msgctxt" or "msgctxt" not in current
                                                or "msgid" in current):
            finish()
        if keyword in ("msgctxt", "msgid", "msgid_plural") or keyword.startswith("msgstr"):
            field = "msgstr" if keyword.startswith("msgstr") else keyword
            current[field] = current.get(field, "") + ast.literal_eval(rest)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    finish()
    return [entry for entry in entries if entry[1]]


def test_the_po_reader_of_these_tests_sees_every_entry():
    sample = textwrap.dedent('''\
        msgid ""
        msgstr "Language: zh_CN\\n"

        #, python-format
        msgid "Decided from"
        msgstr "决定日期自"

        msgctxt "list"
        msgid "Decided from"
        msgstr "认定日期自"

        msgid ""
        "Decided "
        "from"
        msgstr ""
        "认定"
        "日期自"

        #~ msgid "Old"
        #~ msgstr "旧"
        ''')
    assert po_entries(sample) == [
        (None, "Decided from", "决定日期自"), ("list", "Decided from", "认定日期自"),
        (None, "Decided from", "认定日期自"), (None, "Old", "旧"),
    ]


def test_there_is_one_catalogue():
    """Besides the template `make translations` writes; compiled .mo files left over from the
    per-package catalogues are never read, so they do not count."""
    registry = CATALOGUE.parents[3]
    template = registry / "translations" / "messages.pot"
    sources = sorted(path for pattern in ("*.po", "*.pot") for path in registry.rglob(pattern) if path != template)
    assert sources == [CATALOGUE]


def test_the_app_reads_only_the_one_catalogue(app):
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(CATALOGUE.parents[2])


def test_no_text_has_two_translations():
    entries = po_entries(CATALOGUE.read_text(encoding="utf-8"))
    counts = Counter((context, msgid) for context, msgid, _ in entries)
    assert not [key for key, n in counts.items() if n > 1]
    assert len(entries) > 1000  # the reader read the catalogue, not nothing


def test_the_catalogue_keeps_no_obsolete_or_fuzzy_entries_and_is_sorted():
    """Sorted by msgid, as `make translations` writes it, so that branches adding strings merge."""
    text = CATALOGUE.read_text(encoding="utf-8")
    assert "#~" not in text
    assert ", fuzzy" not in text  # a guess is not a translation: the .mo leaves it out
    ids = [msgid for _, msgid, _ in po_entries(text)]
    unsorted = [(a, b) for a, b in itertools.pairwise(ids) if a > b]
    assert not unsorted, f"not sorted by msgid (run make translations): {unsorted[:3]}"


def test_texts_that_differ_only_in_trailing_punctuation_translate_alike():
    def bare(text):
        return text.rstrip(" .:;!?…。：；！？")

    translations: dict[str, set[str]] = {}
    for _, msgid, msgstr in po_entries(CATALOGUE.read_text(encoding="utf-8")):
        translations.setdefault(bare(msgid), set()).add(bare(msgstr))
    assert {msgid: found for msgid, found in translations.items() if len(found) > 1} == {}


@pytest.mark.parametrize("path", ["/lists/black", "/disclosures"])
def test_the_decision_date_filter_says_the_same_on_both_pages(client, path):
    # Two catalogues translated "Decided from" as 认定日期自 and 决定日期自; the merged one chose
    # 决定日期 (PRODUCT §4), which also names a listing decision.
    html = client.get(path).get_data(as_text=True)
    assert "决定日期自" in html and "决定日期至" in html
    assert "认定日期自" not in html


def test_make_translations_stops_on_a_text_translated_twice(tmp_path, monkeypatch):
    """`make translations` runs this before `pybabel update`, whose reader would keep one silently."""
    po = tmp_path / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    text = CATALOGUE.read_text(encoding="utf-8")
    po.write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    assert i18n.duplicate_msgids() == []
    po.write_text(text + '\nmsgid ""\n"Decided "\n"from"\nmsgstr "认定日期自"\n\nmsgctxt "list"\nmsgid "Month"\n'
                  'msgstr "月"\n', encoding="utf-8")
    assert i18n.duplicate_msgids() == ["Decided from"]


def test_missing_prints_a_stub_for_a_string_the_catalogue_lacks(tmp_path, monkeypatch, capsys):
    text = CATALOGUE.read_text(encoding="utf-8")
    entry = 'msgid "Decided until"\nmsgstr "决定日期至"\n'
    assert entry in text
    partial = tmp_path / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    partial.parent.mkdir(parents=True)
    partial.write_text(text.replace(entry, ""), encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    assert list(i18n.missing_translations()) == ["Decided until"]
    i18n._print_missing()
    out = capsys.readouterr().out
    assert out.startswith("#: registry/") and out.endswith('msgid "Decided until"\nmsgstr ""\n\n')


def test_the_catalogue_compiles_when_the_mo_is_missing_or_older(tmp_path, monkeypatch):
    po = tmp_path / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(CATALOGUE.read_bytes())
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    assert i18n.compile_catalogues() == 1
    assert i18n.compile_catalogues() == 0
    mo = po.with_suffix(".mo")
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert i18n.compile_catalogues() == 1
    with mo.open("rb") as mo_file:  # the standard library's reader, not Babel's
        compiled = gettext.GNUTranslations(mo_file)
    assert compiled.gettext("Decided from") == "决定日期自"
    assert compiled.gettext("Officer sign-in") != "Officer sign-in"
