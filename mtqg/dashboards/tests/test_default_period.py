"""Default period and "no data" (decision 0016): pages open on the latest year with headline data
in the user's scope and say so; a year where nothing was reported reads "chưa có số liệu" (the API and the portal's
data: null), never 0; an empty chart shows a message instead of bare axes."""

from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.finance import demo as finance_demo
from mtqg.ntm import demo as ntm_demo
from mtqg.testing import PASSWORD, make_world

from .. import panels
from ..selectors import default_year
from ..services import summaries_rebuild

NO_DATA = "chưa có số liệu"


class DefaultPeriodTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        ntm_demo.seed_dien_bien()  # recognitions in force up to 2024 (pre-2025 communes)
        ntm_demo.seed_dien_bien_2026()  # 2026 assessments of the new communes, no recognition yet
        finance_demo.seed()  # Cao Bằng 2023 capital
        summaries_rebuild()

    def setUp(self) -> None:
        self.client.login(username="central", password=PASSWORD)

    def test_default_year_is_the_latest_with_headline_data(self) -> None:
        # 2026 has only denominators and assessments carried forward, 2024 recognitions carried forward: the
        # latest year with data reported for it is 2023 (Cao Bằng's capital plan and payments)
        self.assertEqual(default_year(self.world.central, self.world.country), 2023)
        # a scope with recognitions only falls back to the latest year one was in force
        self.assertEqual(default_year(self.world.dien_bien_officer, self.world.dien_bien), 2024)
        html = self.client.get(reverse("dashboards:unit", args=[self.world.country.pk])).content.decode()
        self.assertIn("Số liệu năm 2023 — năm gần nhất có số liệu", html)
        self.assertNotIn("0/42", html)
        api = self.client.get("/api/v1/dashboards/dashboard/", {"unit_id": self.world.country.pk}).json()
        self.assertEqual(api["year"], 2023)
        self.assertEqual(api["period_note"], "Số liệu năm 2023 — năm gần nhất có số liệu")

    def test_year_without_data_says_so(self) -> None:
        url = reverse("dashboards:unit", args=[self.world.dien_bien.pk])
        html = self.client.get(url, {"year": "2026"}).content.decode()
        self.assertNotIn("0/42", html)
        self.assertNotIn("(0,00%)", html)
        self.assertNotIn(
            "năm gần nhất có số liệu</p>", html
        )  # a year asked for is not announced as a default
        figures = html.split('id="key-figures"')[1].split('class="row g-3"')[0]
        self.assertEqual(figures.count(NO_DATA), 4)  # NTM, poverty, disbursement, outputs
        self.assertIn("Năm gần nhất có số liệu: 2024", figures)  # NTM names its latest year
        self.assertIn("Chưa có số liệu cho biểu đồ này", html)  # poverty and finance charts: no bare axes
        country = self.client.get(
            reverse("dashboards:unit", args=[self.world.country.pk]), {"year": "2024"}
        ).content.decode()
        table = country.split('id="key-figures"')[1]
        self.assertNotRegex(table, r">0/\d")  # provinces without NTM data: not "0/36" in the unit table
        api = self.client.get(
            "/api/v1/dashboards/dashboard/", {"unit_id": self.world.dien_bien.pk, "year": "2026"}
        )
        figures = {f["label"]: f for f in api.json()["figures"]}
        self.assertEqual(figures["Xã đạt chuẩn nông thôn mới"]["value"], NO_DATA)
        self.assertIsNone(figures["Xã đạt chuẩn nông thôn mới"]["number"])  # null, not 0
        self.assertIsNone(figures["Tỷ lệ hộ nghèo"]["number"])

    def test_tier_table_years_without_ntm_data_are_no_data_not_zero(self) -> None:
        f = panels.Filters(self.world.cao_bang, 2024)  # no NTM assessment or recognition in Cao Bằng here
        rows = panels.ntm_tiers(panels.load(None, f), f)["table"].rows
        self.assertTrue(rows)
        for row in rows:
            self.assertIsNone(row["recognised"], row)
            self.assertIsNone(row["rate"], row)
            self.assertTrue(all(row[t] is None for t in panels.TIERS), row)
        f = panels.Filters(self.world.dien_bien, 2024)  # recognitions in force: real counts, zeros included
        latest = panels.ntm_tiers(panels.load(None, f), f)["table"].rows[-1]
        self.assertGreater(latest["recognised"], 0)
        self.assertTrue(all(latest[t] is not None for t in panels.TIERS))

    def test_xlsx_says_no_data(self) -> None:
        url = reverse("dashboards:unit", args=[self.world.dien_bien.pk]) + "xlsx/poverty_rates/"
        wb = load_workbook(io.BytesIO(self.client.get(url, {"year": "2026"}).content))
        values = [c.value for row in wb.active.iter_rows(min_row=3) for c in row]
        self.assertIn(NO_DATA, values)  # poverty rates of years without reviews
        self.assertNotIn(0, values[1:3])

    def test_portal_defaults_and_nulls(self) -> None:
        self.client.logout()
        html = self.client.get(reverse("portal:index")).content.decode()
        self.assertIn("Số liệu các tỉnh năm 2023", html)
        html = self.client.get(reverse("portal:index"), {"year": "2026"}).content.decode()
        self.assertNotIn(">0/", html)
        self.assertIn(NO_DATA, html)
        data = self.client.get(reverse("portal:dataset", args=["tinh", "json"]), {"year": "2026"}).json()
        row = next(r for r in data["rows"] if r["code"] == "11")
        self.assertIsNone(row["ntm_recognised"])
        self.assertIsNone(row["households_reviewed"])
        self.assertIsNone(row["central_disbursement_rate"])
