"""Workflow screens: completeness (province, national), report list with bulk approve, the report page with the
entry grid (htmx autosave per cell), attachments and transitions, batch validation, Excel template and import."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from mtqg.core.audit import history_for
from mtqg.core.formatting import number_vi
from mtqg.core.scoping import get_visible_or_404, view_prefixes
from mtqg.core.service_errors import errors_by_field
from mtqg.core.tables import Column, Table, write_xlsx, xlsx_response
from mtqg.core.uploads import stored_file_response
from mtqg.geo.models import UnitVersion

from . import approvers, services
from .entry import actions, grid, value_text
from .excel import import_xlsx, template_xlsx
from .models import Report, ReportAttachment, ReportingPeriod, ReportType
from .selectors import completeness, decision_log, national_completeness, values_hidden, year_matrix
from .validation import Flags, report_flags, validate_batch

STATES = {"on_time": _l("Đúng hạn"), "late": _l("Muộn"), "missing": _l("Chưa nộp")}


def _province(request: HttpRequest) -> UnitVersion | None:
    qs = UnitVersion.objects.visible_to(request.user).filter(level=1, structure="2025").order_by("code")
    code = request.GET.get("unit")
    if code:
        return qs.filter(code=code).first()
    prefixes = view_prefixes(request.user)
    return next((u for u in qs if any(u.path.startswith(p) and p for p in prefixes)), None) or qs.first()


def _chosen_type(request: HttpRequest) -> tuple[list[ReportType], ReportType | None]:
    """The report types and the one asked for (?type=), else the first."""
    types = list(ReportType.objects.all())
    return types, next((t for t in types if t.code == request.GET.get("type")), types[0] if types else None)


def _chosen_period(
    request: HttpRequest, rt: ReportType | None
) -> tuple[list[ReportingPeriod], ReportingPeriod | None]:
    """The periods the report type expects and the one asked for (?period=), else the latest."""
    periods = [p for p in ReportingPeriod.objects.all() if rt is not None and rt.expects(p)]
    return periods, next(
        (p for p in periods if p.code == request.GET.get("period")), periods[-1] if periods else None
    )


def _year(request: HttpRequest) -> int:
    """?year= as a whole number; this year when absent or not a number."""
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def index(request: HttpRequest) -> HttpResponse:
    types, rt = _chosen_type(request)
    periods, period = _chosen_period(request, rt)
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
            rows=[{**r, "state": str(STATES[r["state"]])} for r in data["rows"]],
        )
        return xlsx_response(write_xlsx([table]), "tinh-hinh-nop-bao-cao.xlsx")
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


def _report(request: HttpRequest, pk: int) -> Report:
    return get_visible_or_404(
        Report.objects.select_related("unit", "period", "report_type", "submitted_by"), request.user, pk=pk
    )


def _detail_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    hidden = values_hidden(request.user, report)
    flags = extra.pop("flags", None) or (Flags() if hidden else report_flags(report))
    return {
        "r": report,
        "hidden": hidden,
        "cells": [] if hidden else grid(report, flags, extra.pop("typed", None)),
        "actions": actions(request.user, report),
        "attachments": report.attachments.all(),
        "decisions": decision_log(report),
        "history": history_for(report, request.user),
        **extra,
    }


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(request, "workflow/report.html", _detail_context(request, report))


def _version(request: HttpRequest) -> int:
    return _int(request, "version")


def _int(request: HttpRequest, key: str) -> int:
    try:
        return int(request.POST.get(key, ""))
    except ValueError:
        return -1


@login_required
@require_POST
def report_values(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the grid (whole form) or one cell (htmx autosave: `cell` names the indicator)."""
    report = _report(request, pk)
    cell = request.POST.get("cell")
    codes = [cell] if cell else list(report.report_type.indicators)
    typed = {c: request.POST.get(f"v_{c}", "").strip() for c in codes if f"v_{c}" in request.POST}
    try:
        if cell:
            report = services.report_save_values(
                actor=request.user,
                report=report,
                values=typed,
                cell_versions={cell: _int(request, "cell_version")},
            )
        else:
            report = services.report_save_values(
                actor=request.user, report=report, values=typed, version=_version(request)
            )
    except services.StaleVersion as exc:
        report.refresh_from_db()
        other = {c: value_text(v) for c, v in exc.current.items()}
        if cell:
            return _cell_response(request, report, cell, typed, conflict=other.get(cell, ""))
        messages.warning(request, exc.messages[0])
        ctx = _detail_context(request, report, typed=typed, conflict=other)
        return render(request, "workflow/report.html", ctx, status=409)
    except (ValidationError, PermissionDenied) as exc:
        errors = errors_by_field(exc)
        if cell:
            return _cell_response(request, report, cell, typed, errors=errors)
        for msg in errors.pop("", []):
            messages.error(request, msg)
        flags = Flags(errors=errors)
        return render(
            request,
            "workflow/report.html",
            _detail_context(request, report, typed=typed, flags=flags),
            status=400,
        )
    if cell:
        return _cell_response(request, report, cell, typed, saved=True)
    messages.success(request, _("Đã lưu số liệu."))
    return redirect("workflow:report", pk=report.pk)


