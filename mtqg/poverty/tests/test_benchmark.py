"""The import benchmark itself (benchmarks/poverty_import.py) runs on a small file: ours, the floor and
django-import-export are measured on the same rows, and nothing of the benchmark stays in the register."""

from __future__ import annotations

from django.test import TestCase

from benchmarks.poverty_import import measure
from mtqg.poverty.models import Household, ImportBatch, Review


class ImportBenchmarkTests(TestCase):
    def test_measures_ours_floor_and_baseline_and_leaves_nothing(self) -> None:
        before = (Household.objects.count(), Review.objects.count())
        m = measure(3_000, 300)
        self.assertEqual(m["rows"], 3_000)
        for key in ("ours_rows_per_s", "floor_rows_per_s", "theirs_rows_per_s"):
            self.assertGreater(m[key], 0, key)
        self.assertAlmostEqual(m["of_floor"], m["ours_rows_per_s"] / m["floor_rows_per_s"])
        self.assertEqual((Household.objects.count(), Review.objects.count()), before)
        self.assertFalse(ImportBatch.objects.filter(file_name="bench.csv").exists())
