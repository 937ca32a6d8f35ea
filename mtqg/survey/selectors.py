"""Read side of review campaigns: progress per village, commune and province (one GROUP BY each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from .models import Campaign, CampaignHousehold, CampaignVillage


@dataclass
class Progress:
    total: int = 0
    surveyed: int = 0
    conflicts: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.surveyed - self.conflicts

    @property
    def percent(self) -> float:
        return 100 * self.surveyed / self.total if self.total else 0.0


def _counts(qs: Any, key: str) -> dict[Any, Progress]:
    rows = (
        qs.order_by()
        .values(key)
        .annotate(
            total=Count("id"),
            surveyed=Count("id", filter=Q(status=CampaignHousehold.Status.SURVEYED)),
            conflicts=Count("id", filter=Q(status=CampaignHousehold.Status.CONFLICT)),
        )
    )
    return {r[key]: Progress(r["total"], r["surveyed"], r["conflicts"]) for r in rows}


def village_progress(campaign: Campaign, user: Any) -> list[tuple[CampaignVillage | None, Progress]]:
    """(campaign village or None for 'no village yet', progress) for the villages the user sees."""
    counts = _counts(CampaignHousehold.objects.visible_to(user).filter(campaign=campaign), "village_id")
    villages = {
        cv.village_id: cv
        for cv in CampaignVillage.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("village", "enumerator")
    }
    out: list[tuple[CampaignVillage | None, Progress]] = [
        (cv, counts.get(vid, Progress()))
        for vid, cv in sorted(villages.items(), key=lambda kv: kv[1].village.name)
    ]
    if None in counts:
        out.append((None, counts[None]))
    return out


def campaign_progress(campaigns: Any, user: Any) -> dict[int, Progress]:
    """Progress per campaign (commune) of the campaigns given, counting the rows the user sees."""
    return _counts(CampaignHousehold.objects.visible_to(user).filter(campaign__in=campaigns), "campaign_id")


def total(progress: list[Progress]) -> Progress:
    return Progress(
        sum(p.total for p in progress), sum(p.surveyed for p in progress), sum(p.conflicts for p in progress)
    )
