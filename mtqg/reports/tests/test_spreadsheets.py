"""Issue #19 part 12: spreadsheets that open right — sheet names shortened on purpose (≤ 31 characters, never in
the middle of a word) with the full title kept in the sheet, rates stored as fractions in a percent format, money
with thousands separators. Checked with openpyxl and by opening the file in LibreOffice (headless) under a
Vietnamese locale, as a user would."""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase
from openpyxl import load_workbook

from mtqg.core.tables import Column, Table, sheet_title, write_xlsx
from mtqg.reports import writers

BRIEFING_LIKE: dict[str, Any] = {
    "document": {"title": "Báo cáo"},
    "blocks": [
        {
            "type": "table",
            "title": "Biểu 2. Giải ngân theo chương trình",
            "columns": [
                {"key": "name", "label": "Nội dung", "kind": "text"},
                {"key": "plan", "label": "Kế hoạch vốn (đồng)", "kind": "money"},
                {"key": "disbursed", "label": "Đã giải ngân (đồng)", "kind": "money"},
                {"key": "rate", "label": "Tỷ lệ (%)", "kind": "percent"},
            ],
            "rows": [
                {
                    "name": "Chương trình MTQG xây dựng nông thôn mới",
                    "plan": 3_873_000,
                    "disbursed": 2_823_843,
                    "rate": 72.91,
                },
                {"name": "Chưa báo cáo", "plan": 1_000_000, "disbursed": None, "rate": None},
            ],
        },
        {
            "type": "table",
            "title": "Biểu 4. Xã trắng về đài truyền thanh, sóng điện thoại di động",
            "columns": [{"key": "commune", "label": "Xã", "kind": "text"}],
            "rows": [{"commune": "Xã Bình Dương"}],
        },
    ],
}


