from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from openpyxl import Workbook

from mtqg.poverty.importer import batch_approve, batch_reject, batch_stage, template_headers
from mtqg.poverty.models import Household, ImportBatch, Review
from mtqg.poverty.standards import load_standards, standard_for
from mtqg.testing import World, make_world


def csv_bytes(rows: list[list[str]], year: int = 2023, bom: bool = True) -> bytes:
    headers = template_headers(standard_for(year))
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def row(code: str, commune: str, income: str = "1200000", deprived: int = 3) -> list[str]:
    return (
        [code, commune, "Lò Văn A", "Bản 1", "Thái", "nông thôn", income]
        + ["x"] * deprived
        + [""] * (12 - deprived)
    )


class ImportTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_standards()
        from mtqg.geo.models import UnitVersion

        old = UnitVersion.objects.filter(path__startswith=cls.world.dien_bien_old.path, level=3).order_by(
            "code"
        )
        cls.commune = old.first().code  # type: ignore[union-attr]
        cls.maker = cls.world.dien_bien_officer
        from mtqg.accounts.models import Assignment
        from mtqg.testing import make_user

        cls.checker = make_user("db_checker", Assignment.Role.PROVINCE, cls.world.dien_bien)

    def test_dry_run_stage_approve_and_idempotent_reimport(self) -> None:
        data = csv_bytes([row("H1", self.commune), row("H2", self.commune, "2000000", 0)])
        batch = batch_stage(actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name="a.csv")
        self.assertEqual(batch.status, ImportBatch.Status.STAGED)
        self.assertEqual(Review.objects.count(), 0)  # nothing written before approval
        with self.assertRaises(PermissionDenied):
            batch_approve(actor=self.maker, batch=batch)  # maker ≠ checker
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 2)
        self.assertEqual(Review.objects.get(household__code="H1").poverty_class, "poor")
        self.assertEqual(Review.objects.get(household__code="H2").poverty_class, "average")
        again = batch_stage(actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name="a.csv")
        self.assertEqual(batch_approve(actor=self.checker, batch=again), 0)
        self.assertEqual((Household.objects.count(), Review.objects.count()), (2, 2))

    def test_bad_input_gives_line_errors_and_writes_nothing(self) -> None:
        data = csv_bytes(
            [
                row("H1", self.commune, "-5"),
                row("H2", self.commune, "9999999999999"),
                row("H3", "99999"),
                row("H3", self.commune),
                row("=HYPERLINK(1)", self.commune),
                ["H6", self.commune, "Lò"],
            ],
            bom=False,
        )
        batch = batch_stage(actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name="b.csv")
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        self.assertEqual(sorted({e["line"] for e in batch.errors}), [2, 3, 4, 5, 6, 7])
        self.assertEqual(Household.objects.count(), 0)

    def test_wrong_headers(self) -> None:
        data = "Mã,Tên\r\nH1,A\r\n".encode()
        batch = batch_stage(actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name="c.csv")
        self.assertEqual(batch.errors[0]["line"], 1)

    def test_xlsx_and_reject(self) -> None:
        wb = Workbook()
        ws = wb.active
        ws.append(template_headers(standard_for(2023)))
        ws.append(row("X1", self.commune))
        buf = io.BytesIO()
        wb.save(buf)
        batch = batch_stage(
            actor=self.maker, unit=self.world.dien_bien, year=2023, data=buf.getvalue(), name="d.xlsx"
        )
        self.assertEqual((batch.status, len(batch.rows)), (ImportBatch.Status.STAGED, 1))
        batch_reject(actor=self.checker, batch=batch, reason="Sai số liệu")
        self.assertEqual(ImportBatch.objects.get(pk=batch.pk).status, ImportBatch.Status.REJECTED)
        self.assertEqual(Review.objects.count(), 0)
