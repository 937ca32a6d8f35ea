"""Dashboards per level and program: key figures, charts with tables, XLSX downloads, map of units."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mtqg.accounts.models import Assignment
from mtqg.core.scoping import get_visible_or_404, path_visible, view_prefixes
from mtqg.core.tables import write_xlsx, xlsx_response
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, current_version, predecessors, unit_by_code
from mtqg.ntm.programme_views import programme_panel

from . import pagecache, panels, selectors
from .forms import FilterForm
from .selectors import CURRENT, REPORTED, default_year

DASHBOARD_CACHE_SECONDS = 600


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """?unit=CODE opens that unit (as of today); otherwise the user's first assigned unit."""
    today = timezone.localdate()
    code = request.GET.get("unit", "").strip()
    if code:
        try:
            unit = unit_by_code(code, today)
        except UnitNotFound as exc:
            raise Http404(str(exc)) from exc
        return redirect("dashboards:unit", pk=unit.pk)
    assignment = Assignment.objects.first_for(request.user, today)
    if assignment is None:
        if request.user.is_superuser:
            return redirect("dashboards:unit", pk=UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY).pk)
        return render(request, "dashboards/no_unit.html", status=200)
    unit = current_version(assignment.unit, today) or assignment.unit
    return redirect("dashboards:unit", pk=unit.pk)


def _filters(request: HttpRequest, pk: int) -> tuple[panels.Filters | None, FilterForm, UnitVersion]:
    unit: UnitVersion = get_visible_or_404(UnitVersion.objects.all(), request.user, pk=pk)
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return None, form, unit
    data: dict[str, Any] = form.cleaned_data if request.GET else {}
    mode = data.get("mode") or REPORTED
    if mode == CURRENT and unit.structure == UnitVersion.Structure.PRE2025:
        mode = REPORTED  # a pre-2025 unit has no 'today' to map to
    year = data.get("year") or default_year(request.user, unit)
    return panels.Filters(unit=unit, year=year, program=data.get("program") or "", mode=mode), form, unit


@login_required
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit: UnitVersion = get_visible_or_404(UnitVersion.objects.all(), request.user, pk=pk)
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        ancestors = _ancestors(request.user, unit)
        content = render_to_string("dashboards/_content.html", {"unit": unit, "form": form}, request)
        context = {"unit": unit, "ancestors": ancestors, "content": content}
        return render(request, "dashboards/unit.html", context, status=400)
    page = _page(request, unit, form)
    return render(request, "dashboards/unit.html", {"unit": unit, **page})


def _programme(user: Any, unit: UnitVersion, year: int) -> dict[str, Any] | None:
    """The NTM programme panel of a country or province page: targets with progress from 2026, the tier
    register, context figures (ntm decision records 0127, 0128); its writes bump the unit's facts stamp."""
    if unit.level > UnitVersion.Level.PROVINCE:
        return None
    today = timezone.localdate()
    return programme_panel(user, unit, today if year == today.year else date(year, 12, 31))


def _ancestors(user: Any, unit: UnitVersion) -> list[tuple[int, str, bool]]:
    """The breadcrumb: (pk, name, linked); a unit above the user's scope is named but not linked (its page is 404)."""
    return [(a.pk, a.name, path_visible(user, a.path)) for a in unit.ancestors()]


def _page(
    request: HttpRequest, unit: UnitVersion, form: FilterForm, *, refresh: bool = False
) -> dict[str, Any]:
    """The page's content, rendered once and cached while the facts under the unit are unchanged (decisions 0710,
    0711). The key holds the user's scope prefixes (the one scoping mechanism decides what the page contains), the
    filters as given, the language and the unit's facts stamp (a commune's own, 0835: any refresh at or above it
    makes a new key). A province's or the country's page is served within a bounded staleness instead, its as-of
    shown (`pagecache`, 0835); `refresh` (the warming job) recomputes it unless it is current."""
    data: dict[str, Any] = form.cleaned_data if request.GET else {}
    user = request.user
    changed_at, version = selectors.stamp(unit)

    def key_of(parts: Any, *stamp: Any) -> str:
        raw = repr((view_prefixes(user), unit.pk, parts, get_language(), *stamp))
        return "dashboards:page:" + hashlib.sha256(raw.encode()).hexdigest()

    def memo(parts: Any, compute: Any) -> Any:
        """compute() cached under the page's key parts (None when the unit has no facts stamp yet)."""
        if changed_at is None:
            return compute()
        key = key_of(parts, changed_at, version)
        hit = selectors.panel_cache().get(key)
        if hit is None:
            hit = compute()
            selectors.panel_cache().set(key, hit, timeout=DASHBOARD_CACHE_SECONDS)
        return hit

    given = (data.get("year"), data.get("program") or "", data.get("mode") or "")
    render_ = lambda: _render(request, unit, form, data, memo)  # noqa: E731
    if changed_at is None or unit.level >= UnitVersion.Level.COMMUNE:
        return {**memo(("page", given), render_), "stale": None}
    page, stale = pagecache.get_or_compute(
        key_of(("latest", given)),
        version,
        changed_at,
        render_,
        timeout=DASHBOARD_CACHE_SECONDS,
        refresh=refresh,
    )
    return {**(page or {}), "stale": stale}


