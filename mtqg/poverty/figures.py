"""Home-page key figures for the poverty program (small cells suppressed)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi, percent_vi
from mtqg.geo.models import UnitVersion

from .models import ReviewTally
from .privacy import suppress
from .reports import _unit_ids, year_figures


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    year = ReviewTally.objects.filter(commune_id__in=_unit_ids(unit)).aggregate(y=Max("year"))["y"]
    if year is None:
        return []
    fig = year_figures(unit, [year])[year]
    poor = suppress(fig["poor"])
    url = reverse("poverty:index") + f"?unit={unit.code}&year={year}"
    return [
        {
            "label": _("Hộ nghèo (%(y)s)") % {"y": year},
            "value": poor if isinstance(poor, str) else number_vi(poor),
            "url": url,
        },
        {
            "label": _("Tỷ lệ hộ nghèo (%(y)s)") % {"y": year},
            "value": percent_vi(fig["poor_rate"]),
            "url": url,
        },
    ]
