from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.ocop.reports import ocop_summary
from mtqg.ocop.rules import load_rules
from mtqg.reports.params import parse_params
from mtqg.testing import make_world

from .factories import commune_in, make_product


class SummaryApiTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        mp = cls.world.muong_phang
        make_product(mp, name="A", total=75, ecommerce=True, decision_date=date(2024, 1, 10))
        make_product(
            mp, name="B", total=55, decision_date=date(2023, 12, 15), kind="household", subject_name="Hộ B"
        )
        make_product(mp, name="C", total=45)
        make_product(commune_in(cls.world.cao_bang), name="D", total=65, subject_name="HTX D")

    def test_summary_json(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/reports/ocop-summary/", {"unit": "11", "as_of": "2026-11-23"})
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["products"]["by_star"], {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0})
        self.assertEqual(data["products"]["certified_3plus"], 2)
        self.assertEqual(data["ecommerce"]["on_ecommerce"], 1)
        self.assertEqual(data["ecommerce"]["share_percent"], 50.0)
        self.assertEqual(data["ecommerce"]["by_commune"][0]["name"], "Xã Mường Phăng")
        self.assertEqual(data["subjects"]["total"], 2)
        # B expires 15/12/2026, A on 10/01/2027: both within 90 days of 23/11/2026
        self.assertEqual([e["product"] for e in data["expiring"]["items"]], ["B", "A"])
        food = next(g for g in data["products"]["by_group"] if g["code"] == "1")
        self.assertEqual(food["certified"], 2)

    def test_as_of_before_ratings(self) -> None:
        self.client.force_login(self.world.central)
        data = self.client.get("/api/v1/reports/ocop-summary/", {"unit": "11", "as_of": "2023-01-01"}).json()
        self.assertEqual(data["products"]["rated"], 0)
        self.assertIsNone(data["ecommerce"]["share_percent"])

    def test_errors_and_scope(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get("/api/v1/reports/ocop-summary/", {"unit": "11"})
        self.assertEqual(response.status_code, 404)
        response = self.client.get("/api/v1/reports/ocop-summary/", {"as_of": "31/12/2025"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()["error"]["fields"]), {"as_of", "unit"})
        self.client.logout()
        self.assertIn(
            self.client.get("/api/v1/reports/ocop-summary/", {"unit": "11"}).status_code, (401, 403)
        )

    def test_command_scope_is_everything(self) -> None:
        data = ocop_summary(None, parse_params({"unit": "04", "as_of": "2025-01-01"}))
        self.assertEqual(data["products"]["certified_3plus"], 1)


class ProductApiTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        make_product(cls.world.muong_phang, name="A", total=75, ecommerce=True)
        make_product(cls.world.muong_phang, name="B", total=55)
        make_product(commune_in(cls.world.cao_bang), name="D", total=65, subject_name="HTX D")

    def test_list_filters(self) -> None:
        """Scope, 404 and paging of the product list: ocop/tests/test_api_read.py (the shared mixin)."""
        self.client.force_login(self.world.dien_bien_officer)
        data = self.client.get("/api/v1/ocop/products/").json()
        self.assertEqual(data["count"], 2)
        data = self.client.get("/api/v1/ocop/products/", {"stars": 4, "channel": "ecommerce"}).json()
        self.assertEqual(
            [(p["name"], p["stars"], p["on_ecommerce"]) for p in data["results"]], [("A", 4, True)]
        )
