"""The administrative-unit loader: counts of both structures, lineage, idempotency, lookups."""

from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.geo.loader import load_admin_units
from mtqg.geo.models import UnitLineage, UnitVersion
from mtqg.geo.selectors import (
    UnitNotFound,
    children,
    predecessors,
    search_units,
    successors,
    unit_by_code,
)

BEFORE = date(2020, 11, 30)
AFTER = date(2025, 7, 1)


class LoaderCountsTest(TestCase):
    def test_both_structures_have_the_published_counts(self) -> None:
        pre = UnitVersion.objects.filter(structure="pre2025")
        self.assertEqual(pre.filter(level=1).count(), 63)
        self.assertEqual(pre.filter(level=2).count(), 696)
        self.assertEqual(pre.filter(level=3).count(), 10035)
        new = UnitVersion.objects.filter(structure="2025")
        self.assertEqual(new.filter(level=1).count(), 34)
        self.assertEqual(new.filter(level=2).count(), 0, "no district level after the reform")
        self.assertEqual(new.filter(level=3).count(), 3321)
        self.assertEqual(new.filter(level=3, kind="xa").count(), 2621)
        self.assertEqual(new.filter(level=3, kind="phuong").count(), 687)
        self.assertEqual(new.filter(level=3, kind="dac_khu").count(), 13)

    def test_dien_bien_before_and_after(self) -> None:
        old = unit_by_code("11", BEFORE, level=1)
        self.assertEqual(old.structure, "pre2025")
        communes = UnitVersion.objects.filter(path__startswith=old.path, level=3)
        self.assertEqual(communes.filter(kind="xa").count(), 115)
        self.assertEqual(communes.filter(kind="phuong").count(), 9)
        self.assertEqual(communes.filter(kind="thi_tran").count(), 5)
        new = unit_by_code("11", AFTER, level=1)
        self.assertEqual(new.structure, "2025")
        self.assertEqual(UnitVersion.objects.filter(path__startswith=new.path, level=3).count(), 45)
        self.assertEqual(old.unit_id, new.unit_id, "Điện Biên keeps its identity across the reform")
        cao_bang = unit_by_code("04", AFTER, level=1)
        self.assertEqual(UnitVersion.objects.filter(path__startswith=cao_bang.path, level=3).count(), 56)

    def test_validity_and_paths(self) -> None:
        old = unit_by_code("11", BEFORE, level=1)
        self.assertIsNone(old.valid_from)
        self.assertEqual(old.valid_to, date(2025, 6, 30))
        commune = UnitVersion.objects.filter(path__startswith=old.path, level=3).first()
        assert commune is not None
        district = commune.parent
        assert district is not None
        self.assertEqual(district.level, 2)
        self.assertTrue(commune.path.startswith(district.path) and district.path.startswith(old.path))
        self.assertEqual([a.level for a in commune.ancestors()], [0, 1, 2])

    def test_rerun_is_idempotent(self) -> None:
        before = (UnitVersion.objects.count(), UnitLineage.objects.count())
        result = load_admin_units()
        self.assertEqual((result.created, result.updated, result.lineage_created), (0, 0, 0))
        self.assertEqual((UnitVersion.objects.count(), UnitLineage.objects.count()), before)


class LookupTest(TestCase):
    def test_unit_by_code_as_of(self) -> None:
        # code 03127 is Phường Him Lam before the reform and Phường Điện Biên Phủ after: codes get reused
        self.assertEqual(unit_by_code("03127", BEFORE).name, "Phường Him Lam")
        self.assertEqual(unit_by_code("03127", AFTER).name, "Phường Điện Biên Phủ")
        with self.assertRaisesMessage(UnitNotFound, "Không có đơn vị hành chính mã 99999"):
            unit_by_code("99999", AFTER)

    def test_lineage_successors_and_predecessors(self) -> None:
        him_lam = unit_by_code("03127", BEFORE)
        new = successors(him_lam)
        self.assertEqual([u.name for u in new], ["Phường Điện Biên Phủ"])
        preds = {u.name for u in predecessors(new[0])}
        self.assertIn("Phường Him Lam", preds)
        self.assertGreater(len(preds), 1)
        edge = UnitLineage.objects.get(predecessor=him_lam, successor=new[0])
        self.assertEqual(edge.kind, "merge")
        self.assertEqual(edge.event_date, AFTER)

    def test_province_lineage_of_a_merged_province(self) -> None:
        tuyen_quang = unit_by_code("08", AFTER, level=1)
        names = {u.name for u in predecessors(tuyen_quang)}
        self.assertEqual(names, {"Tỉnh Tuyên Quang", "Tỉnh Hà Giang"})

    def test_children_as_of(self) -> None:
        dien_bien_new = unit_by_code("11", AFTER, level=1)
        kids = children(dien_bien_new, AFTER)
        self.assertEqual(len(kids), 45)
        self.assertEqual(children(dien_bien_new, BEFORE), [])

    def test_search_with_and_without_diacritics(self) -> None:
        plain = {(u.name, u.structure) for u in search_units("Muong Phang")}
        accented = {(u.name, u.structure) for u in search_units("Mường Phăng")}
        self.assertIn(("Xã Mường Phăng", "pre2025"), plain)
        self.assertIn(("Xã Mường Phăng", "2025"), plain)
        self.assertEqual(plain, accented)
        self.assertEqual([u.name for u in search_units("muong phang", on=AFTER)], ["Xã Mường Phăng"])
        self.assertEqual(search_units("  "), [])
