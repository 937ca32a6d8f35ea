"""Issue #20 part 1: every import refuses a row that refers to an object outside the batch's (the actor's) scope,
with that row's error, and writes nothing. The poverty import has its own test
(mtqg/poverty/tests/test_import_scope.py); these cover OCOP, finance, NTM and workflow (decision 0905)."""

from __future__ import annotations

import io

from django.test import TestCase
from openpyxl import Workbook, load_workbook

from mtqg.accounts.models import Assignment
from mtqg.finance.importer import disbursements_import
from mtqg.finance.models import Disbursement
from mtqg.finance.tests.factories import commune_of, make_allocation, make_work
from mtqg.ntm.excel import import_xlsx, set_for, template_xlsx
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import Assessment
from mtqg.ocop.importer import HEADER, import_products
from mtqg.ocop.models import Product, Rating
from mtqg.ocop.rules import load_rules
from mtqg.ocop.tests.factories import make_product
from mtqg.testing import World, make_user, make_world
from mtqg.workflow import excel as workflow_excel
from mtqg.workflow.calendar import load_calendars
from mtqg.workflow.models import Report, ReportingPeriod, ReportType, ReportValue


class OtherImportsScopeTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        # sees the whole country, may enter data only for Cao Bằng: visibility must not widen what an import writes
        cls.cb_wide = make_user("cb_wide", Assignment.Role.PROVINCE, cls.world.cao_bang)
        Assignment.objects.create(
            user=cls.cb_wide,
            role=Assignment.Role.SUPERVISOR,
            unit=cls.world.country,
            access=Assignment.Access.VIEW,
        )

    def test_ocop_row_for_a_dien_bien_commune_or_product(self) -> None:
        load_rules()
        db_product = make_product(self.world.muong_phang)
        ratings = Rating.objects.count()
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(HEADER)
        base = ["1.6", 2025, 30, 20, 25, "province", "5/QĐ-UBND", "15/08/2025", "", "", ""]
        ws.append(["HTX Mới", "Hợp tác xã", "03325", "Chè mới", *base])  # a Điện Biên commune
        subject = db_product.subject
        ws.append([subject.name, "Hợp tác xã", subject.commune.code, db_product.name, *base])  # its product
        buf = io.BytesIO()
        wb.save(buf)
        for actor in (self.world.cao_bang_officer, self.cb_wide):
            result = import_products(actor=actor, content=buf.getvalue())
            self.assertFalse(result.saved)
            self.assertEqual([e[:6] for e in result.errors], ["Dòng 2", "Dòng 3"], result.errors)
        self.assertEqual((Product.objects.count(), Rating.objects.count()), (1, ratings))

    def test_finance_disbursement_for_a_dien_bien_work(self) -> None:
        work = make_work(commune_of(self.world.dien_bien_old))
        make_allocation(work, 100_000_000)
        rows = [
            {
                "work_code": work.code,
                "year": 2023,
                "source": "nstw_dtpt",
                "paid_on": "15/05/2023",
                "amount": 1000,
            }
        ]
        for actor in (self.world.cao_bang_officer, self.cb_wide):
            result = disbursements_import(actor=actor, rows=rows)
            self.assertEqual(result.written, 0)
            self.assertEqual(len(result.errors), 1)
            self.assertTrue(result.errors[0].startswith("Dòng 2"))
        self.assertFalse(Disbursement.objects.exists())

    def test_ntm_row_for_a_dien_bien_commune(self) -> None:
        load_all()
        province = self.world.cao_bang_old
        cset = set_for(province, 2023)
        assert cset is not None

        wb = load_workbook(io.BytesIO(template_xlsx(province, 2023, cset)))
        ws = wb.worksheets[0]
        commune_code = "03325"  # Mường Phăng (Điện Biên)
        ws.cell(row=4, column=1, value=commune_code)
        ws.cell(row=4, column=4, value=92)
        buf = io.BytesIO()
        wb.save(buf)
        for actor in (self.world.cao_bang_officer, self.cb_wide):
            result = import_xlsx(
                actor=actor, province=province, year=2023, cset=cset, content=buf.getvalue(), dry_run=False
            )
            self.assertFalse(result.committed)
            self.assertEqual([(e["row"], e["code"]) for e in result.errors], [(4, commune_code)])
        self.assertFalse(Assessment.objects.exists())

    def test_workflow_import_into_a_dien_bien_report(self) -> None:
        load_calendars([2026])
        report = Report.objects.create(
            report_type=ReportType.objects.get(code="gnbv_6thang_nam"),
            unit=self.world.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )
        data = workflow_excel.template_xlsx(report)
        for actor in (self.world.cao_bang_officer, self.cb_wide):
            result = workflow_excel.import_xlsx(actor=actor, report=report, data=data, dry_run=False)
            self.assertFalse(result.saved)
            self.assertTrue(result.errors)
        self.assertFalse(ReportValue.objects.filter(report=report).exists())
