"""Home-page key figures: latest plan year's NSTW and local counterpart disbursement rates for the unit."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi, percent_vi
from mtqg.geo.models import UnitVersion

from . import selectors
from .models import CapitalPlan


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    qs = CapitalPlan.objects.visible_to(user).filter(
        selectors.path_q("unit__path", selectors.scope_paths(unit))
    )
    year = qs.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return []
    as_of = selectors.statutory_as_of(year)
    s = selectors.disbursement_summary(user, unit, year, as_of, selectors.HEADLINE_CARRY_OVER)
    url = reverse("finance:index") + f"?unit={unit.code}&year={year}&include_carry_over=1"
    return [
        {
            "label": _("Giải ngân NSTW năm %(y)d (gồm chuyển nguồn, đến %(d)s)")
            % {"y": year, "d": date_vi(as_of)},
            "value": percent_vi(s["central"]["rate"]),
            "url": url,
        },
        {
            "label": _("Giải ngân vốn đối ứng NSĐP năm %(y)d (đến %(d)s)") % {"y": year, "d": date_vi(as_of)},
            "value": percent_vi(s["local_counterpart"]["rate"]),
            "url": url,
        },
    ]
