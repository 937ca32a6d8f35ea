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
        cells = [
            c
            for ws in load_workbook(io.BytesIO(xlsx.content))
            for row in ws.iter_rows(values_only=True)
            for c in row
        ]
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
