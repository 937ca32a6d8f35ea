"""Demo data for workflow, called by `manage.py seed_demo`: calendars for 2025-2026 and, for every 2025-structure
commune of Điện Biên and Cao Bằng, a full year 2026 of reports in mixed states:

- NTM quarterly progress Q1-Q4 (ntm_tien_do_quy) and
- the poverty program's 6-month and annual reports H1 and Y (gnbv_6thang_nam).

States are drawn with a fixed seed relative to DEMO_TODAY (20/11/2026): periods already due are approved,
submitted (waiting for the province or the central level), returned with a reason, late or missing; periods not yet
due (Q4, the annual) are drafts, early submissions or not started. Mường Phăng (03325) keeps its Q4 report as a
draft and has no annual report yet, so the demo users xa.muongphang → dienbien → trunguong can walk one report from
draft to approved. A few deliberate outliers (a quarter's disbursement ten times the usual) feed the validation
screen. Idempotent per (report type, period): a batch that exists is skipped.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mtqg.geo.models import UnitVersion

from .calendar import load_calendars
from .models import Report, ReportDecision, ReportingPeriod, ReportType, ReportValue

DEMO_TODAY = date(2026, 11, 20)
WALKTHROUGH_COMMUNE = "03325"
BATCHES = [
    ("ntm_tien_do_quy", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]),
    ("gnbv_6thang_nam", ["2026-H1", "2026-Y"]),
]
DUE_STATES = ["approved"] * 5 + ["submitted_province", "submitted_central", "returned", "late", "missing"]
OPEN_STATES = ["draft"] * 4 + ["submitted_province"] * 2 + ["missing"] * 4
RETURN_REASONS = [
    "Thiếu minh chứng tiêu chí",
    "Số vốn giải ngân chưa khớp với Kho bạc",
    "Chưa có xác nhận của UBND xã",
]


def _values(code: str, unit: UnitVersion, quarter: int, rng: random.Random) -> dict[str, int]:
    """Indicator values of one commune; the base is stable per commune, so its own history is consistent."""
    base = random.Random(zlib.crc32(unit.code.encode()))
    if code == "ntm_tien_do_quy":
        met = min(19, base.randint(6, 15) + quarter // 2)
        plan = base.randint(2_000, 9_000) * 1_000_000
        spent = plan * (18 + 2 * quarter + rng.randint(-2, 2)) // 100
        if rng.random() < 0.03:
            spent = min(plan, spent * 10)  # deliberate outlier for the validation screen
        return {"so_tieu_chi_dat": met, "so_tieu_chi_bo": 19, "von_ke_hoach": plan, "von_giai_ngan": spent}
    households = base.randint(1_200, 4_500)
    poor = households * base.randint(15, 55) // 100 - quarter * rng.randint(5, 20)
    plan = base.randint(1_000, 6_000) * 1_000_000
    return {
        "so_ho": households,
        "so_ho_ngheo": max(poor, 0),
        "so_ho_can_ngheo": households * base.randint(5, 15) // 100,
        "von_ke_hoach": plan,
        "von_giai_ngan": plan * rng.randint(40, 95) // 100,
    }


def _batch(rt: ReportType, period: ReportingPeriod, communes: list[UnitVersion]) -> None:
    deadline = rt.deadline_for(period)
    assert deadline is not None
    rng = random.Random(zlib.crc32(f"{rt.code}:{period.code}".encode()))
    due = deadline < DEMO_TODAY
    limit = min(DEMO_TODAY, timezone.localdate())
    slot_index = {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "H1": 2, "Y": 4}.get(period.slot, 1)
    built: list[tuple[Report, dict[str, int], str]] = []
    for unit in communes:
        state = rng.choice(DUE_STATES if due else OPEN_STATES)
        if unit.code == WALKTHROUGH_COMMUNE and not due:
            state = "draft" if rt.code == "ntm_tien_do_quy" else "missing"
        if state == "missing":
            continue
        if due:
            days = rng.randint(1, 25) if state == "late" else -rng.randint(0, 12)
        else:
            days = -rng.randint(20, 60)
        at = datetime(deadline.year, deadline.month, deadline.day, 9, tzinfo=UTC) + timedelta(days=days)
        # nothing is submitted after the demo's today (nor after the real one): an early Q4 report was sent
        # in the days before it, not in the weeks before its deadline
        if at.date() > limit:
            at = datetime(limit.year, limit.month, limit.day, 9, tzinfo=UTC) - timedelta(
                days=rng.randint(1, 10)
            )
        status = {
            "late": "submitted",
            "submitted_province": "submitted",
            "submitted_central": "submitted",
        }.get(state, state)
        pending = {"submitted_province": 1, "submitted_central": 0, "late": 1}.get(state)
        report = Report(
            report_type=rt,
            unit=unit,
            period=period,
            status=status,
            pending_level=pending,
            deadline=deadline,
            submitted_at=None if status == "draft" else at,
            decided_at=min(
                at + timedelta(days=3), datetime(limit.year, limit.month, limit.day, 17, tzinfo=UTC)
            )
            if state in ("approved", "returned", "submitted_central")
            else None,
            reason=rng.choice(RETURN_REASONS) if status == "returned" else "",
        )
        built.append((report, _values(rt.code, unit, slot_index, rng), state))
    Report.objects.bulk_create([r for r, _v, _s in built])
    values, decisions = [], []
    for report, vals, state in built:
        values += [ReportValue(report=report, code=c, value=Decimal(v)) for c, v in vals.items()]
        if report.status == "draft":
            continue
        decisions.append(
            ReportDecision(
                report=report, action="submit", from_status="draft", to_status="submitted", level=3
            )
        )
        if state in ("approved", "submitted_central"):
            decisions.append(
                ReportDecision(
                    report=report, action="approve", from_status="submitted", to_status="submitted", level=1
                )
            )
        if state == "approved":
            decisions.append(
                ReportDecision(
                    report=report, action="approve", from_status="submitted", to_status="approved", level=0
                )
            )
        if state == "returned":
            decisions.append(
                ReportDecision(
                    report=report,
                    action="return",
                    from_status="submitted",
                    to_status="returned",
                    reason=report.reason,
                    level=1,
                )
            )
    ReportValue.objects.bulk_create(values)
    ReportDecision.objects.bulk_create(decisions)


@transaction.atomic
def seed() -> None:
    """Deterministic (fixed seeds) and idempotent (each (type, period) batch is created once)."""
    load_calendars([2025, 2026])
    communes = list(
        UnitVersion.objects.filter(structure="2025", level=3, parent__code__in=["11", "04"]).order_by("code")
    )
    # reports seeded before the approval chain had levels wait at the province
    Report.objects.filter(status="submitted", pending_level__isnull=True).update(pending_level=1)
    existing = set(Report.objects.values_list("report_type__code", "period__code").distinct())
    for code, periods in BATCHES:
        rt = ReportType.objects.get(code=code)
        for period_code in periods:
            if (code, period_code) in existing:
                continue
            _batch(rt, ReportingPeriod.objects.get(code=period_code), communes)
