"""Rating rules as data: load data/rules.json (idempotent) and look rules up by date."""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change

from .models import ProductGroup, ProgramTarget, RatingPart, RuleSet, StarBand

RULES_FILE = Path(__file__).parent / "data" / "rules.json"

# The rows each rule set of rules.json lists: (model, key in the file, the field naming a row, the fields it states).
RULESET_ROWS: tuple[tuple[type[RatingPart] | type[StarBand], str, str, tuple[str, ...]], ...] = (
    (RatingPart, "parts", "code", ("name", "max_points")),
    (StarBand, "bands", "stars", ("min_score", "max_score")),
)


def _date(value: str | None) -> date | None:
    return parse_date(value) if value else None


@transaction.atomic
def load_rules(path: Path = RULES_FILE) -> dict[str, int]:
    """Create or update rule sets, parts, bands, groups and program targets; one change record per changed load."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    program = data["program"]
    for t in program["targets"]:
        _, created = ProgramTarget.objects.update_or_create(
            program_code=program["code"],
            code=t["code"],
            defaults={
                "label": t["label"],
                "value": t["value"],
                "unit_label": t["unit"],
                "legal_basis": program["legal_basis"],
                "unconfirmed": t.get("unconfirmed", False),
            },
        )
        changed += created
    last: RuleSet | None = None
    for rs in data["rulesets"]:
        ruleset, created = RuleSet.objects.update_or_create(
            code=rs["code"],
            defaults={
                "title": rs["title"],
                "legal_basis": rs["legal_basis"],
                "valid_from": date.fromisoformat(rs["valid_from"]),
                "valid_to": _date(rs.get("valid_to")),
                "unconfirmed": rs.get("unconfirmed", False),
                "note": rs.get("note", ""),
                "certificate_months": rs["certificate_months"],
                "certified_min_stars": rs["certified_min_stars"],
                "council_levels": rs["council_levels"],
            },
        )
        changed += created
        last = ruleset
        for model, key, ident, fields in RULESET_ROWS:
            for row in rs[key]:
                _, c = model.objects.update_or_create(
                    ruleset=ruleset, **{ident: row[ident]}, defaults={name: row[name] for name in fields}
                )
                changed += c
    groups = data["groups"]
    for item in groups["items"]:
        top, c = ProductGroup.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "parent": None, "legal_basis": groups["legal_basis"]},
        )
        changed += c
        for sub in item["subgroups"]:
            _, c = ProductGroup.objects.update_or_create(
                code=sub["code"],
                defaults={
                    "name": sub["name"],
                    "parent": top,
                    "legal_basis": groups["legal_basis"],
                    "unconfirmed": groups.get("unconfirmed_subgroups", False),
                },
            )
            changed += c
    if changed and last is not None:
        record_change(
            actor=None,
            obj=last,
            action="load_rules",
            changes={"version": [None, data.get("version")], "created_rows": [None, changed]},
            unit_path="",
        )
    return {
        "rulesets": RuleSet.objects.count(),
        "groups": ProductGroup.objects.count(),
        "targets": ProgramTarget.objects.count(),
        "created": changed,
    }


def ruleset_on(on: date) -> RuleSet:
    """The rule set in force on a date (raises a Vietnamese ValidationError if none)."""
    ruleset = (
        RuleSet.objects.filter(valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .order_by("-valid_from")
        .prefetch_related("parts", "bands")
        .first()
    )
    if ruleset is None:
        raise ValidationError(
            {
                "decision_date": _(
                    "Chưa có bộ tiêu chí OCOP hiệu lực vào ngày này (chạy lệnh load_ocop_rules)."
                )
            }
        )
    return ruleset


def stars_for(ruleset: RuleSet, total: int) -> int:
    """The star class of a total score: the highest band whose lower edge is at most the total."""
    stars = 0
    for band in sorted(ruleset.bands.all(), key=lambda b: b.min_score):
        if total >= band.min_score:
            stars = band.stars
    return stars


def add_months(day: date, months: int) -> date:
    """Same day `months` later (clamped to the month's last day)."""

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
