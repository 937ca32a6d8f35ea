"""The finance screens' filters (unit, year, as-of date, carry-over), read from the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date

from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, unit_by_code

from .models import CapitalPlan


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


def screen_filters(request: HttpRequest) -> Filters:
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
