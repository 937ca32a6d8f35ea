"""Demo: Điện Biên 31/12/2020 (the NTM demo's 115 communes) with 300 tỷ đồng — figures computed from records."""

from __future__ import annotations

from django.test import TestCase

from mtqg.ntm.demo import seed_dien_bien
from mtqg.planning import demo
from mtqg.planning.models import Scenario


class DienBienDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_dien_bien()
        cls.created = demo.seed()

    def side(self, name: str) -> dict[str, dict]:
        s = Scenario.objects.get(name=name)
        return {r["method"]: r for r in s.result["side_by_side"]}

    def test_plan_beats_even_spreading(self) -> None:
        self.assertEqual(self.created, 2)
        self.assertEqual(demo.seed(), 0)  # idempotent
        s = Scenario.objects.get(name=demo.PLAIN)
        self.assertEqual(s.result["communes_total"], 115)
        side = self.side(demo.PLAIN)
        self.assertEqual(side["optimiser"]["already_standard"], 21)
        self.assertEqual(side["even"]["communes_reaching"], 4)
        self.assertEqual(side["greedy"]["communes_reaching"], 31)
        self.assertEqual(side["optimiser"]["communes_reaching"], 33)
        self.assertEqual(s.result["gain_vs_even"], 29)
        self.assertLessEqual(side["optimiser"]["spent"], demo.BUDGET)

    def test_ruled_scenario_keeps_its_rules(self) -> None:
        side = self.side(demo.RULED)["optimiser"]
        s = Scenario.objects.get(name=demo.RULED)
        self.assertGreaterEqual(
            side["spent"] * side["priority_shares"]["poor_district"] / 100, 0.4 * demo.BUDGET - 1e6
        )
        self.assertGreaterEqual(
            side["spent"] * side["priority_shares"]["border"] / 100, 0.2 * demo.BUDGET - 1e6
        )
        self.assertTrue(
            all(
                c["funded_amount"] >= 2_000_000_000 or c["reaches"]
                for c in s.result["communes"]
                if c["funded_amount"]
            )
        )
        self.assertLessEqual(
            side["communes_reaching"], self.side(demo.PLAIN)["optimiser"]["communes_reaching"]
        )
        by_area: dict[str, int] = {}
        for c in s.result["communes"]:
            by_area[c["area"]] = by_area.get(c["area"], 0) + c["funded_amount"]
        self.assertLessEqual(max(by_area.values()), 0.35 * demo.BUDGET)
