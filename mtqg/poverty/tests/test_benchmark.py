"""The import benchmark itself (benchmarks/poverty_import.py) runs on a small file: ours, the floor and
django-import-export (fast and default mode, households AND reviews) are measured on the same rows, every figure
keeps its samples, and nothing of the benchmark stays in the register or in the tallies."""

from __future__ import annotations

from django.db.models import Sum
from django.test import TestCase

from benchmarks.poverty_import import measure
from mtqg.poverty.models import Household, ImportBatch, Review, ReviewTally


class ImportBenchmarkTests(TestCase):
    def test_measures_ours_floor_and_both_baselines_and_leaves_nothing(self) -> None:
        before = (Household.objects.count(), Review.objects.count())
        tallies = ReviewTally.objects.aggregate(n=Sum("households"))["n"]
        m = measure(3_000, 300, 100, repeat=2)
        self.assertEqual((m["rows"], m["theirs_rows"], m["default_rows"]), (3_000, 300, 100))
        for key in ("ours", "ours_with_refresh", "floor", "fast", "default", "stage_s", "commit_s"):
            self.assertEqual(len(m[key].samples), 2, key)
            self.assertGreater(min(m[key].samples), 0, key)
        self.assertEqual((Household.objects.count(), Review.objects.count()), before)
        self.assertEqual(ReviewTally.objects.aggregate(n=Sum("households"))["n"], tallies)
        self.assertFalse(ImportBatch.objects.filter(file_name="bench.csv").exists())
