"""Load the finance reference data (programs, disbursement deadlines, alert rules, indicators) from data/*.json.

Idempotent (update_or_create by code); one ChangeRecord summarises each batch."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from mtqg.core.audit import record_change

from .models import DisbursementDeadline, FinanceRule, Indicator, Program

DATA = Path(__file__).parent / "data"


DISAGGREGATION_RULE = "indicator_disaggregations"


def _read(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _load_node(node: dict[str, Any], parent: Program | None, order: list[int]) -> int:
    order[0] += 1
    defaults = {
        "name": node["name"],
        "short_name": node.get("short_name", ""),
        "kind": node.get("kind", Program.Kind.PROGRAM),
        "parent": parent,
        "owner_body": node.get("owner_body", parent.owner_body if parent else ""),
        "valid_from": _day(node.get("valid_from")) or (parent.valid_from if parent else None),
        "valid_to": _day(node.get("valid_to")) or (parent.valid_to if parent else None),
        "legal_basis": node.get("legal_basis", parent.legal_basis if parent else ""),
        "unconfirmed": bool(node.get("unconfirmed", False)),
        "sort_order": order[0],
    }
    obj, _created = Program.objects.update_or_create(code=node["code"], defaults=defaults)
    count = 1
    for child in node.get("children", []):
        count += _load_node(child, obj, order)
    return count


@transaction.atomic
def load_programs() -> dict[str, int]:
    """Programs tree, deadlines, alert rules and indicator definitions. Returns counts per kind."""
    counts = {"programs": 0, "deadlines": 0, "rules": 0, "indicators": 0}
    order = [0]
    for node in _read("programs.json")["programs"]:
        counts["programs"] += _load_node(node, None, order)

    deadlines = _read("deadlines.json")
    for rule in deadlines["statutory"]:
        for year in range(rule["first_year"], rule["last_year"] + 1):
            DisbursementDeadline.objects.update_or_create(
                plan_year=year,
                applies_to=rule["applies_to"],
                kind=DisbursementDeadline.Kind.STATUTORY,
                defaults={
                    "deadline": date(year + rule["years_after"], rule["month"], rule["day"]),
                    "legal_basis": rule["legal_basis"],
                    "unconfirmed": bool(rule.get("unconfirmed", False)),
                },
            )
            counts["deadlines"] += 1
    for ext in deadlines["extensions"]:
        DisbursementDeadline.objects.update_or_create(
            plan_year=ext["plan_year"],
            applies_to=ext["applies_to"],
            kind=DisbursementDeadline.Kind.EXTENSION,
            deadline=date.fromisoformat(ext["deadline"]),
            defaults={"legal_basis": ext["legal_basis"], "unconfirmed": bool(ext.get("unconfirmed", False))},
        )
        counts["deadlines"] += 1

    for r in _read("alert_rules.json")["rules"]:
        FinanceRule.objects.update_or_create(
            code=r["code"],
            defaults={
                "name": r["name"],
                "params": r["params"],
                "legal_basis": r.get("legal_basis", ""),
                "unconfirmed": bool(r.get("unconfirmed", False)),
            },
        )
        counts["rules"] += 1

    indicators = _read("indicators.json")
    disaggregations = indicators.get("disaggregations", {})
    FinanceRule.objects.update_or_create(
        code=DISAGGREGATION_RULE,
        defaults={
            "name": "Phân tổ chỉ tiêu",
            "params": disaggregations.get("dimensions", {}),
            "legal_basis": disaggregations.get("legal_basis", ""),
            "unconfirmed": bool(disaggregations.get("unconfirmed", False)),
        },
    )
    counts["rules"] += 1

    programs = {p.code: p for p in Program.objects.filter(parent__isnull=True)}
    for i, ind in enumerate(indicators["indicators"]):
        Indicator.objects.update_or_create(
            code=ind["code"],
            defaults={
                "name": ind["name"],
                "unit_label": ind["unit_label"],
                "aggregation": ind["aggregation"],
                "origin": ind["origin"],
                "work_kind": ind.get("work_kind", ""),
                "program": programs.get(ind.get("program", "")),
                "disaggregations": ind.get("disaggregations", []),
                "legal_basis": ind.get("legal_basis", ""),
                "unconfirmed": bool(ind.get("unconfirmed", False)),
                "sort_order": i,
            },
        )
        counts["indicators"] += 1

    record_change(
        actor=None,
        obj=programs["NTM"],
        action="imported",
        changes={"load_programs": [None, str(counts)]},
        unit_path="",
    )
    return counts
