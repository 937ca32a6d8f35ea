from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.core.models import ChangeRecord
from mtqg.geo.models import UnitVersion
from mtqg.notifications.models import Notification
from mtqg.ntm import demo, services
from mtqg.ntm.figures import home_figures
from mtqg.ntm.models import Assessment, CriteriaSet, CriterionResult, IndicatorValue, Recognition
from mtqg.ntm.reports import summary
from mtqg.ntm.selectors import predecessor_recognition
from mtqg.reports.params import parse_params
from mtqg.testing import make_world

from .factories import all_pass_1980, assessed


class ScreensTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed_dien_bien()
        cls.world = make_world()
        cls.a = Assessment.objects.filter(year=2020, criteria_met=19).order_by("commune__code").first()

    def test_picker_and_province_table_in_fixed_queries(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ntm:index"))
        self.assertContains(response, "Tỉnh Điện Biên")
        self.assertNotContains(response, "Tỉnh Cao Bằng")
        url = reverse("ntm:index")
        params = {"unit": self.world.dien_bien_old.pk, "as_of": "2020-12-31"}
        self.client.get(url, params)  # warm the session/user caches
        with self.assertNumQueries(9):  # 5 for the table + session, user, scope (one query, 0821), badge
            response = self.client.get(url, params)
        self.assertEqual(len(response.context["rows"]), 115)
        # fixed: the same count for one district of the province (fewer communes)
        district_id = self.a.commune.parent_id
        with self.assertNumQueries(9):
            district = self.client.get(url, {**params, "unit": district_id})
        self.assertLess(len(district.context["rows"]), 40)
        self.assertContains(response, "Đạt chuẩn NTM")
        response = self.client.get(url, {**params, "tier": "dat_chuan", "sort": "-met"})
        self.assertEqual(len(response.context["rows"]), 20)  # 21 recognised, 1 of them nâng cao
        response = self.client.get(url, {**params, "min": "15", "max": "18"})
        self.assertEqual(len(response.context["rows"]), 22)

    def test_xlsx_export(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(
            reverse("ntm:export"), {"unit": self.world.dien_bien_old.pk, "as_of": "2020-12-31"}
        )
        self.assertEqual(response.status_code, 200)
        ws = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(ws.max_row - 2 - 2, 115)  # title, header, rows, blank + note

    def test_scorecard_and_override(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        url = reverse("ntm:scorecard", args=[self.a.pk])
        response = self.client.get(url)
        self.assertContains(response, "Đạt 19/19 tiêu chí")
        self.assertContains(response, "yêu cầu vùng TDMNPB")
        criterion = self.a.criteria_set.criteria.get(number=10)
        response = self.client.post(
            reverse("ntm:override", args=[self.a.pk]),
            {"criterion": criterion.pk, "status": "chua_dat", "reason": ""},
            follow=True,
        )
        self.assertContains(response, "phải có lý do")
        self.client.post(
            reverse("ntm:override", args=[self.a.pk]),
            {"criterion": criterion.pk, "status": "chua_dat", "reason": "Số liệu thu nhập chưa thẩm định"},
        )
        self.assertEqual(
            CriterionResult.objects.get(assessment=self.a, criterion=criterion).status, "chua_dat"
        )
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_criteria_browser(self) -> None:
        self.client.force_login(self.world.central)
        response = self.client.get(reverse("ntm:criteria_sets"))
        self.assertContains(response, "Quyết định 1980/QĐ-TTg")
        cset = CriteriaSet.objects.get(code="qd318-1")
        response = self.client.get(reverse("ntm:criteria_set", args=[cset.pk]))
        self.assertContains(response, "chưa xác minh")
        self.assertContains(response, "Tỷ lệ dân số có sổ khám chữa bệnh điện tử")

    def test_home_figure(self) -> None:
        figures = home_figures(self.world.dien_bien_old, self.world.dien_bien_officer)
        self.assertEqual(figures[0]["label"], "Xã đạt chuẩn NTM")

    def test_2025_province_shows_predecessor_recognition_without_inheritance(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(
            reverse("ntm:index"), {"unit": self.world.dien_bien.pk, "as_of": "2025-12-31"}
        )
        rows = response.context["rows"]
        self.assertTrue(rows)
        self.assertTrue(all(r["tier"] == "" for r in rows))  # nothing inherited
        with_pred = [r for r in rows if r["pred"] and r["pred"][0] > 0]
        self.assertTrue(with_pred)
        self.assertContains(response, "xã trước sáp nhập đã đạt chuẩn")

        data = summary(None, parse_params({"unit": "11", "as_of": "2025-12-31"}))
        self.assertEqual(data["recognised"], 0)
        self.assertEqual(data["boundary"]["structure"], "2025")
        self.assertGreater(
            data["merged_communes"]["all_predecessors_recognised"]
            + data["merged_communes"]["some_predecessors_recognised"],
            0,
        )


PDF = b"%PDF-1.4\n%demo evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class FormsTest(TestCase):
    """Recognition entry/revocation, evidence upload (content-sniffed), register, merged-commune scorecard."""

    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed_dien_bien()
        cls.world = make_world()
        weak = Assessment.objects.filter(year=2020, criteria_met__lt=10).order_by("commune__code")
        cls.weak = weak[0]
        # a commune whose 2020 values now meet every criterion (the officer's corrected report)
        cls.fresh = services.indicator_values_set(actor=None, assessment=weak[1], values=all_pass_1980())

    def _upload(self, value: IndicatorValue, name: str, content: bytes, **extra: str) -> HttpResponse:
        return self.client.post(
            reverse("ntm:evidence_upload", args=[value.pk]),
            {"evidence": SimpleUploadedFile(name, content, content_type=extra.get("ct", "application/pdf"))},
            follow=True,
        )

    def test_evidence_upload_is_sniffed_size_limited_audited_and_scoped(self) -> None:
        value = IndicatorValue.objects.filter(assessment=self.weak).order_by("pk").first()
        self.client.force_login(self.world.dien_bien_officer)
        response = self._upload(value, "bien-ban.pdf", PDF)
        self.assertContains(response, "Đã lưu minh chứng")
        value.refresh_from_db()
        self.assertTrue(value.evidence.name.endswith(".pdf"))
        download = self.client.get(reverse("ntm:evidence", args=[value.pk]))
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(download.streaming_content), PDF)
        logged = ChangeRecord.objects.filter(object_id=str(self.weak.pk), action="updated")
        self.assertTrue(any(f"minh chứng {value.indicator.code}" in (c.changes or {}) for c in logged))
        before = value.evidence.name
        # an executable renamed to .pdf, a PNG named .pdf, a text file: refused with Vietnamese messages
        self.assertContains(self._upload(value, "x.pdf", b"MZ\x90\x00binary"), "Chỉ chấp nhận minh chứng PDF")
        self.assertContains(self._upload(value, "anh.pdf", PNG, ct="image/png"), "không khớp nội dung")
        self.assertContains(self._upload(value, "ghi-chu.txt", b"hello"), "Chỉ chấp nhận minh chứng PDF")
        with self.settings(EVIDENCE_MAX_BYTES=10):
            self.assertContains(self._upload(value, "to.pdf", PDF), "vượt quá")
        value.refresh_from_db()
        self.assertEqual(value.evidence.name, before)
        self.assertContains(self._upload(value, "anh.png", PNG, ct="image/png"), "Đã lưu minh chứng")
        value.refresh_from_db()
        self.assertTrue(value.evidence.name.endswith(".png"))
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(reverse("ntm:evidence", args=[value.pk])).status_code, 404)
        self.assertEqual(self._upload(value, "b.pdf", PDF).status_code, 404)
        self.client.force_login(self.world.supervisor)  # view-only: may read, not write
        self.assertEqual(self.client.get(reverse("ntm:evidence", args=[value.pk])).status_code, 200)
        self.assertContains(self._upload(value, "c.pdf", PDF), "không có quyền")

    def test_recognition_form_checks_the_computed_assessment_and_revocation(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        url = reverse("ntm:recognition_create", args=[self.weak.pk])
        response = self.client.post(
            url, {"tier": "dat_chuan", "decision_no": "9/QĐ-UBND", "decision_date": "2021-01-15"}, follow=True
        )
        self.assertContains(response, "chưa đủ điều kiện hạng này")
        self.assertFalse(Recognition.objects.filter(decision_no="9/QĐ-UBND").exists())
        page = self.client.get(reverse("ntm:scorecard", args=[self.fresh.pk]))
        self.assertContains(page, "Ghi quyết định công nhận")
        self.assertEqual(page.context["eligible"], "dat_chuan")
        url = reverse("ntm:recognition_create", args=[self.fresh.pk])
        bad = self.client.post(
            url, {"tier": "dat_chuan", "decision_no": "10/QĐ-UBND", "decision_date": ""}, follow=True
        )
        self.assertContains(bad, "Thiếu hoặc sai ngày quyết định")
        response = self.client.post(
            url,
            {
                "tier": "dat_chuan",
                "decision_no": "10/QĐ-UBND",
                "decision_date": "2021-01-15",
                "council_vote": "9/9",
                "satisfaction_pct": "96,5",
                "no_construction_debt": "1",
            },
            follow=True,
        )
        self.assertContains(response, "Đã ghi quyết định công nhận 10/QĐ-UBND")
        rec = Recognition.objects.get(decision_no="10/QĐ-UBND")
        self.assertEqual((rec.standard_year, rec.criteria_set_id), (2020, self.fresh.criteria_set_id))
        self.assertEqual(str(rec.satisfaction_pct), "96.50")
        revoke = reverse("ntm:recognition_revoke", args=[rec.pk])
        response = self.client.post(revoke, {"revoked_on": "2021-06-01", "reason": ""}, follow=True)
        self.assertContains(response, "Thu hồi phải có lý do")
        self.client.post(
            revoke, {"revoked_on": "2021-06-01", "decision_no": "55/QĐ-UBND", "reason": "Vi phạm"}
        )
        rec.refresh_from_db()
        self.assertEqual(str(rec.revoked_on), "2021-06-01")

        titles = list(
            Notification.objects.filter(recipient=self.world.dien_bien_officer, category="ntm.recognition")
            .order_by("pk")
            .values_list("title", flat=True)
        )
        self.assertEqual(len(titles), 2)
        self.assertTrue(titles[0].startswith("Công nhận Đạt chuẩn NTM"))
        self.assertTrue(titles[1].startswith("Thu hồi Đạt chuẩn NTM"))
        self.assertFalse(Notification.objects.filter(recipient=self.world.cao_bang_officer).exists())
        self.assertTrue(
            ChangeRecord.objects.filter(object_id=str(rec.pk), action="status", reason="Vi phạm").exists()
        )
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(
            self.client.post(revoke, {"revoked_on": "2021-07-01", "reason": "x"}).status_code, 404
        )

    def test_register_lists_scoped_recognitions_in_fixed_queries(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        url = reverse("ntm:recognitions")
        self.client.get(url)
        with self.assertNumQueries(5):  # the scope in one query (0821)
            response = self.client.get(url, {"tier": "co_ban_dat"})
        self.assertEqual(len(response.context["rows"]), 14)
        self.assertContains(response, "Cơ bản đạt chuẩn (cấp tỉnh)")
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(len(self.client.get(url).context["rows"]), 0)

    def test_new_commune_scorecard_shows_n_of_m_predecessors_recognised(self) -> None:
        new = UnitVersion.objects.filter(
            structure="2025",
            path__startswith=self.world.dien_bien.path,
            level=UnitVersion.Level.COMMUNE,
            kind=UnitVersion.Kind.COMMUNE,  # QĐ 51 applies to xã, not phường (decision record 0111)
        )
        pred = predecessor_recognition(new.values_list("pk", flat=True))
        commune_id, (n, m) = next((k, v) for k, v in sorted(pred.items()) if v[0] > 0)
        a = assessed(UnitVersion.objects.get(pk=commune_id), 2026, code="qd51-2025")
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ntm:scorecard", args=[a.pk]))
        self.assertContains(response, f"{n}/{m} xã trước sáp nhập đã đạt chuẩn")
        self.assertContains(response, "không kế thừa danh hiệu")
        self.assertContains(response, "Chưa có quyết định công nhận.")

    def test_criteria_browser_shows_amendment_and_group_thresholds(self) -> None:
        self.client.force_login(self.world.central)
        cset = CriteriaSet.objects.get(code="qd318-1-211")
        response = self.client.get(reverse("ntm:criteria_set", args=[cset.pk]))
        self.assertContains(response, "211/QĐ-TTg")
        self.assertContains(response, "Dẫn xuất/sửa đổi từ")
        response = self.client.get(
            reverse("ntm:criteria_set", args=[CriteriaSet.objects.get(code="qd51-2025").pk])
        )
        self.assertContains(response, "nhóm 3")
