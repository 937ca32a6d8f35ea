"""Poverty rates by targeting class (poor 30a districts, QĐ 293 districts, Program 135 communes) on the dashboards:
the same households, poor and near-poor as the poverty app's own `by_area_class` (decision 0717)."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.test import TestCase

from mtqg.core.formatting import percent_vi
from mtqg.geo.models import UnitClassification, UnitVersion
from mtqg.poverty.demo import seed_area_classes
from mtqg.poverty.reports import summary as poverty_summary
from mtqg.reports.params import parse_params
from mtqg.testing import make_world

from .. import panels, rollups
from ..services import summaries_rebuild
from . import factories
from .test_rollups import add_records

CLASS_KEYS = {
    "poor_districts_30a": "class=p30a",
    "districts_293": "class=d293",
    "p135_communes": "class=p135",
}


class AreaClassTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        seed_area_classes()  # 97 Program-135 communes of Điện Biên, 2017-2020
        old = cls.world.dien_bien_old
        on = date(2020, 12, 31)
        poor_districts = list(
            UnitClassification.objects.as_of(on)
            .filter(scheme__code="poor_district_30a", value="yes", unit__path__startswith=old.path)
            .values_list("unit_id", flat=True)
        )
        p135 = set(
            UnitClassification.objects.as_of(on)
            .filter(scheme__code="p135_commune", unit__path__startswith=old.path)
            .values_list("unit_id", flat=True)
        )
        communes = UnitVersion.objects.filter(
            path__startswith=old.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
        ).order_by("code")
        cls.in_30a = communes.filter(parent_id__in=poor_districts).first()
        cls.in_135 = communes.filter(pk__in=p135).exclude(pk=getattr(cls.in_30a, "pk", None)).first()
        for commune in (cls.in_30a, cls.in_135):
            add_records(commune)  # 20 households, 8 poor in 2020
        factories.poverty_rows(old)
        summaries_rebuild(unit=cls.world.dien_bien)

    def setUp(self) -> None:
        cache.clear()

    def test_same_figures_as_the_poverty_report(self) -> None:
        self.assertIsNotNone(self.in_30a)
        self.assertIsNotNone(self.in_135)
        for year in (2019, 2020):
            report = poverty_summary(None, parse_params({"unit": "11", "year": str(year)}))["by_area_class"]
            f = panels.Filters(self.world.dien_bien, year)
            facts = panels.load(None, f)
            with rollups.disabled():
                computed = panels.load(None, f)
            for name, key in CLASS_KEYS.items():
                poor, households = facts.get("poverty.poor", year, key=key)
                near, _h = facts.get("poverty.near_poor", year, key=key)
                self.assertEqual(
                    (poor, near, households),
                    (report[name]["poor"], report[name]["near_poor"], report[name]["households"]),
                    f"{name} {year}",
                )
                self.assertEqual(computed.get("poverty.poor", year, key=key), [poor, households])
        self.assertGreaterEqual(report["poor_districts_30a"]["households"], 20)
        self.assertGreaterEqual(report["p135_communes"]["households"], 20)

    def test_chart_with_its_table_and_rates_recomputed(self) -> None:
        f = panels.Filters(self.world.dien_bien, 2020)
        chart = next(c for c in panels.dashboard(None, f)["charts"] if c["id"] == "poverty_classes")
        row = next(r for r in chart["table"].rows if r["year"] == 2020)
        report = poverty_summary(None, parse_params({"unit": "11", "year": "2020"}))["by_area_class"]
        self.assertEqual(row["p30a_rate"], report["poor_districts_30a"]["poor_rate"])
        self.assertEqual(row["p135_rate"], report["p135_communes"]["poor_rate"])
        self.assertEqual(row["p135_near_rate"], report["p135_communes"]["near_poor_rate"])
        self.assertEqual(len(chart["series"]), 4)  # the whole unit and the three classes
        figure = next(fig for fig in panels.dashboard(None, f)["figures"] if "30a" in str(fig["label"]))
        self.assertEqual(figure["value"], percent_vi(report["poor_districts_30a"]["poor_rate"]))
        # the ethnicity chart does not mistake the class keys for ethnic groups
        groups = next(c for c in panels.dashboard(None, f)["charts"] if c["id"] == "poverty_groups")
        self.assertFalse([r for r in groups["table"].rows if str(r["label"]).startswith("p")])

    def test_page_and_xlsx(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        url = f"/dashboards/{self.world.dien_bien_old.pk}/"
        self.assertContains(self.client.get(url + "?year=2020"), 'id="chart-poverty_classes"')
        self.assertNotContains(self.client.get(url + "?year=2020&program=ntm"), 'id="chart-poverty_classes"')
        response = self.client.get(url + "xlsx/poverty_classes/?year=2020")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
