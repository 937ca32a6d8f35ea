from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import TestCase

from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion
from mtqg.ntm import engine
from mtqg.ntm.loader import load_all, parse_threshold
from mtqg.ntm.models import CriteriaSet, Criterion, Indicator, Status, Threshold
from mtqg.ntm.selectors import set_for_date


class LoaderTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_all()

    def test_sets_loaded_once_and_keyed_by_set_and_number(self) -> None:
        self.assertEqual(load_all(), [])  # second run: nothing changed
        counts = {s.code: s.criteria.count() for s in CriteriaSet.objects.all()}
        self.assertEqual(
            counts,
            {
                "qd1980": 19,
                "qd318-1": 19,
                "qd318-2": 19,
                "qd318-1-211": 19,
                "qd318-2-211": 19,
                "qd51-2025": 10,
                "dien-bien-2017": 19,
            },
        )
        self.assertEqual(
            Criterion.objects.get(criteria_set__code="qd318-1", number=14).name, "Giáo dục và Đào tạo"
        )
        self.assertEqual(Criterion.objects.get(criteria_set__code="qd318-2", number=14).name, "Y tế")
        self.assertEqual(CriteriaSet.objects.get(code="qd51-2025").dimension_scheme, "commune_group_2026")

    def test_unconfirmed_flags_follow_the_reference(self) -> None:
        income = Threshold.objects.get(
            indicator__criterion__criteria_set__code="qd1980", indicator__code="10", region="tdmnpb"
        )
        self.assertEqual(income.value, Decimal(36))
        self.assertFalse(income.unconfirmed)
        poverty = Threshold.objects.get(
            indicator__criterion__criteria_set__code="qd1980", indicator__code="11", region="tdmnpb"
        )
        self.assertTrue(poverty.unconfirmed)
        self.assertEqual(poverty.op, Threshold.Op.LE)

    def test_derived_set_copies_parent_and_adds_basic_values(self) -> None:
        db = CriteriaSet.objects.get(code="dien-bien-2017")
        self.assertEqual(db.parent.code, "qd1980")
        self.assertEqual(db.basic_tier_rule["min_met"], 15)
        t = Threshold.objects.get(
            indicator__criterion__criteria_set=db, indicator__code="10", region="tdmnpb"
        )
        self.assertEqual((t.value, t.basic_value), (Decimal(36), Decimal(30)))

    def test_parse_threshold_rejects_garbage(self) -> None:
        self.assertEqual(parse_threshold("≤ 6"), ("le", Decimal(6)))
        with self.assertRaises(ValueError):
            parse_threshold("about 5")


class EngineTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.b318 = engine.Book(CriteriaSet.objects.get(code="qd318-1").pk)
        cls.b1980 = engine.Book(CriteriaSet.objects.get(code="qd1980").pk)
        cls.bdb = engine.Book(CriteriaSet.objects.get(code="dien-bien-2017").pk)
        cls.b51 = engine.Book(CriteriaSet.objects.get(code="qd51-2025").pk)

    def _eval(
        self,
        book: engine.Book,
        code: str,
        value: str | None,
        region: str = "tdmnpb",
        year: int = 2023,
        na: bool = False,
    ) -> tuple[str, str]:
        ind = book.by_code[code]
        rule = book.rule(ind.id, region, year)
        return engine.evaluate_indicator(
            ind, Decimal(value) if value is not None else None, na, rule, region, year
        )

    def test_region_threshold_with_vietnamese_explanation(self) -> None:
        status, text = self._eval(self.b318, "2.1", "92")
        self.assertEqual(status, Status.NOT_MET)
        self.assertEqual(text, "2.1: 92% < 100% yêu cầu vùng TDMNPB")
        self.assertEqual(self._eval(self.b318, "2.2", "85")[0], Status.MET)

    def test_missing_threshold_for_region_is_unknown_never_a_pass(self) -> None:
        status, text = self._eval(self.b318, "2.2", "100", region="dbsh")
        self.assertEqual(status, Status.UNKNOWN)
        self.assertIn("chưa có ngưỡng cho vùng ĐBSH", text)
        # 'chung' is reference only: QĐ 1980 4.2 has chung + tdmnpb, so a BTB commune is unknown
        self.assertEqual(self._eval(self.b1980, "4.2", "99", region="btb", year=2019)[0], Status.UNKNOWN)
        self.assertEqual(self._eval(self.b318, "2.1", "100", region="")[0], Status.UNKNOWN)

    def test_each_region_has_its_own_income_threshold(self) -> None:
        self.assertEqual(self._eval(self.b1980, "10", "40", region="tdmnpb", year=2020)[0], Status.MET)
        self.assertEqual(self._eval(self.b1980, "10", "40", region="dbsh", year=2020)[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.b1980, "15.3", "25", region="tdmnpb", year=2020)[0], Status.MET)
        self.assertEqual(self._eval(self.b1980, "15.3", "25", region="dnb", year=2020)[0], Status.NOT_MET)

    def test_year_specific_income_uses_latest_earlier_year(self) -> None:
        self.assertEqual(self._eval(self.b318, "10", "40", year=2023)[0], Status.MET)
        self.assertEqual(self._eval(self.b318, "10", "38", year=2022)[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.b318, "10", "40", year=2021)[0], Status.UNKNOWN)

    def test_not_applicable_only_for_if_applicable_indicators(self) -> None:
        self.assertEqual(self._eval(self.b318, "13.4", None, na=True)[0], Status.NA)
        status, text = self._eval(self.b318, "13.1", None, na=True)
        self.assertIn("không được đánh dấu", text)
        self.assertEqual(status, Status.UNKNOWN)
        self.assertEqual(self._eval(self.b318, "13.1", None)[1], "13.1: chưa có số liệu")

    def test_basic_threshold_gives_co_ban_dat(self) -> None:
        status, text = self._eval(self.bdb, "10", "32", year=2020)
        self.assertEqual(status, Status.BASIC)
        self.assertIn("đạt mức cơ bản ≥ 30", text)
        self.assertEqual(self._eval(self.bdb, "10", "25", year=2020)[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.bdb, "11", "15", year=2020)[0], Status.BASIC)

    def test_combine_rules(self) -> None:
        self.assertEqual(engine.combine([Status.MET, Status.NA]), Status.MET)
        self.assertEqual(engine.combine([Status.NA, Status.NA]), Status.NA)
        self.assertEqual(engine.combine([Status.MET, Status.BASIC]), Status.BASIC)
        self.assertEqual(engine.combine([Status.BASIC, Status.UNKNOWN]), Status.UNKNOWN)
        self.assertEqual(engine.combine([Status.UNKNOWN, Status.NOT_MET]), Status.NOT_MET)
        self.assertEqual(engine.combine([]), Status.UNKNOWN)
        self.assertEqual(engine.counts([Status.MET, Status.NA, Status.BASIC, Status.UNKNOWN]), (2, 1, 1))

    def test_2026_set_computes_by_group_and_never_without_a_group(self) -> None:
        passed = {i.id: (Decimal(1), False) for inds in self.b51.indicators.values() for i in inds}
        results = engine.evaluate(self.b51, "3", 2026, passed)
        self.assertEqual(len(results), 10)
        self.assertTrue(all(status == Status.MET for _c, status, _n in results))
        self.assertIn("[ngưỡng chưa xác minh]", results[0][2][0])
        # no group resolved for the commune → every criterion 'chưa xác định', never a pass
        unknown = engine.evaluate(self.b51, "", 2026, passed)
        self.assertTrue(all(status == Status.UNKNOWN for _c, status, _n in unknown))
        self.assertIn("chưa có ngưỡng", unknown[0][2][0])
        failed = {k: (Decimal(0), False) for k in passed}
        self.assertEqual(engine.evaluate(self.b51, "1", 2026, failed)[0][1], Status.NOT_MET)
        # a group is not a region: a regional key gives no threshold in this set
        self.assertEqual(engine.evaluate(self.b51, "tdmnpb", 2026, passed)[0][1], Status.UNKNOWN)


