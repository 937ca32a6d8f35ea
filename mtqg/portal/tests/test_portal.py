"""Public portal: anonymous access, per-province aggregates, small-cell suppression, open data and dictionary."""

from __future__ import annotations

import csv
import io

from django.test import TestCase

from mtqg.dashboards.tests import factories
from mtqg.testing import make_world

from ..selectors import suppress


class PortalTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = factories.dien_bien_facts(make_world())

    def test_index_is_public(self) -> None:
        response = self.client.get("/cong-khai/?year=2020")
        self.assertEqual(response.status_code, 200)
        rows = response.context["rows"]
        self.assertEqual(len(rows), 63)  # the provinces of 2020
        db = next(r for r in rows if r["code"] == "11")
        self.assertEqual((db["ntm_recognised"], db["communes"], db["poverty_rate"]), (3, 115, 30.0))
        self.assertContains(response, "Tỉnh Điện Biên")

    def test_province_page_is_public_with_charts(self) -> None:
        response = self.client.get(f"/cong-khai/tinh/{self.world.dien_bien_old.pk}/?year=2020")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="dashboard-charts"')
        ids = [c["id"] for c in response.context["charts"]]
        self.assertIn("ntm_tiers", ids)
        self.assertNotIn("recommendations", ids)
        self.assertNotContains(response, "Hộ thử")  # no names of household heads
        self.assertEqual(self.client.get(f"/cong-khai/tinh/{self.world.muong_phang.pk}/").status_code, 404)

    def test_small_cells_are_suppressed(self) -> None:
        self.assertEqual(suppress(4, 1, 25.0), [None, None])
        self.assertEqual(suppress(5, 1, 20.0), [1, 20.0])
        self.assertEqual(suppress(0, 0, None), [0, None])
        response = self.client.get(f"/cong-khai/tinh/{self.world.dien_bien_old.pk}/?year=2020")
        groups = next(c for c in response.context["charts"] if c["id"] == "poverty_groups")
        for row in groups["table"].rows:
            if row["households"] is None or row["households"] < 5:
                self.assertIsNone(row["poor"])

    def test_bad_year(self) -> None:
        response = self.client.get("/cong-khai/?year=abc")
        self.assertContains(response, "Năm không hợp lệ", status_code=400)
        response = self.client.get("/cong-khai/du-lieu/tinh.csv?year=1900")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.get("/cong-khai/du-lieu/nope.csv").status_code, 404)
        self.assertEqual(self.client.get("/cong-khai/du-lieu/tinh.xml").status_code, 404)

    def test_open_data_csv_json_and_dictionary(self) -> None:
        response = self.client.get("/cong-khai/du-lieu/tinh.csv?year=2020")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        db = next(r for r in rows if r["code"] == "11")
        self.assertEqual(
            (db["ntm_recognised"], db["poor_households"], db["poverty_rate"]), ("3", "18", "30.0")
        )
        data = self.client.get("/cong-khai/du-lieu/xa-ntm.json?year=2020").json()
        self.assertEqual(len(data["rows"]), 115)
        self.assertEqual(sum(1 for r in data["rows"] if r["tier"] == "dat_chuan"), 2)
        self.assertEqual({f["name"] for f in data["fields"]} >= {"code", "tier", "criteria_met"}, True)
        response = self.client.get("/cong-khai/du-lieu/")
        self.assertContains(response, "central_disbursement_rate")
        self.assertContains(response, "ntm.tier")


class EmptyPortalTest(TestCase):
    """Before any summary is computed the pages still render (and say so)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_pages_without_facts(self) -> None:
        self.assertEqual(self.client.get("/cong-khai/").status_code, 200)
        response = self.client.get(f"/cong-khai/tinh/{self.world.dien_bien.pk}/")
        self.assertContains(response, "chưa tổng hợp")
