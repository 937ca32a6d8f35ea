"""Completeness and timeliness per period and level, set-based (one query for units, one for reports)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mtqg.core.scoping import ALL, path_q, view_prefixes
from mtqg.geo.models import UnitVersion

from .approvers import approver_levels, can_decide
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
    return not can_decide(user, report)


def year_matrix(user: Any, report_type: ReportType, year: int) -> dict[str, Any]:
    """Provinces × the type's periods of a year: expected, on time, late, missing in each cell.

    Aggregated in the database: paths are fixed-width zero-padded ids, so the province is a path prefix of fixed
    length; reports are counted per (province prefix, period, state) with the state computed in SQL from the
    report's stored deadline. Units are read once (validity decides which periods they are expected in)."""
    periods = [p for p in ReportingPeriod.objects.filter(year=year) if report_type.expects(p)]
    if not periods:
        return {"periods": [], "rows": [], "total": []}
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    scope = path_q("path", _prefixes(user))
    provinces = {
        path: (code, name)
        for path, code, name in UnitVersion.objects.filter(level=1)
        .filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )
        .values_list("path", "code", "name")
    }
    plen = len(next(iter(provinces))) if provinces else 0
    if any(len(p) != plen for p in provinces):  # not fixed-width: fall back to the first two segments
        plen = 0
    index = {p.pk: i for i, p in enumerate(periods)}
    keys = ("expected", "on_time", "late", "missing")
    by_province: dict[str, list[dict[str, int]]] = {}

    def cells_of(prov: str) -> list[dict[str, int]]:
        cells = by_province.get(prov)
        if cells is None:
            cells = by_province[prov] = [dict.fromkeys(keys, 0) for _ in periods]
        return cells

    def province_of(path: str) -> str:
        return path[:plen] if plen else "/".join(path.split("/")[:2]) + "/"

    units = (
        UnitVersion.objects.filter(level=report_type.reporting_level)
        .filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )
        .filter(scope)
        .values_list("path", "valid_from", "valid_to")
    )
    first_end, last_end = periods[0].end, periods[-1].end
    whole_year: dict[str, int] = {}
    for path, vfrom, vto in units:
        prov = province_of(path)
        if (vfrom is None or vfrom <= first_end) and (vto is None or vto >= last_end):
            whole_year[prov] = whole_year.get(prov, 0) + 1  # expected in every period: counted once below
            continue
        cells = cells_of(prov)
        for i, period in enumerate(periods):
            if (vfrom is None or vfrom <= period.end) and (vto is None or vto >= period.end):
                cells[i]["expected"] += 1
    for prov, count in whole_year.items():
        for cell in cells_of(prov):
            cell["expected"] += count
    # late = submitted on a day after the period's deadline (UTC dates, as in completeness()); one plain datetime
    # comparison per period keeps it in SQL without date functions
    late = [
        When(
            period_id=p.pk,
            submitted_at__gte=datetime.combine(dl + timedelta(days=1), time(0), tzinfo=UTC),
            then=Value("late"),
        )
        for p in periods
        if (dl := report_type.deadline_for(p)) is not None
    ]
    state = Case(
        When(Q(submitted_at__isnull=True) | Q(status=Report.Status.DRAFT), then=Value("missing")),
        *late,
        default=Value("on_time"),
        output_field=CharField(),
    )
    reports = (
        Report.objects.filter(report_type=report_type, period__in=periods)
        .filter(path_q("unit__path", _prefixes(user)))
        .annotate(state=state)
    )
    if plen:
        grouped = (
            reports.annotate(prov=Substr("unit__path", 1, plen))
            .values_list("prov", "period_id", "state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for prov, pid, st, n in grouped:
            if st != "missing":  # missing = expected - submitted (units without a report have no row)
                cells_of(prov)[index[pid]][st] += n
    else:
        for path, pid, st in reports.values_list("unit__path", "period_id", "state"):
            if st != "missing":
                cells_of(province_of(path))[index[pid]][st] += 1
    for cells in by_province.values():
        for c in cells:
            c["missing"] = max(c["expected"] - c["on_time"] - c["late"], 0)
    rows: list[dict[str, Any]] = [
        {"code": provinces.get(p, ("", p))[0], "name": provinces.get(p, ("", p))[1], "cells": cells}
        for p, cells in sorted(by_province.items(), key=lambda kv: provinces.get(kv[0], ("", ""))[0])
    ]
    total = [{k: sum(r["cells"][i][k] for r in rows) for k in keys} for i in range(len(periods))]
    return {"periods": periods, "rows": rows, "total": total}


DECISION_LABELS = {
    "submit": _l("Nộp báo cáo"),
    "approve": _l("Duyệt"),
    "forward": _l("Duyệt, chuyển lên cấp trên"),
    "return": _l("Trả lại"),
    "reopen": _l("Mở lại"),
}


def _decision_state(status: str, pending: int | None) -> str:
    label = str(Report.Status(status).label) if status in Report.Status.values else status
    if status == Report.Status.SUBMITTED and pending is not None:
        return _("%(s)s, chờ cấp %(l)s duyệt") % {
            "s": label,
            "l": str(UnitVersion.Level(pending).label).lower(),
        }
    return label


def decision_log(report: Report) -> list[dict[str, Any]]:
    """The report's decision log in words: 'Duyệt, chuyển lên cấp trên (Đã nộp, chờ cấp tỉnh duyệt → Đã nộp, chờ
    cấp quốc gia duyệt)'. The pending level before and after each step is rebuilt from the type's approval chain,
    so a forward inside the chain reads as a forward, not 'approve (submitted → submitted)'."""
    levels = approver_levels(report.report_type)
    rows, pending = [], None
    for d in report.decisions.select_related("actor"):
        before = pending
        if d.action == "submit":
            pending = levels[0]
        elif d.action == "approve" and d.to_status == Report.Status.SUBMITTED:
            before = d.level if d.level is not None else before
            lower = [lvl for lvl in levels if before is not None and lvl < before]
            pending = lower[0] if lower else None
        else:
            before = d.level if d.level is not None and d.from_status == Report.Status.SUBMITTED else before
            pending = None
        action = "forward" if d.action == "approve" and d.to_status == Report.Status.SUBMITTED else d.action
        rows.append(
            {
                "at": d.at,
                "actor": d.actor,
                "action": str(DECISION_LABELS.get(action, d.action)),
                "from": _decision_state(d.from_status, before),
                "to": _decision_state(d.to_status, pending),
                "level": str(UnitVersion.Level(d.level).label) if d.level is not None else "",
                "reason": d.reason,
            }
        )
    return rows
