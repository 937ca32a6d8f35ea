"""Home page: the user's units with their key figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mtqg.accounts.models import Assignment
from mtqg.geo.selectors import current_version

from .figures import key_figures


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
    return render(request, "frontpage/home.html", {"cards": cards})
