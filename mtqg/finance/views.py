"""Finance screens: program tree with rates, disbursement curve, works list/page, outputs, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.core.search import search_q
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, unit_by_code
from mtqg.supervision.models import Mission, Recommendation

from . import selectors
from .entry_views import work_page
from .models import CapitalPlan, Work


@dataclass
class Filters:
    unit: UnitVersion | None
    year: int
    as_of: date
    include_carry_over: bool

    def query(self) -> str:
        code = self.unit.code if self.unit else ""
        carry = "&include_carry_over=1" if self.include_carry_over else ""
        return f"unit={code}&year={self.year}&as_of={self.as_of.isoformat()}{carry}"


def _filters(request: HttpRequest) -> Filters:
    """Unit (code, default: the user's first assignment), year (default: latest planned), as_of (default: the
    statutory final day 31/01 of N+1 when past, else today)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        latest = (
            CapitalPlan.objects.visible_to(request.user)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        year = latest or today.year
    as_of = parse_date(request.GET.get("as_of") or "") or min(today, date(year + 1, 1, 31))
    include = request.GET.get("include_carry_over", "1" if "year" not in request.GET else "") in {
        "1",
        "on",
        "true",
    }
    code = (request.GET.get("unit") or "").strip()
    unit: UnitVersion | None = None
    if code:
        try:
            unit = unit_by_code(code, as_of)
        except UnitNotFound:
            unit = None
        if unit is not None and not UnitVersion.objects.visible_to(request.user).filter(pk=unit.pk).exists():
            unit = None
    if unit is None:
        assignment = request.user.assignments.select_related("unit").first()  # type: ignore[union-attr,misc]
        unit = assignment.unit if assignment else None
        if unit is not None and request.user.is_authenticated and not code:
            found = UnitVersion.objects.as_of(as_of).filter(unit_id=unit.unit_id).first()
            unit = found or unit
    return Filters(unit=unit, year=year, as_of=as_of, include_carry_over=include)


def _base_context(request: HttpRequest, f: Filters, tab: str) -> dict[str, Any]:
    return {"f": f, "tab": tab, "query": f.query()}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
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
    f = _filters(request)
    if f.unit is None:
        return JsonResponse({"labels": [], "series": {}})
    return JsonResponse(selectors.monthly_curve(request.user, f.unit, f.year, f.include_carry_over))


@login_required
def works(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
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
    f = _filters(request)
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
    f = _filters(request)
    context = _base_context(request, f, "outputs")
    if f.unit is not None:
        context["rows"] = selectors.outputs(request.user, f.unit, f.year)
    return render(request, "finance/outputs.html", context)


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
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
