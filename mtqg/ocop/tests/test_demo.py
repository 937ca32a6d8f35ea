from __future__ import annotations

from django.test import TestCase

from mtqg.ocop import demo
from mtqg.ocop.models import Product, Rating
from mtqg.ocop.reports import ocop_summary
from mtqg.reports.params import parse_params


class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.created = demo.seed()

    def test_reproduces_dien_bien_2021_2025(self) -> None:
        data = ocop_summary(None, parse_params({"unit": "11", "as_of": "2025-12-31"}))
        self.assertEqual(data["products"]["certified_3plus"], 138)
        self.assertEqual(data["products"]["by_star"]["4"], 5)
        self.assertGreater(data["ecommerce"]["on_ecommerce"], 0)
        self.assertLess(data["ecommerce"]["on_ecommerce"], 138)

    def test_cao_bang_and_rounds(self) -> None:
        data = ocop_summary(None, parse_params({"unit": "04", "as_of": "2026-11-23"}))
        self.assertGreater(data["products"]["certified_3plus"], 0)
        self.assertGreater(data["expiring"]["count"], 0)
        re_rated = Product.objects.filter(ratings__isnull=False).values("pk").distinct().count()
        self.assertGreater(Rating.objects.count(), re_rated)

    def test_idempotent(self) -> None:
        self.assertGreater(self.created, 0)
        counts = (Product.objects.count(), Rating.objects.count())
        self.assertEqual(demo.seed(), 0)
        self.assertEqual(counts, (Product.objects.count(), Rating.objects.count()))

    def test_summary_has_what_a_briefing_needs(self) -> None:
        """Products by star and group, subjects by type, e-commerce share, expiring/expired certificates — all
        consistent with each other (the supervision briefing reads this JSON)."""
        data = ocop_summary(None, parse_params({"unit": "04", "as_of": "2026-11-23"}))
        products = data["products"]
        self.assertEqual(sum(products["by_star"].values()), products["rated"])
        self.assertEqual(sum(sum(g["by_star"].values()) for g in products["by_group"]), products["rated"])
        self.assertEqual(sum(g["certified"] for g in products["by_group"]), products["certified_3plus"])
        self.assertEqual(
            products["certificates_valid"] + products["certificates_expired"], products["certified_3plus"]
        )
        self.assertGreater(products["certificates_expired"], 0)  # some 2021-2022 products were not re-rated
        subjects = data["subjects"]
        self.assertEqual(sum(k["count"] for k in subjects["by_kind"]), subjects["total"])
        self.assertEqual(
            {k["kind"] for k in subjects["by_kind"]}, {"cooperative", "enterprise", "household", "coop_group"}
        )
        share = data["ecommerce"]
        self.assertEqual(
            share["share_percent"], round(share["on_ecommerce"] * 100 / share["certified_products"], 2)
        )
        self.assertEqual(data["expiring"]["count"], len(data["expiring"]["items"]))
