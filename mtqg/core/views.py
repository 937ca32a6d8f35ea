"""Home page: the user's units with their key figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mtqg.accounts.models import Assignment
from mtqg.geo.selectors import current_version

from .home import key_figures
from .jobs import progress_read, worker_gone
from .models import Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cards = []
    assignments = (
        Assignment.objects.active_for(request.user, today).select_related("unit").order_by("unit__path")
    )
    for assignment in assignments:
        unit = current_version(assignment.unit, today) or assignment.unit
        cards.append({"assignment": assignment, "unit": unit, "figures": key_figures(unit, request.user)})
    return render(request, "core/home.html", {"cards": cards})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _job_for(request: HttpRequest, job_id: str) -> Job:
    qs = Job.objects.all() if request.user.is_superuser else Job.objects.filter(created_by_id=request.user.pk)
    return get_object_or_404(qs, pk=job_id)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    qs = Job.objects.all() if request.user.is_superuser else Job.objects.filter(created_by_id=request.user.pk)
    return render(request, "core/job_list.html", {"jobs": qs.select_related("created_by")[:100]})


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = progress_read(_job_for(request, job_id))
    template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job, "worker_gone": worker_gone(job)})
