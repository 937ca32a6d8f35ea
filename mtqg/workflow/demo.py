"""Demo data for workflow, called by `manage.py seed_demo`: calendars for 2025-2026 and, for Điện Biên and Cao Bằng
(2025-structure communes), the quarterly NTM progress reports of 2026 Q1-Q3 in mixed states (approved, submitted,
returned, late, missing), each with its decision-log rows."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from mtqg.geo.models import UnitVersion

from .calendar import load_calendars
from .models import Report, ReportDecision, ReportingPeriod, ReportType, ReportValue

STATES = ["approved"] * 5 + ["submitted"] * 2 + ["returned", "late", "missing"]


@transaction.atomic
def seed() -> None:
    """Deterministic (fixed seed) and idempotent (skips when demo reports exist)."""
    load_calendars([2025, 2026])
    rt = ReportType.objects.get(code="ntm_tien_do_quy")
    if Report.objects.filter(report_type=rt).exists():
        return
    rng = random.Random(7)
    periods = [
        p for p in ReportingPeriod.objects.filter(year=2026, end__lt=date(2026, 10, 1)) if rt.expects(p)
    ]
    communes = UnitVersion.objects.filter(structure="2025", level=3, parent__code__in=["11", "04"]).order_by(
        "code"
    )
    reports, rows = [], []
    for unit in communes:
        for period in periods:
            state = rng.choice(STATES)
            if state == "missing":
                continue
            deadline = rt.deadline_for(period)
            assert deadline is not None
            late = state == "late"
            at = datetime(deadline.year, deadline.month, deadline.day, 9, tzinfo=UTC) + timedelta(
                days=rng.randint(1, 20) if late else -rng.randint(0, 10)
            )
            status = {"late": "submitted"}.get(state, state)
            report = Report(
                report_type=rt,
                unit=unit,
                period=period,
                status=status,
                deadline=deadline,
                submitted_at=at,
                reason="Thiếu minh chứng tiêu chí" if status == "returned" else "",
            )
            reports.append(report)
            met = rng.randint(8, 19)
            rows.append((report, met, rng.randint(1_000, 9_000) * 1_000_000))
    Report.objects.bulk_create(reports)
    values, decisions = [], []
    for report, met, plan in rows:
        values += [
            ReportValue(report=report, code="so_tieu_chi_dat", value=met),
            ReportValue(report=report, code="so_tieu_chi_bo", value=19),
            ReportValue(report=report, code="von_ke_hoach", value=plan),
            ReportValue(report=report, code="von_giai_ngan", value=plan * rng.randint(30, 100) // 100),
        ]
        decisions.append(
            ReportDecision(report=report, action="submit", from_status="draft", to_status="submitted")
        )
        if report.status in ("approved", "returned"):
            decisions.append(
                ReportDecision(
                    report=report,
                    action="approve" if report.status == "approved" else "return",
                    from_status="submitted",
                    to_status=report.status,
                    reason=report.reason,
                )
            )
    ReportValue.objects.bulk_create(values)
    ReportDecision.objects.bulk_create(decisions)
