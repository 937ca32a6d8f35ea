"""Read side: disbursement summaries (set-based), program tree, monthly curve, outputs and alerts.

Scope: a unit covers its lineage (a 2025 province sees its pre-2025 records). user=None is the command line
(system scope); otherwise every query starts from `visible_to(user)`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi, million_vnd, number_vi, percent_vi
from mtqg.core.scoping import path_q
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import lineage_scope_paths

from .models import (
    CENTRAL_SOURCES,
    LOCAL_SOURCES,
    AlertNote,
    Allocation,
    CapitalPlan,
    Disbursement,
    FinanceRule,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Program,
    Source,
    Work,
)

ZERO = Decimal(0)
CURRENT_VINTAGES = (CapitalPlan.Vintage.INITIAL, CapitalPlan.Vintage.ADJUSTED)
CARRIED_VINTAGES = (CapitalPlan.Vintage.CARRY_OVER, CapitalPlan.Vintage.EXTENDED)

# The works list and the works API search these (with or without diacritics; the code exactly).
WORK_SEARCH = ("name", "commune__name", "program__name")


def rate(disbursed: Decimal, plan: Decimal) -> Decimal | None:
    """Percent with 2 decimals (half up); None when there is no plan."""
    if not plan:
        return None
    return (Decimal(disbursed) * 100 / Decimal(plan)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def json_rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def scope_paths(unit: UnitVersion) -> tuple[str, ...]:
    """Minimal path prefixes a report on `unit` covers (its versions and lineage predecessors)."""
    paths = sorted(lineage_scope_paths(unit) | {unit.path}, key=len)
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept)


def base(model: Any, user: Any, unit: UnitVersion) -> QuerySet[Any]:
    qs = model.objects.all() if user is None else model.objects.visible_to(user)
    return qs.filter(path_q(model.scope_path, scope_paths(unit)))


def denominator_text(year: int, include_carry_over: bool) -> str:
    if include_carry_over:
        return _("Kế hoạch vốn năm %(y)d bao gồm vốn chuyển nguồn, kéo dài từ năm %(p)d") % {
            "y": year,
            "p": year - 1,
        }
    return _("Kế hoạch vốn năm %(y)d (giao đầu năm và điều chỉnh), không gồm vốn chuyển nguồn") % {"y": year}


def statutory_as_of(year: int, today: date | None = None) -> date:
    """The as-of date of a disbursement rate when none is given — the finance page, the reports, the dashboards
    and the portal alike: the statutory final day of the plan year (31/01 of N+1, Luật Đầu tư công 2019 Đ. 68), or
    today while that day is still ahead. Payments under a later extension (NQ 104/108) show only with an explicit
    later as-of date."""
    return min(today or timezone.localdate(), date(year + 1, 1, 31))


HEADLINE_CARRY_OVER = True  # the headline basis: the plan of the year with the capital carried over from N-1


def plans_known_at_statutory_day() -> Q:
    """CapitalPlan lines decided by 31/01 of N+1 of their own year (= `plan_rows` at `statutory_as_of`), as one
    condition over every year at once: what the dashboards' facts are built from (decision 0015)."""
    return (
        Q(decided_on__isnull=True)
        | Q(decided_on__year__lte=F("year"))
        | Q(decided_on__year=F("year") + 1, decided_on__month=1)
    )


def paid_by_statutory_day() -> Q:
    """Disbursements paid by 31/01 of N+1 of their allocation's year (= `disbursement_rows` at `statutory_as_of`)."""
    return Q(paid_on__year__lte=F("allocation__year")) | Q(
        paid_on__year=F("allocation__year") + 1, paid_on__month=1
    )


def plan_rows(
    user: Any, unit: UnitVersion, year: int, as_of: date, include_carry_over: bool
) -> QuerySet[Any]:
    vintages = CURRENT_VINTAGES + (CARRIED_VINTAGES if include_carry_over else ())
    return (
        base(CapitalPlan, user, unit)
        .filter(year=year, vintage__in=vintages)
        .filter(Q(decided_on__isnull=True) | Q(decided_on__lte=as_of))
    )


def disbursement_rows(
    user: Any, unit: UnitVersion, year: int, as_of: date, include_carry_over: bool
) -> QuerySet[Any]:
    qs = base(Disbursement, user, unit).filter(allocation__year=year, paid_on__lte=as_of)
    if not include_carry_over:
        qs = qs.filter(allocation__carry_over=False)
    return qs


