"""Read-side lookups: communes on a date, latest assessments, tiers on a date, predecessor recognition."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from mtqg.geo.models import UnitLineage, UnitVersion
from mtqg.geo.selectors import REFORM_DATE

from .models import (
    RECOGNISED_TIERS,
    TIER_RANK,
    Assessment,
    CriteriaSet,
    CriterionResult,
    Recognition,
    RecognitionTier,
    Status,
)
from .periods import set_in_force


def communes_in(unit: UnitVersion, on: date) -> QuerySet[UnitVersion]:
    """Units of kind xã valid on a date inside a unit (the NTM denominator)."""
    return UnitVersion.objects.as_of(on).filter(
        path__startswith=unit.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
    )


def valid_recognitions(on: date) -> QuerySet[Recognition]:
    return Recognition.objects.filter(decision_date__lte=on).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
    )


def latest_assessments(commune_ids: Iterable[int], on: date) -> dict[int, dict[str, Any]]:
    """The latest standard-tier assessment of each commune made on or before a date (one query)."""
    rows = (
        Assessment.objects.filter(
            commune_id__in=list(commune_ids),
            assessed_on__lte=on,
            criteria_set__tier=CriteriaSet.SetTier.STANDARD,
        )
        .order_by("commune_id", "-assessed_on", "-year")
        .values(
            "id",
            "commune_id",
            "year",
            "criteria_set_id",
            "criteria_met",
            "criteria_basic",
            "criteria_unknown",
            "criteria_total",
            "region",
            "provisional",
        )
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        latest.setdefault(row["commune_id"], dict(row))
    return latest


def tiers_on(commune_ids: Iterable[int], on: date) -> dict[int, str]:
    """The highest valid recognition tier of each commune on a date (one query)."""
    best: dict[int, str] = {}
    for commune_id, tier in (
        valid_recognitions(on).filter(commune_id__in=list(commune_ids)).values_list("commune_id", "tier")
    ):
        if commune_id not in best or TIER_RANK[tier] > TIER_RANK[best[commune_id]]:  # type: ignore[index]
            best[commune_id] = tier
    return best


def predecessor_recognition(commune_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """For communes formed on 1/7/2025: (n recognised đạt chuẩn or higher on 30/6/2025, m predecessors).
    Nothing is inherited: this is shown next to the commune, never counted as its own tier."""
    edges: dict[int, list[int]] = defaultdict(list)
    for pred, succ in UnitLineage.objects.filter(successor_id__in=list(commune_ids)).values_list(
        "predecessor_id", "successor_id"
    ):
        edges[succ].append(pred)
    all_preds = {p for preds in edges.values() for p in preds}
    recognised = set(
        valid_recognitions(REFORM_DATE - timedelta(days=1))
        .filter(commune_id__in=all_preds, tier__in=RECOGNISED_TIERS)
        .values_list("commune_id", flat=True)
    )
    return {succ: (sum(1 for p in preds if p in recognised), len(preds)) for succ, preds in edges.items()}


def set_for_date(on: date) -> CriteriaSet | None:
    """The national standard commune set applying on a date (periods data, decision record 0109)."""

    found = set_in_force(on)
    return found.criteria_set if found else None


def province_table(user: Any, unit: UnitVersion, on: date) -> list[dict[str, Any]]:
    """One row per commune (kind xã) valid on a date inside a unit, in a fixed number of queries."""

    communes = list(
        communes_in(unit, on)
        .filter(pk__in=UnitVersion.objects.visible_to(user).values("pk"))
        .select_related("parent")
        .order_by("name")
    )
    ids = [c.pk for c in communes]
    latest = latest_assessments(ids, on)
    tiers = tiers_on(ids, on)
    gaps: dict[int, list[int]] = defaultdict(list)
    for aid, number in (
        CriterionResult.objects.filter(assessment_id__in=[a["id"] for a in latest.values()])
        .exclude(status__in=[Status.MET, Status.NA])
        .order_by("criterion__number")
        .values_list("assessment_id", "criterion__number")
    ):
        gaps[aid].append(number)
    pred = predecessor_recognition(ids) if unit.structure == UnitVersion.Structure.Y2025 else {}
    labels = dict(RecognitionTier.choices)
    rows = []
    for c in communes:
        a = latest.get(c.pk)
        tier = tiers.get(c.pk, "")
        rows.append(
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "district": c.parent.name if c.parent else "",
                "assessment_id": a["id"] if a else None,
                "year": a["year"] if a else None,
                "met": a["criteria_met"] if a else None,
                "basic": a["criteria_basic"] if a else None,
                "total": a["criteria_total"] if a else None,
                "provisional": bool(a and a["provisional"]),
                "tier": tier,
                "tier_label": str(labels.get(tier, "")),
                "gaps": gaps.get(a["id"], []) if a else [],
                "pred": pred.get(c.pk),
            }
        )
    return rows
