"""Template filters for Vietnamese formats: {{ x|number_vi:2 }}, {{ r|percent_vi }}, {{ v|million_vnd }}."""

from __future__ import annotations

from typing import Any

from django import template

from mtqg.core import formatting

register = template.Library()


@register.filter
def number_vi(value: Any, decimals: int = 0) -> str:
    return formatting.number_vi(value, int(decimals))


@register.filter
def percent_vi(value: Any, decimals: int = 2) -> str:
    return formatting.percent_vi(value, int(decimals))


@register.filter
def million_vnd(value: Any, decimals: int = 0) -> str:
    return formatting.million_vnd(value, int(decimals))


@register.filter
def date_vi(value: Any) -> str:
    return formatting.date_vi(value)
