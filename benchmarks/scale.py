"""Scale benchmarks on the synthetic country (run after `generate_synthetic`, see benchmarks/run.py).

Each figure is measured through the app's own report (the catalog function, as `manage.py report` and the API call
it) and compared with a naive ORM loop over the same rows in the same run:

- scale.poverty_province_summary: `poverty-summary` of Điện Biên (pre-2025, ≈338.000 households at province scale)
  vs iterating the province's reviews in Python (target < 200 ms over ≥ 200.000 households);
- scale.poverty_rollup_by_province: `poverty.reports.rollup_by_province(year)` (one grouped query over the
  poverty app's review tallies; before it existed: `poverty-summary` for every pre-2025 province) vs one Python
  pass over all reviews bucketing by province (target < 2 s on PostgreSQL at national scale);
- scale.ntm_province_summary: `ntm-summary` of Điện Biên at 31/12/2020 vs a Python loop over the assessments and
  recognitions.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from importlib import import_module
from typing import Any

from benchmarks.common import result, timed

YEAR = 2024
SAMPLE = 1_000_000


def once(fn: Any) -> float:
    """One timed run (the naive baselines take seconds to minutes: no warm-up, no repeats)."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _report(slug: str) -> Any:
    from mtqg.reports.catalog import CATALOG

    module, func = CATALOG[slug].split(":")
    return getattr(import_module(module), func)


def _central() -> Any:
    from mtqg.accounts.models import Assignment, User
    from mtqg.geo.models import UnitVersion

    user = User.objects.filter(username="bench_central").first()
    if user is None:
        user = User.objects.create_user(username="bench_central", password=None, full_name="bench central")
        Assignment.objects.create(
            user=user, role=Assignment.Role.CENTRAL, unit=UnitVersion.objects.get(level=0), access="view"
        )
    return user


def run(scale: str = "province") -> list[dict[str, Any]]:
    from mtqg.geo.models import UnitVersion
    from mtqg.ntm.models import Assessment, Recognition
    from mtqg.poverty.models import Review
    from mtqg.reports.params import ReportParams

    user = _central()
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    households = Review.objects.filter(year=YEAR, commune__path__startswith=province.path).count()
    poverty = _report("poverty-summary")
    ntm = _report("ntm-summary")

    def ours_province() -> Any:
        return poverty(user, ReportParams(unit=province, year=YEAR))

    # At national scale the naive loops would walk 27 M ORM objects (hours): they walk the first SAMPLE reviews
    # and the time is scaled to the full count (labelled "extrapolated").
    total = Review.objects.filter(year=YEAR).count()
    sample = min(total, SAMPLE) if scale == "national" else total
    factor = total / sample if sample else 1.0
    suffix = f" ({sample:,} rows, extrapolated ×{factor:.0f})" if sample < total else ""

    def naive_province() -> tuple[int, int]:
        poor = near = 0
        reviews = Review.objects.filter(year=YEAR).select_related("commune").order_by("pk")[:sample]
        for review in reviews.iterator(chunk_size=20000):
            if review.commune.path.startswith(province.path):
                poor += review.poverty_class == "poor"
                near += review.poverty_class == "near_poor"
        return poor, near

    provinces = list(UnitVersion.objects.filter(structure="pre2025", level=1).order_by("code"))

    # the poverty app's set-based roll-up over its review tallies (one grouped query), when it has one
    rollup_by_province = getattr(import_module("mtqg.poverty.reports"), "rollup_by_province", None)

    def ours_rollup() -> list[Any]:
        if rollup_by_province is not None:
            return list(rollup_by_province(YEAR, structure="pre2025"))
        return [poverty(user, ReportParams(unit=p, year=YEAR)) for p in provinces]

    def naive_rollup() -> Counter[str]:
        by_id = {p.pk: p.code for p in provinces}
        counts: Counter[str] = Counter()
        reviews = Review.objects.filter(year=YEAR).select_related("commune").order_by("pk")[:sample]
        for review in reviews.iterator(chunk_size=20000):
            code = by_id.get(int(review.commune.path.strip("/").split("/")[1]))
            if code and review.poverty_class in ("poor", "near_poor"):
                counts[code] += 1
        return counts

    on = date(2020, 12, 31)

    def ours_ntm() -> Any:
        return ntm(user, ReportParams(unit=province, as_of=on))

    def naive_ntm() -> tuple[int, float]:
        latest: dict[int, Any] = {}
        for a in (
            Assessment.objects.filter(assessed_on__lte=on).select_related("commune").order_by("assessed_on")
        ):
            if a.commune.path.startswith(province.path):
                latest[a.commune_id] = a
        recognised = {
            r.commune_id
            for r in Recognition.objects.filter(decision_date__lte=on).select_related("commune")
            if r.commune.path.startswith(province.path) and r.revoked_on is None
        }
        met = [a.criteria_met for a in latest.values()]
        return len(recognised), (sum(met) / len(met) if met else 0.0)

    repeat = 3
    rows = [
        result(
            "scale.poverty_province_summary",
            timed(ours_province, repeat),
            "s",
            baseline=once(naive_province) * factor,
            baseline_name="naive ORM loop" + suffix,
            target=0.2,
        ),
        result(
            "scale.poverty_rollup_by_province",
            once(ours_rollup),
            "s",
            baseline=once(naive_rollup) * factor,
            baseline_name="naive ORM loop" + suffix,
            target=2.0,
        ),
        result(
            "scale.ntm_province_summary",
            timed(ours_ntm, repeat),
            "s",
            baseline=once(naive_ntm),
            baseline_name="naive ORM loop",
            target=0.2,
        ),
    ]
    for row in rows:
        row["detail"] = {"province_households": households, "provinces": len(provinces)}
    rows[1]["detail"]["path"] = (
        "rollup_by_province" if rollup_by_province is not None else "poverty-summary × 63"
    )
    return rows
