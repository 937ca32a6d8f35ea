from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import classified_units
from mtqg.poverty import demo
from mtqg.poverty.models import Household, Review
from mtqg.poverty.reports import housing_supported, summary
from mtqg.reports.params import parse_params
from mtqg.testing import World, make_world

BASELINE_KEYS = {  # the baseline year's figures
    "unit",
    "year",
    "standard",
    "households",
    "poor",
    "poor_rate",
    "near_poor",
    "near_poor_rate",
    "poor_and_near_poor_rate",
    "by_ethnicity",
    "transitions",
}
KEYS = BASELINE_KEYS | {  # the summary adds the comparison and the year's context
    "baseline",
    "poor_change_percent",
    "poor_rate_change_points",
    "poor_districts_30a",
    "districts_293",
    "p135_communes",
    "p135_villages",
    "by_area_class",
    "review_year",  # which review the figures are
    "coverage",  # communes with records / all communes
}


class DemoSummaryTests(TestCase):
    """The Điện Biên register with the published poor counts (lean plan: fewer non-poor households, no members)."""

    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        demo.seed(members=False, plan=demo.DIEN_BIEN_LEAN)
        # fire PostgreSQL's deferred FK checks for the bulk rows once here, not again in every test's teardown

        connection.check_constraints()

    def test_dien_bien_2020_published_figures(self) -> None:
        result = summary(None, parse_params({"unit": "11", "year": "2020", "baseline": "2015"}))
        self.assertEqual(set(result), KEYS)
        self.assertEqual(result["households"], demo.DIEN_BIEN_LEAN.households)
        self.assertGreater(result["poor"], 43_000)
        self.assertEqual(result["poor_change_percent"], -15.09)
        self.assertEqual(result["standard"], "QĐ 59/2015/QĐ-TTg")
        self.assertEqual(result["baseline"]["poor"], 50_800)
        self.assertEqual(set(result["baseline"]), BASELINE_KEYS)
        self.assertEqual(result["poor_rate"], round(43_134 * 100 / demo.DIEN_BIEN_LEAN.households, 2))
        self.assertEqual(
            result["poor_rate_change_points"], round(result["poor_rate"] - result["baseline"]["poor_rate"], 2)
        )
        self.assertEqual((result["poor_districts_30a"], result["districts_293"]), (5, 2))
        self.assertEqual((result["p135_communes"], result["p135_villages"]), (97, 2))

    def test_cao_bang_2023_houses(self) -> None:
        province = UnitVersion.objects.get(structure="pre2025", level=1, code="04")
        self.assertEqual(housing_supported(province, 2023), 3_412)

    def test_seed_is_idempotent(self) -> None:
        before = (Household.objects.count(), Review.objects.count())
        demo.seed(members=False, plan=demo.DIEN_BIEN_LEAN)
        self.assertEqual((Household.objects.count(), Review.objects.count()), before)

    def test_command_and_api_give_same_json(self) -> None:
        with tempfile.NamedTemporaryFile(suffix=".json") as fh:
            call_command(
                "report",
                "poverty-summary",
                "--unit",
                "11",
                "--year",
                "2020",
                "--baseline",
                "2015",
                "--output",
                fh.name,
            )
            from_command = json.loads(Path(fh.name).read_text(encoding="utf-8"))
        self.client.force_login(self.world.dien_bien_officer)
        resp = self.client.get(
            "/api/v1/reports/poverty-summary/", {"unit": "11", "year": "2020", "baseline": "2015"}
        )
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp.json(), from_command)

    def test_api_scope_and_bad_params(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(
            self.client.get("/api/v1/reports/poverty-summary/", {"unit": "11", "year": "2020"}).status_code,
            404,
        )
        resp = self.client.get("/api/v1/reports/poverty-summary/", {"unit": "", "year": "abc"})
        self.assertEqual(resp.status_code, 400)
        self.assertEqual(set(resp.json()["error"]["fields"]), {"unit", "year"})

    def test_transitions_recorded(self) -> None:
        escaped = Review.objects.filter(year=2020, transition=Review.Transition.ESCAPED_POOR).count()
        new = Review.objects.filter(year=2020, transition=Review.Transition.NEW).count()
        self.assertGreater(escaped, 0)
        # poor 2020 = poor 2015 − escaped + new-poor (households poor in 2020 that were not poor before)
        new_poor = Review.objects.filter(
            year=2020, transition=Review.Transition.NEW, poverty_class="poor"
        ).count()
        self.assertEqual(50_800 - escaped + new_poor, 43_134)
        self.assertGreaterEqual(new, new_poor)
        result = summary(None, parse_params({"unit": "11", "year": "2020", "baseline": "2015"}))
        self.assertEqual(result["transitions"]["escaped_poor"], escaped)
        self.assertEqual(result["transitions"]["new"], new)
        by_eth = result["by_ethnicity"]
        self.assertEqual(sum(e["households"] for e in by_eth), result["households"])
        self.assertEqual(sum(e["poor"] for e in by_eth), 43_134)
        self.assertEqual(by_eth[0]["ethnicity"], "Thái")  # largest group first

    def test_by_area_class_matches_direct_counts(self) -> None:
        result = summary(None, parse_params({"unit": "11", "year": "2020"}))["by_area_class"]
        paths = list(
            classified_units("poor_district_30a", "yes", date(2020, 12, 31)).values_list("path", flat=True)
        )
        in_30a = Review.objects.filter(year=2020, commune__path__startswith=paths[0])
        for p in paths[1:]:
            in_30a = in_30a | Review.objects.filter(year=2020, commune__path__startswith=p)
        in_30a = in_30a.filter(
            commune__path__startswith=UnitVersion.objects.get(structure="pre2025", level=1, code="11").path
        )
        self.assertEqual(result["poor_districts_30a"]["households"], in_30a.count())
        self.assertEqual(result["poor_districts_30a"]["poor"], in_30a.filter(poverty_class="poor").count())
        self.assertGreater(result["p135_communes"]["poor"], 0)
        self.assertLessEqual(result["p135_communes"]["poor"], 43_134)

    def test_program_135_villages_counted_from_households_living_there(self) -> None:
        result = summary(None, parse_params({"unit": "11", "year": "2020"}))["by_area_class"]["p135_villages"]
        direct = Review.objects.filter(
            year=2020, household__village__isnull=False, household__village__code__contains="-T"
        )
        self.assertGreater(result["households"], 0)
        self.assertEqual(result["households"], direct.count())
        self.assertEqual(result["poor"], direct.filter(poverty_class="poor").count())
        self.assertEqual(
            set(Household.objects.exclude(village=None).values_list("village__name", flat=True)),
            {"Bản Minh họa 1", "Bản Minh họa 2"},
        )
        self.assertEqual(summary(None, parse_params({"unit": "11", "year": "2020"}))["p135_villages"], 2)
