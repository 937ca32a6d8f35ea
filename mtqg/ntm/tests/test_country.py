"""NTM for the whole country (issue 22): regions as reference data, sets in force, groups, applicability, tiers."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase

from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion
from mtqg.geo.reference import REGIONS_FILE
from mtqg.ntm import engine
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import CriteriaSet, CriteriaSetPeriod, CriterionResult
from mtqg.ntm.periods import criteria_periods_replace, set_in_force
from mtqg.ntm.selectors import set_for_date
from mtqg.ntm.tests.factories import assessed, commune
from mtqg.testing import unit


class RegionsAsReferenceDataTest(TestCase):
    """Part 1: every commune has its NTM region from the GSO list, without demo data."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()

    def test_every_pre2025_and_2025_commune_has_a_region(self) -> None:
        communes = UnitVersion.objects.filter(level=UnitVersion.Level.COMMUNE)
        regioned = UnitClassification.objects.filter(scheme__code="ntm_region").values("unit_id")
        self.assertEqual(communes.exclude(pk__in=regioned).count(), 0)
        data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
        self.assertEqual(sum(len(v) for v in data["regions"].values()), 63)
        self.assertIn("Tổng cục Thống kê", data["source"])
        demo = (REGIONS_FILE.parent / "demo_classifications.json").read_text(encoding="utf-8")
        self.assertNotIn('"ntm_region"', demo)  # not demo data any more
        qn = UnitClassification.objects.filter(
            scheme__code="ntm_region", unit__path__startswith=unit("pre2025", 1, "22").path
        )
        self.assertEqual(set(qn.values_list("value", "unconfirmed")), {("dbsh", True)})

    def test_binh_phuoc_commune_gets_real_thresholds(self) -> None:
        binh_phuoc = commune(unit("pre2025", 1, "70"))
        a = assessed(binh_phuoc, 2023, code="qd318-1", values={"2.1": 100, "15.3": 20})
        self.assertEqual(a.region, "dnb")
        transport = CriterionResult.objects.get(assessment=a, criterion__number=2)
        self.assertIn("2.1: 100% ≥ 100% yêu cầu vùng ĐNB", transport.explanation)
        health = CriterionResult.objects.get(assessment=a, criterion__number=15)
        self.assertIn("15.3: 20% > 14,5% yêu cầu vùng ĐNB", health.explanation)

    def test_merged_province_spanning_two_regions_resolves_per_commune(self) -> None:
        phu_tho = unit("2025", 1, "25")
        regions = dict(
            UnitClassification.objects.filter(
                scheme__code="ntm_region", unit__path__startswith=phu_tho.path
            ).values_list("unit_id", "value")
        )
        self.assertEqual(set(regions.values()), {"tdmnpb", "dbsh"})
        from_vinh_phuc = (
            UnitLineage.objects.filter(
                predecessor__path__startswith=unit("pre2025", 1, "26").path,
                successor__path__startswith=phu_tho.path,
                successor__level=UnitVersion.Level.COMMUNE,
            )
            .values_list("successor_id", flat=True)
            .first()
        )
        self.assertEqual(regions[from_vinh_phuc], "dbsh")
        cset = CriteriaSet.objects.get(code="qd318-1-211")
        found = engine.resolve_regions(cset, [from_vinh_phuc], date(2025, 12, 31))
        self.assertEqual(found, {from_vinh_phuc: "dbsh"})

    def test_atk_commune_uses_tdmnpb_only_in_a_poor_district(self) -> None:
        cset = CriteriaSet.objects.get(code="qd318-1")
        scheme = ClassificationScheme.objects.get(code="p135_commune")
        poor = ClassificationScheme.objects.get(code="poor_district_30a")
        vinh_phuc = unit("pre2025", 1, "26")
        communes = list(
            UnitVersion.objects.filter(
                path__startswith=vinh_phuc.path, level=UnitVersion.Level.COMMUNE
            ).order_by("code")
        )
        first, other = communes[0], next(c for c in communes if c.parent_id != communes[0].parent_id)
        for c in (first, other):
            UnitClassification.objects.create(unit=c, scheme=scheme, value="atk")
        UnitClassification.objects.create(unit_id=first.parent_id, scheme=poor, value="yes")
        found = engine.resolve_regions(cset, [first.pk, other.pk], date(2023, 12, 31))
        self.assertEqual(found, {first.pk: "tdmnpb", other.pk: "dbsh"})
        rule = next(r for r in cset.region_overrides if r.get("district_scheme"))
        self.assertTrue(rule["unconfirmed"])
        self.assertIn("318/QĐ-TTg", rule["citation"])


