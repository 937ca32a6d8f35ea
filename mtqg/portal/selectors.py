"""Public figures: aggregates from the dashboards' summary facts (no personal data), small cells suppressed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from mtqg.dashboards import panels
from mtqg.dashboards.models import SummaryFact
from mtqg.dashboards.selectors import per_unit_reported
from mtqg.geo.models import UnitVersion

MIN_CELL = 5  # households: cells below this are suppressed
SUPPRESSED = None
PROVINCE_MEASURES = (
    "ntm.communes",
    "ntm.tier",
    "poverty.poor",
    "poverty.near_poor",
    "finance.plan",
    "finance.disbursed",
)


def country() -> UnitVersion:
    return UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY)


def latest_year() -> int:
    """The latest year with data reported for it in the country (dashboards.selectors.DATA_MEASURES), else the
    latest with a recognition in force, else this year (decision 0016)."""
    from django.db.models import Max

    from mtqg.dashboards.selectors import DATA_MEASURES, STATE_MEASURES

    this_year = timezone.localdate().year
    for measures in (DATA_MEASURES, STATE_MEASURES):
        year = SummaryFact.objects.filter(measure__in=measures, year__lte=this_year).aggregate(m=Max("year"))[
            "m"
        ]
        if year:
            return int(year)
    return this_year


def suppress(households: Any, *values: Any) -> list[Any]:
    """Values as given, or None for each when the household count is under MIN_CELL (but not zero)."""
    if households is not None and 0 < Decimal(households) < MIN_CELL:
        return [SUPPRESSED for _v in values]
    return list(values)


def province_rows(year: int) -> list[dict[str, Any]]:
    """One row per province as reported in the year (pre-2025 provinces before the reform)."""
    nation = country()
    per_unit = per_unit_reported(None, nation, PROVINCE_MEASURES, year, UnitVersion.Level.PROVINCE)
    from datetime import date

    provinces = list(
        UnitVersion.objects.as_of(date(year, 12, 31))
        .filter(level=UnitVersion.Level.PROVINCE)
        .order_by("name")
    )
    rows = []
    for p in provinces:
        facts = panels.Facts(per_unit.get(p.pk, {}))
        communes = facts.get("ntm.communes", year)[0]
        tiers = facts.keys("ntm.tier", year)
        recognised = sum((tiers.get(t, [Decimal(0)])[0] for t in panels.RECOGNISED), Decimal(0))
        poor, households = facts.get("poverty.poor", year, key="")
        near, _h = facts.get("poverty.near_poor", year, key="")
        paid, plan = panels.disbursement(facts, year)
        poor_v, near_v, poor_rate, near_rate = suppress(
            households,
            panels.num(poor),
            panels.num(near),
            panels.pct(poor, households),
            panels.pct(near, households),
        )
        reported = bool(tiers)  # nothing reported is null ("chưa có số liệu"), never 0 (decision 0016)
        rows.append(
            {
                "id": p.pk,
                "code": p.code,
                "name": p.name,
                "structure": p.structure,
                "year": year,
                "communes": panels.num(communes),
                "ntm_recognised": panels.num(recognised) if reported else None,
                "ntm_recognised_rate": panels.pct(recognised, communes) if reported else None,
                "households_reviewed": panels.num(households) if households else None,
                "poor_households": poor_v,
                "poverty_rate": poor_rate,
                "near_poor_households": near_v,
                "near_poverty_rate": near_rate,
                "central_plan_vnd": panels.num(plan) if plan else None,
                "central_disbursed_vnd": panels.num(paid) if plan else None,
                "central_disbursement_rate": panels.pct(paid, plan),
            }
        )
    return rows


def public_charts(unit: UnitVersion, year: int) -> dict[str, Any]:
    """The province's public charts (no supervision content), poverty cells under 5 households suppressed."""
    f = panels.Filters(unit=unit, year=year)
    data = panels.dashboard(None, f)
    keep = (
        "ntm_tiers",
        "ntm_bands",
        "poverty_rates",
        "poverty_groups",
        "finance_sources",
        "finance_curve",
        "outputs",
    )
    charts = [c for c in data["charts"] if c["id"] in keep]
    for chart in charts:
        if chart["id"] in ("poverty_rates", "poverty_groups"):
            rows = list(chart["table"].rows)
            for row in rows:
                values = suppress(row.get("households"), *(row.get(k) for k in _POVERTY_KEYS))
                for k, v in zip(_POVERTY_KEYS, values, strict=True):
                    if k in row:
                        row[k] = v
            chart["table"].rows = rows
            chart["table"].notes = [*chart["table"].notes, _suppression_note()]
            if chart["id"] == "poverty_groups":
                shown = [r for r in rows if r["group"] == gettext("Dân tộc")][:8]
                chart["categories"] = [r["label"] for r in shown]
                chart["series"][0]["data"] = [r["poor_rate"] for r in shown]
                chart["series"][1]["data"] = [r["near_poor_rate"] for r in shown]
            else:
                for s, key in zip(
                    chart["series"], ("poor_rate", "near_poor_rate", "rural_rate", "urban_rate"), strict=False
                ):
                    s["data"] = [r.get(key) for r in rows]
    data["charts"] = charts
    return data


_POVERTY_KEYS = ("poor", "poor_rate", "near_poor", "near_poor_rate", "rural_rate", "urban_rate")


def _suppression_note() -> str:
    from django.utils.translation import gettext as _

    return _("Ô có dưới %(n)s hộ không công bố (để trống) để bảo vệ thông tin cá nhân.") % {"n": MIN_CELL}
