"""Catalog reports of the workflow app: completeness/timeliness of a unit's year and batch validation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mtqg.reports.params import ReportParams

from .models import ReportingPeriod, ReportType
from .selectors import completeness
from .validation import validate_batch


def completeness_report(user: Any, params: ReportParams) -> dict[str, Any]:
    """Per report type and period of the year: expected, on time, late, missing (units under params.unit)."""
    year = params.year or timezone.localdate().year
    periods = list(ReportingPeriod.objects.filter(year=year))
    out = []
    for rt in ReportType.objects.all():
        for period in periods:
            if not rt.expects(period):
                continue
            data = completeness(user, rt, period, params.unit)
            deadline = data["deadline"]
            out.append(
                {
                    "report_type": rt.code,
                    "period": period.code,
                    "deadline": deadline.isoformat() if deadline else None,
                    "expected": data["expected"],
                    **data["counts"],
                }
            )
    return {"unit": params.unit.code, "unit_name": params.unit.name, "year": year, "rows": out}


def validation_report(user: Any, params: ReportParams) -> dict[str, Any]:
    """Batch validation (rules and outliers) of every report type for the unit's year."""
    year = params.year or timezone.localdate().year
    return {
        "unit": params.unit.code,
        "year": year,
        "types": [validate_batch(user, rt, params.unit, year) for rt in ReportType.objects.all()],
    }
