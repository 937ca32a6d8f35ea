"""Workflow notifications through mtqg.notifications: who hears about which transition, and deadline reminders.

- submitted / forwarded → the users who decide at the pending level (an edit assignment on that very unit);
- returned / approved / reopened → the reporting unit's entry users and the submitter.
Called after commit by the services, so a rolled-back transition notifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.accounts.models import Assignment
from mtqg.geo.models import UnitVersion
from mtqg.notifications.recipients import users_covering
from mtqg.notifications.reminders import Reminder
from mtqg.notifications.services import notification_send

from .approvers import approver_path, decides_at
from .models import Report, ReportingPeriod, ReportType

REMIND_DAYS_BEFORE = 5  # approaching = deadline within this many days (decision 0502)


def deciders(report: Report) -> list[Any]:
    if report.pending_level is None:
        return []
    path = approver_path(report, report.pending_level)
    return [u for u in users_covering(path, access=Assignment.Access.ENTRY) if decides_at(u, path)]


def reporters(report: Report) -> list[Any]:
    users = users_covering(report.unit.path, roles=[Assignment.Role.COMMUNE], access=Assignment.Access.ENTRY)
    if report.submitted_by is not None and report.submitted_by not in users:
        users.append(report.submitted_by)
    return users


def report_event(report_id: int, event: str) -> None:
    report = Report.objects.select_related("unit", "period", "report_type", "submitted_by").get(pk=report_id)
    what = {"report": report.report_type.name, "unit": report.unit.name, "period": report.period.label}
    if event in ("submitted", "forwarded"):
        recipients = deciders(report)
        category = "workflow.submitted"
        title = _("Báo cáo chờ duyệt: %(unit)s — %(period)s") % what
    elif event == "returned":
        recipients, category = reporters(report), "workflow.returned"
        title = _("Báo cáo bị trả lại: %(unit)s — %(period)s") % what
    elif event == "approved":
        recipients, category = reporters(report), "workflow.approved"
        title = _("Báo cáo đã được duyệt: %(unit)s — %(period)s") % what
    else:
        recipients, category = reporters(report), "workflow.returned"
        title = _("Báo cáo được mở lại để sửa: %(unit)s — %(period)s") % what
    body = f"{what['report']}. " + (_("Lý do: %(r)s") % {"r": report.reason} if report.reason else "")
    notification_send(
        recipients=recipients,
        category=category,
        title=title,
        body=body.strip(),
        url=reverse("workflow:report", args=[report.pk]),
        key=f"workflow:{report.pk}:{event}:{report.version}",
    )


def due(today: date) -> Iterable[Reminder]:
    """Reminders for reports due within REMIND_DAYS_BEFORE days (approaching) or past due (overdue) and not yet
    submitted, for the entry users of each reporting unit; one per unit, report type, period and state."""
    periods = list(
        ReportingPeriod.objects.filter(
            end__lte=today + timedelta(days=62), end__gte=today - timedelta(days=400)
        )
    )
    for rt in ReportType.objects.all():
        for period in periods:
            deadline = rt.deadline_for(period)
            if deadline is None:
                continue
            days = (deadline - today).days
            if days > REMIND_DAYS_BEFORE or days < -60:
                continue
            state = "approaching" if days >= 0 else "overdue"
            done = set(
                Report.objects.filter(report_type=rt, period=period)
                .exclude(status__in=[Report.Status.DRAFT, Report.Status.RETURNED])
                .values_list("unit_id", flat=True)
            )
            units = _reporting_units(rt, period)
            users_by_unit = _entry_users(units)
            for unit_id, (code, name, _path) in units.items():
                if unit_id in done or not users_by_unit.get(unit_id):
                    continue
                what = {"report": rt.name, "period": period.label, "deadline": deadline.strftime("%d/%m/%Y")}
                title = (
                    _("Sắp đến hạn nộp %(report)s — %(period)s (hạn %(deadline)s)")
                    if state == "approaching"
                    else _("Quá hạn nộp %(report)s — %(period)s (hạn %(deadline)s)")
                ) % what
                yield Reminder(
                    recipients=users_by_unit[unit_id],
                    category=f"workflow.{state}",
                    title=title,
                    body=name,
                    url=reverse("workflow:index") + f"?type={rt.code}&period={period.code}",
                    key=f"workflow:{rt.code}:{period.code}:{code}:{state}",
                )


def _reporting_units(rt: ReportType, period: ReportingPeriod) -> dict[int, tuple[str, str, str]]:
    return {
        pk: (code, name, path)
        for pk, code, name, path in UnitVersion.objects.as_of(period.end)
        .filter(level=rt.reporting_level, pk__in=_assigned_unit_ids())
        .values_list("pk", "code", "name", "path")
    }


def _assigned_unit_ids() -> list[int]:
    return list(
        Assignment.objects.filter(
            role=Assignment.Role.COMMUNE, access=Assignment.Access.ENTRY, user__is_active=True
        )
        .values_list("unit_id", flat=True)
        .distinct()
    )


def _entry_users(units: dict[int, tuple[str, str, str]]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for unit_id, (_code, _name, path) in units.items():
        out[unit_id] = users_covering(path, roles=[Assignment.Role.COMMUNE], access=Assignment.Access.ENTRY)
    return out
