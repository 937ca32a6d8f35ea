"""Home-page key figures for NTM."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.formatting import ratio_vi
from mtqg.geo.models import UnitVersion

from .models import RECOGNISED_TIERS
from .selectors import communes_in, tiers_on


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    on = timezone.localdate()
    if unit.valid_to and unit.valid_to < on:
        on = unit.valid_to
    ids = list(communes_in(unit, on).values_list("pk", flat=True))
    if not ids:
        return []
    tiers = tiers_on(ids, on)
    recognised = sum(1 for t in tiers.values() if t in RECOGNISED_TIERS)
    return [
        {
            "label": _("Xã đạt chuẩn NTM"),
            "value": ratio_vi(recognised, len(ids)),
            "url": reverse("ntm:index") + f"?unit={unit.pk}",
        }
    ]
