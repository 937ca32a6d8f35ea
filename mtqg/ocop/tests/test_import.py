from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook

from mtqg.ocop.importer import HEADER, import_products
from mtqg.ocop.models import Product, Rating, SalesChannel, Subject
from mtqg.ocop.rules import load_rules
from mtqg.testing import make_world


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = [
    "HTX Cà phê",
    "Hợp tác xã",
    "03325",
    "Cà phê hạt",
    "1.6",
    2025,
    30,
    20,
    25,
    "province",
    "5/QĐ-UBND",
    "15/08/2025",
    "ecommerce",
    "Postmart",
    "https://postmart.vn/x",
]


class ImportTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()

    def test_dry_run_writes_nothing(self) -> None:
        result = import_products(actor=self.world.dien_bien_officer, content=workbook([GOOD]), dry_run=True)
        self.assertEqual((result.rows, result.products, result.ratings, result.channels), (1, 1, 1, 1))
        self.assertEqual(result.errors, [])
        self.assertFalse(Product.objects.exists())

    def test_import_writes_through_services(self) -> None:
        result = import_products(actor=self.world.dien_bien_officer, content=workbook([GOOD]))
        self.assertTrue(result.saved)
        product = Product.objects.get(name="Cà phê hạt")
        self.assertEqual(product.subject.kind, Subject.Kind.COOPERATIVE)
        self.assertEqual(product.current_rating.stars, 4)  # type: ignore[union-attr]
        self.assertEqual(SalesChannel.objects.get().url, "https://postmart.vn/x")

    def test_any_bad_row_rolls_back_the_file(self) -> None:
        bad_score = [*GOOD[:6], 45, *GOOD[7:]]
        bad_url = [*GOOD[:3], "Chè", *GOOD[4:14], "postmart.vn/x"]
        bad_commune = [*GOOD[:2], "99999", *GOOD[3:]]
        result = import_products(
            actor=self.world.dien_bien_officer, content=workbook([GOOD, bad_score, bad_url, bad_commune])
        )
        self.assertEqual(len(result.errors), 3)
        self.assertTrue(result.errors[0].startswith("Dòng 3:"), result.errors)
        self.assertIn("từ 0 đến 40", result.errors[0])
        self.assertIn("http://", result.errors[1])
        self.assertIn("99999", result.errors[2])
        self.assertFalse(result.saved)
        self.assertEqual(
            (Product.objects.count(), Rating.objects.count(), Subject.objects.count()), (0, 0, 0)
        )

    def test_out_of_scope_rows_are_refused(self) -> None:
        result = import_products(actor=self.world.cao_bang_officer, content=workbook([GOOD]))
        self.assertEqual(len(result.errors), 1)
        self.assertIn("không có quyền", result.errors[0])
        self.assertFalse(Product.objects.exists())

    def test_unreadable_file(self) -> None:
        result = import_products(actor=None, content=b"not a workbook")
        self.assertEqual(result.errors, ["Không đọc được tệp Excel (.xlsx)."])


class ImportViewTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()

    def _post(self, dry_run: bool) -> object:
        upload = SimpleUploadedFile("ocop.xlsx", workbook([GOOD]))
        data: dict[str, object] = {"file": upload}
        if dry_run:
            data["dry_run"] = "1"
        return self.client.post("/ocop/import/", data)

    def test_upload_dry_run_then_save(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        self.assertContains(self._post(True), "Chạy thử hợp lệ")  # type: ignore[arg-type]
        self.assertFalse(Product.objects.exists())
        self.assertContains(self._post(False), "Đã ghi")  # type: ignore[arg-type]
        self.assertTrue(Product.objects.filter(name="Cà phê hạt").exists())

    def test_wrong_file_type(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.post("/ocop/import/", {"file": SimpleUploadedFile("a.csv", b"x")})
        self.assertContains(response, "Hãy chọn tệp Excel")
