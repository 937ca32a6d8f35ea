"""Programme screens (issue 22 parts 7, 9, 10, 11): the 2026-2035 programme's targets with progress, the communes a
province chose per tier, context indicators, the district/province registers and the editable policies."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mtqg.core.audit import history_for
from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.geo.models import UnitVersion

from . import programme
from .models import Policy, ProgrammeTarget, RecognitionTier, TierTarget
from .registers import district_rows, province_rows, rule_on

PROGRAMME = "2026-2035"


def _unit(request: HttpRequest) -> UnitVersion:
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("unit", "")
    if raw.isdigit():
        return get_visible_or_404(UnitVersion.objects.all(), request.user, pk=int(raw))
    visible = UnitVersion.objects.visible_to(request.user).filter(level__lte=UnitVersion.Level.PROVINCE)
    found = visible.order_by("level", "structure", "name").first()  # today's units ("2025") first
    if found is None:
        raise PermissionDenied(_("Bạn không có đơn vị nào trong phạm vi."))
    return found


def _on(request: HttpRequest) -> date:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2016 <= int(raw) <= 2035:
        year = int(raw)
        today = timezone.localdate()
        return today if year == today.year else date(year, 12, 31)
    return timezone.localdate()


def programme_panel(user: Any, unit: UnitVersion, on: date) -> dict[str, Any]:
    """What the dashboards and the programme page show: targets with progress (from 2026), the tier register and
    the context figures of the unit."""
    return {
        "unit": unit,
        "on": on,
        "targets": programme.programme_progress(unit, on, PROGRAMME) if on.year >= 2026 else [],
        "tier_targets": programme.tier_targets_progress(user, unit, on),
        "context_figures": programme.context_for(unit, on.year),
    }


@login_required
@require_GET
def programme_page(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    on = _on(request)
    can_edit = path_editable(request.user, unit.path)
    district_rule, districts = district_rows(unit, on) if on < date(2025, 7, 1) else (None, [])
    province_rule, provinces = province_rows(unit, on)
    policies = list(Policy.objects.all())
    return render(
        request,
        "ntm/programme.html",
        {
            **programme_panel(request.user, unit, on),
            "can_edit": can_edit,
            "national_editor": path_editable(request.user, _country().path),
            "district_rule": district_rule,
            "districts": districts,
            "province_rule": province_rule,
            "provinces": provinces,
            "policies": [(p, history_for(p, request.user)[:5]) for p in policies],
            "tiers": [t for t in RecognitionTier.choices if t[0] != RecognitionTier.BASIC],
            "province_register_on": rule_on("province", on),
            "communes": _communes(unit, on) if can_edit else [],
            "measures": ProgrammeTarget.Measure.choices,
        },
    )


def _country() -> UnitVersion:
    return UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY)


def _communes(unit: UnitVersion, on: date) -> list[tuple[int, str]]:
    if unit.level != UnitVersion.Level.PROVINCE:
        return []
    qs = UnitVersion.objects.filter(
        path__startswith=unit.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
    )
    return list(qs.order_by("name").values_list("pk", "name")[:2000])


def _back(unit: UnitVersion, request: HttpRequest) -> HttpResponse:
    year = request.POST.get("year", "")
    query = f"?unit={unit.pk}" + (f"&year={year}" if year.isdigit() else "")
    return redirect(reverse("ntm:programme") + query)


def _run(request: HttpRequest, action: Any, done: str) -> None:
    try:
        action()
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền."))


@login_required
@require_POST
def tier_target_add(request: HttpRequest) -> HttpResponse:
    province = _unit(request)
    raw = request.POST.get("commune", "")
    commune = (
        get_visible_or_404(UnitVersion.objects.all(), request.user, pk=int(raw)) if raw.isdigit() else None
    )

    def add() -> None:
        if commune is None:
            raise ValidationError({"commune": _("Chưa chọn xã.")})
        programme.tier_target_add(
            actor=request.user,
            province=province,
            commune=commune,
            tier=request.POST.get("tier", ""),
            period_start=_int(request.POST.get("period_start")),
            period_end=_int(request.POST.get("period_end")),
            citation=request.POST.get("citation", ""),
            unconfirmed=bool(request.POST.get("unconfirmed")),
        )

    _run(request, add, _("Đã thêm xã vào danh sách phấn đấu."))
    return _back(province, request)


@login_required
@require_POST
def tier_target_remove(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(TierTarget.objects.select_related("commune", "province"), request.user, pk=pk)
    province = target.province
    _run(
        request,
        lambda: programme.tier_target_remove(
            actor=request.user, target=target, reason=request.POST.get("reason", "")
        ),
        _("Đã bỏ xã khỏi danh sách."),
    )
    return _back(province, request)


def _int(raw: Any) -> int:
    text = str(raw or "").strip()
    if not text.isdigit():
        raise ValidationError({"year": _("Năm phải là số nguyên.")})
    return int(text)


@login_required
@require_POST
def context_set(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    _run(
        request,
        lambda: programme.context_indicator_set(
            actor=request.user,
            unit=unit,
            code=request.POST.get("code", ""),
            label=request.POST.get("label", ""),
            value=request.POST.get("value", ""),
            unit_label=request.POST.get("unit_label", ""),
            year=_int(request.POST.get("data_year")),
            source=request.POST.get("source", ""),
            estimated=bool(request.POST.get("estimated")),
            reported_on=parse_date(request.POST.get("reported_on", "") or ""),
            unconfirmed=bool(request.POST.get("unconfirmed")),
        ),
        _("Đã ghi chỉ tiêu bối cảnh."),
    )
    return _back(unit, request)


@login_required
@require_POST
def target_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a target's value and citation; a provincial user's change makes the province's own target."""
    base = get_object_or_404(ProgrammeTarget, pk=pk)
    unit = _unit(request)
    province = unit if unit.level == UnitVersion.Level.PROVINCE else None
    _run(
        request,
        lambda: programme.programme_target_set(
            actor=request.user,
            programme=base.programme,
            code=base.code,
            label=base.label,
            value=request.POST.get("value", ""),
            value_text=request.POST.get("value_text", ""),
            unit_label=base.unit_label,
            target_year=base.target_year,
            citation=request.POST.get("citation", ""),
            unconfirmed=bool(request.POST.get("unconfirmed")),
            province=province,
            measure=base.measure,
            op=base.op,
            kind=base.kind,
        ),
        _("Đã ghi mục tiêu."),
    )
    return _back(unit, request)


@login_required
@require_POST
def policy_set(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=pk)
    _run(
        request,
        lambda: programme.policy_set(
            actor=request.user,
            policy=policy,
            enabled=request.POST.get("enabled") == "1",
            citation=request.POST.get("citation", ""),
            unconfirmed=bool(request.POST.get("unconfirmed")),
        ),
        _("Đã cập nhật quy định; số liệu tổng hợp tính lại theo quy định mới."),
    )
    return _back(_unit(request), request)
