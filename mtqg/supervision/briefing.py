"""Rows for the briefing's "Khó khăn, vướng mắc" and "Kiến nghị" sections, from the missions to a unit.

`briefing_sections(user, unit, start, end)` covers missions to the unit (any version of it in the user's scope,
including its pre-2025 predecessors through the path prefix of each version) that started within [start, end]."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from mtqg.geo.models import UnitVersion

from .models import Finding, Recommendation
from .selectors import base


def briefing_sections(
    user: Any, unit: UnitVersion, start: date, end: date
) -> dict[str, list[dict[str, Any]]]:
    window = Q(mission__start_date__gte=start, mission__start_date__lte=end)
    difficulties = [
        {
            "mission": f.mission.title,
            "date": f.mission.start_date,
            "raised_by": f.get_raised_by_display(),
            "theme": f.theme_label,
            "content": f.content,
        }
        for f in base(Finding, user, unit)
        .filter(window, kind__in=[Finding.Kind.DIFFICULTY, Finding.Kind.LIMITATION])
        .select_related("mission")
        .order_by("mission__start_date", "pk")
    ]
    recommendations = [
        {
            "mission": r.mission.title,
            "date": r.mission.start_date,
            "from": r.from_name or r.get_from_party_display(),
            "to": r.to_name or r.get_to_party_display(),
            "theme": r.theme_label,
            "content": r.content,
            "deadline": r.deadline,
            "status": r.display_status,
        }
        for r in base(Recommendation, user, unit)
        .filter(window)
        .select_related("mission")
        .order_by("mission__start_date", "pk")
    ]
    return {"difficulties": difficulties, "recommendations": recommendations}
