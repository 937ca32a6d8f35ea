"""The model on plain data: optimal vs brute force, every rule holds, never worse than the baselines, infeasible
rule sets named in Vietnamese, bad input refused."""

from __future__ import annotations

import random
from decimal import Decimal
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from mtqg.planning.optimiser import (
    MILLION,
    Commune,
    Gap,
    Infeasible,
    Problem,
    Rules,
    _model,
    _run_milp,
    build_items,
    evaluate,
    even_spreading,
    greedy_closest,
    solve,
)
from mtqg.planning.tests.oracles import brute_force, feasible, objective_value


def instance(seed: int, n: int = 4, max_gaps: int = 3) -> list[Commune]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randint(0 if i == 0 else 1, max_gaps)
        crits = sorted(rng.sample(range(1, 20), k))
        gaps = [Gap(c, f"TC {c}", "chua_dat", rng.randint(1, 9) * 100 * MILLION) for c in crits]
        flags = frozenset(f for f in ("poor_district", "border", "p135", "em3") if rng.random() < 0.4)
        out.append(Commune(i, f"{i:05d}", f"Xã {i}", f"H{i % 2}", f"Huyện {i % 2}", 19 - k, 19, flags, gaps))
    return out


def rule_variants(communes: list[Commune]) -> list[Rules]:
    code = next(c.code for c in communes if c.gaps)
    first = next(c for c in communes if c.gaps).gaps[0].criterion
    return [
        Rules(),
        Rules(min_shares={"poor_district": Decimal("0.2")}),
        Rules(min_shares={"border": Decimal("0.1")}, max_area_share=Decimal("0.7")),
        Rules(area_caps={"H0": 600 * MILLION}),
        Rules(min_per_commune=800 * MILLION),
        Rules(together=[(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), (11, 12, 13, 14, 15, 16, 17, 18, 19)]),
        Rules(committed=[(code, first)]),
    ]


class BruteForceTest(SimpleTestCase):
    def test_optimal_against_brute_force(self) -> None:
        checked = 0
        for seed in range(6):
            communes = instance(seed)
            budget = sum(c.cost_to_standard for c in communes) // 2 // MILLION * MILLION
            for rules in rule_variants(communes):
                for mode in ("criterion", "commune"):
                    for objective in ("communes", "weighted"):
                        problem = Problem(communes, budget, mode, objective, rules)
                        best = brute_force(problem)
                        try:
                            sol = solve(problem, gap=0.0, diagnose=False)
                        except Infeasible:
                            self.assertIsNone(best, f"seed {seed} {rules} {mode}: solver says infeasible")
                            continue
                        self.assertIsNotNone(best)
                        assert best is not None
                        self.assertTrue(
                            feasible(problem, sol.funded), f"seed {seed} {rules} {mode} {objective}"
                        )
                        if objective == "communes":
                            # the count is what the model optimises; `fill` adds criteria afterwards
                            count = evaluate(problem, sol)["communes_reaching"]
                            self.assertEqual(count, best[0], f"seed {seed} {rules} {mode}")
                        else:
                            self.assertEqual(
                                objective_value(problem, sol.funded), best[0], f"seed {seed} {rules} {mode}"
                            )
                        checked += 1
        self.assertGreater(checked, 100)

    def test_each_rule_holds_and_binds(self) -> None:
        communes = instance(3, n=6, max_gaps=3)
        budget = sum(c.cost_to_standard for c in communes) // 2 // MILLION * MILLION
        free = solve(Problem(communes, budget))
        for rules in rule_variants(communes)[1:]:
            problem = Problem(communes, budget, "criterion", "communes", rules)
            sol = solve(problem)
            self.assertTrue(feasible(problem, sol.funded), rules)
            self.assertLessEqual(
                evaluate(problem, sol)["communes_reaching"], evaluate(problem, free)["communes_reaching"]
            )
        # committed gap is always funded
        code, crit = rule_variants(communes)[-1].committed[0]
        idx = next(i for i, c in enumerate(communes) if c.code == code)
        sol = solve(Problem(communes, budget, rules=Rules(committed=[(code, crit)])))
        self.assertIn((idx, crit), sol.funded)