def libreoffice_csv(xlsx: bytes) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice shows it (cells 'as shown') with the vi-VN locale, via headless conversion."""
    with tempfile.TemporaryDirectory(prefix="mtqg-lo-") as tmp:
        root = Path(tmp)
        profile = root / "profile" / "user"
        profile.mkdir(parents=True)
        (profile / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry">'
            '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">'
            "<value>vi-VN</value></prop></item></oor:items>",
            encoding="utf-8",
        )
        source = root / "book.xlsx"
        source.write_bytes(xlsx)
        # 44=',' 34='"' 76=UTF-8, first line 1, …, "save cell contents as shown", -1 = every sheet to its own file
        target = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1066,false,true,true,false,false,-1"
        subprocess.run(
            [
                "libreoffice",
                f"-env:UserInstallation={(root / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(root / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env={"LC_ALL": "C.UTF-8", "HOME": tmp, "PATH": "/usr/bin:/bin"},
        )
        sheets = {}
        for path in sorted((root / "out").glob("book-*.csv")):
            with path.open(encoding="utf-8") as fh:
                sheets[path.stem.removeprefix("book-")] = list(csv.reader(fh))
        return sheets


class SheetNameTest(SimpleTestCase):
    def test_long_titles_shortened_on_purpose(self) -> None:
        used: set[str] = set()
        self.assertEqual(sheet_title("Biểu 2. Giải ngân theo chương trình", used), "Biểu 2 - GN theo CT")
        self.assertEqual(sheet_title("Biểu 1. Giải ngân theo nguồn", used), "Biểu 1 - Giải ngân theo nguồn")
        self.assertEqual(
            sheet_title("Biểu 3. Số xã theo nhóm số tiêu chí đạt (31/12/2023)", used),
            "Biểu 3 - Số xã theo nhóm TC đạt",
        )
        long = "Báo cáo tình hình thực hiện các Chương trình mục tiêu quốc gia năm 2023 của tỉnh Cao Bằng"
        first, second = sheet_title(long, used), sheet_title(long, used)
        for name in (first, second):
            self.assertLessEqual(len(name), 31)
            words = name.removesuffix(" (2)").removesuffix("…").split()
            self.assertTrue(
                set(words) <= set(long.replace("Chương trình mục tiêu quốc gia", "CTMTQG").split()), name
            )
        self.assertNotEqual(first.lower(), second.lower())
        self.assertEqual(sheet_title("Kế hoạch [2024]: a/b", set()), "Kế hoạch -2024-- a-b")


class WorkbookTest(SimpleTestCase):
    def test_full_title_percent_fraction_money_format(self) -> None:
        wb = load_workbook(io.BytesIO(writers.render("briefing", BRIEFING_LIKE, "xlsx")))
        self.assertEqual(wb.sheetnames, ["Biểu 2 - GN theo CT", "Biểu 4 - Xã trắng ĐTT, sóng DĐ"])
        ws = wb["Biểu 2 - GN theo CT"]
        self.assertEqual(ws["A1"].value, "Biểu 2. Giải ngân theo chương trình")
        self.assertEqual(ws["D2"].value, "Tỷ lệ (%)")
        self.assertAlmostEqual(ws["D3"].value, 0.7291)
        self.assertEqual(ws["D3"].number_format, "0.00%")
        self.assertEqual(ws["B3"].value, 3_873_000)
        self.assertEqual(ws["B3"].number_format, "#,##0")
        self.assertEqual(ws["D4"].value, "chưa có số liệu")
        self.assertEqual(
            wb["Biểu 4 - Xã trắng ĐTT, sóng DĐ"]["A1"].value, BRIEFING_LIKE["blocks"][1]["title"]
        )

    def test_automatic_layout_rates_and_key_value_rows(self) -> None:
        data = {
            "central": {"plan": 1_689_000_000_000, "rate": 69.06},
            "by_source": [{"source": "x", "rate": 72.73}],
        }
        wb = load_workbook(io.BytesIO(writers.render("disbursement", data, "xlsx")))
        cells = {c.value: c for ws in wb.worksheets for row in ws.iter_rows(min_row=3) for c in row}
        self.assertEqual(cells[0.6906].number_format, "0.00%")  # key/value table: the rate row
        self.assertEqual(cells[0.7273].number_format, "0.00%")
        self.assertEqual(cells[1_689_000_000_000].number_format, "#,##0")
        self.assertNotIn(69.06, cells)

    def test_every_export_through_write_xlsx(self) -> None:
        table = Table(
            "Tổng hợp hộ nghèo, hộ cận nghèo theo tỉnh năm 2024 (đến 31/12/2024)",
            [
                Column("p", "Tỉnh"),
                Column("rate", "Tỷ lệ hộ nghèo (%)", "percent"),
                Column("m", "Vốn", "money"),
            ],
            [{"p": "Cao Bằng", "rate": 29.43, "m": 12_345_678}],
        )
        wb = load_workbook(io.BytesIO(write_xlsx([table])))
        ws = wb.worksheets[0]
        self.assertLessEqual(len(ws.title), 31)
        self.assertEqual(ws["A1"].value, table.title)
        self.assertAlmostEqual(ws["B3"].value, 0.2943)
        self.assertEqual((ws["B3"].number_format, ws["C3"].number_format), ("0.00%", "#,##0"))


class LibreOfficeTest(SimpleTestCase):
    def test_opens_with_vietnamese_percent_and_thousands(self) -> None:
        sheets = libreoffice_csv(writers.render("briefing", BRIEFING_LIKE, "xlsx"))
        self.assertEqual(set(sheets), {"Biểu 2 - GN theo CT", "Biểu 4 - Xã trắng ĐTT, sóng DĐ"})
        rows = sheets["Biểu 2 - GN theo CT"]
        self.assertEqual(rows[0][0], "Biểu 2. Giải ngân theo chương trình")
        self.assertEqual(rows[2][1:], ["3.873.000", "2.823.843", "72,91%"])
