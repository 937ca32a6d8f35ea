"""Scale benchmarks on the synthetic country (run after `generate_synthetic`, see benchmarks/run.py).

Each figure is measured through the app's own report (the catalog function, as `manage.py report` and the API call
it) and compared with a naive ORM loop over the same rows in the same run:

- scale.poverty_province_summary: `poverty-summary` of Điện Biên (pre-2025, ≈338.000 households at province scale)
  vs iterating the province's reviews in Python (target < 200 ms over ≥ 200.000 households);
- scale.poverty_rollup_by_province: `poverty-summary` for every pre-2025 province vs one Python pass over all
  reviews bucketing by province (target < 2 s on PostgreSQL at national scale);
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

    def naive_province() -> tuple[int, int]:
        poor = near = 0
        for review in Review.objects.filter(year=YEAR).select_related("commune"):
            if review.commune.path.startswith(province.path):
                poor += review.poverty_class == "poor"
                near += review.poverty_class == "near_poor"
        return poor, near

    provinces = list(UnitVersion.objects.filter(structure="pre2025", level=1).order_by("code"))

    def ours_rollup() -> list[Any]:
        return [poverty(user, ReportParams(unit=p, year=YEAR)) for p in provinces]

    def naive_rollup() -> Counter[str]:
        by_id = {p.pk: p.code for p in provinces}
        counts: Counter[str] = Counter()
        for review in Review.objects.filter(year=YEAR).select_related("commune"):
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
            baseline=once(naive_province),
            baseline_name="naive ORM loop",
            target=0.2,
        ),
        result(
            "scale.poverty_rollup_by_province",
            once(ours_rollup),
            "s",
            baseline=once(naive_rollup),
            baseline_name="naive ORM loop",
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
    return rows
