"""Reads: every function starts from `visible_to(user)`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from mtqg.core.search import search_q
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import lineage_scope_paths

from .models import Finding, Mission, Recommendation
from .themes import theme_label


def base(model: Any, user: Any, within: UnitVersion | None = None) -> QuerySet[Any]:
    """user=None is the command line (system scope); `within` limits to a unit's lineage paths."""
    qs = model.objects.all() if user is None else model.objects.visible_to(user)
    if within is not None:
        lookup = model.scope_path
        q = Q(pk__in=[])
        for p in lineage_scope_paths(within) | {within.path}:
            q |= Q(**{f"{lookup}__startswith": p})
        qs = qs.filter(q)
    return qs


MISSION_SEARCH = ("title", "leader", "organiser_name", "unit__name")
RECOMMENDATION_SEARCH = ("content", "to_name", "from_name", "mission__title", "responsible_unit__name")


def missions(
    user: Any, *, year: int | None = None, organiser: str = "", theme: str = "", q: str = ""
) -> QuerySet[Mission]:
    qs = Mission.objects.visible_to(user).select_related("unit")
    if q:
        qs = qs.filter(search_q(q, MISSION_SEARCH))
    if year:
        qs = qs.filter(start_date__year=year)
    if organiser:
        qs = qs.filter(organiser=organiser)
    if theme:
        qs = qs.filter(Q(findings__theme=theme) | Q(recommendations__theme=theme)).distinct()
    return qs


def overdue(user: Any, today: date | None = None, q: str = "") -> QuerySet[Recommendation]:
    """Open recommendations whose deadline has passed ('quá hạn' is derived, never stored)."""
    today = today or timezone.localdate()
    return (
        Recommendation.objects.visible_to(user)
        .filter(status__in=Recommendation.OPEN, deadline__lt=today)
        .filter(search_q(q, RECOMMENDATION_SEARCH))
        .select_related("mission__unit", "responsible_unit")
        .order_by("deadline", "pk")
    )


def recurring_themes(
    user: Any, *, min_years: int = 2, within: UnitVersion | None = None
) -> list[dict[str, Any]]:
    """Themes raised (as a finding or a recommendation) in missions of at least `min_years` different years,
    with the years and provinces where they came up: "đầu tư dàn trải" in 2020 (Điện Biên) and 2024 (Cao Bằng)."""
    seen: dict[str, dict[str, Any]] = defaultdict(lambda: {"years": set(), "units": set(), "missions": set()})
    for model in (Finding, Recommendation):
        rows = (
            base(model, user, within)
            .exclude(theme="ket-qua")
            .order_by()
            .values_list("theme", "mission_id", "mission__start_date", "mission__unit__name")
        )
        for theme, mission_id, start, unit_name in rows:
            entry = seen[theme]
            entry["years"].add(start.year)
            entry["units"].add(unit_name)
            entry["missions"].add(mission_id)
    out = []
    for theme, entry in seen.items():
        if len(entry["years"]) >= min_years:
            out.append(
                {
                    "theme": theme,
                    "label": theme_label(theme),
                    "years": sorted(entry["years"]),
                    "units": sorted(entry["units"]),
                    "missions": len(entry["missions"]),
                }
            )
    return sorted(out, key=lambda r: (-r["missions"], r["theme"]))