def _roots() -> dict[int, Program]:
    """program id → its root program (one query)."""
    programs = {p.pk: p for p in Program.objects.all()}

    def root(p: Program) -> Program:
        while p.parent_id:
            p = programs[p.parent_id]
        return p

    return {pk: root(p) for pk, p in programs.items()}


def _line(plan: Decimal, disbursed: Decimal) -> dict[str, Any]:
    return {"plan": int(plan), "disbursed": int(disbursed), "rate": json_rate(rate(disbursed, plan))}


def disbursement_summary(
    user: Any, unit: UnitVersion, year: int, as_of: date, include_carry_over: bool
) -> dict[str, Any]:
    """Two grouped queries (plans, disbursements by program × source), folded in Python."""
    plans = (
        plan_rows(user, unit, year, as_of, include_carry_over)
        .values("program_id", "source")
        .annotate(s=Sum("amount"))
    )
    paid = (
        disbursement_rows(user, unit, year, as_of, include_carry_over)
        .values("allocation__program_id", "allocation__source")
        .annotate(s=Sum("amount"))
    )
    roots = _roots()
    by_prog: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    by_src: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in plans:
        root = roots[row["program_id"]]
        by_prog[root.code][0] += row["s"] or ZERO
        by_src[row["source"]][0] += row["s"] or ZERO
    for row in paid:
        root = roots[row["allocation__program_id"]]
        by_prog[root.code][1] += row["s"] or ZERO
        by_src[row["allocation__source"]][1] += row["s"] or ZERO

    def group(sources: tuple[str, ...]) -> dict[str, Any]:
        return _line(sum((by_src[s][0] for s in sources), ZERO), sum((by_src[s][1] for s in sources), ZERO))

    order = {p.code: p.sort_order for p in roots.values()}
    return {
        "unit": unit.code,
        "year": year,
        "as_of": as_of.isoformat(),
        "denominator": denominator_text(year, include_carry_over),
        "central": group(CENTRAL_SOURCES),
        "local_counterpart": group(LOCAL_SOURCES),
        "by_program": [
            {"program": code, **_line(*by_prog[code])}
            for code in sorted(by_prog, key=lambda c: order.get(c, 0))
        ],
        "by_source": [{"source": s.value, **_line(*by_src[s.value])} for s in Source if s.value in by_src],
    }


def program_tree(
    user: Any, unit: UnitVersion, year: int, as_of: date, include_carry_over: bool
) -> list[dict[str, Any]]:
    """Every program node with plan/disbursed/rate, rolled up from the node where money was booked."""
    plans = dict(
        plan_rows(user, unit, year, as_of, include_carry_over)
        .values_list("program_id")
        .annotate(s=Sum("amount"))
    )
    paid = dict(
        disbursement_rows(user, unit, year, as_of, include_carry_over)
        .values_list("allocation__program_id")
        .annotate(s=Sum("amount"))
    )
    programs = list(Program.objects.all())
    kids: dict[int | None, list[Program]] = defaultdict(list)
    for p in programs:
        kids[p.parent_id].append(p)

    def build(p: Program, depth: int) -> dict[str, Any]:
        children = [build(c, depth + 1) for c in kids[p.pk]]
        plan = (plans.get(p.pk) or ZERO) + sum((c["plan"] for c in children), ZERO)
        done = (paid.get(p.pk) or ZERO) + sum((c["disbursed"] for c in children), ZERO)
        return {
            "program": p,
            "depth": depth,
            "plan": plan,
            "disbursed": done,
            "rate": rate(done, plan),
            "children": children,
        }

    out: list[dict[str, Any]] = []

    def flatten(node: dict[str, Any]) -> None:
        out.append(node)
        for c in node["children"]:
            flatten(c)

    for p in kids[None]:
        flatten(build(p, 0))
    return out


