"""Dashboard pages, XLSX downloads, filters and bad input, scope; the API (facts, dashboard, measures)."""

from __future__ import annotations

import io

from django.core.cache import cache
from django.test import TestCase
from openpyxl import load_workbook

from mtqg.dashboards.services import stamps_bump
from mtqg.geo.models import UnitVersion
from mtqg.reports.catalog import get_report
from mtqg.reports.params import parse_params
from mtqg.testing import make_world

from ..services import summaries_rebuild
from . import factories


class DashboardViewTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.sample(cls.world)

    def setUp(self) -> None:
        cache.clear()  # cached panels are keyed by the facts' version, shared by the tests of this class

    def url(self, unit: UnitVersion, query: str = "") -> str:
        return f"/dashboards/{unit.pk}/" + (f"?{query}" if query else "")

    def test_index_opens_the_users_unit(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/dashboards/")
        self.assertRedirects(response, self.url(self.world.dien_bien), fetch_redirect_response=False)
        response = self.client.get("/dashboards/?unit=04")
        self.assertRedirects(response, self.url(self.world.cao_bang), fetch_redirect_response=False)
        self.assertEqual(self.client.get("/dashboards/?unit=999").status_code, 404)

    def test_province_dashboard(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        # + the poverty register's coverage: the unit version of the year, communes reporting, all, sample
        # + the NTM programme panel (tier register, context figures; ntm decision record 0128)
        with self.assertNumQueries(27):  # the scope: one query (decision 0821)
            response = self.client.get(self.url(self.world.dien_bien, "year=2020"))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        # the same page again is served from the cache (panels not recomputed), with the same figures
        with self.assertNumQueries(6):  # session, user, scope (1, decision 0821), unit, stamp, notifications
            again = self.client.get(self.url(self.world.dien_bien, "year=2020"))
        self.assertContains(again, "3/115 (2,61%)")
        # any refresh of the facts under the unit (a new stamp of its province) makes the next request recompute;
        # a refresh in another province does not

        stamps_bump([self.world.cao_bang.path])
        with self.assertNumQueries(6):
            self.client.get(self.url(self.world.dien_bien, "year=2020"))
        stamps_bump([self.world.dien_bien.path])
        # with no staleness allowed (0835: a province's page is otherwise served stale for up to 60 s)
        with (
            self.settings(DASHBOARDS_STALE_SECONDS=0),
            self.assertNumQueries(21),
        ):  # recomputed (coverage: 4, programme panel: 2); lineage prefixes and reference data stay cached
            self.client.get(self.url(self.world.dien_bien, "year=2020"))
        self.assertIn("Số liệu tính đến", html)
        self.assertIn("3/115 (2,61%)", html)  # recognised xã / xã on 31/12/2020
        self.assertIn('id="dashboard-charts"', html)
        self.assertIn('id="dashboard-points"', html)
        self.assertIn('id="chart-ntm_tiers"', html)
        self.assertIn("Theo đơn vị tại thời điểm báo cáo", html)
        self.assertNotIn("<script>", html)  # CSP: no inline scripts
        self.assertEqual(len(response.context["points"]), 129)

    def test_query_count_does_not_grow_with_units(self) -> None:
        self.client.force_login(self.world.central)
        with self.assertNumQueries(23):  # + the NTM programme panel (2); the scope in one query (0821)
            self.client.get(self.url(self.world.cao_bang_old, "year=2023"))

    def test_current_mode_and_commune(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(self.url(self.world.dien_bien, "year=2020&mode=current"))
        self.assertContains(response, "xã trước sáp nhập đạt chuẩn")
        self.assertContains(response, "Số liệu quy về đơn vị hành chính hiện nay")
        response = self.client.get(self.url(self.world.muong_phang, "year=2020&mode=current"))
        self.assertContains(response, "Hình thành từ")

    def test_program_filter(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get(self.url(self.world.cao_bang, "year=2023&program=poverty"))
        ids = [c["id"] for c in response.context["charts"]]
        self.assertNotIn("ntm_tiers", ids)
        self.assertIn("finance_curve", ids)

    def test_bad_filters_are_400_with_a_message(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(self.url(self.world.dien_bien, "year=abc"))
        self.assertContains(response, "Năm không hợp lệ.", status_code=400)
        response = self.client.get(self.url(self.world.dien_bien, "program=xyz"))
        self.assertContains(response, "Chương trình không hợp lệ.", status_code=400)
        response = self.client.get(self.url(self.world.dien_bien, "year=2999"))
        self.assertContains(response, "Năm không được sau năm hiện tại.", status_code=400)
        self.assertEqual(self.client.get("/dashboards/99999999/").status_code, 404)
        self.assertEqual(
            self.client.get(f"/dashboards/{self.world.dien_bien.pk}/xlsx/nope/").status_code, 404
        )

    def test_scope(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(self.url(self.world.dien_bien)).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.world.dien_bien_old)).status_code, 404)
        self.client.logout()
        response = self.client.get(self.url(self.world.dien_bien))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_xlsx_download(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get(f"/dashboards/{self.world.cao_bang.pk}/xlsx/finance_sources/?year=2023")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet["A2"].value, "Nguồn vốn")
        self.assertEqual(sheet["A3"].value, "NSTW đầu tư phát triển")
        response = self.client.get(f"/dashboards/{self.world.cao_bang.pk}/xlsx/units/?year=2023")
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        self.assertGreater(len(rows), 100)


class DashboardApiTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.ntm_rows(cls.world.dien_bien_old, [19, 12])
        factories.ntm_rows(cls.world.cao_bang_old, [15])

        summaries_rebuild(unit=cls.world.dien_bien)
        summaries_rebuild(unit=cls.world.cao_bang)

    def test_facts_list_is_scoped_filtered_paginated(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        data = self.client.get("/api/v1/dashboards/facts/?measure=ntm.tier").json()
        self.assertEqual(data["count"], 5)  # one recognised xã, 2020-2024 (the unit ends on 30/6/2025)
        self.assertEqual({r["structure"] for r in data["results"]}, {"pre2025"})
        data = self.client.get("/api/v1/dashboards/facts/?measure=ntm.communes&year=2020").json()
        self.assertEqual(data["count"], len(factories.xa(self.world.cao_bang_old, 1000)))
        self.assertEqual(len(data["results"]), 50)
        self.client.force_login(self.world.central)
        code = factories.xa(self.world.dien_bien_old, 1)[0].code
        data = self.client.get(
            f"/api/v1/dashboards/facts/?measure=ntm.tier&structure=pre2025&unit={code}"
        ).json()
        self.assertEqual([r["year"] for r in data["results"]], [2020, 2021, 2022, 2023, 2024])

    def test_dashboard_endpoint(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        data = self.client.get(
            f"/api/v1/dashboards/dashboard/?unit_id={self.world.dien_bien.pk}&year=2020"
        ).json()
        self.assertEqual(data["year"], 2020)
        tiers = next(c for c in data["charts"] if c["id"] == "ntm_tiers")
        row = next(r for r in tiers["rows"] if r["year"] == 2020)
        self.assertEqual((row["dat_chuan"], row["communes"]), (2, 115))
        self.assertEqual(len(data["units"]), 129)
        data = self.client.get("/api/v1/dashboards/dashboard/?unit=11&year=2020&mode=current").json()
        self.assertEqual(data["mode"], "current")

    def test_dashboard_endpoint_errors(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/dashboards/dashboard/?unit=11&year=abc")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["fields"]["year"], ["Năm không hợp lệ."])
        response = self.client.get("/api/v1/dashboards/dashboard/")
        self.assertEqual(response.status_code, 400)
        self.assertIn("unit", response.json()["error"]["fields"])
        self.assertEqual(self.client.get("/api/v1/dashboards/dashboard/?unit=999").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/dashboards/dashboard/?unit=04").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/dashboards/dashboard/?unit_id=x").status_code, 400)

    def test_measures_and_report_command_route(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        data = self.client.get("/api/v1/dashboards/measures/").json()
        self.assertIn("ntm.tier", [m["code"] for m in data["measures"]])
        self.client.logout()
        self.assertEqual(self.client.get("/api/v1/dashboards/measures/").status_code, 403)

    def test_report_function_through_the_catalog(self) -> None:
        data = get_report("dashboard")(
            None, parse_params({"unit": "11", "year": "2020", "as_of": "2020-12-31"})
        )
        self.assertEqual(data["unit"]["structure"], "pre2025")
        self.assertEqual(data["figures"][0]["value"], "2/115 (1,74%)")
