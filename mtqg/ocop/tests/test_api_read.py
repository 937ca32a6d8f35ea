"""Read API of the ocop app (products, subjects, ratings, sales channels): fields, filters, and no field the product
page does not show (the tax code). Scope, 404, anonymous, pagination and query count: the mixin."""

from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.api.tests.mixins import ScopedReadApiMixin
from mtqg.ocop.models import SalesChannel, Subject
from mtqg.ocop.rules import load_rules
from mtqg.ocop.services import subject_create
from mtqg.testing import make_world

from .factories import commune_in, make_product, rate


class OcopReadApiTest(ScopedReadApiMixin, TestCase):
    endpoints = {
        "/api/v1/ocop/products/": "product",
        "/api/v1/ocop/subjects/": "subject",
        "/api/v1/ocop/ratings/": "rating",
        "/api/v1/ocop/sales-channels/": "channel",
    }

    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        mp = cls.world.muong_phang
        subject_create(
            actor=None,
            name="HTX Chè",
            kind=Subject.Kind.COOPERATIVE,
            commune=mp,
            contact_name="Lò Văn A",
            phone="0912345678",
            tax_code="5600123456",
        )
        cls.tea = make_product(
            mp, name="Chè Shan tuyết", total=75, ecommerce=True, decision_date=date(2023, 6, 1)
        )
        rate(cls.tea, 82, decision_date=date(2025, 5, 1))
        cls.rice = make_product(mp, name="Gạo tám", total=55, decision_date=date(2024, 3, 1))
        cls.cb = make_product(
            commune_in(cls.world.cao_bang), name="Hạt dẻ", subject_name="HTX Hạt dẻ", ecommerce=True
        )
        cls.own, cls.other = (
            {
                "product": product,
                "subject": product.subject,
                "rating": product.current_rating,
                "channel": SalesChannel.objects.get(product=product),
            }
            for product in (cls.tea, cls.cb)
        )

    def test_subjects(self) -> None:
        url = "/api/v1/ocop/subjects/"
        body = self.client.get(url).json()
        self.assertEqual(body["count"], 1)
        row = body["results"][0]
        self.assertEqual((row["name"], row["kind"], row["products"]), ("HTX Chè", "cooperative", 2))
        self.assertEqual((row["contact_name"], row["phone"]), ("Lò Văn A", "0912345678"))
        self.assertNotIn("tax_code", row)
        self.assertNotIn("5600123456", self.client.get(f"{url}{row['id']}/").content.decode())
        self.assertEqual(self.client.get(url, {"kind": "household"}).json()["count"], 0)
        self.assertEqual(self.client.get(url, {"q": "chè", "unit": "11"}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"unit": self.world.muong_phang.code}).json()["count"], 1)

    def test_ratings(self) -> None:
        url = "/api/v1/ocop/ratings/"
        body = self.client.get(url).json()
        self.assertEqual(body["count"], 3)
        newest = body["results"][0]
        self.assertEqual(
            (newest["product_name"], newest["total"], newest["stars"]), ("Chè Shan tuyết", 82, 4)
        )
        self.assertEqual((newest["score_a"] + newest["score_b"] + newest["score_c"]), 82)
        self.assertEqual(newest["decision_date"], "2025-05-01")
        self.assertTrue(newest["ruleset"])
        self.assertEqual(self.client.get(url, {"year": 2023}).json()["results"][0]["total"], 75)
        self.assertEqual(self.client.get(url, {"stars": 3}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"product": self.tea.pk}).json()["count"], 2)
        valid = self.client.get(url, {"valid_on": "2024-06-01"}).json()
        self.assertEqual(sorted(r["total"] for r in valid["results"]), [55, 75])
        self.assertEqual(self.client.get(f"{url}{newest['id']}/").json()["stars"], 4)

    def test_sales_channels(self) -> None:
        url = "/api/v1/ocop/sales-channels/"
        body = self.client.get(url).json()
        self.assertEqual(body["count"], 1)
        row = body["results"][0]
        self.assertEqual(
            (row["product_name"], row["kind"], row["name"]), ("Chè Shan tuyết", "ecommerce", "Postmart")
        )
        self.assertTrue(row["path"].startswith(self.world.dien_bien.path))
        self.assertEqual(self.client.get(url, {"kind": "export"}).json()["count"], 0)
        self.assertEqual(self.client.get(url, {"status": "active", "unit": "11"}).json()["count"], 1)
        bad = self.client.get(url, {"kind": "market"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("kind", bad.json()["error"]["fields"])
