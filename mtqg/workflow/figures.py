"""Home-page key figure: reports of the unit's subtree waiting for a decision (submitted, not yet approved)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.geo.models import UnitVersion

from .models import Report


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    qs = Report.objects.visible_to(user).filter(unit__path__startswith=unit.path)
    waiting = qs.filter(status=Report.Status.SUBMITTED).count()
    if not waiting and not qs.exists():
        return []
    return [
        {
            "label": _("Báo cáo đang chờ duyệt"),
            "value": number_vi(waiting),
            "url": reverse("workflow:reports") + "?status=submitted",
        }
    ]
