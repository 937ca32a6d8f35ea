"""Plain helpers that make ntm rows for tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mtqg.geo.models import UnitVersion
from mtqg.ntm import services
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import (
    Assessment,
    ContextIndicator,
    CriteriaSet,
    Recognition,
    RecognitionTier,
    Scheme,
    TierTarget,
)
from mtqg.testing import World, guard_provinces


def commune(province: UnitVersion, index: int = 0) -> UnitVersion:
    """A commune (kind xã) of a province, valid at the province's structure, by position in code order."""
    qs = UnitVersion.objects.filter(
        path__startswith=province.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
    ).order_by("code")
    return qs[index]


def all_pass_1980() -> dict[str, Any]:
    """Values meeting every QĐ 1980 indicator for a TDMNPB commune."""
    cset = CriteriaSet.objects.get(code="qd1980")
    values: dict[str, Any] = {}
    for ind in cset.criteria.all().values_list("indicators__code", "indicators__value_type"):
        code, kind = ind
        values[code] = {"bool": "đạt", "count": 0}.get(kind, 100)
    values["10"] = 40
    values["11"] = 5
    values["15.3"] = 10
    return values


def assessed(
    commune_unit: UnitVersion,
    year: int,
    code: str = "qd1980",
    values: dict[str, Any] | None = None,
    actor: Any = None,
) -> Assessment:
    cset = CriteriaSet.objects.get(code=code)
    a = services.assessment_create(actor=actor, commune=commune_unit, year=year, criteria_set=cset)
    if values:
        a = services.indicator_values_set(actor=actor, assessment=a, values=values)
    return a


def recognise(
    commune_unit: UnitVersion,
    on: date,
    tier: str = RecognitionTier.STANDARD,
    *,
    decision_no: str = "1/QĐ-UBND",
    standard_year: int | None = None,
    note: str = "",
) -> Recognition:
    """A recognition decision of `on` (met the standard in `standard_year`, by default the decision's year)."""
    return Recognition.objects.create(
        commune=commune_unit,
        tier=tier,
        decision_no=decision_no,
        decision_date=on,
        standard_year=standard_year or on.year,
        note=note,
    )


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of ntm and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    load_all()
    urls = []
    for province, marker in guard_provinces(world):
        unit = commune(province, 3)
        a = assessed(unit, 2019, values=all_pass_1980())
        a.note = marker
        a.save(update_fields=["note"])
        services.criterion_override_set(
            actor=None,
            assessment=a,
            criterion=a.criteria_set.criteria.get(number=1),
            status="chua_dat",
            reason=marker,
        )
        rec = recognise(unit, date(2020, 1, 1), standard_year=2019, note=marker)
        digital = services.digital_infrastructure_set(
            actor=None, unit=unit, year=2023, has_radio=False, mobile_signal="none", note=marker
        )
        value = a.values.order_by("pk").first()
        if value is not None:
            services.indicator_value_evidence_set(
                actor=None, value=value, upload=SimpleUploadedFile("m.pdf", b"%PDF-1.4\n" + marker.encode())
            )
        if marker == "GUARD-ĐB":
            urls.append(reverse("ntm:scorecard", args=[a.pk]))
            urls.append(reverse("ntm:export") + f"?unit={province.pk}")
            urls.append(reverse("ntm:programme") + f"?unit={province.pk}&year=2020")
            urls.append(reverse("ntm:digital") + f"?unit={province.pk}&year=2023")
            urls.append(f"/api/v1/ntm/assessments/{a.pk}/")
            urls.append(f"/api/v1/ntm/recognitions/{rec.pk}/")
            urls.append(f"/api/v1/ntm/digital-infrastructure/{digital.pk}/")
            if value is not None:
                urls.append(reverse("ntm:evidence", args=[value.pk]))
                urls.append(f"/api/v1/ntm/indicator-values/{value.pk}/")
        TierTarget.objects.create(  # programme rows (issue 22 part 11)
            province=province,
            commune=unit,
            tier=RecognitionTier.MODEL,
            period_start=2016,
            period_end=2020,
            citation=marker,
            note=marker,
        )
        ContextIndicator.objects.create(
            unit=province, code="grdp", label=marker, value=1, unit_label="x", year=2020, source=marker
        )
    if not Scheme.objects.exists():
        load_all(force=True)
    return urls
