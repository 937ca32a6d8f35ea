"""Public figures: aggregates from the dashboards' summary facts (no personal data), small cells suppressed.

Suppression (decision 0914; threshold `settings.PORTAL_MIN_CELL`, 5 households by default):
* primary: a count of poor or near-poor households, or a number of households used as a denominator, between 1 and
  the threshold - 1 is not published, nor is any rate computed from it (a rate over 1 urban household is 0 % or
  100 %: that household's status);
* complementary: the groups of a breakdown (area: rural/urban; ethnicity of the head) add up to the total, so when
  exactly one group of a breakdown is hidden the next smallest is hidden too (otherwise total - the others = the
  hidden cell), in every table and chart that shows the breakdown; the 30a-district figure is hidden when the 30a
  part or the rest of the province (total - 30a) is small.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from mtqg.dashboards import panels
from mtqg.dashboards.models import SummaryFact
from mtqg.dashboards.selectors import DATA_MEASURES, STATE_MEASURES, per_unit_reported
from mtqg.geo.models import UnitVersion

MIN_CELL = 5  # default of settings.PORTAL_MIN_CELL (households: cells below this are suppressed)
SUPPRESSED = None


def min_cell() -> int:
    return int(getattr(settings, "PORTAL_MIN_CELL", MIN_CELL))


def small(*counts: Any) -> bool:
    """Any count between 1 and the threshold - 1 (zero is published: it reveals nobody)."""
    limit = min_cell()
    return any(c is not None and 0 < Decimal(c) < limit for c in counts)


def hidden_groups(cells: dict[str, tuple[Any, Any, Any]]) -> set[str]:
    """Keys of a breakdown's cells (poor, near-poor, households) not to publish: the small ones, plus the next
    smallest when only one is small (complementary suppression)."""
    hidden = {k for k, (p, n, h) in cells.items() if small(p, n, h)}
    if len(hidden) == 1 and len(cells) > 1:
        rest = sorted((Decimal(h or 0), k) for k, (_p, _n, h) in cells.items() if k not in hidden)
        hidden.add(rest[0][1])
    return hidden


def _breakdowns(facts: Any, year: int) -> dict[str, set[str]]:
    """For one year: breakdown prefix ("area=", "eth=") -> hidden keys."""
    poor = facts.keys("poverty.poor", year)
    near = facts.keys("poverty.near_poor", year)
    out: dict[str, set[str]] = {}
    for prefix in ("area=", "eth="):
        cells = {
            k: (v[0], near.get(k, [Decimal(0)])[0], v[1]) for k, v in poor.items() if k.startswith(prefix)
        }
        out[prefix] = hidden_groups(cells)
    return out


PROVINCE_MEASURES = (
    "ntm.communes",
    "ntm.tier",
    "ntm.provisional",
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
    if households is not None and 0 < Decimal(households) < min_cell():
        return [SUPPRESSED for _v in values]
    return list(values)


def province_rows(year: int) -> list[dict[str, Any]]:
    """One row per province as reported in the year (pre-2025 provinces before the reform)."""
    nation = country()
    per_unit = per_unit_reported(None, nation, PROVINCE_MEASURES, year, UnitVersion.Level.PROVINCE)

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
        poor_v, poor_rate = (
            (SUPPRESSED, SUPPRESSED)
            if small(poor, households)
            else (panels.num(poor), panels.pct(poor, households))
        )
        near_v, near_rate = (
            (SUPPRESSED, SUPPRESSED)
            if small(near, households)
            else (panels.num(near), panels.pct(near, households))
        )
        provisional = facts.get("ntm.provisional", year)[0]  # "tạm tính" (ntm decision record 0113)
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
                "ntm_provisional": panels.num(provisional) if reported or provisional else None,
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
    """The province's public charts (no supervision content), small poverty cells suppressed (module docstring)."""
    f = panels.Filters(unit=unit, year=year)
    facts = panels.load(None, f)
    data = panels.dashboard(None, f, facts)
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
        if chart["id"] == "poverty_rates":
            rows = [_suppress_year_row(row, facts) for row in chart["table"].rows]
            for s, key in zip(
                chart["series"], ("poor_rate", "near_poor_rate", "rural_rate", "urban_rate"), strict=False
            ):
                s["data"] = [r.get(key) for r in rows]
        elif chart["id"] == "poverty_groups":
            hidden = _breakdowns(facts, year)
            rows = [_suppress_group_row(row, hidden) for row in chart["table"].rows]
            shown = [r for r in rows if r["group"] == gettext("Dân tộc")][:8]
            chart["categories"] = [r["label"] for r in shown]
            chart["series"][0]["data"] = [r["poor_rate"] for r in shown]
            chart["series"][1]["data"] = [r["near_poor_rate"] for r in shown]
        else:
            continue
        chart["table"].rows = rows
        chart["table"].notes = [*chart["table"].notes, _suppression_note()]
    data["charts"] = charts
    data["figures"] = _suppress_figures(data["figures"], facts, year)
    data["ntm_provisional"] = panels.num(facts.get("ntm.provisional", year)[0])  # "tạm tính" (ntm 0113)
    return data


def _suppress_year_row(row: dict[str, Any], facts: Any) -> dict[str, Any]:
    row = dict(row)
    h = row.get("households")
    if small(row.get("poor"), h):
        row["poor"] = row["poor_rate"] = SUPPRESSED
    if small(row.get("near_poor"), h):
        row["near_poor"] = row["near_poor_rate"] = SUPPRESSED
    hidden = _breakdowns(facts, int(row["year"]))["area="]
    for area in ("rural", "urban"):
        if f"area={area}" in hidden:
            row[f"{area}_rate"] = SUPPRESSED
    return row


def _suppress_group_row(row: dict[str, Any], hidden: dict[str, set[str]]) -> dict[str, Any]:
    row = dict(row)
    area = {gettext("Nông thôn"): "rural", gettext("Thành thị"): "urban"}
    if row["group"] == gettext("Khu vực"):
        key = "area=" + area.get(row["label"], row["label"])
    else:
        key = "eth=" + (row["label"] if row["label"] != gettext("Chưa rõ") else "?")
    if key in hidden["area="] | hidden["eth="]:
        for k in ("households", *_POVERTY_KEYS):
            if k in row:
                row[k] = SUPPRESSED
    return row


def _suppress_figures(figures: list[dict[str, Any]], facts: Any, year: int) -> list[dict[str, Any]]:
    """The poverty-rate figure when the total is small; the 30a figure when the 30a part or the rest is small."""
    p, h = facts.get("poverty.poor", year, key="")
    p30, h30 = facts.get("poverty.poor", year, key="class=p30a")
    out = []
    for fig in figures:
        label = str(fig["label"])
        hide = (label == gettext("Tỷ lệ hộ nghèo") and small(p, h)) or (
            label == gettext("Tỷ lệ hộ nghèo ở huyện nghèo (30a)") and small(p30, h30, p - p30, h - h30)
        )
        out.append({**fig, "value": "—", "change": "—"} if hide else fig)
    return out


_POVERTY_KEYS = ("poor", "poor_rate", "near_poor", "near_poor_rate", "rural_rate", "urban_rate")


def _suppression_note() -> str:
    return _(
        "Ô có dưới %(n)s hộ không công bố (để trống) để bảo vệ thông tin cá nhân; "
        "khi chỉ một nhóm bị ẩn, nhóm nhỏ kế tiếp cũng được ẩn để không suy ra được bằng phép trừ."
    ) % {"n": min_cell()}
