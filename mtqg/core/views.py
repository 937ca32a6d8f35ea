"""Health check and the background jobs' pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django_htmx.middleware import HtmxDetails

from .jobs import progress_read, worker_gone
from .models import Job


class HtmxHttpRequest(HttpRequest):
    """A request seen by django-htmx's middleware: `request.htmx` is true for a request sent by htmx."""

    htmx: HtmxDetails


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
def job_detail(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    job = progress_read(_job_for(request, job_id))
    template = "core/_job_status.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job, "worker_gone": worker_gone(job)})
