"""NTM screens: province table of communes (filter, sort, XLSX), commune scorecard, criteria-set browser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.core.audit import history_for
from mtqg.core.jobs import job_enqueue
from mtqg.core.scoping import edit_prefixes, get_visible_or_404, path_editable
from mtqg.core.service_errors import flash_errors
from mtqg.core.tables import Column, Table, write_xlsx, xlsx_response
from mtqg.core.uploads import stored_file_response
from mtqg.geo.models import UnitVersion
from mtqg.reports.params import ReportParams

from . import groups, services
from .engine import region_label
from .excel import import_xlsx, set_for, template_xlsx
from .models import (
    Assessment,
    CriteriaSet,
    Criterion,
    IndicatorValue,
    Recognition,
    RecognitionTier,
    Status,
    Threshold,
)
from .reports import digital_gaps as report
from .selectors import predecessor_recognition, province_table

STATUS_CSS: dict[str, str] = {
    Status.MET: "text-bg-success",
    Status.BASIC: "text-bg-info",
    Status.NOT_MET: "text-bg-danger",
    Status.NA: "text-bg-secondary",
    Status.UNKNOWN: "text-bg-warning",
}
SORTS = {"name": ("name", False), "-name": ("name", True), "met": ("met", False), "-met": ("met", True)}


def _as_of(request: HttpRequest, unit: UnitVersion | None) -> date:
    parsed = parse_date(request.GET.get("as_of", "") or "")
    if parsed:
        return parsed
    today = timezone.localdate()
    if unit is not None and unit.valid_to and unit.valid_to < today:
        return unit.valid_to
    return today


def _unit(request: HttpRequest) -> UnitVersion | None:
    raw = request.GET.get("unit", "")
    if not raw.isdigit():
        return None
    return get_visible_or_404(UnitVersion.objects.all(), request.user, pk=int(raw))


def _rows(request: HttpRequest, unit: UnitVersion, on: date) -> list[dict[str, Any]]:
    rows = province_table(request.user, unit, on)
    tier = request.GET.get("tier", "")
    if tier == "none":
        rows = [r for r in rows if not r["tier"]]
    elif tier:
        rows = [r for r in rows if r["tier"] == tier]
    for key, test in (("min", lambda r, v: (r["met"] or 0) >= v), ("max", lambda r, v: (r["met"] or 0) <= v)):
        raw = request.GET.get(key, "")
        if raw.isdigit():
            rows = [r for r in rows if test(r, int(raw))]
    field, reverse = SORTS.get(request.GET.get("sort", "name"), SORTS["name"])
    rows.sort(key=lambda r: (r[field] is None, r[field] if r[field] is not None else 0), reverse=reverse)
    return rows


@login_required
def index(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    if unit is None:
        provinces = UnitVersion.objects.visible_to(request.user).filter(level=UnitVersion.Level.PROVINCE)
        return render(
            request,
            "ntm/index.html",
            {
                "provinces": provinces.order_by("structure", "name"),
                "unit": None,
            },
        )
    on = _as_of(request, unit)
    rows = _rows(request, unit, on)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "ntm/index.html",
        {
            "unit": unit,
            "as_of": on,
            "rows": rows,
            "tiers": RecognitionTier.choices,
            "query": query.urlencode(),
            "filters": {k: request.GET.get(k, "") for k in ("tier", "min", "max", "sort")},
            "is_2025": unit.structure == UnitVersion.Structure.Y2025,
            "can_import": path_editable(request.user, unit.path),  # what excel.import_xlsx checks
        },
    )


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    if unit is None:
        raise Http404(_("Chưa chọn đơn vị."))
    on = _as_of(request, unit)
    rows = _rows(request, unit, on)
    table = Table(
        title=f"NTM {unit.name} {on:%d-%m-%Y}",
        columns=[
            Column("code", _("Mã xã")),
            Column("name", _("Tên xã")),
            Column("district", _("Huyện")),
            Column("year", _("Năm đánh giá"), "int"),
            Column("met", _("Số tiêu chí đạt"), "int"),
            Column("basic", _("Cơ bản đạt"), "int"),
            Column("total", _("Tổng số tiêu chí"), "int"),
            Column("provisional_text", _("Tạm tính (ngưỡng chưa xác minh)")),
            Column("tier_label", _("Hạng công nhận")),
            Column("gaps_text", _("Tiêu chí chưa đạt")),
            Column("predecessors", _("Xã trước sáp nhập đã đạt chuẩn")),
        ],
        rows=[
            {
                **r,
                "gaps_text": ", ".join(str(g) for g in r["gaps"]),
                "provisional_text": _("tạm tính") if r["provisional"] else "",
                "predecessors": f"{r['pred'][0]}/{r['pred'][1]}" if r["pred"] else "",
            }
            for r in rows
        ],
        notes=[
            _("Số liệu tính theo quy tắc từ giá trị chỉ tiêu; đơn vị hành chính còn hiệu lực ngày %(d)s.")
            % {"d": on.strftime("%d/%m/%Y")}
        ],
    )
    return xlsx_response(write_xlsx([table]), f"ntm-{unit.code}-{on:%Y%m%d}.xlsx")


@login_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_visible_or_404(
        Assessment.objects.select_related("commune__parent", "criteria_set"), request.user, pk=pk
    )
    results = list(assessment.results.select_related("criterion").order_by("criterion__number"))
    overrides = {o.criterion_id: o for o in assessment.overrides.select_related("created_by")}
    for r in results:
        r.override = overrides.get(r.criterion_id)  # type: ignore[attr-defined]
        r.css = STATUS_CSS.get(r.status, "text-bg-light")  # type: ignore[attr-defined]
    history = list(
        Assessment.objects.visible_to(request.user)
        .filter(commune=assessment.commune)
        .select_related("criteria_set")
        .order_by("year")
    )

    pred = predecessor_recognition([assessment.commune_id]).get(assessment.commune_id)
    values = list(
        assessment.values.select_related("indicator__criterion").order_by(
            "indicator__criterion__number", "indicator__order"
        )
    )
    return render(
        request,
        "ntm/scorecard.html",
        {
            "a": assessment,
            "results": results,
            "history": history,
            "chart": {
                "years": [h.year for h in history],
                "met": [h.criteria_met for h in history],
                "basic": [h.criteria_basic for h in history],
            },
            "recognitions": Recognition.objects.visible_to(request.user)
            .filter(commune=assessment.commune)
            .order_by("decision_date"),
            "pred": pred,
            "values": values,
            "eligible": services.eligible_tier(assessment),
            "tier_conditions": services.confirm_conditions(assessment),
            "evidence_mb": round(settings.EVIDENCE_MAX_BYTES / (1024 * 1024), 1),
            "tiers": RecognitionTier.choices,
            "today": timezone.localdate(),
            "statuses": Status.choices,
            "can_edit": path_editable(request.user, assessment.commune.path),
            "changes": history_for(assessment, request.user)[:30],
        },
    )


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_visible_or_404(Assessment.objects.select_related("commune"), request.user, pk=pk)
    criterion = get_object_or_404(
        Criterion, pk=request.POST.get("criterion") or 0, criteria_set=assessment.criteria_set
    )
    try:
        if request.POST.get("status") == "":
            services.criterion_override_clear(
                actor=request.user,
                assessment=assessment,
                criterion=criterion,
                reason=request.POST.get("reason", ""),
            )
        else:
            services.criterion_override_set(
                actor=request.user,
                assessment=assessment,
                criterion=criterion,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
            )
        messages.success(request, _("Đã lưu điều chỉnh trạng thái tiêu chí %(n)s.") % {"n": criterion.number})
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc, sep=" ")
    return redirect("ntm:scorecard", pk=assessment.pk)


@login_required
def criteria_sets(request: HttpRequest) -> HttpResponse:
    sets = (  # a province's drafts stay on its own page until central acknowledges them (0120)
        CriteriaSet.objects.filter(state=CriteriaSet.State.ACKNOWLEDGED)
        .select_related("province", "parent")
        .order_by("valid_from", "code")
    )
    return render(request, "ntm/criteria_sets.html", {"sets": sets})


@login_required
def criteria_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cset = get_object_or_404(CriteriaSet.objects.select_related("province", "parent"), pk=pk)
    if cset.authored:  # provincial sets authored in the app: their own page, scoped to the province
        return redirect("ntm:provincial_set", pk=cset.pk)
    thresholds = Threshold.objects.filter(indicator__criterion__criteria_set=cset).order_by("region", "year")
    by_indicator: dict[int, list[Threshold]] = {}

    for t in thresholds:
        t.label = region_label(t.region)  # type: ignore[attr-defined]
        by_indicator.setdefault(t.indicator_id, []).append(t)
    criteria = list(cset.criteria.prefetch_related("indicators").order_by("number"))
    for c in criteria:
        for ind in c.indicators.all():
            ind.rules = by_indicator.get(ind.pk, [])  # type: ignore[attr-defined]
    can_confirm = path_editable(request.user, services._set_path(cset))
    return render(
        request, "ntm/criteria_set.html", {"cset": cset, "criteria": criteria, "can_confirm": can_confirm}
    )


def _import_context(request: HttpRequest) -> tuple[UnitVersion, int, CriteriaSet]:
    source = request.POST if request.method == "POST" else request.GET
    raw_unit = source.get("unit", "")
    if not raw_unit.isdigit():
        raise Http404(_("Chưa chọn tỉnh."))
    province = get_visible_or_404(
        UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE), request.user, pk=int(raw_unit)
    )
    raw_year = source.get("year", "")
    year = (
        int(raw_year) if raw_year.isdigit() and 2010 <= int(raw_year) <= 2100 else timezone.localdate().year
    )
    cset = set_for(province, year)
    if cset is None:
        raise Http404(_("Không có bộ tiêu chí áp dụng cho năm %(y)s.") % {"y": year})
    return province, year, cset


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    province, year, cset = _import_context(request)
    return xlsx_response(template_xlsx(province, year, cset), f"ntm-mau-{province.code}-{year}.xlsx")


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    province, year, cset = _import_context(request)
    if not path_editable(
        request.user, province.path
    ):  # the check import_xlsx makes, before the user fills in
        raise PermissionDenied(_("Bạn không có quyền nhập liệu cho đơn vị này."))
    context: dict[str, Any] = {"province": province, "year": year, "cset": cset, "result": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > 5 * 1024 * 1024:
            messages.error(request, _("Chọn một tệp .xlsx (tối đa 5 MB)."))
        else:
            try:
                context["result"] = import_xlsx(
                    actor=request.user,
                    province=province,
                    year=year,
                    cset=cset,
                    content=upload.read(),
                    dry_run=request.POST.get("commit") != "1",
                )
            except (ValidationError, PermissionDenied) as exc:
                flash_errors(request, exc, sep=" ")
    return render(request, "ntm/import.html", context)


def _post_date(request: HttpRequest, key: str) -> date | None:
    return parse_date(request.POST.get(key, "") or "")


def _decimal(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError({"satisfaction_pct": _("Tỷ lệ hài lòng phải là một số.")}) from exc


@login_required
@require_POST
def recognition_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Recognition entry from a commune's scorecard: checked against the computed assessment by the service."""
    assessment = get_visible_or_404(
        Assessment.objects.select_related("commune", "criteria_set"), request.user, pk=pk
    )
    try:
        decision_date = _post_date(request, "decision_date")
        if decision_date is None:
            raise ValidationError({"decision_date": _("Thiếu hoặc sai ngày quyết định (dd/mm/yyyy).")})
        debt = request.POST.get("no_construction_debt", "")
        rec = services.recognition_create(
            actor=request.user,
            commune=assessment.commune,
            tier=request.POST.get("tier", ""),
            decision_no=request.POST.get("decision_no", ""),
            decision_date=decision_date,
            standard_year=assessment.year,
            authority=request.POST.get("authority", "").strip(),
            criteria_set=assessment.criteria_set,
            council_vote=request.POST.get("council_vote", "").strip(),
            satisfaction_pct=_decimal(request.POST.get("satisfaction_pct", "")),
            no_construction_debt=True if debt == "1" else False if debt == "0" else None,
            note=request.POST.get("note", "").strip(),
            conditions={
                k[5:]: v.strip()
                for k in request.POST
                if k.startswith("cond_") and (v := request.POST.get(k, "")).strip()
            },
        )
        messages.success(request, _("Đã ghi quyết định công nhận %(no)s.") % {"no": rec.decision_no})
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc, sep=" ")
    return redirect("ntm:scorecard", pk=assessment.pk)


