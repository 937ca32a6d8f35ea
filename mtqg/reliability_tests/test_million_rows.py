"""Hostile "1 million rows" files against every XLSX importer in entry apps (decision 0902).

Each importer stops at its documented row limit while streaming (finance 10.000, OCOP 5.000, NTM 2.000, workflow
1.000 rows per sheet): a generated 1.000.000-row workbook — written to a temporary file as a stream, ~1 MB on disk,
~100 MB of sheet XML — is refused with a Vietnamese message naming the limit, in well under a second of import
time and a few MB of memory, and nothing is written. The same for a two-row workbook whose second row is numbered
1.000.000 (openpyxl would invent the 999.998 empty rows in between). Through the commands and the web pages too.
"""

from __future__ import annotations

import io
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase

from mtqg.finance.importer import read_rows
from mtqg.finance.tests.factories import ensure_programs
from mtqg.ntm.excel import import_xlsx, set_for
from mtqg.ntm.tests.factories import load_all
from mtqg.ocop.importer import HEADER, import_products
from mtqg.testing import World, make_world
from mtqg.workflow import excel as workflow_excel
from mtqg.workflow.models import Report
from mtqg.workflow.tests.factories import guard_sample

from .bigfiles import MILLION, write_xlsx_rows, write_xlsx_sparse
from .test_hostile_files import _counts

SECONDS = (
    5.0  # CPU time allowed for refusing a million-row file (measured: well under 1 s; reading it all takes
)
# minutes). CPU time of this process, not wall-clock, so a busy machine does not fail the test.
PEAK_BYTES = 32 * 1024 * 1024  # traced memory allowed while refusing it (the sheet XML is ~100 MB)
FIGURES: dict[str, str] = {}


