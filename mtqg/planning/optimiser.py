"""The allocation model (scipy.optimize.milp / HiGHS) and the two baselines, on plain data (no database).

An *item* is what can be funded: one gap (commune, criterion), a group of gaps that must close together, or, at
commune level, all the remaining gaps of a commune. x_i = 1 funds item i; y_c = 1 means commune c reaches the
standard (all its items funded); z_c = 1 means commune c receives money (minimum investment per funded commune).
Money in the solver is whole million VND (the cost model rounds estimates to whole millions), so the budget
check is exact.
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
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

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


def _milp(problem: Problem, items: list[Item], rules: Rules, time_limit: float, gap: float) -> Any:
    n_items = len(items)
    per: dict[int, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        per[it.commune].append(i)
    multi = [c for c in sorted(per) if len(per[c]) > 1]  # single-item communes: y_c = x_i, no extra variable
    ycol = {c: n_items + j for j, c in enumerate(multi)}
    use_z = rules.min_per_commune > 0
    zcol = {c: n_items + len(multi) + j for j, c in enumerate(multi)} if use_z else {}
    n_vars = n_items + len(ycol) + len(zcol)
    budget_m = problem.budget // MILLION
    cost = np.array([it.cost // MILLION for it in items], dtype=float)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(entries: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        r = len(lo)
        for cidx, v in entries:
            rows.append(r)
            cols.append(cidx)
            vals.append(v)
        lo.append(lower)
        hi.append(upper)

    row(((i, cost[i]) for i in range(n_items)), -np.inf, budget_m)
    for c in multi:
        for i in per[c]:
            row(((ycol[c], 1.0), (i, -1.0)), -np.inf, 0.0)
    for flag, share in rules.min_shares.items():
        need = math.ceil(float(share) * budget_m - 1e-9)
        members = [i for i, it in enumerate(items) if flag in problem.communes[it.commune].flags]
        row(((i, cost[i]) for i in members), need, np.inf)
    by_area: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by_area[problem.communes[it.commune].area].append(i)
    for area, members in by_area.items():
        caps = []
        if rules.max_area_share is not None:
            caps.append(math.floor(float(rules.max_area_share) * budget_m + 1e-9))
        if area in rules.area_caps:
            caps.append(rules.area_caps[area] // MILLION)
        if caps:
            row(((i, cost[i]) for i in members), -np.inf, min(caps))
    if use_z:
        for c in multi:
            members = per[c]
            for i in members:
                row(((i, 1.0), (zcol[c], -1.0)), -np.inf, 0.0)
            floor = min(rules.min_per_commune // MILLION, int(sum(cost[i] for i in members)))
            row([*((i, cost[i]) for i in members), (zcol[c], -float(floor))], 0.0, np.inf)
    per_commune, per_criterion = coefficients(problem, items)
    c_vec = np.zeros(n_vars)
    for i, it in enumerate(items):
        c_vec[i] = -float(per_criterion * len(it.criteria))
    for c, members in per.items():
        target = ycol.get(c, members[0])
        c_vec[target] -= float(per_commune[c])
    lb = np.zeros(n_vars)
    for i, it in enumerate(items):
        if it.fixed and rules.committed:
            lb[i] = 1.0
    a = coo_matrix((vals, (rows, cols)), shape=(len(lo), n_vars)).tocsr()
    return milp(
        c_vec,
        integrality=np.ones(n_vars),
        bounds=Bounds(lb, np.ones(n_vars)),
        constraints=LinearConstraint(a, np.array(lo), np.array(hi)),
        options={"mip_rel_gap": gap, "time_limit": time_limit, "presolve": PRESOLVE, "disp": DEBUG},
    )


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
    res = _milp(problem, items, problem.rules, time_limit, gap)
    seconds = time.perf_counter() - started
    if res.x is None:
        if res.status == 2 or "infeasible" in str(res.message).lower():
            if diagnose:
                raise diagnose_infeasible(problem, items)
            raise Infeasible(_("Các ràng buộc mâu thuẫn nhau."), [])
        raise ValidationError(_("Bộ giải không tìm được phương án trong thời gian cho phép."))
    chosen = [res.x[i] > 0.5 for i in range(len(items))]
    if problem.objective != "weighted":
        fill(problem, items, chosen)
    funded = {(items[i].commune, k) for i in range(len(items)) if chosen[i] for k in items[i].criteria}
    status = "optimal" if res.status == 0 else "time_limit"
    mip_gap = getattr(res, "mip_gap", None)
    return Solution("optimiser", funded, status, seconds, mip_gap, -float(res.fun), len(items))


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


def feasible(problem: Problem, funded: set[tuple[int, int]]) -> bool:
    """Whether a plan satisfies every rule (used by tests and the brute force)."""
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
