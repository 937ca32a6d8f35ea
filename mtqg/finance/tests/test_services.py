"""Capital ledger writes: bad input rejected with nothing written, the window incl. extensions, rates with
adjusted plans and carry-over, and the serialisation path for concurrent payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from mtqg.core.models import ChangeRecord
from mtqg.finance import selectors
from mtqg.finance.models import CapitalPlan, Disbursement, Program, Source
from mtqg.finance.services import disbursement_record, plan_line_add, resolve_allocation
from mtqg.testing import make_world

from .factories import commune_of, ensure_programs, make_allocation, make_work


class DisbursementServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        ensure_programs()
        cls.commune = commune_of(cls.world.cao_bang_old)
        cls.work = make_work(cls.commune)
        cls.alloc = make_allocation(cls.work, 100_000_000)

    def pay(self, amount: object, on: date = date(2023, 5, 1), actor: object = None) -> Disbursement:
        return disbursement_record(
            actor=actor or self.world.cao_bang_officer,
            allocation=self.alloc,
            paid_on=on,
            amount=amount,
            reference="UNC-1",
        )

    def assert_rejected(self, field: str, text: str, **kw: object) -> None:
        counts = Disbursement.objects.count(), ChangeRecord.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            self.pay(**kw)  # type: ignore[arg-type]
        self.assertIn(text, " ".join(ctx.exception.message_dict[field]))
        self.assertEqual((Disbursement.objects.count(), ChangeRecord.objects.count()), counts)

    def test_records_and_audits(self) -> None:
        row = self.pay(60_000_000)
        self.assertEqual(row.amount, Decimal(60_000_000))
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(row.pk), action="created").exists())

    def test_beyond_allocation(self) -> None:
        self.pay(60_000_000)
        self.assert_rejected("amount", "Vượt vốn được phân bổ", amount=50_000_000)
        self.pay(40_000_000)  # exactly to the allocation is fine

    def test_negative_and_zero_and_fraction(self) -> None:
        self.assert_rejected("amount", "không được âm", amount=-5)
        self.assert_rejected("amount", "lớn hơn 0", amount=0)
        self.assert_rejected("amount", "số nguyên đồng", amount="10.5")
        self.assert_rejected("amount", "không hợp lệ", amount="abc")

    def test_date_window_with_extension_as_data(self) -> None:
        self.assert_rejected("paid_on", "nằm ngoài thời hạn", amount=1, on=date(2022, 12, 31))
        # 2023 capital: statutory 31/01/2024, extended by NQ 104/108 to 31/12/2024 (data/deadlines.json)
        self.pay(1_000, on=date(2024, 6, 1))
        self.assert_rejected("paid_on", "31/12/2024", amount=1, on=date(2025, 1, 1))

    def test_statutory_deadline_without_extension(self) -> None:
        work = make_work(self.commune, year=2024)
        alloc = make_allocation(work, 10_000, year=2024)
        disbursement_record(actor=None, allocation=alloc, paid_on=date(2025, 1, 31), amount=1)
        with self.assertRaises(ValidationError) as ctx:
            disbursement_record(actor=None, allocation=alloc, paid_on=date(2025, 2, 1), amount=1)
        self.assertIn("31/01/2025", str(ctx.exception))

    def test_carry_over_window(self) -> None:
        alloc = make_allocation(self.work, 10_000, carry_over=True)
        with self.assertRaises(ValidationError):
            disbursement_record(actor=None, allocation=alloc, paid_on=date(2024, 1, 15), amount=1)

    def test_unknown_work_code(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            resolve_allocation(work_code="KHONG-CO", year=2023, source=Source.CENTRAL_INVESTMENT)
        self.assertIn("Không có công trình mã KHONG-CO", str(ctx.exception))
        self.assertEqual(
            resolve_allocation(work_code=self.work.code, year=2023, source=Source.CENTRAL_INVESTMENT),
            self.alloc,
        )

    def test_out_of_scope_officer(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.pay(1_000, actor=self.world.dien_bien_officer)
        self.assertFalse(Disbursement.objects.exists())

    def test_stale_allocation_object_still_sees_other_payment(self) -> None:
        """Two officers loaded the allocation before either paid: the second check re-reads under the lock."""
        stale = type(self.alloc).objects.get(pk=self.alloc.pk)
        self.pay(70_000_000)
        with self.assertRaises(ValidationError):
            disbursement_record(actor=None, allocation=stale, paid_on=date(2023, 6, 1), amount=40_000_000)
        self.assertEqual(Disbursement.objects.count(), 1)

    def test_allocation_row_is_locked(self) -> None:
        with CaptureQueriesContext(connection) as ctx:
            self.pay(1_000)
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        if connection.features.has_select_for_update:
            self.assertIn("FOR UPDATE", sql)
        else:  # SQLite serialises writers on the database lock; the sum check runs inside the same transaction
            self.assertIn("SUM", sql.upper())


class PlanAndRateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        ensure_programs()
        cls.province = cls.world.dien_bien_old
        cls.ntm = Program.objects.get(code="NTM")
        commune = commune_of(cls.province)
        cls.work = make_work(commune, program="NTM.ND02")
        officer = cls.world.dien_bien_officer
        cls.plan_line(officer, CapitalPlan.Vintage.INITIAL, 1_000_000_000, decided_on=date(2023, 1, 5))
        cls.plan_line(officer, CapitalPlan.Vintage.ADJUSTED, -200_000_000, decided_on=date(2023, 9, 1))
        cls.plan_line(
            officer,
            CapitalPlan.Vintage.CARRY_OVER,
            400_000_000,
            from_year=2022,
            legal_basis="NQ kéo dài vốn 2022",
            decided_on=date(2023, 2, 1),
        )
        current = make_allocation(cls.work, 800_000_000)
        carried = make_allocation(cls.work, 400_000_000, carry_over=True)
        disbursement_record(actor=None, allocation=current, paid_on=date(2023, 7, 1), amount=300_000_000)
        disbursement_record(actor=None, allocation=carried, paid_on=date(2023, 7, 1), amount=300_000_000)

    @classmethod
    def plan_line(cls, actor: Any, vintage: str, amount: int, **kwargs: Any) -> CapitalPlan:
        """A 2023 central-investment plan line of the NTM programme in Điện Biên."""
        return plan_line_add(
            actor=actor,
            unit=cls.province,
            program=cls.ntm,
            year=2023,
            source=Source.CENTRAL_INVESTMENT,
            vintage=vintage,
            amount=amount,
            **kwargs,
        )

    def central(self, as_of: date, include: bool) -> dict[str, object]:
        return selectors.disbursement_summary(None, self.province, 2023, as_of, include)["central"]

    def test_rates_with_adjusted_plan_and_carry_over(self) -> None:
        self.assertEqual(
            self.central(date(2023, 12, 31), False),
            {"plan": 800_000_000, "disbursed": 300_000_000, "rate": 37.5},
        )
        self.assertEqual(
            self.central(date(2023, 12, 31), True),
            {"plan": 1_200_000_000, "disbursed": 600_000_000, "rate": 50.0},
        )

    def test_adjustment_counts_from_its_decision_date(self) -> None:
        self.assertEqual(self.central(date(2023, 8, 1), False)["plan"], 1_000_000_000)
        self.assertEqual(self.central(date(2023, 8, 1), False)["rate"], 30.0)

    def test_carry_over_needs_previous_year_and_basis(self) -> None:
        officer = self.world.dien_bien_officer
        for kwargs, field in (
            ({"from_year": 2021, "legal_basis": "x"}, "from_year"),
            ({"from_year": 2022, "legal_basis": " "}, "legal_basis"),
        ):
            with self.assertRaises(ValidationError) as ctx:
                self.plan_line(officer, CapitalPlan.Vintage.CARRY_OVER, 1, **kwargs)
            self.assertIn(field, ctx.exception.message_dict)

    def test_negative_only_for_adjustments(self) -> None:
        with self.assertRaises(ValidationError):
            self.plan_line(None, CapitalPlan.Vintage.INITIAL, -1)

    def test_program_tree_rolls_up(self) -> None:
        tree = selectors.program_tree(None, self.province, 2023, date(2023, 12, 31), True)
        root = next(n for n in tree if n["program"].code == "NTM")
        self.assertEqual((root["plan"], root["disbursed"]), (Decimal(1_200_000_000), Decimal(600_000_000)))
        nd02 = next(n for n in tree if n["program"].code == "NTM.ND02")
        self.assertEqual(nd02["disbursed"], Decimal(600_000_000))

    def test_monthly_curve(self) -> None:
        curve = selectors.monthly_curve(None, self.province, 2023, True)
        self.assertEqual(len(curve["labels"]), 13)
        self.assertEqual(curve["series"]["2023"][5], 0.0)
        self.assertEqual(curve["series"]["2023"][6], 50.0)
