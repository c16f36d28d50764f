"""The credit report says what the subject page says, and its numbers are not free
(§6): text extracted from the PDFs, compared with the public pages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from registry.core.seeding import DEMO_STEPS, SEED_STEPS
from registry.documents.models import IssuedDocument
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories import valid_uscc

DAY = date(2026, 6, 1)
# The page's sections (English headings) and the report's (Chinese titles) that show records.
SECTIONS = {
    "Red and black lists": "红黑名单信息",
    "Licensing and penalty disclosures": "行政许可和行政处罚信息",
    "Credit evaluations": "信用评价信息",
    "Joint reward and punishment cases": "联合奖惩案例信息",
}
NUMERALS = "一二三四五六七八九十"


def squeezed(data: bytes) -> str:
    return "".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


class _Sections(HTMLParser):
    """Each ``<section>`` of a page: its ``<h2>`` and its table body rows (as lists of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self._heading = self._rows = self._cell = None
        self._in_h2 = self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self._heading, self._rows = "", []
        elif tag == "h2" and self._rows is not None:
            self._in_h2 = True
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._rows is not None:
            self._rows.append([])
        elif tag == "td" and self._in_body and self._rows:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "section" and self._rows is not None:
            self.sections[self._heading.strip()] = self._rows
            self._rows = None
        elif tag == "h2":
            self._in_h2 = False
        elif tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._rows[-1].append("".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_h2:
            self._heading += data
        elif self._cell is not None:
            self._cell += data


def page_sections(client, subject_id: int) -> dict[str, list[list[str]]]:
    response = client.get(f"/subjects/{subject_id}?lang=en")
    assert response.status_code == 200
    parser = _Sections()
    parser.feed(response.get_data(as_text=True))
    return parser.sections


def report_sections(text: str) -> dict[str, str]:
    """The report's text per section title (from its heading 一、… to the next one or the notes)."""
    headings = [(match.start(), match.group(2)) for match in re.finditer(
        f"([{NUMERALS}])、({'|'.join(SECTIONS.values())})", text)]
    end = text.index("说明：")
    return {title: text[start:(headings[i + 1][0] if i + 1 < len(headings) else end)]
            for i, (start, title) in enumerate(headings)}


def items(section_text: str) -> int:
    """How many records a report section lists: its items are numbered （1）（2）…"""
    number = 0
    while f"（{number + 1}）" in section_text:
        number += 1
    return number


# --- the demo data: page and report agree for every subject ------------------------------------


@pytest.fixture
def demo(db):
    for step in [*SEED_STEPS.ordered(), *DEMO_STEPS.ordered()]:
        step.run()
    db.session.flush()


def _key(heading: str, row: list[str]) -> str:
    if heading == "Red and black lists":
        return "认定文书号" + re.match(".*?号", row[2]).group(0)
    if heading == "Credit evaluations":
        return "信用等级" + re.match("[A-D]+", row[2]).group(0)
    if heading == "Joint reward and punishment cases":
        return "事项" + row[3]
    return row[0]  # a disclosure's decision number


def _compare(client, subject) -> set[str]:
    """Page and report of one subject hold the same sections with the same records: those shown."""
    page = {heading: rows for heading, rows in page_sections(client, subject.id).items() if heading in SECTIONS}
    shown = {heading: rows for heading, rows in page.items() if rows}
    has_link = f"/subjects/{subject.id}/report.pdf" in client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    response = client.get(f"/subjects/{subject.id}/report.pdf")
    if not shown:
        assert not has_link and response.status_code == 404, subject.name
        return set()
    assert has_link and response.status_code == 200, subject.name
    text = squeezed(response.data)
    assert subject.public_identifier in text
    sections = report_sections(text)
    for heading, title in SECTIONS.items():
        rows = shown.get(heading, [])
        assert items(sections[title]) == len(rows), (subject.name, title)
        for row in rows:  # the record's key cell (decision number, grade, matter) is in its section
            assert _key(heading, row) in sections[title], (subject.name, title, row)
    return set(shown)


def test_the_report_holds_every_section_of_the_subject_page_for_every_demo_subject(demo, db, client):
    subjects = db.session.scalars(sa.select(Subject).order_by(Subject.id)).all()
    assert len(subjects) > 10
    shown = [_compare(client, subject) for subject in subjects]
    assert len([sections for sections in shown if sections]) > 5
    assert set().union(*shown) == set(SECTIONS)  # the demo data exercises every section


def test_a_firm_whose_only_record_is_a_grade_has_a_report_that_names_it(demo, db, client):
    subject = db.session.scalar(sa.select(Subject).where(Subject.name == "湖南路桥建设集团有限公司"))
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert f"/subjects/{subject.id}/report.pdf" in page
    response = client.get(f"/subjects/{subject.id}/report.pdf")
    assert response.status_code == 200
    text = squeezed(response.data)
    assert "主体名称湖南路桥建设集团有限公司" in text and "信用等级AA" in text and "评价得分96.5" in text
    assert "未发现该主体" not in text
    by_identifier = squeezed(client.get(f"/report/{subject.identifier}.pdf").data)
    assert "主体名称湖南路桥建设集团有限公司" in by_identifier and "信用等级AA" in by_identifier
    assert "—" not in by_identifier.split("一、")[0]


# --- a grade and a joint case (the example) ---------------------------------------------


def test_a_published_grade_and_a_joint_case_are_in_the_report(make, db, client, frozen):
    with frozen(DAY):
        entry = make.published_entry()
        subject = entry.subject
        make.evaluation(subject=subject, status="published", field="road_transport", grade="AAA", score="97.25",
                        year=2025, published_on=date(2026, 3, 31))
        make.evaluation(subject=subject, status="draft", field="work_safety", grade="D", score="40")
        make.case(entry=entry, matter="某高速公路养护工程招标", effect="取消其投标资格。")
        make.case("draft", entry=entry, matter="草稿中的案例事项")
        text = squeezed(client.get(f"/subjects/{subject.id}/report.pdf").data)
    sections = report_sections(text)
    assert "道路运输领域AAA级" in sections["信用评价信息"] and "评价得分97.25" in sections["信用评价信息"]
    assert items(sections["信用评价信息"]) == 1  # the draft grade is not public
    assert "事项某高速公路养护工程招标" in sections["联合奖惩案例信息"] and "实施成效取消其投标资格。" in text
    assert items(sections["联合奖惩案例信息"]) == 1 and "草稿中的案例事项" not in text
    assert entry.decision_number in sections["红黑名单信息"]


def test_a_case_outlives_its_entry_on_the_page_and_in_the_report(make, db, client, frozen):
    """An expired entry leaves the page and the report; its published case stays in both."""
    with frozen(DAY):
        entry = make.published_entry(valid_from=DAY - timedelta(days=365 * 4))  # validity ended
        make.case(entry=entry, case_date=DAY - timedelta(days=400), matter="往年的案例事项")
        page = page_sections(client, entry.subject_id)
        text = squeezed(client.get(f"/subjects/{entry.subject_id}/report.pdf").data)
    assert page["Red and black lists"] == [] and len(page["Joint reward and punishment cases"]) == 1
    assert "往年的案例事项" in text and "未发现该主体" not in text
    assert items(report_sections(text)["红黑名单信息"]) == 0


# --- §6 numbers are not free --------------------------------------------------------------------


def _number(data: bytes) -> str:
    return re.search(r"湘交信报〔\d{4}〕第\d{4}号", squeezed(data)).group(0)


def test_the_same_report_downloaded_twice_has_one_number_and_a_change_takes_the_next(make, db, client, frozen):
    with frozen(DAY):
        entry = make.entry("published")
        path = f"/report/{entry.subject.identifier}.pdf"
        first, second = client.get(path), client.get(f"/subjects/{entry.subject_id}/report.pdf")
        assert _number(first.data) == _number(second.data) == "湘交信报〔2026〕第0001号"
        assert first.data == second.data
    with frozen(DAY + timedelta(days=7)):
        assert _number(client.get(path).data) == "湘交信报〔2026〕第0001号"  # nothing changed since
        make.disclosure("published", subject=entry.subject)
        assert _number(client.get(path).data) == "湘交信报〔2026〕第0002号"
        assert _number(client.get(path).data) == "湘交信报〔2026〕第0002号"
    assert count(IssuedDocument) == 2


@pytest.fixture
def limited_client(tmp_path):
    from registry import create_app
    from registry.extensions import db, limiter

    previous = limiter.enabled
    app = create_app({
        "SECRET_KEY": "limits", "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite'}",
        "RATELIMIT_ENABLED": True, "RATELIMIT_PUBLIC": "100 per minute", "RATELIMIT_REPORT_ISSUE": "2 per hour",
        "RATELIMIT_STORAGE_URL": "memory://", "SERVER_NAME": "localhost",
    })
    with app.app_context():
        db.create_all()
        limiter.reset()
        yield app.test_client()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    limiter.reset()
    limiter.enabled = previous


def test_issuing_reports_is_rate_limited_per_client_but_repeat_downloads_are_not(limited_client):
    from registry.extensions import db

    first = f"/report/{valid_uscc()}.pdf"
    assert [limited_client.get(first).status_code for _ in range(4)] == [200] * 4  # one number, taken once
    assert limited_client.get(f"/report/{valid_uscc()}.pdf").status_code == 200  # a second number
    refused = limited_client.get(f"/report/{valid_uscc()}.pdf")  # a third would pass the limit
    assert refused.status_code == 429
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 2
    assert limited_client.get(first).status_code == 429  # the client is over its limit for the hour
    other = {"REMOTE_ADDR": "10.0.0.9"}
    assert limited_client.get(f"/report/{valid_uscc()}.pdf", environ_base=other).status_code == 200


def test_a_report_stored_with_rows_oldest_first_still_verifies_as_unchanged(make, db, client, frozen):
    """Reports issued before the report followed the page's order listed rows oldest first."""
    from registry.documents.operations import canonical_json, content_hash

    with frozen(DAY):
        subject = make.subject()
        for day in (date(2026, 3, 1), date(2026, 4, 1)):
            make.entry("published", subject=subject, decision_date=day)
        _data, document = make.credit_report(subject)
        content = document.content
        content["sections"]["list_entries"].reverse()
        document.content_json = canonical_json(content)
        document.content_hash = content_hash(content)
        db.session.flush()
        assert "unchanged" in client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
        make.entry("published", subject=subject)
        assert "has changed" in client.get(f"/verify/{document.verification_code}?lang=en").get_data(as_text=True)
