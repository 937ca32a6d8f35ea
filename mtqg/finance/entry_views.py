"""Finance entry screens: disbursement form (with conflict shown), progress reports, work photos, alert causes and
'turn into a recommendation'. Every write goes through services.py; errors are shown in Vietnamese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.core.audit import history_for
from mtqg.core.scoping import entry_required, get_visible_or_404, path_editable
from mtqg.core.service_errors import error_messages
from mtqg.core.uploads import stored_file_response
from mtqg.geo.models import UnitVersion
from mtqg.supervision.models import Mission

from . import selectors, services
from .forms import (
    AlertNoteForm,
    AlertRecommendationForm,
    DisbursementForm,
    IndicatorValueForm,
    PhotoForm,
    ProgressForm,
)
from .models import Allocation, Disbursement, Work, WorkPhoto
from .screen_filters import screen_filters


def _messages(exc: ValidationError | PermissionDenied) -> list[str]:
    return error_messages(exc, denied=_("Bạn không có quyền nhập liệu cho đơn vị này."))


def _work(request: HttpRequest, pk: int) -> Work:
    return get_visible_or_404(Work.objects.select_related("program", "commune"), request.user, pk=pk)


def work_page(request: HttpRequest, work: Work, status: int = 200, **extra: Any) -> HttpResponse:
    """The work page with its entry forms (bound ones passed in `extra` after an error)."""
    allocations = (
        Allocation.objects.visible_to(request.user)
        .filter(work=work)
        .annotate(disbursed=Sum("disbursements__amount"))
        .order_by("year", "source", "carry_over")
    )
    editable = path_editable(request.user, work.commune.path)
    context = {
        "work": work,
        "allocations": allocations,
        "progress": work.progress.all()[:20],
        "photos": WorkPhoto.objects.visible_to(request.user).filter(work=work)[:24],
        "history": history_for(work, request.user)[:20],
        "editable": editable,
        "progress_form": ProgressForm(initial={"reported_on": date.today()}),
        "photo_form": PhotoForm(),
        "errors": [],
        **extra,
    }
    return render(request, "finance/work_detail.html", context, status=status)


@login_required
def disburse(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment on one of the work's allocations. The form carries the disbursed total seen when it was
    opened; the service refuses the payment if another one was recorded meanwhile (conflict shown)."""
    work = _work(request, pk)
    allocations = Allocation.objects.visible_to(request.user).filter(work=work).order_by("year", "source")
    totals = dict(
        Disbursement.objects.filter(allocation__work=work)
        .values_list("allocation_id")
        .annotate(s=Sum("amount"))
    )
    errors: list[str] = []
    if request.method == "POST":
        form = DisbursementForm(request.POST, allocations=allocations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.disbursement_record(
                    actor=request.user,
                    allocation=data["allocation"],
                    paid_on=data["paid_on"],
                    amount=data["amount"],
                    reference=data["reference"],
                    seen_total=form.seen_total(),
                )
            except (ValidationError, PermissionDenied) as exc:
                errors = _messages(exc)
                totals = dict(
                    Disbursement.objects.filter(allocation__work=work)
                    .values_list("allocation_id")
                    .annotate(s=Sum("amount"))
                )
                form = DisbursementForm(
                    {**request.POST.dict(), "seen": DisbursementForm.encode_seen(totals, allocations)},
                    allocations=allocations,
                )
                form.is_valid()
            else:
                messages.success(request, _("Đã ghi khoản giải ngân."))
                return redirect("finance:work", pk=work.pk)
    else:
        first = allocations.first()
        form = DisbursementForm(
            allocations=allocations,
            initial={
                "allocation": first,
                "paid_on": date.today(),
                "seen": DisbursementForm.encode_seen(totals, allocations),
            },
        )
    rows = [{"a": a, "disbursed": totals.get(a.pk) or Decimal(0)} for a in allocations]
    return render(
        request,
        "finance/disburse.html",
        {"work": work, "form": form, "errors": errors, "rows": rows},
        status=400 if errors or form.errors else 200,
    )


@login_required
@require_POST
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return work_page(request, work, 400, progress_form=form, errors=[_("Kiểm tra lại báo cáo tiến độ.")])
    try:
        services.work_progress_record(actor=request.user, work=work, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        return work_page(request, work, 400, progress_form=form, errors=_messages(exc))
    messages.success(request, _("Đã ghi báo cáo tiến độ."))
    return redirect("finance:work", pk=work.pk)


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return work_page(request, work, 400, photo_form=form, errors=[_("Chưa chọn ảnh hợp lệ.")])
    data = form.cleaned_data
    try:
        services.work_photo_add(
            actor=request.user,
            work=work,
            upload=data["image"],
            caption=data["caption"],
            taken_on=data["taken_on"],
        )
    except (ValidationError, PermissionDenied) as exc:
        return work_page(request, work, 400, photo_form=form, errors=_messages(exc))
    messages.success(request, _("Đã tải ảnh lên."))
    return redirect("finance:work", pk=work.pk)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a work photo to users who can see the work (not a public media URL)."""
    row = get_visible_or_404(WorkPhoto.objects.all(), request.user, pk=pk)
    return stored_file_response(row.image, sniffed_type=row.content_type)  # judged by sniff_photo


def _alert_unit(request: HttpRequest, unit_pk: int) -> UnitVersion:
    unit = UnitVersion.objects.visible_to(request.user).filter(pk=unit_pk).first()
    if unit is None:
        raise Http404
    return unit


def _back(request: HttpRequest) -> str:
    return reverse("finance:alerts") + "?" + request.GET.urlencode()


@login_required
@require_POST
def alert_note(request: HttpRequest) -> HttpResponse:
    """Save the cause and proposed adjustment of an alert (query string = the alerts page filters)."""
    f = screen_filters(request)
    form = AlertNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thiếu thông tin cảnh báo."))
        return redirect(_back(request))
    data = form.cleaned_data
    unit = _alert_unit(request, data["unit"])
    try:
        services.alert_note_set(
            actor=request.user,
            unit=unit,
            key=data["key"],
            year=f.year,
            cause=data["cause"].strip(),
            proposed_adjustment=data["proposed_adjustment"].strip(),
        )
    except (ValidationError, PermissionDenied) as exc:
        for m in _messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("Đã lưu nguyên nhân và đề xuất điều chỉnh."))
    return redirect(_back(request))


@login_required
@require_POST
def alert_recommend(request: HttpRequest) -> HttpResponse:
    """Turn an alert into a supervision recommendation (the alert's title and evidence are recomputed, not taken
    from the form)."""
    f = screen_filters(request)
    form = AlertRecommendationForm(request.POST)
    if not form.is_valid() or f.unit is None:
        messages.error(request, _("Chọn đoàn công tác và các bên kiến nghị."))
        return redirect(_back(request))
    data = form.cleaned_data
    unit = _alert_unit(request, data["unit"])
    mission = Mission.objects.visible_to(request.user).filter(pk=data["mission"]).first()
    found = [
        a
        for a in selectors.alerts(request.user, f.unit, f.year, f.as_of, f.include_carry_over)
        if a["unit"].pk == unit.pk and a["key"] == data["key"]
    ]
    if mission is None or not found:
        messages.error(request, _("Không tìm thấy đoàn công tác hoặc cảnh báo."))
        return redirect(_back(request))
    try:
        rec = services.alert_to_recommendation(
            actor=request.user,
            unit=unit,
            key=data["key"],
            year=f.year,
            mission=mission,
            title=str(found[0]["title"]),
            evidence=str(found[0]["evidence"]),
            from_party=data["from_party"],
            to_party=data["to_party"],
            deadline=data["deadline"],
        )
    except (ValidationError, PermissionDenied) as exc:
        for m in _messages(exc):
            messages.error(request, m)
        return redirect(_back(request))
    messages.success(request, _("Đã tạo kiến nghị từ cảnh báo."))
    return redirect("supervision:recommendation", pk=rec.pk)


@login_required
@entry_required
def indicator_value_new(request: HttpRequest) -> HttpResponse:
    """Enter an output indicator's actual for a commune and year, with its ethnicity/sex categories."""
    form = IndicatorValueForm(request.POST or None, dimensions=services.disaggregation_dimensions())
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        qs = UnitVersion.objects.filter(code=data["commune_code"].strip(), level=UnitVersion.Level.COMMUNE)
        commune = qs.visible_to(request.user).order_by("-valid_from").first()
        if commune is None:
            errors = [_("Không có xã mã %(code)s trong phạm vi của bạn.") % {"code": data["commune_code"]}]
        else:
            try:
                services.indicator_value_record(
                    actor=request.user,
                    indicator=data["indicator"],
                    unit=commune,
                    year=data["year"],
                    value=data["value"],
                    note=data["note"],
                    disaggregation=form.disaggregation(),
                )
            except (ValidationError, PermissionDenied) as exc:
                errors = _messages(exc)
            else:
                messages.success(request, _("Đã ghi giá trị chỉ tiêu."))
                return redirect(reverse("finance:indicator-value-new"))
    status = 400 if request.method == "POST" and (errors or form.errors) else 200
    return render(request, "finance/indicator_value.html", {"form": form, "errors": errors}, status=status)
