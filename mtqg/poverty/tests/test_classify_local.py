"""Issue #23 part 6: classify falls back to the national standard, answers both classes where a local standard
exists (also for the merged 2025 province through lineage), and flags answers resting on UNCONFIRMED boundaries."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from mtqg.poverty.standards import load_standards
from mtqg.testing import make_world


class ClassifyLocalTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_standards()

    def _post(self, **body: Any) -> Any:
        self.client.force_login(self.world.central)
        data = {"area": "rural", "deprivations": 3} | body
        return self.client.post("/api/v1/poverty/classify/", data, content_type="application/json")

    def test_province_without_local_standard_falls_back_to_national(self) -> None:
        response = self._post(year=2025, income_per_capita_month=1_600_000, province="11")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual((body["class"], body["standard"]), ("average", "NĐ 07/2021/NĐ-CP"))
        self.assertNotIn("local", body)

    def test_local_standard_gives_both_classes_also_for_the_merged_province(self) -> None:
        for province in ("27", "24"):  # pre-2025 Bắc Ninh, and the 2025 Bắc Ninh it was merged into
            body = self._post(year=2025, income_per_capita_month=1_600_000, province=province).json()
            self.assertEqual(body["class"], "average", province)
            self.assertEqual(body["local"]["class"], "poor", province)
            self.assertEqual(body["local"]["income_line"], 1_750_000)
            self.assertEqual(body["local"]["province"], "27")
        self.assertNotIn(
            "local", self._post(year=2024, income_per_capita_month=1_600_000, province="24").json()
        )

    def test_unconfirmed_boundaries_are_flagged(self) -> None:
        edge = self._post(year=2024, income_per_capita_month=2_250_000, deprivations=0).json()
        self.assertEqual(edge["class"], "average")
        self.assertEqual(len(edge["flags"]), 1)
        self.assertIn("2.250.000", edge["flags"][0])
        self.assertIn("UNCONFIRMED", edge["flags"][0])
        later = self._post(year=2028, income_per_capita_month=2_300_000).json()
        self.assertEqual(later["class"], "none")
        self.assertIn("chưa có mức sống trung bình", later["flags"][0])
        self.assertEqual(self._post(year=2025, income_per_capita_month=1_500_000).json()["flags"], [])
        local_near = self._post(
            year=2025, income_per_capita_month=1_700_000, deprivations=1, province="27"
        ).json()
        self.assertEqual(local_near["local"]["class"], "near_poor")
        self.assertIn("cận nghèo theo chuẩn địa phương", local_near["local"]["flags"][0])
