"""Poverty screens: dashboard, register search, household page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mtqg.accounts.scoping import get_visible_or_404, path_visible
from mtqg.geo.text import fold
from mtqg.reports.params import parse_params

from .models import Household, Review
from .privacy import can_see_personal, mask_id, mask_name
from .reports import summary


@login_required
def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("unit", "11")
    year = request.GET.get("year", "2020")
    baseline = request.GET.get("baseline", "")
    result, error = None, ""
    try:
        params = parse_params({"unit": code, "year": year, "baseline": baseline})
        if path_visible(request.user, params.unit.path):
            result = summary(request.user, params)
    except ValidationError as exc:
        error = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return render(
        request,
        "poverty/index.html",
        {"result": result, "error": error, "unit": code, "year": year, "baseline": baseline},
    )


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = Household.objects.visible_to(request.user).select_related("commune")
    if q:
        key = fold(q)
        qs = qs.filter(
            Q(head_search__contains=key) | Q(code=q) | Q(members__id_number=q) | Q(address__icontains=q)
        ).distinct()
    page = Paginator(qs.order_by("code"), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "obj": h,
            "head": h.head_name if can_see_personal(request.user, h.commune.path) else mask_name(h.head_name),
        }
        for h in page.object_list
    ]
    return render(request, "poverty/household_list.html", {"page": page, "rows": rows, "q": q})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_visible_or_404(
        Household.objects.select_related("commune", "village"), request.user, pk=pk
    )
    clear = can_see_personal(request.user, household.commune.path)
    members = [
        {
            "obj": m,
            "name": m.full_name if clear else mask_name(m.full_name),
            "id_number": m.id_number if clear else mask_id(m.id_number),
        }
        for m in household.members.all()
    ]
    reviews = list(
        Review.objects.visible_to(request.user)
        .filter(household=household)
        .select_related("standard", "commune")
        .order_by("-year")
    )
    from .standards import classify_with

    timeline = [
        {
            "review": r,
            "reasons": classify_with(r.standard, r.area, r.income_per_capita_month, r.deprivations).reasons,
        }
        for r in reviews
    ]
    head = household.head_name if clear else mask_name(household.head_name)
    return render(
        request,
        "poverty/household_detail.html",
        {"household": household, "head": head, "members": members, "timeline": timeline, "clear": clear},
    )


# --- import batches (maker-checker) and personal-data export ---------------------------------------------------


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    from .models import ImportBatch

    error = ""
    if request.method == "POST" and request.FILES.get("file"):
        from django.core.exceptions import PermissionDenied

        from .importer import batch_stage

        upload: Any = request.FILES["file"]
        try:
            params = parse_params(
                {"unit": request.POST.get("unit", ""), "year": request.POST.get("year", "")}
            )
            if not params.year:
                raise ValidationError({"year": _("Thiếu năm rà soát.")})
            batch = batch_stage(
                actor=request.user,
                unit=params.unit,
                year=params.year,
                data=upload.read(),
                name=upload.name or "tep.csv",
            )
            return redirect("poverty:batch_detail", pk=batch.pk)
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        except PermissionDenied as exc:
            error = str(exc)
    batches = ImportBatch.objects.visible_to(request.user).select_related("unit", "created_by")[:100]
    return render(request, "poverty/batch_list.html", {"batches": batches, "error": error})


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from django.core.exceptions import PermissionDenied

    from .importer import batch_approve, batch_reject
    from .models import ImportBatch

    batch = get_visible_or_404(ImportBatch.objects.select_related("unit"), request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                batch_approve(actor=request.user, batch=batch)
            else:
                batch_reject(actor=request.user, batch=batch, reason=request.POST.get("reason", ""))
            return redirect("poverty:batch_detail", pk=batch.pk)
        except (ValidationError, PermissionDenied) as exc:
            error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return render(
        request, "poverty/batch_detail.html", {"batch": batch, "errors": batch.errors[:200], "error": error}
    )


@login_required
def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    from .importer import errors_csv
    from .models import ImportBatch

    batch = get_visible_or_404(ImportBatch.objects.select_related("unit"), request.user, pk=pk)
    response = HttpResponse(errors_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-lo-{batch.pk}.csv"'
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    from .importer import template_csv

    try:
        year = int(request.GET.get("year", "2025"))
        data = template_csv(year)
    except (ValueError, ValidationError):
        return HttpResponse(_("Năm không hợp lệ."), status=400)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mau-ra-soat-{year}.csv"'
    return response


@login_required
def household_export(request: HttpRequest) -> HttpResponse:
    """CSV of households with names: only in data-entry scope, with a stated reason that is logged."""
    import csv
    import io

    from django.core.exceptions import PermissionDenied

    from .services import export_log

    reason = request.GET.get("reason", "").strip()
    try:
        params = parse_params({"unit": request.GET.get("unit", "")})
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    if not reason:
        return HttpResponse(_("Cần nêu lý do xuất dữ liệu cá nhân."), status=400)
    if not path_visible(request.user, params.unit.path):
        return HttpResponse(_("Không tìm thấy đơn vị."), status=404)
    qs = (
        Household.objects.editable_by(request.user)
        .filter(commune__path__startswith=params.unit.path)
        .order_by("code")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Mã hộ"), _("Chủ hộ"), _("Địa chỉ"), _("Dân tộc")])
    count = 0
    for h in qs.iterator(chunk_size=5000):
        writer.writerow([h.code, h.head_name, h.address, h.ethnicity])
        count += 1
    try:
        export_log(actor=request.user, unit=params.unit, reason=reason, row_count=count)
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="ho-gia-dinh.csv"'
    return response
