"""Poverty screens: dashboard, register search, household page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mtqg.accounts.scoping import get_visible_or_404, path_visible
from mtqg.geo.text import fold
from mtqg.reports.params import parse_params

from .models import Household, Review
from .privacy import can_see_personal, mask_id, mask_name
from .reports import summary


@login_required
def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("unit", "11")
    year = request.GET.get("year", "2020")
    baseline = request.GET.get("baseline", "")
    result, error = None, ""
    try:
        params = parse_params({"unit": code, "year": year, "baseline": baseline})
        if path_visible(request.user, params.unit.path):
            result = summary(request.user, params)
    except ValidationError as exc:
        error = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return render(
        request,
        "poverty/index.html",
        {"result": result, "error": error, "unit": code, "year": year, "baseline": baseline},
    )


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = Household.objects.visible_to(request.user).select_related("commune")
    if q:
        key = fold(q)
        qs = qs.filter(
            Q(head_search__contains=key) | Q(code=q) | Q(members__id_number=q) | Q(address__icontains=q)
        ).distinct()
    page = Paginator(qs.order_by("code"), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "obj": h,
            "head": h.head_name if can_see_personal(request.user, h.commune.path) else mask_name(h.head_name),
        }
        for h in page.object_list
    ]
    return render(request, "poverty/household_list.html", {"page": page, "rows": rows, "q": q})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_visible_or_404(
        Household.objects.select_related("commune", "village"), request.user, pk=pk
    )
    clear = can_see_personal(request.user, household.commune.path)
    members = [
        {
            "obj": m,
            "name": m.full_name if clear else mask_name(m.full_name),
            "id_number": m.id_number if clear else mask_id(m.id_number),
        }
        for m in household.members.all()
    ]
    reviews = list(
        Review.objects.visible_to(request.user)
        .filter(household=household)
        .select_related("standard", "commune")
        .order_by("-year")
    )
    from .standards import classify_with

    timeline = [
        {
            "review": r,
            "reasons": classify_with(r.standard, r.area, r.income_per_capita_month, r.deprivations).reasons,
        }
        for r in reviews
    ]
    head = household.head_name if clear else mask_name(household.head_name)
    return render(
        request,
        "poverty/household_detail.html",
        {"household": household, "head": head, "members": members, "timeline": timeline, "clear": clear},
    )
