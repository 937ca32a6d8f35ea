"""The Cao Bằng 2024 supervision figures (seed 002), computed by the reports from demo records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.test import TestCase

from mtqg.finance import demo
from mtqg.finance.models import CapitalPlan, Disbursement, Work
from mtqg.finance.reports import disbursement, finance_alerts, outputs
from mtqg.finance.selectors import ALERT_RULES, AlertScope, _behind_schedule, alerts, province_rollup
from mtqg.reports.params import parse_params
from mtqg.testing import make_world


class CaoBangDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.created = demo.seed()

    def report(self, fn, user=None, **raw):  # type: ignore[no-untyped-def]
        return fn(user, parse_params({"unit": "04", **raw}))

    def test_nstw_with_carry_over_and_local_counterpart(self) -> None:
        r = self.report(disbursement, year="2023", as_of="2024-01-31", include_carry_over="1")
        self.assertEqual(
            set(r),
            {
                "unit",
                "year",
                "as_of",
                "central",
                "local_counterpart",
                "by_program",
                "by_source",
                "denominator",
            },
        )
        self.assertEqual((r["unit"], r["year"], r["as_of"]), ("04", 2023, "2024-01-31"))
        self.assertEqual(r["central"]["rate"], 69.06)
        self.assertEqual(r["local_counterpart"]["rate"], 85.35)
        self.assertIn("chuyển nguồn", r["denominator"])
        self.assertEqual({p["program"] for p in r["by_program"]}, {"NTM", "GNBV", "DTTS"})
        self.assertEqual(
            sum(p["plan"] for p in r["by_program"]), r["central"]["plan"] + r["local_counterpart"]["plan"]
        )
        self.assertEqual(set(r["by_program"][0]), {"program", "plan", "disbursed", "rate"})
        self.assertEqual({s["source"] for s in r["by_source"]}, {"nstw_dtpt", "nstw_sn", "nsdp_doi_ung"})
        self.assertEqual(set(r["by_source"][0]), {"source", "plan", "disbursed", "rate"})
        self.assertEqual(set(r["central"]), {"plan", "disbursed", "rate"})

    def test_denominator_without_carry_over_is_current_year_only(self) -> None:
        r = self.report(disbursement, year="2023", as_of="2024-01-31")
        plan = CapitalPlan.objects.filter(
            year=2023, source__in=["nstw_dtpt", "nstw_sn"], vintage__in=["initial", "adjusted"]
        ).aggregate(s=Sum("amount"))["s"]
        paid = Disbursement.objects.filter(
            allocation__year=2023,
            allocation__carry_over=False,
            allocation__source__in=["nstw_dtpt", "nstw_sn"],
            paid_on__lte=date(2024, 1, 31),
        ).aggregate(s=Sum("amount"))["s"]
        self.assertEqual(r["central"]["plan"], int(plan))
        self.assertEqual(r["central"]["rate"], float((paid * 100 / plan).quantize(Decimal("0.01"))))
        self.assertNotEqual(r["central"]["rate"], 69.06)
        self.assertIn("không gồm", r["denominator"])

    def test_as_of_moves_the_rate(self) -> None:
        later = self.report(disbursement, year="2023", as_of="2024-12-31", include_carry_over="1")
        self.assertGreater(later["central"]["rate"], 69.06)  # payments under the NQ 108 extension
        earlier = self.report(disbursement, year="2023", as_of="2023-06-30", include_carry_over="1")
        self.assertLess(earlier["central"]["rate"], 30)

    def test_2025_unit_sees_pre2025_records_through_lineage(self) -> None:
        r = self.report(disbursement, year="2023", as_of="2026-01-01", include_carry_over="1")
        self.assertEqual(r["central"]["plan"], 1_689_000_000_000)

    def test_outputs(self) -> None:
        rows = {r["code"]: r for r in self.report(outputs, year="2023")}
        self.assertEqual(set(rows["GNBV.CT_HT"]) >= {"code", "name", "actual", "target", "unit"}, True)
        self.assertEqual(rows["GNBV.CT_HT"]["actual"], 177)
        self.assertEqual(rows["GNBV.DUY_TU"]["actual"], 10)
        self.assertGreater(rows["GNBV.PTSX_CD"]["actual"], 200)
        self.assertEqual(rows["GNBV.PTSX_NN"]["actual"], 94)
        self.assertEqual(rows["GNBV.NHA_O"]["actual"], 3412)
        self.assertEqual((rows["DTTS.DAT_NHA"]["actual"], rows["DTTS.DAT_NHA"]["target"]), (186, 550))
        self.assertEqual((rows["DTTS.NUOC_PT"]["actual"], rows["DTTS.NUOC_PT"]["target"]), (2427, 6269))
        self.assertEqual((rows["DTTS.NUOC_TT"]["actual"], rows["DTTS.NUOC_TT"]["target"]), (62, 86))
        self.assertGreater(rows["DTTS.BV_RUNG"]["actual"], 250_000)
        self.assertEqual(rows["DTTS.NUOC_PT"]["unit"], "hộ")

    def test_alerts_fire_with_evidence_and_cause(self) -> None:
        found = {
            a["key"]: a
            for a in self.report(finance_alerts, year="2023", as_of="2024-01-31", include_carry_over="1")
        }
        scattered = found["scattered"]
        self.assertGreater(scattered["figures"]["small_share"], 50)
        self.assertIn("dưới 1.000 triệu đồng", scattered["evidence"])
        self.assertIn("dàn trải", scattered["cause"])
        self.assertIn("slow:central:2024-01-31", found)
        self.assertIn("69,06%", found["slow:central:2024-01-31"]["evidence"])
        self.assertTrue(any(k.startswith("below_avg:") for k in found))
        self.assertIn("behind_schedule", found)

    def test_each_alert_rule_is_a_function_on_its_own(self) -> None:
        unit = parse_params({"unit": "04", "year": "2023", "as_of": "2024-01-31"}).unit
        scope = AlertScope(None, unit, 2023, date(2024, 1, 31), True)
        kinds = {rule.__name__: {a["kind"] for a in rule(scope)} for rule in ALERT_RULES}
        self.assertEqual(
            kinds,
            {
                "_slow_at_checkpoints": {"slow_disbursement"},
                "_districts_below_average": {"slow_disbursement"},
                "_scattered": {"scattered_investment"},
                "_behind_schedule": {"behind_schedule"},
            },
        )
        listed = [a["key"] for rule in ALERT_RULES for a in rule(scope)]
        self.assertEqual([a["key"] for a in alerts(None, unit, 2023, date(2024, 1, 31), True)], listed)
        self.assertEqual(_behind_schedule(AlertScope(None, unit, 2023, date(2020, 1, 1), True)), [])

    def test_national_rollup_by_province(self) -> None:
        rows = {r["unit"]: r for r in province_rollup(None, 2023, date(2024, 1, 31), True)}
        self.assertEqual(rows["04"]["rate"], 69.06)
        self.assertEqual(rows["04"]["plan"], 1_689_000_000_000)

    def test_seed_is_idempotent(self) -> None:
        self.assertGreater(self.created, 0)
        before = Work.objects.count(), Disbursement.objects.count()
        self.assertEqual(demo.seed(), 0)
        self.assertEqual((Work.objects.count(), Disbursement.objects.count()), before)

    def test_scoped_user_sees_nothing_outside(self) -> None:
        r = disbursement(
            self.world.dien_bien_officer, parse_params({"unit": "04", "year": "2023", "as_of": "2024-01-31"})
        )
        self.assertEqual(r["central"]["plan"], 0)
        self.assertIsNone(r["central"]["rate"])
        r = disbursement(
            self.world.cao_bang_officer,
            parse_params({"unit": "04", "year": "2023", "as_of": "2024-01-31", "include_carry_over": "1"}),
        )
        self.assertEqual(r["central"]["rate"], 69.06)
