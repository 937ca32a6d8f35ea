"""NTM for the whole country (issue 22): regions as reference data, sets in force, groups, applicability, tiers."""

from __future__ import annotations

import json
from datetime import date

from django.test import TestCase

from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion
from mtqg.geo.reference import REGIONS_FILE
from mtqg.ntm import engine
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import CriteriaSet, CriterionResult
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
