"""Read API of the register: masking outside entry scope, filters, standards (scope, 404, anonymous, pagination,
query count: the mixin)."""

from __future__ import annotations

from django.test import TestCase

from mtqg.api.tests.mixins import ScopedReadApiMixin
from mtqg.geo.models import UnitVersion
from mtqg.poverty.standards import load_standards
from mtqg.poverty.tests.factories import make_household
from mtqg.testing import make_world


class PovertyReadApiTest(ScopedReadApiMixin, TestCase):
    endpoints = {"/api/v1/poverty/households/": "household", "/api/v1/poverty/reviews/": "review"}
    list_queries = {"/api/v1/poverty/households/": 6}  # + the log row of names shown in clear (decision 0908)

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_standards()
        cls.db = make_household(cls.world.muong_phang, "DB-API-1", "Lò Văn Pâng", address="Bản Che Căn")
        cb_commune = UnitVersion.objects.filter(path__startswith=cls.world.cao_bang.path, level=3).order_by(
            "code"
        )[0]
        cls.cb = make_household(cb_commune, "CB-API-1", "Nông Văn Sáng")
        cls.own, cls.other = ({"household": h, "review": h.reviews.get()} for h in (cls.db, cls.cb))

    def test_entry_scope_sees_personal_data(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        listing = self.client.get("/api/v1/poverty/households/").json()
        self.assertEqual([h["code"] for h in listing["results"]], ["DB-API-1"])
        self.assertEqual(listing["results"][0]["head_name"], "Lò Văn Pâng")
        detail = self.client.get(f"/api/v1/poverty/households/{self.db.pk}/").json()
        self.assertEqual(detail["members"][0]["id_number"], "011080123456")
        self.assertEqual(detail["members"][0]["birth_date"], "1980-01-01")
        reviews = self.client.get("/api/v1/poverty/reviews/?year=2023&unit=11").json()
        self.assertEqual([r["household_code"] for r in reviews["results"]], ["DB-API-1"])
        self.assertEqual(self.client.get("/api/v1/poverty/reviews/?year=2022").json()["count"], 0)

    def test_view_only_scope_sees_masked_values(self) -> None:
        self.client.force_login(self.world.supervisor)
        detail = self.client.get(f"/api/v1/poverty/households/{self.db.pk}/").json()
        self.assertEqual(detail["head_name"], "L. V. P***")
        self.assertEqual(detail["address"], "")
        member = detail["members"][0]
        self.assertEqual(member["id_number"], "*********456")
        self.assertEqual(member["birth_date"], "1980")
        self.assertNotIn("011080123456", self.client.get("/api/v1/poverty/households/").content.decode())

    def test_standards_are_shared(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get("/api/v1/poverty/households/?unit=11").json()["count"], 0)
        standards = self.client.get("/api/v1/poverty/standards/").json()
        self.assertTrue(any("07/2021" in s["instrument"] for s in standards["results"]))
        self.assertEqual(self.client.get("/api/v1/poverty/import-batches/").status_code, 200)
