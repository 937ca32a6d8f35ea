"""NTM for the whole country (issue 22): recompute every 2025 commune under QĐ 51/2025 with commune groups
(target < 5 s), re-evaluate every recognised commune (target < 30 s) and a provincial set's save + recompute of its
province (target < 10 s).

`run(scale)` returns timings in seconds; `results(scale)` the benchmark.run rows. Needs a migrated database with
the units loaded; writes benchmark rows (note "benchmark-country") and removes them afterwards.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

NOTE = "benchmark-country"


def run(scale: str = "full") -> dict[str, float]:
    from django.db import transaction

    from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion
    from mtqg.ntm import engine, services
    from mtqg.ntm.loader import load_all, load_set
    from mtqg.ntm.models import Assessment, CriteriaSet, Indicator, IndicatorValue, Recognition, Tier

    load_all()
    cset = CriteriaSet.objects.get(code="qd51-2025", version=1)
    on = date(2026, 12, 31)
    communes = list(
        UnitVersion.objects.filter(structure="2025", level=UnitVersion.Level.COMMUNE)
        .order_by("pk")
        .values_list("pk", "path")
    )
    if scale == "small":
        communes = communes[:300]
    ids = [c for c, _p in communes]
    indicators = list(Indicator.objects.filter(criterion__criteria_set=cset).values_list("pk", flat=True))
    scheme = ClassificationScheme.objects.get(code="commune_group_2026")
    rng = random.Random(51)
    timings: dict[str, float] = {"communes": float(len(ids))}
    grouped = set(
        UnitClassification.objects.filter(scheme=scheme, unit_id__in=ids).values_list("unit_id", flat=True)
    )
    with transaction.atomic():
        UnitClassification.objects.bulk_create(
            [
                UnitClassification(
                    unit_id=c,
                    scheme=scheme,
                    value=rng.choice("123"),
                    valid_from=date(2026, 2, 15),
                    legal_basis=NOTE,
                )
                for c in ids
                if c not in grouped
            ],
            batch_size=2000,
        )
        made = Assessment.objects.bulk_create(
            [Assessment(commune_id=c, year=2026, criteria_set=cset, assessed_on=on, note=NOTE) for c in ids],
            batch_size=2000,
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(assessment_id=a.pk, indicator_id=i, value=Decimal(rng.randint(0, 1)))
                for a in made
                for i in indicators
            ],
            batch_size=5000,
        )
        Recognition.objects.bulk_create(
            [
                Recognition(
                    commune_id=c,
                    tier=Tier.STANDARD,
                    decision_no=NOTE,
                    decision_date=date(2026, 3, 1),
                    standard_year=2026,
                    note=NOTE,
                )
                for c in ids
            ],
            batch_size=2000,
        )
    qs = Assessment.objects.filter(note=NOTE)
    bench_file = Path(tempfile.mkdtemp()) / "bench_province.json"
    try:
        started = time.perf_counter()
        engine.recompute(qs)
        timings["recompute_qd51_all"] = time.perf_counter() - started
        started = time.perf_counter()
        timings["recognised"] = float(services.recognised_recompute(on=on))
        timings["recompute_recognised"] = time.perf_counter() - started
        timings.update(_provincial_set(bench_file, communes, cset, load_set))
    finally:
        with transaction.atomic():
            qs.delete()
            Recognition.objects.filter(note=NOTE).delete()
            UnitClassification.objects.filter(legal_basis=NOTE).delete()
            CriteriaSet.objects.filter(code="bench-province").delete()
    return timings


def _provincial_set(
    path: Path, communes: list[tuple[int, str]], parent: Any, load_set: Any
) -> dict[str, float]:
    """Save a provincial set derived from QĐ 51 (one override) and recompute its province's assessments."""
    from mtqg.geo.models import UnitVersion
    from mtqg.ntm import engine
    from mtqg.ntm.models import Assessment

    segments = {p.strip("/").split("/")[1] for _c, p in communes}
    province = (
        UnitVersion.objects.filter(pk__in=[int(s) for s in segments], level=UnitVersion.Level.PROVINCE)
        .order_by("-pk")
        .first()
    )
    if province is None:
        return {}
    path.write_text(
        json.dumps(
            {
                "code": "bench-province",
                "version": 1,
                "name": f"Bộ tiêu chí xã NTM {province.name} (benchmark)",
                "derives_from": parent.code,
                "province": province.code,
                "structure": province.structure,
                "legal_basis": "benchmark",
                "valid_from": "2026-02-15",
                "overrides": {"1.TH": {"3": "Đạt"}},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    started = time.perf_counter()
    cset = load_set(path, force=True)
    qs = Assessment.objects.filter(note=NOTE, commune__path__startswith=province.path)
    n = qs.update(criteria_set=cset)
    engine.recompute(qs)
    elapsed = time.perf_counter() - started
    qs.update(criteria_set=parent)
    return {"provincial_set_save_and_recompute": elapsed, "province_assessments": float(n)}


def results(scale: str = "full") -> list[dict[str, Any]]:
    from benchmarks.common import result

    t = run(scale)
    return [
        result("ntm.recompute_qd51_all_communes", t["recompute_qd51_all"], "s", target=5.0),
        result("ntm.recompute_recognised_communes", t["recompute_recognised"], "s", target=30.0),
        result(
            "ntm.provincial_set_save_and_recompute",
            t.get("provincial_set_save_and_recompute", 0.0),
            "s",
            target=10.0,
        ),
    ]


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    print(run(sys.argv[1] if len(sys.argv) > 1 else "full"))
