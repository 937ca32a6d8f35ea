"""Scenario computation: parse the rules (Vietnamese errors), price the gaps, solve, run the baselines, explain."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.geo.models import UnitVersion

from .costs import build_communes, default_rules, ledger_commitments
from .optimiser import (
    FLAGS,
    MILLION,
    Commune,
    Problem,
    Rules,
    Solution,
    Weights,
    evaluate,
    even_spreading,
    flag_labels,
    greedy_closest,
    sensitivity,
    solve,
)

METHODS = ("even", "greedy", "optimiser")


def method_labels() -> dict[str, str]:
    return {
        "even": _("Chia đều"),
        "greedy": _("Gần chuẩn nhất trước (tham lam)"),
        "optimiser": _("Tối ưu (MILP)"),
    }


def parse_money(value: Any, field: str, *, label: str) -> int:
    """Whole VND ≥ 0 from a number or a Vietnamese-formatted string ('300.000.000')."""
    text = str(value if value is not None else "").strip().replace(".", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("%(l)s không hợp lệ.") % {"l": label}}) from exc
    if amount < 0:
        raise ValidationError({field: _("%(l)s không được âm.") % {"l": label}})
    if amount != amount.to_integral_value():
        raise ValidationError({field: _("%(l)s phải là số nguyên đồng.") % {"l": label}})
    return int(amount)


def _fraction(value: Any, field: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Tỷ lệ không hợp lệ.")}) from exc
    if not Decimal(0) <= share <= Decimal(1):
        raise ValidationError({field: _("Tỷ lệ phải từ 0 đến 100%.")})
    return share


def parse_rules(raw: dict[str, Any]) -> tuple[Rules, Weights]:
    """Rules and weights from their JSON form (the form stores the same shape)."""
    rules = Rules()
    for flag, value in (raw.get("min_shares") or {}).items():
        if flag not in FLAGS:
            raise ValidationError({"min_shares": _("Nhóm ưu tiên không hợp lệ: %(f)s.") % {"f": flag}})
        share = _fraction(value, f"min_share_{flag}")
        if share:
            rules.min_shares[flag] = share
    if raw.get("max_area_share") not in (None, ""):
        rules.max_area_share = _fraction(raw["max_area_share"], "max_area_share")
    for area, amount in (raw.get("area_caps") or {}).items():
        rules.area_caps[str(area)] = parse_money(amount, "area_caps", label=_("Trần vốn khu vực"))
    if raw.get("min_per_commune") not in (None, ""):
        rules.min_per_commune = parse_money(
            raw["min_per_commune"], "min_per_commune", label=_("Mức đầu tư tối thiểu mỗi xã")
        )
    for group in raw.get("together") or []:
        try:
            numbers = tuple(sorted({int(k) for k in group}))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"together": _("Nhóm tiêu chí phải là các số tiêu chí.")}) from exc
        if len(numbers) < 2 or not all(1 <= k <= 19 for k in numbers):
            raise ValidationError({"together": _("Mỗi nhóm cần ít nhất 2 số tiêu chí từ 1 đến 19.")})
        rules.together.append(numbers)
    for entry in raw.get("committed") or []:
        try:
            code, number = str(entry[0]).strip(), int(entry[1])
        except (TypeError, ValueError, IndexError) as exc:
            raise ValidationError(
                {"committed": _("Công trình cam kết ghi dạng 'mã xã:số tiêu chí'.")}
            ) from exc
        rules.committed.append((code, number))
    horizon = raw.get("horizon")
    if horizon:
        try:
            start, end = int(horizon[0]), int(horizon[1])
        except (TypeError, ValueError, IndexError) as exc:
            raise ValidationError({"horizon": _("Thời kỳ kế hoạch không hợp lệ.")}) from exc
        if start > end:
            raise ValidationError({"horizon": _("Năm bắt đầu kế hoạch phải trước hoặc bằng năm kết thúc.")})
    weights = Weights()
    for key, value in (raw.get("weights") or default_rules()["weights"]).items():
        if not hasattr(weights, key):
            continue
        try:
            weight = Decimal(str(value))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError({"weights": _("Trọng số không hợp lệ.")}) from exc
        if weight < 0:
            raise ValidationError({"weights": _("Trọng số không được âm.")})
        setattr(weights, key, weight)
    return rules, weights


def _check_committed(problem: Problem) -> None:
    known = {(c.code, g.criterion) for c in problem.communes for g in c.gaps}
    codes = {c.code for c in problem.communes}
    for code, number in problem.rules.committed:
        if code not in codes:
            raise ValidationError({"committed": _("Không có xã mã %(c)s trong địa bàn.") % {"c": code}})
        if (code, number) not in known:
            raise ValidationError(
                {
                    "committed": _("Xã %(c)s không thiếu tiêu chí %(k)d: không cần công trình cam kết.")
                    % {"c": code, "k": number}
                }
            )


def build_problem(
    province: UnitVersion,
    on: date,
    budget: int,
    mode: str,
    objective: str,
    raw_rules: dict[str, Any],
    user: Any = None,
) -> tuple[Problem, list[str], list[dict[str, Any]]]:
    if budget < 0:
        raise ValidationError({"budget": _("Ngân sách không được âm.")})
    rules, weights = parse_rules(raw_rules)
    communes, notes = build_communes(province, on, user)
    problem = Problem(communes, budget, mode, objective, rules, weights)
    _check_committed(problem)
    committed: list[dict[str, Any]] = [
        {"code": code, "criterion": number, "source": "typed", "basis": _("nhập tay")}
        for code, number in rules.committed
    ]
    if raw_rules.get("ledger_committed", True):
        start, end = horizon(raw_rules, on)
        found, ledger_notes = ledger_commitments(communes, start, end, user)
        typed = set(rules.committed)
        for entry in found:
            if (entry["code"], entry["criterion"]) not in typed:
                rules.committed.append((entry["code"], entry["criterion"]))
                committed.append(entry)
        notes += ledger_notes
    names = {c.code: c.name for c in communes}
    for entry in committed:
        entry.setdefault("commune", names.get(entry["code"], ""))
    return problem, notes, committed


def horizon(raw_rules: dict[str, Any], on: date) -> tuple[int, int]:
    """The plan years the budget covers: the rules' horizon, else the year after the situation date."""
    years = raw_rules.get("horizon")
    if years:
        return int(years[0]), int(years[1])
    return on.year + 1, on.year + 1


