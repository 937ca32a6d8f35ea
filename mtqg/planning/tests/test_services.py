"""Scenario services over real units and NTM assessments: costs, saving, bad input, conversion to the ledger."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.finance.models import Allocation, Work
from mtqg.finance.tests.factories import ensure_programs, make_work
from mtqg.planning.costs import build_communes, load_costs
from mtqg.planning.models import Scenario, UnitCost
from mtqg.planning.services import scenario_create, scenario_delete, scenario_to_finance
from mtqg.testing import make_world

from .factories import ON, small_province


class CostModelTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.xs = small_province(cls.world.dien_bien_old)

    def test_gaps_priced_with_region_and_basic_factor(self) -> None:
        communes, notes = build_communes(self.world.dien_bien_old, ON)
        by_code = {c.code: c for c in communes}
        self.assertEqual(len(communes), 6)
        self.assertEqual(by_code[self.xs[0].code].gaps, [])
        self.assertEqual([g.cost for g in by_code[self.xs[1].code].gaps], [625_000_000])
        basic = next(g for g in by_code[self.xs[3].code].gaps if g.criterion == 18)
        self.assertEqual(basic.cost, 100_000_000)  # 200 tr × 1,25 × 0,4
        self.assertEqual(basic.confidence, "thap")  # table values are unconfirmed
        self.assertTrue(any("không gắn công trình với tiêu chí" in n for n in notes))

    def test_works_history_adjusts_water_cost(self) -> None:
        for size in (1_800_000_000, 2_000_000_000, 2_600_000_000):
            make_work(self.xs[0], kind=Work.Kind.WATER_CENTRALISED, size=size, year=2019, program="NTM")
        make_work(
            self.xs[0],
            kind=Work.Kind.WATER_CENTRALISED,
            size=9_000_000_000,
            year=2019,
            status=Work.Status.PLANNED,
            program="NTM",
        )
        communes, _notes = build_communes(self.world.dien_bien_old, ON)
        water = next(g for c in communes for g in c.gaps if g.criterion == 17)
        self.assertEqual(
            water.cost, 2_000_000_000
        )  # median of the 3 non-planned works, not the table's 3.125 tr
        self.assertEqual(water.confidence, "trung_binh")
        self.assertIn("trung vị 3 công trình", water.basis)

    def test_load_costs_idempotent(self) -> None:
        before = UnitCost.objects.count()
        self.assertEqual(load_costs(), 0)
        self.assertEqual(UnitCost.objects.count(), before)

    def test_missing_cost_is_a_vietnamese_error(self) -> None:
        UnitCost.objects.filter(criteria_set_code="qd1980", criterion_number=8).delete()
        with self.assertRaisesMessage(ValidationError, "Thiếu suất chi phí cho: qd1980 #8"):
            build_communes(self.world.dien_bien_old, ON)

    def test_no_assessment(self) -> None:
        with self.assertRaisesMessage(ValidationError, "chưa có đánh giá xã NTM"):
            build_communes(self.world.cao_bang_old, ON)


class ScenarioServiceTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.xs = small_province(cls.world.dien_bien_old)
        ensure_programs()

    def create(self, **kw: object) -> Scenario:
        fields: dict[str, object] = {
            "actor": self.world.dien_bien_officer,
            "province": self.world.dien_bien_old,
            "name": "Thử",
            "as_of": ON,
            "budget": 5_000_000_000,
        }
        fields.update(kw)
        return scenario_create(**fields)  # type: ignore[arg-type]

    def test_create_computes_and_audits(self) -> None:
        s = self.create()
        side = {r["method"]: r for r in s.result["side_by_side"]}
        # 5 tỷ: communes 1 (625 tr), 3 (3.225 tr) and 4 (1.063 tr) = 4.913 tr → 3 communes reach standard
        self.assertEqual(side["optimiser"]["communes_reaching"], 3)
        self.assertGreaterEqual(side["optimiser"]["communes_reaching"], side["greedy"]["communes_reaching"])
        self.assertGreaterEqual(side["optimiser"]["communes_reaching"], side["even"]["communes_reaching"])
        self.assertLessEqual(side["optimiser"]["spent"], 5_000_000_000)
        self.assertEqual(len(s.result["sensitivity"]), 6)
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(s.pk), action="created").exists())
        row = next(c for c in s.result["communes"] if c["code"] == self.xs[2].code)
        self.assertFalse(row["reaches"])
        self.assertEqual(row["binding"], "budget")
        self.assertIn("ngân sách chỉ còn", row["explanation"])

    def test_bad_input_saves_nothing(self) -> None:
        cases = [
            ({"budget": -1}, "Ngân sách không được âm."),
            ({"budget": "1,5"}, "Ngân sách phải là số nguyên đồng."),
            ({"name": " "}, "Cần đặt tên cho kịch bản."),
            ({"rules": {"min_shares": {"poor_district": "1.5"}}}, "Tỷ lệ phải từ 0 đến 100%."),
            ({"rules": {"committed": [["99999", 2]]}}, "Không có xã mã 99999"),
            ({"rules": {"together": [[2]]}}, "Mỗi nhóm cần ít nhất 2 số tiêu chí"),
            ({"rules": {"horizon": [2025, 2021]}}, "Năm bắt đầu kế hoạch phải trước"),
        ]
        for kw, message in cases:
            with self.subTest(kw=kw), self.assertRaisesMessage(ValidationError, message):
                self.create(**kw)
        self.assertFalse(Scenario.objects.exists())

    def test_contradictory_rules_save_nothing(self) -> None:
        rules = {"min_shares": {"poor_district": "0.7", "border": "0.6"}}
        with self.assertRaises(ValidationError) as ctx:
            self.create(rules=rules)
        self.assertIn("Không có phương án thỏa mãn đồng thời", ctx.exception.messages[0])
        self.assertFalse(Scenario.objects.exists())
        self.assertFalse(ChangeRecord.objects.filter(action="created", object_repr="Thử").exists())

    def test_duplicate_name_and_scope(self) -> None:
        self.create()
        with self.assertRaisesMessage(ValidationError, "Đã có kịch bản tên"):
            self.create()
        with self.assertRaises(PermissionDenied):
            self.create(actor=self.world.cao_bang_officer, name="Khác")
        with self.assertRaises(PermissionDenied):
            self.create(actor=self.world.supervisor, name="Khác")

    def test_convert_to_finance(self) -> None:
        s = self.create(with_sensitivity=False)
        funded = sum(1 for c in s.result["communes"] for g in c["gaps"] if g["funded"])
        count = scenario_to_finance(actor=self.world.dien_bien_officer, scenario=s, year=2021)
        self.assertEqual(count, funded)
        works = Work.objects.filter(code__startswith=f"KB{s.pk}-")
        self.assertEqual(works.count(), funded)
        self.assertTrue(all(w.status == Work.Status.PLANNED for w in works))
        total = sum(int(a.amount) for a in Allocation.objects.filter(work__in=works))
        plan = next(r for r in s.result["side_by_side"] if r["method"] == "optimiser")
        self.assertEqual(total, plan["spent"])
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(s.pk), action="converted").exists())
        with self.assertRaisesMessage(ValidationError, "đã được chuyển"):
            scenario_to_finance(actor=self.world.dien_bien_officer, scenario=s, year=2021)
        with self.assertRaisesMessage(ValidationError, "không xóa được"):
            scenario_delete(actor=self.world.dien_bien_officer, scenario=s)

    def test_delete(self) -> None:
        s = self.create(with_sensitivity=False)
        scenario_delete(actor=self.world.dien_bien_officer, scenario=s)
        self.assertFalse(Scenario.objects.exists())