def _cell_response(
    request: HttpRequest,
    report: Report,
    code: str,
    typed: dict[str, str],
    *,
    errors: dict[str, list[str]] | None = None,
    conflict: str | None = None,
    saved: bool = False,
) -> HttpResponse:
    errors = errors or {}
    flags = Flags(errors={code: errors.get(code, []) + errors.get("", [])})
    if saved:
        flags = report_flags(report)
    cells = grid(report, flags, None if saved else typed)
    cell = next((c for c in cells if c.code == code), None)
    if cell is None:
        return HttpResponse(status=400)
    cell.other = conflict
    resp = render(request, "workflow/_cell.html", {"c": cell, "r": report, "editable": True, "saved": saved})
    return trigger_client_event(resp, "workflowVersion", {"value": report.version})


TRANSITIONS: dict[str, Any] = {
    "submit": (services.report_submit, False, _l("Đã nộp báo cáo.")),
    "approve": (services.report_approve, False, _l("Đã duyệt báo cáo.")),
    "return": (services.report_return, True, _l("Đã trả lại báo cáo.")),
    "reopen": (services.report_reopen, True, _l("Đã mở lại báo cáo.")),
}


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    func, needs_reason, done = TRANSITIONS[action]
    kwargs: dict[str, Any] = {"reason": request.POST.get("reason", "")} if needs_reason else {}
    try:
        func(actor=request.user, report=report, version=_version(request), **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        for field_msgs in errors_by_field(exc).values():
            for msg in field_msgs:
                messages.error(request, msg)
    else:
        messages.success(request, done)
    return redirect("workflow:report", pk=report.pk)


@login_required
@require_POST
def report_attach(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Chưa chọn tệp."))
        services.report_attach(
            actor=request.user,
            report=report,
            title=request.POST.get("title", "") or upload.name or "",
            upload=upload,
        )
    except (ValidationError, PermissionDenied) as exc:
        for field_msgs in errors_by_field(exc).values():
            for msg in field_msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("Đã đính kèm tệp."))
    return redirect("workflow:report", pk=report.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    att = get_visible_or_404(ReportAttachment.objects.all(), request.user, pk=pk)
    return stored_file_response(att.file)


@login_required
@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    """Open (or reopen the page of) the report of a unit for a type and period."""
    rt = ReportType.objects.filter(code=request.POST.get("type")).first()
    period = ReportingPeriod.objects.filter(code=request.POST.get("period")).first()
    if rt is None or period is None:
        messages.error(request, _("Chọn loại báo cáo và kỳ báo cáo."))
        return redirect("workflow:reports")
    unit = (
        UnitVersion.objects.as_of(period.end)
        .editable_by(request.user)
        .filter(code=request.POST.get("unit", ""), level=rt.reporting_level)
        .first()
    )
    if unit is None:
        messages.error(request, _("Không tìm thấy đơn vị trong phạm vi nhập liệu của bạn."))
        return redirect("workflow:reports")
    existing = Report.objects.filter(report_type=rt, unit=unit, period=period).first()
    if existing is not None:
        return redirect("workflow:report", pk=existing.pk)
    try:
        report = services.report_create(actor=request.user, report_type=rt, unit=unit, period=period)
    except (ValidationError, PermissionDenied) as exc:
        for field_msgs in errors_by_field(exc).values():
            for msg in field_msgs:
                messages.error(request, msg)
        return redirect("workflow:reports")
    return redirect("workflow:report", pk=report.pk)


STATUS_FILTERS = [("", _l("Tất cả trạng thái")), *list(Report.Status.choices)]


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    qs = Report.objects.visible_to(request.user).select_related("unit", "period", "report_type")
    f = {k: request.GET.get(k, "") for k in ("type", "period", "status", "unit", "pending")}
    if f["type"]:
        qs = qs.filter(report_type__code=f["type"])
    if f["period"]:
        qs = qs.filter(period__code=f["period"])
    if f["status"]:
        qs = qs.filter(status=f["status"])
    province = _province(request) if f["unit"] else None
    if province is not None:
        qs = qs.filter(unit__path__startswith=province.path)
    page = Paginator(qs.order_by("-period__start", "unit__code", "report_type__code"), 50).get_page(
        request.GET.get("page")
    )
    entry_units = list(
        UnitVersion.objects.editable_by(request.user).filter(level=3, structure="2025").order_by("code")[:50]
    )
    bulk = (
        province is not None
        and f["type"]
        and f["period"]
        and approvers.decides_at(request.user, province.path)
    )
    return render(
        request,
        "workflow/report_list.html",
        {
            "page": page,
            "f": f,
            "types": ReportType.objects.all(),
            "periods": ReportingPeriod.objects.filter(year__gte=2025),
            "statuses": STATUS_FILTERS,
            "provinces": UnitVersion.objects.visible_to(request.user)
            .filter(level=1, structure="2025")
            .order_by("code"),
            "province": province,
            "bulk": bulk,
            "entry_units": entry_units,
        },
    )


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    province = (
        UnitVersion.objects.visible_to(request.user)
        .filter(level=1, structure="2025", code=request.POST.get("unit", ""))
        .first()
    )
    query = urlencode({k: request.POST.get(k, "") for k in ("type", "period", "unit")})
    if province is None:
        messages.error(request, _("Chọn tỉnh để duyệt hàng loạt."))
        return redirect(reverse("workflow:reports") + "?" + query)
    reports = list(
        Report.objects.visible_to(request.user)
        .filter(
            report_type__code=request.POST.get("type", ""),
            period__code=request.POST.get("period", ""),
            status=Report.Status.SUBMITTED,
            unit__path__startswith=province.path,
        )
        .select_related("unit", "report_type")
    )
    try:
        n = services.report_bulk_approve(actor=request.user, reports=reports)
    except (ValidationError, PermissionDenied) as exc:
        for field_msgs in errors_by_field(exc).values():
            for msg in field_msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("Đã duyệt %(n)s báo cáo.") % {"n": number_vi(n)})
    return redirect(reverse("workflow:reports") + "?" + query + "&status=submitted")


@login_required
def validation_view(request: HttpRequest) -> HttpResponse:
    types, rt = _chosen_type(request)
    year = _year(request)
    province = _province(request)
    data = validate_batch(request.user, rt, province, year) if rt and province else None
    if data and rt and province and request.GET.get("format") == "xlsx":
        table = Table(
            title=_("Kiểm tra chất lượng số liệu"),
            columns=[
                Column("unit_code", _("Mã")),
                Column("unit_name", _("Đơn vị")),
                Column("period", _("Kỳ")),
                Column("errors", _("Lỗi (chặn)")),
                Column("warnings", _("Cần rà soát (không chặn)")),
            ],
            rows=[
                {**r, "errors": "\n".join(r["errors"]), "warnings": "\n".join(r["warnings"])}
                for r in data["rows"]
            ],
            notes=[f"{rt.name} — {province.name} — {year}"],
        )
        return xlsx_response(write_xlsx([table]), f"kiem-tra-so-lieu-{province.code}-{year}.xlsx")
    return render(
        request,
        "workflow/validation.html",
        {"types": types, "rt": rt, "year": year, "province": province, "data": data},
    )


@login_required
def national(request: HttpRequest) -> HttpResponse:
    types, rt = _chosen_type(request)
    periods, period = _chosen_period(request, rt)
    if rt is not None and request.GET.get("year"):
        year = _year(request)
        matrix = year_matrix(request.user, rt, year)
        return render(
            request, "workflow/national_year.html", {"types": types, "rt": rt, "year": year, "m": matrix}
        )
    data = national_completeness(request.user, rt, period) if rt and period else None
    if data and rt and period and request.GET.get("format") == "xlsx":
        table = Table(
            title=_("Tình hình nộp báo cáo toàn quốc"),
            columns=[
                Column("code", _("Mã")),
                Column("name", _("Tỉnh")),
                Column("expected", _("Phải nộp"), "int"),
                Column("on_time", _("Đúng hạn"), "int"),
                Column("late", _("Muộn"), "int"),
                Column("missing", _("Chưa nộp"), "int"),
                Column("approved", _("Đã duyệt"), "int"),
            ],
            rows=data["rows"],
            notes=[f"{rt.name} — {period.label}"],
        )
        return xlsx_response(write_xlsx([table]), f"tinh-hinh-nop-bao-cao-{period.code}.xlsx")
    return render(
        request,
        "workflow/national.html",
        {"types": types, "rt": rt, "periods": periods, "period": period, "data": data},
    )


@login_required
def report_template(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return xlsx_response(template_xlsx(report), f"bao-cao-{report.pk}-v{report.version}.xlsx")


@login_required
@require_POST
def report_import(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    upload = request.FILES.get("file")
    dry_run = request.POST.get("dry_run") == "1"
    if upload is None:
        messages.error(request, _("Chưa chọn tệp."))
        return redirect("workflow:report", pk=report.pk)
    result = import_xlsx(actor=request.user, report=report, data=upload.read(), dry_run=dry_run)
    if result.saved:
        messages.success(request, _("Đã nhập %(n)s chỉ tiêu từ tệp Excel.") % {"n": result.rows})
        return redirect("workflow:report", pk=report.pk)
    report.refresh_from_db()
    ctx = _detail_context(request, report, import_result=result)
    return render(request, "workflow/report.html", ctx, status=400 if result.errors else 200)
