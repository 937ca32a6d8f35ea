"""Finance screens: program tree with rates, disbursement curve, works list/page, outputs, alerts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.core.search import search_q
from mtqg.supervision.models import Mission, Recommendation

from . import selectors
from .entry_views import work_page
from .models import Work
from .screen_filters import Filters, screen_filters


def _base_context(request: HttpRequest, f: Filters, tab: str) -> dict[str, Any]:
    return {"f": f, "tab": tab, "query": f.query()}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    f = screen_filters(request)
    context = _base_context(request, f, "index")
    if f.unit is not None:
        context["summary"] = selectors.disbursement_summary(
            request.user, f.unit, f.year, f.as_of, f.include_carry_over
        )
        context["tree"] = selectors.program_tree(request.user, f.unit, f.year, f.as_of, f.include_carry_over)
    return render(request, "finance/index.html", context)


@login_required
def curve(request: HttpRequest) -> JsonResponse:
    """JSON for the ECharts disbursement curve (static/js/finance.js)."""
    f = screen_filters(request)
    if f.unit is None:
        return JsonResponse({"labels": [], "series": {}})
    return JsonResponse(selectors.monthly_curve(request.user, f.unit, f.year, f.include_carry_over))


@login_required
def works(request: HttpRequest) -> HttpResponse:
    f = screen_filters(request)
    qs = Work.objects.visible_to(request.user).select_related("program", "commune").order_by("code")
    if f.unit is not None:
        qs = qs.filter(selectors.path_q("commune__path", selectors.scope_paths(f.unit)), year=f.year)
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    qs = qs.filter(search_q(q, selectors.WORK_SEARCH, exact=("code",)))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = _base_context(request, f, "works")
    context.update(
        {
            "page": page,
            "kinds": Work.Kind.choices,
            "statuses": Work.Status.choices,
            "kind": kind,
            "status": status,
            "q": q,
        }
    )
    return render(request, "finance/works.html", context)


@login_required
def works_map(request: HttpRequest) -> JsonResponse:
    """Works per commune centre point (Leaflet map on the works list); one grouped query."""
    f = screen_filters(request)
    if f.unit is None:
        return JsonResponse({"points": []})
    rows = (
        Work.objects.visible_to(request.user)
        .filter(selectors.path_q("commune__path", selectors.scope_paths(f.unit)), year=f.year)
        .filter(commune__latitude__isnull=False)
        .values("commune__name", "commune__latitude", "commune__longitude")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .order_by("commune__name")
    )
    points = [
        {
            "name": r["commune__name"],
            "lat": r["commune__latitude"],
            "lon": r["commune__longitude"],
            "works": r["n"],
            "total_million": int(r["total"] // 1_000_000),
        }
        for r in rows
    ]
    return JsonResponse({"points": points})


@login_required
def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    work = get_visible_or_404(Work.objects.select_related("program", "commune"), request.user, pk=pk)
    return work_page(request, work)


@login_required
def outputs(request: HttpRequest) -> HttpResponse:
    f = screen_filters(request)
    context = _base_context(request, f, "outputs")
    if f.unit is not None:
        context["rows"] = selectors.outputs(request.user, f.unit, f.year)
    return render(request, "finance/outputs.html", context)


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    f = screen_filters(request)
    context = _base_context(request, f, "alerts")
    if f.unit is not None:
        found = selectors.alerts(request.user, f.unit, f.year, f.as_of, f.include_carry_over)
        for a in found:
            a["editable"] = path_editable(request.user, a["unit"].path)
        context["alerts"] = found
        context["missions"] = list(
            Mission.objects.visible_to(request.user).select_related("unit").order_by("-start_date")[:30]
        )
        context["parties"] = Recommendation.Party.choices
    return render(request, "finance/alerts.html", context)