@login_required
@require_POST
def recognition_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_visible_or_404(Recognition.objects.select_related("commune"), request.user, pk=pk)
    try:
        revoked_on = _post_date(request, "revoked_on")
        if revoked_on is None:
            raise ValidationError({"revoked_on": _("Thiếu hoặc sai ngày thu hồi.")})
        services.recognition_revoke(
            actor=request.user,
            recognition=rec,
            revoked_on=revoked_on,
            decision_no=request.POST.get("decision_no", "").strip(),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Đã ghi thu hồi quyết định %(no)s.") % {"no": rec.decision_no})
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc, sep=" ")
    back = request.POST.get("next", "")
    if back.startswith("/ntm/"):
        return redirect(back)
    return redirect("ntm:recognitions")


@login_required
def recognitions(request: HttpRequest) -> HttpResponse:
    """The recognition register of the units the user sees (optionally one province/district), newest first."""
    unit = _unit(request)
    qs = Recognition.objects.visible_to(request.user).select_related("commune__parent", "criteria_set")
    if unit is not None:
        qs = qs.filter(commune__path__startswith=unit.path)
    tier = request.GET.get("tier", "")
    if tier in RecognitionTier.values:
        qs = qs.filter(tier=tier)
    rows = list(qs.order_by("-decision_date", "commune__name")[:500])
    return render(
        request,
        "ntm/recognitions.html",
        {
            "unit": unit,
            "rows": rows,
            "tiers": RecognitionTier.choices,
            "tier": tier,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_visible_or_404(
        IndicatorValue.objects.select_related("assessment__commune", "indicator"), request.user, pk=pk
    )
    upload = request.FILES.get("evidence")
    try:
        if upload is None:
            raise ValidationError({"evidence": _("Chưa chọn tệp minh chứng.")})
        services.indicator_value_evidence_set(actor=request.user, value=value, upload=upload)
        messages.success(request, _("Đã lưu minh chứng cho chỉ tiêu %(c)s.") % {"c": value.indicator.code})
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc, sep=" ")
    return redirect("ntm:scorecard", pk=value.assessment_id)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    value = get_visible_or_404(IndicatorValue.objects.select_related("indicator"), request.user, pk=pk)
    if not value.evidence:
        raise Http404(_("Chỉ tiêu chưa có minh chứng."))
    return stored_file_response(value.evidence)


@login_required
def digital_gaps(request: HttpRequest) -> HttpResponse:
    """Communes and villages without radio or mobile signal (report ntm-digital-gaps), with XLSX export."""

    unit = _unit(request)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and 2010 <= int(raw_year) <= 2100 else None
    if unit is None:
        provinces = UnitVersion.objects.visible_to(request.user).filter(level=UnitVersion.Level.PROVINCE)
        return render(
            request, "ntm/digital.html", {"unit": None, "provinces": provinces.order_by("structure", "name")}
        )
    if year is None:
        year = (unit.valid_to or timezone.localdate()).year
    data = report(request.user, ReportParams(unit=unit, year=year, as_of=date(year, 12, 31)))
    if request.GET.get("format") == "xlsx":
        yes_no = {True: _("Có"), False: _("Không"), None: ""}
        table = Table(
            title=_("Xã, thôn chưa có đài truyền thanh hoặc sóng di động"),
            columns=[
                Column("level_label", _("Cấp")),
                Column("name", _("Tên")),
                Column("commune", _("Xã")),
                Column("district", _("Huyện")),
                Column("year", _("Năm số liệu"), "int"),
                Column("radio", _("Đài truyền thanh")),
                Column("mobile_signal_label", _("Sóng di động")),
                Column("internet", _("Internet")),
                Column("postal", _("Điểm bưu chính")),
                Column("online", _("Dịch vụ công trực tuyến")),
            ],
            rows=[
                {
                    **r,
                    "level_label": _("Thôn, bản") if r["level"] == "village" else _("Xã"),
                    "radio": yes_no[r["has_radio"]],
                    "internet": yes_no[r["has_internet"]],
                    "postal": yes_no[r["has_postal_point"]],
                    "online": yes_no[r["online_services"]],
                }
                for r in data["gaps"]
            ],
            notes=[f"{unit.name} — {year}"],
        )
        return xlsx_response(write_xlsx([table]), f"ntm-xa-trang-{unit.code}-{year}.xlsx")
    return render(request, "ntm/digital.html", {"unit": unit, "year": year, "data": data})


@login_required
@require_POST
def criteria_set_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the statuses of this set's assessments in the user's editable scope, as a background job."""

    cset = get_object_or_404(CriteriaSet, pk=pk)
    if not edit_prefixes(request.user):
        messages.error(request, _("Bạn không có quyền nhập liệu để tính lại trạng thái."))
        return redirect("ntm:criteria_set", pk=cset.pk)
    job = job_enqueue(
        actor=request.user,
        kind="ntm.recompute",
        params={"criteria_set_id": cset.pk},
        title=_("Tính lại trạng thái các đánh giá theo %(set)s") % {"set": cset.name},
    )
    return redirect(job.get_absolute_url())


def _province(request: HttpRequest) -> UnitVersion | None:
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("unit", "")
    if not raw.isdigit():
        return None
    return get_visible_or_404(
        UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE), request.user, pk=int(raw)
    )


@login_required
def commune_groups(request: HttpRequest) -> HttpResponse:
    """QĐ 51/2025 commune groups of a province: table, assignment by decision (form or Excel)."""

    province = _province(request)
    if province is None:
        provinces = UnitVersion.objects.visible_to(request.user).filter(
            level=UnitVersion.Level.PROVINCE, structure=UnitVersion.Structure.Y2025
        )
        return render(request, "ntm/groups.html", {"provinces": provinces.order_by("name"), "province": None})
    on = max(_as_of(request, province), groups.GROUPS_START)
    if request.method == "POST":
        _assign_groups(request, province)
        return redirect(f"{request.path}?unit={province.pk}")
    rows = groups.province_groups(province, on)
    return render(
        request,
        "ntm/groups.html",
        {
            "province": province,
            "as_of": on,
            "rows": rows,
            "missing": sum(1 for r in rows if not r["group"]),
            "decisions": province.ntm_group_decisions.all()[:20],
            "can_edit": path_editable(request.user, province.path),
        },
    )


def _assign_groups(request: HttpRequest, province: UnitVersion) -> None:
    try:
        upload = request.FILES.get("file")
        if upload is not None:
            parsed = groups.read_xlsx(upload.read())
            if parsed.errors:
                raise ValidationError(parsed.errors)
            chosen = parsed.groups
        else:
            on = max(_as_of(request, province), groups.GROUPS_START)
            current = {r["code"]: r["group"] for r in groups.province_groups(province, on)}
            chosen = {
                k[2:]: v
                for k in request.POST
                if k.startswith("g_")
                and (v := request.POST.get(k, ""))
                and current.get(k[2:]) != v  # only what the decision changes
            }
        decision = groups.commune_groups_assign(
            actor=request.user,
            province=province,
            groups=chosen,
            decision_no=request.POST.get("decision_no", ""),
            decision_date=_post_date(request, "decision_date"),
            issuer=request.POST.get("issuer", ""),
            valid_from=_post_date(request, "valid_from"),
        )
        messages.success(
            request, _("Đã phân nhóm %(n)s xã theo %(d)s.") % {"n": decision.communes, "d": decision.citation}
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc, sep=" ", denied=_("Bạn không có quyền phân nhóm xã của tỉnh này."))


@login_required
def commune_groups_template(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    if province is None:
        raise Http404(_("Chưa chọn tỉnh."))
    on = max(_as_of(request, province), groups.GROUPS_START)
    return xlsx_response(groups.template_xlsx(province, on), f"nhom-xa-{province.code}.xlsx")


@login_required
@require_POST
def threshold_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    threshold = get_object_or_404(
        Threshold.objects.select_related("indicator__criterion__criteria_set"), pk=pk
    )
    cset_id = threshold.indicator.criterion.criteria_set_id
    try:
        services.threshold_confirm(
            actor=request.user, threshold=threshold, source=request.POST.get("source", "")
        )
        messages.success(
            request, _("Đã xác nhận ngưỡng; bấm 'Tính lại trạng thái' để áp dụng cho các đánh giá.")
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc, sep=" ")
    return redirect("ntm:criteria_set", pk=cset_id)
