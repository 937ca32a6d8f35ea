"""Typed report output: the writers format a column by its declared kind and print its declared label (never a
guess from the key's name), every catalogue report declares its layout, and the PDF is the Django template
reports/document.html."""

from __future__ import annotations

import io
from importlib import import_module

from django.test import SimpleTestCase
from django.utils import translation
from openpyxl import load_workbook

from mtqg.core.tables import DATE, INT, MONEY, PERCENT, TEXT, Column, Table
from mtqg.reports import writers
from mtqg.reports.catalog import CATALOG, LAYOUTS, report_from_data
from mtqg.reports.document import Chart, Heading, Paragraph, Report, block_as_dict, block_from_dict

from .test_writers import SAMPLE, docx_text, pdf_text

# Keys the old writers read as something else: "plan_code" as an identifier (text), "rate" as a percentage,
# "year" as text, "note" with an ISO date as a date.
ODD = Report(
    data={},
    title="Báo cáo thử",
    blocks=[
        Table(
            title="Biểu thử",
            columns=[
                Column("plan_code", "Vốn giao (đồng)", MONEY),
                Column("rate", "Số xã", INT),
                Column("year", "Tỷ lệ (%)", PERCENT),
                Column("note", "Ghi chú", TEXT),
                Column("when", "Ngày", DATE),
            ],
            rows=[
                {"plan_code": 1234567, "rate": 57, "year": 12.5, "note": "2024-01-31", "when": "2024-02-29"}
            ],
        )
    ],
)


class DeclaredKindTests(SimpleTestCase):
    def test_docx_formats_by_declared_kind_not_key_name(self) -> None:
        text = docx_text(writers.render_report(ODD, "docx"))
        self.assertIn("1.234.567", text)  # money, though its key ends in _code
        self.assertNotIn("1234567", text)
        self.assertIn("\n57\n", text)  # a count, though its key is "rate"
        self.assertNotIn("57,00%", text)
        self.assertIn("12,50%", text)  # a rate, though its key is "year"
        self.assertIn("2024-01-31", text)  # text stays as written
        self.assertIn("29/02/2024", text)
        self.assertIn("Vốn giao (đồng)", text)

    def test_xlsx_number_formats_by_declared_kind(self) -> None:
        ws = load_workbook(io.BytesIO(writers.render_report(ODD, "xlsx"))).worksheets[0]
        money, count, rate, note, when = ws[3]
        self.assertEqual((money.value, money.number_format), (1234567, "#,##0"))
        self.assertEqual((count.value, count.number_format), (57, "#,##0"))
        self.assertEqual((rate.value, rate.number_format), (0.125, "0.00%"))
        self.assertEqual(note.value, "2024-01-31")
        self.assertEqual(when.value.date().isoformat(), "2024-02-29")
        self.assertEqual(
            [c.value for c in ws[2]], ["Vốn giao (đồng)", "Số xã", "Tỷ lệ (%)", "Ghi chú", "Ngày"]
        )

    def test_ocop_rated_products_is_a_count(self) -> None:
        data = {"unit": {"code": "04", "name": "Tỉnh Cao Bằng"}, "products": {"rated": 57, "registered": 85}}
        text = docx_text(writers.render("ocop-summary", data, "docx"))
        self.assertIn("Sản phẩm đã đánh giá, phân hạng\n57", text)
        self.assertNotIn("57,00%", text)  # the old writers read "rated" as a rate

    def test_labels_are_declared_and_translated(self) -> None:
        report = report_from_data("disbursement", SAMPLE)
        labels = [c.label for t in report.tables() for c in t.columns]
        self.assertIn("Kế hoạch (đồng)", labels)
        with translation.override("en"):
            report = report_from_data("disbursement", SAMPLE)
            self.assertIn("Plan (VND)", [c.label for t in report.tables() for c in t.columns])
            self.assertIn("Plan (VND)", docx_text(writers.render("disbursement", SAMPLE, "docx")))

    def test_an_unknown_kind_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            Column("x", "X", "auto")


class LayoutTests(SimpleTestCase):
    def test_every_catalogue_report_declares_a_layout(self) -> None:
        self.assertEqual(sorted(set(CATALOG) - set(LAYOUTS)), [])
        for slug, path in LAYOUTS.items():
            module, func = path.split(":")
            self.assertTrue(callable(getattr(import_module(module), func)), slug)

    def test_layouts_lay_out_empty_figures(self) -> None:
        for slug in CATALOG:
            empty: dict | list = [] if slug in ("outputs", "finance-alerts") else {}
            report = report_from_data(slug, empty)
            self.assertIsInstance(report, Report)
            self.assertTrue(writers.render(slug, empty, "docx"))

    def test_blocks_round_trip_through_json(self) -> None:
        blocks = [
            Heading("I. Kết quả", 2),
            Paragraph("Nội dung."),
            ODD.blocks[0],
            Chart("Biểu đồ", ["A"], [{"name": "Kế hoạch", "values": [1]}], "triệu đồng"),
        ]
        for block in blocks:
            self.assertEqual(block_from_dict(block_as_dict(block)), block)


class PdfTemplateTests(SimpleTestCase):
    def test_pdf_is_rendered_from_the_template(self) -> None:
        with self.assertTemplateUsed("reports/document.html"):
            data = writers.render("disbursement", SAMPLE, "pdf")
        text = pdf_text(data)
        self.assertIn("Giải ngân vốn các Chương trình mục tiêu quốc gia", text)
        self.assertIn("1.689.000.000.000", text)

    def test_html_escapes_values(self) -> None:
        report = Report({}, [Paragraph("<script>x</script>")], title="T")
        html = writers.render_html(report)
        self.assertIn("&lt;script&gt;", html)
        self.assertNotIn("<script>x", html)
