"""The summary command and API reproduce the published figures from the demo's commune-level values."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from django.core.management import call_command
from django.test import TestCase

from mtqg.ntm import demo
from mtqg.ntm.models import Assessment, IndicatorValue, Recognition
from mtqg.testing import make_world


def report(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call_command("report", "ntm-summary", *args, "--format", "json")
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


class DienBienSummaryTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed_dien_bien()
        cls.world = make_world()

    def test_seed_is_values_not_totals_and_idempotent(self) -> None:
        n = Assessment.objects.count()
        self.assertEqual(n, 230)
        self.assertGreater(IndicatorValue.objects.count(), 230 * 40)
        demo.seed_dien_bien()
        self.assertEqual(Assessment.objects.count(), n)

    def test_end_of_november_2020(self) -> None:
        data = report("--unit", "11", "--as-of", "2020-11-30")
        self.assertEqual(data["communes"], 115)
        self.assertEqual((data["recognised"], data["basically_met"]), (19, 14))
        self.assertEqual(data["recognised"] + data["basically_met"], 33)
        self.assertEqual(data["schemes"][0]["communes"], 29)
        self.assertEqual(data["schemes"][0]["recognised_or_basically_met"], 8)

    def test_end_of_2020(self) -> None:
        data = report("--unit", "11", "--as-of", "2020-12-31", "--bands", "19,15-18,10-14,5-9,0-4")
        self.assertEqual(
            set(data)
            >= {
                "unit",
                "as_of",
                "criteria_set",
                "communes",
                "recognised",
                "recognised_rate",
                "basically_met",
                "advanced",
                "model",
                "bands",
                "average_criteria_met",
            },
            True,
        )
        self.assertEqual(data["unit"], {"code": "11", "name": "Tỉnh Điện Biên"})
        self.assertEqual(data["as_of"], "2020-12-31")
        self.assertEqual(data["criteria_set"]["code"], "dien-bien-2017")
        self.assertEqual(data["recognised"], 21)
        self.assertEqual(data["recognised_rate"], 18.26)
        self.assertEqual(data["bands"], {"19": 21, "15-18": 22, "10-14": 30, "5-9": 42, "0-4": 0})
        self.assertEqual(data["average_criteria_met"], 11.7)
        self.assertEqual(data["advanced"], 1)
        self.assertEqual(data["model"], 0)
        self.assertEqual(data["schemes"][0]["recognised_or_basically_met"], 8)
        self.assertEqual(data["boundary"]["structure"], "pre2025")

    def test_2026_new_communes_by_group_without_inheritance(self) -> None:
        demo.seed_dien_bien_2026()
        n = Assessment.objects.count()
        demo.seed_dien_bien_2026()
        self.assertEqual(Assessment.objects.count(), n)
        data = report("--unit", "11", "--as-of", "2026-12-31")
        self.assertEqual(data["boundary"]["structure"], "2025")
        self.assertEqual(data["criteria_set"]["code"], "qd51-2025")
        self.assertEqual((data["communes"], data["assessed"]), (42, 42))
        self.assertEqual(data["recognised"], 0)  # nothing inherited from the pre-2025 communes
        self.assertEqual(sum(data["bands"].values()), 42)
        self.assertEqual(list(data["bands"]), ["10", "8-9", "5-7", "0-4"])
        new = Assessment.objects.filter(year=2026)
        self.assertEqual(set(new.values_list("region", flat=True)), {"3"})
        self.assertEqual(set(new.values_list("criteria_unknown", flat=True)), {0})
        self.assertGreater(
            data["merged_communes"]["all_predecessors_recognised"]
            + data["merged_communes"]["some_predecessors_recognised"],
            0,
        )

    def test_recognitions_match_computed_assessments(self) -> None:
        for rec in Recognition.objects.filter(tier="dat_chuan"):
            a = Assessment.objects.get(commune=rec.commune, year=rec.standard_year)
            self.assertEqual(a.criteria_met, 19)

    def test_api_serves_same_json_and_scope(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/reports/ntm-summary/", {"unit": "11", "as_of": "2020-12-31"})
        self.assertEqual(response.status_code, 200)
        served = response.json()
        self.assertEqual(
            set(served) - set(report("--unit", "11", "--as-of", "2020-12-31")), {"figures_as_of", "stale"}
        )
        self.assertEqual(
            {k: v for k, v in served.items() if k not in ("figures_as_of", "stale")},
            report("--unit", "11", "--as-of", "2020-12-31"),
        )
        bad = self.client.get(
            "/api/v1/reports/ntm-summary/", {"unit": "11", "as_of": "2020-12-31", "bands": "19,x-3"}
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("bands", bad.json()["error"]["fields"])
        self.assertEqual(self.client.get("/api/v1/reports/ntm-summary/", {"unit": "99999"}).status_code, 400)
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(
            self.client.get(
                "/api/v1/reports/ntm-summary/", {"unit": "11", "as_of": "2020-12-31"}
            ).status_code,
            404,
        )


class CaoBangSummaryTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed_cao_bang()

    def test_2023(self) -> None:
        data = report("--unit", "04", "--year", "2023", "--bands", "19,17-18,0-16")
        self.assertEqual(data["criteria_set"]["code"], "qd318-1")
        self.assertEqual(data["communes"], 139)
        self.assertEqual(data["recognised"], 17)
        self.assertEqual(data["bands"]["17-18"], 5)
        self.assertEqual(data["average_criteria_met"], 13.0)
