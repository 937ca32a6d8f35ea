from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.core.models import ChangeRecord
from mtqg.ntm.excel import import_xlsx, set_for, template_xlsx
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import Assessment, CriterionResult, IndicatorValue
from mtqg.testing import make_world


def fill(content: bytes, edits: dict[tuple[int, str], object]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    cols = {str(c.value): c.column for c in ws[1]}
    for (row, code), value in edits.items():
        ws.cell(row=row, column=cols[code], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class ExcelRoundTripTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.province = cls.world.cao_bang_old
        cls.cset = set_for(cls.province, 2023)

    def _import(self, content: bytes, *, dry_run: bool, by_system: bool = False) -> Any:
        """The 2023 criteria sheet of Cao Bằng imported by its provincial officer (or by a system job)."""
        return import_xlsx(
            actor=None if by_system else self.world.cao_bang_officer,
            province=self.province,
            year=2023,
            cset=self.cset,
            content=content,
            dry_run=dry_run,
        )

    def test_template_shows_communes_regions_and_thresholds(self) -> None:
        self.assertEqual(self.cset.code, "qd318-1")
        wb = load_workbook(io.BytesIO(template_xlsx(self.province, 2023, self.cset)))
        ws = wb.worksheets[0]
        self.assertEqual([c.value for c in ws[1]][:5], ["ma_xa", "ten_xa", "vung", "1.1", "1.2"])
        self.assertEqual(ws.max_row - 3, 139)
        self.assertEqual(ws.cell(row=4, column=3).value, "tdmnpb")
        self.assertIn(
            ["2.1", "tdmnpb", None, "≥ 100", None, None],
            [[c.value for c in r] for r in wb["Nguong"].iter_rows(min_row=2)],
        )

    def test_dry_run_errors_then_atomic_commit(self) -> None:
        base = template_xlsx(self.province, 2023, self.cset)
        bad = fill(base, {(4, "2.1"): "nhiều", (5, "2.2"): 130, (6, "13.1"): "KAD", (7, "ma_xa"): "99999"})
        result = self._import(bad, dry_run=False)
        self.assertEqual(len(result.errors), 4)
        self.assertEqual(
            {(e["row"], e["code"]) for e in result.errors},
            {(4, "2.1"), (5, "2.2"), (6, "13.1"), (7, "99999")},
        )
        self.assertFalse(result.committed)
        self.assertEqual(Assessment.objects.count(), 0)
        good = fill(base, {(4, "2.1"): "92", (4, "13.4"): "KAD", (5, "10"): "41,5"})
        dry = self._import(good, dry_run=True)
        self.assertEqual((dry.errors, dry.committed), ([], False))
        self.assertEqual(Assessment.objects.count(), 0)
        done = self._import(good, dry_run=False)
        self.assertTrue(done.committed)
        self.assertEqual((done.created, done.values), (2, 3))
        result = CriterionResult.objects.get(
            assessment__commune__code=load_workbook(io.BytesIO(good))
            .worksheets[0]
            .cell(row=4, column=1)
            .value,
            criterion__number=2,
        )
        self.assertIn("2.1: 92% < 100% yêu cầu vùng TDMNPB", result.explanation)
        self.assertTrue(ChangeRecord.objects.filter(action="imported", unit_path=self.province.path).exists())
        # re-import replaces values, no duplicates
        self._import(good, dry_run=False, by_system=True)
        self.assertEqual(IndicatorValue.objects.count(), 3)

    def test_views_and_scope(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get(reverse("ntm:template"), {"unit": self.province.pk, "year": 2023})
        self.assertEqual(response.status_code, 200)
        upload = SimpleUploadedFile("a.xlsx", fill(response.content, {(4, "2.1"): "abc"}))
        response = self.client.post(
            reverse("ntm:import"), {"unit": self.province.pk, "year": 2023, "file": upload, "commit": "1"}
        )
        self.assertContains(response, "chưa ghi gì vào hệ thống")
        self.assertContains(response, "cần một số")
        response = self.client.post(
            reverse("ntm:import"),
            {"unit": self.province.pk, "year": 2023, "file": SimpleUploadedFile("x.xlsx", b"not excel")},
        )
        self.assertContains(response, "không phải bảng tính Excel")
        self.client.force_login(self.world.dien_bien_officer)
        self.assertEqual(
            self.client.get(reverse("ntm:template"), {"unit": self.province.pk}).status_code, 404
        )
