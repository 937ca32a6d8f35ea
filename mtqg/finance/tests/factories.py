"""Plain helpers that make finance rows for tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse

from mtqg.finance.loader import load_programs
from mtqg.finance.models import (
    AlertNote,
    Allocation,
    CapitalPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    InvestorLevel,
    Program,
    Source,
    Work,
    WorkPhoto,
    WorkProgress,
)
from mtqg.geo.models import UnitVersion
from mtqg.testing import World, guard_provinces

_seq = [0]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ensure_programs() -> None:
    if not Program.objects.exists():
        load_programs()


def commune_of(province: UnitVersion) -> UnitVersion:
    return UnitVersion.objects.filter(path__startswith=province.path, level=3).order_by("code").first()  # type: ignore[return-value]


def make_work(
    commune: UnitVersion,
    *,
    program: str = "GNBV.DA1.TDA1",
    size: int = 500_000_000,
    year: int = 2023,
    name: str = "Đường bê tông",
    **extra: object,
) -> Work:
    ensure_programs()
    _seq[0] += 1
    return Work.objects.create(
        code=f"T-{_seq[0]:05d}",
        name=name,
        kind=extra.pop("kind", Work.Kind.INFRASTRUCTURE),
        program=Program.objects.get(code=program),
        commune=commune,
        investor_level=InvestorLevel.COMMUNE,
        year=year,
        total_investment=Decimal(size),
        status=extra.pop("status", Work.Status.UNDER_CONSTRUCTION),
        planned_end=extra.pop("planned_end", date(year, 11, 30)),
        **extra,  # type: ignore[arg-type]
    )


def make_allocation(
    work: Work,
    amount: int,
    *,
    year: int = 2023,
    source: str = Source.CENTRAL_INVESTMENT,
    carry_over: bool = False,
) -> Allocation:
    return Allocation.objects.create(
        unit=work.commune,
        work=work,
        program=work.program,
        year=year,
        source=source,
        carry_over=carry_over,
        investor_level=work.investor_level,
        amount=Decimal(amount),
    )


def make_initial_plan(province: UnitVersion, work: Work, amount: int, **fields: Any) -> CapitalPlan:
    """The province's initial 2023 plan of central investment capital for the work's programme."""
    return CapitalPlan.objects.create(
        unit=province,
        program=work.program,
        year=2023,
        source=Source.CENTRAL_INVESTMENT,
        vintage=CapitalPlan.Vintage.INITIAL,
        amount=Decimal(amount),
        **fields,
    )


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of finance and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    ensure_programs()
    urls: list[str] = []
    indicator = Indicator.objects.get(code="DTTS.NUOC_PT")
    for province, marker in guard_provinces(world):
        commune = commune_of(province)
        work = make_work(commune, name=f"Công trình {marker}", description=marker)
        progress = WorkProgress.objects.create(
            work=work, reported_on=date(2023, 6, 30), percent=40, note=marker
        )
        alloc = make_allocation(work, 100_000_000)
        alloc.decision_ref = marker
        alloc.save()
        payment = Disbursement.objects.create(
            allocation=alloc, paid_on=date(2023, 5, 5), amount=Decimal(10_000_000), reference=marker
        )
        plan = make_initial_plan(province, work, 200_000_000, note=marker)
        target = IndicatorTarget.objects.create(
            indicator=indicator, unit=province, year=2023, target=Decimal(10), source_ref=marker
        )
        value = IndicatorValue.objects.create(
            indicator=indicator, unit=commune, year=2023, value=Decimal(4), note=marker
        )
        AlertNote.objects.create(unit=province, key="scattered", year=2023, cause=marker)
        photo = WorkPhoto(work=work, content_type="image/png", size=len(PNG), caption=marker)
        photo.image.save("guard.png", ContentFile(PNG), save=True)
        if marker == "GUARD-ĐB":
            urls += [
                reverse("finance:work", args=[work.pk]),
                reverse("finance:disburse", args=[work.pk]),
                reverse("finance:photo", args=[photo.pk]),
                f"/api/v1/finance/works/{work.pk}/",
                f"/api/v1/finance/work-progress/{progress.pk}/",
                f"/api/v1/finance/allocations/{alloc.pk}/",
                f"/api/v1/finance/disbursements/{payment.pk}/",
                f"/api/v1/finance/capital-plans/{plan.pk}/",
                f"/api/v1/finance/indicator-targets/{target.pk}/",
                f"/api/v1/finance/indicator-values/{value.pk}/",
            ]
    return urls
