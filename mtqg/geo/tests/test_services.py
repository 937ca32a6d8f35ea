"""Unit and classification writes: placement rules, validity, scope and the change record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.geo.models import ClassificationScheme, UnitVersion
from mtqg.geo.selectors import classification, classified_units
from mtqg.geo.services import classification_set, unit_create
from mtqg.testing import make_world


class UnitCreateTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def _village(
        self, actor: Any, code: str, name: str, parent: Any = None, valid_from: date = date(2025, 7, 1)
    ) -> UnitVersion:
        return unit_create(
            actor=actor,
            parent=parent or self.world.muong_phang,
            code=code,
            name=name,
            level=UnitVersion.Level.VILLAGE,
            kind="thon",
            valid_from=valid_from,
        )

    def test_village_under_commune_is_created_with_path_and_audit(self) -> None:
        village = self._village(self.world.commune_officer, "03325-01", "Bản Che Căn")
        self.assertTrue(village.path.startswith(self.world.muong_phang.path))
        self.assertEqual(village.search_name, "ban che can")
        record = ChangeRecord.objects.get(object_id=str(village.pk))
        self.assertEqual(record.actor, self.world.commune_officer)
        self.assertEqual(record.changes["code"], [None, "03325-01"])
        self.assertEqual(record.unit_path, village.path)

    def test_wrong_parent_level_is_refused_in_vietnamese(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self._village(self.world.dien_bien_officer, "X1", "Bản X", parent=self.world.dien_bien)
        self.assertIn("Không thể đặt", str(ctx.exception))
        self.assertFalse(UnitVersion.objects.filter(code="X1").exists())

    def test_dates_outside_parent_validity_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self._village(self.world.commune_officer, "03325-02", "Bản Cũ", valid_from=date(2024, 1, 1))
        self.assertIn("ngoài thời gian hiệu lực", str(ctx.exception))
        self.assertFalse(UnitVersion.objects.filter(code="03325-02").exists())

    def test_system_actor_may_create(self) -> None:
        village = self._village(None, "03325-09", "Bản Hệ Thống")
        self.assertIsNone(ChangeRecord.objects.get(object_id=str(village.pk)).actor)

    def test_out_of_scope_actor_is_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            self._village(self.world.cao_bang_officer, "03325-03", "Bản Y")
        with self.assertRaises(PermissionDenied):
            self._village(self.world.supervisor, "03325-04", "Bản Z")
        self.assertFalse(UnitVersion.objects.filter(code__in=["03325-03", "03325-04"]).exists())


class ClassificationTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.border = ClassificationScheme.objects.get(code="border_commune")

    def test_set_and_read_as_of(self) -> None:
        entry = classification_set(
            actor=self.world.dien_bien_officer,
            unit=self.world.muong_phang,
            scheme=self.border,
            value="yes",
            valid_from=date(2026, 1, 1),
            legal_basis="QĐ thử nghiệm",
        )
        self.assertEqual(classification(self.world.muong_phang, "border_commune", date(2026, 3, 1)), "yes")
        self.assertIsNone(classification(self.world.muong_phang, "border_commune", date(2025, 12, 31)))
        self.assertIn(
            self.world.muong_phang,
            classified_units("border_commune", "yes", date(2026, 3, 1), within=self.world.dien_bien),
        )
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(entry.pk), action="created").exists())

    def test_unknown_value_and_wrong_level_are_refused(self) -> None:
        cases = [
            (self.world.muong_phang, "maybe", "không thuộc danh mục"),
            (self.world.dien_bien, "yes", "không áp dụng cho cấp"),  # a province is not a border commune
        ]
        for unit, value, message in cases:
            with self.subTest(value), self.assertRaisesMessage(ValidationError, message):
                classification_set(
                    actor=self.world.dien_bien_officer,
                    unit=unit,
                    scheme=self.border,
                    value=value,
                    valid_from=date(2026, 1, 1),
                )

    def test_demo_classifications_of_dien_bien(self) -> None:
        on = date(2020, 12, 31)
        old = self.world.dien_bien_old
        self.assertEqual(classified_units("poor_district_30a", "yes", on, within=old).count(), 5)
        self.assertEqual(classified_units("district_293", "yes", on, within=old).count(), 2)
        self.assertEqual(classified_units("ntm_region", "tdmnpb", on, within=old).count(), 129)
        self.assertEqual(classified_units("area_type", "rural", on, within=old).count(), 115)
