"""Demo data: Cao Bằng (pre-2025 units, code "04") as RECORDS from which the 2024 supervision figures (seed 002)
are computed — plans with vintages, works, allocations, payments, indicator entries. Nothing stores a total.

Figures reproduced (tests assert them through the reports): NSTW 2023 incl. carry-over from 2022 disbursed 69,06%
by 31/01/2024; NSĐP đối ứng 85,35%; 177 GNBV infrastructure works, 10 maintenance works, 214 (>200) community
production-support projects, 94 agricultural production projects; 3.412 houses; 186/550 housing & land cases;
2.427/6.269 households with scattered water; 62/86 centralised water works; > 250.000 ha forest protected.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion

from .loader import load_programs
from .models import (
    AlertNote,
    Allocation,
    CapitalPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    InvestorLevel,
    Program,
    Source,
    Work,
)

MARK = "CB23-"
M = 1_000_000  # plans are written in triệu đồng, stored in đồng
YEAR = 2023
CENTRAL_RATE = (Decimal("69.06"), Decimal(100))  # disbursed share of NSTW 2023 incl. carry-over by 31/01/2024
LOCAL_RATE = (Decimal("85.35"), Decimal(100))
AS_OF = date(2024, 1, 31)
CARRY_BASIS = "Vốn NSTW năm 2022 chuyển nguồn sang năm 2023 (Chính phủ đề nghị, Quốc hội chấp thuận kéo dài)"

DT, SN, DU = Source.CENTRAL_INVESTMENT.value, Source.CENTRAL_RECURRENT.value, Source.LOCAL_COUNTERPART.value
INITIAL, ADJUSTED, CARRY = (
    CapitalPlan.Vintage.INITIAL,
    CapitalPlan.Vintage.ADJUSTED,
    CapitalPlan.Vintage.CARRY_OVER,
)

# (program, source, vintage, triệu đồng)
PLANS_2023: list[tuple[str, str, str, int]] = [
    ("NTM", DT, INITIAL, 110_000),
    ("NTM", SN, INITIAL, 38_000),
    ("NTM", SN, ADJUSTED, -3_000),
    ("NTM", DT, CARRY, 25_400),
    ("NTM", DU, INITIAL, 18_000),
    ("GNBV", DT, INITIAL, 262_000),
    ("GNBV", SN, INITIAL, 171_500),
    ("GNBV", DT, ADJUSTED, 8_000),
    ("GNBV", DT, CARRY, 64_300),
    ("GNBV", SN, CARRY, 21_700),
    ("GNBV", DU, INITIAL, 24_500),
    ("DTTS", DT, INITIAL, 486_000),
    ("DTTS", SN, INITIAL, 352_000),
    ("DTTS", SN, ADJUSTED, -12_000),
    ("DTTS", DT, CARRY, 118_900),
    ("DTTS", SN, CARRY, 46_200),
    ("DTTS", DU, INITIAL, 41_300),
]
PLANS_2022: list[tuple[str, str, int]] = [
    ("NTM", DT, 98_000),
    ("NTM", SN, 30_000),
    ("NTM", DU, 15_000),
    ("GNBV", DT, 240_000),
    ("GNBV", SN, 150_000),
    ("GNBV", DU, 20_000),
    ("DTTS", DT, 450_000),
    ("DTTS", SN, 310_000),
    ("DTTS", DU, 36_000),
]

# (kind, program node, count, median size in triệu đồng, funded by)
WORKS: list[tuple[str, str, int, int, str]] = [
    (Work.Kind.INFRASTRUCTURE, "NTM.ND02", 60, 1_400, DT),
    (Work.Kind.INFRASTRUCTURE, "GNBV.DA1.TDA1", 177, 900, DT),
    (Work.Kind.MAINTENANCE, "GNBV.DA1.TDA1", 10, 600, SN),
    (Work.Kind.PROD_COMMUNITY, "GNBV.DA2", 214, 350, SN),
    (Work.Kind.PROD_AGRICULTURE, "GNBV.DA3.TDA1", 94, 450, SN),
    (Work.Kind.WATER_CENTRALISED, "DTTS.DA1", 62, 1_800, DT),
    (Work.Kind.INFRASTRUCTURE, "DTTS.DA4.TDA1", 130, 1_100, DT),
]
WORK_NAMES: dict[str, str] = {
    Work.Kind.INFRASTRUCTURE: "Đường giao thông nông thôn",
    Work.Kind.MAINTENANCE: "Duy tu đường liên xã",
    Work.Kind.PROD_COMMUNITY: "Dự án hỗ trợ PTSX cộng đồng nuôi bò sinh sản",
    Work.Kind.PROD_AGRICULTURE: "Kế hoạch hỗ trợ PTSX nông nghiệp trồng cây dược liệu",
    Work.Kind.WATER_CENTRALISED: "Công trình nước sinh hoạt tập trung",
}
# commune-level recurrent items (no work): program node per program for the SN money not spent on works
COMMUNE_ITEMS = {"NTM": "NTM.ND11", "GNBV": "GNBV.DA5", "DTTS": "DTTS.DA1"}

# entered outputs: indicator → (actual, target or None, number of communes reporting)
ENTRIES: dict[str, tuple[int, int | None, int]] = {
    "GNBV.NHA_O": (3_412, None, 90),
    "DTTS.DAT_NHA": (186, 550, 40),
    "DTTS.NUOC_PT": (2_427, 6_269, 70),
    "DTTS.BV_RUNG": (251_460, None, 120),
}
WORK_TARGETS = {"DTTS.NUOC_TT": 86}


def spread(total: int, caps: list[int], weights: list[float], unit: int = 1) -> list[int]:
    """Split an integer total over slots proportionally to weights, never above a slot's cap; in multiples of
    `unit` except the last top-up. Raises if the caps cannot hold the total."""
    if total > sum(caps):
        raise ValueError("total exceeds caps")
    wsum = sum(weights) or 1.0
    out = [min(cap, int(total * w / wsum) // unit * unit) for cap, w in zip(caps, weights, strict=True)]
    rest = total - sum(out)
    i = 0
    while rest > 0:
        room = caps[i % len(caps)] - out[i % len(caps)]
        add = min(room, rest)
        out[i % len(caps)] += add
        rest -= add
        i += 1
    return out


def _payment_date(rng: random.Random, carry: bool, year: int) -> date:
    if carry:  # carry-over capital from N-1 must be spent by 31/12/N
        weights = [0, 3, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15]
        month = rng.choices(range(1, 13), weights)[0]
        return date(year, month, rng.randint(1, 28))
    weights = [0, 1, 2, 3, 4, 5, 7, 8, 10, 12, 14, 17, 17]  # 12 = January of N+1
    idx = rng.choices(range(13), weights)[0]
    if idx == 12:
        return date(year + 1, 1, rng.randint(2, 31))
    return date(year, idx + 1, rng.randint(1, 28))


def seed() -> int:
    """Deterministic, idempotent: returns the number of works created (0 when already seeded)."""
    if Work.objects.filter(code__startswith=MARK).exists():
        return 0
    if not Program.objects.exists():
        load_programs()
    with transaction.atomic():
        return _seed()


def _seed() -> int:
    rng = random.Random(2023)
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="04")
    programs = {p.code: p for p in Program.objects.all()}
    districts = list(UnitVersion.objects.filter(parent=province, level=2).order_by("code"))
    communes = list(UnitVersion.objects.filter(path__startswith=province.path, level=3).order_by("code"))
    slow_district = districts[-1].path  # one district lags: the below-average alert has evidence
    plan_date = date(2023, 1, 10)

    plans = [
        CapitalPlan(
            unit=province,
            program=programs[prog],
            year=YEAR,
            source=src,
            vintage=vintage,
            amount=Decimal(mil * M),
            from_year=YEAR - 1 if vintage == CARRY else None,
            decision_ref={
                str(INITIAL): "QĐ 2015/QĐ-UBND",
                str(ADJUSTED): "QĐ 1120/QĐ-UBND",
                str(CARRY): "QĐ 415/QĐ-UBND",
            }[vintage],
            decided_on={
                str(INITIAL): plan_date,
                str(ADJUSTED): date(2023, 8, 15),
                str(CARRY): date(2023, 3, 20),
            }[vintage],
            legal_basis=CARRY_BASIS if vintage == CARRY else "",
        )
        for prog, src, vintage, mil in PLANS_2023
    ]
    plans += [
        CapitalPlan(
            unit=province,
            program=programs[prog],
            year=2022,
            source=src,
            vintage=INITIAL,
            amount=Decimal(mil * M),
            decision_ref="QĐ 1988/QĐ-UBND",
            decided_on=date(2022, 6, 10),
        )
        for prog, src, mil in PLANS_2022
    ]
    CapitalPlan.objects.bulk_create(plans)

    # works, sizes skewed small (log-normal around each kind's median)
    works: list[Work] = []
    seq = 0
    for kind, node, count, median, _src in WORKS:
        for i in range(count):
            seq += 1
            commune = communes[rng.randrange(len(communes))]
            size = int(median * rng.lognormvariate(0, 0.6)) * M
            late = kind == Work.Kind.INFRASTRUCTURE and i % 25 == 3
            end = date(2023, rng.randint(8, 12), rng.randint(1, 28))
            works.append(
                Work(
                    code=f"{MARK}{seq:04d}",
                    name=f"{WORK_NAMES[kind]} {commune.name}",
                    kind=kind,
                    program=programs[node],
                    commune=commune,
                    investor_level=InvestorLevel.COMMUNE if size < 2_000 * M else InvestorLevel.DISTRICT,
                    year=YEAR,
                    total_investment=Decimal(size),
                    status=Work.Status.UNDER_CONSTRUCTION
                    if late
                    else rng.choice([Work.Status.COMPLETED, Work.Status.HANDED_OVER, Work.Status.SETTLED]),
                    planned_start=date(2023, rng.randint(2, 5), rng.randint(1, 28)),
                    planned_end=end,
                    actual_end=None if late else end + timedelta(days=rng.randint(-20, 20)),
                )
            )
    Work.objects.bulk_create(works)
    works = list(
        Work.objects.filter(code__startswith=MARK).select_related("program", "commune").order_by("code")
    )

    # allocations per (program, source, carry-over) bucket: to works where the source funds works, else communes
    buckets: dict[tuple[str, str, bool], int] = defaultdict(int)
    for prog, src, vintage, mil in PLANS_2023:
        buckets[(prog, src, vintage == CARRY)] += mil * M
    allocations: list[Allocation] = []
    bucket_allocs: dict[tuple[str, str, bool], list[Allocation]] = defaultdict(list)
    for (prog, src, carry), amount in buckets.items():
        funded = src if src != DU else DT
        targets = [w for w in works if w.program.root_code == prog and _funded_by(w.kind) == funded]
        if carry:
            targets = targets[: max(1, len(targets) // 3)]
        share = amount if carry else amount * 97 // 100
        if src == SN and not carry:  # part of recurrent money goes to commune-level items (housing, water...)
            work_part = share * 6 // 10 if targets else 0
        else:
            work_part = share if targets else 0
        if targets and work_part:
            parts = spread(
                work_part, [work_part] * len(targets), [float(w.total_investment) for w in targets], M
            )
            for w, part in zip(targets, parts, strict=True):
                a = _allocation_2023(w.commune, w, w.program, src, carry, w.investor_level, part)
                allocations.append(a)
                bucket_allocs[(prog, src, carry)].append(a)
        rest = share - work_part
        if rest:
            chosen = rng.sample(communes, 40)
            parts = spread(rest, [rest] * 40, [rng.uniform(0.5, 1.5) for _ in chosen], M)
            for c, part in zip(chosen, parts, strict=True):
                program = programs[COMMUNE_ITEMS[prog]]
                a = _allocation_2023(c, None, program, src, carry, InvestorLevel.COMMUNE, part)
                allocations.append(a)
                bucket_allocs[(prog, src, carry)].append(a)
    # 2022: one allocation per program, source and district (commune-level), for the 'last year' curve
    alloc_2022: list[Allocation] = []
    for prog, src, mil in PLANS_2022:
        share = mil * M * 95 // 100
        parts = spread(share, [share] * len(districts), [1.0] * len(districts), M)
        for d, part in zip(districts, parts, strict=True):
            commune = next(c for c in communes if c.path.startswith(d.path))
            alloc_2022.append(
                Allocation(
                    unit=commune,
                    program=programs[COMMUNE_ITEMS[prog]],
                    year=2022,
                    source=src,
                    investor_level=InvestorLevel.DISTRICT,
                    amount=Decimal(part),
                )
            )
    Allocation.objects.bulk_create(allocations + alloc_2022)

    # disbursed by 31/01/2024: exact shares of the plans, spread over buckets, then allocations, then payments
    central_plan = sum(v for (p, s, c), v in buckets.items() if s != DU)
    local_plan = sum(v for (p, s, c), v in buckets.items() if s == DU)
    central_target = int(Decimal(central_plan) * CENTRAL_RATE[0] / CENTRAL_RATE[1])
    local_target = int(Decimal(local_plan) * LOCAL_RATE[0] / LOCAL_RATE[1])
    payments: list[Disbursement] = []
    for is_local, target in ((False, central_target), (True, local_target)):
        keys = sorted(k for k in buckets if (k[1] == DU) == is_local)
        caps = [int(sum(a.amount for a in bucket_allocs[k])) for k in keys]
        weights = [
            cap * (0.9 if k[2] else 0.7 if k[1] == DT else 0.6) for k, cap in zip(keys, caps, strict=True)
        ]
        for k, bucket_total in zip(keys, spread(target, caps, weights), strict=True):
            allocs = bucket_allocs[k]
            factors = [
                (0.35 if a.unit.path.startswith(slow_district) else 1.0) * rng.uniform(0.8, 1.2)
                for a in allocs
            ]
            amounts = spread(
                bucket_total,
                [int(a.amount) for a in allocs],
                [float(a.amount) * f for a, f in zip(allocs, factors, strict=True)],
                1000,
            )
            for n, (a, amount) in enumerate(zip(allocs, amounts, strict=True)):
                payments.extend(_payments(rng, a, amount, k[2], f"UNC-{k[0]}-{k[1]}-{int(k[2])}-{n}"))
                headroom = int(a.amount) - amount
                if not k[2] and headroom > 0 and rng.random() < 0.3:  # paid later under the NQ 108 extension
                    payments.append(
                        Disbursement(
                            allocation=a,
                            paid_on=date(2024, rng.randint(3, 11), 15),
                            amount=Decimal(headroom // 2),
                            reference=f"UNC-2024-{a.pk}",
                        )
                    )
    for n, a in enumerate(alloc_2022):
        amount = int(a.amount) * rng.randint(60, 75) // 100
        payments.extend(_payments(rng, a, amount, False, f"UNC22-{n}", year=2022))
    Disbursement.objects.bulk_create([p for p in payments if p.amount > 0], batch_size=2000)

    _seed_outputs(rng, province, communes)
    AlertNote.objects.create(
        unit=province,
        key="scattered",
        year=YEAR,
        cause="Cấp địa phương khi triển khai các dự án đầu tư còn dàn trải, nhỏ lẻ; chưa thực hiện được các mô hình "
        "giảm nghèo lớn theo chuỗi giá trị (Đoàn giám sát, 2024).",
        proposed_adjustment="Rà soát danh mục, ưu tiên công trình quy mô lớn, liên xã; lồng ghép nguồn vốn; "
        "thực hiện mô hình giảm nghèo theo chuỗi giá trị.",
    )
    record_change(
        actor=None,
        obj=province,
        action="imported",
        unit_path=province.path,
        changes={"finance_demo": [None, f"{len(works)} công trình, {len(payments)} lần giải ngân"]},
    )
    return len(works)


def _allocation_2023(
    unit: UnitVersion, work: Work | None, program: Program, source: str, carry: bool, level: str, part: int
) -> Allocation:
    return Allocation(
        unit=unit,
        work=work,
        program=program,
        year=YEAR,
        source=source,
        carry_over=carry,
        investor_level=level,
        amount=Decimal(part),
        decision_ref="QĐ 2015/QĐ-UBND",
    )


def _funded_by(kind: str) -> str:
    return DT if kind in (Work.Kind.INFRASTRUCTURE, Work.Kind.WATER_CENTRALISED) else SN


def _payments(
    rng: random.Random, alloc: Allocation, amount: int, carry: bool, ref: str, year: int = YEAR
) -> list[Disbursement]:
    if amount <= 0:
        return []
    n = 1 if amount < 200 * M else rng.randint(2, 3)
    parts = spread(amount, [amount] * n, [rng.uniform(0.5, 1.5) for _ in range(n)], 1000)
    dates = sorted(_payment_date(rng, carry, year) for _ in range(n))
    return [
        Disbursement(allocation=alloc, paid_on=d, amount=Decimal(p), reference=f"{ref}-{i}")
        for i, (d, p) in enumerate(zip(dates, parts, strict=True))
        if p > 0
    ]


# Shares used to spread entered values over disaggregation categories (Cao Bằng: mostly Tày and Nùng).
DISAGG_WEIGHTS: dict[str, dict[str, float]] = {
    "ethnicity": {"tay": 40, "nung": 30, "mong": 12, "dao": 10, "kinh": 5, "san_chay": 3},
    "sex_of_head": {"male": 76, "female": 24},
    "household_class": {"poor": 68, "near_poor": 32},
}


def _disaggregated(indicator: Indicator, commune: UnitVersion, part: int) -> list[IndicatorValue]:
    """A commune's value as up to 3 rows, each with a category per dimension of the indicator (seeded by the
    indicator and commune, so reruns give the same rows); the rows add up to `part`."""
    if not part:
        return []
    rng = random.Random(f"{indicator.code}:{commune.code}")
    n = min(3, part)
    chunks = spread(part, [part] * n, [rng.uniform(0.5, 1.5) for _ in range(n)])
    rows = []
    for chunk in chunks:
        if not chunk:
            continue
        combo = {}
        for dim in indicator.disaggregations:
            weights = DISAGG_WEIGHTS.get(dim)
            if weights:
                combo[dim] = rng.choices(list(weights), weights=list(weights.values()))[0]
        rows.append(
            IndicatorValue(
                indicator=indicator, unit=commune, year=YEAR, value=Decimal(chunk), disaggregation=combo
            )
        )
    return rows


def _seed_outputs(rng: random.Random, province: UnitVersion, communes: list[UnitVersion]) -> None:
    indicators = {i.code: i for i in Indicator.objects.all()}
    values: list[IndicatorValue] = []
    for code, (actual, _target, n) in ENTRIES.items():
        chosen = rng.sample(communes, n)
        for c, part in zip(
            chosen, spread(actual, [actual] * n, [rng.uniform(0.5, 1.5) for _ in chosen]), strict=True
        ):
            values += _disaggregated(indicators[code], c, part)
    targets = {code: target for code, (_a, target, _n) in ENTRIES.items() if target} | WORK_TARGETS
    for code, target in targets.items():
        IndicatorTarget.objects.create(
            indicator=indicators[code],
            unit=province,
            year=YEAR,
            phase="2021-2025",
            target=Decimal(target),
            source_ref="Kế hoạch giai đoạn 2021-2025 của tỉnh",
        )
    IndicatorValue.objects.bulk_create(values)


def demo_summary() -> dict[str, Any]:
    """Counts for the command line."""
    return {
        "works": Work.objects.filter(code__startswith=MARK).count(),
        "payments": Disbursement.objects.count(),
    }
