"""The briefing as an official document: page numbers top-centre from page 2 in DOCX and
PDF, the short rules under the issuing body and the motto, statuses as of the report's date, no sentence said
twice, chart labels not cut, and a poverty figure that states its review year and its register's coverage.
The files are re-read with python-docx and pdftotext."""

from __future__ import annotations

import collections
import io
import subprocess
import tempfile

import docx
from django.test import SimpleTestCase, TestCase

from mtqg.dashboards import panels
from mtqg.dashboards.services import summaries_rebuild
from mtqg.finance import demo as finance_demo
from mtqg.ntm import demo as ntm_demo
from mtqg.poverty import demo as poverty_demo
from mtqg.poverty.reports import summary as poverty_summary
from mtqg.poverty.tally import tally_refresh
from mtqg.reports import charts, writers
from mtqg.reports.catalog import report_from_data
from mtqg.reports.params import parse_params
from mtqg.supervision import demo
from mtqg.supervision.briefing import briefing
from mtqg.testing import make_world


def pdf_pages(data: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run(["pdftotext", "-layout", fh.name, "-"], capture_output=True, check=True)
    return out.stdout.decode().split("\f")


def first_line(page: str) -> str:
    return next((line.strip() for line in page.splitlines() if line.strip()), "")


class BriefingDocumentTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        ntm_demo.seed_dien_bien()
        finance_demo.seed()
        demo.seed()
        cls.db = briefing(None, parse_params({"unit": "11", "year": "2020", "as_of": "2020-11-30"}))
        cls.docx = writers.render("briefing", cls.db, "docx")
        cls.pdf = writers.render("briefing", cls.db, "pdf")

    def test_docx_page_numbers_top_centre_from_page_two(self) -> None:
        section = docx.Document(io.BytesIO(self.docx)).sections[0]
        self.assertTrue(section.different_first_page_header_footer)
        header = section.header._element.xml
        self.assertIn('w:instr="PAGE"', header)
        self.assertIn('w:val="center"', header)
        self.assertNotIn("PAGE", section.first_page_header._element.xml)
        self.assertNotIn("PAGE", section.footer._element.xml)

    def test_pdf_page_numbers_top_centre_from_page_two(self) -> None:
        pages = [p for p in pdf_pages(self.pdf) if p.strip()]
        self.assertGreaterEqual(len(pages), 2)
        self.assertTrue(first_line(pages[0]).startswith("ỦY BAN NHÂN DÂN"))  # no number on page 1
        self.assertFalse(pages[0].strip().splitlines()[-1].strip().isdigit())  # not at the bottom of page 1
        for number, page in enumerate(pages[1:], start=2):
            self.assertEqual(first_line(page), str(number))

    def test_rules_under_issuer_and_motto(self) -> None:
        table = docx.Document(io.BytesIO(self.docx)).tables[0]
        left, right = table.rows[0].cells
        for cell in (left, right):
            self.assertIn("<w:bottom", cell._tc.xml)  # a bordered (rule) paragraph in each header cell
        motto = next(p for p in right.paragraphs if "Độc lập" in p.text)
        self.assertFalse(any(r.underline for r in motto.runs))  # a rule, not an underline
        rules = [p for p in left.paragraphs + right.paragraphs if "<w:bottom" in p._p.xml]
        self.assertEqual(len(rules), 2)
        self.assertTrue(all(not p.text for p in rules))
        self.assertIn('class="rule"', writers.render_html(report_from_data("briefing", self.db)))

    def test_statuses_as_of_the_report_date(self) -> None:
        recs = [b["text"] for b in self.db["blocks"] if b["type"] == "paragraph" and "→" in b["text"]]
        self.assertTrue(recs)
        # every deadline of the 04/11/2020 mission is in 2021: none was overdue on 30/11/2020
        self.assertFalse([r for r in recs if "Quá hạn" in r])
        self.assertTrue([r for r in recs if "(Mới" in r])

    def test_dated_in_the_report_year_not_today(self) -> None:
        place_date = str(self.db["document"]["place_date"])
        self.assertTrue(place_date.endswith("năm 2020"), place_date)
        header = docx.Document(io.BytesIO(self.docx)).tables[0].rows[0].cells[1].text
        self.assertIn("năm 2020", header)

    def test_no_sentence_twice(self) -> None:
        document = docx.Document(io.BytesIO(self.docx))
        texts = [p.text for p in document.paragraphs if len(p.text) > 40]
        self.assertEqual([t for t, c in collections.Counter(texts).items() if c > 1], [])
        ntm = [t for t in texts if "xã đạt chuẩn NTM" in t and "/115" in t]
        self.assertEqual(len(ntm), 1)  # the recognised count is stated once, as of 30/11/2020
        self.assertNotIn("Đến hết năm 2020", "\n".join(texts))


class ChartLabelTests(SimpleTestCase):
    def test_long_labels_wrap_not_cut(self) -> None:
        label = "Hỗ trợ đất ở, nhà ở, đất sản xuất, nước sinh hoạt cho đối tượng thụ hưởng"
        block = {"title": "t", "labels": [label, "Ngắn"], "series": [{"name": "Kết quả", "values": [186, 2]}]}
        svg = charts.bar_chart_svg(block)
        self.assertNotIn("…", svg)
        for word in label.split():
            self.assertIn(word.rstrip(","), svg)
        self.assertTrue(charts.bar_chart_png(block).startswith(b"\x89PNG"))


class PovertyCoverageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        poverty_demo.load_standards()
        poverty_demo.seed_register_samples()
        poverty_demo.seed_cao_bang(members=False)
        tally_refresh()

    def test_sample_register_is_not_the_province_figure(self) -> None:
        data = poverty_summary(None, parse_params({"unit": "04", "year": "2023"}))
        self.assertEqual(data["households"], 8000)
        self.assertTrue(data["coverage"]["illustrative"])
        self.assertFalse(data["coverage"]["complete"])
        self.assertIn("minh họa", data["coverage"]["text"])
        doc = briefing(None, parse_params({"unit": "04", "year": "2023", "as_of": "2024-01-31"}))
        text = "\n".join(b["text"] for b in doc["blocks"] if b["type"] == "paragraph")
        self.assertNotRegex(text, r"toàn tỉnh còn [\d.]+ hộ nghèo")
        self.assertIn("minh họa", text)
        self.assertIn("sổ hộ minh họa (8.000 hộ, dữ liệu mẫu) còn", text)

    def test_dashboard_states_the_register_coverage(self) -> None:
        summaries_rebuild()
        for unit in (self.world.cao_bang, self.world.cao_bang_old):
            figures = panels.dashboard(None, panels.Filters(unit=unit, year=2023))["figures"]
            poverty = next(f for f in figures if f["label"] == "Tỷ lệ hộ nghèo")
            self.assertIn("Sổ hộ minh họa (dữ liệu mẫu)", poverty["basis"])

    def test_as_of_uses_the_last_review_completed_and_says_which(self) -> None:
        # the 2023 register was decided on 15/12/2023: as of 30/11/2023 there is no completed review yet
        before = poverty_summary(None, parse_params({"unit": "04", "as_of": "2023-11-30"}))
        self.assertIsNone(before["households"])  # null, never 0
        self.assertIsNone(before["poor"])
        self.assertIn("30/11/2023", before["review_year"])
        after = poverty_summary(None, parse_params({"unit": "04", "as_of": "2024-01-31"}))
        self.assertEqual(after["year"], 2023)
        self.assertEqual(after["households"], 8000)
        self.assertIn("Kỳ rà soát năm 2023", after["review_year"])

    def test_no_data_year_is_null(self) -> None:
        data = poverty_summary(None, parse_params({"unit": "04", "year": "2019"}))
        self.assertIsNone(data["households"])
        self.assertIsNone(data["poor_rate"])


class PovertyChangeWordingTests(TestCase):
    """The change against a baseline says which change it is: poor households (%) and the rate (percentage
    points), each with its direction."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        poverty_demo.seed(members=False, plan=poverty_demo.DIEN_BIEN_LEAN)

    def test_both_changes_named(self) -> None:
        params = parse_params({"unit": "11", "year": "2020", "baseline": "2015"})
        data = poverty_summary(None, params)
        db = briefing(None, params)
        text = "\n".join(b.get("text", "") for b in db["blocks"] if b["type"] == "paragraph")
        self.assertIn("so với năm 2015, số hộ nghèo giảm", text)
        self.assertIn("điểm phần trăm", text)
        points = f"{abs(data['poor_rate_change_points']):.2f}".replace(".", ",")
        self.assertIn(f"tỷ lệ hộ nghèo giảm {points} điểm phần trăm", text)
