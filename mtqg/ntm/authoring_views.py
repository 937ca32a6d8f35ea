"""Screens of provincial criteria sets authored in the app (decision record 0120): a province's sets and versions,
the draft editor (override, add, split, cite), submit, acknowledge. Only the actions the user may take are shown;
every write goes through mtqg.ntm.authoring."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.core.audit import history_for
from mtqg.core.scoping import path_visible
from mtqg.core.tables import xlsx_response
from mtqg.core.uploads import upload_response
from mtqg.geo.models import UnitVersion

from . import authoring, set_excel
from .engine import region_label
from .models import CriteriaSet, Criterion, Indicator, Threshold, ThresholdSource


def _date(request: HttpRequest, key: str) -> date | None:
    return parse_date(request.POST.get(key, "") or "")


def _visible_set(request: HttpRequest, pk: int) -> CriteriaSet:
    """A provincial set the user may see (scope of its province; central sees every one)."""
    cset = get_object_or_404(
        CriteriaSet.objects.select_related("province", "parent"), pk=pk, province__isnull=False
    )
    if not path_visible(request.user, cset.province.path):  # type: ignore[union-attr]
        raise Http404(_("Không tìm thấy đối tượng hoặc bạn không có quyền xem."))
    return cset


def _province(request: HttpRequest) -> UnitVersion | None:
    raw = request.GET.get("unit") or request.POST.get("unit") or ""
    if not raw.isdigit():
        return None
    province = UnitVersion.objects.filter(pk=int(raw), level=UnitVersion.Level.PROVINCE).first()
    if province is None or not path_visible(request.user, province.path):
        raise Http404(_("Không tìm thấy đối tượng hoặc bạn không có quyền xem."))
    return province


@login_required
def provincial_sets(request: HttpRequest, import_result: Any = None) -> HttpResponse:
    """A province's sets and versions (authored and loaded); without a province, the provinces to choose and, for
    central, the versions waiting for acknowledgement."""
    province = _province(request)
    provinces = [
        p
        for p in UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE).order_by("structure", "code")
        if path_visible(request.user, p.path)
    ]
    sets = CriteriaSet.objects.filter(province__isnull=False).select_related("province", "parent")
    if province is not None:
        sets = sets.filter(province__unit_id=province.unit_id)
    else:
        sets = sets.filter(province__in=provinces)
    waiting = (
        CriteriaSet.objects.filter(state=CriteriaSet.State.SUBMITTED).select_related("province")
        if authoring.can_acknowledge(request.user)
        else []
    )
    return render(
        request,
        "ntm/provincial_sets.html",
        {
            "province": province,
            "provinces": provinces,
            "sets": sets.order_by("province__name", "code", "-version"),
            "waiting": waiting,
            "can_author": authoring.can_author(request.user, province),
            "import_result": import_result,
            "tiers": CriteriaSet.SetTier.choices[:2],
        },
    )


@login_required
def provincial_set(request: HttpRequest, pk: int) -> HttpResponse:
    cset = _visible_set(request, pk)
    rules: dict[int, list[Threshold]] = {}
    for t in Threshold.objects.filter(indicator__criterion__criteria_set=cset).select_related(
        "cited_source", "inherited_from"
    ):
        t.label = region_label(t.region)  # type: ignore[attr-defined]
        rules.setdefault(t.indicator_id, []).append(t)
    criteria = list(
        Criterion.objects.filter(criteria_set=cset).prefetch_related("indicators").order_by("number")
    )
    for c in criteria:
        for ind in c.indicators.all():
            ind.rules = sorted(rules.get(ind.pk, []), key=lambda t: (t.region, t.year or 0))  # type: ignore[attr-defined]
    draft = cset.authored and cset.state == CriteriaSet.State.DRAFT
    submitted = cset.state == CriteriaSet.State.SUBMITTED
    return render(
        request,
        "ntm/provincial_set.html",
        {
            "cset": cset,
            "criteria": criteria,
            "can_edit": draft and authoring.can_author(request.user, cset.province),
            "can_ack": submitted and authoring.can_acknowledge(request.user),
            "sources": ThresholdSource.objects.all(),
            "ops": Threshold.Op.choices,
            "types": Indicator.Type.choices,
            "uncited": authoring.uncited(cset) if draft else [],
            "changes": history_for(cset, request.user)[:40],
        },
    )


def _thresholds_from(post: Any, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "region": post.get(f"{prefix}region", "all"),
            "op": post.get(f"{prefix}op", ""),
            "value": post.get(f"{prefix}value", ""),
            "source": post.get(f"{prefix}source", ""),
            "cited_source": ThresholdSource.objects.filter(pk=post.get(f"{prefix}cited") or 0).first(),
        }
    ]


def _spec(post: Any, prefix: str) -> dict[str, Any]:
    return {
        "code": post.get(f"{prefix}code", ""),
        "name": post.get(f"{prefix}name", ""),
        "value_type": post.get(f"{prefix}value_type", ""),
        "unit_label": post.get(f"{prefix}unit_label", ""),
        "thresholds": _thresholds_from(post, prefix),
    }


def _override(request: HttpRequest, cset: CriteriaSet) -> str:
    ind = get_object_or_404(Indicator, pk=request.POST.get("indicator") or 0, criterion__criteria_set=cset)
    year = request.POST.get("year", "").strip()
    authoring.criteria_threshold_override(
        actor=request.user,
        indicator=ind,
        region=request.POST.get("region", ""),
        year=int(year) if year.isdigit() else None,
        op=request.POST.get("op", ""),
        value=request.POST.get("value", ""),
        source=request.POST.get("source", ""),
        cited_source=ThresholdSource.objects.filter(pk=request.POST.get("cited") or 0).first(),
    )
    return _("Đã điều chỉnh ngưỡng chỉ tiêu %(code)s.") % {"code": ind.code}


def _add(request: HttpRequest, cset: CriteriaSet) -> str:
    criterion = get_object_or_404(Criterion, pk=request.POST.get("criterion") or 0, criteria_set=cset)
    ind = authoring.criteria_indicator_add(
        actor=request.user, criterion=criterion, spec=_spec(request.POST, "")
    )
    return _("Đã thêm chỉ tiêu %(code)s.") % {"code": ind.code}


def _split(request: HttpRequest, cset: CriteriaSet) -> str:
    ind = get_object_or_404(Indicator, pk=request.POST.get("indicator") or 0, criterion__criteria_set=cset)
    parts = authoring.criteria_indicator_split(
        actor=request.user, indicator=ind, parts=[_spec(request.POST, "a_"), _spec(request.POST, "b_")]
    )
    return _("Đã tách chỉ tiêu %(code)s thành %(parts)s.") % {
        "code": ind.code,
        "parts": ", ".join(p.code for p in parts),
    }


def _cite(request: HttpRequest, cset: CriteriaSet) -> str:
    authoring.criteria_set_cite(
        actor=request.user,
        criteria_set=cset,
        decision_no=request.POST.get("decision_no", ""),
        decision_date=_date(request, "decision_date"),
        issuer=request.POST.get("issuer", ""),
        valid_from=_date(request, "valid_from"),
        valid_to=_date(request, "valid_to"),
        upload=request.FILES.get("decision_file"),
    )
    return _("Đã ghi quyết định ban hành.")


def _submit(request: HttpRequest, cset: CriteriaSet) -> str:
    authoring.criteria_set_submit(actor=request.user, criteria_set=cset)
    return _("Đã gửi bộ tiêu chí lên Trung ương.")


def _acknowledge(request: HttpRequest, cset: CriteriaSet) -> str:
    n = authoring.criteria_set_acknowledge(actor=request.user, criteria_set=cset)
    return _("Đã tiếp nhận; bộ tiêu chí có hiệu lực với tỉnh, tính lại %(n)s đánh giá.") % {"n": n}


def _return(request: HttpRequest, cset: CriteriaSet) -> str:
    authoring.criteria_set_return(
        actor=request.user, criteria_set=cset, reason=request.POST.get("reason", "")
    )
    return _("Đã trả lại dự thảo cho tỉnh.")


ACTIONS: dict[str, Callable[[HttpRequest, CriteriaSet], str]] = {
    "override": _override,
    "add": _add,
    "split": _split,
    "cite": _cite,
    "submit": _submit,
    "acknowledge": _acknowledge,
    "return": _return,
}


@login_required
@require_POST
def provincial_set_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    cset = _visible_set(request, pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        messages.success(request, handler(request, cset))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("ntm:provincial_set", pk=cset.pk)


@login_required
@require_POST
def provincial_set_new(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    if province is None:
        raise Http404
    try:
        valid_from = _date(request, "valid_from")
        if valid_from is None:
            raise ValidationError({"valid_from": _("Thiếu hoặc sai ngày bắt đầu áp dụng.")})
        cset = authoring.criteria_set_inherit(
            actor=request.user,
            province=province,
            valid_from=valid_from,
            tier=request.POST.get("tier") or CriteriaSet.SetTier.STANDARD,
            name=request.POST.get("name", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(reverse("ntm:provincial_sets") + f"?unit={province.pk}")
    messages.success(request, _("Đã tạo dự thảo phiên bản %(v)s.") % {"v": cset.version})
    return redirect("ntm:provincial_set", pk=cset.pk)


@login_required
def provincial_set_export(request: HttpRequest, pk: int) -> HttpResponse:
    cset = get_object_or_404(CriteriaSet.objects.select_related("province"), pk=pk)
    draft = cset.state != CriteriaSet.State.ACKNOWLEDGED  # acknowledged sets are reference data for everyone
    if draft and cset.province is not None and not path_visible(request.user, cset.province.path):
        raise Http404
    return xlsx_response(set_excel.criteria_set_xlsx(cset), f"{cset.code}-v{cset.version}.xlsx")


@login_required
def provincial_set_decision(request: HttpRequest, pk: int) -> HttpResponseBase:
    cset = _visible_set(request, pk)
    if not cset.decision_file:
        raise Http404
    return upload_response(
        cset.decision_file.open("rb"), filename=cset.decision_file.name or "", sniffed_type="application/pdf"
    )


@login_required
@require_POST
def provincial_set_import(request: HttpRequest) -> HttpResponse:
    """Dry run unless "Ghi vào hệ thống" was ticked; every bad row listed; the result is shown on the list page."""
    province = _province(request)
    upload = request.FILES.get("file")
    valid_from = _date(request, "valid_from")
    if province is None or upload is None or valid_from is None:
        messages.error(request, _("Chọn tỉnh, ngày bắt đầu áp dụng và tệp Excel."))
        return provincial_sets(request)
    try:
        result = set_excel.criteria_set_import(
            actor=request.user,
            province=province,
            content=upload.read(),
            valid_from=valid_from,
            dry_run=request.POST.get("commit") != "1",
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return provincial_sets(request)
    if result.committed and result.criteria_set is not None:
        messages.success(
            request, _("Đã tạo dự thảo phiên bản %(v)s từ tệp.") % {"v": result.criteria_set.version}
        )
        return redirect("ntm:provincial_set", pk=result.criteria_set.pk)
    return provincial_sets(request, import_result=result)
