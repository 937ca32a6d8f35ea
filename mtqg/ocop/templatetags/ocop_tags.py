from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def star_text(value: Any) -> str:
    """3 → '★★★' (empty for no rating)."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return "—"
    return "★" * n if n > 0 else "—"
