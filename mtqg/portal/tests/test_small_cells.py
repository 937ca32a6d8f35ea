"""Small cells on the public portal (decision 0914).

The issue's case: 6 households imported into Cao Bằng for 2022, 1 of them poor, 1 of them urban. The portal showed
"1 poor household" and an urban poverty rate of 100 % (the rates table did not suppress), while the ethnicity table
hid a cell whose value the others gave back by subtraction.
"""

from __future__ import annotations

from django.test import TestCase

from mtqg.dashboards.services import summaries_rebuild
from mtqg.dashboards.tests.factories import xa
from mtqg.poverty.models import Household
from mtqg.poverty.models import PovertyClass as C
from mtqg.poverty.standards import load_standards, standard_for
from mtqg.poverty.tests.factories import classed_review
from mtqg.testing import World, make_world

from ..selectors import hidden_groups


def _households(province: object, rows: list[tuple[str, str, str]], year: int = 2022) -> None:
    """rows: (poverty class, area, ethnicity) per household, in one commune of the province."""

    load_standards()
    standard = standard_for(year)
    commune = xa(province, 1)[0]  # type: ignore[arg-type]
    for i, (cls, area, eth) in enumerate(rows):
        hh = Household.objects.create(
            code=f"sc-{commune.code}-{i}", commune=commune, head_name="Hộ thử", ethnicity=eth, area=area
        )
        classed_review(hh, year, cls, standard)


class SmallCellsTest(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        _households(
            cls.world.cao_bang_old,
            [
                (C.NONE, "rural", "Tày"),
                (C.NONE, "rural", "Tày"),
                (C.NONE, "rural", "Tày"),
                (C.NONE, "rural", "Nùng"),
                (C.NONE, "rural", "Nùng"),
                (C.POOR, "urban", "Kinh"),
            ],
        )
        summaries_rebuild(unit=cls.world.cao_bang)

    def _page(self) -> dict[str, object]:
        response = self.client.get(f"/cong-khai/tinh/{self.world.cao_bang_old.pk}/?year=2022")
        self.assertEqual(response.status_code, 200)
        return {c["id"]: c for c in response.context["charts"]} | {"figures": response.context["figures"]}

    def test_one_poor_household_and_one_urban_household_are_not_published(self) -> None:
        charts = self._page()
        rates = next(r for r in charts["poverty_rates"]["table"].rows if r["year"] == 2022)  # type: ignore[index]
        self.assertEqual(rates["households"], 6)
        self.assertIsNone(rates["poor"])  # 1 poor household
        self.assertIsNone(rates["poor_rate"])
        self.assertIsNone(rates["urban_rate"])  # 0 % or 100 % of 1 household
        self.assertIsNone(rates["rural_rate"])  # complementary: total − rural would give urban
        series = {s["name"]: s["data"] for s in charts["poverty_rates"]["series"]}  # type: ignore[index]
        self.assertTrue(all(None in data or not data for data in series.values()))
        poverty_figure = next(f for f in charts["figures"] if str(f["label"]) == "Tỷ lệ hộ nghèo")  # type: ignore[union-attr]
        self.assertEqual(poverty_figure["value"], "—")

    def test_no_hidden_group_can_be_recovered_by_subtraction(self) -> None:
        groups = self._page()["poverty_groups"]["table"].rows  # type: ignore[index]
        for group in ("Khu vực", "Dân tộc"):
            rows = [r for r in groups if r["group"] == group]
            hidden = [r for r in rows if r["households"] is None]
            if len(rows) > 1:
                self.assertNotEqual(len(hidden), 1, f"{group}: one hidden cell = total − the others")
            for r in rows:
                if r["households"] is not None:
                    self.assertFalse(0 < r["households"] < 5, r)
                    self.assertFalse(0 < (r["poor"] or 0) < 5, r)

    def test_province_index_and_open_data_hide_one_poor_household(self) -> None:
        response = self.client.get("/cong-khai/?year=2022")
        row = next(r for r in response.context["rows"] if r["code"] == "04")
        self.assertIsNone(row["poor_households"])
        self.assertIsNone(row["poverty_rate"])

    def test_threshold_is_a_setting(self) -> None:
        cells = {"a": (1, 0, 10), "b": (0, 0, 40), "c": (3, 0, 30)}
        self.assertEqual(hidden_groups(cells), {"a", "c"})
        with self.settings(PORTAL_MIN_CELL=2):
            self.assertEqual(hidden_groups(cells), {"a", "c"})  # one small → the next smallest (c: 30) too
        with self.settings(PORTAL_MIN_CELL=1):
            self.assertEqual(hidden_groups(cells), set())
