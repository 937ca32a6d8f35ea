"""Step `finance`: works, allocations, payments and the capital plan lines they add up to."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from mtqg.finance.models import Allocation, CapitalPlan, Disbursement, InvestorLevel, Program, Work

from .. import bulk
from ..rows import Row
from .base import MARK, Context


def build(g: Context) -> None:
    prof = g.profile["finance"]
    nodes = list(
        Program.objects.filter(kind__in=["project", "subproject"])
        .order_by("code")
        .values_list("pk", flat=True)
    )
    if not nodes:
        return
    kinds = [k.value for k in Work.Kind]
    sources = ["nstw_dtpt", "nstw_sn", "nsdp_doi_ung"]
    statuses = [s.value for s in Work.Status]
    low, high = prof["work_investment_million"]
    works, allocs, pays = [], [], []
    plan: dict[tuple[int, int, str, int], int] = defaultdict(int)
    work_id = bulk.reserve_ids(Work, 0)
    alloc_id = bulk.reserve_ids(Allocation, 0)
    provinces = {p.code: p.pk for p in g.provinces("pre2025")}
    provinces_new = {p.code: p.pk for p in g.provinces("2025")}
    for year in prof["years"]:
        communes = g.old if year < 2025 else g.new
        province_ids = provinces if year < 2025 else provinces_new
        for commune in communes:
            rng = g.rng("fin", commune.code, commune.structure, year)
            for k in range(g.cfg["works_per_commune"]):
                total = rng.randint(low, high) * 1_000_000
                node = nodes[rng.randrange(len(nodes))]
                source = sources[rng.randrange(3)]
                works.append(
                    (work_id, f"{MARK}-{year}-{commune.structure}-{commune.code}-{k}",
                     f"Công trình tổng hợp {k + 1}", kinds[rng.randrange(len(kinds))], node, commune.id,
                     InvestorLevel.COMMUNE.value, year, total, statuses[rng.randrange(len(statuses))],
                     date(year, 3, 1), date(year, 12, 31))
                )  # fmt: skip
                amount = total * rng.randint(40, 100) // 100
                allocs.append((alloc_id, commune.id, work_id, node, year, source, "xa", amount, MARK))
                province_id = province_ids.get(commune.province_code)
                if province_id:
                    plan[(province_id, year, source, node)] += amount
                paid_share = rng.uniform(0.3, 1.0)
                for _p in range(g.cfg["payments_per_work"]):
                    part = int(amount * paid_share / g.cfg["payments_per_work"])
                    if part > 0:
                        day = date(year, 1, 15) + timedelta(days=rng.randint(0, 380))
                        pays.append((alloc_id, day, part, MARK))
                work_id += 1
                alloc_id += 1
    Row(
        Work,
        ["id", "code", "name", "kind", "program", "commune", "investor_level", "year", "total_investment",
         "status", "planned_start", "planned_end"],
    ).insert(works)  # fmt: skip
    Row(
        Allocation,
        ["id", "unit", "work", "program", "year", "source", "investor_level", "amount", "decision_ref"],
    ).insert(allocs)
    Row(Disbursement, ["allocation", "paid_on", "amount", "reference"]).insert(pays)
    Row(CapitalPlan, ["unit", "program", "year", "source", "vintage", "amount", "note"]).insert(
        (unit, node, year, source, "initial", amount * 6 // 5, MARK)
        for (unit, year, source, node), amount in sorted(plan.items())
    )
    for model in (Work, Allocation, Disbursement, CapitalPlan):
        bulk.sync_sequence(model)
    g.stats.counts["works"] += len(works)
    g.stats.counts["disbursements"] += len(pays)
    g.stats.counts["capital_plan_lines"] += len(plan)
