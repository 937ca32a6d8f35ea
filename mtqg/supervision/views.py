"""Supervision screens: mission list, mission page, recommendation page (+ follow-up form), overdue list (+XLSX)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from mtqg.core.audit import history_for
from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.core.service_errors import error_messages
from mtqg.core.tables import write_xlsx, xlsx_response
from mtqg.core.versioning import parse_version

from . import reports, selectors, services
from .forms import AttachmentForm, FindingForm, RecommendationForm
from .models import Mission, Recommendation
from .themes import theme_choices


@login_required
def index(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    organiser = request.GET.get("organiser", "")
    theme = request.GET.get("theme", "")
    q = request.GET.get("q", "").strip()[:100]
    qs = selectors.missions(request.user, year=year, organiser=organiser, theme=theme, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    years = sorted(
        {d.year for d in Mission.objects.visible_to(request.user).dates("start_date", "year")}, reverse=True
    )
    return render(
        request,
        "supervision/index.html",
        {
            "page": page,
            "year": year,
            "years": years,
            "organiser": organiser,
            "organisers": Mission.Organiser.choices,
            "theme": theme,
            "q": q,
            "themes": theme_choices(),
            "recurring": selectors.recurring_themes(request.user),
        },
    )


def mission_context(request: HttpRequest, mission: Mission) -> dict[str, Any]:
    return {
        "m": mission,
        "findings": mission.findings.all(),
        "recommendations": mission.recommendations.select_related("responsible_unit").prefetch_related(
            "followups"
        ),
        "agreements": mission.agreements.all(),
        "attachments": mission.attachments.all(),
        "history": history_for(mission, request.user),
        "can_edit": path_editable(request.user, mission.unit.path),
        "finding_form": FindingForm(),
        "recommendation_form": RecommendationForm(mission=mission),
        "attachment_form": AttachmentForm(),
        "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }


@login_required
def mission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_visible_or_404(Mission.objects.select_related("unit"), request.user, pk=pk)
    return render(request, "supervision/mission.html", mission_context(request, mission))


@login_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_visible_or_404(
        Recommendation.objects.select_related("mission__unit", "responsible_unit"), request.user, pk=pk
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                services.recommendation_close(
                    actor=request.user,
                    recommendation=rec,
                    reason=request.POST.get("reason", ""),
                    expected_version=parse_version(request.POST.get("version")),
                )
            else:
                reported_on = parse_date(request.POST.get("reported_on") or "")
                if reported_on is None:
                    raise ValidationError(_("Ngày báo cáo không hợp lệ."))
                services.followup_create(
                    actor=request.user,
                    recommendation=rec,
                    reported_on=reported_on,
                    content=request.POST.get("content", ""),
                    evidence_ref=request.POST.get("evidence_ref", ""),
                    new_status=request.POST.get("new_status", ""),
                    reason=request.POST.get("reason", ""),
                    expected_version=parse_version(request.POST.get("version")),
                )
            messages.success(request, _("Đã ghi nhận."))
            return redirect("supervision:recommendation", pk=rec.pk)
        except ValidationError as exc:
            errors = error_messages(exc)
        except PermissionDenied as exc:
            errors = [str(exc) or _("Bạn không có quyền thực hiện thao tác này.")]
    return render(
        request,
        "supervision/recommendation.html",
        {
            "r": rec,
            "followups": rec.followups.select_related("author"),
            "errors": errors,
            "statuses": [
                (Recommendation.Status.IN_PROGRESS, Recommendation.Status.IN_PROGRESS.label),
                (Recommendation.Status.NOT_DONE, Recommendation.Status.NOT_DONE.label),
            ],
            "today": timezone.localdate(),
            "history": history_for(rec, request.user),
            # the checks of followup_create / recommendation_close
            "can_follow_up": path_editable(request.user, rec.mission.unit.path),
            "can_close": path_editable(request.user, rec.mission.unit.path)
            and rec.issued_by_id == request.user.pk,
        },
        status=400 if errors else 200,
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        table = reports.overdue_table(request.user)
        return xlsx_response(write_xlsx([table]), "kien-nghi-qua-han.xlsx")
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.overdue(request.user, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/overdue.html", {"page": page, "q": q})
