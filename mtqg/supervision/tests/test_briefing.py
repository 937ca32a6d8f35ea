"""The briefing reproduces the articles' figures from demo records (Điện Biên 2020, Cao Bằng 2023), in JSON, DOCX
(re-read with python-docx: NĐ 30/2020 layout) and PDF (pdftotext); a period without data is refused."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
from django.core.exceptions import ValidationError
from django.test import TestCase
from openpyxl import load_workbook

from mtqg.core.models import Job
from mtqg.finance import demo as finance_demo
from mtqg.ntm import demo as ntm_demo
from mtqg.reports import writers
from mtqg.reports.params import parse_params
from mtqg.reports.tests.test_writers import docx_text, pdf_text
from mtqg.supervision import demo, services
from mtqg.supervision.briefing import briefing, when
from mtqg.supervision.models import Mission, Snapshot
from mtqg.testing import make_world

# one statement as of the report's date (30/11/2020): the year-end figures (decisions of December) are not the
# report's, and the recognised count is said once
DB_NOV = "Hết tháng 11/2020, toàn tỉnh có 33/115 xã đạt chuẩn và cơ bản đạt chuẩn NTM; trong đó có 19 xã đạt chuẩn NTM (đạt 16,52%) và 14 xã cơ bản đạt chuẩn NTM"
DB_BANDS = "14 xã đạt từ 15 - 18 tiêu chí, 39 xã đạt từ 10 - 14 tiêu chí, 30 xã đạt từ 5 - 9 tiêu chí, 13 xã đạt từ 0 - 4 tiêu chí; số tiêu chí đạt bình quân 11,6 tiêu chí/xã."
CB_MONEY = "Hết tháng 1/2024, toàn tỉnh giải ngân nguồn vốn ngân sách Trung ương năm 2023 thực hiện các Chương trình mục tiêu quốc gia (bao gồm vốn chuyển nguồn từ năm 2022 sang) đạt 69,06%; nguồn vốn đối ứng ngân sách địa phương giải ngân đạt 85,35%."


def paragraphs(data: dict[str, Any]) -> str:
    return "\n".join(b["text"] for b in data["blocks"] if b["type"] in ("paragraph", "heading"))


class ReportScreensMixin:
    """Run a report from the UI, download it (straight away or through a background job), sign it off, compare.
    Mixed into BriefingTests so the demo data is seeded once."""

    world: Any
    client: Any

    def setUp(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)

    QUERY = "slug=briefing&unit=11&year=2020&as_of=2020-11-30"

    def test_preview_shows_sentences_charts_and_buttons(self) -> None:
        response = self.client.get(f"/supervision/reports/?{self.QUERY}")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, DB_NOV)
        self.assertContains(response, "<svg")
        self.assertContains(response, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        self.assertContains(response, "công việc nền")  # briefing files go through a background job
        self.assertNotContains(response, "<script>")

    def test_bad_parameters_and_scope(self) -> None:
        response = self.client.get("/supervision/reports/?slug=ntm-summary&unit=11&year=abc")
        self.assertContains(response, "Năm không hợp lệ.", status_code=400)
        self.client.force_login(self.world.central)
        response = self.client.get("/supervision/reports/?slug=briefing&unit=12&year=2019")
        self.assertContains(response, "Không có số liệu", status_code=400)
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get(f"/supervision/reports/?{self.QUERY}")
        self.assertContains(response, "ngoài phạm vi", status_code=400)
        self.assertNotContains(response, "33/115", status_code=400)

    def test_small_file_downloads_at_once(self) -> None:
        response = self.client.get(
            "/supervision/reports/download/?slug=ntm-summary&unit=11&year=2020&format=xlsx"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
        self.assertIn("ntm-summary-11-2020.xlsx", response["Content-Disposition"])

    def test_large_file_through_background_job(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/supervision/reports/download/",
                {"slug": "briefing", "unit": "11", "year": "2020", "as_of": "2020-11-30", "format": "docx"},
            )
        job = Job.objects.get()
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED, job.error)
        file_response = self.client.get(job.result["url"])
        self.assertEqual(file_response.status_code, 200)
        self.assertIn(
            DB_NOV,
            docx_text(
                b"".join(file_response.streaming_content)
                if file_response.streaming
                else file_response.content
            ),
        )
        # the file is its requester's only
        self.client.force_login(self.world.central)
        self.assertEqual(self.client.get(job.result["url"]).status_code, 404)

    def test_sign_off_freezes_figures_and_compare(self) -> None:
        data = {"slug": "briefing", "unit": "11", "year": "2020", "as_of": "2020-11-30", "format": "docx"}
        mine = Snapshot.objects.filter(author=self.world.dien_bien_officer)
        first = self.client.post("/supervision/reports/sign/", data)
        a = mine.get()
        self.assertRedirects(first, f"/supervision/snapshots/{a.pk}/", fetch_redirect_response=False)
        page = self.client.get(f"/supervision/snapshots/{a.pk}/")
        self.assertContains(page, "Toàn vẹn")
        self.assertContains(page, DB_NOV)
        download = self.client.get(f"/supervision/snapshots/{a.pk}/?download=1")
        self.assertEqual(download.content, bytes(a.rendered))
        # a later data edit: one more recommendation from the 2020 mission
        mission = Mission.objects.get(start_date=date(2020, 11, 4))
        services.recommendation_create(
            actor=self.world.dien_bien_officer,
            mission=mission,
            from_party="province",
            to_party="government",
            theme="nguon-von",
            content="Kiến nghị bổ sung",
        )
        a.refresh_from_db()
        self.assertEqual(a.figures["figures"]["supervision.recommendations"], 10)
        self.assertEqual(a.compute_hash(), a.sha256)
        self.client.post("/supervision/reports/sign/", data)
        b = mine.exclude(pk=a.pk).get()
        self.assertEqual(b.figures["figures"]["supervision.recommendations"], 11)
        compare = self.client.get(f"/supervision/snapshots/compare/?a={a.pk}&b={b.pk}")
        self.assertContains(compare, "supervision.recommendations")
        self.assertContains(compare, "1/")
        listing = self.client.get("/supervision/snapshots/")
        self.assertContains(listing, a.sha256[:16])
        # out of scope: not visible, not signable
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(f"/supervision/snapshots/{a.pk}/").status_code, 404)
        self.client.post("/supervision/reports/sign/", data)
        self.assertEqual(Snapshot.objects.filter(author=self.world.cao_bang_officer).count(), 0)


class BriefingTests(ReportScreensMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        ntm_demo.seed_dien_bien()
        ntm_demo.seed_cao_bang()
        finance_demo.seed()
        demo.seed()
        cls.db = briefing(None, parse_params({"unit": "11", "year": "2020", "as_of": "2020-11-30"}))
        cls.cb = briefing(
            None,
            parse_params({"unit": "04", "year": "2023", "as_of": "2024-01-31", "include_carry_over": "1"}),
        )

    def test_dien_bien_2020_sentences(self) -> None:
        text = paragraphs(self.db)
        self.assertIn(DB_NOV, text)
        self.assertNotIn("Đến hết năm 2020", text)
        self.assertIn(DB_BANDS, text)
        self.assertIn("8/29 xã được công nhận đạt chuẩn và cơ bản đạt chuẩn NTM", text)
        self.assertIn("5 huyện nghèo theo Nghị quyết 30a/NQ-CP", text)
        self.assertIn("2 huyện hưởng 70% chính sách", text)
        # no finance records for 2020 in the demo: said, never invented
        self.assertIn("Giải ngân vốn năm 2020 thực hiện các Chương trình MTQG: chưa có số liệu.", text)
        self.assertIsNone(self.db["figures"]["disbursement.central.rate"])
        self.assertEqual(self.db["figures"]["ntm.recognised"], 19)
        # the mission of 4/11/2020: difficulties raised by the province and recommendations both ways
        self.assertIn("rất khó thực hiện", text)
        self.assertIn("tránh đầu tư dàn trải", text)
        self.assertIn("UBND tỉnh Điện Biên → Chính phủ", text)

    def test_cao_bang_2023_sentences(self) -> None:
        text = paragraphs(self.cb)
        self.assertIn(CB_MONEY, text)
        self.assertIn("17/139 xã đạt chuẩn NTM", text)
        self.assertIn("số tiêu chí đạt bình quân 13 tiêu chí/xã", text)
        # QĐ 318 thresholds read from secondary sources are unconfirmed: the figures are marked "tạm tính"
        provisional = self.cb["figures"]["ntm.provisional_assessments"]
        self.assertGreater(provisional, 0)
        self.assertIn(
            f"Số liệu tạm tính: {provisional}/139 xã được đánh giá theo ngưỡng tiêu chí chưa xác minh.", text
        )
        self.assertIn("công trình hạ tầng được đầu tư: 177 công trình", text)
        self.assertIn("nhà ở được hỗ trợ cho hộ nghèo, cận nghèo trên địa bàn huyện nghèo: 3.412 nhà", text)
        self.assertIn("hộ được hỗ trợ nước sinh hoạt phân tán: 2.427/6.269 hộ", text)
        self.assertIn("186/550 nhà", text)
        self.assertIn("62/86 công trình", text)
        self.assertIn("Số hộ nghèo, hộ cận nghèo năm 2023: chưa có số liệu.", text)
        charts = [b["title"] for b in self.cb["blocks"] if b["type"] == "chart"]
        self.assertEqual(len(charts), 3)
        annex = [b["title"] for b in self.cb["blocks"] if b.get("annex")]
        self.assertTrue(any("nguồn vốn" in t for t in annex))

    def test_docx_layout_and_text(self) -> None:
        data = writers.render("briefing", self.cb, "docx")
        document = docx.Document(io.BytesIO(data))
        section = document.sections[0]
        self.assertAlmostEqual(section.page_width.mm, 210, delta=0.5)
        self.assertAlmostEqual(section.top_margin.mm, 20, delta=0.5)
        self.assertAlmostEqual(section.left_margin.mm, 30, delta=0.5)
        self.assertAlmostEqual(section.right_margin.mm, 15, delta=0.5)
        self.assertEqual(document.styles["Normal"].font.name, "Times New Roman")
        self.assertIn(document.styles["Normal"].font.size.pt, (13, 14))
        text = docx_text(data)
        for line in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "ỦY BAN NHÂN DÂN",
            "TỈNH CAO BẰNG",
            "/BC-UBND",
            "Tình hình thực hiện các Chương trình mục tiêu quốc gia",
            CB_MONEY,
            "PHỤ LỤC",
            "Nơi nhận:",
        ):
            self.assertIn(line, text)
        self.assertEqual(len(document.inline_shapes), 3)  # the three charts as PNG

    def test_pdf_text(self) -> None:
        text = pdf_text(writers.render("briefing", self.db, "pdf"))
        self.assertIn(DB_NOV, text)
        self.assertIn(DB_BANDS, text)
        self.assertIn("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text)
        self.assertIn("Điện Biên, ngày", text)

    def test_xlsx_annex(self) -> None:
        wb = load_workbook(io.BytesIO(writers.render("briefing", self.cb, "xlsx")))
        self.assertGreaterEqual(len(wb.sheetnames), 5)
        values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        self.assertIn(6269, values)

    def test_demo_signs_off_both_briefings(self) -> None:
        signed = {s.unit.code: s for s in Snapshot.objects.filter(report="briefing", params__demo="1")}
        self.assertEqual(set(signed), {"11", "04"})
        self.assertEqual(signed["11"].figures["figures"]["ntm.recognised"], 19)
        self.assertEqual(signed["11"].figures["figures"]["ntm.basically_met"], 14)
        self.assertEqual(signed["04"].figures["figures"]["disbursement.central.rate"], 69.06)
        self.assertEqual(signed["04"].figures["figures"]["outputs.DTTS.NUOC_PT.target"], 6269)
        self.assertIn(CB_MONEY, docx_text(bytes(signed["04"].rendered)))
        self.assertEqual(signed["04"].compute_hash(), signed["04"].sha256)
        self.assertEqual(demo.seed_briefings(), 0)  # idempotent

    def test_period_without_data_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Không có số liệu"):
            briefing(None, parse_params({"unit": "12", "year": "2019"}))

    def test_scope_applies_to_every_section(self) -> None:
        params = parse_params({"unit": "11", "year": "2020", "as_of": "2020-11-30"})
        self.assertIn("tránh đầu tư dàn trải", paragraphs(briefing(self.world.dien_bien_officer, params)))
        # a Cao Bằng officer sees none of Điện Biên's records: nothing to report, nothing leaks
        with self.assertRaisesMessage(ValidationError, "Không có số liệu"):
            briefing(self.world.cao_bang_officer, params)

    def test_api(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/reports/briefing/?unit=11&year=2020&as_of=2020-11-30")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["figures"]["ntm.basically_met"], 14)
        self.client.force_login(self.world.central)
        response = self.client.get("/api/v1/reports/briefing/?unit=12&year=2019")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Không có số liệu", str(response.json()["error"]))
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get("/api/v1/reports/briefing/?unit=11&year=2020")
        self.assertEqual(response.status_code, 404)

    def test_when(self) -> None:
        self.assertEqual(when(date(2020, 11, 30)), "Hết tháng 11/2020")
        self.assertEqual(when(date(2020, 12, 31)), "Đến hết năm 2020")
        self.assertEqual(when(date(2020, 11, 4)), "Đến ngày 04/11/2020")
