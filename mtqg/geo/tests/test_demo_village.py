"""The demo village helper the poverty and survey demos share: created once, valid as long as its commune."""

from __future__ import annotations

from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.geo.demo import village
from mtqg.geo.models import UnitVersion


class DemoVillageTest(TestCase):
    def test_new_village_takes_its_commune_validity_and_is_recorded(self) -> None:
        for structure, code in (("2025", "03325"), ("pre2025", "03325")):
            commune = UnitVersion.objects.get(structure=structure, level=UnitVersion.Level.COMMUNE, code=code)
            made = village(commune, f"{code}-T01", "Bản Minh họa 1")
            self.assertEqual(made.parent_id, commune.pk)
            self.assertEqual(made.structure, commune.structure)
            self.assertEqual((made.level, made.kind), (UnitVersion.Level.VILLAGE, UnitVersion.Kind.VILLAGE))
            self.assertEqual((made.valid_from, made.valid_to), (commune.valid_from, commune.valid_to))
            self.assertTrue(made.path.startswith(commune.path))
            self.assertTrue(ChangeRecord.objects.filter(object_id=str(made.pk), actor=None).exists())

    def test_second_call_returns_the_same_village(self) -> None:
        commune = UnitVersion.objects.get(structure="2025", level=UnitVersion.Level.COMMUNE, code="03325")
        first = village(commune, "03325-01", "Bản Khá")
        again = village(commune, "03325-01", "Tên khác")
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(again.name, "Bản Khá")
        self.assertEqual(
            UnitVersion.objects.filter(
                structure="2025", level=UnitVersion.Level.VILLAGE, code="03325-01"
            ).count(),
            1,
        )
