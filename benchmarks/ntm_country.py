"""NTM for the whole country (issue 22): recompute every 2025 commune (the real 3.321 units of the loaded unit
list) under QĐ 51/2025 with commune groups (target < 5 s), re-evaluate every recognised commune of the country
(target < 30 s) and a provincial set's save + recompute of its province (target < 10 s). Every figure is the median
of 5 runs after a warm-up, with min/max (decision 0807). Side by side, on every 10th assessment (the same work for
both, alternating): the set-based engine vs the same recompute one assessment at a time (what a view does after one
edit, looped) — the loop over all 3.321 would take ≈ 80 s a run on the shared machine.

`run(scale)` returns timings in seconds; `results(scale)` the benchmark.run rows. Needs a migrated database with
the units loaded; writes benchmark rows (note "benchmark-country") and removes them afterwards.
`python -m benchmarks.ntm_country full` also writes benchmarks/results/<date>-demo-ntm-country.json and .md (not a
`make bench` scale: rendered from the file, not into docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import loadavg, paired, report_head, result, timed
from benchmarks.render import header, table
from benchmarks.run import METHOD, RESULTS

NOTE = "benchmark-country"
SAMPLE_STEP = 10


def run(scale: str = "full") -> dict[str, float]:
    from django.db import transaction

    from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion
    from mtqg.ntm import engine, services
    from mtqg.ntm.loader import load_all, load_set
    from mtqg.ntm.models import (
        Assessment,
        CriteriaSet,
        Indicator,
        IndicatorValue,
        Recognition,
        RecognitionTier,
    )

    load_all()
    cset = CriteriaSet.objects.get(code="qd51-2025", version=1)
    on = date(2027, 12, 31)  # a year the demo has no QĐ 51 assessment in (Điện Biên's demo ones are 2026)
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
            [Assessment(commune_id=c, year=2027, criteria_set=cset, assessed_on=on, note=NOTE) for c in ids],
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
                    tier=RecognitionTier.STANDARD,
                    decision_no=NOTE,
                    decision_date=date(2027, 3, 1),
                    standard_year=2027,
                    note=NOTE,
                )
                for c in ids
            ],
            batch_size=2000,
        )
    qs = Assessment.objects.filter(note=NOTE)
    bench_file = Path(tempfile.mkdtemp()) / "bench_province.json"
    sample_ids = [a.pk for a in made][::SAMPLE_STEP]
    sample = Assessment.objects.filter(pk__in=sample_ids)
    try:
        timings["recompute_qd51_all"] = timed(lambda: engine.recompute(qs))
        ours, loop = paired(lambda: engine.recompute(sample), lambda: _one_at_a_time(engine, sample_ids))
        timings.update(
            {"sample": float(len(sample_ids)), "recompute_sample": ours, "recompute_sample_loop": loop}
        )
        timings["recompute_recognised"] = timed(lambda: services.recognised_recompute(on=on))
        timings["recognised"] = float(services.recognised_recompute(on=on))
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
    qs = Assessment.objects.filter(note=NOTE, commune__path__startswith=province.path)
    n = qs.count()

    def save_and_recompute() -> None:
        cset = load_set(path, force=True)
        qs.update(criteria_set=cset)
        engine.recompute(qs)

    elapsed = timed(save_and_recompute)
    qs.update(criteria_set=parent)
    return {"provincial_set_save_and_recompute": elapsed, "province_assessments": float(n)}


def _one_at_a_time(engine: Any, ids: list[int]) -> None:
    from mtqg.ntm.models import Assessment

    for pk in ids:
        engine.recompute(Assessment.objects.filter(pk=pk))


def results(scale: str = "full") -> list[dict[str, Any]]:
    return _rows(run(scale))


def _rows(t: dict[str, float]) -> list[dict[str, Any]]:
    return [
        result("ntm.recompute_qd51_all_communes", t["recompute_qd51_all"], "s", target=5.0),
        result(
            "ntm.recompute_qd51_every_10th_commune",
            t["recompute_sample"],
            "s",
            baseline=t["recompute_sample_loop"],
            baseline_name=f"the same {int(t['sample'])} assessments recomputed one at a time",
        ),
        result("ntm.recompute_recognised_communes", t["recompute_recognised"], "s", target=30.0),
        result(
            "ntm.provincial_set_save_and_recompute",
            t.get("provincial_set_save_and_recompute", 0.0),
            "s",
            target=10.0,
        ),
    ]


def write_results(rows: list[dict[str, Any]], scale: str, counts: dict[str, float]) -> Path:
    """benchmarks/results/<date>-demo-ntm-country.json and .md, with the ratio to the previous such file."""
    previous = sorted(RESULTS.glob("*-demo-ntm-country.json"))
    if previous:
        old = {r["name"]: r for r in json.loads(previous[-1].read_text(encoding="utf-8"))["results"]}
        for r in rows:
            before = old.get(r["name"])
            if before and r.get("value") and before.get("value"):
                r["vs_previous"] = round(before["value"] / r["value"], 2)
    report = {
        **report_head("demo", counts.pop("load_start")),
        "method": METHOD,
        "note": (
            f"benchmarks.ntm_country {scale} on the demo database: {int(counts['communes'])} communes of the "
            f"2025 unit list under QĐ 51/2025, {int(counts['recognised'])} recognised communes re-evaluated, "
            f"{int(counts.get('province_assessments', 0))} assessments of the provincial set's province"
        ),
        "command": " ".join(sys.argv),
        "results": [{**r, "db": "sqlite"} for r in rows],
    }
    stem = RESULTS / f"{dt.datetime.now(dt.UTC):%Y-%m-%d}-demo-ntm-country"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    text = header(report, stem.with_suffix(".json")) + table(report)
    stem.with_suffix(".md").write_text(f"# Benchmarks\n\n{text}", encoding="utf-8")
    sys.stdout.write(text)
    return stem.with_suffix(".json")


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    scale = sys.argv[1] if len(sys.argv) > 1 else "full"
    load_start = loadavg()
    t = run(scale)
    rows = _rows(t)
    write_results(rows, scale, {**{k: float(v) for k, v in t.items()}, "load_start": load_start})
