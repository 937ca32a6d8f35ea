"""The national-scale paths at tiny scale: server-side register (PostgreSQL), NTM statuses written with the rows,
index rebuild around the bulk load, and the PostgreSQL-only guard of `--scale national`."""

from __future__ import annotations

import copy
from typing import Any
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import TestCase

from mtqg.ntm import engine
from mtqg.ntm.models import Assessment, CriterionResult
from mtqg.poverty.models import Household, Member, PovertyStandard, Review
from mtqg.poverty.standards import decide, load_standards
from mtqg.synthetic import sqlgen
from mtqg.synthetic.generator import MARK, Generator, load_profile


def index_names(table: str) -> set[str]:
    with connection.cursor() as cur:
        return set(connection.introspection.get_constraints(cur, table))


def ntm_rows() -> tuple[list[Any], list[Any]]:
    assessments = sorted(
        Assessment.objects.filter(note=MARK).values_list(
            "id", "criteria_met", "criteria_basic", "criteria_unknown", "criteria_total", "region"
        )
    )
    results = sorted(
        CriterionResult.objects.values_list(
            "assessment_id", "criterion_id", "computed_status", "status", "explanation", "overridden"
        )
    )
    return assessments, results


class BandTests(TestCase):
    """Every income/deprivation band the server-side generator draws from gives exactly its class under
    `decide`, for every standard in the data file (income-only, poor_any, no average band) and both areas."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_standards()

    def test_every_band_is_one_class_everywhere_in_it(self) -> None:
        checked = 0
        for standard in PovertyStandard.objects.all():
            for area in ("rural", "urban"):
                for band in sqlgen.bands(standard, area):
                    lines = standard.lines[area]
                    for k in range(band.lo_k, band.hi_k + 1):  # every income the band can produce
                        for count in range(band.c_lo, band.c_hi + 1):
                            self.assertEqual(
                                decide(lines, standard.deprivation_cutoff, k * 1000, count), band.cls
                            )
                    checked += 1
        self.assertGreaterEqual(checked, 5 * 2 * 4)

    def test_classes_a_standard_cannot_produce_fall_back_to_none(self) -> None:
        nd351 = PovertyStandard.objects.get(code="nd351_2025")  # no average band
        by_target = {b.target: b.cls for b in sqlgen.bands(nd351, "rural")}
        self.assertEqual(by_target["average"], "none")
        self.assertEqual(by_target["poor"], "poor")
        qd59 = PovertyStandard.objects.get(code="qd59_2015")  # income ≤ poor_any is poor whatever the count
        near = next(b for b in sqlgen.bands(qd59, "rural") if b.target == "near_poor")
        self.assertGreater(near.lo_k * 1000, qd59.lines["rural"]["poor_any"])


class FastPathTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        profile = copy.deepcopy(load_profile())
        profile["scales"]["tiny"]["rebuild_indexes"] = True  # the national path: indexes dropped and rebuilt
        cls.indexes = {t: index_names(t) for t in ("poverty_household", "poverty_review", "poverty_member")}
        cls.stats = Generator("tiny", 5, profile=profile).run()

    def test_register_classes_are_what_decide_says(self) -> None:
        reviews = list(Review.objects.select_related("standard", "household"))
        self.assertEqual(len(reviews), self.stats.counts["reviews"])
        classes = set()
        for r in reviews:  # every generated review re-decided in Python
            lines = r.standard.lines[r.area]
            self.assertEqual(
                r.poverty_class, decide(lines, r.standard.deprivation_cutoff, r.income_per_capita_month,
                                        r.deprivation_count)
            )  # fmt: skip
            self.assertEqual(len(set(r.deprivations)), r.deprivation_count)
            self.assertEqual(r.income_per_capita_month % 1000, 0)
            self.assertEqual(r.ethnicity, r.household.ethnicity)
            classes.add(r.poverty_class)
        self.assertEqual(classes, {"poor", "near_poor", "average", "none"})

    def test_households_are_spread_over_the_communes_as_the_profile_says(self) -> None:
        counts = dict(
            Household.objects.filter(code__startswith=f"{MARK}-")
            .values_list("commune__code")
            .annotate(n=Count("id"))
        )
        per = load_profile()["scales"]["tiny"]["households_per_commune"]
        self.assertEqual(len(counts), 12)
        for n in counts.values():
            self.assertTrue(per * 0.5 - 1 <= n <= per * 1.5 + 1)
        first = Household.objects.filter(code__startswith=f"{MARK}-").order_by("code").first()
        assert first is not None
        self.assertRegex(first.code, r"^SYN-\d{5}-00000$")
        self.assertTrue(first.head_name and first.head_search == first.head_search.lower())

    def test_members_one_to_six_per_household_head_first(self) -> None:
        per_household = dict(Member.objects.values_list("household_id").annotate(n=Count("id")).order_by())
        self.assertEqual(len(per_household), self.stats.counts["households"])
        self.assertEqual(sum(per_household.values()), self.stats.counts["members"])
        self.assertEqual({min(per_household.values()), max(per_household.values())}, {1, 6})
        for household in Household.objects.prefetch_related("members")[:50]:
            people = sorted(household.members.all(), key=lambda m: m.pk)
            head = people[0]
            self.assertEqual((head.full_name, head.search_name, head.relation), (household.head_name,
                             household.head_search, "Chủ hộ"))  # fmt: skip
            family = household.head_name.split(" ")[0]
            for m in people[1:]:
                self.assertTrue(m.full_name.startswith(family + " "))
                self.assertNotEqual(m.relation, "Chủ hộ")
                self.assertEqual(m.ethnicity, household.ethnicity)
                self.assertIn(m.sex, ("M", "F"))
                assert m.birth_date is not None
                self.assertTrue(1940 <= m.birth_date.year <= 2024)

    def test_indexes_and_constraints_are_back_after_the_bulk_load(self) -> None:
        for table, names in self.indexes.items():
            self.assertEqual(index_names(table), names)

    def test_ntm_statuses_equal_what_the_engine_recompute_writes(self) -> None:
        before = ntm_rows()
        self.assertTrue(before[1])
        engine.recompute(Assessment.objects.filter(note=MARK), refresh_regions=False)
        self.assertEqual(ntm_rows(), before)

    def test_same_seed_same_register_whatever_the_chunking(self) -> None:
        def digest() -> list[Any]:
            return list(
                Review.objects.order_by("household__code", "year").values_list(
                    "household__code", "year", "income_per_capita_month", "poverty_class", "deprivations"
                )
            )

        first = digest()
        profile = copy.deepcopy(load_profile())
        profile["scales"]["tiny"]["sql_chunk"] = 5
        Generator("tiny", 5, profile=profile).run()
        self.assertEqual(digest(), first)


class NationalGuardTests(TestCase):
    def test_national_scale_refuses_sqlite_with_a_message(self) -> None:
        with (
            mock.patch.object(connection, "vendor", "sqlite"),
            self.assertRaisesMessage(CommandError, "chỉ chạy trên PostgreSQL"),
        ):
            call_command("generate_synthetic", "--scale", "national")
        self.assertFalse(Household.objects.filter(code__startswith=f"{MARK}-").exists())
