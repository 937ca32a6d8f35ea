"""Home-page figure: the latest scenario of the unit (any version of it): communes reaching standard vs even."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mtqg.geo.models import UnitVersion

from .models import Scenario


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    latest = (
        Scenario.objects.visible_to(user)
        .filter(Q(province__path__startswith=unit.path) | Q(province__unit_id=unit.unit_id))
        .order_by("-created_at", "-pk")
        .first()
    )
    side = {r["method"]: r for r in latest.result.get("side_by_side", [])} if latest else {}
    if latest is None or "optimiser" not in side:
        return []
    return [
        {
            "label": _("Kịch bản “%(n)s”: xã đạt chuẩn thêm") % {"n": latest.name},
            "value": _("%(a)d (chia đều: %(b)d)")
            % {"a": side["optimiser"]["communes_reaching"], "b": side["even"]["communes_reaching"]},
            "url": latest.get_absolute_url(),
        }
    ]
