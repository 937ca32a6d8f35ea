"""Step `workflow`: one report type's reports per commune and period, in every state, with values and decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mtqg.workflow.models import Report, ReportDecision, ReportingPeriod, ReportType, ReportValue

from .. import bulk
from ..rows import Row
from .base import MARK, Context


def build(g: Context) -> None:
    prof = g.profile["workflow"]
    rt = ReportType.objects.filter(code=prof["report_type"]).first()
    if rt is None:
        return
    year = prof["year"]
    periods = [p for p in ReportingPeriod.objects.filter(year=year).order_by("start") if rt.expects(p)]
    taken = set(Report.objects.filter(report_type=rt).values_list("unit_id", "period_id"))
    report_id = bulk.reserve_ids(Report, 0)
    reports, values, decisions = [], [], []
    for commune in g.new:
        rng = g.rng("wf", commune.code)
        for period in periods:
            if (commune.id, period.pk) in taken:
                continue
            state = rng.choice(prof["states"])
            if state == "missing":
                continue
            deadline = rt.deadline_for(period)
            assert deadline is not None
            at = datetime(deadline.year, deadline.month, deadline.day, 9, tzinfo=UTC) + timedelta(
                days=rng.randint(-10, 12)
            )
            submitted = state != "draft"
            reports.append(
                (report_id, rt.pk, commune.id, period.pk, state, deadline, at if submitted else None,
                 "Thiếu minh chứng tiêu chí" if state == "returned" else "", MARK)
            )  # fmt: skip
            met = rng.randint(8, 19)
            plan = rng.randint(1_000, 9_000) * 1_000_000
            values += [
                (report_id, "so_tieu_chi_dat", met),
                (report_id, "so_tieu_chi_bo", 19),
                (report_id, "von_ke_hoach", plan),
                (report_id, "von_giai_ngan", plan * rng.randint(30, 100) // 100),
            ]
            if submitted:
                decisions.append((report_id, "submit", "draft", "submitted", ""))
            if state in ("approved", "returned"):
                action = "approve" if state == "approved" else "return"
                decisions.append((report_id, action, "submitted", state, reports[-1][7]))
            report_id += 1
    Row(
        Report,
        ["id", "report_type", "unit", "period", "status", "deadline", "submitted_at", "reason", "note"],
    ).insert(reports)
    Row(ReportValue, ["report", "code", "value"]).insert(values)
    Row(ReportDecision, ["report", "action", "from_status", "to_status", "reason"]).insert(decisions)
    bulk.sync_sequence(Report)
    g.stats.counts["reports"] += len(reports)
