"""generate_synthetic at scale `tiny`: deterministic, re-runnable, records from which the app computes figures."""

from __future__ import annotations

import hashlib
import io
import json

from django.core.management import call_command
from django.db.models import F
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.finance.models import Allocation, CapitalPlan, Disbursement, Work
from mtqg.geo.models import UnitVersion
from mtqg.ntm.models import Assessment, CriterionResult, IndicatorValue, Recognition
from mtqg.poverty.models import Household, Member, Review
from mtqg.poverty.standards import decide
from mtqg.synthetic.generator import MARK, generate, load_profile
from mtqg.workflow.models import Report, ReportDecision, ReportValue


def _marked(model: type) -> dict[str, str]:
    """The filter that keeps the synthetic rows of a model."""
    return {
        Member: {"household__code__startswith": f"{MARK}-"},
        IndicatorValue: {"assessment__note": MARK},
        CriterionResult: {"assessment__note": MARK},
        Recognition: {"decision_no__startswith": f"{MARK}-"},
        CapitalPlan: {"note": MARK},
        Report: {"note": MARK},
        ReportValue: {"report__note": MARK},
        ReportDecision: {"report__note": MARK},
    }[model]


def fingerprint() -> str:
    """A digest of the generated records (ids excluded) to compare two runs."""
    h = hashlib.sha256()
    for row in Household.objects.order_by("code").values_list("code", "head_name", "commune__code", "area"):
        h.update(repr(row).encode())
    for row in Review.objects.order_by("household__code", "year").values_list(
        "household__code", "year", "income_per_capita_month", "poverty_class", "deprivation_count"
    ):
        h.update(repr(row).encode())
    for row in Assessment.objects.order_by("commune__path", "year").values_list(
        "commune__code", "year", "criteria_met", "criteria_total"
    ):
        h.update(repr(row).encode())
    for row in Disbursement.objects.order_by("allocation__work__code", "paid_on", "amount").values_list(
        "allocation__work__code", "paid_on", "amount"
    ):
        h.update(repr(row).encode())
    # every domain the steps write (one module each since the split): members, values and statuses, recognitions,
    # capital plan, reports with their values and decisions
    for model, order, fields in (
        (Member, ("household__code", "full_name", "birth_date"), ("household__code", "full_name", "birth_date", "sex")),
        (IndicatorValue, ("assessment__commune__path", "assessment__year", "assessment__criteria_set__code", "indicator__code"),
         ("assessment__commune__code", "assessment__year", "indicator__code", "value", "not_applicable")),
        (CriterionResult, ("assessment__commune__path", "assessment__year", "assessment__criteria_set__code", "criterion__number"),
         ("assessment__commune__code", "assessment__year", "criterion__number", "status")),
        (Recognition, ("commune__path",), ("commune__code", "decision_no", "standard_year")),
        (CapitalPlan, ("unit__path", "year", "source", "program__code"), ("unit__code", "year", "source", "amount")),
        (Report, ("unit__path", "period__start"), ("unit__code", "period__start", "status", "submitted_at")),
        (ReportValue, ("report__unit__path", "report__period__start", "code"), ("report__unit__code", "code", "value")),
        (ReportDecision, ("report__unit__path", "report__period__start", "action"), ("report__unit__code", "action")),
    ):  # fmt: skip
        for row in model.objects.filter(**_marked(model)).order_by(*order).values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()


class TinyScaleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        out = io.StringIO()
        call_command("generate_synthetic", "--scale", "tiny", "--seed", "3", "--json", stdout=out)
        cls.payload = json.loads(out.getvalue())
        cls.first = fingerprint()

    def test_counts_reported_match_records(self) -> None:
        counts = self.payload["counts"]
        self.assertEqual(counts["households"], Household.objects.filter(code__startswith=f"{MARK}-").count())
        self.assertEqual(counts["reviews"], Review.objects.count())
        self.assertEqual(counts["ntm_assessments"], Assessment.objects.filter(note=MARK).count())
        self.assertEqual(counts["ntm_indicator_values"], IndicatorValue.objects.count())
        self.assertEqual(counts["works"], Work.objects.count())
        self.assertEqual(counts["reports"], Report.objects.filter(note=MARK).count())
        self.assertGreater(counts["households"], 12 * 20)
        self.assertEqual(counts["reviews"], 2 * counts["households"])  # tiny: reviews 2023 and 2024

    def test_on_real_units_of_both_structures(self) -> None:
        structures = set(
            Assessment.objects.filter(note=MARK).values_list("commune__structure", flat=True).distinct()
        )
        self.assertEqual(structures, {"pre2025", "2025"})
        years = sorted(set(Assessment.objects.values_list("year", flat=True)))
        self.assertEqual(years, list(range(2016, 2027)))
        dien_bien = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
        self.assertFalse(Household.objects.exclude(commune__path__startswith=dien_bien.path).exists())
        self.assertEqual(
            Household.objects.values("commune").distinct().count(),
            load_profile()["scales"]["tiny"]["max_communes"],
        )

    def test_ntm_statuses_are_computed_by_the_engine(self) -> None:
        a = Assessment.objects.filter(note=MARK, year=2019).first()
        assert a is not None
        self.assertEqual(a.criteria_total, 19)
        self.assertEqual(CriterionResult.objects.filter(assessment=a).count(), 19)
        self.assertEqual(a.criteria_met, CriterionResult.objects.filter(assessment=a, status="dat").count())
        recognised = Recognition.objects.filter(decision_no__startswith=f"{MARK}-")
        self.assertTrue(recognised.exists())
        for r in recognised:  # recognised the first year its assessment met every criterion
            self.assertTrue(
                Assessment.objects.filter(
                    commune=r.commune, year=r.standard_year, criteria_met=F("criteria_total")
                ).exists()
            )

    def test_poverty_classes_follow_the_standard_rule(self) -> None:
        for review in Review.objects.select_related("standard")[:200]:
            lines = review.standard.lines[review.area]
            self.assertEqual(
                review.poverty_class,
                decide(lines, review.standard.deprivation_cutoff, review.income_per_capita_month,
                       review.deprivation_count),
            )  # fmt: skip
        poor = Review.objects.filter(year=2024, poverty_class__in=["poor", "near_poor"]).count()
        self.assertGreater(poor, 0)  # Điện Biên is in TDMNPB: 14,98% poor + near-poor in 2024

    def test_money_is_whole_vnd_and_payments_stay_within_allocations(self) -> None:
        for alloc in Allocation.objects.filter(decision_ref=MARK).prefetch_related("disbursements")[:50]:
            paid = sum(d.amount for d in alloc.disbursements.all())
            self.assertLessEqual(paid, alloc.amount)
            self.assertEqual(alloc.amount, alloc.amount.to_integral_value())

    def test_rerun_is_deterministic_and_replaces_only_synthetic_rows(self) -> None:
        stats = generate("tiny", 3)
        self.assertEqual(dict(stats.counts)["households"], self.payload["counts"]["households"])
        self.assertEqual(fingerprint(), self.first)
        self.assertEqual(
            ChangeRecord.objects.filter(action="imported", reason="generate_synthetic").count(), 2
        )
        other = generate("tiny", 4)
        self.assertEqual(Household.objects.count(), dict(other.counts)["households"])
        self.assertNotEqual(fingerprint(), self.first)
