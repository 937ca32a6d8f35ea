"""Per-commune explanations name the rule that bound, read from the LP relaxation's duals; infeasible rule sets
are named in Vietnamese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import SimpleTestCase

from mtqg.planning.optimiser import MILLION, Commune, Gap, Infeasible, Problem, Rules, evaluate, solve
from mtqg.planning.planner import _explain


def commune(i: int, cost: int, area: str = "H1", flags: frozenset[str] = frozenset()) -> Commune:
    return Commune(
        i,
        f"{i:05d}",
        f"Xã {i}",
        area,
        f"Huyện {area[1:]}",
        18,
        19,
        flags,
        [Gap(2, "Giao thông", "chua_dat", cost * MILLION)],
    )


def explain(problem: Problem) -> dict[str, dict[str, Any]]:
    plan = solve(problem, gap=0.0)
    return {row["code"]: row for row in _explain(problem, plan, evaluate(problem, plan))}


class DualExplanationTest(SimpleTestCase):
    def test_budget_binds(self) -> None:
        communes = [commune(1, 300), commune(2, 400), commune(3, 900), commune(4, 1000)]
        rows = explain(Problem(communes, 800 * MILLION))
        self.assertTrue(rows["00001"]["reaches"] and rows["00002"]["reaches"])
        d = rows["00004"]
        self.assertFalse(d["reaches"])
        self.assertEqual(d["binding"], "budget")
        self.assertIn("Ràng buộc chặn: ngân sách.", d["explanation"])
        # 1 commune per 900 triệu at the margin: 1.000 triệu are worth 1,11 communes, more than the 1 it brings
        self.assertIn("mang lại 1,111 xã", d["explanation"])
        self.assertIn("'đáng giá' 1,11 xã", d["explanation"])
        # the commune at the margin is told it sits on the threshold
        self.assertIn("Xã ở sát ngưỡng", rows["00003"]["explanation"])

    def test_area_cap_binds(self) -> None:
        communes = [commune(1, 300), commune(2, 350), commune(3, 380), commune(4, 500, area="H2")]
        rows = explain(Problem(communes, 2000 * MILLION, rules=Rules(area_caps={"H1": 400 * MILLION})))
        self.assertEqual([c for c, r in rows.items() if r["reaches"]], ["00001", "00004"])
        third = rows["00003"]
        self.assertEqual(third["binding"], "area_cap")
        self.assertIn("Ràng buộc chặn: trần vốn của Huyện 1.", third["explanation"])

    def test_minimum_share_brings_a_commune_in(self) -> None:
        communes = [commune(1, 300), commune(2, 300), commune(3, 600, flags=frozenset({"border"}))]
        rules = Rules(min_shares={"border": Decimal("0.5")})
        rows = explain(Problem(communes, 700 * MILLION, rules=rules))
        border = rows["00003"]
        self.assertTrue(border["reaches"])
        self.assertEqual(border["binding"], "share:border")
        self.assertIn(
            "Được chọn nhờ quy tắc tối thiểu 50% ngân sách (350 triệu đồng) cho xã biên giới",
            border["explanation"],
        )
        self.assertFalse(rows["00001"]["reaches"] and rows["00002"]["reaches"])

    def test_weighted_objective_speaks_of_points(self) -> None:
        communes = [commune(1, 300), commune(2, 400), commune(3, 900), commune(4, 1000)]
        rows = explain(Problem(communes, 800 * MILLION, objective="weighted"))
        self.assertIn("điểm", rows["00004"]["explanation"])
        self.assertEqual(rows["00004"]["binding"], "budget")


class InfeasibleNamesRulesTest(SimpleTestCase):
    def test_share_against_area_cap(self) -> None:
        poor = frozenset({"poor_district"})
        communes = [commune(1, 500, "H1", poor), commune(2, 500, "H1", poor), commune(3, 500, "H2")]
        rules = Rules(min_shares={"poor_district": Decimal("0.6")}, max_area_share=Decimal("0.3"))
        with self.assertRaises(Infeasible) as ctx:
            solve(Problem(communes, 1500 * MILLION, rules=rules))
        message = ctx.exception.messages[0]
        self.assertIn("Không có phương án thỏa mãn đồng thời các quy tắc", message)
        self.assertIn("tối thiểu 60% ngân sách (900 triệu đồng) cho huyện nghèo", message)
        self.assertIn("mỗi huyện/khu vực không quá 30% ngân sách", message)
        self.assertEqual(len(ctx.exception.conflicts), 1)

    def test_share_with_no_commune_of_the_group(self) -> None:
        communes = [commune(1, 500)]
        rules = Rules(min_shares={"poor_district": Decimal("0.1")})
        with self.assertRaises(Infeasible) as ctx:
            solve(Problem(communes, 1000 * MILLION, rules=rules))
        self.assertIn("cho huyện nghèo; ngân sách 1.000 triệu đồng", ctx.exception.messages[0])
