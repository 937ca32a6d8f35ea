"""Who decides a report: the approval chain's levels and the users deciding at a level (rules read from the
report type's data)."""

from __future__ import annotations

from typing import Any

from mtqg.core.scoping import edit_prefixes
from mtqg.geo.models import UnitVersion

from .models import Report, ReportType

S = Report.Status


def approver_levels(report_type: ReportType) -> list[int]:
    """Levels that decide after the reporting level, from the type's approval chain (data), e.g. [1, 0]."""
    chain = [int(x) for x in report_type.approval_chain or []]
    levels = [lvl for lvl in chain if lvl < report_type.reporting_level]
    return levels or [max(report_type.reporting_level - 1, 0)]


def ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def approver_path(report: Report, level: int | None = None) -> str:
    """Path of the unit that decides at `level` (default: the first approver level); the ancestor of the report's
    unit at that level, or the nearest ancestor above it when the structure skips it (no districts after 2025)."""
    if level is None:
        level = approver_levels(report.report_type)[0]
    rows = sorted(
        UnitVersion.objects.filter(path__in=ancestor_paths(report.unit.path), level__lte=level).values_list(
            "level", "path"
        ),
        reverse=True,
    )
    return rows[0][1] if rows else ""


def can_decide(actor: Any, report: Report) -> bool:
    """May `actor` approve/return this submitted report at its pending level (scope only, not duties)?"""
    if report.status != S.SUBMITTED or report.pending_level is None:
        return False
    return decides_at(actor, approver_path(report, report.pending_level))


def decides_at(actor: Any, path: str) -> bool:
    """Decisions belong to the level itself: an edit assignment on that very unit (or a system administrator),
    not merely a scope covering it — the central level cannot take the province's place in the chain."""
    prefixes = edit_prefixes(actor)
    return "" in prefixes or (bool(path) and path in prefixes)
