"""Completeness and timeliness per period and level, set-based (one query for units, one for reports)."""

from __future__ import annotations

from typing import Any

from mtqg.accounts.scoping import path_q, view_prefixes
from mtqg.geo.models import UnitVersion

from .models import Report, ReportingPeriod, ReportType


def completeness(
    user: Any, report_type: ReportType, period: ReportingPeriod, within: UnitVersion
) -> dict[str, Any]:
    deadline = report_type.deadline_for(period)
    units = list(
        UnitVersion.objects.as_of(period.end)
        .filter(level=report_type.reporting_level, path__startswith=within.path)
        .filter(path_q("path", view_prefixes(user)))
        .order_by("code")
        .values_list("pk", "code", "name")
    )
    reports = {
        uid: (pk, status, at)
        for pk, uid, status, at in Report.objects.filter(
            report_type=report_type, period=period, unit__path__startswith=within.path
        ).values_list("pk", "unit_id", "status", "submitted_at")
    }
    rows = []
    counts = {"on_time": 0, "late": 0, "missing": 0}
    for uid, code, name in units:
        pk, status, at = reports.get(uid, (None, None, None))
        if at is None or status in (None, Report.Status.DRAFT):
            state = "missing"
        elif deadline is not None and at.date() > deadline:
            state = "late"
        else:
            state = "on_time"
        counts[state] += 1
        rows.append(
            {
                "code": code,
                "name": name,
                "report": pk,
                "status": status or "",
                "state": state,
                "submitted_at": at,
            }
        )
    return {"deadline": deadline, "rows": rows, "counts": counts, "expected": len(units)}
