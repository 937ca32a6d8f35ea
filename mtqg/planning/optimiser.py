"""The allocation model (scipy.optimize.milp / HiGHS) and the two baselines, on plain data (no database).

An *item* is what can be funded: one gap (commune, criterion), a group of gaps that must close together, or, at
commune level, all the remaining gaps of a commune. A commune with one item has one column; a commune with several
has y_c (fully funded: it reaches the standard), partial columns p_i and, with a minimum investment, z_c (partly
funded) — see `_model`. Money in the solver is whole million VND (the cost model rounds estimates to whole
millions), so the budget check is exact.

Solving (`_solve_model`): LP relaxation strengthened with cover cuts (an upper bound, its duals explain the plan),
then repair sub-MIPs around it, certified against the bound, and the whole MILP only when they cannot be certified.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, vstack

from mtqg.core.formatting import number_vi, percent_vi

MILLION = 1_000_000
DEBUG = False
PRESOLVE = False  # HiGHS presolve probing costs seconds on these knapsack rows and gains nothing
FLAGS = ("poor_district", "p135", "border", "em3")


def flag_labels() -> dict[str, str]:
    return {
        "poor_district": _("huyện nghèo"),
        "p135": _("xã thuộc Chương trình 135"),
        "border": _("xã biên giới"),
        "em3": _("xã khu vực III (vùng DTTS)"),
    }


@dataclass
class Gap:
    criterion: int
    name: str
    status: str
    cost: int  # whole VND, a multiple of one million
    confidence: str = "thap"
    basis: str = ""


@dataclass
class Commune:
    id: int
    code: str
    name: str
    area: str  # district code (pre-2025) or the commune's own code (no district level)
    area_name: str
    met: int
    total: int
    flags: frozenset[str] = frozenset()
    gaps: list[Gap] = field(default_factory=list)

    @property
    def cost_to_standard(self) -> int:
        return sum(g.cost for g in self.gaps)


@dataclass
class Rules:
    """Constraints as data (see docs/planning.md); shares and caps are fractions of the budget."""

    min_shares: dict[str, Decimal] = field(default_factory=dict)
    max_area_share: Decimal | None = None
    area_caps: dict[str, int] = field(default_factory=dict)
    min_per_commune: int = 0
    together: list[tuple[int, ...]] = field(default_factory=list)
    committed: list[tuple[str, int]] = field(default_factory=list)  # (commune code, criterion number)

    def names(self) -> list[str]:
        """Optional rule keys, in display order (the budget is always on)."""
        keys = [f"share:{f}" for f in FLAGS if self.min_shares.get(f)]
        if self.max_area_share is not None:
            keys.append("area_share")
        keys += [f"cap:{a}" for a in sorted(self.area_caps)]
        if self.min_per_commune:
            keys.append("min_per_commune")
        if self.committed:
            keys.append("committed")
        return keys

    def only(self, keys: Iterable[str]) -> Rules:
        keep = set(keys)
        return Rules(
            min_shares={f: s for f, s in self.min_shares.items() if f"share:{f}" in keep},
            max_area_share=self.max_area_share if "area_share" in keep else None,
            area_caps={a: c for a, c in self.area_caps.items() if f"cap:{a}" in keep},
            min_per_commune=self.min_per_commune if "min_per_commune" in keep else 0,
            together=self.together,
            committed=self.committed if "committed" in keep else [],
        )

    def label(self, key: str, budget: int) -> str:
        labels = flag_labels()
        if key.startswith("share:"):
            flag = key.split(":", 1)[1]
            share = self.min_shares[flag]
            return _("tối thiểu %(p)s ngân sách (%(m)s triệu đồng) cho %(f)s") % {
                "p": percent_vi(share * 100, 0),
                "m": number_vi(int(share * budget) // MILLION),
                "f": labels[flag],
            }
        if key == "area_share":
            return _("mỗi huyện/khu vực không quá %(p)s ngân sách") % {
                "p": percent_vi((self.max_area_share or 0) * 100, 0)
            }
        if key.startswith("cap:"):
            area = key.split(":", 1)[1]
            return _("trần %(m)s triệu đồng cho khu vực %(a)s") % {
                "m": number_vi(self.area_caps[area] // MILLION),
                "a": area,
            }
        if key == "min_per_commune":
            return _("mỗi xã được đầu tư tối thiểu %(m)s triệu đồng (không đầu tư dàn trải)") % {
                "m": number_vi(self.min_per_commune // MILLION)
            }
        if key == "committed":
            return _("các công trình đã cam kết (%(n)d hạng mục)") % {"n": len(self.committed)}
        if key == "budget":
            return _("ngân sách %(m)s triệu đồng") % {"m": number_vi(budget // MILLION)}
        return key


@dataclass
class Weights:
    base: Decimal = Decimal(1)
    poor_district: Decimal = Decimal("0.5")
    p135: Decimal = Decimal("0.5")
    border: Decimal = Decimal("0.5")
    em3: Decimal = Decimal("0.5")
    criteria_met: Decimal = Decimal(1)
    criterion: Decimal = Decimal("0.05")

    def commune(self, c: Commune) -> float:
        w = self.base + sum((getattr(self, f) for f in c.flags if f in FLAGS), Decimal(0))
        if c.total:
            w += self.criteria_met * Decimal(c.met) / Decimal(c.total)
        return float(w)


@dataclass
class Problem:
    communes: list[Commune]
    budget: int
    mode: str = "criterion"  # or "commune"
    objective: str = "communes"  # or "weighted"
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)


@dataclass
class Item:
    commune: int  # index into Problem.communes
    criteria: tuple[int, ...]
    cost: int
    fixed: bool = False


@dataclass
class Solution:
    method: str
    funded: set[tuple[int, int]]  # (commune index, criterion)
    status: str = "optimal"
    seconds: float = 0.0
    mip_gap: float | None = None
    objective: float | None = None
    items: int = 0
    bound: float | None = None  # the relaxation's value: no plan scores more
    duals: dict[str, float] = field(
        default_factory=dict
    )  # coupling rule → points per extra million VND of room
    reduced: dict[int, float] = field(default_factory=dict)  # commune index → relaxation's reduced cost
    phases: dict[str, float] = field(default_factory=dict)  # solver seconds per phase


class Infeasible(ValidationError):
    """The rules cannot all hold; `conflicts` lists the minimal conflicting rule sets (Vietnamese labels)."""

    def __init__(self, message: str, conflicts: list[list[str]]):
        super().__init__(message)
        self.conflicts = conflicts


def build_items(problem: Problem) -> list[Item]:
    """Items to fund: gaps (criterion level; together-groups merged) or whole communes; committed gaps fixed."""
    committed = set(problem.rules.committed)
    items: list[Item] = []
    for idx, c in enumerate(problem.communes):
        if not c.gaps:
            continue
        by_crit = {g.criterion: g for g in c.gaps}
        fixed = {k for k in by_crit if (c.code, k) in committed}
        if problem.mode == "commune":
            for k in sorted(fixed):
                items.append(Item(idx, (k,), by_crit[k].cost, True))
            rest = tuple(sorted(set(by_crit) - fixed))
            if rest:
                items.append(Item(idx, rest, sum(by_crit[k].cost for k in rest)))
            continue
        groups: list[set[int]] = [{k} for k in by_crit]
        for together in problem.rules.together:
            members = [k for k in together if k in by_crit]
            if len(members) < 2:
                continue
            merged = set(members)
            keep = []
            for grp in groups:
                if grp & merged:
                    merged |= grp
                else:
                    keep.append(grp)
            groups = [*keep, merged]
        for grp in sorted(groups, key=min):
            ks = tuple(sorted(grp))
            items.append(Item(idx, ks, sum(by_crit[k].cost for k in ks), bool(grp & fixed)))
    return items


def coefficients(problem: Problem, items: list[Item]) -> tuple[dict[int, int], int]:
    """Integer objective coefficients: per commune reaching the standard, and per criterion closed. Integers let
    HiGHS round its bound (the objective is integral), which is what makes the 1e-4 gap cheap to prove.
    'communes': the count only (criteria closed are then added by `fill`, never at a commune's expense);
    'weighted': weights in hundredths."""
    communes = sorted({it.commune for it in items})
    if problem.objective == "weighted":
        per_commune = {c: round(problem.weights.commune(problem.communes[c]) * 100) for c in communes}
        return per_commune, round(float(problem.weights.criterion) * 100)
    return dict.fromkeys(communes, 1), 0


@dataclass
class Model:
    """The MILP in matrix form. Columns: one per item (for a commune with several items: its *partial* funding
    p_i), then y_c (commune c fully funded) and z_c (commune c partly funded) for communes with several items.
    Item i is funded when p_i = 1 or y_c = 1. Rows: per-commune linking, then the coupling rules (budget, minimum
    shares, area caps) whose indices are kept in `coupling` for the duals."""

    c: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    rows: list[int]
    cols: list[int]
    vals: list[float]
    lo: list[float]
    hi: list[float]
    n_items: int
    per: dict[int, list[int]]
    ycol: dict[int, int]
    zcol: dict[int, int]
    cost: list[int]  # item costs, million VND
    floor: int  # minimum investment of a partly funded commune (million VND), 0 = no rule
    coupling: dict[str, int] = field(default_factory=dict)
    integral: bool = True

    def add_row(self, entries: Iterable[tuple[int, float]], lower: float, upper: float) -> int:
        r = len(self.lo)
        for cidx, v in entries:
            self.rows.append(r)
            self.cols.append(cidx)
            self.vals.append(v)
        self.lo.append(lower)
        self.hi.append(upper)
        return r

    def matrix(self) -> Any:
        return coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lo), len(self.c))).tocsr()

    def chosen(self, x: np.ndarray) -> list[bool]:
        """Funded items of a solution: p_i = 1 or the item's commune fully funded."""
        out = [bool(x[i] > 0.5) for i in range(self.n_items)]
        for c, col in self.ycol.items():
            if x[col] > 0.5:
                for i in self.per[c]:
                    out[i] = True
        return out

    def _owner_items(self) -> list[int]:
        owner = [0] * self.n_items
        for c, members in self.per.items():
            for i in members:
                owner[i] = c
        return owner

    def owner(self) -> list[int]:
        """Commune index of every column."""
        out = self._owner_items() + [0] * (len(self.c) - self.n_items)
        for c, col in self.ycol.items():
            out[col] = c
        for c, col in self.zcol.items():
            out[col] = c
        return out


def _model(problem: Problem, items: list[Item], rules: Rules) -> Model:
    """The allocation model. A commune with one item has one column (funded = reaches the standard). A commune
    with several items has y_c (fully funded: every item, the commune reaches the standard) and partial columns
    p_i; partial funding needs z_c, excludes y_c and, with a minimum investment m, must reach m — written
    Σ min(cost_i, m)·p_i ≥ m·z_c (coefficients clipped at m: same integer points, tighter relaxation). When m is at
    least the commune's whole cost, partial funding is impossible and the p_i are fixed to 0. Partial funding of
    every item is excluded (it is the full funding with a smaller objective)."""
    n_items = len(items)
    per: dict[int, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        per[it.commune].append(i)
    cost = [it.cost // MILLION for it in items]
    floor_m = rules.min_per_commune // MILLION
    per_commune, per_criterion = coefficients(problem, items)
    obj = [-float(per_criterion * len(it.criteria)) for it in items]
    lb = [0.0] * n_items
    ub = [1.0] * n_items
    money: dict[int, int] = {}
    owner: dict[int, int] = {}
    model = Model(
        np.zeros(0), np.zeros(0), np.zeros(0), [], [], [], [], [], n_items, per, {}, {}, cost, floor_m
    )

    def new_col(value: float) -> int:
        obj.append(value)
        lb.append(0.0)
        ub.append(1.0)
        return len(obj) - 1

    fixed_rows: list[tuple[int, int]] = []
    for c, members in per.items():
        if len(members) == 1:
            i = members[0]
            obj[i] -= float(per_commune[c])
            money[i], owner[i] = cost[i], c
            if items[i].fixed and rules.committed:
                lb[i] = 1.0
            continue
        total = sum(cost[i] for i in members)
        criteria = sum(len(items[i].criteria) for i in members)
        y = new_col(-float(per_commune[c] + per_criterion * criteria))
        model.ycol[c] = y
        money[y], owner[y] = total, c
        for i in members:
            money[i], owner[i] = cost[i], c
        k = len(members)
        if floor_m and floor_m >= total:
            for i in members:
                ub[i] = 0.0
        elif floor_m:
            z = new_col(0.0)
            model.zcol[c] = z
            for i in members:
                model.add_row(((i, 1.0), (z, -1.0)), -np.inf, 0.0)
            model.add_row(((y, 1.0), (z, 1.0)), -np.inf, 1.0)
            model.add_row(
                [*((i, float(min(cost[i], floor_m))) for i in members), (z, -float(floor_m))], 0.0, np.inf
            )
            model.add_row([*((i, 1.0) for i in members), (z, -float(k - 1))], -np.inf, 0.0)
            # cover cut: the cheapest items costing less than m together cannot make a partial funding alone
            inside, spent = set(), 0
            for i in sorted(members, key=lambda i: (cost[i], i)):
                if spent + cost[i] >= floor_m:
                    break
                inside.add(i)
                spent += cost[i]
            model.add_row([*((i, 1.0) for i in members if i not in inside), (z, -1.0)], 0.0, np.inf)
        else:
            for i in members:
                model.add_row(((i, 1.0), (y, 1.0)), -np.inf, 1.0)
            model.add_row([*((i, 1.0) for i in members), (y, float(k - 1))], -np.inf, float(k - 1))
        for i in members:
            if items[i].fixed and rules.committed:
                fixed_rows.append((i, y))
    for i, y in fixed_rows:
        model.add_row(((i, 1.0), (y, 1.0)), 1.0, np.inf)
    budget_m = problem.budget // MILLION
    model.coupling["budget"] = model.add_row(((j, float(v)) for j, v in money.items()), -np.inf, budget_m)
    for flag, share in rules.min_shares.items():
        need = math.ceil(float(share) * budget_m - 1e-9)
        model.coupling[f"share:{flag}"] = model.add_row(
            ((j, float(v)) for j, v in money.items() if flag in problem.communes[owner[j]].flags),
            need,
            np.inf,
        )
    by_area: dict[str, list[int]] = defaultdict(list)
    for j in money:
        by_area[problem.communes[owner[j]].area].append(j)
    for area, cols in by_area.items():
        caps = []
        if rules.max_area_share is not None:
            caps.append(math.floor(float(rules.max_area_share) * budget_m + 1e-9))
        if area in rules.area_caps:
            caps.append(rules.area_caps[area] // MILLION)
        if caps:
            model.coupling[f"area:{area}"] = model.add_row(
                ((j, float(money[j])) for j in cols), -np.inf, min(caps)
            )
    model.c, model.lb, model.ub = np.array(obj), np.array(lb), np.array(ub)
    model.integral = all(float(v).is_integer() for v in obj)
    return model


def _run_milp(
    model: Model, time_limit: float, gap: float, lb: Any = None, ub: Any = None, presolve: bool = PRESOLVE
) -> Any:
    return milp(
        model.c,
        integrality=np.ones(len(model.c)),
        bounds=Bounds(model.lb if lb is None else lb, model.ub if ub is None else ub),
        constraints=LinearConstraint(model.matrix(), np.array(model.lo), np.array(model.hi)),
        options={"mip_rel_gap": gap, "time_limit": max(time_limit, 0.1), "presolve": presolve, "disp": DEBUG},
    )


def _milp(problem: Problem, items: list[Item], rules: Rules, time_limit: float, gap: float) -> Any:
    return _run_milp(_model(problem, items, rules), time_limit, gap)


@dataclass
class Relaxation:
    """The LP relaxation (with the cover cuts): its value (an upper bound on the plan's objective), solution,
    reduced costs per column and duals of the coupling rows (≥ 0: value of one more million VND of room)."""

    value: float
    x: np.ndarray
    reduced: np.ndarray
    duals: dict[str, float]
    cuts: int = 0


def _lp(model: Model) -> Any:
    a = model.matrix()
    lo, hi = np.array(model.lo), np.array(model.hi)
    up, down = np.isfinite(hi), np.isfinite(lo)
    a_ub = vstack([a[up], -a[down]]).tocsr()
    b_ub = np.concatenate([hi[up], -lo[down]])
    res = linprog(model.c, A_ub=a_ub, b_ub=b_ub, bounds=np.c_[model.lb, model.ub], method="highs-ds")
    return res, np.flatnonzero(up), np.flatnonzero(down)


def _covers(model: Model, x: np.ndarray) -> list[tuple[list[int], int]]:
    """Violated cover inequalities of the minimum investment: for a partly funded commune, any set T of its
    items costing less than m in total cannot satisfy the minimum alone, so Σ_{i∉T} p_i ≥ z_c (valid for every
    integer plan). T is grown greedily from the items the relaxation funds most."""
    found = []
    for c, z in model.zcol.items():
        if x[z] < 1e-6:
            continue
        members = model.per[c]
        order = sorted(members, key=lambda i: (-x[i], model.cost[i], i))
        inside: set[int] = set()
        spent = 0
        for i in order:
            if spent + model.cost[i] < model.floor:
                inside.add(i)
                spent += model.cost[i]
        rest = [i for i in members if i not in inside]
        if sum(x[i] for i in rest) < x[z] - 1e-6:
            found.append((rest, z))
    return found


def relax(model: Model, *, rounds: int = 6, deadline: float | None = None) -> Relaxation | None:
    """Solve the LP relaxation, adding violated cover cuts to the model (they stay for the MILP) while a round finds
    more than a handful; None when even the relaxation is infeasible."""
    added = 0
    enough = max(5, len(model.zcol) // 200)
    while True:
        res, up, down = _lp(model)
        if res.status != 0:
            return None
        cuts = _covers(model, res.x) if model.zcol else []
        out_of_time = deadline is not None and time.perf_counter() > deadline
        if len(cuts) <= enough or rounds <= 0 or out_of_time:
            break
        for rest, z in cuts:
            model.add_row([*((i, 1.0) for i in rest), (z, -1.0)], 0.0, np.inf)
        added += len(cuts)
        rounds -= 1
    marg = res.ineqlin.marginals
    dual_row = np.zeros(len(model.lo))
    dual_row[up] += -marg[: len(up)]
    dual_row[down] += -marg[len(up) :]
    duals = {key: float(dual_row[r]) for key, r in model.coupling.items()}
    reduced = res.lower.marginals + res.upper.marginals
    return Relaxation(-float(res.fun), res.x, reduced, duals, added)


SUB_GAP = 1.0
NEIGHBOURHOODS = (100, 400)  # communes left free in the repair sub-MIPs around the relaxation


def _certified(bound: float, value: float, integral: bool) -> float:
    """Relative gap of a plan's objective against the relaxation's bound (the bound is rounded down for an
    integral objective)."""
    if integral:
        bound = math.floor(bound + 1e-6 * max(1.0, abs(bound)))  # never round a bound down past its tolerance
    return max(bound - value, 0.0) / max(1.0, abs(value))


@dataclass
class Outcome:
    result: Any  # scipy OptimizeResult; status 0 = within the gap
    relaxation: Relaxation | None
    gap: float | None  # achieved relative gap (None when unknown)
    bound: float | None = None  # no plan scores more
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase


def _solve_model(model: Model, time_limit: float, gap: float) -> Outcome:
    """1. LP relaxation with cover cuts: an upper bound on every plan's objective. 2. Repair sub-MIPs around it:
    the communes with a fractional column or the smallest reduced costs are left free (100, then 400 communes),
    every other column is fixed to its relaxed value. A sub-MIP plan within `gap` of the bound is certified (the
    bound holds for every plan, so this is the same guarantee as HiGHS's own gap) and returned. 3. Otherwise the
    whole strengthened MILP runs with the time left, and the better plan is kept."""
    started = time.perf_counter()
    deadline = started + time_limit
    phases: dict[str, float] = {}
    relaxation = relax(model, deadline=started + time_limit / 3)
    phases["relaxation"] = time.perf_counter() - started
    if relaxation is None:  # the relaxation is infeasible, so is the MILP: HiGHS says so quickly
        return Outcome(_run_milp(model, deadline - time.perf_counter(), gap), None, None, None, phases)
    x = relaxation.x
    frac = (x > 1e-6) & (x < 1 - 1e-6)
    score = np.where(frac, -1.0, np.abs(relaxation.reduced))
    owner = np.array(model.owner())
    closest: dict[int, float] = {}
    for col, c in enumerate(owner.tolist()):
        closest[c] = min(closest.get(c, math.inf), float(score[col]))
    ranked = sorted(closest, key=lambda c: (closest[c], c))
    rounded = np.round(x)
    heuristic: Any = None
    for size in NEIGHBOURHOODS:
        if size * 2 > len(ranked):  # the neighbourhood would be most of the problem: solve the whole of it
            break
        mark = time.perf_counter()
        free = np.isin(owner, ranked[:size])
        lb = np.where(free, model.lb, np.maximum(model.lb, rounded))
        ub = np.where(free, model.ub, np.minimum(model.ub, rounded))
        left = deadline - time.perf_counter()
        attempt = _run_milp(model, min(max(time_limit / 6, 1.0), left), gap * SUB_GAP, lb, ub, True)
        phases[f"repair {size}"] = time.perf_counter() - mark
        if attempt.x is not None and (heuristic is None or attempt.fun < heuristic.fun):
            heuristic = attempt
        if heuristic is not None:
            certified = _certified(relaxation.value, -float(heuristic.fun), model.integral)
            if certified <= gap:
                heuristic.status = 0
                return Outcome(heuristic, relaxation, certified, relaxation.value, phases)
    mark = time.perf_counter()
    full = _run_milp(model, deadline - time.perf_counter(), gap)
    phases["milp"] = time.perf_counter() - mark
    found = [r for r in (full, heuristic) if r is not None and r.x is not None]  # a tie keeps HiGHS's proof
    if not found:
        return Outcome(full, relaxation, None, relaxation.value, phases)
    best = min(found, key=lambda r: round(float(r.fun), 6))
    bound = relaxation.value
    if full.x is not None and getattr(full, "mip_dual_bound", None) is not None:
        bound = min(bound, -float(full.mip_dual_bound))  # HiGHS's branch-and-bound bound is at least as tight
    certified = _certified(bound, -float(best.fun), model.integral)
    best.status = 0 if certified <= gap else 1
    return Outcome(best, relaxation, certified, bound, phases)


def solve(
    problem: Problem, *, time_limit: float = 30.0, gap: float = 1e-4, diagnose: bool = True
) -> Solution:
    """Optimal plan; raises Infeasible (Vietnamese, naming the conflicting rules) when the rules cannot all hold."""
    if problem.budget < 0:
        raise ValidationError({"budget": _("Ngân sách không được âm.")})
    items = build_items(problem)
    started = time.perf_counter()
    if not items:
        return Solution("optimiser", set(), "optimal", 0.0, 0.0, 0.0, 0)
    model = _model(problem, items, problem.rules)
    outcome = _solve_model(model, time_limit, gap)
    res, relaxation = outcome.result, outcome.relaxation
    seconds = time.perf_counter() - started
    if res.x is None:
        if res.status == 2 or "infeasible" in str(res.message).lower():
            if diagnose:
                raise diagnose_infeasible(problem, items)
            raise Infeasible(_("Các ràng buộc mâu thuẫn nhau."), [])
        raise ValidationError(_("Bộ giải không tìm được phương án trong thời gian cho phép."))
    chosen = model.chosen(res.x)
    if problem.objective != "weighted":
        fill(problem, items, chosen)
    funded = {(items[i].commune, k) for i in range(len(items)) if chosen[i] for k in items[i].criteria}
    return Solution(
        "optimiser",
        funded,
        "optimal" if res.status == 0 else "time_limit",
        seconds,
        outcome.gap if outcome.gap is not None else getattr(res, "mip_gap", None),
        -float(res.fun),
        len(items),
        bound=outcome.bound,
        duals=relaxation.duals if relaxation else {},
        reduced=_commune_reduced(model, relaxation) if relaxation else {},
        phases=outcome.phases,
    )


def _commune_reduced(model: Model, relaxation: Relaxation) -> dict[int, float]:
    """Reduced cost of funding each commune fully in the relaxation (0 for communes the relaxation funds; > 0 =
    objective points it would lose)."""
    out: dict[int, float] = {}
    for c, members in model.per.items():
        col = model.ycol.get(c, members[0])
        out[c] = float(relaxation.reduced[col])
    return out


def fill(problem: Problem, items: list[Item], chosen: list[bool]) -> None:
    """Spend what the count-optimal plan leaves on the cheapest further items that keep every rule: budget, area
    caps and the minimum per funded commune (only communes already funded, unless there is no minimum)."""
    rules, budget_m = problem.rules, problem.budget // MILLION
    spent = sum(it.cost // MILLION for it, on in zip(items, chosen, strict=True) if on)
    by_area: dict[str, int] = defaultdict(int)
    funded_communes = set()
    for it, on in zip(items, chosen, strict=True):
        if on:
            by_area[problem.communes[it.commune].area] += it.cost // MILLION
            funded_communes.add(it.commune)
    for i in sorted(range(len(items)), key=lambda i: (items[i].cost, i)):
        it = items[i]
        if chosen[i]:
            continue
        cost = it.cost // MILLION
        area = problem.communes[it.commune].area
        if spent + cost > budget_m:
            continue
        caps = []
        if rules.max_area_share is not None:
            caps.append(math.floor(float(rules.max_area_share) * budget_m + 1e-9))
        if area in rules.area_caps:
            caps.append(rules.area_caps[area] // MILLION)
        if caps and by_area[area] + cost > min(caps):
            continue
        if rules.min_per_commune and it.commune not in funded_communes:
            continue
        chosen[i] = True
        spent += cost
        by_area[area] += cost
        funded_communes.add(it.commune)


def diagnose_infeasible(problem: Problem, items: list[Item]) -> Infeasible:
    """Smallest sets of rules (with the budget) that are infeasible together: singles, then pairs, then triples."""
    names = problem.rules.names()
    found: list[tuple[str, ...]] = []
    for size in (1, 2, 3):
        for subset in itertools.combinations(names, size):
            if any(set(f) <= set(subset) for f in found):
                continue
            res = _milp(problem, items, problem.rules.only(subset), 5.0, 1e-2)
            if res.x is None and res.status == 2:
                found.append(subset)
        if found:
            break
    conflicts = [
        [problem.rules.label(k, problem.budget) for k in subset]
        + [problem.rules.label("budget", problem.budget)]
        for subset in found
    ]
    if conflicts:
        parts = ["; ".join(c) for c in conflicts]
        message = _(
            "Không có phương án thỏa mãn đồng thời các quy tắc: %(rules)s. Hãy nới một trong các quy tắc này."
        ) % {"rules": " — hoặc — ".join(f"[{p}]" for p in parts)}
    else:
        message = _(
            "Không có phương án thỏa mãn đồng thời tất cả các quy tắc (xung đột gồm từ 4 quy tắc trở lên)."
        )
    return Infeasible(message, conflicts)


def even_spreading(problem: Problem) -> Solution:
    """Current practice: the budget split equally over every commune not yet at standard; each commune closes its
    cheapest gaps with its share; what a share cannot buy stays unspent (money spread thin)."""
    open_ = [i for i, c in enumerate(problem.communes) if c.gaps]
    funded: set[tuple[int, int]] = set()
    if not open_:
        return Solution("even", funded)
    share = problem.budget // len(open_)
    for idx in open_:
        left = share
        for g in sorted(problem.communes[idx].gaps, key=lambda g: (g.cost, g.criterion)):
            if g.cost <= left:
                funded.add((idx, g.criterion))
                left -= g.cost
    return Solution("even", funded)


def greedy_closest(problem: Problem) -> Solution:
    """'Closest to standard first': communes by fewest missing criteria (then cheapest), funded whole while the
    budget lasts; the rest of the budget closes the cheapest single gaps of the next communes."""
    left = problem.budget
    funded: set[tuple[int, int]] = set()
    order = sorted(
        (i for i, c in enumerate(problem.communes) if c.gaps),
        key=lambda i: (
            len(problem.communes[i].gaps),
            problem.communes[i].cost_to_standard,
            problem.communes[i].code,
        ),
    )
    rest: list[tuple[int, int, int]] = []
    for idx in order:
        c = problem.communes[idx]
        if c.cost_to_standard <= left:
            funded |= {(idx, g.criterion) for g in c.gaps}
            left -= c.cost_to_standard
        else:
            rest += [(g.cost, idx, g.criterion) for g in c.gaps]
    for cost, idx, k in sorted(rest):
        if cost <= left:
            funded.add((idx, k))
            left -= cost
    return Solution("greedy", funded)


def evaluate(problem: Problem, solution: Solution) -> dict[str, Any]:
    """Figures of one plan: communes reaching standard, criteria closed, money, priority shares, score."""
    cost = {(i, g.criterion): g.cost for i, c in enumerate(problem.communes) for g in c.gaps}
    spent_by: dict[int, int] = defaultdict(int)
    for key in solution.funded:
        spent_by[key[0]] += cost[key]
    spent = sum(spent_by.values())
    already = sum(1 for c in problem.communes if not c.gaps)
    reaching = [
        i
        for i, c in enumerate(problem.communes)
        if c.gaps and all((i, g.criterion) in solution.funded for g in c.gaps)
    ]
    shares = {}
    for flag in FLAGS:
        part = sum(v for i, v in spent_by.items() if flag in problem.communes[i].flags)
        shares[flag] = round(part * 100 / spent, 2) if spent else None
    weights = problem.weights
    score = sum(weights.commune(problem.communes[i]) for i in reaching) + float(weights.criterion) * len(
        solution.funded
    )
    funded_communes = len(spent_by)
    return {
        "method": solution.method,
        "communes_reaching": len(reaching),
        "already_standard": already,
        "total_standard": already + len(reaching),
        "criteria_closed": len(solution.funded),
        "spent": spent,
        "unspent": problem.budget - spent,
        "funded_communes": funded_communes,
        "money_per_funded_commune": spent // funded_communes if funded_communes else 0,
        "priority_shares": shares,
        "weighted_score": round(score, 4),
        "status": solution.status,
        "seconds": round(solution.seconds, 3),
        "mip_gap": solution.mip_gap,
    }


def sensitivity(problem: Problem, factors: Sequence[Decimal]) -> list[dict[str, Any]]:
    """Communes reaching standard at other budgets (commune-level model, the fast one), and the marginal
    number of communes per extra tỷ đồng between consecutive budgets."""
    points = []
    for f in factors:
        budget = int(problem.budget * f) // MILLION * MILLION
        variant = Problem(problem.communes, budget, "commune", problem.objective, Rules(), problem.weights)
        sol = solve(variant, time_limit=10.0, diagnose=False)
        figures = evaluate(variant, sol)
        points.append({"factor": str(f), "budget": budget, "communes_reaching": figures["communes_reaching"]})
    for prev, cur in itertools.pairwise(points):
        extra = (cur["budget"] - prev["budget"]) / 1_000_000_000
        cur["per_extra_billion"] = (
            round((cur["communes_reaching"] - prev["communes_reaching"]) / extra, 3) if extra else None
        )
    if points:
        points[0]["per_extra_billion"] = None
    return points
