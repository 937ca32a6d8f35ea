"""Report 'planning-scenario': the saved scenarios of a unit (latest first) with their side-by-side figures."""

from __future__ import annotations

from typing import Any

from mtqg.reports.params import ReportParams

from .models import Scenario
from .selectors import summary


def scenario_report(user: Any, params: ReportParams) -> dict[str, Any]:
    qs = Scenario.objects.all() if user is None else Scenario.objects.visible_to(user)
    unit = params.unit
    rows = qs.filter(province__path__startswith=unit.path).select_related("province")
    if params.as_of:
        rows = rows.filter(as_of__lte=params.as_of)
    items = [summary(s) for s in rows.order_by("-created_at", "-pk")[:20]]
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "scenarios": items,
        "latest": items[0] if items else None,
    }
