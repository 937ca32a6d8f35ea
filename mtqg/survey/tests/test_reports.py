"""Part 4 reports: the review's result through the report writers (XLSX/DOCX) and the catalog."""

from __future__ import annotations

import io

from django.test import TestCase
from docx import Document
from openpyxl import load_workbook

from mtqg.reports.catalog import get_report
from mtqg.reports.params import ReportParams
from mtqg.survey.models import CampaignHousehold
from mtqg.survey.services import response_save
from mtqg.testing import make_world

from .factories import ANSWERS_POOR, make_campaign


def _cells(content: bytes) -> list[object]:
    """Every cell value of every sheet of a downloaded workbook."""
    return [
        c for ws in load_workbook(io.BytesIO(content)) for row in ws.iter_rows(values_only=True) for c in row
    ]


class ReviewReportTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.campaign = make_campaign(cls.world.muong_phang, villages=1, per_village=2, prefix="RP")
        item = CampaignHousehold.objects.filter(campaign=cls.campaign).order_by("household__code").first()
        assert item is not None
        near = {**ANSWERS_POOR, "b2_nguon_nuoc": False}
        response_save(actor=cls.world.commune_officer, item=item, answers=near, expected_version=0)

    def test_catalog_report_counts_and_lists(self) -> None:
        data = get_report("poverty-review-results")(
            None, ReportParams(unit=self.world.muong_phang, year=2025)
        )
        summary = {r["chi_tieu"]: r["so_ho"] for r in data["blocks"][1]["rows"]}
        self.assertEqual(
            (summary["Hộ cận nghèo"], summary["Chưa rà soát"], summary["Thoát nghèo"]), (1, 1, 1)
        )
        rows = data["blocks"][3]["rows"]
        self.assertEqual(rows[0]["ket_qua"], "Hộ cận nghèo")
        self.assertEqual(rows[0]["nam_truoc"], "Hộ nghèo")

    def test_no_campaign_says_no_data(self) -> None:
        data = get_report("poverty-review-results")(None, ReportParams(unit=self.world.cao_bang, year=2023))
        self.assertIn("Chưa có số liệu", data["blocks"][1]["text"])

    def test_xlsx_and_docx_downloads_are_scoped(self) -> None:
        self.client.force_login(self.world.commune_officer)
        xlsx = self.client.get(f"/ra-soat/{self.campaign.pk}/bao-cao/?format=xlsx")
        self.assertEqual(xlsx.status_code, 200)
        cells = _cells(xlsx.content)
        self.assertIn("RP-1-0", cells)
        self.assertIn("Hộ cận nghèo", cells)
        docx = self.client.get(f"/ra-soat/{self.campaign.pk}/bao-cao/?format=docx")
        self.assertEqual(docx.status_code, 200)

        text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
        self.assertIn("Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2025", text)
        self.assertEqual(self.client.get(f"/ra-soat/{self.campaign.pk}/bao-cao/?format=exe").status_code, 404)
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(
            self.client.get(f"/ra-soat/{self.campaign.pk}/bao-cao/?format=xlsx").status_code, 404
        )


class LayoutReportTest(TestCase):
    """Part 3: the two review tables in the system's own layouts (flagged as such, as data), through the catalog
    and the writers."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.campaign = make_campaign(cls.world.muong_phang, villages=2, per_village=2, prefix="LY")
        items = list(CampaignHousehold.objects.filter(campaign=cls.campaign).order_by("household__code"))
        near = {**ANSWERS_POOR, "b2_nguon_nuoc": False}
        for item, answers in zip(items[:3], (ANSWERS_POOR, near, ANSWERS_POOR), strict=True):
            response_save(actor=cls.world.commune_officer, item=item, answers=answers, expected_version=0)

    def test_by_village_counts_start_end_and_changes_with_a_total(self) -> None:
        data = get_report("poverty-review-by-village")(
            None, ReportParams(unit=self.world.muong_phang, year=2025)
        )
        self.assertIn("Mẫu của hệ thống", data["document"]["subtitle"])
        self.assertIn("chưa truy xuất được", data["document"]["subtitle"])
        self.assertFalse(data["layout"]["official"])
        rows = {r["thon"]: r for r in data["blocks"][0]["rows"]}
        first, second, total = rows["Bản Thử 1"], rows["Bản Thử 2"], rows["Cộng"]
        self.assertEqual((first["rasoat"], first["ngheo_dau_ky"], first["ngheo_cuoi_ky"]), (2, 2, 1))
        self.assertEqual((first["thoat_ngheo"], first["can_ngheo_cuoi_ky"]), (1, 1))
        self.assertEqual((first["tong_ho"], first["ty_le_ngheo"]), (2, 50.0))
        self.assertEqual((second["ngheo_cuoi_ky"], second["chua_rasoat"]), (1, 1))
        self.assertEqual((total["rasoat"], total["ngheo_cuoi_ky"], total["ngheo_dtts"]), (4, 2, 2))

    def test_deprivations_per_indicator_and_the_downloads(self) -> None:
        data = get_report("poverty-review-deprivations")(
            None, ReportParams(unit=self.world.muong_phang, year=2025)
        )
        rows = {r["chi_so"]: r for r in data["blocks"][1]["rows"]}
        self.assertEqual(len(rows), 12)
        self.assertEqual((rows["Bảo hiểm y tế"]["ngheo"], rows["Bảo hiểm y tế"]["ty_le_ngheo"]), (2, 100.0))
        self.assertEqual((rows["Nguồn nước sinh hoạt"]["can_ngheo"], rows["Việc làm"]["ngheo"]), (0, 0))
        self.client.force_login(self.world.commune_officer)
        url = f"/ra-soat/{self.campaign.pk}/bao-cao/"
        xlsx = self.client.get(url, {"report": "theo-thon", "format": "xlsx"})
        cells = _cells(xlsx.content)
        self.assertIn("Hộ nghèo cuối kỳ", cells)
        self.assertIn("Bản Thử 1", cells)
        docx = self.client.get(url, {"report": "thieu-hut", "format": "docx"})
        self.assertEqual(docx.status_code, 200)
        self.assertEqual(self.client.get(url, {"report": "khac"}).status_code, 404)
