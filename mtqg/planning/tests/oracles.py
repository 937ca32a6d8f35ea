"""Test oracles for the optimiser: a plan's feasibility and objective computed directly from the rules, and the
best plan by enumeration. Test code only: the optimiser itself never enumerates."""

from __future__ import annotations

import math
from collections import defaultdict

from mtqg.planning.optimiser import MILLION, Problem, build_items, coefficients


def feasible(problem: Problem, funded: set[tuple[int, int]]) -> bool:
    """Whether a plan satisfies every rule, checked directly on the plan (not through the model)."""
    items = build_items(problem)
    rules, budget_m = problem.rules, problem.budget // MILLION
    chosen = []
    for it in items:
        states = {(it.commune, k) in funded for k in it.criteria}
        if len(states) > 1:
            return False
        on = states.pop()
        if it.fixed and rules.committed and not on:
            return False
        chosen.append(on)
    spent = [it.cost // MILLION if on else 0 for it, on in zip(items, chosen, strict=True)]
    if sum(spent) > budget_m:
        return False
    for flag, share in rules.min_shares.items():
        part = sum(
            s for it, s in zip(items, spent, strict=True) if flag in problem.communes[it.commune].flags
        )
        if part < math.ceil(float(share) * budget_m - 1e-9):
            return False
    by_area: dict[str, int] = defaultdict(int)
    by_commune: dict[int, int] = defaultdict(int)
    totals: dict[int, int] = defaultdict(int)
    for it, s in zip(items, spent, strict=True):
        by_area[problem.communes[it.commune].area] += s
        by_commune[it.commune] += s
        totals[it.commune] += it.cost // MILLION
    for area, s in by_area.items():
        if rules.max_area_share is not None and s > math.floor(float(rules.max_area_share) * budget_m + 1e-9):
            return False
        if area in rules.area_caps and s > rules.area_caps[area] // MILLION:
            return False
    if rules.min_per_commune:
        for c, s in by_commune.items():
            if 0 < s < min(rules.min_per_commune // MILLION, totals[c]):
                return False
    return True


def objective_value(problem: Problem, funded: set[tuple[int, int]]) -> int:
    """The solver's (integer) objective for a plan, to compare with a brute force."""
    items = build_items(problem)
    per_commune, per_criterion = coefficients(problem, items)
    reaching = [
        i
        for i, c in enumerate(problem.communes)
        if c.gaps and all((i, g.criterion) in funded for g in c.gaps)
    ]
    return sum(per_commune[i] for i in reaching) + per_criterion * len(funded)


def brute_force(problem: Problem) -> tuple[int, set[tuple[int, int]]] | None:
    """Best feasible plan by enumeration over items (small instances only)."""
    items = build_items(problem)
    best: tuple[int, set[tuple[int, int]]] | None = None
    for mask in range(1 << len(items)):
        funded = {(it.commune, k) for b, it in enumerate(items) if mask >> b & 1 for k in it.criteria}
        if not feasible(problem, funded):
            continue
        value = objective_value(problem, funded)
        if best is None or value > best[0]:
            best = (value, funded)
    return best
