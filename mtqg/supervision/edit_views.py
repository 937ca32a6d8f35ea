"""Entry screens: create/edit a mission; add findings, recommendations and attachments to it; download an
attachment. Every write goes through a service (scope check, audit, atomic); errors come back in Vietnamese."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.core.scoping import entry_required, get_visible_or_404
from mtqg.core.service_errors import add_form_errors
from mtqg.core.uploads import stored_file_response
from mtqg.core.versioning import StaleEdit

from . import services
from .forms import AttachmentForm, FindingForm, MissionForm, RecommendationForm
from .models import Attachment, Mission
from .views import mission_context


def _apply(form: Any, exc: ValidationError | PermissionDenied) -> None:
    """Put a service error on the form: per field when it names one of the form's fields."""
    add_form_errors(
        form,
        exc,
        denied=_("Bạn không có quyền thực hiện thao tác này."),
        aliases={"unit": "unit_code", "responsible_unit": "responsible_code"},
    )


@login_required
@entry_required
def mission_new(request: HttpRequest) -> HttpResponse:
    form = MissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mission = services.mission_create(actor=request.user, **form.service_kwargs())
            messages.success(request, _("Đã tạo đoàn công tác."))
            return redirect("supervision:mission", pk=mission.pk)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/mission_form.html", {"form": form, "mission": None}, status=status)


@login_required
def mission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_visible_or_404(Mission.objects.select_related("unit"), request.user, pk=pk)
    form = MissionForm(request.POST or None, initial=MissionForm.initial_for(mission))
    if request.method == "POST" and form.is_valid():
        try:
            services.mission_update(
                actor=request.user,
                mission=mission,
                expected_version=form.cleaned_data.get("version"),
                **form.service_kwargs(),
            )
            messages.success(request, _("Đã lưu."))
            return redirect("supervision:mission", pk=mission.pk)
        except StaleEdit as exc:
            form.stale(exc)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/mission_form.html", {"form": form, "mission": mission}, status=status)


def _mission_page_with(request: HttpRequest, mission: Mission, **forms: Any) -> HttpResponse:
    context = mission_context(request, mission)
    context.update(forms)
    return render(request, "supervision/mission.html", context, status=400)


@login_required
@require_POST
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_visible_or_404(Mission.objects.select_related("unit"), request.user, pk=pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.finding_create(actor=request.user, mission=mission, **form.cleaned_data)
            messages.success(request, _("Đã thêm nội dung."))
            return redirect("supervision:mission", pk=mission.pk)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
    return _mission_page_with(request, mission, finding_form=form)


@login_required
@require_POST
def recommendation_new(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_visible_or_404(Mission.objects.select_related("unit"), request.user, pk=pk)
    form = RecommendationForm(request.POST, mission=mission)
    if form.is_valid():
        try:
            rec = services.recommendation_create(actor=request.user, mission=mission, **form.cleaned_data)
            messages.success(request, _("Đã thêm kiến nghị."))
            return redirect("supervision:recommendation", pk=rec.pk)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
    return _mission_page_with(request, mission, recommendation_form=form)


@login_required
@require_POST
def attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_visible_or_404(Mission.objects.select_related("unit"), request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                mission=mission,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            )
            messages.success(request, _("Đã tải tệp lên."))
            return redirect("supervision:mission", pk=mission.pk)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
    return _mission_page_with(request, mission, attachment_form=form)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    att = get_visible_or_404(Attachment.objects.all(), request.user, pk=pk)
    return stored_file_response(att.file)
