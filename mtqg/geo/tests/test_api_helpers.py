"""The unit pieces every read API shares (geo/api.py): `?unit=<code>` on the model's scope path, and the fields that
say where a row is."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import TestCase

from mtqg.geo.api import CommuneFields, ScopedFilterSet, UnitFields
from mtqg.geo.models import UnitVersion
from mtqg.testing import make_world


class UnitVersionFilter(ScopedFilterSet):
    """A FilterSet over a model whose scope path is its own `path` (other models' is `commune__path`, …)."""

    class Meta:
        model = UnitVersion
        fields = ["unit", "level"]


class ScopedFilterSetTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def _codes(self, data: dict[str, str]) -> set[str]:
        filterset = UnitVersionFilter(data, queryset=UnitVersion.objects.all())
        self.assertTrue(filterset.is_valid(), filterset.errors)
        return set(filterset.qs.values_list("code", flat=True))

    def test_unit_filter_is_inherited_and_matches_on_the_model_scope_path(self) -> None:
        self.assertIn("unit", UnitVersionFilter.base_filters)
        codes = self._codes({"unit": self.world.dien_bien.code, "level": "3"})
        self.assertIn(self.world.muong_phang.code, codes)
        communes_in_dien_bien = UnitVersion.objects.filter(
            level=3, path__startswith=self.world.dien_bien.path
        ).values_list("code", flat=True)
        self.assertLessEqual(set(communes_in_dien_bien), codes)
        cao_bang_communes = set(
            UnitVersion.objects.filter(level=3, path__startswith=self.world.cao_bang.path).values_list(
                "code", flat=True
            )
        )
        self.assertTrue(cao_bang_communes)
        self.assertFalse(codes & cao_bang_communes)

    def test_unknown_code_gives_no_rows_and_no_code_gives_every_row(self) -> None:
        self.assertEqual(self._codes({"unit": "no-such-unit"}), set())
        self.assertEqual(
            len(self._codes({"unit": ""})), UnitVersion.objects.values("code").distinct().count()
        )


class _UnitRow(UnitFields):
    pass


class _CommuneRow(CommuneFields):
    pass


class PlaceFieldsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_unit_fields(self) -> None:
        unit = self.world.dien_bien
        data = _UnitRow(SimpleNamespace(unit=unit)).data
        self.assertEqual(dict(data), {"unit_code": unit.code, "unit_name": unit.name, "path": unit.path})

    def test_commune_fields(self) -> None:
        commune = self.world.muong_phang
        data = _CommuneRow(SimpleNamespace(commune=commune)).data
        self.assertEqual(
            dict(data), {"commune_code": commune.code, "commune_name": commune.name, "path": commune.path}
        )
