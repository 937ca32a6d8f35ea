"""Workflow screens: completeness page (index) with XLSX export, report page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mtqg.accounts.scoping import get_visible_or_404, view_prefixes
from mtqg.core.audit import history_for
from mtqg.core.tables import Column, Table, write_xlsx
from mtqg.geo.models import UnitVersion

from .models import Report, ReportingPeriod, ReportType
from .selectors import completeness

STATES = {"on_time": _("Đúng hạn"), "late": _("Muộn"), "missing": _("Chưa nộp")}


def _province(request: HttpRequest) -> UnitVersion | None:
    qs = UnitVersion.objects.visible_to(request.user).filter(level=1, structure="2025").order_by("code")
    code = request.GET.get("unit")
    if code:
        return qs.filter(code=code).first()
    prefixes = view_prefixes(request.user)
    return next((u for u in qs if any(u.path.startswith(p) and p for p in prefixes)), None) or qs.first()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    types = list(ReportType.objects.all())
    rt = next((t for t in types if t.code == request.GET.get("type")), types[0] if types else None)
    periods = [p for p in ReportingPeriod.objects.all() if rt is not None and rt.expects(p)]
    period = next(
        (p for p in periods if p.code == request.GET.get("period")), periods[-1] if periods else None
    )
    province = _province(request)
    data = completeness(request.user, rt, period, province) if rt and period and province else None
    if data and request.GET.get("format") == "xlsx":
        table = Table(
            title=_("Tình hình nộp báo cáo"),
            columns=[
                Column("code", _("Mã")),
                Column("name", _("Đơn vị")),
                Column("status", _("Trạng thái")),
                Column("state", _("Tính kịp thời")),
            ],
            rows=[{**r, "state": STATES[r["state"]]} for r in data["rows"]],
        )
        resp = HttpResponse(
            write_xlsx([table]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = 'attachment; filename="tinh-hinh-nop-bao-cao.xlsx"'
        return resp
    return render(
        request,
        "workflow/index.html",
        {
            "types": types,
            "rt": rt,
            "periods": periods,
            "period": period,
            "province": province,
            "data": data,
            "states": STATES,
        },
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(
        Report.objects.select_related("unit", "period", "report_type"), request.user, pk=pk
    )
    return render(
        request,
        "workflow/report.html",
        {
            "r": report,
            "values": report.values.all(),
            "decisions": report.decisions.select_related("actor"),
            "history": history_for(report, request.user),
        },
    )