class AmendedAndAdvancedSetsTest(TestCase):
    """QĐ 318 as amended by QĐ 211/2024, App. II (nâng cao) and QĐ 51/2025 group thresholds."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.a211 = CriteriaSet.objects.get(code="qd318-1-211")
        cls.b211 = engine.Book(cls.a211.pk)
        cls.b2 = engine.Book(CriteriaSet.objects.get(code="qd318-2").pk)
        cls.s51 = CriteriaSet.objects.get(code="qd51-2025")

    def _eval(
        self, book: engine.Book, code: str, value: str | None, region: str = "tdmnpb", year: int = 2024
    ) -> tuple[str, str]:
        ind = book.by_code[code]
        return engine.evaluate_indicator(
            ind,
            Decimal(value) if value is not None else None,
            False,
            book.rule(ind.id, region, year),
            region,
            year,
        )

    def test_qd211_version_is_derived_cited_and_entirely_unconfirmed(self) -> None:
        self.assertEqual(self.a211.parent.code, "qd318-1")
        self.assertIn("211/QĐ-TTg", self.a211.legal_basis)
        self.assertEqual(str(self.a211.valid_from), "2024-03-01")
        self.assertEqual(self.a211.region_overrides[0]["region"], "tdmnpb")  # R3 inherited
        rows = Threshold.objects.filter(indicator__criterion__criteria_set=self.a211)
        self.assertEqual(
            rows.count(), Threshold.objects.filter(indicator__criterion__criteria_set__code="qd318-1").count()
        )
        self.assertFalse(rows.filter(unconfirmed=False).exists())
        self.assertEqual(set_for_date(date(2023, 12, 31)).code, "qd318-1")
        self.assertEqual(set_for_date(date(2024, 6, 1)).code, "qd318-1-211")
        self.assertEqual(set_for_date(date(2026, 3, 1)).code, "qd51-2025")
        status, text = self._eval(self.b211, "2.1", "92")
        self.assertEqual(status, Status.NOT_MET)
        self.assertEqual(text, "2.1: 92% < 100% yêu cầu vùng TDMNPB [ngưỡng chưa xác minh]")
        # the amended set keeps region thresholds and the year-varying income of the parent
        self.assertEqual(self._eval(self.b211, "15.3", "20", region="dbsh")[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.b211, "15.3", "15", region="dbsh")[0], Status.MET)
        self.assertEqual(self._eval(self.b211, "10", "40", year=2024)[0], Status.MET)
        self.assertEqual(self._eval(self.b211, "10", "40", year=2021)[0], Status.UNKNOWN)

    def test_advanced_set_computes_with_region_and_year_thresholds(self) -> None:
        self.assertEqual(self.b2.set.tier, CriteriaSet.SetTier.ADVANCED)
        self.assertTrue(all(self.b2.indicators[c] for c, _n, _name in self.b2.criteria))
        self.assertEqual(self._eval(self.b2, "7.TH", "1")[0], Status.MET)
        self.assertEqual(self._eval(self.b2, "7.TH", "0")[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.b2, "2.1", "95")[0], Status.NOT_MET)
        # income: 2022 value for TDMNPB only, applied to later years; none before 2022 or for another region
        self.assertEqual(self._eval(self.b2, "10", "44", year=2023)[0], Status.MET)
        self.assertEqual(self._eval(self.b2, "10", "41", year=2022)[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.b2, "10", "44", year=2021)[0], Status.UNKNOWN)
        self.assertEqual(self._eval(self.b2, "10", "60", region="dnb", year=2023)[0], Status.UNKNOWN)
        # piped water: Đồng Nai's ≥65% for ĐNB, the same provisional value elsewhere
        self.assertEqual(self._eval(self.b2, "17.2", "60", region="dnb")[0], Status.NOT_MET)
        self.assertEqual(self._eval(self.b2, "17.2", "70", region="btb")[0], Status.MET)
        # N/A is refused on a mandatory indicator
        ind = self.b2.by_code["17.2"]
        status, _t = engine.evaluate_indicator(ind, None, True, None, "tdmnpb", 2023)
        self.assertEqual(status, Status.UNKNOWN)

    def test_group_thresholds_resolve_from_the_commune_group(self) -> None:
        crit = Criterion.objects.get(criteria_set=self.s51, number=6)
        ind = Indicator.objects.create(
            criterion=crit,
            code="6.9",
            name="Tỷ lệ nghèo đa chiều (thử)",
            value_type="percent",
            unit_label="%",
        )
        for group, limit in (("1", 1), ("2", 3), ("3", 8)):
            Threshold.objects.create(indicator=ind, region=group, op=Threshold.Op.LE, value=Decimal(limit))
        book = engine.Book(self.s51.pk)
        self.assertEqual(self._eval(book, "6.9", "5", region="3", year=2026)[0], Status.MET)
        status, text = self._eval(book, "6.9", "5", region="2", year=2026)
        self.assertEqual((status, text), (Status.NOT_MET, "6.9: 5% > 3% yêu cầu nhóm 2"))
        communes = list(
            UnitVersion.objects.filter(structure="2025", level=UnitVersion.Level.COMMUNE).order_by("code")[:2]
        )
        scheme = ClassificationScheme.objects.get(code="commune_group_2026")
        UnitClassification.objects.create(
            unit=communes[0], scheme=scheme, value="3", valid_from=date(2026, 1, 1)
        )
        found = engine.resolve_regions(self.s51, [c.pk for c in communes], date(2026, 12, 31))
        self.assertEqual(found, {communes[0].pk: "3"})
