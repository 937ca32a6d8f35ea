"""Writers: a report (its figures laid out by its declared layout) → XLSX/DOCX/PDF that re-open cleanly, with
Vietnamese formatting and 'chưa có số liệu'."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import docx
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase
from openpyxl import load_workbook

from mtqg.reports import charts, writers
from mtqg.reports.catalog import CATALOG

SAMPLE: dict[str, Any] = {
    "unit": "04",
    "year": 2023,
    "as_of": "2024-01-31",
    "central": {"plan": 1_689_000_000_000, "disbursed": 1_166_423_400_000, "rate": 69.06},
    "poor_rate": None,
    "by_source": [
        {"source": '=HYPERLINK("x")', "plan": 866_000_000_000, "rate": 72.73},
        {"source": "nstw_sn", "plan": None, "rate": None},
    ],
}


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


class LayoutTests(SimpleTestCase):
    def test_xlsx_typed_numbers_and_formula_neutralised(self) -> None:
        wb = load_workbook(io.BytesIO(writers.render("disbursement", SAMPLE, "xlsx")))
        values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        self.assertIn(1_689_000_000_000, values)
        self.assertIn('\'=HYPERLINK("x")', values)
        self.assertNotIn('=HYPERLINK("x")', values)
        self.assertIn("chưa có số liệu", values)

    def test_docx_vietnamese_numbers_and_missing_figures(self) -> None:
        text = docx_text(writers.render("disbursement", SAMPLE, "docx"))
        self.assertIn("Giải ngân vốn các Chương trình mục tiêu quốc gia", text)
        self.assertIn("1.689.000.000.000", text)
        self.assertIn("69,06%", text)
        self.assertIn("31/01/2024", text)
        self.assertIn("2023", text)
        self.assertNotIn("2.023", text)
        self.assertIn("chưa có số liệu", text)

    def test_pdf_embeds_fonts_and_keeps_vietnamese_text(self) -> None:
        data = writers.render("disbursement", SAMPLE, "pdf")
        self.assertTrue(data.startswith(b"%PDF"))
        text = pdf_text(data)
        self.assertIn("Giải ngân vốn các Chương trình mục tiêu quốc gia", text)
        self.assertIn("72,73%", text)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(data)
            fh.flush()
            fonts = subprocess.run(["pdffonts", fh.name], capture_output=True, check=True).stdout.decode()
        self.assertIn("Liberation-Serif", fonts)
        self.assertNotIn(" no ", fonts.split("\n", 2)[2])  # every font embedded

    def test_list_report_and_empty_report(self) -> None:
        text = docx_text(
            writers.render("outputs", [{"name": "Nhà ở", "actual": 3412, "target": None}], "docx")
        )
        self.assertIn("3.412", text)
        self.assertIn("chưa có số liệu", text)
        self.assertIn("chưa có số liệu", docx_text(writers.render("finance-alerts", [], "docx")).lower())

    def test_charts_draw_without_browser(self) -> None:
        block = {
            "title": "Giải ngân",
            "labels": ["NSTW đầu tư phát triển", "NSĐP đối ứng"],
            "series": [{"name": "Kế hoạch", "values": [866000, None]}],
            "unit": "triệu đồng",
        }
        svg = charts.bar_chart_svg(block)
        self.assertIn("NSTW đầu tư phát triển", svg)
        self.assertIn("866.000", svg)
        self.assertIn("chưa có số liệu", svg)
        self.assertTrue(charts.bar_chart_png(block).startswith(b"\x89PNG"))


class CommandTests(TestCase):
    def test_every_catalog_slug_writes_every_format(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for slug in sorted(CATALOG):
                if slug == "briefing":
                    continue  # needs data; see mtqg/supervision/tests/test_briefing.py
                for fmt in ("xlsx", "docx") if slug != "ntm-summary" else ("xlsx", "docx", "pdf"):
                    out = Path(tmp) / f"{slug}.{fmt}"
                    call_command("report", slug, unit="04", year="2023", format=fmt, output=str(out))
                    data = out.read_bytes()
                    if fmt == "xlsx":
                        load_workbook(io.BytesIO(data))
                    elif fmt == "docx":
                        self.assertTrue(docx_text(data))
                    else:
                        self.assertIn("Tỉnh Cao Bằng", pdf_text(data))

    def test_file_formats_need_output(self) -> None:
        with self.assertRaisesMessage(CommandError, "--output"):
            call_command("report", "outputs", unit="04", year="2023", format="docx")
