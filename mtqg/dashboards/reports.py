"""Report functions listed in mtqg/reports/catalog.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mtqg.reports.params import ReportParams

from . import panels
from .selectors import CURRENT, REPORTED, default_year


def jsonable(data: dict[str, Any], children: dict[str, Any] | None = None) -> dict[str, Any]:
    f: panels.Filters = data["filters"]
    out: dict[str, Any] = {
        "unit": {"id": f.unit.pk, "code": f.unit.code, "name": f.unit.name, "structure": f.unit.structure},
        "year": f.year,
        "period_note": str(data.get("period_note") or "") or None,
        "program": f.program,
        "mode": f.mode,
        "boundary": data["boundary"],
        "computed_at": data["computed_at"].isoformat() if data["computed_at"] else None,
        "refresh_pending": data["pending"],
        "figures": data["figures"],
        "charts": [
            {
                "id": c["id"],
                "title": c["title"],
                "categories": c["categories"],
                "series": c["series"],
                "columns": [
                    {"key": col.key, "label": str(col.label), "kind": col.kind} for col in c["table"].columns
                ],
                "rows": list(c["table"].rows),
                "notes": [str(n) for n in c["table"].notes],
            }
            for c in data["charts"]
        ],
    }
    if children is not None:
        out["units"] = children["rows"]
    return out


def dashboard(user: Any, params: ReportParams) -> dict[str, Any]:
    """`dashboard`: key figures and every chart's table for a unit and year (`--bands` unused;
    extra: program, mode)."""
    mode = params.extra.get("mode") or REPORTED
    f = panels.Filters(
        unit=params.unit,
        year=params.year or default_year(user, params.unit) or timezone.localdate().year,
        program=params.extra.get("program") or "",
        mode=mode if mode in (REPORTED, CURRENT) else REPORTED,
        defaulted=not params.year,
    )
    return jsonable(panels.dashboard(user, f), panels.children(user, f))
