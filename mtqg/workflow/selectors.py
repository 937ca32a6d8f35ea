"""Completeness and timeliness per period and level, set-based (one query for units, one for reports)."""

from __future__ import annotations

from typing import Any

from mtqg.accounts.scoping import ALL, path_q, view_prefixes
from mtqg.geo.models import UnitVersion

from .models import Report, ReportingPeriod, ReportType


def _prefixes(user: Any) -> tuple[str, ...]:
    """user=None is the command line (system scope), as for every catalog report."""
    return ALL if user is None else view_prefixes(user)


def completeness(
    user: Any, report_type: ReportType, period: ReportingPeriod, within: UnitVersion
) -> dict[str, Any]:
    deadline = report_type.deadline_for(period)
    units = list(
        UnitVersion.objects.as_of(period.end)
        .filter(level=report_type.reporting_level, path__startswith=within.path)
        .filter(path_q("path", _prefixes(user)))
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
        state = _state(status, at, deadline)
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


def national_completeness(user: Any, report_type: ReportType, period: ReportingPeriod) -> dict[str, Any]:
    """Per province: expected, on time, late, missing for one report type and period (set-based: two queries for
    units and reports, one for province names)."""
    deadline = report_type.deadline_for(period)
    units = list(
        UnitVersion.objects.as_of(period.end)
        .filter(level=report_type.reporting_level)
        .filter(path_q("path", _prefixes(user)))
        .values_list("pk", "path")
    )
    reports = {
        uid: (status, at)
        for uid, status, at in Report.objects.filter(report_type=report_type, period=period).values_list(
            "unit_id", "status", "submitted_at"
        )
    }
    by_province: dict[str, dict[str, int]] = {}
    for uid, path in units:
        prov = "/".join(path.split("/")[:2]) + "/"
        counts = by_province.setdefault(
            prov, {"expected": 0, "on_time": 0, "late": 0, "missing": 0, "approved": 0}
        )
        counts["expected"] += 1
        status, at = reports.get(uid, (None, None))
        counts[_state(status, at, deadline)] += 1
        counts["approved"] += int(status == Report.Status.APPROVED)
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for path, code, name in UnitVersion.objects.filter(path__in=list(by_province)).values_list(
        "path", "code", "name"
    ):
        names[path], codes[path] = name, code
    rows: list[dict[str, Any]] = [
        {"path": p, "code": codes.get(p, ""), "name": names.get(p, p), **c}
        for p, c in sorted(by_province.items(), key=lambda kv: codes.get(kv[0], ""))
    ]
    total = {k: sum(int(r[k]) for r in rows) for k in ("expected", "on_time", "late", "missing", "approved")}
    return {"deadline": deadline, "rows": rows, "total": total}


def _state(status: str | None, at: Any, deadline: Any) -> str:
    if at is None or status in (None, Report.Status.DRAFT):
        return "missing"
    if deadline is not None and at.date() > deadline:
        return "late"
    return "on_time"


def values_hidden(user: Any, report: Report) -> bool:
    """With the type's `hide_unapproved` option, an unapproved report's values are hidden from upper levels: only
    the reporting unit's own users and the users deciding at the pending level see them."""
    if not report.report_type.hide_unapproved or report.status == Report.Status.APPROVED:
        return False
    if report.unit.path in view_prefixes(user) or "" in view_prefixes(user):
        return False
    from .services import can_decide

    return not can_decide(user, report)
