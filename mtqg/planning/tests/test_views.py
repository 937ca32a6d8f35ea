"""Screens, export, API report and command, as the Điện Biên officer and an outsider."""

from __future__ import annotations

import contextlib
import io
import json

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.core.models import Job
from mtqg.finance.models import Work
from mtqg.finance.tests.factories import make_work
from mtqg.planning.figures import home_figures
from mtqg.planning.models import Scenario
from mtqg.planning.services import scenario_create
from mtqg.testing import PASSWORD, make_world

from .factories import ON, make_scenario, small_province


class ViewsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.xs = small_province(cls.world.dien_bien_old)
        cls.s = scenario_create(
            actor=None, province=cls.world.dien_bien_old, name="Kịch bản A", as_of=ON, budget=5_000_000_000
        )

    def setUp(self) -> None:
        self.client.login(username="db_officer", password=PASSWORD)

    def test_index_lists_scenarios_in_fixed_queries(self) -> None:
        with CaptureQueriesContext(connection) as first:
            self.client.get(reverse("planning:index"))
        for i in range(3):
            make_scenario(self.world.dien_bien_old, name=f"Thêm {i}", result=self.s.result)
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("planning:index"))
        self.assertContains(response, "Kịch bản A")
        self.assertContains(response, "Thêm 2")
        self.assertContains(response, "Lập kịch bản mới")

    def test_create_from_form(self) -> None:
        water = make_work(self.xs[3], kind=Work.Kind.WATER_CENTRALISED, year=2022, program="NTM")
        data = {
            "province": self.world.dien_bien_old.pk,
            "name": "Kịch bản B",
            "as_of": "2020-12-31",
            "budget_million": "4000",
            "mode": "commune",
            "objective": "weighted",
            "min_share_border": "",
            "together": "2+3",
            "committed": "",
            "horizon_from": "2021",
            "horizon_to": "2022",
            "ledger_committed": "on",
        }
        response = self.client.post(reverse("planning:index"), data)
        s = Scenario.objects.get(name="Kịch bản B")
        self.assertRedirects(response, reverse("planning:scenario", args=[s.pk]))
        self.assertEqual(s.budget, 4_000_000_000)
        self.assertEqual(s.rules["together"], [["2", "3"]])
        self.assertEqual(s.rules["horizon"], [2021, 2022])
        page = self.client.get(response.url)
        self.assertContains(page, "kế hoạch 2021–2022")
        self.assertTrue(s.rules["ledger_committed"])
        self.assertContains(page, "Tiêu chí đã cam kết")
        self.assertContains(page, water.code)
        self.assertContains(page, "Phương án tối ưu: đã chứng minh")

    def test_country_scenario_runs_as_a_job(self) -> None:
        self.client.login(username="central", password=PASSWORD)
        data = {
            "province": self.world.country.pk,
            "name": "Cả nước",
            "as_of": "2020-12-31",
            "budget_million": "3000",
            "mode": "commune",
            "objective": "communes",
        }
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("planning:index"), data)
        job = Job.objects.get(kind="planning.scenario")
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED, job.message)
        s = Scenario.objects.get(name="Cả nước")
        self.assertEqual(job.result["url"], s.get_absolute_url())
        self.assertEqual(s.result["communes_total"], 6)

    def test_form_errors_in_vietnamese(self) -> None:
        data = {
            "province": self.world.dien_bien_old.pk,
            "name": "Âm",
            "as_of": "2020-12-31",
            "budget_million": "-5",
            "mode": "criterion",
            "objective": "communes",
        }
        response = self.client.post(reverse("planning:index"), data)
        self.assertContains(response, "Ngân sách không được âm.")
        data.update(budget_million="1000", min_share_poor_district="70", min_share_border="60")
        response = self.client.post(reverse("planning:index"), data)
        self.assertContains(response, "Không có phương án thỏa mãn đồng thời")
        self.assertFalse(Scenario.objects.filter(name="Âm").exists())

    def test_scenario_page_commune_and_chart(self) -> None:
        response = self.client.get(reverse("planning:scenario", args=[self.s.pk]) + "?show=all")
        self.assertContains(response, "So sánh phương án")
        self.assertContains(response, "Chia đều")
        self.assertContains(response, 'id="planning-chart"')
        self.assertNotContains(response, "<script>")
        chart = self.client.get(reverse("planning:chart", args=[self.s.pk])).json()
        self.assertEqual(len(chart["methods"]), 3)
        commune = self.xs[2]
        response = self.client.get(reverse("planning:commune", args=[self.s.pk, commune.pk]))
        self.assertContains(response, "ngân sách chỉ còn")
        self.assertContains(response, "10.000")  # criterion 2 cost in triệu đồng

    def test_home_figure(self) -> None:
        figures = home_figures(self.world.dien_bien, self.world.dien_bien_officer)
        self.assertEqual(figures[0]["value"], "3 (chia đều: 1)")
        self.assertEqual(home_figures(self.world.cao_bang, self.world.cao_bang_officer), [])

    def test_export_xlsx(self) -> None:
        response = self.client.get(reverse("planning:export", args=[self.s.pk]))
        wb = load_workbook(io.BytesIO(response.content))
        self.assertEqual(len(wb.sheetnames), 3)
        self.assertEqual(wb.worksheets[0]["A3"].value, "Chia đều")

    def test_compare(self) -> None:
        response = self.client.get(reverse("planning:compare") + f"?ids={self.s.pk}")
        self.assertContains(response, "Kịch bản A")

    def test_outsider_gets_404(self) -> None:
        self.client.login(username="cb_officer", password=PASSWORD)
        for name in ("scenario", "chart", "export"):
            self.assertEqual(self.client.get(reverse(f"planning:{name}", args=[self.s.pk])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("planning:index")), "Kịch bản A")
        self.assertEqual(
            self.client.post(reverse("planning:convert", args=[self.s.pk]), {"year": 2021}).status_code, 404
        )

    def test_supervisor_cannot_convert(self) -> None:
        self.client.login(username="supervisor", password=PASSWORD)
        response = self.client.post(
            reverse("planning:convert", args=[self.s.pk]), {"year": 2021}, follow=True
        )
        self.assertContains(response, "không có quyền")

    def test_report_api_and_command(self) -> None:
        response = self.client.get("/api/v1/reports/planning-scenario/?unit=11&as_of=2020-12-31")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["latest"]["name"], "Kịch bản A")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command(
                "report", "planning-scenario", "--unit", "11", "--as-of", "2020-12-31", "--format", "json"
            )
        self.assertEqual(json.loads(out.getvalue())["latest"]["side_by_side"], data["latest"]["side_by_side"])
        bad = self.client.get("/api/v1/reports/planning-scenario/")
        self.assertEqual(bad.status_code, 400)
