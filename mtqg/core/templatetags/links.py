"""{% page_url "app:name" %}: the memoised reverse of a URL name without arguments (mtqg.core.links)."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch

from mtqg.core.links import page_url as _page_url

register = template.Library()


@register.simple_tag(name="page_url")
def page_url(name: str) -> str:
    url = _page_url(name)
    if url is None:
        raise NoReverseMatch(f"Reverse for '{name}' not found.")  # as {% url %} does
    return url
