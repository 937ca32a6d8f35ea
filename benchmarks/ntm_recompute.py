"""NTM benchmark: recompute every criterion status of 3,321 communes × all QĐ 318 indicators (target < 5 s on
SQLite), one commune's edit + province summary (target < 100 ms), and the queries of the province table of the
largest 2025 province (≈150 communes; a fixed target, TABLE_QUERIES = 6, with the smallest province's count shown
beside it; the view's count is asserted in mtqg/ntm/tests/test_views.py). Timings: medians of 5 runs, min/max.

`run(scale)` returns a dict of timings in seconds; `results(scale)` gives the same figures in the format of
benchmarks.run (list of result dicts). Needs a migrated database with the units loaded. Cleans up after itself.
"""

from __future__ import annotations

import random
import time
from datetime import date
from decimal import Decimal
from typing import Any

from benchmarks.common import Timing

REPEAT = 5
TABLE_QUERIES = 6  # fixed target: the province table's own queries, whatever the province's size (issue #24)


def run(scale: str = "full") -> dict[str, float]:
    from django.db import transaction

    from mtqg.geo.models import UnitVersion
    from mtqg.ntm import engine, services
    from mtqg.ntm.loader import load_all
    from mtqg.ntm.models import Assessment, CriteriaSet, Indicator, IndicatorValue
    from mtqg.ntm.reports import summary
    from mtqg.reports.params import ReportParams

    load_all()
    cset = CriteriaSet.objects.get(code="qd318-1", version=1)
    on = date(2025, 12, 31)
    communes = list(
        UnitVersion.objects.filter(structure="2025", level=UnitVersion.Level.COMMUNE)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    if scale == "small":
        communes = communes[:300]
    indicators = list(Indicator.objects.filter(criterion__criteria_set=cset).values_list("pk", "value_type"))
    rng = random.Random(1)
    timings: dict[str, float] = {"communes": float(len(communes)), "indicators": float(len(indicators))}
    started = time.perf_counter()
    with transaction.atomic():
        made = Assessment.objects.bulk_create(
            [
                Assessment(commune_id=c, year=2025, criteria_set=cset, assessed_on=on, note="benchmark")
                for c in communes
            ],
            batch_size=2000,
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    assessment_id=a.pk,
                    indicator_id=i,
                    value=Decimal(rng.randint(0, 1)) if kind == "bool" else Decimal(rng.randint(0, 100)),
                )
                for a in made
                for i, kind in indicators
            ],
            batch_size=5000,
        )
    timings["insert_values"] = time.perf_counter() - started
    qs = Assessment.objects.filter(note="benchmark")
    try:
        samples = []
        for _ in range(REPEAT):  # the first run computes every status, the later ones rewrite them all again
            started = time.perf_counter()
            engine.recompute(qs)
            samples.append(time.perf_counter() - started)
        timings["recompute_all"] = Timing(samples)
        one = made[0]
        one.refresh_from_db()
        province = UnitVersion.objects.get(pk=one.commune.path.strip("/").split("/")[1])
        samples = []
        for k in range(REPEAT + 1):  # a real change every time (alternating values); the first is a warm-up
            started = time.perf_counter()
            values = {"2.1": "95" if k % 2 else "60", "10": "41" if k % 2 else "12"}
            services.indicator_values_set(actor=None, assessment=one, values=values)
            summary(None, ReportParams(unit=province, as_of=on))
            samples.append(time.perf_counter() - started)
        timings["one_edit_and_province_summary"] = Timing(samples[1:])
        timings.update(_table_queries(on))
    finally:
        with transaction.atomic():
            qs.delete()
    return timings


class _Everyone:
    """A superuser stand-in: sees every unit (the table's own queries are what is measured)."""

    is_authenticated = True
    is_active = True
    is_superuser = True


def _table_queries(on: date) -> dict[str, float]:
    """Queries of the province table (selectors.province_table) for the largest 2025 province and for one of
    its smallest units: a fixed count means no per-commune query."""
    from django.db import connection
    from django.db.models import Count, Q
    from django.test.utils import CaptureQueriesContext

    from mtqg.geo.models import UnitVersion
    from mtqg.ntm.selectors import province_table

    provinces = (
        UnitVersion.objects.filter(structure="2025", level=UnitVersion.Level.PROVINCE)
        .annotate(n=Count("children", filter=Q(children__kind=UnitVersion.Kind.COMMUNE)))
        .order_by("-n")
    )
    big, small = provinces.first(), provinces.last()
    out: dict[str, float] = {}
    for key, unit in (("big", big), ("small", small)):
        if unit is None:
            continue
        with CaptureQueriesContext(connection) as ctx:
            rows = province_table(_Everyone(), unit, on)
        out[f"table_queries_{key}"] = float(len(ctx.captured_queries))
        out[f"table_rows_{key}"] = float(len(rows))
    return out


def results(scale: str = "full") -> list[dict[str, Any]]:
    from benchmarks.common import result

    t = run(scale)
    return [
        result("ntm.recompute_all_communes", t["recompute_all"], "s", target=5.0),
        result("ntm.one_edit_and_province_summary", t["one_edit_and_province_summary"], "s", target=0.1),
        result(
            "ntm.province_table_queries",
            t.get("table_queries_big", 0.0),
            "queries",
            baseline=t.get("table_queries_small"),
            baseline_name=f"the same table for {int(t.get('table_rows_small', 0))} communes",
            target=float(TABLE_QUERIES),
        ),
    ]


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    print(run(sys.argv[1] if len(sys.argv) > 1 else "full"))
