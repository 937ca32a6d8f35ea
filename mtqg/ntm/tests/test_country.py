"""NTM for the whole country (issue 22): regions as reference data, sets in force, groups, applicability, tiers."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.core.models import ChangeRecord
from mtqg.dashboards.models import SummaryFact
from mtqg.dashboards.services import summaries_rebuild
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion
from mtqg.geo.reference import REGIONS_FILE
from mtqg.ntm import demo, engine, services
from mtqg.ntm.groups import commune_groups_assign, groups_on
from mtqg.ntm.groups import template_xlsx as groups_template
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import (
    Assessment,
    CommuneGroupDecision,
    CriteriaSet,
    CriteriaSetPeriod,
    CriterionResult,
    Recognition,
    RecognitionTier,
    Threshold,
)
from mtqg.ntm.periods import criteria_periods_replace, set_in_force
from mtqg.ntm.selectors import set_for_date
from mtqg.ntm.tests.factories import assessed, commune, recognise
from mtqg.poverty.models import ReviewTally
from mtqg.poverty.tests.factories import make_household
from mtqg.testing import make_world, unit


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


class CommuneGroupsTest(TestCase):
    """Part 2: QĐ 51/2025 commune groups assigned by a provincial decision (service, Excel, screen)."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.province = cls.world.dien_bien
        cls.xa = list(
            UnitVersion.objects.filter(
                path__startswith=cls.province.path, level=UnitVersion.Level.COMMUNE, kind="xa"
            ).order_by("code")[:3]
        )
        cls.ward = UnitVersion.objects.filter(path__startswith=cls.province.path, kind="phuong").first()

    def _assign(self, groups: dict[str, str], **kw: object) -> object:
        args: dict[str, object] = {
            "actor": self.world.dien_bien_officer,
            "province": self.province,
            "groups": groups,
            "decision_no": "123/QĐ-UBND",
            "decision_date": date(2026, 3, 2),
            "issuer": "UBND tỉnh Điện Biên",
        }
        args.update(kw)
        return commune_groups_assign(**args)  # type: ignore[arg-type]

    def test_without_a_group_every_criterion_says_so(self) -> None:
        a = assessed(self.xa[0], 2026, code="qd51-2025", values={"1.TH": "đạt"})
        self.assertEqual(a.region, "")
        results = CriterionResult.objects.filter(assessment=a)
        self.assertEqual(set(results.values_list("status", flat=True)), {"chua_xac_dinh"})
        self.assertIn("Chưa xác định nhóm xã", results.first().explanation[0])
        self._assign({self.xa[0].code: "3"})
        engine.recompute(type(a).objects.filter(pk=a.pk))
        a.refresh_from_db()
        self.assertEqual(a.region, "3")
        met = CriterionResult.objects.get(assessment=a, criterion__number=1)
        self.assertEqual(met.status, "dat")

    def test_assignment_cites_the_decision_and_replaces_the_previous_group(self) -> None:
        decision = self._assign({self.xa[0].code: "2", self.xa[1].code: "3"})
        rows = UnitClassification.objects.filter(scheme__code="commune_group_2026", unit=self.xa[0])
        self.assertEqual(rows.get().legal_basis, "QĐ 123/QĐ-UBND ngày 02/03/2026 của UBND tỉnh Điện Biên")
        self._assign({self.xa[0].code: "1"}, decision_no="200/QĐ-UBND", decision_date=date(2026, 6, 1))
        found = groups_on([self.xa[0].pk], date(2026, 5, 31))
        self.assertEqual(found[self.xa[0].pk].value, "2")
        self.assertEqual(groups_on([self.xa[0].pk], date(2026, 6, 1))[self.xa[0].pk].value, "1")
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(decision.pk), action="created").exists())

    def test_bad_input_is_refused_in_vietnamese_and_nothing_written(self) -> None:
        old_commune = commune(self.world.dien_bien_old)
        before = (UnitClassification.objects.count(), CommuneGroupDecision.objects.count())
        cases = [
            ({self.ward.code: "1"}, {}, "không phải xã"),
            ({old_commune.code: "1"}, {}, "không phải đơn vị thuộc"),
            ({self.xa[0].code: "4"}, {}, "nhóm phải là 1, 2 hoặc 3"),
            ({self.xa[0].code: "1"}, {"decision_no": ""}, "Thiếu số quyết định"),
            ({self.xa[0].code: "1"}, {"valid_from": date(2025, 12, 1)}, "chỉ áp dụng từ 15/02/2026"),
        ]
        for groups, extra, message in cases:
            with self.assertRaisesMessage(ValidationError, message):
                self._assign({**groups, self.xa[1].code: "2"}, **extra)
        self.assertEqual(before, (UnitClassification.objects.count(), CommuneGroupDecision.objects.count()))
        merged_away = self.xa[2]
        UnitVersion.objects.filter(pk=merged_away.pk).update(valid_to=date(2026, 1, 1))
        with self.assertRaisesMessage(ValidationError, "không còn hiệu lực ngày"):
            self._assign({merged_away.code: "2"})

    def test_dashboard_facts_count_communes_without_a_group(self) -> None:
        self._assign({self.xa[0].code: "3", self.xa[1].code: "2"})
        summaries_rebuild(unit=self.province)
        xa = UnitVersion.objects.as_of(date(2026, 12, 31)).filter(
            path__startswith=self.province.path, level=UnitVersion.Level.COMMUNE, kind="xa"
        )
        facts = SummaryFact.objects.filter(measure="ntm.no_group", unit__path__startswith=self.province.path)
        self.assertEqual(facts.filter(year=2026).aggregate(n=Sum("numerator"))["n"], xa.count() - 2)
        self.assertFalse(facts.filter(year=2025).exists())

    def test_excel_round_trip_and_screen(self) -> None:
        content = groups_template(self.province, date(2026, 3, 1))
        wb = load_workbook(io.BytesIO(content))
        ws = wb.active
        self.assertEqual([c.value for c in ws[1]][:3], ["ma_xa", "ten_xa", "nhom"])
        ws.cell(row=3, column=3, value=3)
        ws.cell(row=4, column=3, value="1")
        buffer = io.BytesIO()
        wb.save(buffer)
        self.client.force_login(self.world.dien_bien_officer)
        url = reverse("ntm:groups")
        page = self.client.get(url, {"unit": self.province.pk})
        self.assertContains(page, "xã chưa xác định nhóm xã")
        buffer.seek(0)
        buffer.name = "nhom.xlsx"
        response = self.client.post(
            url,
            {
                "unit": self.province.pk,
                "decision_no": "9/QĐ-UBND",
                "decision_date": "2026-03-01",
                "issuer": "UBND tỉnh Điện Biên",
                "file": buffer,
            },
        )
        self.assertEqual(response.status_code, 302)
        codes = [ws.cell(row=3, column=1).value, ws.cell(row=4, column=1).value]
        grouped = UnitClassification.objects.filter(scheme__code="commune_group_2026", unit__code__in=codes)
        self.assertEqual(sorted(grouped.values_list("value", flat=True)), ["1", "3"])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command("report", "ntm-summary", "--unit", "11", "--as-of", "2026-03-31", "--format", "json")
        data = json.loads(out.getvalue())
        self.assertEqual(data["communes_without_group"], data["communes"] - 2)
        # the Cao Bằng officer cannot assign Điện Biên's groups
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(url, {"unit": self.province.pk}).status_code, 404)


