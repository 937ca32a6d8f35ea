"""Scale benchmarks on the synthetic country (run after `generate_synthetic`, see benchmarks/run.py).

Each figure is measured through the app's own report (the catalog function, as `manage.py report` and the API call
it) side by side with the baseline a competent Django developer writes first — **one grouped ORM query** over the
same rows (no Python loop over reviews, no sample extrapolated to the full count; decision 0807). Ours and the
baseline are timed alternately, 5 times each after a warm-up; the figure is the median with min/max.

- scale.poverty_province_summary: `poverty-summary` of Điện Biên (pre-2025, ≈338.000 households at province scale;
  headline figures, baseline-year change, area classes) vs `Review.objects.filter(year, commune__path__startswith)
  .values("poverty_class").annotate(Count)` (the headline counts only) — target < 200 ms;
- scale.poverty_rollup_by_province: `poverty.reports.rollup_by_province(year)` (one grouped query over the review
  tallies) vs one grouped query over the reviews by province path prefix and class — target < 2 s on PostgreSQL;
- scale.ntm_province_summary: `ntm-summary` of Điện Biên at 31/12/2020 vs the latest assessment per commune by a
  correlated sub-query (one aggregate query) + a count of unrevoked recognitions — target < 200 ms.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import Any

from benchmarks.common import paired, result

YEAR = 2024
PROVINCE_PATH = 16  # "0000001/0000002/": the country's and the province's path segments


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
    from django.db.models import Avg, Count, OuterRef, Subquery
    from django.db.models.functions import Substr

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

    def orm_province() -> list[Any]:
        return list(
            Review.objects.filter(year=YEAR, commune__path__startswith=province.path)
            .values("poverty_class")
            .annotate(n=Count("id"))
            .order_by()
        )

    provinces = UnitVersion.objects.filter(structure="pre2025", level=1).count()
    rollup_by_province = import_module("mtqg.poverty.reports").rollup_by_province

    def ours_rollup() -> list[Any]:
        return list(rollup_by_province(YEAR, structure="pre2025"))

    def orm_rollup() -> list[Any]:
        return list(
            Review.objects.filter(year=YEAR, commune__structure="pre2025")
            .annotate(province=Substr("commune__path", 1, PROVINCE_PATH))
            .values("province", "poverty_class")
            .annotate(n=Count("id"))
            .order_by()
        )

    on = date(2020, 12, 31)

    def ours_ntm() -> Any:
        return ntm(user, ReportParams(unit=province, as_of=on))

    def orm_ntm() -> tuple[int, Any]:
        latest = (
            Assessment.objects.filter(commune=OuterRef("commune"), assessed_on__lte=on)
            .order_by("-assessed_on", "-pk")
            .values("pk")[:1]
        )
        met = Assessment.objects.filter(
            commune__path__startswith=province.path, assessed_on__lte=on, pk=Subquery(latest)
        ).aggregate(avg=Avg("criteria_met"), n=Count("id"))
        recognised = Recognition.objects.filter(
            commune__path__startswith=province.path, decision_date__lte=on, revoked_on__isnull=True
        ).count()
        return recognised, met

    figures = [
        ("scale.poverty_province_summary", ours_province, orm_province, 0.2,
         "one grouped ORM query (reviews by class)"),
        ("scale.poverty_rollup_by_province", ours_rollup, orm_rollup, 2.0,
         "one grouped ORM query (reviews by province and class)"),
        ("scale.ntm_province_summary", ours_ntm, orm_ntm, 0.2,
         "ORM: latest assessment per commune (sub-query) + recognitions"),
    ]  # fmt: skip
    rows = []
    for name, ours, baseline, target, label in figures:
        t_ours, t_base = paired(ours, baseline)
        rows.append(result(name, t_ours, "s", baseline=t_base, baseline_name=label, target=target))
    for row in rows:
        row["detail"] = {"province_households": households, "provinces": provinces}
    return rows
