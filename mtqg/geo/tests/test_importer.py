"""Classification CSV import: dry-run, every bad row reported, all-or-nothing."""

from __future__ import annotations

import tempfile

from django.test import TestCase

from mtqg.geo import importer
from mtqg.geo.models import UnitClassification

GOOD = (
    "scheme,unit_code,value,valid_from,valid_to,legal_basis,unconfirmed\n"
    "em_region,03325,III,01/07/2025,,QĐ 60/QĐ-BDTTG,x\n"
    "border_commune,03325,yes,2025-07-01,,QĐ thử,\n"
)


class ImporterTest(TestCase):
    def test_dry_run_then_commit_is_idempotent(self) -> None:
        before = UnitClassification.objects.count()
        report = importer.parse(("\ufeff" + GOOD).encode("utf-8"))
        self.assertTrue(report.ok, report.errors)
        self.assertEqual(UnitClassification.objects.count(), before, "dry run writes nothing")
        self.assertEqual(importer.commit(report), 2)
        self.assertEqual(importer.commit(importer.parse(GOOD.encode())), 2)
        self.assertEqual(UnitClassification.objects.count(), before + 2)
        entry = UnitClassification.objects.get(scheme__code="em_region", unit__code="03325")
        self.assertTrue(entry.unconfirmed)
        self.assertEqual(entry.unit.structure, "2025")

    def test_every_bad_row_is_reported_and_nothing_written(self) -> None:
        bad = GOOD + (
            "em_region,99999,III,01/07/2025,,,\n"
            "em_region,03325,IV,01/07/2025,,,\n"
            "nope,03325,1,01/07/2025,,,\n"
            "em_region,03325,I,31/12/2025,01/07/2025,,\n"
            "em_region,03325,I,32/13/2025,,,\n"
        )
        before = UnitClassification.objects.count()
        report = importer.parse(bad.encode())
        self.assertEqual([line for line, _ in report.errors], [4, 5, 6, 7, 8])
        self.assertIn("Không có đơn vị hành chính mã 99999", report.errors[0][1])
        self.assertIn("không thuộc danh mục", report.errors[1][1])
        with self.assertRaises(ValueError):
            importer.commit(report)
        self.assertEqual(UnitClassification.objects.count(), before)

    def test_wrong_headers_encoding_and_empty_file(self) -> None:
        self.assertIn("Thiếu cột", importer.parse(b"a,b\n1,2\n").errors[0][1])
        self.assertIn("UTF-8", importer.parse("scheme\n\xe9".encode("latin-1")).errors[0][1])
        self.assertIn("không có dòng", importer.parse(b"scheme,unit_code,value,valid_from\n").errors[0][1])


class MillionRowTests(TestCase):
    def test_a_million_rows_stop_at_the_limit_streaming_and_write_nothing(self) -> None:
        before = UnitClassification.objects.count()
        with tempfile.TemporaryFile() as fh:
            fh.write(b"scheme,unit_code,value,valid_from\n")
            chunk = b"".join(b"nope,%05d,x,01/01/2020\n" % (i % 99999) for i in range(10_000))
            for _ in range(100):  # 1.000.000 data rows, written in chunks, never held whole
                fh.write(chunk)
            fh.seek(0)
            report = importer.parse(fh)
        self.assertFalse(report.ok)
        self.assertEqual(report.rows, importer.MAX_ROWS + 1)
        self.assertIn("quá nhiều dòng", report.errors[-1][1])
        self.assertEqual(len(report.errors), importer.MAX_ERRORS + 1)  # kept errors capped, plus the limit
        self.assertEqual(report.error_count, importer.MAX_ROWS)
        self.assertEqual(UnitClassification.objects.count(), before)
