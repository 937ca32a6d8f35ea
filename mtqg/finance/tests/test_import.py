from __future__ import annotations

import io
from datetime import date

from django.test import TestCase
from openpyxl import Workbook

from mtqg.finance.importer import disbursements_import, read_rows
from mtqg.finance.models import Disbursement
from mtqg.testing import make_world

from .factories import commune_of, ensure_programs, make_allocation, make_work


def xlsx(rows: list[list[object]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã công trình", "Năm", "Nguồn vốn", "Chuyển nguồn", "Ngày giải ngân", "Số tiền", "Chứng từ"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


class ImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        ensure_programs()
        cls.work = make_work(commune_of(cls.world.cao_bang_old))
        make_allocation(cls.work, 100_000_000)

    def test_dry_run_then_import(self) -> None:
        rows = read_rows(
            xlsx(
                [
                    [self.work.code, 2023, "NSTW đầu tư phát triển", "", "15/05/2023", 30_000_000, "UNC 1"],
                    [self.work.code, 2023, "nstw_dtpt", "", date(2023, 6, 1), 20_000_000, "UNC 2"],
                ]
            )
        )
        dry = disbursements_import(actor=self.world.cao_bang_officer, rows=rows, dry_run=True)
        self.assertEqual((dry.written, dry.errors), (2, []))
        self.assertFalse(Disbursement.objects.exists())
        done = disbursements_import(actor=self.world.cao_bang_officer, rows=rows)
        self.assertEqual(done.written, 2)
        self.assertEqual(Disbursement.objects.count(), 2)

    def test_any_bad_row_writes_nothing(self) -> None:
        rows = read_rows(
            xlsx(
                [
                    [self.work.code, 2023, "nstw_dtpt", "", "15/05/2023", 30_000_000, "ok"],
                    ["KHONG-CO", 2023, "nstw_dtpt", "", "15/05/2023", 1, ""],
                    [self.work.code, 2023, "nstw_dtpt", "", "15/05/2023", 90_000_000, "vượt"],
                    [self.work.code, 2023, "nstw_dtpt", "", "15/05/2026", 1, "ngày"],
                ]
            )
        )
        result = disbursements_import(actor=self.world.cao_bang_officer, rows=rows)
        self.assertEqual(result.written, 0)
        self.assertEqual(len(result.errors), 3)
        self.assertIn("Dòng 3", result.errors[0])
        self.assertIn("Vượt vốn", result.errors[1])
        self.assertIn("ngoài thời hạn", result.errors[2])
        self.assertFalse(Disbursement.objects.exists())
