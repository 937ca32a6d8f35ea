"""Home-page key figures for OCOP: certified products (3★+) and the share of them on e-commerce."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi, percent_vi
from mtqg.geo.models import UnitVersion

from .models import Product
from .selectors import rated_rows, within_unit


def home_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    rows = rated_rows(within_unit(Product.objects.visible_to(user), unit), timezone.localdate())
    certified = [r for r in rows if r["star"] is not None and r["star"] >= 3]
    if not certified:
        return []
    on_ecommerce = sum(1 for r in certified if r["on_ecommerce"])
    url = reverse("ocop:summary") + f"?unit={unit.code}"
    return [
        {"label": _("Sản phẩm OCOP từ 3 sao"), "value": number_vi(len(certified)), "url": url},
        {
            "label": _("Sản phẩm OCOP trên sàn TMĐT"),
            "value": percent_vi(on_ecommerce * 100 / len(certified)),
            "url": url,
        },
    ]
