"""Navigation by program, shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mtqg.core.links import page_url
from mtqg.core.scoping import can_enter_data

# (label, url name, icon). Items whose URL does not exist yet are left out.
NAVIGATION = [
    (_("Tổng quan"), "frontpage:home", "house"),
    (_("Bảng điều khiển"), "dashboards:index", "speedometer2"),
    (_("Đơn vị hành chính"), "geo:tree", "diagram-3"),
    (_("Nông thôn mới"), "ntm:index", "flower2"),
    (_("Giảm nghèo"), "poverty:index", "people"),
    (_("Rà soát"), "survey:index", "clipboard2-data"),
    (_("Thực địa"), "survey:app", "phone"),
    (_("Vốn và công trình"), "finance:index", "cash-coin"),
    (_("OCOP"), "ocop:index", "award"),
    (_("Báo cáo định kỳ"), "workflow:index", "inbox"),
    (_("Giám sát"), "supervision:index", "clipboard-check"),
    (_("Hỗ trợ quyết định"), "planning:index", "bullseye"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    items = []
    for label, name, icon in NAVIGATION:
        url = page_url(name)
        if url is None:
            continue
        active = (url != "/" and request.path.startswith(url)) or request.path == url
        items.append({"label": label, "url": url, "icon": icon, "active": active})
    # data-entry buttons and forms are rendered only when the role can use them (core.scoping)
    return {"nav_items": items, "can_enter_data": can_enter_data(getattr(request, "user", None))}
