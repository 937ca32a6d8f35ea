"""Plain helpers that make workflow rows for tests."""

from __future__ import annotations

from mtqg.geo.models import UnitVersion
from mtqg.testing import World
from mtqg.workflow.calendar import load_calendars
from mtqg.workflow.models import (
    Report,
    ReportAttachment,
    ReportDecision,
    ReportingPeriod,
    ReportType,
    ReportValue,
)


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of workflow and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    load_calendars([2026])
    rt = ReportType.objects.get(code="gnbv_6thang_nam")
    period = ReportingPeriod.objects.get(code="2026-H1")

    cb_commune = (
        UnitVersion.objects.filter(structure="2025", level=3, parent=world.cao_bang).order_by("code").first()
    )
    urls: list[str] = []
    for commune, marker in ((world.muong_phang, "GUARD-ĐB"), (cb_commune, "GUARD-CB")):
        report = Report.objects.create(
            report_type=rt, unit=commune, period=period, note=marker, reason=marker
        )
        ReportValue.objects.create(report=report, code="so_ho", value=100, note=marker)
        att = ReportAttachment.objects.create(report=report, title=marker, file="workflow/x.pdf")
        ReportDecision.objects.create(
            report=report, action="submit", from_status="draft", to_status="draft", reason=marker
        )
        if marker == "GUARD-ĐB":
            urls += [
                f"/workflow/reports/{report.pk}/",
                f"/workflow/reports/{report.pk}/template.xlsx",
                f"/api/v1/workflow/reports/{report.pk}/",
            ]
            del att
    return urls
