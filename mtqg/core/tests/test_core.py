"""Audit records, Vietnamese formatting, XLSX writer, settings safety, the UI shell and the API error format."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.test import TestCase
from openpyxl import load_workbook

from mtqg.core.audit import history_for, record_change
from mtqg.core.formatting import date_vi, million_vnd, number_vi, percent_vi, ratio_vi
from mtqg.core.models import ChangeRecord
from mtqg.core.tables import Column, Table, write_xlsx
from mtqg.testing import make_world

from .processes import manage

ROOT = Path(__file__).resolve().parents[3]


class FormattingTest(TestCase):
    def test_vietnamese_formats(self) -> None:
        self.assertEqual(number_vi(1234.56, 2), "1.234,56")
        self.assertEqual(number_vi(Decimal("1234567")), "1.234.567")
        self.assertEqual(number_vi(-0.5, 1), "-0,5")
        self.assertEqual(percent_vi(Decimal("69.055")), "69,06%")
        self.assertEqual(ratio_vi(2427, 6269), "2.427/6.269")
        self.assertEqual(million_vnd(Decimal("1500000000")), "1.500")
        self.assertEqual(date_vi(date(2024, 1, 31)), "31/01/2024")
        self.assertEqual(number_vi(None), "—")


class TablesTest(TestCase):
    def test_xlsx_has_typed_numbers_and_neutralised_formulas(self) -> None:
        table = Table(
            "Thử",
            [Column("name", "Tên"), Column("n", "Số", "int")],
            [{"name": '=HYPERLINK("http://x")', "n": 5}, {"name": "@SUM(A1)", "n": 7}],
        )
        wb = load_workbook(io.BytesIO(write_xlsx([table])))
        ws = wb.active
        self.assertEqual(ws["A1"].value, "Thử")
        self.assertEqual(ws["A3"].value, '\'=HYPERLINK("http://x")')
        self.assertEqual(ws["A4"].value, "'@SUM(A1)")
        self.assertEqual(ws["B3"].value, 5)


class AuditTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_record_change_needs_a_transaction(self) -> None:
        # TestCase wraps each test in atomic, so leave it with a savepoint-free autocommit check
        with self.assertRaises(RuntimeError):
            connection = transaction.get_connection()
            in_atomic, connection.in_atomic_block = connection.in_atomic_block, False
            try:
                record_change(actor=None, obj=self.world.muong_phang, action="updated")
            finally:
                connection.in_atomic_block = in_atomic

    def test_history_is_scoped_and_shown_on_the_unit_page(self) -> None:
        with transaction.atomic():
            record_change(
                actor=self.world.dien_bien_officer,
                obj=self.world.muong_phang,
                action="updated",
                changes={"name": ["Xã Mường Phăng", "Xã Mường Phăng mới"]},
                reason="Kiểm thử",
            )
        self.assertEqual(history_for(self.world.muong_phang, self.world.dien_bien_officer).count(), 1)
        self.assertEqual(history_for(self.world.muong_phang, self.world.cao_bang_officer).count(), 0)
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(f"/units/{self.world.muong_phang.pk}/?tab=history")
        self.assertContains(response, "Xã Mường Phăng mới")
        self.assertContains(response, "Kiểm thử")
        self.assertEqual(ChangeRecord.objects.visible_to(self.world.cao_bang_officer).count(), 0)


class ShellTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_home_lists_the_users_units(self) -> None:
        self.client.force_login(self.world.commune_officer)
        response = self.client.get("/")
        self.assertContains(response, "Xã Mường Phăng")
        self.assertContains(response, "Cán bộ cấp xã")
        self.assertEqual(response["Content-Language"], "vi")
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])

    def test_unit_tree_shows_both_structures(self) -> None:
        self.client.force_login(self.world.central)
        response = self.client.get("/units/")
        self.assertContains(response, "Từ 01/7/2025 (2 cấp)")
        self.assertContains(response, "Trước 01/7/2025 (3 cấp)")
        self.assertContains(response, f"/units/{self.world.dien_bien_old.pk}/")
        self.assertContains(response, f"/units/{self.world.dien_bien.pk}/")
        response = self.client.get(f"/units/{self.world.dien_bien_old.pk}/children/")
        self.assertContains(response, "Huyện Mường Nhé")

    def test_unit_page_breadcrumb_lineage_and_classifications(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        with self.assertNumQueries(10):  # the scope in one query (decision 0821)
            response = self.client.get(f"/units/{self.world.muong_phang.pk}/")
        self.assertContains(response, "Hình thành từ")
        self.assertContains(response, "Tỉnh Điện Biên")
        self.assertContains(response, "Trung du và miền núi phía Bắc")

    def test_english_switch(self) -> None:
        self.client.force_login(self.world.central)
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = self.client.get("/")
        self.assertEqual(response["Content-Language"], "en")
        self.assertContains(response, "My units")

    def test_no_cdn_in_templates(self) -> None:
        templates = list((ROOT / "mtqg").rglob("*.html"))
        self.assertTrue(templates)
        for path in templates:
            text = path.read_text(encoding="utf-8")
            for host in ("cdn.", "unpkg.com", "googleapis.com", "jsdelivr"):
                self.assertNotIn(host, text, f"{path} loads from a CDN")


class ApiShapeTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_error_format_and_scope(self) -> None:
        response = self.client.get("/api/v1/geo/units/")
        self.assertIn(response.status_code, (401, 403))
        self.assertIn("error", response.json())
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get(f"/api/v1/geo/units/{self.world.muong_phang.pk}/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"]["code"], "not_found")
        response = self.client.get("/api/v1/geo/units/?level=3&as_of=2025-07-01")
        self.assertEqual(response.json()["count"], 56)
        response = self.client.get("/api/v1/geo/units/?as_of=not-a-date")
        self.assertEqual(response.status_code, 400)
        self.assertIn("as_of", response.json()["error"]["fields"])

    def test_schema_and_docs_are_served_locally(self) -> None:
        self.client.force_login(self.world.central)
        self.assertEqual(self.client.get("/api/schema/").status_code, 200)
        docs = self.client.get("/api/docs/").content.decode()
        self.assertNotIn("cdn.jsdelivr", docs)
        self.assertIn("/static/", docs)


class SettingsTest(TestCase):
    def test_production_refuses_to_start_without_secret_key(self) -> None:
        result = manage({"DEBUG": "0", "SECRET_KEY": ""}, "check")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY", result.stderr)

    def test_check_deploy_is_clean(self) -> None:
        result = manage(
            {
                "DEBUG": "0",
                "SECRET_KEY": "x" * 64 + "-a-long-random-production-key-0123456789",
                "ALLOWED_HOSTS": "mtqg.example.vn",
            },
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
