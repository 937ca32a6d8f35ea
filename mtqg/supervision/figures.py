"""Home-page key figure: overdue recommendations of missions to the unit (and its predecessors)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.geo.models import UnitVersion

from .models import Recommendation
from .selectors import base


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    qs = base(Recommendation, user, unit)
    if not qs.exists():
        return []
    count = qs.filter(status__in=Recommendation.OPEN, deadline__lt=timezone.localdate()).count()
    return [
        {"label": _("Kiến nghị quá hạn"), "value": number_vi(count), "url": reverse("supervision:overdue")}
    ]
