"""Finance benchmark: disbursement summary of one province with 5,000 works and 100,000 payments (target < 200 ms),
and the national summary over the same rows.

`run(scale)` returns result dicts (benchmarks.run format); scale "tiny"/"small" uses a tenth of the rows. Needs a
migrated database with the units loaded. Cleans up after itself (rows marked BENCH-).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


def _build(works_n: int, per_work: int) -> Any:
    from django.db import transaction

    from mtqg.finance.loader import load_programs
    from mtqg.finance.models import (
        Allocation,
        CapitalPlan,
        Disbursement,
        InvestorLevel,
        Program,
        Source,
        Work,
    )
    from mtqg.geo.models import UnitVersion

    if not Program.objects.exists():
        load_programs()
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    communes = list(UnitVersion.objects.filter(path__startswith=province.path, level=3))
    nodes = list(Program.objects.filter(kind__in=["project", "subproject"]))
    rng = random.Random(7)
    sources = [Source.CENTRAL_INVESTMENT, Source.CENTRAL_RECURRENT, Source.LOCAL_COUNTERPART]
    with transaction.atomic():
        CapitalPlan.objects.bulk_create(
            CapitalPlan(
                unit=province,
                program=n,
                year=2030,
                source=s,
                vintage=CapitalPlan.Vintage.INITIAL,
                amount=Decimal(10**12),
                note="BENCH-",
            )
            for n in nodes
            for s in sources
        )
        works = Work.objects.bulk_create(
            [
                Work(
                    code=f"BENCH-{i:06d}",
                    name="bench",
                    kind=Work.Kind.INFRASTRUCTURE,
                    program=rng.choice(nodes),
                    commune=rng.choice(communes),
                    investor_level=InvestorLevel.COMMUNE,
                    year=2030,
                    total_investment=Decimal(10**9),
                )
                for i in range(works_n)
            ],
            batch_size=2000,
        )
        allocs = Allocation.objects.bulk_create(
            [
                Allocation(
                    unit=w.commune,
                    work=w,
                    program=w.program,
                    year=2030,
                    source=rng.choice(sources),
                    investor_level=InvestorLevel.COMMUNE,
                    amount=Decimal(10**9),
                    decision_ref="BENCH-",
                )
                for w in works
            ],
            batch_size=2000,
        )
        start = date(2030, 1, 1)
        Disbursement.objects.bulk_create(
            (
                Disbursement(
                    allocation=a,
                    paid_on=start + timedelta(days=rng.randint(0, 395)),
                    amount=Decimal(rng.randint(1, 40) * 1_000_000),
                    reference="BENCH-",
                )
                for a in allocs
                for _ in range(per_work)
            ),
            batch_size=5000,
        )
    return province


def _cleanup() -> None:
    from django.db import transaction

    from mtqg.finance.models import Allocation, CapitalPlan, Disbursement, Work

    with transaction.atomic():
        Disbursement.objects.filter(reference="BENCH-").delete()
        Allocation.objects.filter(decision_ref="BENCH-").delete()
        Work.objects.filter(code__startswith="BENCH-").delete()
        CapitalPlan.objects.filter(note="BENCH-").delete()


def run(scale: str = "full") -> list[dict[str, Any]]:
    from benchmarks.common import result, timed
    from mtqg.finance.selectors import disbursement_summary, province_rollup
    from mtqg.geo.models import UnitVersion

    small = scale in {"tiny", "small"}
    works_n = 500 if small else 5_000
    _cleanup()
    province = _build(works_n, 20)
    country = UnitVersion.objects.get(structure="national", level=0, code="VN")
    try:
        as_of = date(2031, 1, 31)
        t_province = timed(lambda: disbursement_summary(None, province, 2030, as_of, True), repeat=5)
        t_country = timed(lambda: disbursement_summary(None, country, 2030, as_of, True), repeat=3)
        t_rollup = timed(lambda: province_rollup(None, 2030, as_of, True), repeat=3)
    finally:
        _cleanup()
    return [
        result(f"finance.disbursement_summary_province_{works_n}_works", t_province, "s", target=0.2),
        result("finance.disbursement_summary_national", t_country, "s", target=2.0),
        result("finance.national_rollup_by_province", t_rollup, "s", target=2.0),
    ]


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    print(run(sys.argv[1] if len(sys.argv) > 1 else "full"))
