"""Load reporting calendars (period slots, report types, validation rules) from data/calendars.json."""

from __future__ import annotations

import calendar as pycal
import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction

from mtqg.core.audit import record_change

from .models import ReportingPeriod, ReportType, ValidationRule

DATA = Path(__file__).parent / "data" / "calendars.json"


def _periods_for_year(slots: dict[str, Any], year: int) -> list[ReportingPeriod]:
    out: list[ReportingPeriod] = []
    for prefix, spec in slots.items():
        kind = spec["kind"]
        if kind == "custom":
            sm, sd = (int(x) for x in spec["start"].split("-"))
            em, ed = (int(x) for x in spec["end"].split("-"))
            out.append(
                ReportingPeriod(
                    code=f"{year}-{prefix}",
                    slot=prefix,
                    year=year,
                    kind=kind,
                    start=date(year, sm, sd),
                    end=date(year, em, ed),
                    label=f"{spec['label']} năm {year}",
                )
            )
            continue
        count = int(spec["count"])
        months = 12 // count
        for i in range(1, count + 1):
            m1, m2 = (i - 1) * months + 1, i * months
            slot = prefix if count == 1 else f"{prefix}{i:02d}" if prefix == "M" else f"{prefix}{i}"
            label = {
                "M": f"Tháng {i:02d}/{year}",
                "Q": f"Quý {i}/{year}",
                "H": f"6 tháng {'đầu' if i == 1 else 'cuối'} năm {year}",
                "Y": f"Năm {year}",
            }[prefix]
            out.append(
                ReportingPeriod(
                    code=f"{year}-{slot}",
                    slot=slot,
                    year=year,
                    kind=kind,
                    start=date(year, m1, 1),
                    end=date(year, m2, pycal.monthrange(year, m2)[1]),
                    label=label,
                )
            )
    return out


@transaction.atomic
def load_calendars(years: list[int], path: Path = DATA) -> dict[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = set(ReportingPeriod.objects.values_list("code", flat=True))
    new = [p for y in years for p in _periods_for_year(data["period_slots"], y) if p.code not in existing]
    ReportingPeriod.objects.bulk_create(new)
    for rt in data["report_types"]:
        ReportType.objects.update_or_create(
            code=rt["code"], defaults={k: v for k, v in rt.items() if k != "code"}
        )
    for rule in data["validation_rules"]:
        ValidationRule.objects.update_or_create(
            code=rule["code"], defaults={k: v for k, v in rule.items() if k != "code"}
        )
    counts = {
        "periods": len(new),
        "report_types": len(data["report_types"]),
        "rules": len(data["validation_rules"]),
    }
    anchor = ReportType.objects.order_by("pk").first()
    if anchor is not None and new:
        record_change(
            actor=None,
            obj=anchor,
            action="load_calendars",
            changes={"version": [None, data["version"]]},
            reason=f"{counts}",
            unit_path="",
        )
    return counts


@lru_cache(maxsize=1)
def indicator_labels() -> dict[str, str]:
    """Vietnamese labels of the indicator codes used by report types (data/calendars.json)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return dict(data.get("indicator_labels", {}))
