"""Unit tree (both structures), unit page with lineage, classifications and history, and the unit picker search."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from mtqg.core.audit import history_for
from mtqg.core.scoping import get_visible_or_404, path_editable, path_visible

from .models import UnitClassification, UnitVersion
from .selectors import predecessors, search_units, successors


def _as_of(request: HttpRequest) -> date | None:
    raw = request.GET.get("as_of", "")
    parsed = parse_date(raw) if raw else None
    return parsed


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """Top of the tree: the provinces the user may see, in both structures."""
    visible = UnitVersion.objects.visible_to(request.user)
    provinces = visible.filter(level=UnitVersion.Level.PROVINCE).order_by("structure", "name")
    if not provinces.exists():
        # a commune-level user starts at their communes
        provinces = visible.filter(level=UnitVersion.Level.COMMUNE).order_by("structure", "name")
    groups: dict[str, list[UnitVersion]] = {
        s.value: [] for s in (UnitVersion.Structure.Y2025, UnitVersion.Structure.PRE2025)
    }
    for unit in provinces:
        groups.setdefault(unit.structure, []).append(unit)
    return render(
        request, "geo/tree.html", {"groups": [(UnitVersion.Structure(k).label, v) for k, v in groups.items()]}
    )


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment: the visible children of a unit."""
    unit = get_visible_or_404(UnitVersion.objects.all(), request.user, pk=pk)
    kids = UnitVersion.objects.visible_to(request.user).filter(parent=unit).order_by("kind", "name")
    return render(request, "geo/_children.html", {"unit": unit, "children": kids})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(UnitVersion.objects.select_related("parent"), request.user, pk=pk)
    today = timezone.localdate()
    context = {
        "unit": unit,
        "breadcrumb": [(a, path_visible(request.user, a.path)) for a in unit.ancestors()],
        "children": UnitVersion.objects.visible_to(request.user).filter(parent=unit).order_by("kind", "name"),
        "predecessors": predecessors(unit),
        "successors": successors(unit),
        "classifications": UnitClassification.objects.visible_to(request.user)
        .filter(unit=unit)
        .select_related("scheme")
        .order_by("scheme__code", "-valid_from"),
        "history": history_for(unit, request.user)[:50],
        "can_edit": path_editable(request.user, unit.path),
        "valid_today": unit.valid_on(today),
        "tab": request.GET.get("tab", "info"),
    }
    return render(request, "geo/detail.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """htmx fragment for the unit picker: name with or without diacritics, or code."""
    query = request.GET.get("q", "")
    results = search_units(query, on=_as_of(request), user=request.user, limit=30) if len(query) >= 2 else []
    return render(request, "geo/_search_results.html", {"results": results, "q": query})