def _prices(problem: Problem, plan: Solution, c: Commune, cost: int) -> dict[str, float]:
    """What `cost` VND in commune `c` 'costs' in objective units at the relaxation's duals: the budget and the
    commune's area cap make it dearer (> 0), a minimum share the commune counts towards makes it cheaper (< 0)."""
    millions = cost / MILLION
    scale = 100.0 if problem.objective == "weighted" else 1.0  # weighted coefficients are hundredths
    out: dict[str, float] = {}
    for key, dual in plan.duals.items():
        if dual <= 1e-9:
            continue
        if key == "budget" or key == f"area:{c.area}":
            out[key] = dual * millions / scale
        elif key.startswith("share:") and key.split(":", 1)[1] in c.flags:
            out[key] = -dual * millions / scale
    return out


def _rule_name(problem: Problem, key: str, c: Commune) -> str:
    if key == "budget":
        return _("ngân sách")
    if key.startswith("area:"):
        return _("trần vốn của %(a)s") % {"a": c.area_name}
    return problem.rules.label(key, problem.budget)


def _dual_sentence(
    problem: Problem, plan: Solution, c: Commune, weight: float, cost: int, criteria: int, funded: bool
) -> tuple[str, str]:
    """The binding rule named from the LP relaxation's duals, in plain Vietnamese, and its key ('' if none)."""
    prices = _prices(problem, plan, c, cost)
    if not prices:
        return "", ""
    unit = _("điểm") if problem.objective == "weighted" else _("xã")
    value = weight  # in the solver's own units: weights in whole hundredths
    if problem.objective == "weighted":
        value = (round(weight * 100) + round(float(problem.weights.criterion) * 100) * criteria) / 100
    dearer = {k: v for k, v in prices.items() if v > 0}
    cheaper = {k: v for k, v in prices.items() if v < 0}
    if not funded and dearer:
        key = max(dearer, key=lambda k: (dearer[k], k))
        per_billion = plan.duals[key] * 1000 / (100.0 if problem.objective == "weighted" else 1.0)
        price = sum(prices.values())
        fields = {
            "rule": _rule_name(problem, key, c),
            "p": number_vi(per_billion, 3),
            "u": unit,
            "m": number_vi(cost // MILLION),
            "v": number_vi(price, 2),
            "w": number_vi(value, 2),
        }
        fields["more"] = (
            _("mỗi tỷ đồng ngân sách tăng thêm")
            if key == "budget"
            else _("mỗi tỷ đồng nới thêm %(rule)s") % {"rule": fields["rule"]}
        )
        if price > value * (1 + 1e-6) + 1e-9:
            sentence = _(
                "Ràng buộc chặn: %(rule)s. Ở phương án này %(more)s mang lại %(p)s %(u)s; "
                "%(m)s triệu đồng còn thiếu của xã này 'đáng giá' %(v)s %(u)s theo giá đó, hơn %(w)s %(u)s mà xã mang lại."
            )
        else:
            sentence = _(
                "Xã ở sát ngưỡng: theo giá biên của %(rule)s (%(p)s %(u)s mỗi tỷ đồng), %(m)s triệu đồng còn thiếu "
                "'đáng giá' %(v)s %(u)s, không hơn %(w)s %(u)s mà xã mang lại; xã không được chọn vì phần ngân sách "
                "còn lại không đủ để làm trọn các tiêu chí của xã (phải chọn trọn từng tiêu chí)."
            )
        return sentence % fields, "budget" if key == "budget" else "area_cap"
    if funded and cheaper:
        key = min(cheaper, key=lambda k: (cheaper[k], k))
        without = sum(v for k, v in prices.items() if k not in cheaper)
        if without > value * (1 + 1e-6) + 1e-9:
            return (
                _(
                    "Được chọn nhờ quy tắc %(rule)s: không có quy tắc này, %(m)s triệu đồng của xã 'đáng giá' %(v)s %(u)s, hơn %(w)s %(u)s mà xã mang lại."
                )
                % {
                    "rule": _rule_name(problem, key, c),
                    "m": number_vi(cost // MILLION),
                    "v": number_vi(without, 2),
                    "u": unit,
                    "w": number_vi(value, 2),
                },
                key,
            )
    return "", ""


def _explain(problem: Problem, plan: Solution, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Per commune: cost to standard, weight, what was funded, and the rule that bound (named from the LP
    relaxation's duals where they say something, else from what is left of the budget and the area caps)."""
    spent = figures["spent"]
    left = problem.budget - spent
    by_area: dict[str, int] = defaultdict(int)
    for i, k in plan.funded:
        c = problem.communes[i]
        by_area[c.area] += next(g.cost for g in c.gaps if g.criterion == k)

    def wfun(c: Any) -> float:
        return problem.weights.commune(c) if problem.objective == "weighted" else 1.0

    chosen_ratio = [
        c.cost_to_standard / wfun(c)
        for i, c in enumerate(problem.communes)
        if c.gaps and all((i, g.criterion) in plan.funded for g in c.gaps)
    ]
    worst_chosen = max(chosen_ratio) if chosen_ratio else None
    committed = set(problem.rules.committed)
    rows = []
    labels = flag_labels()
    for i, c in enumerate(problem.communes):
        weight = wfun(c)
        funded = [g for g in c.gaps if (i, g.criterion) in plan.funded]
        rest = [g for g in c.gaps if (i, g.criterion) not in plan.funded]
        funded_amount = sum(g.cost for g in funded)
        rest_cost = sum(g.cost for g in rest)
        binding = ""
        if not c.gaps:
            why = _("Đã đạt chuẩn: không cần đầu tư thêm để đạt chuẩn.")
        elif not rest:
            why = _("Được chọn: %(m)s triệu đồng để đạt đủ %(t)d tiêu chí; trọng số %(w)s.") % {
                "m": number_vi(c.cost_to_standard // MILLION),
                "t": c.total,
                "w": number_vi(weight, 2),
            }
            sentence, key = _dual_sentence(problem, plan, c, weight, c.cost_to_standard, len(c.gaps), True)
            if sentence:
                why += " " + sentence
                binding = key
        else:
            caps = []
            if problem.rules.max_area_share is not None:
                caps.append(int(problem.rules.max_area_share * problem.budget))
            if c.area in problem.rules.area_caps:
                caps.append(problem.rules.area_caps[c.area])
            area_room = min(caps) - by_area[c.area] if caps else None
            if rest_cost > left:
                binding = "budget"
                why = _("Còn thiếu %(r)s triệu đồng để đạt chuẩn nhưng ngân sách chỉ còn %(l)s triệu.") % {
                    "r": number_vi(rest_cost // MILLION),
                    "l": number_vi(left // MILLION),
                }
                if worst_chosen is not None:
                    why += " " + _(
                        "Các xã được chọn cần tối đa %(a)s triệu/điểm; xã này cần %(b)s triệu/điểm."
                    ) % {
                        "a": number_vi(worst_chosen / MILLION),
                        "b": number_vi(c.cost_to_standard / wfun(c) / MILLION),
                    }
            elif area_room is not None and rest_cost > area_room:
                binding = "area_cap"
                why = _("Trần vốn của khu vực %(a)s đã gần hết (còn %(l)s triệu, cần %(r)s triệu).") % {
                    "a": c.area_name,
                    "l": number_vi(max(area_room, 0) // MILLION),
                    "r": number_vi(rest_cost // MILLION),
                }
            else:
                binding = "other"
                why = _(
                    "Không được chọn vì các ràng buộc khác (tỷ lệ tối thiểu cho nhóm ưu tiên, mức đầu tư tối thiểu) dùng hết phần ngân sách còn lại."
                )
            sentence, key = _dual_sentence(problem, plan, c, weight, rest_cost, len(rest), False)
            if sentence:
                why += " " + sentence
                binding = key
            if funded:
                why = (
                    _("Được đầu tư một phần (%(n)d tiêu chí, %(m)s triệu đồng). ")
                    % {
                        "n": len(funded),
                        "m": number_vi(funded_amount // MILLION),
                    }
                    + why
                )
        pinned = sorted(k for code, k in committed if code == c.code)
        if pinned:
            why = (
                _("Đã cam kết tiêu chí %(k)s (luôn được cấp vốn). ")
                % {"k": ", ".join(str(k) for k in pinned)}
                + why
            )
        rows.append(
            {
                "id": c.id,
                "code": c.code,
                "name": c.name,
                "area": c.area,
                "area_name": c.area_name,
                "met": c.met,
                "total": c.total,
                "flags": sorted(c.flags),
                "flag_labels": [labels[f] for f in sorted(c.flags)],
                "cost_to_standard": c.cost_to_standard,
                "weight": round(weight, 4),
                "funded_amount": funded_amount,
                "reaches": bool(c.gaps) and not rest,
                "already": not c.gaps,
                "binding": binding,
                "explanation": why,
                "gaps": [
                    {
                        "criterion": g.criterion,
                        "name": g.name,
                        "status": g.status,
                        "cost": g.cost,
                        "confidence": g.confidence,
                        "basis": g.basis,
                        "funded": (i, g.criterion) in plan.funded,
                    }
                    for g in c.gaps
                ],
            }
        )
    return rows


def compute(
    province: UnitVersion,
    on: date,
    budget: int,
    mode: str,
    objective: str,
    raw_rules: dict[str, Any],
    user: Any = None,
    *,
    with_sensitivity: bool = True,
) -> dict[str, Any]:
    """The whole result of a scenario as JSON-ready data."""
    problem, notes, committed = build_problem(province, on, budget, mode, objective, raw_rules, user)
    plan = solve(problem)
    figures = {
        "even": evaluate(problem, even_spreading(problem)),
        "greedy": evaluate(problem, greedy_closest(problem)),
        "optimiser": evaluate(problem, plan),
    }
    labels = method_labels()
    side = [{"method": m, "label": labels[m], **figures[m]} for m in METHODS]
    factors = [Decimal(f) for f in default_rules()["sensitivity_factors"]]
    return {
        "unit": {"code": province.code, "name": province.name, "id": province.pk},
        "as_of": on.isoformat(),
        "budget": budget,
        "mode": mode,
        "objective": objective,
        "communes_total": len(problem.communes),
        "gaps_total": sum(len(c.gaps) for c in problem.communes),
        "cost_all_gaps": sum(c.cost_to_standard for c in problem.communes),
        "side_by_side": side,
        "gain_vs_even": figures["optimiser"]["communes_reaching"] - figures["even"]["communes_reaching"],
        "gain_vs_greedy": figures["optimiser"]["communes_reaching"] - figures["greedy"]["communes_reaching"],
        "sensitivity": sensitivity(problem, factors) if with_sensitivity else [],
        "communes": _explain(problem, plan, figures["optimiser"]),
        "committed": committed,
        "solver": {
            "status": plan.status,
            "gap_percent": None if plan.mip_gap is None else round(plan.mip_gap * 100, 4),
            "seconds": round(plan.seconds, 2),
        },
        "notes": notes,
    }