class ApplicabilityTest(TestCase):
    """Part 5: assessment_create refuses a set that does not apply to the commune's kind, province or date."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.cao_bang = unit("pre2025", 1, "04")
        cls.dien_bien = unit("pre2025", 1, "11")

    def _refused(self, commune_unit: UnitVersion, year: int, code: str, message: str) -> None:
        before = Assessment.objects.count()
        with self.assertRaisesMessage(ValidationError, message):
            assessed(commune_unit, year, code=code)
        self.assertEqual(Assessment.objects.count(), before)

    def test_provincial_set_on_a_ward_of_another_province(self) -> None:
        ward = UnitVersion.objects.filter(path__startswith=self.cao_bang.path, kind="phuong").first()
        self._refused(ward, 2020, "dien-bien-2017", "không áp dụng cho phường")
        self._refused(commune(self.cao_bang), 2020, "dien-bien-2017", "là bộ tiêu chí của Tỉnh Điện Biên")
        self.assertEqual(assessed(commune(self.dien_bien), 2020, code="dien-bien-2017").region, "tdmnpb")

    def test_qd1980_is_refused_for_2024(self) -> None:
        self._refused(commune(self.cao_bang), 2024, "qd1980", "không áp dụng cho năm 2024")
        self.assertEqual(assessed(commune(self.cao_bang), 2021, code="qd1980").year, 2021)

    def test_qd51_is_refused_for_2021(self) -> None:
        self._refused(commune(self.cao_bang), 2021, "qd51-2025", "thời gian áp dụng: 15/02/2026–31/12/2030")


# QĐ 319's own conditions for NTM kiểu mẫu, both confirmed (an excellence field named)
MODEL_CONDITIONS = {"smart_village": True, "excellence_field": "Giáo dục"}


class TierRulesTest(TestCase):
    """Part 6: nâng cao against QĐ 318 App. II, kiểu mẫu = nâng cao + QĐ 319 conditions (rules as data)."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.xa = commune(unit("pre2025", 1, "04"), 2)
        recognise(cls.xa, date(2022, 12, 1))
        cls.advanced = CriteriaSet.objects.get(code="qd318-2")

    def _values(self, income: int) -> dict[str, object]:
        values: dict[str, object] = {f"{n}.TH": "đạt" for n in range(1, 20) if n not in (2, 10)}
        values.update({"2.1": 100, "10": income, "17.2": 70})
        return values

    def _create(self, tier: str, on: date, **kw: object) -> Recognition:
        args: dict[str, object] = {
            "actor": self.world.cao_bang_officer,
            "commune": self.xa,
            "tier": tier,
            "decision_no": "7/QĐ-UBND",
            "decision_date": on,
            "standard_year": 2023,
        }
        args.update(kw)
        return services.recognition_create(**args)  # type: ignore[arg-type]

    def test_model_tier_is_refused_for_a_commune_only_dat_chuan(self) -> None:
        before = Recognition.objects.count()
        with self.assertRaisesMessage(
            ValidationError, "Xã phải được công nhận NTM nâng cao trước khi xét NTM kiểu mẫu"
        ):
            self._create(RecognitionTier.MODEL, date(2024, 1, 15), conditions=MODEL_CONDITIONS)
        self.assertEqual(Recognition.objects.count(), before)

    def test_advanced_is_evaluated_against_appendix_ii(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Chưa có đánh giá năm 2023 theo"):
            self._create(RecognitionTier.ADVANCED, date(2024, 1, 15))
        a = assessed(
            self.xa, 2023, code="qd318-2", values={k: v for k, v in self._values(50).items() if k != "10"}
        )
        with self.assertRaisesMessage(
            ValidationError, "chưa xác định (thiếu số liệu hoặc chưa có ngưỡng): 10"
        ):
            self._create(RecognitionTier.ADVANCED, date(2024, 1, 15))
        services.indicator_values_set(actor=None, assessment=a, values={"10": 50})
        rec = self._create(RecognitionTier.ADVANCED, date(2024, 1, 15))
        self.assertEqual(rec.criteria_set.code, "qd318-2")
        self.assertEqual(rec.conditions["rule_set"], "qd318-2")
        self.assertIn("318/QĐ-TTg", rec.conditions["citation"])

    def test_model_tier_needs_its_own_conditions_and_income_margin(self) -> None:
        a = assessed(self.xa, 2023, code="qd318-2", values=self._values(45))
        self._create(RecognitionTier.ADVANCED, date(2024, 1, 15))
        with self.assertRaisesMessage(
            ValidationError, "thu nhập 45 triệu đồng/người < 47,3 triệu đồng/người (ngưỡng nâng cao 43"
        ):
            self._create(RecognitionTier.MODEL, date(2024, 2, 1), conditions=MODEL_CONDITIONS)
        services.indicator_values_set(actor=None, assessment=a, values={"10": 50})
        with self.assertRaisesMessage(
            ValidationError, "chưa xác nhận: Có ít nhất 01 mô hình thôn thông minh"
        ):
            self._create(RecognitionTier.MODEL, date(2024, 2, 1), conditions={"excellence_field": "Giáo dục"})
        rec = self._create(RecognitionTier.MODEL, date(2024, 2, 1), conditions=MODEL_CONDITIONS)
        self.assertEqual(rec.conditions["conditions"]["excellence_field"], "Giáo dục")
        self.assertIn("319/QĐ-TTg", rec.conditions["citation"])


class CountryDemoTest(TestCase):
    """Part 12: a Mekong Delta province 2021-2025 and Điện Biên 2026 with groups assigned by a decision."""

    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed_mekong()
        demo.seed_dien_bien_2026()

    def _summary(self, code: str, on: str) -> dict[str, object]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command("report", "ntm-summary", "--unit", code, "--as-of", on, "--format", "json")
        return json.loads(out.getvalue())  # type: ignore[no-any-return]

    def test_mekong_province_has_2021_2025_figures_with_dbscl_thresholds(self) -> None:
        expected = {
            "2021-12-31": ("qd1980", 30),
            "2022-12-31": ("qd318-1", 30),
            "2024-12-31": ("qd318-1-211", 36),
        }
        for on, (code, recognised) in expected.items():
            data = self._summary("95", on)
            self.assertEqual(
                (data["criteria_set"]["code"], data["recognised"], data["assessed"]), (code, recognised, 49)
            )
        after = self._summary("96", "2025-12-31")  # Cà Mau's 2025 communes: re-recognised, nothing inherited
        self.assertGreater(after["recognised"], 0)
        self.assertEqual(after["assessed"], 20)
        a = Assessment.objects.filter(
            commune__path__startswith=unit("pre2025", 1, "95").path, year=2022
        ).first()
        self.assertEqual(a.region, "dbscl")
        texts = [t for r in CriterionResult.objects.filter(assessment=a) for t in r.explanation]
        self.assertTrue(any("yêu cầu vùng ĐBSCL" in t for t in texts))

    def test_dien_bien_2026_is_grouped_by_a_decision(self) -> None:
        decision = CommuneGroupDecision.objects.get(province=unit("2025", 1, "11"))
        self.assertEqual(decision.communes, 42)
        data = self._summary("11", "2026-12-31")
        self.assertEqual((data["criteria_set"]["code"], data["communes_without_group"]), ("qd51-2025", 0))
        self.assertEqual(data["assessed"], 42)
        self.assertFalse(Assessment.objects.filter(criteria_set__code="qd51-2025", region="").exists())


class ProvisionalMarksTest(TestCase):
    """Part 7: results computed with an unconfirmed threshold are 'tạm tính' in pages, API and XLSX."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.xa = commune(cls.world.cao_bang_old, 4)
        cls.a = assessed(cls.xa, 2024, code="qd318-1-211", values={"2.1": 100, "15.3": 10})

    def test_flag_follows_the_threshold_and_shows_everywhere(self) -> None:
        self.assertTrue(self.a.provisional)
        transport = CriterionResult.objects.get(assessment=self.a, criterion__number=2)
        self.assertTrue(transport.provisional)
        Threshold.objects.filter(
            indicator__criterion__criteria_set=self.a.criteria_set, indicator__criterion__number=2
        ).update(unconfirmed=False)
        engine.recompute(Assessment.objects.filter(pk=self.a.pk))
        transport = CriterionResult.objects.get(assessment=self.a, criterion__number=2)  # rows are rewritten
        self.assertFalse(transport.provisional)
        self.client.force_login(self.world.cao_bang_officer)
        page = self.client.get(reverse("ntm:scorecard", args=[self.a.pk]))
        self.assertContains(page, "tạm tính")
        api = self.client.get(f"/api/v1/ntm/assessments/{self.a.pk}/").json()
        self.assertIs(api["provisional"], True)
        self.assertIn("provisional", api["results"][0])
        response = self.client.get(
            reverse("ntm:export"), {"unit": self.world.cao_bang_old.pk, "as_of": "2024-12-31"}
        )
        ws = load_workbook(io.BytesIO(response.content)).active
        cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
        self.assertIn("Tạm tính (ngưỡng chưa xác minh)", cells)
        self.assertIn("tạm tính", cells)

    def test_an_authorised_user_confirms_a_threshold_citing_its_source(self) -> None:
        row = Threshold.objects.filter(
            indicator__criterion__criteria_set=self.a.criteria_set, indicator__code="15.3", region="tdmnpb"
        ).get()
        url = reverse("ntm:threshold_confirm", args=[row.pk])
        self.client.force_login(self.world.cao_bang_officer)  # a province cannot confirm a national threshold
        self.client.post(url, {"source": "QĐ 211/QĐ-TTg Phụ lục I"})
        row.refresh_from_db()
        self.assertTrue(row.unconfirmed)
        self.client.force_login(self.world.central)
        self.client.post(url, {"source": "x"})  # too short: refused
        row.refresh_from_db()
        self.assertTrue(row.unconfirmed)
        self.client.post(url, {"source": "QĐ 211/QĐ-TTg ngày 01/03/2024, Phụ lục I"})
        row.refresh_from_db()
        self.assertEqual((row.unconfirmed, row.source), (False, "QĐ 211/QĐ-TTg ngày 01/03/2024, Phụ lục I"))
        record = ChangeRecord.objects.get(object_id=str(row.pk), action="updated")
        self.assertEqual(record.changes["unconfirmed"], [True, False])


class KeepingTheStandardTest(TestCase):
    """Part 9: recognised communes re-evaluated; those below the standard listed with their failing criteria."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.province = unit("pre2025", 1, "70")
        cls.xa = commune(cls.province, 1)
        recognise(cls.xa, date(2022, 12, 1), decision_no="5/QĐ-UBND")
        cls.a = assessed(cls.xa, 2023, code="qd318-1", values={"2.1": 80})

    def test_report_lists_the_commune_below_standard_with_failing_criteria(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command("report", "ntm-keeping", "--unit", "70", "--as-of", "2023-12-31", "--format", "json")
        data = json.loads(out.getvalue())
        self.assertEqual((data["recognised"], data["below_standard"]), (1, 1))
        self.assertEqual(data["criteria_set_in_force"], "qd318-1")
        self.assertEqual(data["below"][0]["name"], self.xa.name)
        self.assertIn(2, data["below"][0]["failing"])
        out = io.StringIO()
        call_command("recompute_ntm", "--recognised", "2023-12-31", stdout=out)
        self.assertIn("Đã đánh giá lại 1 xã", out.getvalue())


class CriterionElevenFromRegisterTest(TestCase):
    """Part 8: where the household register covers the commune, criterion 11 is computed from the reviews."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.covered = commune(unit("pre2025", 1, "04"), 5)
        cls.other = commune(unit("pre2025", 1, "04"), 6)
        make_household(cls.covered, "H1", "Nguyễn Văn A", year=2023, income=500_000, deprivations=4)
        for i in range(3):
            make_household(
                cls.covered, f"H{i + 2}", "Trần Văn B", year=2023, income=9_000_000, deprivations=0
            )

    def test_register_rate_replaces_the_typed_value_where_it_covers(self) -> None:
        tallies = ReviewTally.objects.filter(commune=self.covered, year=2023)
        total = tallies.aggregate(n=Sum("households"))["n"]
        poor = (
            tallies.filter(poverty_class__in=["poor", "near_poor"]).aggregate(n=Sum("households"))["n"] or 0
        )
        self.assertEqual((total, poor), (4, 1))
        a = assessed(self.covered, 2023, code="qd318-1", values={"11": 2})
        result = CriterionResult.objects.get(assessment=a, criterion__number=11)
        self.assertEqual(result.status, "chua_dat")  # 25% > 13% although 2% was typed
        self.assertIn("11: 25% > 13% yêu cầu vùng TDMNPB", result.explanation[0])
        self.assertIn("tính từ sổ hộ: 1/4 hộ, rà soát định kỳ năm 2023", result.explanation[0])
        typed = assessed(self.other, 2023, code="qd318-1", values={"11": 2})  # no register: the typed value
        result = CriterionResult.objects.get(assessment=typed, criterion__number=11)
        self.assertEqual(result.status, "dat")
        self.assertNotIn("sổ hộ", result.explanation[0])
