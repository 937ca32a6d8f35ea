from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.ntm import demo
from mtqg.ntm.models import Assessment, CriteriaSet, CriterionResult
from mtqg.testing import make_world


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
        with self.assertNumQueries(11):
            response = self.client.get(url, params)
        self.assertEqual(len(response.context["rows"]), 115)
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
        from mtqg.ntm.figures import home_figures

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
        from mtqg.ntm.reports import summary
        from mtqg.reports.params import parse_params

        data = summary(None, parse_params({"unit": "11", "as_of": "2025-12-31"}))
        self.assertEqual(data["recognised"], 0)
        self.assertEqual(data["boundary"]["structure"], "2025")
        self.assertGreater(
            data["merged_communes"]["all_predecessors_recognised"]
            + data["merged_communes"]["some_predecessors_recognised"],
            0,
        )