class MillionRowsTest(TestCase):
    world: World
    tmp: tempfile.TemporaryDirectory[str]
    files: dict[str, Path]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.files = {}

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()
        print(f"\nmillion-row files: {FIGURES}")
        super().tearDownClass()

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        ensure_programs()
        guard_sample(cls.world)
        cls.report = Report.objects.get(unit=cls.world.muong_phang)

    def _file(self, name: str, head: list[list[object]], row: list[object]) -> Path:
        """The million-row workbook, written streaming once per test class; the write time is recorded."""
        if name not in self.files:
            started = time.perf_counter()
            path = write_xlsx_rows(Path(self.tmp.name) / f"{name}.xlsx", head, row, MILLION)
            FIGURES[f"{name}: write"] = f"{time.perf_counter() - started:.1f}s, {path.stat().st_size:,} B"
            self.files[name] = path
        return self.files[name]

    def _refused(self, label: str, call: Callable[[], Any], limit: str) -> str:
        """Run the import; it must fail with a message naming `limit`, fast, in little memory, writing nothing.
        Returns the message."""
        before = _counts()
        tracemalloc.start()
        started = time.process_time()
        try:
            message = call()
        finally:
            elapsed = time.process_time() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        after = _counts()
        after.pop("sessions.Session", None)
        before.pop("sessions.Session", None)
        self.assertEqual(before, after, f"{label} wrote rows")
        self.assertIn(limit, message, label)
        self.assertLess(elapsed, SECONDS, label)
        self.assertLess(peak, PEAK_BYTES, label)
        FIGURES[label] = f"{elapsed:.2f}s, peak {peak / 2**20:.1f} MiB"
        return message

    # -- finance: import_disbursements -------------------------------------------------------------------------
    def test_finance_statement_stops_at_its_limit(self) -> None:
        path = self._file(
            "finance",
            [["Mã công trình", "Năm", "Nguồn vốn", "Chuyển nguồn", "Ngày giải ngân", "Số tiền", "Chứng từ"]],
            ["CT-KHONG-CO", 2023, "nstw_dtpt", "", "15/05/2023", 1000, "UNC"],
        )

        def run() -> str:
            with self.assertRaises(CommandError) as ctx:
                call_command("import_disbursements", str(path), stdout=io.StringIO())
            return str(ctx.exception)

        message = self._refused("finance command", run, "10.000")
        self.assertIn("không dòng nào được ghi", message)

    # -- OCOP: import_ocop_products and /ocop/import/ -----------------------------------------------------------
    def test_ocop_products_stop_at_their_limit(self) -> None:
        path = self._file(
            "ocop",
            [list(HEADER)],
            [
                "HTX Chè",
                "Hợp tác xã",
                "03325",
                "Chè",
                "1.5",
                2024,
                30,
                20,
                10,
                "province",
                "1/QĐ",
                "01/06/2024",
            ],
        )

        def command() -> str:
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command("import_ocop_products", str(path), stdout=io.StringIO(), stderr=err)
            return err.getvalue()

        self._refused("ocop command", command, "5.000")
        self.client.force_login(self.world.dien_bien_officer)
        self.client.get("/ocop/import/")  # warm the page (not timed)

        def web() -> str:
            with open(path, "rb") as fh:
                response = self.client.post(
                    "/ocop/import/", {"file": SimpleUploadedFile("sp.xlsx", fh.read())}
                )
            self.assertEqual(response.status_code, 200)
            return response.content.decode()

        self._refused("ocop web", web, "5.000")

    # -- NTM: the province workbook (/ntm/import/) --------------------------------------------------------------
    def test_ntm_workbook_stops_at_its_limit(self) -> None:
        w = self.world
        cset = set_for(w.dien_bien_old, 2024)
        assert cset is not None
        path = self._file(
            "ntm",
            [["ma_xa", "ten_xa", "vung", "1.1"], ["", "", "", ""], ["", "", "", ""]],
            [
                "03325",
                "Mường Phăng",
                "",
                "Đạt",
            ],
        )

        def direct() -> str:
            with self.assertRaises(ValidationError) as ctx:
                import_xlsx(
                    actor=w.dien_bien_officer,
                    province=w.dien_bien_old,
                    year=2024,
                    cset=cset,
                    content=path.read_bytes(),
                    dry_run=False,
                )
            return " ".join(ctx.exception.messages)

        self._refused("ntm import", direct, "2.000")
        self.client.force_login(w.dien_bien_officer)
        self.client.get("/ntm/import/", {"unit": str(w.dien_bien_old.pk), "year": "2024"})  # warm (not timed)

        def web() -> str:
            with open(path, "rb") as fh:
                response = self.client.post(
                    "/ntm/import/",
                    {
                        "unit": str(w.dien_bien_old.pk),
                        "year": "2024",
                        "commit": "1",
                        "file": SimpleUploadedFile("ntm.xlsx", fh.read()),
                    },
                )
            self.assertEqual(response.status_code, 200)
            return response.content.decode()

        self._refused("ntm web", web, "2.000")

    # -- workflow: a report's workbook (/workflow/reports/<id>/import/) -----------------------------------------
    def test_workflow_report_workbook_stops_at_its_limit(self) -> None:
        report = self.report
        path = self._file(
            "workflow",
            [[report.pk, report.version], ["x"], ["Mã chỉ tiêu", "Chỉ tiêu", "Giá trị", "Ghi chú"]],
            ["so_ho", "Số hộ", 100, ""],
        )
        self.client.force_login(self.world.dien_bien_officer)
        self.client.get(f"/workflow/reports/{report.pk}/")  # warm the page (not timed)

        def web() -> str:
            with open(path, "rb") as fh:
                response = self.client.post(
                    f"/workflow/reports/{report.pk}/import/",
                    {"file": SimpleUploadedFile("bc.xlsx", fh.read())},
                )
            self.assertEqual(response.status_code, 400)
            return response.content.decode()

        self._refused("workflow web", web, "1.000")

    # -- rows numbered with a gap: 2 rows on disk, a million for openpyxl ---------------------------------------
    def test_a_gap_in_row_numbers_is_not_a_million_empty_rows(self) -> None:
        path = write_xlsx_sparse(Path(self.tmp.name) / "gap.xlsx", ["a", "b"], ["x", 1])
        content = path.read_bytes()

        def finance() -> str:
            with self.assertRaises(ValidationError) as ctx, open(path, "rb") as fh:
                read_rows(fh)
            return " ".join(ctx.exception.messages)

        self._refused("gap finance", finance, "10.000")
        self._refused(
            "gap ocop", lambda: " ".join(import_products(actor=None, content=content).errors), "5.000"
        )
        self._refused(
            "gap workflow",
            lambda: " ".join(
                e["message"]
                for e in workflow_excel.import_xlsx(
                    actor=None, report=self.report, data=content, dry_run=False
                ).errors
            ),
            "1.000",
        )

    # -- the guard cannot be dodged by moving the sheet, nor flooded by a bomb beside it -------------------------
    def test_a_sheet_elsewhere_in_the_zip_and_a_bomb_beside_the_sheets(self) -> None:
        """openpyxl reads a sheet wherever the workbook's relationships point (here `xl/data/rows.bin`), so every
        member is counted; members unpacking to more than 256 MB in all are refused before openpyxl runs."""

        tmp = Path(self.tmp.name)
        hidden = write_xlsx_rows(tmp / "hidden.xlsx", [["a", "b"]], ["x", 1], sheet_path="xl/data/rows.bin")
        bomb = write_xlsx_rows(tmp / "bomb.xlsx", [["a", "b"]], ["x", 1], n=10, padding=300 * 2**20)
        self.assertLess(bomb.stat().st_size, 2 * 2**20)  # 300 MB of padding in under 2 MB

        def finance(path: Path) -> Callable[[], str]:
            def run() -> str:
                with self.assertRaises(ValidationError) as ctx, open(path, "rb") as fh:
                    read_rows(fh)
                return " ".join(ctx.exception.messages)

            return run

        self._refused("hidden sheet", finance(hidden), "10.000")
        message = self._refused("bomb beside the sheets", finance(bomb), "256 MB")
        self.assertIn("giải nén", message)
