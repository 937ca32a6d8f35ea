"""Small template helpers of the dashboards and the portal."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def cell(row: dict[str, Any], key: str) -> Any:
    """row[key] for a table row dict."""
    return row.get(key) if isinstance(row, dict) else None