class BaselineTest(SimpleTestCase):
    def test_never_worse_than_baselines(self) -> None:
        for seed in range(25):
            communes = instance(100 + seed, n=30, max_gaps=8)
            total = sum(c.cost_to_standard for c in communes)
            for frac in (0.1, 0.3, 0.6):
                problem = Problem(communes, int(total * frac) // MILLION * MILLION)
                plan = evaluate(problem, solve(problem))
                for baseline in (even_spreading(problem), greedy_closest(problem)):
                    figures = evaluate(problem, baseline)
                    self.assertLessEqual(figures["spent"], problem.budget)
                    self.assertGreaterEqual(
                        plan["communes_reaching"], figures["communes_reaching"], (seed, frac)
                    )

    def test_even_spreading_spreads(self) -> None:
        communes = instance(7, n=20, max_gaps=6)
        problem = Problem(communes, sum(c.cost_to_standard for c in communes) // 4)
        even = evaluate(problem, even_spreading(problem))
        plan = evaluate(problem, solve(problem))
        self.assertGreater(even["funded_communes"], plan["funded_communes"])


class BadInputTest(SimpleTestCase):
    def test_negative_budget(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Ngân sách không được âm."):
            solve(Problem(instance(1), -1))

    def test_contradictory_shares_name_both_rules(self) -> None:
        communes = [
            Commune(
                1,
                "00001",
                "A",
                "H1",
                "H1",
                18,
                19,
                frozenset({"poor_district"}),
                [Gap(2, "GT", "chua_dat", 500 * MILLION)],
            ),
            Commune(
                2,
                "00002",
                "B",
                "H2",
                "H2",
                18,
                19,
                frozenset({"border"}),
                [Gap(3, "TL", "chua_dat", 500 * MILLION)],
            ),
            Commune(
                3, "00003", "C", "H3", "H3", 18, 19, frozenset(), [Gap(4, "Đ", "chua_dat", 500 * MILLION)]
            ),
        ]
        rules = Rules(min_shares={"poor_district": Decimal("0.6"), "border": Decimal("0.5")})
        with self.assertRaises(Infeasible) as ctx:
            solve(Problem(communes, 800 * MILLION, rules=rules))
        message = str(ctx.exception.messages[0])
        self.assertIn("huyện nghèo", message)
        self.assertIn("xã biên giới", message)
        self.assertEqual(len(ctx.exception.conflicts), 1)
        # each rule alone is satisfiable
        for flag in ("poor_district", "border"):
            solve(Problem(communes, 800 * MILLION, rules=Rules(min_shares={flag: rules.min_shares[flag]})))

    def test_committed_beyond_budget(self) -> None:
        communes = instance(2)
        code = next(c.code for c in communes if c.gaps)
        crits = [g.criterion for g in next(c for c in communes if c.gaps).gaps]
        with self.assertRaises(Infeasible) as ctx:
            solve(Problem(communes, 0, rules=Rules(committed=[(code, k) for k in crits])))
        self.assertIn("công trình đã cam kết", str(ctx.exception.messages[0]))


class CertificateTest(SimpleTestCase):
    """The fast path (relaxation with cover cuts + repair sub-MIP) must keep HiGHS's guarantee: the plan is within
    the gap of the true optimum, and the relaxation's value bounds every plan."""

    def test_within_gap_of_the_exact_optimum(self) -> None:
        rules = Rules(
            min_shares={"poor_district": Decimal("0.2")},
            max_area_share=Decimal("0.6"),
            min_per_commune=700 * MILLION,
            together=[(2, 3)],
        )
        repaired = 0
        for seed in range(2):
            communes = instance(300 + seed, n=60, max_gaps=8)
            budget = sum(c.cost_to_standard for c in communes) * 3 // 10 // MILLION * MILLION
            for mode in ("criterion", "commune"):
                problem = Problem(communes, budget, mode, "weighted", rules)
                exact = _run_milp(_model(problem, build_items(problem), rules), 60.0, 0.0)
                self.assertEqual(exact.status, 0)
                best = round(-float(exact.fun))
                for gap in (1e-4, 1e-2):
                    # small neighbourhoods so that the repair sub-MIPs run (the defaults exceed half of 60
                    # communes); at 1e-2 their plans can be certified against the relaxation alone
                    with mock.patch("mtqg.planning.optimiser.NEIGHBOURHOODS", (8, 25)):
                        sol = solve(problem, gap=gap)
                    self.assertEqual(sol.status, "optimal")
                    self.assertTrue(feasible(problem, sol.funded))
                    value = objective_value(problem, sol.funded)
                    self.assertGreaterEqual(value, best * (1 - gap), (seed, mode, gap))
                    self.assertLessEqual(value, best)
                    assert sol.bound is not None and sol.mip_gap is not None
                    self.assertGreaterEqual(sol.bound + 1e-6, best)
                    self.assertLessEqual(sol.mip_gap, gap)
                    repaired += "milp" not in sol.phases
        self.assertGreater(repaired, 0)  # some plans were certified by a repair sub-MIP alone

    def test_cover_cuts_keep_partial_funding_exact(self) -> None:
        """A commune whose cheap gaps cannot reach the minimum investment alone: the optimum adds a dearer gap."""
        gaps = [
            Gap(k, f"TC {k}", "chua_dat", c * MILLION) for k, c in ((1, 300), (2, 300), (3, 2000), (4, 9000))
        ]
        communes = [Commune(1, "00001", "A", "H1", "H1", 15, 19, frozenset(), gaps)]
        problem = Problem(
            communes, 2600 * MILLION, "criterion", "weighted", Rules(min_per_commune=1000 * MILLION)
        )
        best = brute_force(problem)
        assert best is not None
        sol = solve(problem, gap=0.0)
        self.assertEqual(sol.funded, {(0, 1), (0, 2), (0, 3)})
        self.assertEqual(objective_value(problem, sol.funded), best[0])