def monthly_curve(user: Any, unit: UnitVersion, year: int, include_carry_over: bool) -> dict[str, Any]:
    """Cumulative NSTW (central) disbursement rate by month for a year and the year before (13 points: 1..12
    and 'T1 năm sau')."""
    series = {}
    for y in (year - 1, year):
        end = date(y + 1, 1, 31)
        plan = (
            plan_rows(user, unit, y, end, include_carry_over)
            .filter(source__in=CENTRAL_SOURCES)
            .aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        rows = (
            disbursement_rows(user, unit, y, end, include_carry_over)
            .filter(allocation__source__in=CENTRAL_SOURCES)
            .annotate(py=ExtractYear("paid_on"), pm=ExtractMonth("paid_on"))
            .values("py", "pm")
            .annotate(s=Sum("amount"))
        )
        monthly = [ZERO] * 13
        for r in rows:
            idx = r["pm"] - 1 if r["py"] == y else 12
            monthly[idx] += r["s"] or ZERO
        cumulative, points = ZERO, []
        for m in monthly:
            cumulative += m
            points.append(json_rate(rate(cumulative, plan)))
        series[str(y)] = points
    labels = [f"T{m}" for m in range(1, 13)] + [_("T1 năm sau")]
    return {"labels": labels, "series": series}


# ---- outputs -------------------------------------------------------------------------------------------------


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _dimensions() -> dict[str, Any]:
    rule = FinanceRule.objects.filter(code="indicator_disaggregations").first()
    return dict(rule.params) if rule else {}


def outputs(user: Any, unit: UnitVersion, year: int) -> list[dict[str, Any]]:
    """Every indicator's actual (from works or entries) and target for the unit and year."""
    indicators = list(Indicator.objects.select_related("program"))
    works: dict[tuple[str, str], int] = defaultdict(int)
    for program_code, kind, n in (
        base(Work, user, unit)
        .filter(year=year)
        .exclude(status=Work.Status.PLANNED)
        .values_list("program__code", "kind")
        .annotate(n=Count("pk"))
    ):
        works[(program_code.split(".")[0], kind)] += n
    entered: dict[int, Decimal] = defaultdict(Decimal)
    split: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for ind_id, value, disaggregation in (
        base(IndicatorValue, user, unit)
        .filter(year=year)
        .values_list("indicator_id", "value", "disaggregation")
    ):
        entered[ind_id] += value
        for key, code in (disaggregation or {}).items():
            split[(ind_id, key, code)] += value
    dims = _dimensions()
    targets = dict(
        base(IndicatorTarget, user, unit)
        .filter(year=year)
        .values_list("indicator_id")
        .annotate(s=Sum("target"))
    )
    rows = []
    for ind in indicators:
        if ind.origin == Indicator.Origin.WORKS:
            root = ind.program.code if ind.program else ""
            actual: Decimal | None = Decimal(
                sum(n for (p, k), n in works.items() if k == ind.work_kind and (not root or p == root))
            )
        else:
            actual = entered.get(ind.pk)
        target = targets.get(ind.pk)
        breakdown = []
        for key in ind.disaggregations:
            dim = dims.get(key, {"label": key, "values": {}})
            values = [
                {"code": code, "label": label, "actual": _num(split[(ind.pk, key, code)])}
                for code, label in dim["values"].items()
                if split.get((ind.pk, key, code))
            ]
            known = sum((split[(ind.pk, key, c)] for c in dim["values"]), Decimal(0))
            unspecified = (actual or ZERO) - known
            if values and unspecified:
                values.append({"code": "", "label": _("Không phân tổ"), "actual": _num(unspecified)})
            breakdown.append({"dimension": key, "label": dim["label"], "values": values})
        rows.append(
            {
                "code": ind.code,
                "name": ind.name,
                "actual": _num(actual),
                "target": _num(target),
                "unit": ind.unit_label,
                "program": ind.program.code if ind.program else None,
                "percent": json_rate(rate(actual or ZERO, target)) if target else None,
                "disaggregations": breakdown,
            }
        )
    return rows


# ---- alerts ----------------------------------------------------------------------------------------------------


def _rule(code: str) -> dict[str, Any]:
    rule = FinanceRule.objects.filter(code=code).first()
    return rule.params if rule else {}


def _district_rates(
    user: Any, unit: UnitVersion, year: int, as_of: date, include: bool
) -> list[dict[str, Any]]:
    """Per district (level 2 under the unit): disbursed / allocated, two grouped queries."""
    districts = {d.path: d for d in UnitVersion.objects.filter(path__startswith=unit.path, level=2)}
    if not districts:
        return []
    seg = len(unit.path) + 8
    alloc = base(Allocation, user, unit).filter(year=year)
    if not include:
        alloc = alloc.filter(carry_over=False)
    planned: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for path, s in alloc.values_list("unit__path").annotate(s=Sum("amount")):
        planned[path[:seg]] += s
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for path, s in (
        disbursement_rows(user, unit, year, as_of, include)
        .values_list("allocation__unit__path")
        .annotate(s=Sum("amount"))
    ):
        paid[path[:seg]] += s
    return [
        {"unit": districts[p], "plan": planned[p], "disbursed": paid[p], "rate": rate(paid[p], planned[p])}
        for p in sorted(planned)
        if p in districts
    ]


@dataclass(frozen=True)
class AlertScope:
    """What every alert rule looks at: the user's view of one unit in one year, as of a day."""

    user: Any
    unit: UnitVersion
    year: int
    as_of: date
    include_carry_over: bool


def _slow_at_checkpoints(s: AlertScope) -> list[dict[str, Any]]:
    """Rule slow_disbursement: the central or local counterpart rate below the minimum at a passed checkpoint."""
    found = []
    for cp in _rule("slow_disbursement").get("checkpoints", []):
        on = date(s.year + cp["years_after"], cp["month"], cp["day"])
        if on > s.as_of:
            continue
        at = disbursement_summary(s.user, s.unit, s.year, on, s.include_carry_over)
        for group in ("central", "local_counterpart"):
            r = at[group]["rate"]
            if r is not None and r < cp["min_rate"]:
                label = _("NSTW") if group == "central" else _("NSĐP đối ứng")
                found.append(
                    {
                        "key": f"slow:{group}:{on.isoformat()}",
                        "kind": "slow_disbursement",
                        "unit": s.unit,
                        "title": _("Giải ngân %(g)s chậm tại mốc %(d)s") % {"g": label, "d": date_vi(on)},
                        "evidence": _("Đạt %(r)s so với mức tối thiểu %(m)s; mẫu số: %(den)s.")
                        % {"r": percent_vi(r), "m": percent_vi(cp["min_rate"]), "den": at["denominator"]},
                    }
                )
    return found


def _districts_below_average(s: AlertScope) -> list[dict[str, Any]]:
    """Rule slow_disbursement: a district more than `below_average_points` under the districts' average."""
    gap = Decimal(str(_rule("slow_disbursement").get("below_average_points", 10)))
    rates = _district_rates(s.user, s.unit, s.year, s.as_of, s.include_carry_over)
    if not rates:
        return []
    total_plan = sum((d["plan"] for d in rates), ZERO)
    average = rate(sum((d["disbursed"] for d in rates), ZERO), total_plan)
    return [
        {
            "key": f"below_avg:{d['unit'].code}",
            "kind": "slow_disbursement",
            "unit": d["unit"],
            "title": _("%(u)s giải ngân thấp hơn bình quân toàn tỉnh") % {"u": d["unit"].name},
            "evidence": _("%(u)s đạt %(r)s vốn được phân bổ; bình quân %(a)s (ngưỡng thấp hơn %(g)s điểm).")
            % {
                "u": d["unit"].name,
                "r": percent_vi(d["rate"]),
                "a": percent_vi(average),
                "g": number_vi(gap),
            },
        }
        for d in rates
        if d["rate"] is not None and average is not None and d["rate"] < average - gap
    ]


def _scattered(s: AlertScope) -> list[dict[str, Any]]:
    """Rule scattered_investment: too many small works, a small median, or too many works per commune."""
    sc = _rule("scattered_investment")
    works = base(Work, s.user, s.unit).filter(year=s.year)
    sizes = sorted(works.values_list("total_investment", flat=True))
    if not (sizes and sc):
        return []
    threshold = Decimal(sc["small_threshold_vnd"])
    small = sum(1 for size in sizes if size < threshold)
    share = rate(Decimal(small), Decimal(len(sizes))) or ZERO
    median = Decimal(statistics.median(sizes))
    communes = works.values("commune_id").distinct().count()
    per_commune = (Decimal(len(sizes)) / communes).quantize(Decimal("0.01")) if communes else ZERO
    if not (
        share > sc["max_small_share"]
        or median < sc["min_median_vnd"]
        or per_commune > sc["max_works_per_commune"]
    ):
        return []
    return [
        {
            "key": "scattered",
            "kind": "scattered_investment",
            "unit": s.unit,
            "title": _("Đầu tư dàn trải, nhỏ lẻ"),
            "evidence": _(
                "%(small)s/%(n)s công trình (%(share)s) dưới %(t)s triệu đồng; quy mô trung vị %(med)s triệu "
                "đồng; bình quân %(pc)s công trình/xã trên %(c)s xã."
            )
            % {
                "small": number_vi(small),
                "n": number_vi(len(sizes)),
                "share": percent_vi(share),
                "t": million_vnd(threshold),
                "med": million_vnd(median),
                "pc": number_vi(per_commune, 2),
                "c": number_vi(communes),
            },
            "figures": {
                "works": len(sizes),
                "small": small,
                "small_share": float(share),
                "median_vnd": int(median),
                "works_per_commune": float(per_commune),
            },
        }
    ]


def _behind_schedule(s: AlertScope) -> list[dict[str, Any]]:
    """Works past their planned end and not finished."""
    late = (
        base(Work, s.user, s.unit)
        .filter(
            planned_end__lt=s.as_of,
            status__in=[Work.Status.PLANNED, Work.Status.APPROVED, Work.Status.UNDER_CONSTRUCTION],
        )
        .order_by("planned_end")
    )
    late_count = late.count()
    if not late_count:
        return []
    codes = ", ".join(late.values_list("code", flat=True)[:10])
    return [
        {
            "key": "behind_schedule",
            "kind": "behind_schedule",
            "unit": s.unit,
            "title": _("Công trình chậm tiến độ"),
            "evidence": _("%(n)s công trình quá ngày hoàn thành dự kiến chưa hoàn thành: %(codes)s")
            % {"n": number_vi(late_count), "codes": codes},
        }
    ]


# One function per rule, in the order the alerts are listed; each returns its alerts (dicts: key, kind, unit,
# title, evidence[, figures]). Thresholds are data (FinanceRule); a new rule is a function added here.
ALERT_RULES: tuple[Callable[[AlertScope], list[dict[str, Any]]], ...] = (
    _slow_at_checkpoints,
    _districts_below_average,
    _scattered,
    _behind_schedule,
)


def alerts(
    user: Any, unit: UnitVersion, year: int, as_of: date, include_carry_over: bool
) -> list[dict[str, Any]]:
    """Every rule's alerts, each with the cause/adjustment/recommendation noted on it (AlertNote)."""
    scope = AlertScope(user, unit, year, as_of, include_carry_over)
    found = [alert for rule in ALERT_RULES for alert in rule(scope)]
    notes = {(n.unit_id, n.key): n for n in base(AlertNote, user, unit).filter(year=year)}
    for a in found:
        note = notes.get((a["unit"].pk, a["key"]))
        a["cause"] = note.cause if note else ""
        a["proposed_adjustment"] = note.proposed_adjustment if note else ""
        a["recommendation_id"] = note.recommendation_id if note else None
    return found


PROVINCE_PREFIX = 2 * 8  # "0000001/0000764/": country + province segments of a unit path


def _central_by_province(rows: QuerySet[Any], allocation: str) -> dict[str, Decimal]:
    """The central-source amounts of `rows` summed per province path prefix, in one grouped query; `allocation` is
    the lookup from a row to the allocation's fields ("" for a plan row, "allocation__" for a disbursement)."""
    return dict(
        rows.filter(**{f"{allocation}source__in": CENTRAL_SOURCES})
        .annotate(p=Substr(f"{allocation}unit__path", 1, PROVINCE_PREFIX))
        .values_list("p")
        .annotate(s=Sum("amount"))
    )


def province_rollup(user: Any, year: int, as_of: date, include_carry_over: bool) -> list[dict[str, Any]]:
    """National roll-up: plan/disbursed/rate per province (central sources), two grouped queries on the
    province segment of the unit path."""

    country = UnitVersion.objects.get(level=0)
    plan_by = _central_by_province(plan_rows(user, country, year, as_of, include_carry_over), "")
    paid_by = _central_by_province(
        disbursement_rows(user, country, year, as_of, include_carry_over), "allocation__"
    )
    paths = sorted(set(plan_by) | set(paid_by))
    provinces = {u.path: u for u in UnitVersion.objects.filter(path__in=paths)}
    return [
        {
            "unit": provinces[p].code if p in provinces else p,
            "name": provinces[p].name if p in provinces else "",
            **_line(plan_by.get(p) or ZERO, paid_by.get(p) or ZERO),
        }
        for p in paths
    ]


def works_under_way(user: Any, commune_ids: list[int], year_from: int, year_to: int) -> list[dict[str, Any]]:
    """Works not yet finished (planned, approved or under construction) on the given communes with a plan year in
    [year_from, year_to], each with the capital allocated to it in those years. Read-only; decision support reads
    them as investment already committed. user=None is the command line (system scope)."""
    qs = Work.objects.all() if user is None else Work.objects.visible_to(user)
    rows = (
        qs.filter(
            commune_id__in=commune_ids,
            year__gte=year_from,
            year__lte=year_to,
            status__in=[Work.Status.PLANNED, Work.Status.APPROVED, Work.Status.UNDER_CONSTRUCTION],
        )
        .order_by("code")
        .values("id", "code", "name", "kind", "year", "status", "commune_id", "total_investment")
    )
    works: list[dict[str, Any]] = [dict(row) for row in rows]
    allocated = dict(
        Allocation.objects.filter(
            work_id__in=[w["id"] for w in works], year__gte=year_from, year__lte=year_to
        )
        .values_list("work_id")
        .annotate(s=Sum("amount"))
    )
    for w in works:
        w["allocated"] = allocated.get(w["id"]) or ZERO
    return works