def _render(
    request: HttpRequest, unit: UnitVersion, form: FilterForm, data: dict[str, Any], memo: Any
) -> Any:
    """Compute and render the page; the facts and the unit rows do not depend on the program, so every program
    of the same unit, year and mode shares them (memo)."""
    user = request.user
    mode = data.get("mode") or REPORTED
    if mode == CURRENT and unit.structure == UnitVersion.Structure.PRE2025:
        mode = REPORTED  # a pre-2025 unit has no 'today' to map to
    year = data.get("year") or memo(("default_year",), lambda: default_year(user, unit))
    f = panels.Filters(
        unit=unit, year=year, program=data.get("program") or "", mode=mode, defaulted=not data.get("year")
    )
    facts = memo(("facts", year, mode), lambda: panels.load(user, f))
    dash = panels.dashboard(user, f, facts)
    kids = memo(("children", year, mode), lambda: panels.children(user, f))
    context: dict[str, Any] = {"unit": unit, "form": form, **dash}
    context.update(
        {
            "children": kids,
            "points": [r for r in kids["rows"] if r["lat"] is not None],
            "chart_data": {c["id"]: _chart_json(c) for c in dash["charts"]},
            "query": canonical_query(data),
            "predecessors": predecessors(unit) if unit.level == UnitVersion.Level.COMMUNE else [],
            "can_toggle": unit.structure != UnitVersion.Structure.PRE2025,
            "xlsx_base": reverse("dashboards:unit", args=[unit.pk]) + "xlsx/",
            "open_recommendations": panels.open_recommendations(user, unit, program=f.program),
            "class_labels": kids["classes"],
            "programme": _programme(user, unit, year),
        }
    )
    return {
        "ancestors": _ancestors(user, unit),
        "content": mark_safe(render_to_string("dashboards/_content.html", context)),  # noqa: S308 (rendered by us)
        "charts": dash["charts"],
        "points": context["points"],
    }


def canonical_query(data: dict[str, Any]) -> str:
    """The filters as a query string in one order, whatever the request's order or extra parameters: the cached
    page (and a warmed one, decision 0820) links the same downloads for every request that shares its key."""
    pairs = [(k, data.get(k)) for k in ("year", "program", "mode")]
    return urlencode([(k, v) for k, v in pairs if v])


def _chart_json(chart: dict[str, Any]) -> dict[str, Any]:
    return {
        k: chart[k] for k in ("id", "title", "kind", "categories", "series", "mark", "axis") if k in chart
    }


@login_required
def chart_xlsx(request: HttpRequest, pk: int, chart: str) -> HttpResponse:
    f, _form, unit = _filters(request, pk)
    if f is None:
        return HttpResponse(_("Tham số không hợp lệ."), status=400, content_type="text/plain; charset=utf-8")
    if chart == "units":
        table = panels.children(request.user, f)["table"]
        if table is None:
            raise Http404(_("Đơn vị này không có đơn vị trực thuộc."))
        tables = [table]
    else:
        found = next((c for c in panels.dashboard(request.user, f)["charts"] if c["id"] == chart), None)
        if found is None:
            raise Http404(_("Không có biểu đồ này."))
        tables = [found["table"]]
    return xlsx_response(write_xlsx(tables), f"{chart}-{unit.code}-{f.year}.xlsx")
