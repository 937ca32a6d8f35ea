"""Plain helpers that make planning rows for tests: a few assessed communes with chosen gaps, scenarios."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from mtqg.geo.models import UnitVersion
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import Assessment, CriteriaSet, Criterion, CriterionResult, Status
from mtqg.planning.costs import load_costs
from mtqg.planning.models import Scenario
from mtqg.testing import World, guard_provinces

ON = date(2020, 12, 31)


def communes(province: UnitVersion, n: int) -> list[UnitVersion]:
    return list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3, kind="xa").order_by("code")[:n]
    )


def assess(
    commune: UnitVersion, gaps: dict[int, str], *, year: int = 2020, region: str = "tdmnpb"
) -> Assessment:
    """An assessment of `commune` on QĐ 1980 where the criteria in `gaps` have the given status, others met."""
    load_all()
    cset = CriteriaSet.objects.get(code="qd1980")
    criteria = list(Criterion.objects.filter(criteria_set=cset))
    a = Assessment.objects.create(
        commune=commune,
        year=year,
        criteria_set=cset,
        assessed_on=date(year, 12, 31),
        region=region,
        criteria_met=len(criteria) - len(gaps),
        criteria_total=len(criteria),
    )
    CriterionResult.objects.bulk_create(
        [
            CriterionResult(
                assessment=a,
                criterion=c,
                computed_status=gaps.get(c.number, Status.MET),
                status=gaps.get(c.number, Status.MET),
            )
            for c in criteria
        ]
    )
    return a


def small_province(province: UnitVersion) -> list[UnitVersion]:
    """Six communes: one at standard, others missing 1-5 criteria (qd1980 costs × 1,25 in region tdmnpb)."""
    load_costs()
    xs = communes(province, 6)
    plans: list[dict[int, str]] = [
        {},
        {8: Status.NOT_MET},  # 500 tr × 1,25 = 625 tr
        {2: Status.NOT_MET, 3: Status.NOT_MET},  # 10.000 + 3.750
        {17: Status.NOT_MET, 18: Status.BASIC},  # 3.125 + 100 (cơ bản đạt × 0,4)
        {1: Status.NOT_MET, 16: Status.NOT_MET, 19: Status.NOT_MET},  # 375 + 500 + 188
        {5: Status.NOT_MET, 9: Status.NOT_MET, 10: Status.NOT_MET, 11: Status.NOT_MET, 12: Status.NOT_MET},
    ]
    for unit, gaps in zip(xs, plans, strict=True):
        assess(unit, gaps)
    return xs


def make_scenario(province: UnitVersion, *, name: str, **kw: Any) -> Scenario:
    fields: dict[str, Any] = {"as_of": ON, "budget": 1_000_000_000, "result": {}}
    fields.update(kw)
    return Scenario.objects.create(province=province, name=name, **fields)


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of planning and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    urls: list[str] = []
    for province, marker in guard_provinces(world):
        commune = communes(province, 1)[0]
        result = {
            "side_by_side": [],
            "communes": [
                {
                    "id": commune.pk,
                    "code": commune.code,
                    "name": commune.name,
                    "area_name": marker,
                    "met": 18,
                    "total": 19,
                    "flag_labels": [],
                    "cost_to_standard": 0,
                    "weight": 1,
                    "funded_amount": 0,
                    "reaches": False,
                    "already": False,
                    "explanation": marker,
                    "gaps": [],
                }
            ],
            "notes": [marker],
        }
        s = make_scenario(province, name=f"Kịch bản {marker}", note=marker, result=result)
        if marker == "GUARD-ĐB":
            urls += [
                reverse("planning:scenario", args=[s.pk]),
                reverse("planning:chart", args=[s.pk]),
                reverse("planning:export", args=[s.pk]),
                reverse("planning:commune", args=[s.pk, commune.pk]),
            ]
    return urls
