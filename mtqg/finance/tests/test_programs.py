from __future__ import annotations

from django.core.management import call_command
from django.test import TestCase

from mtqg.finance.models import DisbursementDeadline, FinanceRule, Indicator, Program


class LoadProgramsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_programs", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def test_structure(self) -> None:
        roots = dict(Program.objects.filter(parent__isnull=True).values_list("code", "legal_basis"))
        self.assertEqual(set(roots), {"NTM", "GNBV", "DTTS", "HN2026"})
        self.assertIn("QĐ 263/QĐ-TTg", roots["NTM"])
        self.assertIn("QĐ 90/QĐ-TTg", roots["GNBV"])
        self.assertIn("QĐ 1719/QĐ-TTg", roots["DTTS"])
        self.assertIn("257/2025/QH15", roots["HN2026"])
        self.assertEqual(Program.objects.filter(parent__code="DTTS", kind="project").count(), 10)
        self.assertEqual(Program.objects.filter(parent__code="GNBV", kind="project").count(), 7)
        self.assertTrue(Program.objects.get(code="HN2026.HP1").unconfirmed)
        self.assertEqual(Program.objects.get(code="GNBV.DA3.TDA2").parent.code, "GNBV.DA3")  # type: ignore[union-attr]

    def test_deadlines_and_rules_are_data(self) -> None:
        self.assertEqual(
            str(DisbursementDeadline.objects.get(plan_year=2024, applies_to="current").deadline), "2025-01-31"
        )
        ext = DisbursementDeadline.objects.get(plan_year=2023, applies_to="current", kind="extension")
        self.assertIn("108/2023/QH15", ext.legal_basis)
        checkpoints = FinanceRule.objects.get(code="slow_disbursement").params["checkpoints"]
        self.assertEqual([(c["month"], c["day"]) for c in checkpoints], [(6, 30), (9, 30), (12, 31), (1, 31)])
        self.assertEqual(Indicator.objects.get(code="DTTS.NUOC_PT").unit_label, "hộ")

    def test_idempotent(self) -> None:
        before = Program.objects.count(), DisbursementDeadline.objects.count(), Indicator.objects.count()
        call_command("load_programs", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(
            (Program.objects.count(), DisbursementDeadline.objects.count(), Indicator.objects.count()), before
        )