class SetInForceEveryDayTest(TestCase):
    """Part 3: periods from the instruments' dates of effect, explicit transitions, gaps and overlaps refused."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()

    def test_dates_of_effect_and_transitions(self) -> None:
        expected = {
            date(2021, 12, 31): ("qd1980", False),
            date(2022, 3, 7): ("qd1980", True),
            date(2022, 3, 8): ("qd318-1", False),
            date(2024, 3, 1): ("qd318-1-211", False),
            date(2026, 1, 31): ("qd318-1-211", True),
            date(2026, 2, 15): ("qd51-2025", False),
        }
        for on, (code, transitional) in expected.items():
            found = set_in_force(on)
            assert found is not None
            self.assertEqual((found.criteria_set.code, found.period.transitional), (code, transitional), on)
        self.assertEqual(set_for_date(date(2022, 2, 1)).code, "qd1980")  # not QĐ 318 before 08/03/2022
        self.assertEqual(str(CriteriaSet.objects.get(code="qd318-1").valid_from), "2022-03-08")
        periods = list(CriteriaSetPeriod.objects.filter(scope="national-standard").order_by("valid_from"))
        for prev, nxt in itertools.pairwise(periods):
            self.assertEqual(nxt.valid_from - prev.valid_to, timedelta(days=1))
        self.assertTrue(all(p.basis for p in periods))
        # a province's own set where one is in force, else the national one
        db_old = unit("pre2025", 1, "11")
        self.assertEqual(set_in_force(date(2020, 6, 1), province=db_old).criteria_set.code, "dien-bien-2017")
        self.assertEqual(set_in_force(date(2023, 6, 1), province=db_old).criteria_set.code, "qd318-1")

    def _data(self, periods: list[dict[str, str]]) -> dict[str, object]:
        return {
            "scopes": [
                {"scope": "national-standard", "tier": "standard", "province": None, "periods": periods}
            ]
        }

    def test_gap_and_overlap_are_refused_and_nothing_is_written(self) -> None:
        before = list(CriteriaSetPeriod.objects.values_list("scope", "valid_from", "criteria_set__code"))
        gap = self._data(
            [
                {"set": "qd1980", "from": "2016-12-01", "to": "2021-12-31", "basis": "x"},
                {"set": "qd318-1", "from": "2022-03-08", "to": "2024-02-29", "basis": "y"},
            ]
        )
        with self.assertRaisesMessage(
            ValidationError, "khoảng trống từ 01/01/2022 đến 07/03/2022, không có bộ tiêu chí nào áp dụng"
        ):
            criteria_periods_replace(actor=None, data=gap)
        overlap = self._data(
            [
                {"set": "qd1980", "from": "2016-12-01", "to": "2022-12-31", "basis": "x"},
                {"set": "qd318-1", "from": "2022-03-08", "to": "2024-02-29", "basis": "y"},
            ]
        )
        with self.assertRaisesMessage(ValidationError, "chồng lấn từ ngày 08/03/2022"):
            criteria_periods_replace(actor=None, data=overlap)
        wrong_tier = self._data([{"set": "qd318-2", "from": "2022-03-08", "to": "2024-02-29", "basis": "x"}])
        with self.assertRaisesMessage(ValidationError, "không thuộc hạng standard"):
            criteria_periods_replace(actor=None, data=wrong_tier)
        after = list(CriteriaSetPeriod.objects.values_list("scope", "valid_from", "criteria_set__code"))
        self.assertEqual(before, after)

    def test_summary_names_the_set_and_why_on_any_date(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command("report", "ntm-summary", "--unit", "11", "--as-of", "2026-01-31", "--format", "json")
        data = json.loads(out.getvalue())
        self.assertEqual(data["criteria_set"]["code"], "qd318-1-211")
        self.assertIn("chuyển tiếp", data["criteria_set_reason"])
        self.assertIn("15/02/2026", data["criteria_set_reason"])
