"""Health check, the JavaScript catalogue and the background jobs' pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog
from django_htmx.middleware import HtmxDetails

from .jobs import progress_read, worker_gone
from .models import Job


class HtmxHttpRequest(HttpRequest):
    """A request seen by django-htmx's middleware: `request.htmx` is true for a request sent by htmx."""

    htmx: HtmxDetails


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _catalogue_stamp() -> str:
    """Changes when the compiled JavaScript catalogue does, so a new translation is not served stale."""
    mo = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "djangojs.mo"
    return str(int(mo.stat().st_mtime)) if mo.exists() else "0"


# The words static/js and the field app write, in the request's language (djangojs.po; decision 0060). The cache
# key carries the active language (Django adds it), so one cached copy per language; pages load it as ?l=<language>
# so the browser's copy (max-age a day) changes with the language too.
javascript_catalog = cache_page(86400, key_prefix=f"jsi18n-{_catalogue_stamp()}")(JavaScriptCatalog.as_view())


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
