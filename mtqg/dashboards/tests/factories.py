"""Small, fast sample data for the dashboards' tests: a few NTM assessments/recognitions and poverty reviews in
Điện Biên (pre-2025), the finance demo (Cao Bằng 2022-2023) and the supervision demo; then the summary facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from mtqg.finance import demo as finance_demo
from mtqg.geo.models import UnitVersion
from mtqg.ntm.models import Assessment, CriteriaSet, Recognition, RecognitionTier
from mtqg.poverty.models import Household, PovertyClass
from mtqg.poverty.standards import load_standards, standard_for
from mtqg.poverty.tests.factories import classed_review
from mtqg.supervision import demo as supervision_demo
from mtqg.testing import World

from ..models import SummaryFact
from ..services import summaries_rebuild

DB_MET = [19, 19, 17, 15, 12, 9, 19, 14, 4, 10]  # criteria met by the first ten xã of Điện Biên (2019)


def xa(province: UnitVersion, n: int) -> list[UnitVersion]:
    return list(
        UnitVersion.objects.filter(
            path__startswith=province.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
        ).order_by("code")[:n]
    )


def criteria_set() -> CriteriaSet:
    """The one test criteria set the dashboards' rows are assessed against."""
    cset, _created = CriteriaSet.objects.get_or_create(
        code="dash-test",
        defaults={
            "name": "Bộ tiêu chí thử",
            "tier": CriteriaSet.SetTier.STANDARD,
            "valid_from": date(2016, 1, 1),
        },
    )
    return cset


def ntm_rows(province: UnitVersion, met: list[int] | None = None) -> list[UnitVersion]:
    """Assessments (2019) and recognitions (2020) on the first xã of a pre-2025 province, straight in the tables."""

    cset = criteria_set()
    met = met or DB_MET
    communes = xa(province, len(met))
    Assessment.objects.bulk_create(
        Assessment(
            commune=c,
            year=2019,
            criteria_set=cset,
            assessed_on=date(2019, 10, 1),
            criteria_met=m,
            criteria_total=19,
        )
        for c, m in zip(communes, met, strict=True)
    )
    tiers = [
        RecognitionTier.STANDARD,
        RecognitionTier.STANDARD,
        RecognitionTier.BASIC,
        RecognitionTier.ADVANCED,
    ]
    Recognition.objects.bulk_create(
        Recognition(
            commune=c,
            tier=t,
            decision_no=f"{i}/QĐ-UBND",
            decision_date=date(2020, 3, 1),
            standard_year=2019,
        )
        for i, (c, t) in enumerate(zip(communes, tiers, strict=False))
    )
    return communes


def poverty_rows(province: UnitVersion) -> None:
    """2019 and 2020 reviews: 20 households per commune on 3 communes, poor falling from 8 to 6 per commune."""

    load_standards()
    standards = {y: standard_for(y) for y in (2019, 2020)}
    for ci, c in enumerate(xa(province, 3)):
        for h in range(20):
            hh = Household.objects.create(
                code=f"dash-{province.code}-{ci}-{h}",
                commune=c,
                head_name="Hộ thử",
                ethnicity="Thái" if h % 2 else "Mông",
                area="rural",
            )
            for year, poor in ((2019, 8), (2020, 6)):
                cls = (
                    PovertyClass.POOR
                    if h < poor
                    else (PovertyClass.NEAR_POOR if h < 12 else PovertyClass.NONE)
                )
                classed_review(hh, year, cls, standards[year])


def dien_bien_facts(world: World) -> World:
    """Điện Biên's NTM and poverty rows on its pre-2025 communes, summaries rebuilt over today's province."""
    ntm_rows(world.dien_bien_old)
    poverty_rows(world.dien_bien_old)
    summaries_rebuild(unit=world.dien_bien)
    return world


def sample(world: World) -> None:
    ntm_rows(world.dien_bien_old)
    poverty_rows(world.dien_bien_old)
    finance_demo.seed()
    supervision_demo.seed()
    summaries_rebuild(unit=world.dien_bien)
    summaries_rebuild(unit=world.cao_bang)


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of dashboards and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""

    ntm_rows(world.dien_bien_old, [19, 12])
    ntm_rows(world.cao_bang_old, [15])
    summaries_rebuild(unit=world.dien_bien)
    summaries_rebuild(unit=world.cao_bang)
    fact: Any = SummaryFact.objects.filter(unit__path__startswith=world.dien_bien_old.path).first()
    return [
        f"/dashboards/{world.dien_bien.pk}/",
        f"/dashboards/{world.dien_bien_old.pk}/?year=2020",
        f"/dashboards/{world.dien_bien_old.pk}/xlsx/ntm_tiers/?year=2020",
        f"/dashboards/{world.dien_bien_old.pk}/xlsx/units/?year=2020",
        f"/api/v1/dashboards/facts/{fact.pk}/",
        f"/api/v1/dashboards/dashboard/?unit_id={world.dien_bien_old.pk}&year=2020",
    ]
