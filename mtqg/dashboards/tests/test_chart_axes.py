"""Issue #19 part 9: charts that inform — one unit per value axis (declared with the chart, integer ticks for
counts), indicator names not codes, the outputs chart as % of each indicator's own target; the portal gets the
same; map words in the page's language."""

from __future__ import annotations

import json
import re

from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from mtqg.testing import make_world

from .. import panels, selectors
from . import factories


class ChartAxesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.sample(cls.world)

    def setUp(self) -> None:
        selectors.panel_cache().clear()  # reference data (indicator names) cached by an earlier test's world
        translation.activate("vi")
        self.addCleanup(translation.activate, "vi")  # …and after: the next test class starts in Vietnamese

    def _charts(self, unit, year):  # type: ignore[no-untyped-def]
        f = panels.Filters(unit=unit, year=year, program="", mode=selectors.REPORTED)
        return {c["id"]: c for c in panels.charts(panels.load(None, f), f)}

    def test_every_chart_declares_one_axis_unit(self) -> None:
        charts = self._charts(self.world.cao_bang, 2023)
        self.assertEqual(set(charts), set(panels.CHARTS))
        for cid, chart in charts.items():
            self.assertIn(chart["axis"]["unit"], ("count", "percent", "million"), cid)
            self.assertTrue(chart["axis"]["name"], cid)
        self.assertEqual(charts["ntm_tiers"]["axis"]["unit"], "count")
        self.assertEqual(charts["recommendations"]["axis"]["unit"], "count")

    def test_outputs_chart_is_percent_of_target_by_name(self) -> None:
        chart = self._charts(self.world.cao_bang, 2023)["outputs"]
        rows = [r for r in chart["table"].rows if r["percent"] is not None]
        self.assertTrue(rows)
        self.assertEqual(len(chart["series"]), 1)  # no amounts of different units side by side
        self.assertEqual(chart["series"][0]["data"], [r["percent"] for r in rows])
        codes = {r["code"] for r in chart["table"].rows}
        for label in chart["categories"]:
            self.assertNotIn(label, codes)
            self.assertIsNone(re.fullmatch(r"[A-Z0-9_.]+", label), label)
        self.assertEqual(chart["axis"]["unit"], "percent")
        self.assertEqual(chart["mark"], 100)

    def test_pages_carry_axes_and_map_words_in_english(self) -> None:
        self.client.force_login(self.world.central)
        self.client.cookies["django_language"] = "en"
        page = self.client.get(reverse("dashboards:unit", args=[self.world.cao_bang.pk])).content.decode()
        self.assertIn(reverse("core:jsi18n"), page)  # the map's words: the JavaScript catalogue (0060)
        words = self.client.get(reverse("core:jsi18n")).content.decode()
        self.assertIn('"No data"', words)
        self.assertIn('"Target"', words)
        charts = json.loads(
            re.search(r'<script id="dashboard-charts"[^>]*>(.*?)</script>', page, re.S).group(1)
        )
        self.assertEqual(charts["ntm_tiers"]["axis"]["unit"], "count")
        portal = self.client.get(reverse("portal:province", args=[self.world.cao_bang.pk]), {"year": 2023})
        data = json.loads(
            re.search(
                r'<script id="dashboard-charts"[^>]*>(.*?)</script>', portal.content.decode(), re.S
            ).group(1)
        )
        self.assertEqual(data["outputs"]["axis"]["unit"], "percent")
        self.assertNotIn("GNBV.", " ".join(data["outputs"]["categories"]))
