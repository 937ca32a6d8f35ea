"""The campaign benchmark (benchmarks/survey_campaign.py) runs at its smallest size, measures the page, the
campaign opening and the sync, and leaves nothing behind."""

from __future__ import annotations

from django.test import TestCase

from benchmarks.survey_campaign import run
from mtqg.poverty.models import Household
from mtqg.survey.models import Campaign, SurveyResponse


class CampaignBenchmarkTest(TestCase):
    def test_tiny_run_measures_and_rolls_back(self) -> None:
        rows = {r["name"]: r for r in run("tiny")}
        self.assertEqual(
            set(rows),
            {
                "survey.campaign_page_300_households",
                "survey.campaign_create_300_households",
                "survey.sync_50_reviews_one_device",
            },
        )
        self.assertTrue(all(r["value"] > 0 for r in rows.values()))
        sync = rows["survey.sync_50_reviews_one_device"]
        self.assertEqual(sync["target"], 5.0)
        # medians of 5 alternating samples, min/max kept, the naive per-review loop measured side by side
        self.assertEqual((sync["n"], sync["baseline_n"]), (5, 5))
        self.assertLessEqual(sync["min"], sync["value"])
        self.assertIn("naive per-review ORM loop", sync["baseline_name"])
        self.assertEqual(rows["survey.campaign_create_300_households"]["n"], 5)  # not a single run
        self.assertIn("plain queries", rows["survey.campaign_page_300_households"]["baseline_name"])
        self.assertFalse(Household.objects.filter(code__startswith="BENCH-SV-").exists())
        self.assertFalse(Campaign.objects.exists() or SurveyResponse.objects.exists())
