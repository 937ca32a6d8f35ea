"""Read API of the finance app: fields and filters (scope, 404, anonymous, pagination, query count: the mixin)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import TestCase

from mtqg.api.tests.mixins import ScopedReadApiMixin
from mtqg.finance.models import (
    Disbursement,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Program,
    Source,
    Work,
    WorkProgress,
)
from mtqg.testing import make_world

from .factories import commune_of, ensure_programs, make_allocation, make_initial_plan, make_work


class FinanceReadApiTest(ScopedReadApiMixin, TestCase):
    endpoints = {
        "/api/v1/finance/works/": "work",
        "/api/v1/finance/capital-plans/": "plan",
        "/api/v1/finance/allocations/": "alloc",
        "/api/v1/finance/disbursements/": "pay",
        "/api/v1/finance/work-progress/": "progress",
        "/api/v1/finance/indicator-targets/": "target",
        "/api/v1/finance/indicator-values/": "value",
    }

    @classmethod
    def setUpTestData(cls) -> None:
        ensure_programs()
        cls.world = make_world()
        cls.indicator = Indicator.objects.get(code="DTTS.NUOC_PT")
        cls.rows: dict[str, dict[str, object]] = {}
        for key, province in (("db", cls.world.dien_bien_old), ("cb", cls.world.cao_bang_old)):
            commune = commune_of(province)
            work = make_work(commune, name=f"Đường {key}", status=Work.Status.UNDER_CONSTRUCTION)
            progress = WorkProgress.objects.create(work=work, reported_on=date(2023, 6, 30), percent=40)
            alloc = make_allocation(work, 100_000_000)
            carry = make_allocation(work, 5_000_000, source=Source.LOCAL_COUNTERPART, carry_over=True)
            pay = Disbursement.objects.create(
                allocation=alloc, paid_on=date(2023, 5, 5), amount=Decimal(30_000_000), reference=f"UNC-{key}"
            )
            Disbursement.objects.create(
                allocation=carry, paid_on=date(2024, 1, 20), amount=Decimal(1_000_000), reference="UNC-2"
            )
            plan = make_initial_plan(province, work, 1_234_000_000, decision_ref="QĐ 1/2023")
            target = IndicatorTarget.objects.create(
                indicator=cls.indicator, unit=province, year=2025, baseline=Decimal(20), target=Decimal(80)
            )
            value = IndicatorValue.objects.create(
                indicator=cls.indicator, unit=commune, year=2023, value=Decimal("45.5")
            )
            cls.rows[key] = {
                "commune": commune,
                "work": work,
                "progress": progress,
                "alloc": alloc,
                "pay": pay,
                "plan": plan,
                "target": target,
                "value": value,
            }
        cls.own, cls.other = cls.rows["db"], cls.rows["cb"]

    def test_capital_plans(self) -> None:
        url = "/api/v1/finance/capital-plans/"
        row = self.detail(url)
        self.assertEqual(row["amount"], "1234000000")
        self.assertEqual((row["unit_code"], row["source"], row["vintage"]), ("11", "nstw_dtpt", "initial"))
        self.assertEqual(self.client.get(url, {"year": 2023, "unit": "11"}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"year": 2024}).json()["count"], 0)
        self.assertEqual(self.client.get(url, {"vintage": "carry_over"}).json()["count"], 0)
        bad = self.client.get(url, {"source": "gold"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("source", bad.json()["error"]["fields"])

    def test_allocations(self) -> None:
        url = "/api/v1/finance/allocations/"
        row = self.detail(url)
        work = self.rows["db"]["work"]
        self.assertEqual(
            (row["work_code"], row["amount"], row["carry_over"]), (work.code, "100000000", False)
        )
        self.assertEqual(self.client.get(url).json()["count"], 2)
        self.assertEqual(self.client.get(url, {"carry_over": "true"}).json()["count"], 1)
        self.assertEqual(
            self.client.get(url, {"work": work.code, "source": "nsdp_doi_ung"}).json()["count"], 1
        )

    def test_disbursements(self) -> None:
        url = "/api/v1/finance/disbursements/"
        row = self.detail(url)
        self.assertEqual((row["amount"], row["reference"], row["year"]), ("30000000", "UNC-db", 2023))
        self.assertEqual(row["source"], "nstw_dtpt")
        self.assertEqual(self.client.get(url).json()["count"], 2)
        self.assertEqual(self.client.get(url, {"paid_from": "2024-01-01"}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"source": "nstw_dtpt", "year": 2023}).json()["count"], 1)
        commune = self.rows["db"]["commune"]
        self.assertEqual(self.client.get(url, {"unit": commune.code}).json()["count"], 2)

    def test_work_progress_and_works_filter(self) -> None:
        row = self.detail("/api/v1/finance/work-progress/")
        self.assertEqual((row["percent"], row["reported_on"]), (40, "2023-06-30"))
        self.assertEqual(self.client.get("/api/v1/finance/work-progress/", {"year": 2022}).json()["count"], 0)
        works = self.client.get("/api/v1/finance/works/", {"status": "construction", "year": 2023}).json()
        self.assertEqual([w["code"] for w in works["results"]], [self.rows["db"]["work"].code])
        self.assertEqual(self.client.get("/api/v1/finance/works/", {"status": "settled"}).json()["count"], 0)

    def test_indicator_targets_and_values(self) -> None:
        row = self.detail("/api/v1/finance/indicator-targets/")
        self.assertEqual(
            (row["indicator_code"], row["baseline"], row["target"]), ("DTTS.NUOC_PT", "20.00", "80.00")
        )
        row = self.detail("/api/v1/finance/indicator-values/")
        self.assertEqual((row["indicator_code"], row["value"], row["year"]), ("DTTS.NUOC_PT", "45.50", 2023))
        url = "/api/v1/finance/indicator-values/"
        self.assertEqual(self.client.get(url, {"indicator": "DTTS.NUOC_PT", "year": 2023}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"indicator": "NOPE"}).json()["count"], 0)

    def test_programs_and_indicators_are_reference_data(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        body = self.client.get("/api/v1/finance/programs/").json()
        self.assertEqual(body["count"], Program.objects.count())
        program = Program.objects.get(code="GNBV.DA1.TDA1")
        detail = self.client.get(f"/api/v1/finance/programs/{program.pk}/").json()
        self.assertEqual((detail["code"], detail["parent_code"]), ("GNBV.DA1.TDA1", program.parent.code))
        tree = self.client.get("/api/v1/finance/programs/", {"root": "GNBV"}).json()
        self.assertTrue(all(p["code"] == "GNBV" or p["code"].startswith("GNBV.") for p in tree["results"]))
        self.assertGreater(tree["count"], 1)
        indicators = self.client.get("/api/v1/finance/indicators/").json()
        self.assertEqual(indicators["count"], Indicator.objects.count())
        codes = [i["code"] for i in indicators["results"]]
        self.assertIn("DTTS.NUOC_PT", codes)
        # a Cao Bằng officer sees reference data but no Điện Biên money
        self.assertEqual(self.client.get("/api/v1/finance/disbursements/").json()["count"], 2)
        for item in self.client.get("/api/v1/finance/disbursements/").json()["results"]:
            self.assertTrue(item["path"].startswith(self.world.cao_bang_old.path))
